"""Regenerate the golden form inputs in tests/golden/forms/ (and, with --update, their JSON).

    PYTHONPATH=. python tests/golden/make_golden.py [--update] [NAME ...]

Every input is built from code (tests/shapes.py, tests/forms.py, LibreOffice
for PDF/.doc, Pillow for scans; tests/wordml.py and tests/toolchains.py for the
forms other tool chains make: raw WordML, openpyxl and LibreOffice spreadsheets,
HTML through LibreOffice and pandoc, PostScript and rotated PDFs, OCR layers) with fixed texts; zip timestamps and PDF dates
are pinned so the bytes do not change between runs. --update rewrites each
NAME.json from what extraction reads now: review every changed JSON by hand
(right item, exact progress text, right unit) before committing it. Without
--update the script prints where extraction now differs from the shape's own
expected rows, which is what that review checks.
"""

from __future__ import annotations

import io
import json
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from mailbot.extract import extract_path  # noqa: E402
from tests import scans, shapes, toolchains  # noqa: E402
from tests.forms import libreoffice, load_campaign, scan_page, zip_bytes  # noqa: E402

FORMS = HERE / "forms"
STAMP = (2026, 3, 31, 12, 0, 0)
SCAN_WIDTH = 620

# Fixed progress texts: numbers, “quotes”, 、；：, English abbreviations, full-width digits,
# several paragraphs.
TEXTS = {
    "区妇联": {1: "举办“春风行动”专场招聘会3场，提供岗位1200余个；\n开展巾帼创业培训2期，培训学员１５０人。",
               2: "组织“两癌”免费筛查4800人次。",
               4: "评选“最美家庭”20户、“书香家庭”15户。\n开展家庭教育讲座12场：线上8场，线下4场。",
               9: "举办青年联谊活动2场，参与单身青年260人。"},
    "区教体局": {6: "新购置校车40台，开通定制公交线路3条。",
               10: "开展心理健康讲座20场；\n配备专职心理教师35名，建成AI心理测评系统1套。"},
    "区应急管理局": {7: "开展安全教育“进校园”活动16场，覆盖学生9000余人。\n组织应急疏散演练8次。"},
    "区融媒体中心": {8: "推出“巾帼风采”系列报道12期，短视频播放量达５６万次。",
                 9: "制作婚恋新风公益广告1部，在APP、公众号同步推送。"},
    "区法院": {3: "审结涉妇女儿童权益案件42件，发出人身安全保护令6份。"},
    "区总工会": {9: "举办“鹊桥会”职工联谊活动1场，牵手成功8对。"},
}


SESSIONS = "开展家庭教育讲座12场，覆盖家长3000余人次；"


def more_texts():
    """The other units' texts in a shared row, always the same."""
    count = iter(range(1, 100))
    return lambda: f"开展相关工作{next(count)}项，完成季度目标。"


def docx_case(shape: str, unit: str, variant: int = 0):
    campaign = load_campaign()
    data, expected = shapes.build(shape, campaign, unit, TEXTS[unit], more_texts(), variant)
    return stable_zip(data), expected


def doc_case(spec):
    """A shape saved as Word 97 .doc by LibreOffice."""
    data, expected = docx_case(*spec)
    return libreoffice(data, "docx", "doc"), expected


def pdf_of(docx: bytes) -> bytes:
    return stable_pdf(libreoffice(docx, "docx", "pdf"))


def stable_zip(data: bytes) -> bytes:
    """The same DOCX with every member's timestamp pinned (python-docx stamps the clock),
    without the Word 2010 stylesWithEffects part (newer Word drops it; it is 14 KB)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename == "word/stylesWithEffects.xml":
                continue
            body = re.sub(rb"<(Relationship|Override)[^>]*stylesWithEffects[^>]*/>", b"",
                          source.read(info))
            target.writestr(zipfile.ZipInfo(info.filename, date_time=STAMP), body,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def stable_pdf(data: bytes) -> bytes:
    """LibreOffice's and Pillow's PDF with a fixed date and /ID and /DocChecksum zeroed,
    lengths kept (so the xref still holds)."""
    def zero(match: re.Match) -> bytes:
        return match.group(1) + re.sub(rb"[0-9A-Fa-f]", b"0", match.group(2))
    def date(match: re.Match) -> bytes:
        return match.group(1) + b"20260331120000" + match.group(2)[14:]
    data = re.sub(rb"(/(?:CreationDate|ModDate)\s*\(D:)(\d{14}[^)]*)", date, data)
    for pattern in (rb"(<(?:xmp|xap):[A-Za-z]*Date>)([^<]*)",
                    rb"(/ID\s*)(\[\s*<[0-9A-Fa-f]+>\s*<[0-9A-Fa-f]+>\s*\])",
                    rb"(/DocChecksum\s*/)([0-9A-Fa-f]+)"):
        data = re.sub(pattern, zero, data)
    return data


def small_scan(page) -> bytes:
    """A scanned page at 75 dpi (enough for the seal check, a few tens of KB)."""
    page = page.resize((SCAN_WIDTH, round(page.height * SCAN_WIDTH / page.width)))
    out = io.BytesIO()
    page.save(out, "PDF", resolution=75, quality=60)
    return stable_pdf(out.getvalue())


def long_rows():
    """One row per unit of item 9 with texts long enough to run over a page break."""
    campaign = load_campaign()
    long = {unit: f"{unit}：" + "组织青年联谊、婚恋观教育、集体婚礼等活动，倡导婚事新办、简办。" * 9
            for unit in campaign.items[8].units}
    texts = iter(long.values())
    data, expected = shapes.per_unit_rows(campaign, "区总工会", {9: next(texts)},
                                          lambda: next(texts))
    return data, expected


def split_row(longer: dict[int, str]):
    """区妇联's whole form with texts lengthened (found by trial) so that LibreOffice splits
    a row over the page break: item 4 with its 实事名称, 责任单位 and progress running on
    (split-title), or item 9 with its five-line 责任单位 running on (split-units)."""
    texts = dict(TEXTS["区妇联"])
    for seq, extra in longer.items():
        texts[seq] += extra
    data, expected = shapes.build("whole-form", load_campaign(), "区妇联", texts, more_texts())
    return pdf_of(stable_zip(data)), expected


def zip_case():
    """A zip from Chinese Windows: GBK member names, no UTF-8 flag; a form and a letter."""
    form, expected = docx_case("own-rows", "区融媒体中心")
    letter, _ = docx_case("no-form", "区融媒体中心")
    return zip_bytes({"区融媒体中心一季度进展.docx": form, "报送说明.docx": letter},
                     utf8_names=False), expected


def cases() -> dict[str, tuple]:
    """name -> builder of (bytes, expected rows); the suffix is the format."""
    docx = {
        "whole-form.docx": ("whole-form", "区妇联"),
        "own-rows.docx": ("own-rows", "区教体局", 1),
        "per-unit-vmerge.docx": ("per-unit-vmerge", "区融媒体中心"),
        "header-lines.docx": ("header-lines", "区妇联"),
        "header-two-rows.docx": ("header-two-rows", "区应急管理局"),
        "remark-column.docx": ("remark-column", "区妇联"),
        "swapped-columns.docx": ("swapped-columns", "区教体局"),
        "numerals-chinese.docx": ("numerals", "区妇联", 1),
        "numerals-fullwidth.docx": ("numerals", "区教体局", 2),
        "reworded-titles.docx": ("reworded-titles", "区妇联", 0),
        "letterhead.docx": ("letterhead", "区法院"),
        "line-breaks.docx": ("line-breaks", "区妇联"),
        "controls.docx": ("controls", "区妇联"),
        "first-line-indent.docx": ("first-line-indent", "区教体局"),
        "no-form.docx": ("no-form", "区总工会"),
        "vmerge-first-row.docx": ("vmerge-first-row", "区应急管理局"),
    }
    built = {name: (lambda spec=spec: docx_case(*spec)) for name, spec in docx.items()}

    def pdf(spec):
        data, expected = docx_case(*spec)
        return pdf_of(data), expected

    def pages():
        data, expected = long_rows()
        return pdf_of(data), expected

    built.update({
        "text-ruled.pdf": lambda: pdf(("whole-form", "区妇联")),
        "text-per-unit.pdf": lambda: pdf(("per-unit-vmerge", "区融媒体中心")),
        "text-pages.pdf": pages,
        "text-indent.pdf": lambda: pdf(("first-line-indent", "区妇联")),
        "text-spacing.pdf": lambda: pdf(("paragraph-spacing", "区应急管理局")),
        "text-split-title.pdf": lambda: split_row({2: "\n" + "复查1人；" * 30,
                                                   4: "\n" + TEXTS["区妇联"][4] * 2}),
        "text-split-units.pdf": lambda: split_row({4: "\n" + SESSIONS * 3,
                                                   9: "\n" + SESSIONS * 6}),
        "scan-seal.pdf": lambda: (small_scan(scan_page(seal=True)), []),
        "scan-no-seal.pdf": lambda: (small_scan(scan_page(seal=False)), []),
        "scan-bw.pdf": lambda: (small_scan(scan_page(seal=True, colour=False)), []),
        # the seals issue 14 found misjudged (tests/scans.py draws each)
        "scan-seal-dark.pdf": lambda: (small_scan(scans.seal_page("dark-red")), []),
        "scan-seal-faint.pdf": lambda: (small_scan(scans.seal_page("faint")), []),
        "scan-stamp-blue.pdf": lambda: (small_scan(scans.seal_page("blue")), []),
        "converted.doc": lambda: doc_case(("whole-form", "区融媒体中心")),
        "converted.wps": lambda: doc_case(("own-rows", "区教体局")),  # a .doc inside
        "gbk-names.zip": zip_case,
    })
    built.update(toolchain_cases())
    return built


def toolchain_case(name: str, build, unit: str):
    """A form from tests/wordml.py or tests/toolchains.py, with the unit's fixed texts."""
    def case():
        data, expected = build(load_campaign(), unit, TEXTS[unit], more_texts())
        return (stable_zip(data) if name.endswith(".docx") else data,
                [row for row in expected if row[2].strip()])
    return case


# the unit each tool chain's golden form is sent by (each has fixed texts in TEXTS)
CHAIN_UNITS = {"full-names": "区妇联", "lead-partners": "区教体局", "sheet-merged": "区融媒体中心",
               "sheet-excel97": "区融媒体中心", "sheet-wps": "区总工会", "sheet-odf": "区妇联",
               "html-libreoffice": "区妇联", "html-libreoffice-odt": "区教体局",
               "html-pandoc": "区应急管理局", "ps2pdf": "区妇联", "rotate-90": "区教体局",
               "drawn-turned": "区法院", "long-cell-pages": "区教体局",
               "long-cell-ps2pdf": "区应急管理局", "form-then-table": "区融媒体中心"}


def toolchain_cases() -> dict:
    """Forms made by the other tool chains units use (the real programs on the machine)."""
    built = {}
    for chain, (suffix, build) in toolchains.chains().items():
        name = chain.removesuffix("-odt") + suffix  # html-libreoffice.odt beside its .docx
        built[name] = toolchain_case(name, build, CHAIN_UNITS.get(chain, "区妇联"))
    return built


def actual(path: Path) -> list[dict]:
    """extract_path's JSON objects, with file names relative to the golden folder."""
    found = [extraction.to_json() for extraction in extract_path(path, load_campaign())]
    for item in found:
        item["file"] = item["file"].removeprefix(str(path.parent) + "/")
    return found


def rows_of(found: list[dict]) -> list[tuple]:
    return [(row["seq"], row["unit"], row["progress"]) for item in found for row in item["rows"]]


def main(argv: list[str]) -> int:
    update = "--update" in argv
    wanted = [arg for arg in argv if not arg.startswith("--")]
    FORMS.mkdir(exist_ok=True)
    differences = 0
    for name, builder in cases().items():
        if wanted and name not in wanted:
            continue
        data, expected = builder()
        path = FORMS / name
        path.write_bytes(data)
        found = actual(path)
        if rows_of(found) != [tuple(row) for row in expected]:
            differences += 1
            print(f"{name}: extraction differs from the shape's expected rows\n"
                  f"  expected {expected}\n  found    {rows_of(found)}")
        if update:
            path.with_name(name + ".json").write_text(
                json.dumps(found, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"{name}: {len(data)} bytes, {len(rows_of(found))} rows")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
