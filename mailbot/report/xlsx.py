"""The consolidated report as XLSX, for staff who work in spreadsheets.

Three sheets: 汇总表 in the form's layout (one row per item, each unit's text on
its own lines), 明细 with one row per unit and item (to sort and filter), and
报送情况 (who reported when, with what). Spreadsheet programs do not grow a row
to fit wrapped text when printing, so every row's height is set from its text;
each sheet prints landscape on A4, one page wide, its header row repeated, and
scrolls under frozen headers. The annual view is one sheet, a column per quarter.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from mailbot.chase.summary import Summary
from mailbot.core.dates import full_date
from mailbot.report.content import (NOT_REPORTED, AnnualReport, Entry, Headings, Report)
from mailbot.report.docx import clean
from mailbot.report.layout import width

BODY_FONT, TITLE_FONT, HEADING_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体"
BODY_PT = 11
LINE_FACTOR = 1.4  # a wrapped line's height per point of font size, as the programs space it
# one unit of column width is the width of "0" in the default font (7 px at 96 dpi)
COLUMN_UNIT_PT = 7 * 72 / 96
USABLE = 0.95  # of a column's width: cell padding; Excel's unit is the narrowest of the three
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
FORM_WIDTHS = (6, 18, 16, 70, 14)  # 序号, 实事名称, 责任单位, the text, 完成时限
DETAIL_MORE = (("报送情况", 11), ("收到时间", 13), ("附件", 24))
STATUS = (("单位", 16), ("报送情况", 11), ("收到时间", 13), ("电子版", 8), ("盖章PDF版", 11),
          ("涉及事项", 12), ("附件", 30), ("存在问题", 40))
YES_NO = {True: "有", False: "无"}


def write_xlsx(report: Report | AnnualReport, out: Path, *, compiled_on: date,
               summary: Summary | None = None,
               files: Mapping[str, Sequence[str]] | None = None) -> Path:
    """The workbook; 明细 and 报送情况 where the units' statuses (`summary`) are given,
    `files` naming the attachments of each unit's current report."""
    book = Workbook()
    if isinstance(report, AnnualReport):
        _annual_sheet(book.active, report, compiled_on)
    else:
        _form_sheet(book.active, report, compiled_on)
        if summary is not None:
            _detail_sheet(book.create_sheet("明细"), report, summary, files or {})
            _status_sheet(book.create_sheet("报送情况"), summary, files or {})
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def _form_columns(named: Headings) -> tuple[tuple[str, float], ...]:
    """The form's columns, under the campaign's headings."""
    return tuple(zip((named.seq, named.title, named.units, named.progress, named.deadline),
                     FORM_WIDTHS))


def _form_sheet(sheet: Worksheet, report: Report, compiled_on: date) -> None:
    sheet.title = "汇总表"
    columns = _form_columns(report.headings)
    _banners(sheet, report.title, report.quarter_label, report.federation, compiled_on,
             len(columns))
    rows = [[row.seq, row.title, "\n".join(row.units), _text(row.entries), row.deadline]
            for row in report.rows]
    _table(sheet, columns, rows, first=3, wrapped=(4,), fit=3)


def _annual_sheet(sheet: Worksheet, report: AnnualReport, compiled_on: date) -> None:
    period = f"{report.year}年度"
    sheet.title = period
    form = _form_columns(report.headings)
    columns = (*form[:3], *((label, 45) for label in report.quarter_labels), form[4])
    _banners(sheet, report.title, period, report.federation, compiled_on, len(columns))
    rows = [[row.seq, row.title, "\n".join(row.units),
             *(_text(entries) for _, entries in row.quarters), row.deadline]
            for row in report.rows]
    _table(sheet, columns, rows, first=3, wrapped=tuple(range(4, 4 + len(report.quarter_labels))),
           fit=3)


def _detail_sheet(sheet: Worksheet, report: Report, summary: Summary,
                  files: Mapping[str, Sequence[str]]) -> None:
    by_unit = {row.unit: row for row in summary.rows}
    rows = [[item.seq, item.title, unit, text or NOT_REPORTED,
             by_unit[unit].label if unit in by_unit else "未报送",
             by_unit[unit].received if unit in by_unit else "", "\n".join(files.get(unit, ()))]
            for item in report.rows for unit, text in item.entries]
    columns = (*_form_columns(report.headings)[:3], (report.headings.progress, 60), *DETAIL_MORE)
    _table(sheet, columns, rows, first=1, wrapped=(4, 7), fit=3)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"


def _status_sheet(sheet: Worksheet, summary: Summary, files: Mapping[str, Sequence[str]]) -> None:
    problems: dict[str, list[str]] = {}
    for unit, problem in summary.problems:
        problems.setdefault(unit, []).append(problem)
    rows = [[row.unit, row.label, row.received, YES_NO[row.electronic],
             YES_NO[row.stamped_pdf], row.items, "\n".join(files.get(row.unit, ())),
             "\n".join(problems.get(row.unit, ()))]
            for row in summary.rows]
    _table(sheet, STATUS, rows, first=1, wrapped=(7, 8), fit=1)


def _text(entries: tuple[Entry, ...]) -> str:
    return "\n".join(f"{unit}：{text or NOT_REPORTED}" for unit, text in entries)


def _banners(sheet: Worksheet, title: str, period: str, federation: str, compiled_on: date,
             columns: int) -> None:
    _banner(sheet, 1, clean(title), Font(name=TITLE_FONT, size=18), columns, 32)
    _banner(sheet, 2, f"（{period}）　汇总单位：{clean(federation)}　"
            f"汇总日期：{full_date(compiled_on)}", Font(name=BODY_FONT, size=12), columns, 22)


def _banner(sheet: Worksheet, line: int, text: str, font: Font, columns: int,
            height: float) -> None:
    sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=columns)
    cell = sheet.cell(row=line, column=1, value=text)
    cell.font = font
    cell.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[line].height = height


def _table(sheet: Worksheet, columns, rows: list[list], first: int,
           wrapped: tuple[int, ...], fit: int) -> None:
    """Header at row `first`, then `rows`; every row as high as its tallest cell's text.
    Column `fit` (the units) is widened to hold the longest unit name on one line."""
    heading_font, body_font = Font(name=HEADING_FONT, size=12), Font(name=BODY_FONT, size=BODY_PT)
    longest = max(width(line) for row in rows for line in str(row[fit - 1]).split("\n"))
    needed = math.ceil((longest * BODY_PT + 4) / (COLUMN_UNIT_PT * USABLE))
    columns = [(heading, max(column_width, needed) if index == fit else column_width)
               for index, (heading, column_width) in enumerate(columns, start=1)]
    for column, (heading, column_width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = column_width
        _cell(sheet, first, column, heading, heading_font, CENTER)
    sheet.row_dimensions[first].height = row_height(
        [heading for heading, _ in columns], [w for _, w in columns], 12)
    for line, values in enumerate(rows, start=first + 1):
        values = [clean(v) if isinstance(v, str) else v for v in values]
        for column, value in enumerate(values, start=1):
            _cell(sheet, line, column, value, body_font, WRAP if column in wrapped else CENTER)
        sheet.row_dimensions[line].height = row_height(values, [w for _, w in columns], BODY_PT)
    _print_setup(sheet, first)


def row_height(values: Sequence, widths: Sequence[float], font_pt: float) -> float:
    """Points: the most lines any cell wraps to, at its column's width, plus padding."""
    lines = max(_lines(str(value), column_width, font_pt)
                for value, column_width in zip(values, widths))
    return round(lines * font_pt * LINE_FACTOR + 6, 1)


def _lines(text: str, column_width: float, font_pt: float) -> int:
    """Wrapped lines of `text` at a column's usable width: CJK characters one em wide,
    ASCII half an em."""
    per_line = max(1.0, (column_width * COLUMN_UNIT_PT * USABLE - 4) / font_pt)
    return sum(max(1, math.ceil(width(part) / per_line)) for part in text.split("\n"))


def _cell(sheet: Worksheet, line: int, column: int, value, font: Font,
          align: Alignment) -> None:
    cell = sheet.cell(row=line, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # a unit's text is never a formula
    cell.font, cell.alignment, cell.border = font, align, BOX


def _print_setup(sheet: Worksheet, header: int) -> None:
    sheet.print_title_rows = f"{header}:{header}"
    sheet.freeze_panes = f"A{header + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
