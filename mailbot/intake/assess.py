"""Submission + what was read from its files -> Assessment (pure).

This is where "what a table row means" for one unit is decided: which file is
the electronic version, whether a PDF carries the seal, which of the unit's
items have progress, and what the receipt must tell the unit to fix.
"""

from __future__ import annotations

from dataclasses import replace

from mailbot.core.models import (Assessment, Campaign, Extraction, FormRow, Submission,
                                 quarter_label)

ELECTRONIC_FORMATS = ("docx", "doc", "wps", "rtf", "odt", "xlsx", "xls", "et", "ods")


def assess(campaign: Campaign, submission: Submission,
           extractions: list[Extraction]) -> Assessment:
    unit = submission.unit
    electronic = [e for e in extractions
                  if e.format in ELECTRONIC_FORMATS and not e.error and e.has_form]
    pdfs = [e for e in extractions if e.format == "pdf" and not e.error]
    stamped = [e for e in pdfs if e.seal]
    rows = _unit_rows(campaign, unit, electronic or pdfs)
    owned = [item.seq for item in campaign.items_of(unit)]
    items = tuple(sorted({row.seq for row in rows}))
    problems = [*_file_problems(extractions, pdfs, stamped),
                *_hint_problems(extractions, unit, submission.quarter)]
    if not electronic:
        problems.append("未收到可识别的电子版报表（Word 文件）")
    if not stamped:
        problems.append("未收到加盖公章的 PDF 版")
    for seq in owned:
        if seq not in items:
            title = next(item.title for item in campaign.items if item.seq == seq)
            problems.append(f"报表中未填写第{seq}项“{title}”的进展情况")
    return Assessment(unit=unit, quarter=submission.quarter, electronic=bool(electronic),
                      stamped_pdf=bool(stamped), items=items, rows=rows,
                      problems=tuple(problems))


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


def _file_problems(extractions, pdfs, stamped) -> list[str]:
    problems = [f"附件《{e.file}》无法读取：{e.error}" for e in extractions if e.error]
    for extraction in pdfs:
        if extraction in stamped:
            continue
        if extraction.seal is None:
            problems.append(f"PDF《{extraction.file}》无法判断是否加盖公章（如为黑白扫描，请彩色扫描）")
        else:
            problems.append(f"PDF《{extraction.file}》中未发现公章，不能作为盖章版")
    return problems
