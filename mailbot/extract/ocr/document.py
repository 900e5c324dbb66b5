"""Scanned pages -> form rows: straighten, find the ruled cells, OCR, then the form logic.

The rows come out of the same `read_form` as for DOCX and PDF, each marked
`ocr=True` with the engine's mean score for its progress text. The seal is
looked for on the page as it came (in colour), the text read with red removed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from itertools import count

import numpy as np
from PIL import Image

from mailbot.extract import seal as seals
from mailbot.extract.form import Document, Grid, read_form
from mailbot.extract.ocr.engine import OcrEngine
from mailbot.extract.ocr.page import read_page
from mailbot.extract.pdf import add_grid
from mailbot.extract.pdftable import LIST_MARKER, SENTENCE_END
from mailbot.core.models import Campaign, Extraction

log = logging.getLogger("mailbot.extract")
QUOTE = re.compile("[“”]")


def read_pages(pages: list[Image.Image], campaign: Campaign, engine: OcrEngine,
               name: str = "", seal: bool = True) -> Extraction:
    """Every page read by OCR; a table running on from the page before continues it.
    `seal=False` where the seal was judged already (a PDF's parse renders its pages
    for that at the detector's size): the verdict is then None here."""
    grids: list[Grid] = []
    outside, scores, refs = [], {}, count()
    for number, page in enumerate(pages, start=1):
        log.info("OCR %s: page %d of %d", name, number, len(pages))
        text = read_page(np.asarray(page), engine, refs)
        for grid in text.grids:
            add_grid(grids, grid)
        outside.append(text.outside)
        scores.update(text.scores)
    result = read_form(Document(grids), campaign)
    rows = tuple(replace(row, ocr=True, progress=rejoin(row.progress),
                         confidence=_rounded(scores.get(row.progress)))
                 for row in result.rows)
    return Extraction(file="", format="", has_form=result.has_form, scanned=True,
                      seal=_seal(pages) if seal else None, rows=rows,
                      text="\n".join(outside).strip(),
                      warnings=result.warnings)


def rejoin(text: str) -> str:
    """Paragraph breaks kept only after a sentence's end or before a list marker.

    OCR gives each line's box, not its glyphs' widths, so the room left at a line's
    end is only roughly known and a wrapped line can look like a short one; a
    paragraph of a progress report ends with its sentence."""
    lines = text.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        broken = out[-1][-1:] in SENTENCE_END or LIST_MARKER.match(line)
        out.append(("\n" if broken else "") + line)
    quotes = iter("“”" * len(text))  # a quotation may run over a line: open and close in turn
    return QUOTE.sub(lambda _: next(quotes), "".join(out))


def _rounded(score: float | None) -> float | None:
    return None if score is None else round(score, 3)


def _seal(pages: list[Image.Image]) -> bool | None:
    """True if any page shows a seal; None only where no page carries colour at all."""
    verdicts = [seals.find_seal(page) for page in pages]
    if any(verdicts):
        return True
    return None if all(verdict is None for verdict in verdicts) else False
