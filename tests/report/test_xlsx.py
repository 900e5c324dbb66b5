"""The workbook: three sheets, rows as high as their text, set up to print; and
LibreOffice's print of it, read back, with every line inside its row."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pdfplumber
import pytest

from mailbot.chase.summary import build_summary
from mailbot.extract import soffice
from mailbot.report.content import build_report
from mailbot.report.xlsx import write_xlsx
from tests import report_data as data
from tests.tools import require

DAY = date(2026, 10, 9)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    campaign = data.campaign()
    report = build_report(campaign, "2026Q3", data.quarter_records(campaign))
    summary = build_summary(campaign, "2026Q3", data.sample_statuses(campaign),
                            data.sample_held(), datetime(2026, 10, 9, 17, tzinfo=data.TZ))
    files = {unit.name: [f"{unit.name}2026年第三季度进展情况.docx",
                         f"{unit.name}2026年第三季度进展情况（盖章）.pdf"]
             for unit in campaign.units}
    out = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    return write_xlsx(report, out, compiled_on=DAY, summary=summary, files=files)


def test_three_sheets_in_order_with_their_rows(workbook):
    campaign = data.campaign()
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == ["汇总表", "明细", "报送情况"]
    form, detail, status = (book[name] for name in book.sheetnames)
    assert form.max_row == 3 + len(campaign.items)
    pairs = [(item.seq, unit) for item in campaign.items for unit in item.units]
    assert [(r[0].value, r[2].value) for r in detail.iter_rows(min_row=2)] == pairs
    assert [c.value for c in detail[1]] == ["序号", "实事名称", "责任单位", "具体措施及任务进度情况",
                                            "报送情况", "收到时间", "附件"]
    judicial = next(r for r in detail.iter_rows(min_row=2) if r[2].value == "区司法局")
    assert judicial[3].value == "（未报送）" and judicial[4].value == "未报送"
    assert [r[0].value for r in status.iter_rows(min_row=2)] == [u.name for u in campaign.units]
    disabled = next(r for r in status.iter_rows(min_row=2) if r[0].value == "区残联")
    assert disabled[1].value == "材料不全" and disabled[3].value == "无"
    assert data.UNREADABLE in disabled[7].value
    assert "（盖章）.pdf" in disabled[6].value


def test_row_heights_follow_the_text(workbook):
    book = openpyxl.load_workbook(workbook)
    for sheet, header in ((book["汇总表"], 3), (book["明细"], 1), (book["报送情况"], 1)):
        for row in sheet.iter_rows(min_row=header + 1):
            height = sheet.row_dimensions[row[0].row].height
            lines = max(str(c.value or "").count("\n") + 1 for c in row)
            assert height is not None and height >= lines * 11 * 1.2, (sheet.title, row[0].row)
    form = book["汇总表"]
    heights = [form.row_dimensions[r].height for r in range(4, form.max_row + 1)]
    assert max(heights) > 3 * min(heights)  # item 3 (four units) against item 10 (one)


def test_every_sheet_is_set_up_to_print(workbook):
    book = openpyxl.load_workbook(workbook)
    for sheet, header in ((book["汇总表"], 3), (book["明细"], 1), (book["报送情况"], 1)):
        assert sheet.page_setup.orientation == "landscape"
        assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == f"${header}:${header}"
        assert sheet.freeze_panes == f"A{header + 1}"


@pytest.mark.slow
def test_libreoffice_prints_every_line_inside_its_row(workbook, tmp_path):
    require(soffice.soffice_path(), f"LibreOffice is not installed ({soffice.INSTALL_HINT})")
    pdf = soffice.convert(workbook, "pdf", tmp_path)
    text = ""
    with pdfplumber.open(pdf) as document:
        for number, page in enumerate(document.pages, start=1):
            [table] = page.find_tables()
            rows = [row.bbox for row in table.rows]
            top, bottom = rows[0][1], rows[-1][3]
            for char in page.chars:
                if top <= char["top"] and char["bottom"] <= bottom + 1:
                    assert any(r[1] - 0.5 <= char["top"] and char["bottom"] <= r[3] + 0.5
                               for r in rows), (number, char["text"], char["top"])
            text += page.extract_text() or ""
    flat = "".join(text.split())
    campaign = data.campaign()
    for unit in campaign.units:
        for item in campaign.items_of(unit.name):
            expected = 0 if unit.name in data.MISSING else 2  # in 汇总表 and in 明细
            assert flat.count(data.marker(unit.name, item.seq)) == expected, unit.name


def test_the_unit_columns_hold_the_longest_name_on_one_line(workbook):
    book = openpyxl.load_workbook(workbook)
    for sheet, column in ((book["汇总表"], "C"), (book["明细"], "C"), (book["报送情况"], "A")):
        # 区人才发展中心: 7 characters of 11 pt in units of 5.25 pt, with padding
        assert sheet.column_dimensions[column].width >= (7 * 11 + 4) / 5.25, sheet.title
