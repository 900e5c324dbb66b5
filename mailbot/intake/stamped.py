"""Is the stamped copy this report? Its unit, quarter, items and texts against the
electronic version (pure).

Units stamp and scan the wrong paper: last quarter's form, another unit's, an
old draft. The scan's text outside the table (title, 填报单位 line) names the
unit and the quarter; its rows, read by OCR, are compared item by item with the
electronic version's after normalising (width, punctuation, spaces): OCR noise
leaves a similarity near 1 (the lowest measured by benchmarks/bench_ocr.py is
above 0.95) and another form's text a low one. Last quarter's text reworked
into this quarter's can be as similar as 0.92, with other figures: so the
numbers must be the same too (the recogniser reads digits well, and a lost
line lowers the similarity anyway).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from difflib import SequenceMatcher

from mailbot.core.models import (CN_QUARTERS, Campaign, Extraction, FormRow,
                                 StampedCheck)
from mailbot.intake.rules import quarter_number, unit_in_rows

ELECTRONIC_FORMATS = ("docx", "doc", "wps", "rtf", "odt", "xlsx", "xls", "et", "ods")
SIMILAR = 0.85          # a progress text less similar than this is another text
UNIT_LINE = "填报单位"
NOT_TEXT = re.compile(r"[\W_]+")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def check_stamped(campaign: Campaign, unit: str, quarter: str | None, stamped: Extraction,
                  electronic: Extraction | None) -> StampedCheck:
    """The stamped copy judged against what the unit reports (its unit and quarter) and
    against the electronic version where there is one."""
    named_unit = _unit_named(campaign, stamped.text)
    named_quarter = quarter_number(stamped.text)
    problems = []
    if named_unit and named_unit != unit:
        problems.append(f"盖章版似为{named_unit}的材料，不是本单位的报表")
    if quarter and named_quarter and named_quarter != int(quarter[-1]):
        problems.append(f"盖章版似为第{CN_QUARTERS[str(named_quarter)]}季度材料，"
                        "不是本季度的报表")
    scanned = _own_rows(campaign, unit, stamped)
    similarity = None
    if electronic is not None and stamped.has_form:  # a copy whose form was not read: no verdict
        typed = _own_rows(campaign, unit, electronic)
        ratios = {seq: similar(scanned[seq].progress, typed[seq].progress)
                  for seq in scanned.keys() & typed.keys()}
        differ = sorted((scanned.keys() ^ typed.keys()) | {
            seq for seq, ratio in ratios.items()
            if ratio < SIMILAR or _numbers(scanned[seq].progress) != _numbers(typed[seq].progress)})
        if differ:
            problems.append("盖章版内容与电子版不一致：" + "、".join(f"第{seq}项" for seq in differ))
        similarity = round(min(ratios.values()), 3) if ratios else None
    return StampedCheck(unit=named_unit, quarter=named_quarter, items=tuple(sorted(scanned)),
                        similarity=similarity, problems=tuple(problems))


def annotate(campaign: Campaign, extractions: list[Extraction]) -> list[Extraction]:
    """`extract --json`: every sealed copy with a readable form carries its check against
    the electronic version among the same files (the unit is the one its rows name)."""
    electronic = next((e for e in extractions if e.format in ELECTRONIC_FORMATS
                       and e.has_form and not e.error), None)
    unit = unit_in_rows(campaign, (electronic,)) if electronic else None
    if unit is None:
        return extractions
    return [replace(e, stamped_check=check_stamped(campaign, unit.name, None, e, electronic))
            if e.seal and e.has_form and e is not electronic else e for e in extractions]


def similar(a: str, b: str) -> float:
    """Similarity of two progress texts in 0..1, ignoring width, punctuation and spacing
    (what OCR gets wrong most and what matters least)."""
    return SequenceMatcher(None, normalised(a), normalised(b), autojunk=False).ratio()


def normalised(text: str) -> str:
    return NOT_TEXT.sub("", unicodedata.normalize("NFKC", text))


def _numbers(text: str) -> list[str]:
    return NUMBER.findall(unicodedata.normalize("NFKC", text))


def _own_rows(campaign: Campaign, unit: str, extraction: Extraction) -> dict[int, FormRow]:
    owned = {item.seq for item in campaign.items_of(unit)}
    rows: dict[int, FormRow] = {}
    for row in extraction.rows:
        if row.seq in owned and row.unit in (None, unit):
            rows.setdefault(row.seq, row)
    return rows


def _unit_named(campaign: Campaign, text: str) -> str | None:
    """The unit the 填报单位 line names (the longest configured name or alias in it)."""
    start = text.find(UNIT_LINE)
    if start < 0:
        return None
    line = text[start + len(UNIT_LINE):].split("\n", 1)[0]
    best: tuple[int, str] | None = None
    for unit in campaign.units:
        for name in (unit.name, *unit.aliases):
            if name and name in line and (best is None or len(name) > best[0]):
                best = (len(name), unit.name)
    return best[1] if best else None
