"""PDF -> form rows, scanned flag and seal, with pdfplumber (text) and pdfium (rendering).

Ruled tables only (Word and WPS print every form with its borders); a table
that starts a page without a header, as wide as the form table that ended the
page before, continues it. Pages are rendered for the seal check only where
they hold images or coloured vector graphics: a page of black text has no seal.
"""

from __future__ import annotations

import io
from itertools import count

import pdfplumber
import pypdfium2
from pdfplumber.utils.exceptions import PdfminerException
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException

from mailbot.extract import seal as seals
from mailbot.extract.errors import ExtractError
from mailbot.extract.form import EMPTY, Cell, Grid, Header, find_header, read_form
from mailbot.extract.pdftable import CID, dedupe, table_grid
from mailbot.core.models import Campaign, Extraction

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                  "snap_tolerance": 3, "join_tolerance": 3, "intersection_tolerance": 3}
MAX_PAGES = 200
SCAN_COVER = 0.5     # share of the page an image must cover for a scanned page
USABLE_CHARS = 10
RENDER_WIDTH = 500   # pixels
RENDER_ENDS = 10     # seal check on the first and last pages only: seals sit at the end


def read(data: bytes, campaign: Campaign) -> Extraction:
    try:
        document = pdfplumber.open(io.BytesIO(data))
    except PdfminerException as error:
        raise _plain(error.args[0] if error.args else error) from None
    except (PDFPasswordIncorrect, PDFEncryptionError, PDFSyntaxError, PSException) as error:
        raise _plain(error) from None
    with document:
        if not document.pages:
            raise ExtractError("empty PDF (no pages)")
        return _read_pages(document, data, campaign)


def _plain(error: BaseException) -> ExtractError:
    """pdfplumber wraps pdfminer's errors; say what they mean."""
    if isinstance(error, PDFPasswordIncorrect):
        return ExtractError("encrypted PDF (password-protected): send it without a password")
    if isinstance(error, PDFEncryptionError):
        return ExtractError(f"encrypted PDF ({error})")
    return ExtractError(f"not a PDF: damaged or truncated ({error or type(error).__name__})")


def _read_pages(document, data: bytes, campaign: Campaign) -> Extraction:
    grids: list[Grid] = []
    warnings: list[str] = []
    scanned_pages, text_pages, render = 0, 0, []
    refs = count()
    for number, page in enumerate(document.pages[:MAX_PAGES]):
        chars = dedupe(page.chars)
        usable = sum(1 for c in chars if c["text"].strip() and CID not in c["text"])
        if any(CID in c["text"] for c in chars):
            warnings.append(f"page {number + 1}: text layer unreadable ((cid:NN) glyphs "
                            "without Unicode); those cells were not read")
        image_cover = _image_cover(page)
        if usable >= USABLE_CHARS:
            text_pages += 1
        elif image_cover >= SCAN_COVER:
            scanned_pages += 1
        if page.images or _coloured(page):
            render.append(number)
        for table in page.find_tables(TABLE_SETTINGS):
            add_grid(grids, table_grid(table, chars, refs))
    if len(document.pages) > MAX_PAGES:
        warnings.append(f"only the first {MAX_PAGES} pages were read")
    result = read_form([_without_cid(grid) for grid in grids], campaign)
    scanned = scanned_pages > 0 and text_pages == 0
    if scanned:
        warnings.append("scanned PDF: no text layer, rows cannot be read without OCR")
    return Extraction(file="", format="", has_form=result.has_form, scanned=scanned,
                      seal=_seal(data, render, scanned), rows=result.rows,
                      warnings=tuple(warnings) + result.warnings)


def add_grid(grids: list[Grid], grid: Grid) -> None:
    """Append a table, or join it to the form table it continues from the page before."""
    if not grid:
        return
    header = find_header(grids[-1]) if grids else None
    if header is None or find_header(grid) is not None or len(grid[0]) != len(grids[-1][0]):
        grids.append(grid)
        return
    grids[-1] = _continued(grids[-1], grid, header)


def _continued(previous: Grid, grid: Grid, header: Header) -> Grid:
    """The form table with its continuation: a 序号/实事名称/完成时限 cell merged over the
    page break is blank on the new page and inherits the cell above; a row split by the
    break is joined back."""
    names = [header.columns[f] for f in ("seq", "title", "deadline") if f in header.columns]
    last = previous[-1]
    rows = []
    for row in grid:
        row = list(row)
        for col in names:
            if row[col].ref == grid[0][col].ref and not row[col].text.strip():
                row[col] = last[col]
        rows.append(row)
    if _split_row(previous, grid, header):
        lines = {header.columns.get("units")}  # one unit a line: a break, not a wrap
        return previous[:-1] + [_joined(last, grid[0], lines)] + rows[1:]
    return previous + rows


def _split_row(previous: Grid, grid: Grid, header: Header) -> bool:
    """Is the new page's first row the rest of the last row of the page before?

    Its 序号 is blank (a number never wraps; the 实事名称 may have run over). So is it in
    the next row of a group whose 序号 is merged over the break (one row per unit): there
    a named 责任单位 starts a new row. Outside such a group a blank 序号 means a split
    row, even where the 责任单位 cell, listing several units, ran over the break too."""
    key = header.columns.get("seq", header.columns.get("title"))
    if grid[0][key].text.strip():
        return False
    units = header.columns.get("units")
    if units is None or not grid[0][units].text.strip():
        return True
    merged = (len(previous) > 1 and previous[-2][key].ref == previous[-1][key].ref) or (
        len(grid) > 1 and grid[1][key].ref == grid[0][key].ref)
    return not merged


def _joined(upper: list[Cell], lower: list[Cell], lines: set) -> list[Cell]:
    """One row from its two halves on two pages: the text ran on, so no break between,
    except in the columns listed one item a line (`lines`)."""
    return [Cell(a.text + ("\n" if col in lines else "") + b.text, a.ref)
            if b.text.strip() else a for col, (a, b) in enumerate(zip(upper, lower))]


def _without_cid(grid: Grid) -> Grid:
    return [[EMPTY if CID in cell.text else cell for cell in row] for row in grid]


def _image_cover(page) -> float:
    area = float(page.width * page.height) or 1.0
    covered = 0.0
    for image in page.images:
        width = max(0.0, min(image["x1"], page.width) - max(image["x0"], 0))
        height = max(0.0, min(image["bottom"], page.height) - max(image["top"], 0))
        covered = max(covered, width * height / area)
    return covered


def _coloured(page) -> bool:
    """Any vector object or char painted in a saturated colour (an electronic seal)."""
    for obj in page.chars + page.rects + page.curves + page.lines:
        for key in ("non_stroking_color", "stroking_color"):
            if _is_colour(obj.get(key)):
                return True
    return False


def _is_colour(colour) -> bool:
    if not isinstance(colour, (tuple, list)) or not all(isinstance(v, (int, float))
                                                        for v in colour):
        return False
    if len(colour) == 3:
        return max(colour) - min(colour) > 0.3
    if len(colour) == 4:
        return max(colour[:3]) - min(colour[:3]) > 0.3
    return False


def _seal(data: bytes, pages: list[int], scanned: bool) -> bool | None:
    """True if any rendered page shows a seal; None if a scanned page had no colour at all."""
    if len(pages) > 2 * RENDER_ENDS:
        pages = pages[:RENDER_ENDS] + pages[-RENDER_ENDS:]
    if not pages:
        return None if scanned else False
    document = pypdfium2.PdfDocument(data)
    try:
        verdicts = []
        for number in pages:
            page = document[number]
            scale = RENDER_WIDTH / max(page.get_width(), 1.0)
            image = page.render(scale=scale).to_pil()
            verdict = seals.find_seal(image)
            if verdict:
                return True
            verdicts.append(verdict)
    finally:
        document.close()
    return None if None in verdicts and scanned else False
