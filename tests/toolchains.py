"""Forms made by the other tool chains units use, each with the rows it must yield.

Like tests/shapes.py, a builder takes (campaign, unit, texts, more) and returns
(bytes, expected rows); the suffix of its name is the file's format. These go
through the real programs on the machine: openpyxl and LibreOffice for
spreadsheets (.xlsx, Excel 97 .xls, WPS .et, .ods), LibreOffice from HTML and
to .odt, pandoc from HTML, LibreOffice's PDF passed through PostScript and
ghostscript (pdftops | ps2pdf), a PDF page turned by /Rotate or drawn turned
by ghostscript, and a scan made searchable by tesseract's OCR text layer.
"""

from __future__ import annotations

import html
import io
import subprocess
import tempfile
from pathlib import Path

from mailbot.extract.convert import DOCX, convert
from tests.forms import HEADER, build_docx, scan_page
from tests.shapes import _whole_expected, items_of

TITLE = "2026年为全区妇女儿童办实事工作进展情况报表"


def _reporter_line(unit: str) -> str:
    return f"填报单位：{unit}（盖章）        填报时间：2026年3月31日"


def sheet_form(campaign, unit, texts, more) -> tuple[bytes, list]:
    """The form retyped in a spreadsheet: a merged title row, the 填报单位 row, and one row
    per responsible unit with 序号/实事名称/完成时限 merged down over the item's rows."""
    import openpyxl
    from openpyxl.styles import Alignment
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([TITLE])
    sheet.merge_cells("A1:E1")
    sheet.append([_reporter_line(unit)])
    sheet.merge_cells("A2:E2")
    sheet.append(list(HEADER))
    expected = []
    for item in items_of(campaign, unit):
        first = sheet.max_row + 1
        for owner in item.units:
            text = texts.get(item.seq, "") if owner == unit else more()
            sheet.append([item.seq, item.title, owner, text, item.deadline])
            expected.append((item.seq, owner, text))
        if len(item.units) > 1:
            for col in "ABE":
                sheet.merge_cells(f"{col}{first}:{col}{sheet.max_row}")
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), expected


def sheet_as(kind: str):
    """The spreadsheet form saved by LibreOffice as .xls or .ods (WPS .et is BIFF8: the
    .xls bytes under that name)."""
    def build(campaign, unit, texts, more):
        data, expected = sheet_form(campaign, unit, texts, more)
        return convert(data, "xlsx", "ods" if kind == "ods" else "xls"), expected
    return build


def _html_table(campaign, texts) -> str:
    """The whole form as an HTML page (a unit's web form or a mail client's saved table)."""
    def cell(text: str, tag: str = "td") -> str:
        paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n"))
        return f"<{tag}>{paragraphs}</{tag}>"
    head = "<tr>" + "".join(cell(text, "th") for text in HEADER) + "</tr>"
    body = "".join("<tr>" + "".join(cell(text) for text in (
        str(item.seq), item.title, "\n".join(item.units), texts.get(item.seq, ""),
        item.deadline)) + "</tr>" for item in campaign.items)
    return (f"<html><head><meta charset=\"utf-8\"></head><body><h1>{TITLE}</h1>"
            f"<table border=\"1\">{head}{body}</table></body></html>")


def html_by_libreoffice(target: str):
    """The HTML form opened by LibreOffice Writer and saved as .docx or .odt."""
    def build(campaign, unit, texts, more):
        page = _html_table(campaign, texts).encode("utf-8")
        return (convert(page, "html", WRITER_FILTERS[target]),
                _whole_expected(campaign, texts))
    return build


WRITER_FILTERS = {"docx": DOCX, "odt": "odt:writer8"}


def html_by_pandoc(campaign, unit, texts, more):
    """The HTML form turned into DOCX by pandoc (its own table and paragraph styles)."""
    page = _html_table(campaign, texts)
    with tempfile.TemporaryDirectory() as work:
        target = Path(work) / "form.docx"
        subprocess.run(["pandoc", "-f", "html", "-t", "docx", "-o", str(target)],
                       input=page.encode("utf-8"), check=True, timeout=120)
        return target.read_bytes(), _whole_expected(campaign, texts)


# --- forms the way units really fill them (python-docx, the units' own layouts) -------

FULL_NAMES = {"区人社局": "淄川区人力资源和社会保障局", "区妇联": "淄川区妇女联合会",
              "区卫健局": "淄川区卫生健康局", "区残联": "淄川区残疾人联合会",
              "区公安分局": "淄博市公安局淄川分局", "区法院": "淄川区人民法院",
              "区检察院": "淄川区人民检察院", "团区委": "共青团淄川区委员会",
              "区教体局": "淄川区教育和体育局", "区医保分局": "淄博市医疗保障局淄川分局"}


def full(name: str) -> str:
    return FULL_NAMES.get(name, "淄川" + name if name.startswith("区") else name)


def full_names(campaign, unit, texts, more):
    """The whole form retyped with every 责任单位 in full, the 填报单位 line above it: the
    rows are the reporting unit's."""
    rows = [[str(item.seq), item.title, "\n".join(full(u) for u in item.units),
             texts.get(item.seq, ""), item.deadline] for item in campaign.items]
    data = build_docx([[list(HEADER)] + rows], before=f"{TITLE}\n{_reporter_line(full(unit))}")
    return data, [(item.seq, unit, texts[item.seq]) for item in campaign.items
                  if texts.get(item.seq)]


def lead_and_partners(campaign, unit, texts, more):
    """牵头单位 and 配合单位 columns, 具体措施 and 任务进度情况 as two columns, no 完成时限,
    own rows renumbered with shortened titles; the 填报单位 line says whose rows they are."""
    header = ["序号", "实事名称", "牵头单位", "配合单位", "具体措施", "任务进度情况"]
    rows = []
    expected = []
    for number, item in enumerate(items_of(campaign, unit), start=1):
        text = texts.get(item.seq, "")
        measures, _, progress = text.partition("\n")
        rows.append([str(number), shorten(item.title), item.units[0],
                     "、".join(item.units[1:]), measures, progress])
        expected.append((item.seq, unit, text))
    data = build_docx([[header] + rows], before=f"{TITLE}\n{_reporter_line(unit)}")
    return data, expected


def shorten(title: str) -> str:
    """The title as a unit shortens it: its core words, the verb in front dropped."""
    plain = title.replace("“", "").replace("”", "")
    return plain[2:] if len(plain) > 8 else plain


# --- PDFs from other producers -----------------------------------------------------------

def pdf_of(build):
    """A DOCX builder's form printed to PDF by LibreOffice."""
    def printed(campaign, unit, texts, more):
        data, expected = build(campaign, unit, texts, more)
        return convert(data, "docx", "pdf"), expected
    return printed


def through_postscript(build):
    """The PDF printed to PostScript (poppler's pdftops) and distilled again by ghostscript
    (ps2pdf): fonts re-embedded without their ToUnicode maps, CJK glyphs named by CID."""
    def distilled(campaign, unit, texts, more):
        data, expected = build(campaign, unit, texts, more)
        with tempfile.TemporaryDirectory() as work:
            source, script, target = (Path(work) / name for name in ("a.pdf", "a.ps", "b.pdf"))
            source.write_bytes(data)
            subprocess.run(["pdftops", str(source), str(script)], check=True, timeout=120)
            subprocess.run(["ps2pdf", str(script), str(target)], check=True, timeout=120)
            return target.read_bytes(), expected
    return distilled


def turned(build, angle: int, drawn: bool):
    """Every page turned by `angle` degrees: by /Rotate, or (drawn) with the rotation moved
    into the page's content, as a landscape page drawn on portrait paper is (pypdf)."""
    def rotate(campaign, unit, texts, more):
        from pypdf import PdfWriter
        data, expected = build(campaign, unit, texts, more)
        writer = PdfWriter(clone_from=io.BytesIO(data))
        for page in writer.pages:
            page.rotate(angle)
            if drawn:
                page.transfer_rotation_to_content()
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue(), expected
    return rotate


LONG = ("组织开展“护苗”系列主题活动，联合各镇（街道）、社区和学校，围绕心理健康、安全教育、"
        "家庭教育等内容开展宣讲，覆盖学生和家长三千余人次；")


def long_cell(campaign, unit, texts, more):
    """Own rows with one progress cell of 1,400 characters in paragraphs, running over two
    page breaks under a header row Word repeats on every page (w:tblHeader)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    texts = dict(texts)
    first = items_of(campaign, unit)[0].seq
    texts[first] = "\n".join(f"{n}. {LONG}" for n in range(1, 22))

    def edit(document):
        pr = document.tables[0].rows[0]._tr.get_or_add_trPr()
        pr.append(OxmlElement("w:tblHeader"))
        pr.find(qn("w:tblHeader")).set(qn("w:val"), "true")

    rows = [[str(item.seq), item.title, unit, texts.get(item.seq, ""), item.deadline]
            for item in items_of(campaign, unit)]
    return (build_docx([[list(HEADER)] + rows], edit=edit),
            [(item.seq, unit, texts[item.seq]) for item in items_of(campaign, unit)])


def searchable_scan(campaign, unit, texts, more):
    """A scanned page made searchable by tesseract: the image with an invisible OCR text
    layer over it. It is still a scan; no rows come from its text layer."""
    with tempfile.TemporaryDirectory() as work:
        image = Path(work) / "scan.jpg"
        page = scan_page(seal=True)
        page.resize((620, round(page.height * 620 / page.width))).save(image, quality=60)
        subprocess.run(["tesseract", str(image), str(Path(work) / "scan"), "-l", "chi_sim",
                        "--dpi", "75", "pdf"], check=True, timeout=300, capture_output=True)
        return (Path(work) / "scan.pdf").read_bytes(), []


def form_then_table(campaign, unit, texts, more):
    """The unit's rows, then on a new page after a line of text an unrelated table as wide
    as the form (a list of activities): it is no continuation of the form."""
    from docx.enum.text import WD_BREAK
    activities = [["序号", "活动名称", "时间", "地点", "参加人数"], ["1", "专题培训", "3月8日", "区文化中心", "300"],
                  ["2", "宣传周", "3月15日", "各镇（街道）", "1200"]]

    def edit(document):
        paragraph = document.add_paragraph()
        paragraph.add_run().add_break(WD_BREAK.PAGE)
        paragraph.add_run("附：本季度开展的主要活动")
        document.element.body.append(document.tables[1]._tbl)

    rows = [[str(item.seq), item.title, unit, texts.get(item.seq, ""), item.deadline]
            for item in items_of(campaign, unit)]
    return (build_docx([[list(HEADER)] + rows, activities], edit=edit),
            [(item.seq, unit, texts[item.seq]) for item in items_of(campaign, unit)])


def _whole(campaign, unit, texts, more):
    from tests import shapes
    return shapes.build("whole-form", campaign, unit, texts, more)


def chains() -> dict:
    """name -> (file suffix, builder) of every tool chain here and in tests/wordml.py: the
    golden files' inputs and the accuracy benchmark's second set."""
    from tests import wordml
    built = {shape: (".docx", function) for shape, function in wordml.SHAPES.items()}
    built.update({
        "full-names": (".docx", full_names),
        "lead-partners": (".docx", lead_and_partners),
        "sheet-merged": (".xlsx", sheet_form),
        "sheet-excel97": (".xls", sheet_as("xls")),
        "sheet-wps": (".et", sheet_as("xls")),
        "sheet-odf": (".ods", sheet_as("ods")),
        "html-libreoffice": (".docx", html_by_libreoffice("docx")),
        "html-libreoffice-odt": (".odt", html_by_libreoffice("odt")),
        "html-pandoc": (".docx", html_by_pandoc),
        "ps2pdf": (".pdf", through_postscript(pdf_of(_whole))),
        "rotate-90": (".pdf", turned(pdf_of(_whole), 90, False)),
        "drawn-turned": (".pdf", turned(pdf_of(_whole), 270, True)),
        "long-cell-pages": (".pdf", pdf_of(long_cell)),
        "long-cell-ps2pdf": (".pdf", through_postscript(pdf_of(long_cell))),
        "form-then-table": (".pdf", pdf_of(form_then_table)),
        "scan-ocr-layer": (".pdf", searchable_scan),
    })
    return built
