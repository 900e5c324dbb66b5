"""One page image -> the grids of its ruled tables and the text around them.

OCR lines are cut into characters spread over the line's box, in PDF points, so
that the same code that reads a PDF's cells (pdftable: merged cells, wrapped
lines rejoined, paragraph breaks kept) reads the scan's cells too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import count

import numpy as np

from mailbot.extract.form import Grid
from mailbot.extract.ocr import geometry
from mailbot.extract.ocr.engine import OcrEngine, TextLine
from mailbot.extract.pdftable import cell_text, table_grid
from mailbot.extract.text import clean_lines

POINTS = 72 / 200     # pages are rendered at about 200 dpi
HALF_WIDTH = 0.55     # a Latin letter or digit is about half as wide as a Chinese character
SPACE_BY_CJK = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")
FULL_WIDTH = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "!": "！", "?": "？"}
PUNCTUATION_BY_CJK = re.compile(r'(?<=[^\x00-\x7f])[,;:()!?"]|[,;:()!?"](?=[^\x00-\x7f])')


@dataclass(frozen=True)
class PageText:
    """What OCR read on a page: its table grids, the text outside them (title, 填报单位
    line), and the engine's mean score for each cell's text."""

    grids: list[Grid]
    outside: str
    scores: dict[str, float]


@dataclass(frozen=True)
class _Table:
    """A geometry.Table as pdftable.table_grid wants it: cells in points."""

    cells: list[tuple[float, float, float, float]]


def read_page(rgb: np.ndarray, engine: OcrEngine, refs: count) -> PageText:
    """Straighten the page, find its tables, read its text, turn it upright if the text
    says so (and read it again), and put each line in its cell.

    A page without a ruled table is not read at all (a cover letter, a photo of
    something else): only the form's cells and the lines around them matter. Most
    pages come upright, so the way a page lies is judged from the text lines read
    for it, not from a reading of its own."""
    grey = geometry.without_red(rgb)
    table = geometry.outline(grey)
    if table is None:
        return PageText([], "", {})  # no ruled table, no form: not worth the OCR time
    grey = geometry.straighten(grey, table)
    rules, lines = _read(grey, engine)
    turns = engine.quarter_turns(grey, lines)
    if turns:
        grey = np.ascontiguousarray(np.rot90(grey, turns))
        rules, lines = _read(grey, engine)
    found = geometry.tables(rules)
    chars = [char for line in lines for char in _chars(line)]
    grids, scores = [], {}
    for table in found:
        cells = [_points(cell) for cell in table.cells]
        grids.append(table_grid(_Table(cells), chars, refs))
        for cell in cells:
            inside = _inside(chars, cell)
            if inside:
                text = clean_lines(cell_text(cell, inside))
                scores[text] = sum(c["score"] for c in inside) / len(inside)
    boxes = [_points(table.box) for table in found]
    outside = [c for c in chars if not any(_holds(box, c) for box in boxes)]
    return PageText(grids, _lines_text(outside), scores)


def _read(grey: np.ndarray, engine: OcrEngine) -> tuple[np.ndarray, list[TextLine]]:
    """The page's rules, and its text lines read with the rules painted over."""
    rules = geometry.rule_mask(grey)
    return rules, engine.read(geometry.erase(grey, rules))


def _points(box) -> tuple[float, float, float, float]:
    return tuple(value * POINTS for value in box)


def _chars(line: TextLine) -> list[dict]:
    """The line's characters with boxes shared out by width, as pdfplumber chars."""
    text = chinese_punctuation(SPACE_BY_CJK.sub("", line.text.strip()))
    weights = [HALF_WIDTH if char.isascii() else 1.0 for char in text]
    total = sum(weights) or 1.0
    step = (line.right - line.left) / total
    size = (line.bottom - line.top) * POINTS * 0.8
    chars, x = [], line.left
    for char, weight in zip(text, weights):
        chars.append({"text": char, "x0": x * POINTS, "x1": (x + weight * step) * POINTS,
                      "top": line.top * POINTS, "bottom": line.bottom * POINTS,
                      "size": size, "score": line.score})
        x += weight * step
    return chars


def chinese_punctuation(text: str) -> str:
    """ASCII punctuation beside Chinese text in its full-width form, as it was typed:
    the recogniser cannot tell "，" from "," nor “ from \" by their shapes. Quote marks
    open and close in turn."""
    quotes = iter("“”" * len(text))
    return PUNCTUATION_BY_CJK.sub(
        lambda m: next(quotes) if m[0] == '"' else FULL_WIDTH[m[0]], text)


def _holds(box, char: dict) -> bool:
    x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _inside(chars: list[dict], box) -> list[dict]:
    return [char for char in chars if _holds(box, char)]


def _lines_text(chars: list[dict]) -> str:
    """Characters outside the tables as lines of text, top to bottom."""
    if not chars:
        return ""
    left = min(c["x0"] for c in chars)
    right = max(c["x1"] for c in chars)
    bottom = max(c["bottom"] for c in chars)
    return cell_text((left, 0.0, right, bottom), chars)
