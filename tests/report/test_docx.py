"""The report's files: DOCX from the template, XLSX, and the PDF made by LibreOffice."""

from __future__ import annotations

import dataclasses
import re
import zipfile
import subprocess
import sys
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pdfplumber
import pytest

from mailbot.extract import soffice
from mailbot.report.content import ReportError, build_annual, build_report
from mailbot.report.docx import WORD_JOINER, write_docx, write_pdf
from mailbot.report.xlsx import write_xlsx
from tests import report_data as data
from tests.tools import require

DAY = date(2026, 10, 9)


@pytest.fixture(scope="module")
def campaign():
    return data.campaign()


@pytest.fixture(scope="module")
def report(campaign):
    records = data.quarter_records(campaign)
    # a text with characters XML cannot hold, and ones docxtpl reads as breaks
    odd = data.record(campaign, "区应急管理局", ident=99,
                      text=lambda u, s: f"{data.marker(u, s)}甲\x00乙\x0b丙\f丁\a戊\r\n己")
    return build_report(campaign, "2026Q3", [r for r in records if r.unit != "区应急管理局"]
                        + [odd])


def needs_soffice():
    require(soffice.soffice_path(), f"LibreOffice is not installed ({soffice.INSTALL_HINT})")


def table_rows(path: Path):
    document = docx.Document(str(path))
    return document, document.tables[0].rows


def plain(text: str) -> str:
    """The text as a reader sees it: without the word joiners that keep names whole."""
    return text.replace(WORD_JOINER, "")


def unit_rows(rows):
    """{(seq, unit): [the paragraphs of each of its printed rows]} of the body rows."""
    found: dict[tuple[int, str], list[list[str]]] = {}
    for row in rows[1:]:
        cells = [plain(c.text) for c in row.cells]
        unit = cells[2].split("\n")[0]
        found.setdefault((int(cells[0]), unit), []).append(
            [plain(p.text) for p in row.cells[3].paragraphs])
    return found


def test_docx_table_has_one_row_per_unit_and_item(campaign, report, tmp_path):
    document, rows = table_rows(write_docx(report, tmp_path / "r.docx", compiled_on=DAY))
    assert [c.text for c in rows[0].cells] == ["序号", "实事名称", "责任单位",
                                               "具体措施及任务进度情况", "完成时限"]
    body = "\n".join(p.text for p in document.paragraphs)
    assert "2026年为全区妇女儿童办实事工作进展情况报表" in body
    assert "（2026年第三季度）" in body and "2026年10月9日" in body
    expected_keys = [(item.seq, unit) for item in campaign.items for unit in item.units]
    found = unit_rows(rows)
    assert list(found) == expected_keys
    for row in rows[1:]:
        seq = int(row.cells[0].text)
        assert row.cells[1].text == campaign.items[seq - 1].title
    for (seq, unit), printed in found.items():
        expected = "（未报送）" if unit in data.MISSING else data.marker(unit, seq)
        assert printed[0][0].startswith(f"{unit}：{expected}"), (unit, printed)
    all_text = plain("\n".join(c.text for row in rows for c in row.cells))
    for unit in campaign.units:
        for item in campaign.items_of(unit.name):
            assert all_text.count(data.marker(unit.name, item.seq)) == \
                (0 if unit.name in data.MISSING else 1)


def test_a_text_longer_than_a_page_goes_on_in_marked_rows(campaign, tmp_path):
    long = "\n".join(f"第{i}段：组织开展专项活动12场，覆盖群众1500余人次，"
                     "完成年度目标的60%，各项工作有序推进。" * 3 for i in range(1, 9))
    record = data.record(campaign, "区人社局", text=lambda u, s: long)
    _, rows = table_rows(write_docx(build_report(campaign, "2026Q3", [record]),
                                    tmp_path / "r.docx", compiled_on=DAY))
    printed = unit_rows(rows)[(1, "区人社局")]
    assert len(printed) >= 2
    continued = [r for r in rows[1:] if r.cells[2].text == "区人社局\n（续）"]
    assert len(continued) == len(printed) - 1
    assert all(r.cells[0].text == "1" for r in continued)
    assert [p for piece in printed for p in piece] == \
        [f"区人社局：{long.split(chr(10))[0]}", *long.split("\n")[1:]]


def test_unit_label_is_bold_and_text_is_not(report, tmp_path):
    _, rows = table_rows(write_docx(report, tmp_path / "r.docx", compiled_on=DAY))
    first = rows[1].cells[3].paragraphs[0]
    assert first.runs[0].text == "区人社局：" and first.runs[0].bold
    assert not first.runs[1].bold
    assert first.style.style_id == "TableBody"


def test_names_are_joined_against_line_breaks_only_for_print(report, tmp_path):
    printed = write_docx(report, tmp_path / "p.docx", compiled_on=DAY, for_print=True)
    text = table_rows(printed)[1][1].cells[3].paragraphs[0].runs[1].text
    assert WORD_JOINER.join("区人社局") in text
    assert "1500" in text  # digits stay whole by the Unicode rules, no joiner needed
    _, rows = table_rows(write_docx(report, tmp_path / "r.docx", compiled_on=DAY))
    assert not any(WORD_JOINER in c.text for row in rows for c in row.cells)


def test_unit_column_fits_the_longest_name(report, tmp_path):
    _, rows = table_rows(write_docx(report, tmp_path / "r.docx", compiled_on=DAY))
    widths = [cell.width.mm for cell in rows[1].cells]
    assert widths[2] >= 7 * 12 * 25.4 / 72 + 3.8  # 区人才发展中心 at 12 pt, with padding
    assert round(sum(widths)) == 225


def test_office_fonts_are_declared_with_their_fallbacks(report, tmp_path):
    out = write_docx(report, tmp_path / "r.docx", compiled_on=DAY)
    with zipfile.ZipFile(out) as package:
        fonts = package.read("word/fontTable.xml").decode("utf-8")
        styles = package.read("word/styles.xml").decode("utf-8")
    for name, fallback in (("仿宋_GB2312", "仿宋"), ("方正小标宋简体", "小标宋"), ("黑体", "SimHei")):
        assert re.search(f'<w:font w:name="{name}"><w:altName w:val="{fallback}"/>'
                         '<w:charset w:val="86"/>', fonts), name
        assert f'w:eastAsia="{name}"' in styles


def test_html_and_jinja_looking_text_comes_out_literal(report, tmp_path):
    _, rows = table_rows(write_docx(report, tmp_path / "r.docx", compiled_on=DAY))
    cell = plain(unit_rows(rows)[(6, "区教体局")][0][0])
    assert cell == f"区教体局：{data.marker('区教体局', 6)}{data.HOSTILE}"


def test_control_characters_are_dropped_and_lines_kept(report, tmp_path):
    _, rows = table_rows(write_docx(report, tmp_path / "r.docx", compiled_on=DAY))
    assert unit_rows(rows)[(7, "区应急管理局")] == [
        [f"区应急管理局：{data.marker('区应急管理局', 7)}甲乙丙", "丁戊", "己"]]


def test_missing_template_is_a_clear_error(report, tmp_path):
    with pytest.raises(ReportError, match="make_report_template"):
        write_docx(report, tmp_path / "r.docx", compiled_on=DAY, template=tmp_path / "no.docx")


def test_template_script_makes_a_working_template(report, tmp_path):
    script = Path(__file__).resolve().parents[2] / "scripts" / "make_report_template.py"
    subprocess.run([sys.executable, str(script), str(tmp_path / "t.docx")], check=True,
                   capture_output=True)
    _, rows = table_rows(write_docx(report, tmp_path / "r.docx", compiled_on=DAY,
                                    template=tmp_path / "t.docx"))
    assert len(rows) == 1 + sum(len(item.units) for item in report.rows)
    section = docx.Document(str(tmp_path / "t.docx")).sections[0]
    assert section.page_width > section.page_height  # landscape A4


def test_annual_docx_and_xlsx(campaign, tmp_path):
    annual = build_annual(campaign, 2026, {"2026Q1": data.quarter_records(campaign, "2026Q1")})
    _, rows = table_rows(write_docx(annual, tmp_path / "a.docx", compiled_on=DAY))
    paragraphs = [plain(p.text) for p in rows[1].cells[3].paragraphs]
    assert paragraphs[0] == "2026年第一季度"
    assert "2026年第四季度" in paragraphs and "区人社局：（未报送）" in paragraphs
    sheet = openpyxl.load_workbook(write_xlsx(annual, tmp_path / "a.xlsx",
                                              compiled_on=DAY)).active
    assert [c.value for c in sheet[3]][3:7] == list(annual.quarter_labels)


def test_xlsx_has_the_form(campaign, report, tmp_path):
    sheet = openpyxl.load_workbook(write_xlsx(report, tmp_path / "r.xlsx",
                                              compiled_on=DAY)).active
    assert sheet["A1"].value == report.title
    assert [c.value for c in sheet[3]] == ["序号", "实事名称", "责任单位",
                                           "具体措施及任务进度情况", "完成时限"]
    assert sheet.max_row == 13
    item3 = sheet["D6"].value.split("\n")
    assert item3[-1] == "区司法局：（未报送）"
    assert sheet["D9"].value.startswith(f"区教体局：{data.marker('区教体局', 6)}{data.HOSTILE}")
    assert sheet["D4"].alignment.wrap_text


def test_xlsx_never_writes_a_formula(campaign, tmp_path):
    item = dataclasses.replace(campaign.items[0], title="=HYPERLINK(\"http://x\")")
    bad = dataclasses.replace(campaign, items=(item,) + campaign.items[1:])
    sheet = openpyxl.load_workbook(write_xlsx(build_report(bad, "2026Q3", []),
                                              tmp_path / "r.xlsx", compiled_on=DAY)).active
    assert sheet["B4"].data_type == "s"


@pytest.mark.slow
def test_pdf_shows_the_chinese_text(report, tmp_path):
    needs_soffice()
    pdf = write_pdf(report, tmp_path / "report.pdf", compiled_on=DAY)
    with pdfplumber.open(pdf) as document:
        text = "".join((page.extract_text() or "") for page in document.pages)
        pages = len(document.pages)
    flat = "".join(text.split())
    assert "2026年为全区妇女儿童办实事工作进展情况报表" in flat
    assert "区司法局：（未报送）" in flat
    assert data.marker("区人才发展中心", 9) in flat
    assert "—1—" in flat and pages >= 2
    assert not list(tmp_path.glob("*.docx"))  # the intermediate DOCX is not left behind


@pytest.mark.slow
def test_converter_timeout_kills_soffice(report, tmp_path):
    needs_soffice()
    source = write_docx(report, tmp_path / "r.docx", compiled_on=DAY)
    with pytest.raises(soffice.ConvertError, match="超过 .* 秒，已停止"):
        soffice.convert(source, "pdf", tmp_path / "out", timeout=0.05)


def test_missing_soffice_says_how_to_install(report, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    source = write_docx(report, tmp_path / "r.docx", compiled_on=DAY)
    with pytest.raises(ReportError, match="apt-get install libreoffice-writer-nogui"):
        write_pdf(report, tmp_path / "r.pdf", compiled_on=DAY)
    with pytest.raises(soffice.ConvertError, match="本机未安装 LibreOffice"):
        soffice.convert(source, "pdf", tmp_path)
