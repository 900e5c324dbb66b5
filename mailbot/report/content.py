"""The consolidated report's content, from the current submissions (pure).

The writers (report.docx, report.xlsx, with report.layout's printed rows) only lay out what is decided here, so
which text goes under which unit in which row is tested without any file.
A unit's text always lands under its own name: the record's unit, never a
name read from the document, so a unit cannot speak for another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from mailbot.core.models import (Campaign, ColumnRole, FormRow, Item, SubmissionRecord,
                                 quarter_label)

NOT_REPORTED = "（未报送）"

SCAN_MARK = "（据盖章扫描件识别）"  # rows read by OCR: staff may want to check the wording
Entry = tuple[str, "str | None"]  # (unit, its progress text; None = not reported)


@dataclass(frozen=True)
class Headings:
    """The report's column headings, from the campaign's form."""

    seq: str = "序号"
    title: str = "实事名称"
    units: str = "责任单位"
    progress: str = "具体措施及任务进度情况"
    deadline: str = "完成时限"


def headings(campaign: Campaign) -> Headings:
    """The form's own headings; the columns units fill in share one report column."""
    by_role: dict[ColumnRole, list[str]] = {}
    for column in campaign.columns:
        by_role.setdefault(column.role, []).append(column.name)
    default = Headings()
    pick = lambda role, fallback: "、".join(by_role.get(role, [])) or fallback
    return Headings(seq=pick(ColumnRole.SEQ, default.seq),
                    title=pick(ColumnRole.TITLE, default.title),
                    units=pick(ColumnRole.UNITS, default.units),
                    progress=pick(ColumnRole.FILLED, default.progress),
                    deadline=pick(ColumnRole.DEADLINE, default.deadline))


@dataclass(frozen=True)
class ReportRow:
    """One item of the form: who is responsible and what each one reported."""

    seq: int
    title: str
    units: tuple[str, ...]
    entries: tuple[Entry, ...]
    deadline: str


@dataclass(frozen=True)
class Report:
    """The consolidated report of one quarter."""

    title: str
    federation: str
    quarter: str
    quarter_label: str
    rows: tuple[ReportRow, ...]
    headings: Headings = Headings()


@dataclass(frozen=True)
class AnnualRow:
    """One item's progress quarter by quarter: (quarter label, entries)."""

    seq: int
    title: str
    units: tuple[str, ...]
    quarters: tuple[tuple[str, tuple[Entry, ...]], ...]
    deadline: str


@dataclass(frozen=True)
class AnnualReport:
    title: str
    federation: str
    year: int
    quarter_labels: tuple[str, ...]
    rows: tuple[AnnualRow, ...]
    headings: Headings = Headings()


def build_report(campaign: Campaign, quarter: str,
                 records: Iterable[SubmissionRecord]) -> Report:
    """Fill the form for `quarter`: every responsible unit under every item, in config order.

    Records of other quarters are ignored; if a unit has several, the newest counts
    (a correction replaces the earlier report). A unit that reported on an item it
    is not responsible for is listed after the responsible ones, so no text is lost.
    """
    current = _newest_per_unit(r for r in records if r.quarter == quarter)
    texts, deadlines = _collect(current)
    rows = tuple(_row(item, texts, deadlines, _unit_order(campaign)) for item in campaign.items)
    return Report(title=campaign.title, federation=campaign.federation, quarter=quarter,
                  quarter_label=quarter_label(quarter), rows=rows, headings=headings(campaign))


def build_annual(campaign: Campaign, year: int,
                 records_by_quarter: Mapping[str, Sequence[SubmissionRecord]]) -> AnnualReport:
    """Each item's progress in every quarter of `year` the campaign defines, in order."""
    quarters = [q.name for q in campaign.quarters if q.name.startswith(f"{year}Q")]
    if not quarters:
        raise ValueError(f"the campaign defines no quarter of {year}")
    reports = [build_report(campaign, q, records_by_quarter.get(q, ())) for q in quarters]
    rows = tuple(
        AnnualRow(seq=item.seq, title=item.title, units=item.units,
                  quarters=tuple((rep.quarter_label, rep.rows[i].entries) for rep in reports),
                  deadline=reports[-1].rows[i].deadline)
        for i, item in enumerate(campaign.items))
    title = campaign.title.replace("工作进展情况报表", "工作年度进展情况汇总表")
    return AnnualReport(title=title, federation=campaign.federation, year=year,
                        quarter_labels=tuple(r.quarter_label for r in reports), rows=rows,
                        headings=headings(campaign))


def _newest_per_unit(records: Iterable[SubmissionRecord]) -> list[SubmissionRecord]:
    newest: dict[str, SubmissionRecord] = {}
    for record in records:
        kept = newest.get(record.unit)
        if kept is None or (record.received_at, record.id) > (kept.received_at, kept.id):
            newest[record.unit] = record
    return list(newest.values())


def _collect(records: Iterable[SubmissionRecord]):
    """(seq, unit) -> paragraphs of text, and (seq, unit) -> deadline written."""
    texts: dict[tuple[int, str], list[str]] = {}
    deadlines: dict[tuple[int, str], str] = {}
    for record in records:
        for row in record.rows:
            text = _row_text(row)
            if not text:
                continue
            text += SCAN_MARK if row.ocr else ""
            parts = texts.setdefault((row.seq, record.unit), [])
            if text not in parts:
                parts.append(text)
            if row.deadline.strip():
                deadlines.setdefault((row.seq, record.unit), row.deadline.strip())
    return texts, deadlines


def _row_text(row: FormRow) -> str:
    """The progress text, then each further filled column as "存在问题：…" paragraphs."""
    parts = [row.progress.strip()] + [f"{name}：{text.strip()}" for name, text in row.extra
                                      if text.strip()]
    return "\n".join(part for part in parts if part)


def _unit_order(campaign: Campaign) -> dict[str, int]:
    return {unit.name: index for index, unit in enumerate(campaign.units)}


def _row(item: Item, texts, deadlines, order: dict[str, int]) -> ReportRow:
    extra = sorted((unit for seq, unit in texts if seq == item.seq and unit not in item.units),
                   key=lambda unit: (order.get(unit, len(order)), unit))
    units = tuple(item.units) + tuple(extra)
    entries = tuple((unit, _joined(texts.get((item.seq, unit)))) for unit in units)
    written = list(dict.fromkeys(deadlines[(item.seq, u)] for u in units
                                 if (item.seq, u) in deadlines))
    deadline = "\n".join(written) if written else item.deadline
    return ReportRow(seq=item.seq, title=item.title, units=item.units,
                     entries=entries, deadline=deadline)


def _joined(parts: list[str] | None) -> str | None:
    return "\n".join(parts) if parts else None


_NOT_IN_FILE_NAMES = str.maketrans({char: "_" for char in '\\/:*?"<>|'})


def file_name(report: Report | AnnualReport, fmt: str) -> str:
    """The name staff give the file they hand up, from the configured title:
    '2026年第三季度为全区妇女儿童办实事工作进展情况汇总表.docx' (the period first, the
    form's 报表 as 汇总表); the annual view keeps its own title."""
    if isinstance(report, AnnualReport):
        stem = report.title
    else:
        rest = report.title.removeprefix(f"{report.quarter[:4]}年")
        if not rest.endswith("汇总表"):
            rest = rest.removesuffix("报表") + "汇总表"
        stem = report.quarter_label + rest
    return f"{stem.translate(_NOT_IN_FILE_NAMES).strip()}.{fmt}"


class ReportError(Exception):
    """A report could not be written (missing template, converter...): said plainly."""
