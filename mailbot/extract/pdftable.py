"""pdfplumber tables -> grids of cells, with wrapped lines rejoined (pure over pdfplumber objects).

pdfplumber returns a cell's text with a newline at every visual wrap, and None
for the slots a merged cell covers. Here the grid is rebuilt from the ruling
lines' coordinates, so a merged cell fills every slot it covers under one ref,
and a cell's lines are joined again unless the line before ended well short
of the cell's right edge (a real paragraph break).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from mailbot.extract.form import EMPTY, Cell, Grid

LINE_TOLERANCE = 3.0
CID = "(cid:"


def dedupe(chars: list[dict], tolerance: float = 1.0) -> list[dict]:
    """Drop over-printed copies (fake bold: the same glyph drawn again a hair to the side).

    pdfplumber's own dedupe_chars is quadratic on big pages; this sorts once."""
    ordered = sorted(chars, key=lambda c: (c["text"], round(c["top"]), c["x0"]))
    kept: list[dict] = []
    last: dict | None = None
    for char in ordered:
        if (last is not None and char["text"] == last["text"]
                and abs(char["x0"] - last["x0"]) <= tolerance
                and abs(char["top"] - last["top"]) <= tolerance):
            continue
        kept.append(char)
        last = char
    return kept


def _edges(values: list[float]) -> list[float]:
    merged: list[float] = []
    for value in sorted(values):
        if not merged or value - merged[-1] > 2.0:
            merged.append(value)
    return merged


def table_grid(table, chars: list[dict], refs) -> Grid:
    """A pdfplumber Table as a grid: every slot holds the cell that covers its centre."""
    cells = [tuple(cell) for cell in table.cells]
    xs = _edges([c[0] for c in cells] + [c[2] for c in cells])
    ys = _edges([c[1] for c in cells] + [c[3] for c in cells])
    band = _bands(chars)
    owners = {cell: Cell(cell_text(cell, band(cell[1], cell[3])), next(refs)) for cell in cells}
    grid: Grid = []
    for top, bottom in zip(ys, ys[1:]):
        row = []
        for left, right in zip(xs, xs[1:]):
            x, y = (left + right) / 2, (top + bottom) / 2
            owner = next((c for c in cells if c[0] <= x <= c[2] and c[1] <= y <= c[3]), None)
            row.append(owners[owner] if owner else EMPTY)
        if any(cell.ref is not None for cell in row):
            grid.append(row)
    return grid


def _bands(chars: list[dict]):
    """band(top, bottom): the chars whose vertical centre lies between, found by bisection
    (a report of thousands of cells would otherwise scan every char for every cell)."""
    ordered = sorted(chars, key=_middle)
    middles = [_middle(char) for char in ordered]
    return lambda top, bottom: ordered[bisect_left(middles, top):bisect_right(middles, bottom)]


def _middle(char: dict) -> float:
    return (char["top"] + char["bottom"]) / 2


def cell_text(bbox, chars: list[dict]) -> str:
    """The text of the chars whose centre lies in bbox, wraps joined, paragraph breaks kept.

    Where paragraphs are spaced apart, a wider gap between lines marks a break.
    Where the cell's paragraphs open with the customary two-character indent
    (首行缩进), an indented line starts a paragraph and any other continues one
    (also in the part of a row that ran over a page break, which starts mid-paragraph).
    Otherwise a line ends in a wrap when the next line's first word would not have
    fitted in the room left at its end (the rule word processors follow), else in a
    break; a full line is ambiguous, and read as a wrap unless a list marker follows.
    """
    x0, top, x1, bottom = bbox
    inside = [c for c in chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1
              and top <= (c["top"] + c["bottom"]) / 2 <= bottom]
    lines = _lines(inside)
    if not lines:
        return ""
    left = min(line[0]["x0"] for line in lines)
    text_right = x1 - min(max(left - x0, 1.0), 8.0)
    indented = any(_indented(line, left, text_right) for line in lines)
    pitch = min((b[0]["top"] - a[0]["top"] for a, b in zip(lines, lines[1:])), default=0.0)
    parts = [_line_text(lines[0])]
    for previous, line in zip(lines, lines[1:]):
        room = text_right - previous[-1]["x1"]
        if line[0]["top"] - previous[0]["top"] > PARAGRAPH_SPACING * pitch:
            wrapped = False  # space before or after a paragraph: wider than a line's pitch
        elif indented:
            wrapped = not _indented(line, left, text_right)
        else:
            wrapped = (_first_word_width(line) + _autospace(previous[-1], line[0]) > room
                       and not _new_paragraph(previous, line))
        joiner = "\n"
        if wrapped:
            joiner = " " if _spaced(previous[-1]["text"], line[0]["text"]) else ""
        parts.append(joiner + _line_text(line))
    return "".join(parts)


PARAGRAPH_SPACING = 1.25  # a line this many pitches below the one before starts a paragraph
AUTOSPACE = 0.25  # of the font size; LibreOffice measures 0.2, Word 0.25
CLOSING = "，。、；：！？）》」』”’,.;:!?)%"
QUOTES = "“”‘’\"'"
OPENING = "（《「『【(["
SENTENCE_END = "。；！？;!?"
BREAK_AFTER = "-/"  # Unicode line-break classes HY and SY: a break after them, inside a word
LIST_MARKER = re.compile(r"([0-9０-９]{1,2}[.．、](?![0-9０-９])|[（(][一二三四五六七八九十0-9]{1,2}[)）]"
                         r"|[一二三四五六七八九十]{1,2}、)")


def _indented(line: list[dict], left: float, right: float) -> bool:
    """Does the line start about two characters in from the cell's text edge, and not
    merely because it is centred (a short line in a centred cell)?"""
    size = line[0].get("size") or 10.0
    offset = line[0]["x0"] - left
    return (1.5 * size <= offset <= 2.6 * size
            and abs(offset - (right - line[-1]["x1"])) > 0.5 * size)


def _spaced(last: str, first: str) -> bool:
    """Did a space stand where a line wrapped? Between Latin words, yes; not after a
    hyphen or slash, after which a word processor breaks inside the word (0-3岁, A/B)."""
    return last.isascii() and first.isascii() and last not in BREAK_AFTER


def _autospace(last: dict, first: dict) -> float:
    """The gap Word and LibreOffice put between Latin letters or digits and CJK characters
    (autoSpaceDE/DN, on by default): the next word needs that much more room to fit."""
    scripts = {_script(last["text"]), _script(first["text"])}
    return AUTOSPACE * (first.get("size") or 10.0) if scripts == {"latin", "cjk"} else 0.0


def _script(text: str) -> str | None:
    if text.isalnum():
        return "latin" if text.isascii() else "cjk"
    return None


def _first_word_width(line: list[dict]) -> float:
    """Width of what could not be split from the line's start (see _glued)."""
    end = 1
    while end < len(line) and _glued(line[end - 1]["text"], line[end]["text"]):
        end += 1
    return line[end - 1]["x1"] - line[0]["x0"]


def _glued(before: str, after: str) -> bool:
    """No line break may fall between these two characters, by the rules LibreOffice and
    Word apply: none before closing punctuation, none on either side of a quote mark
    (Unicode class QU), none after opening brackets, none inside a Latin word or number,
    and none between CJK punctuation and the Latin word after it (measured)."""
    if after in CLOSING or after in QUOTES or before in QUOTES or before in OPENING:
        return True
    if after.isascii() and after.strip():
        return (before.isascii() and bool(before.strip())) or (
            not before.isascii() and before in CLOSING and after.isalnum())
    return False


def _new_paragraph(previous: list[dict], line: list[dict]) -> bool:
    """A full line ending a sentence, then a line opening with a list marker (1. （一） 一、):
    a paragraph break, whatever the room left (units number their points one per line)."""
    return previous[-1]["text"] in SENTENCE_END and bool(
        LIST_MARKER.match("".join(c["text"] for c in line[:6])))


def _lines(chars: list[dict]) -> list[list[dict]]:
    lines: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        if lines and abs(lines[-1][0]["top"] - char["top"]) <= LINE_TOLERANCE:
            lines[-1].append(char)
        else:
            lines.append([char])
    return [sorted(line, key=lambda c: c["x0"]) for line in lines]


def _line_text(line: list[dict]) -> str:
    """The line's chars, with a space for a wide gap between Latin words only: beside
    Chinese text a gap is layout (justification, autospace), never a typed space."""
    out = []
    for previous, char in zip([None] + line, line):
        if previous is not None and previous["text"].isascii() and char["text"].isascii():
            gap = char["x0"] - previous["x1"]
            if gap > 0.6 * (char.get("size") or 10.0) and not out[-1].isspace():
                out.append(" ")
        out.append(char["text"])
    return "".join(out).strip()
