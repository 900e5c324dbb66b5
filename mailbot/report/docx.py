"""The consolidated report as DOCX, filled into mailbot/templates/report.docx with docxtpl.

The layout lives in the template (staff restyle it in Word or WPS); this module
only hands it data. Units' text is data, never template source: docxtpl renders
the template once and inserts the values, with XML escaping on. Characters that
XML cannot hold, and the control characters docxtpl would read as paragraph or
page breaks, are removed first.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import asdict, replace
from importlib import resources
from datetime import date
from pathlib import Path

from docx.shared import Mm
from docxtpl import DocxTemplate, RichText, RichTextParagraph

from mailbot.extract import soffice
from mailbot.core.dates import full_date
from mailbot.report.content import NOT_REPORTED, AnnualReport, Report, ReportError
from mailbot.report.layout import (TableRow, chars_per_line, column_for, table_rows, tokens,
                                   width)

DEFAULT_TEMPLATE = Path(str(resources.files("mailbot") / "templates" / "report.docx"))
BODY_STYLE = "TableBody"
WORD_JOINER = "\u2060"  # no line break here (Unicode line-breaking rules, LB11)
# the table's layout, shared with scripts/make_report_template.py: mm, 12 pt text,
# Word's default cell padding of 0.19 cm
TABLE_MM = 225
COLUMNS_MM = (15, 36, 30, 110, 34)
BODY_PT = 12
PADDING_MM = 1.9
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def write_docx(report: Report | AnnualReport, out: Path, *, compiled_on: date,
               template: Path = DEFAULT_TEMPLATE, for_print: bool = False) -> Path:
    """Render `report` into `out` (a quarter's report or the annual one).

    `for_print` joins unit names and dates with word joiners so no line breaks inside
    them; only for the PDF: in a DOCX staff edit, invisible joiners would defeat
    searching and pasting the text."""
    if not template.is_file():
        raise ReportError(f"汇总表模板 {template} 不存在，请用 "
                          "python scripts/make_report_template.py 重新生成")
    doc = DocxTemplate(str(template))
    widths = column_widths(report)
    doc.render(context(report, compiled_on, widths, for_print), autoescape=True)
    _fit_columns(doc.docx.tables[0], widths)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def column_widths(report: Report | AnnualReport) -> list[float]:
    """Column widths in mm: 责任单位 as wide as the longest unit name, the text the rest."""
    unit = max(column_for(max(unit_names(report), key=width), BODY_PT, PADDING_MM),
               COLUMNS_MM[2])
    fixed = COLUMNS_MM[0] + COLUMNS_MM[1] + COLUMNS_MM[4]
    return [COLUMNS_MM[0], COLUMNS_MM[1], unit, TABLE_MM - fixed - unit, COLUMNS_MM[4]]


def unit_names(report: Report | AnnualReport) -> tuple[str, ...]:
    """Every unit the report names, to be kept whole on a line."""
    names = {unit for row in report.rows for unit in row.units}
    if isinstance(report, Report):
        names |= {unit for row in report.rows for unit, _ in row.entries}
    return tuple(sorted(names | {report.federation}))


def _fit_columns(table, widths: list[float]) -> None:
    """The grid (read by LibreOffice) and every cell (read by Word) get the widths."""
    for column, mm in zip(table._tbl.tblGrid.gridCol_lst, widths):
        column.w = Mm(mm)
    for row in table.rows:
        for cell, mm in zip(row.cells, widths):
            cell.width = Mm(mm)


def context(report: Report | AnnualReport, compiled_on: date,
            widths: list[float] | None = None, for_print: bool = False) -> dict:
    """The template's variables: title, period, federation, compiled_on, headings, rows.

    A quarter's rows are the printed rows of report_layout (one per unit and item);
    the annual view keeps one row per item with every quarter in it.
    """
    annual = isinstance(report, AnnualReport)
    names = unit_names(report) if for_print else None
    progress = chars_per_line((widths or column_widths(report))[3], BODY_PT, PADDING_MM)
    if annual:
        rows = [{"seq": row.seq, "title": clean(row.title), "unit": clean("\n".join(row.units)),
                 "progress": _annual_cell(row.quarters, names), "deadline": clean(row.deadline)}
                for row in report.rows]
    else:
        rows = [{"seq": row.seq, "title": clean(row.title), "unit": clean(row.unit),
                 "progress": _row_cell(row, names), "deadline": clean(row.deadline)}
                for row in table_rows(_cleaned(report), progress)]
    return {
        "headings": {name: clean(text) for name, text in asdict(report.headings).items()},
        "title": clean(report.title),
        "period": f"{report.year}年度" if annual else report.quarter_label,
        "federation": clean(report.federation),
        "compiled_on": full_date(compiled_on),
        "rows": rows,
    }


def _cleaned(report: Report) -> Report:
    """The report with every text cleaned, before it is cut into printed rows."""
    return replace(report, rows=tuple(
        replace(row, entries=tuple((unit, clean(text) if text else text)
                                   for unit, text in row.entries))
        for row in report.rows))


def clean(text: str) -> str:
    """Text safe for docxtpl: CR/LF as newlines, no XML-invalid or break characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    return _UNSAFE.sub("", text)


def _row_cell(row: TableRow, names: tuple[str, ...] | None,
              into: RichTextParagraph | None = None) -> RichTextParagraph:
    """One paragraph per paragraph of the text, the first opened by "单位：" in bold."""
    cell = into or RichTextParagraph()
    for index, paragraph in enumerate(row.paragraphs):
        text = RichText(clean(row.label), bold=True) if index == 0 and row.label else RichText()
        _add_kept_whole(text, clean(paragraph), names)
        cell.add(text, parastyle=BODY_STYLE)
    return cell


def _add_kept_whole(rich: RichText, text: str, names: tuple[str, ...] | None) -> None:
    """Unit names and dates with word joiners between their characters, so they move
    whole to the next line (the template's body text breaks by the Unicode rules, which
    already keep "1443" and "60%" whole); the text as it is where `names` is None."""
    if names is None:
        rich.add(text)
        return
    rich.add("".join(WORD_JOINER.join(piece) if whole and not piece.isascii()
                     else piece for piece, whole in tokens(text, names)))


def _annual_cell(quarters, names: tuple[str, ...] | None) -> RichTextParagraph:
    """Each quarter's label in bold, then that quarter's entries."""
    cell = RichTextParagraph()
    for label, entries in quarters:
        cell.add(RichText(label, bold=True), parastyle=BODY_STYLE)
        for unit, text in entries:
            lines = [line.strip() for line in clean(text or NOT_REPORTED).split("\n")]
            row = TableRow(seq=0, title="", unit=unit, label=f"{unit}：",
                           paragraphs=tuple(line for line in lines if line) or (NOT_REPORTED,),
                           deadline="")
            _row_cell(row, names, into=cell)
    return cell


def write_pdf(report: Report | AnnualReport, out: Path, *, compiled_on: date,
              template: Path = DEFAULT_TEMPLATE, timeout: float = 120) -> Path:
    """The same DOCX, converted by LibreOffice; raises ReportError if it cannot be."""
    with tempfile.TemporaryDirectory(prefix="mailbot-report-") as scratch:
        docx = write_docx(report, Path(scratch) / f"{out.stem}.docx",
                          compiled_on=compiled_on, template=template, for_print=True)
        try:
            pdf = soffice.convert(docx, "pdf", Path(scratch), timeout=timeout)
        except soffice.ConvertError as error:
            raise ReportError(f"无法生成汇总表的 PDF：{error}") from None
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(pdf, out)
    return out
