"""The consolidated report as DOCX, filled into templates/report.docx with docxtpl.

The layout lives in the template (staff restyle it in Word or WPS); this module
only hands it data. Units' text is data, never template source: docxtpl renders
the template once and inserts the values, with XML escaping on. Characters that
XML cannot hold, and the control characters docxtpl would read as paragraph or
page breaks, are removed first.
"""

from __future__ import annotations

from importlib import resources
import re
import shutil
from dataclasses import asdict
import tempfile
from datetime import date
from pathlib import Path

from docxtpl import DocxTemplate, RichText, RichTextParagraph

from mailbot.extract import soffice
from mailbot.report.content import (NOT_REPORTED, AnnualReport, Entry, Report, ReportError,
                            chinese_date)

DEFAULT_TEMPLATE = Path(str(resources.files("mailbot") / "templates" / "report.docx"))
BODY_STYLE = "TableBody"
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def write_docx(report: Report | AnnualReport, out: Path, *, compiled_on: date,
               template: Path = DEFAULT_TEMPLATE) -> Path:
    """Render `report` into `out` (a quarter's report or the annual one)."""
    if not template.is_file():
        raise ReportError(f"the report template {template} is missing; "
                          "make it with: python scripts/make_report_template.py")
    doc = DocxTemplate(str(template))
    doc.render(context(report, compiled_on), autoescape=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


def context(report: Report | AnnualReport, compiled_on: date) -> dict:
    """The template's variables: title, period, federation, compiled_on, headings, rows."""
    annual = isinstance(report, AnnualReport)
    return {
        "headings": {name: clean(text) for name, text in asdict(report.headings).items()},
        "title": clean(report.title),
        "period": f"{report.year}年度" if annual else report.quarter_label,
        "federation": clean(report.federation),
        "compiled_on": chinese_date(compiled_on),
        "rows": [
            {"seq": row.seq, "title": clean(row.title), "units": clean("\n".join(row.units)),
             "progress": _annual_cell(row.quarters) if annual else _cell(row.entries),
             "deadline": clean(row.deadline)}
            for row in report.rows],
    }


def clean(text: str) -> str:
    """Text safe for docxtpl: CR/LF as newlines, no XML-invalid or break characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    return _UNSAFE.sub("", text)


def _cell(entries: tuple[Entry, ...], into: RichTextParagraph | None = None) -> RichTextParagraph:
    """One paragraph per unit, "单位：" in bold, the text's own paragraphs after it."""
    cell = into or RichTextParagraph()
    for unit, text in entries:
        lines = [line.strip() for line in clean(text or NOT_REPORTED).split("\n")]
        lines = [line for line in lines if line] or [NOT_REPORTED]
        first = RichText(f"{clean(unit)}：", bold=True)
        first.add(lines[0])
        cell.add(first, parastyle=BODY_STYLE)
        for line in lines[1:]:
            cell.add(RichText(line), parastyle=BODY_STYLE)
    return cell


def _annual_cell(quarters) -> RichTextParagraph:
    """Each quarter's label in bold, then that quarter's entries."""
    cell = RichTextParagraph()
    for label, entries in quarters:
        cell.add(RichText(label, bold=True), parastyle=BODY_STYLE)
        _cell(entries, into=cell)
    return cell


def write_pdf(report: Report | AnnualReport, out: Path, *, compiled_on: date,
              template: Path = DEFAULT_TEMPLATE, timeout: float = 120) -> Path:
    """The same DOCX, converted by LibreOffice; raises ReportError if it cannot be."""
    with tempfile.TemporaryDirectory(prefix="mailbot-report-") as scratch:
        docx = write_docx(report, Path(scratch) / f"{out.stem}.docx",
                          compiled_on=compiled_on, template=template)
        try:
            pdf = soffice.convert(docx, "pdf", Path(scratch), timeout=timeout)
        except soffice.ConvertError as error:
            raise ReportError(f"no PDF of the report: {error}") from None
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(pdf, out)
    return out
