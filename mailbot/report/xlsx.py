"""The consolidated report as XLSX, for staff who work in spreadsheets.

Same title and columns as the form; each unit's text on its own lines in the
progress cell ("单位：..."), wrapped; prints landscape on A4, one page wide, with
the header row repeated. The annual view puts each quarter in its own column.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from mailbot.report.content import NOT_REPORTED, AnnualReport, Entry, Report, chinese_date
from mailbot.report.docx import clean

BODY_FONT = "仿宋_GB2312"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")


def write_xlsx(report: Report | AnnualReport, out: Path, *, compiled_on: date) -> Path:
    annual = isinstance(report, AnnualReport)
    period = f"{report.year}年度" if annual else report.quarter_label
    named = report.headings
    progress_columns = list(report.quarter_labels) if annual else [named.progress]
    headings = [named.seq, named.title, named.units, *progress_columns, named.deadline]
    widths = [6, 18, 14, *([60 if not annual else 45] * len(progress_columns)), 14]
    book = Workbook()
    sheet = book.active
    sheet.title = period
    _banner(sheet, 1, clean(report.title), Font(name="方正小标宋简体", size=18, bold=True),
            len(headings))
    _banner(sheet, 2, f"（{period}）　汇总单位：{clean(report.federation)}　"
            f"汇总日期：{chinese_date(compiled_on)}", Font(name=BODY_FONT, size=12), len(headings))
    for column, (heading, width) in enumerate(zip(headings, widths), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
        _cell(sheet, 3, column, heading, Font(name="黑体", size=12, bold=True), CENTER)
    for line, row in enumerate(report.rows, start=4):
        texts = ([_text(entries) for _, entries in row.quarters] if annual
                 else [_text(row.entries)])
        values = [row.seq, clean(row.title), clean("\n".join(row.units)), *texts,
                  clean(row.deadline)]
        for column, value in enumerate(values, start=1):
            align = WRAP if 4 <= column < 4 + len(texts) else CENTER
            _cell(sheet, line, column, value, Font(name=BODY_FONT, size=11), align)
    _print_setup(sheet)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def _text(entries: tuple[Entry, ...]) -> str:
    return "\n".join(f"{unit}：{clean(text) if text else NOT_REPORTED}" for unit, text in entries)


def _banner(sheet, line: int, text: str, font: Font, width: int) -> None:
    sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=width)
    cell = sheet.cell(row=line, column=1, value=text)
    cell.font = font
    cell.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[line].height = 32 if line == 1 else 22


def _cell(sheet, line: int, column: int, value, font: Font, align: Alignment) -> None:
    cell = sheet.cell(row=line, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # a unit's text is never a formula
    cell.font, cell.alignment, cell.border = font, align, BOX


def _print_setup(sheet) -> None:
    sheet.print_title_rows = "3:3"
    sheet.freeze_panes = "A4"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
