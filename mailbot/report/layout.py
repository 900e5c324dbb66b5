"""How the consolidated report's table is laid out on paper (pure).

A table row that breaks over a page leaves the next page with empty 序号 and
实事名称 cells, so the printed table gets one row per unit and item, each row
small enough to stay whole on a page (the writer marks rows "cannot split");
a unit's text too long for one page is cut at paragraph or sentence ends into
rows whose unit cell adds "（续）". Numbers, dates and unit names are kept
whole on a line: `tokens` marks them for the writer.

Line counts are estimates from the column width and font size (CJK characters
are one em wide, digits and Latin about half), used only to cut rows well
below a page's height, never to place anything exactly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mailbot.report.content import NOT_REPORTED, Report, ReportRow

CONTINUED = "（续）"
MAX_ROW_LINES = 15  # a row of this many lines fits a landscape page under the header
_SENTENCE = re.compile(r"(?<=[。；！？])")
_NUMBERS = (r"\d{4}年\d{1,2}月(?:\d{1,2}日|底|初|中旬|上旬|下旬)?"  # dates
            r"|\d{1,2}月\d{1,2}日"
            r"|\d+(?:[.,]\d+)*(?:\s?[%％‰])?")  # numbers, percentages


@dataclass(frozen=True)
class TableRow:
    """One printed row: an item's number and title, one unit, (part of) its text."""

    seq: int
    title: str
    unit: str
    label: str  # the unit's name as it opens the text ("区妇联："), "" on a continuation
    paragraphs: tuple[str, ...]
    deadline: str


def table_rows(report: Report, chars_per_line: int) -> list[TableRow]:
    """Every item's units in order, each unit's text cut into rows that fit a page."""
    return [row for item in report.rows for unit, text in item.entries
            for row in _unit_rows(item, unit, text, chars_per_line)]


def _unit_rows(item: ReportRow, unit: str, text: str | None,
               chars_per_line: int) -> list[TableRow]:
    paragraphs = [line.strip() for line in (text or "").split("\n") if line.strip()]
    label = f"{unit}："
    pieces = _cut(paragraphs or [NOT_REPORTED], chars_per_line, first_prefix=len(label))
    return [TableRow(seq=item.seq, title=item.title,
                     unit=unit if index == 0 else f"{unit}\n{CONTINUED}",
                     label=label if index == 0 else "", paragraphs=tuple(piece),
                     deadline=item.deadline)
            for index, piece in enumerate(pieces)]


def _cut(paragraphs: Sequence[str], chars_per_line: int, first_prefix: int) -> list[list[str]]:
    """Group paragraphs (split at sentence ends when one alone is too long) into pieces
    of at most MAX_ROW_LINES estimated lines."""
    pieces: list[list[str]] = [[]]
    used = 0
    for index, paragraph in enumerate(paragraphs):
        prefix = first_prefix if index == 0 else 0
        for part in _fitting_parts(paragraph, chars_per_line, prefix):
            lines = line_count(part, chars_per_line, prefix)
            if used and used + lines > MAX_ROW_LINES:
                pieces.append([])
                used = 0
            pieces[-1].append(part)
            used += lines
            prefix = 0
    return pieces


def _fitting_parts(paragraph: str, chars_per_line: int, prefix: int) -> Iterable[str]:
    """The paragraph itself, or its sentences regrouped, or hard cuts as a last resort."""
    if line_count(paragraph, chars_per_line, prefix) <= MAX_ROW_LINES:
        yield paragraph
        return
    limit = chars_per_line * MAX_ROW_LINES
    current = ""
    for sentence in filter(None, _SENTENCE.split(paragraph)):
        while width(sentence) > limit:
            cut = _cut_index(sentence, limit)
            if current:
                yield current
                current = ""
            yield sentence[:cut]
            sentence = sentence[cut:]
        if current and width(current + sentence) + prefix > limit:
            yield current
            current, prefix = "", 0
        current += sentence
    if current:
        yield current


def _cut_index(text: str, limit: int) -> int:
    total = 0.0
    for index, char in enumerate(text):
        total += _char_width(char)
        if total > limit:
            return max(index, 1)
    return len(text)


def width(text: str) -> float:
    """Width in ems: CJK and full-width characters 1, ASCII about a half."""
    return sum(_char_width(char) for char in text)


def _char_width(char: str) -> float:
    return 0.5 if ord(char) < 0x2000 else 1.0


def line_count(text: str, chars_per_line: int, prefix: int = 0) -> int:
    return max(1, math.ceil((width(text) + prefix) / chars_per_line))


def chars_per_line(column_mm: float, font_pt: float, padding_mm: float) -> int:
    """How many CJK characters a column's line holds."""
    return max(1, int((column_mm - 2 * padding_mm) / (font_pt * 25.4 / 72)))


def column_for(longest: str, font_pt: float, padding_mm: float) -> float:
    """The width in mm a column needs to hold `longest` on one line (plus one mm of air)."""
    return math.ceil(width(longest) * font_pt * 25.4 / 72 + 2 * padding_mm + 1)


def tokens(text: str, names: Iterable[str]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, keep_whole) where keep_whole marks a unit name, a date,
    a number or a percentage that must not be broken over two lines."""
    names = sorted(set(filter(None, names)), key=len, reverse=True)
    pattern = re.compile("|".join([*(re.escape(n) for n in names), _NUMBERS]))
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            pieces.append((text[position:match.start()], False))
        pieces.append((match.group(), True))
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces

