"""Submission + what was read from its files -> Assessment (pure).

This is where "what a table row means" for one unit is decided: which file is
the electronic version, whether a PDF carries the seal, which of the unit's
items have progress, and what the receipt must tell the unit to fix.
"""

from __future__ import annotations

from dataclasses import replace

from mailbot.core.models import (IMAGE_FORMATS, Assessment, Campaign, Extraction, FormRow,
                                 Submission)
from mailbot.intake.stamped import ELECTRONIC_FORMATS, check_stamped

PHOTO_NOTE = "盖章版为图片（照片），已予登记；请另行发送盖章版 PDF 扫描件，以便存档"
SCAN_ONLY = "本次进展情况系从盖章扫描件中识别，如有识别错误，以补发的电子版为准"
WRONG_COPY = "盖章版与本次报送不符，暂按未收到盖章版处理"


def assess(campaign: Campaign, submission: Submission,
           extractions: list[Extraction]) -> Assessment:
    unit = submission.unit
    electronic = [e for e in extractions
                  if e.format in ELECTRONIC_FORMATS and not e.error and e.has_form]
    copies = [e for e in extractions
              if e.format in ("pdf", *IMAGE_FORMATS) and not e.error]
    sealed = [e for e in copies if e.seal and (e.format == "pdf" or e.has_form)]
    checks = [check_stamped(campaign, unit, submission.quarter, e,
                            electronic[0] if electronic else None) for e in sealed]
    stamped = [e for e, check in zip(sealed, checks) if check.ok]
    rows = _unit_rows(campaign, unit, electronic or stamped or copies)
    owned = [item.seq for item in campaign.items_of(unit)]
    items = tuple(sorted({row.seq for row in rows}))
    problems = [*_file_problems(extractions, copies, sealed)]
    problems.extend(problem for check in checks for problem in check.problems)
    if not electronic:
        problems.append("未收到可识别的电子版报表（Word 文件）")
    if not stamped:
        problems.append(WRONG_COPY if sealed else "未收到加盖公章的 PDF 版")
    for seq in owned:
        if seq not in items:
            title = next(item.title for item in campaign.items if item.seq == seq)
            problems.append(f"报表中未填写第{seq}项“{title}”的进展情况")
    return Assessment(unit=unit, quarter=submission.quarter, electronic=bool(electronic),
                      stamped_pdf=bool(stamped), items=items, rows=rows,
                      problems=tuple(problems), notes=_notes(electronic, stamped, rows))


def _notes(electronic, stamped, rows) -> tuple[str, ...]:
    notes = []
    if stamped and all(e.format in IMAGE_FORMATS for e in stamped):
        notes.append(PHOTO_NOTE)
    if not electronic and any(row.ocr for row in rows):
        notes.append(SCAN_ONLY)
    return tuple(notes)


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
