"""Submission + what was read from its files -> Assessment; a unit's pieces -> its quarter (pure).

This is where "what a table row means" for one unit is decided: which file is
the electronic version, whether a PDF carries the seal, which of the unit's
items have progress, and what the receipt must tell the unit to fix.

A unit's quarter is built from pieces, not from its last mail: the electronic
form and the stamped PDF often come in two mails, and a later mail replaces
only the piece it brings again. A mail that brings no piece is not a report.
"""

from __future__ import annotations

from dataclasses import replace

from mailbot.core.models import (IMAGE_FORMATS, Assessment, Campaign, Extraction, FormRow,
                                 Submission, SubmissionRecord, quarter_label)
from mailbot.intake.stamped import ELECTRONIC_FORMATS, check_stamped

NO_STAMPED = "未收到加盖公章的 PDF 版"
WRONG_COPY = "盖章版与本次报送不符，暂按未收到盖章版处理"
PHOTO_NOTE = "盖章版为图片（照片），已予登记；请另行发送盖章版 PDF 扫描件，以便存档"
SCAN_ONLY = "本次进展情况系从盖章扫描件中识别，如有识别错误，以补发的电子版为准"


def assess(campaign: Campaign, submission: Submission, extractions: list[Extraction],
           earlier: SubmissionRecord | None = None) -> Assessment:
    """`earlier`: the unit's quarter before this mail (assess.current_record), whose
    electronic form a stamped copy sent later is checked against, item by item."""
    unit = submission.unit
    electronic = _electronic(extractions)
    copies = [e for e in extractions if e.format in ("pdf", *IMAGE_FORMATS) and not e.error]
    form_copies = [e for e in copies if e.has_form or e.scanned]  # not a stamped meeting notice
    sealed = [e for e in form_copies if e.seal and (e.format == "pdf" or e.has_form)]
    typed = electronic[0] if electronic else _earlier_form(earlier)
    checks = [check_stamped(campaign, unit, submission.quarter, e, typed) for e in sealed]
    stamped = [e for e, check in zip(sealed, checks) if check.ok]
    rows = _unit_rows(campaign, unit, electronic or stamped or copies)
    items = tuple(sorted({row.seq for row in rows}))
    lacking = missing(campaign, unit, bool(electronic), bool(stamped), items)
    problems = [*_file_problems(extractions, copies, sealed),
                *(problem for check in checks for problem in check.problems),
                *_hint_problems(extractions, unit, submission.quarter),
                *(WRONG_COPY if sealed and problem == NO_STAMPED else problem
                  for problem in lacking)]
    return Assessment(unit=unit, quarter=submission.quarter, electronic=bool(electronic),
                      stamped_pdf=bool(stamped), items=items, rows=rows,
                      problems=tuple(problems), report=bool(rows or form_copies),
                      notes=_notes(typed is not None, stamped, rows))


def _electronic(extractions: list[Extraction]) -> list[Extraction]:
    return [e for e in extractions
            if e.format in ELECTRONIC_FORMATS and not e.error and e.has_form]


def needs_earlier_form(extractions: list[Extraction]) -> bool:
    """Does this mail bring a sealed copy without the electronic form to check it by?
    (Then the form an earlier mail brought is looked up for `assess`.)"""
    return any(e.seal for e in extractions) and not _electronic(extractions)


def _earlier_form(record: SubmissionRecord | None) -> Extraction | None:
    """The electronic form an earlier mail brought, as the stamped check reads one."""
    if record is None or not record.electronic or not record.rows:
        return None
    return Extraction(file="", format="docx", has_form=True, rows=record.rows)


def receipt_problems(campaign: Campaign, assessment: Assessment,
                     current: SubmissionRecord) -> list[str]:
    """What the receipt asks the unit to fix: this mail's files, then what its quarter
    still lacks. A stamped copy refused as not this report already says the quarter has
    no stamped copy for now: the lack is not said twice."""
    own = file_problems(campaign, assessment)
    return [*own, *(problem for problem in current.problems
                    if not (problem == NO_STAMPED and WRONG_COPY in own))]


def _notes(typed: bool, stamped, rows) -> tuple[str, ...]:
    """`typed`: an electronic form, in this mail or an earlier one, holds the rows."""
    notes = []
    if stamped and all(e.format in IMAGE_FORMATS for e in stamped):
        notes.append(PHOTO_NOTE)
    if not typed and any(row.ocr for row in rows):
        notes.append(SCAN_ONLY)
    return tuple(notes)


def missing(campaign: Campaign, unit: str, electronic: bool, stamped: bool,
            items: tuple[int, ...]) -> list[str]:
    """What a unit's quarter still lacks: the two pieces and its own items' rows."""
    problems = []
    if not electronic:
        problems.append("未收到可识别的电子版报表（Word 文件）")
    if not stamped:
        problems.append(NO_STAMPED)
    for item in campaign.items_of(unit):
        if item.seq not in items:
            problems.append(f"报表中未填写第{item.seq}项“{item.title}”的进展情况")
    return problems


def file_problems(campaign: Campaign, assessment: Assessment) -> list[str]:
    """The assessment's complaints about this mail's files (unreadable, no seal found),
    without what the quarter lacks (that is judged on the current pieces)."""
    lacking = set(missing(campaign, assessment.unit, assessment.electronic,
                          assessment.stamped_pdf, assessment.items))
    return [problem for problem in assessment.problems if problem not in lacking]


def current_records(campaign: Campaign, records: list[SubmissionRecord]
                    ) -> list[SubmissionRecord]:
    """Each unit's quarter from its counted submissions (one quarter's), in unit order."""
    by_unit: dict[str, list[SubmissionRecord]] = {}
    for record in records:
        by_unit.setdefault(record.unit, []).append(record)
    return [current_record(campaign, by_unit[unit]) for unit in sorted(by_unit)]


def current_record(campaign: Campaign, records: list[SubmissionRecord]) -> SubmissionRecord:
    """One unit's quarter: the form from the latest mail that brought one (a Word form
    before a PDF read as text), the stamped copy from the latest that brought one.

    The result names the newest mail that supplies a current piece; its problems are
    what the current pieces still lack, not the complaints about older mails."""
    ordered = sorted(records, key=lambda r: (r.received_at, r.id))
    form = (_latest(ordered, lambda r: r.electronic and r.rows)
            or _latest(ordered, lambda r: r.rows))
    stamped = _latest(ordered, lambda r: r.stamped_pdf)
    sources = [r for r in (form, stamped) if r is not None] or ordered[-1:]
    newest = max(sources, key=lambda r: (r.received_at, r.id))
    electronic = bool(form and form.electronic)
    items = form.items if form else ()
    return replace(newest, electronic=electronic, stamped_pdf=stamped is not None,
                   items=items, rows=form.rows if form else (),
                   form_from=form.message_id if form else None,
                   stamped_from=stamped.message_id if stamped else None,
                   problems=tuple(missing(campaign, newest.unit, electronic,
                                          stamped is not None, items)))


def _latest(ordered: list[SubmissionRecord], brings) -> SubmissionRecord | None:
    found = [record for record in ordered if brings(record)]
    return found[-1] if found else None


def _unit_rows(campaign: Campaign, unit: str,
               sources: list[Extraction]) -> tuple[FormRow, ...]:
    """Rows of the unit's own items, one per item, from the first file that has them.

    A unit often sends the whole form: rows of other units' items, or rows that a
    one-row-per-unit layout assigns to another unit, are not this unit's report.
    """
    owned = {item.seq for item in campaign.items_of(unit)}
    chosen: dict[int, FormRow] = {}
    for extraction in sources:
        for row in extraction.rows:
            if row.seq in owned and row.unit in (None, unit) and row.seq not in chosen:
                chosen[row.seq] = replace(row, unit=unit)
    return tuple(chosen[seq] for seq in sorted(chosen))


def _hint_problems(extractions: list[Extraction], unit: str, quarter: str) -> list[str]:
    """A form made for another unit or quarter: said, never silently reassigned."""
    problems = []
    for extraction in extractions:
        hint = extraction.form_of
        if hint is None:
            continue
        if hint.unit != unit:
            problems.append(f"附件《{extraction.file}》是为{hint.unit}生成的报表，"
                            f"请使用本单位（{unit}）的报表填报")
        if hint.quarter != quarter:
            problems.append(f"附件《{extraction.file}》是{quarter_label(hint.quarter)}的报表，"
                            f"本次按{quarter_label(quarter)}登记，请核对")
    return problems


def _file_problems(extractions, copies, sealed) -> list[str]:
    problems = [f"附件《{e.file}》无法读取：{e.error}" for e in extractions if e.error]
    for extraction in copies:
        kind = "PDF" if extraction.format == "pdf" else "图片"
        if extraction in sealed:
            continue
        if extraction.seal is None:
            problems.append(f"{kind}《{extraction.file}》无法判断是否加盖公章（如为黑白扫描，请彩色扫描）")
        elif extraction.seal:
            problems.append(f"图片《{extraction.file}》中未识别出进展情况报表，不能作为盖章版")
        else:
            problems.append(f"{kind}《{extraction.file}》中未发现公章，不能作为盖章版")
    return problems
