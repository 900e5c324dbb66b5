"""PDF -> form rows, scanned flag and seal, with pdfplumber (text) and pdfium (rendering).

Ruled tables only (Word and WPS print every form with its borders); a table
that starts a page without a header, as wide as the form table that ended the
page before, continues it. Pages are rendered for the seal check only where
they hold images or coloured vector graphics: a page of black text has no seal.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from itertools import count

import pdfplumber
import pypdfium2
from pdfplumber.utils.exceptions import PdfminerException
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException

from mailbot.extract import glyphs, seal as seals
from mailbot.extract.errors import ExtractError
from mailbot.extract.form import EMPTY, Cell, Document, Grid, Header, find_header, read_form
from mailbot.extract.pdftable import CID, dedupe, table_grid
from mailbot.core.models import Campaign, Extraction

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                  "snap_tolerance": 3, "join_tolerance": 3, "intersection_tolerance": 3}
STRAIGHT = 0.5  # points: a rule whose ends differ by less is horizontal (or vertical)
MAX_PAGES = 200
SCAN_COVER = 0.5     # share of the page an image must cover for a scanned page
USABLE_CHARS = 10
RENDER_ENDS = 10     # seal check on the first and last pages only: seals sit at the end
RUNNING_HEAD = 0.08  # the top of a page where a running head (页眉) stands
TURNED_SHARE = 0.6  # a page is turned when this share of its characters is


def read(data: bytes, campaign: Campaign) -> Extraction:
    document = _open(data)
    turned = _upright(document, data)
    if turned is not None:  # pages turned so their text runs left to right
        document.close()
        data, document = turned, _open(turned)
    with document:
        if not document.pages:
            raise ExtractError("empty PDF (no pages)")
        return _read_pages(document, data, campaign)


def _open(data: bytes):
    """The PDF opened, pdfminer taught the glyphs its text layer leaves without Unicode."""
    try:
        document = pdfplumber.open(io.BytesIO(data))
        glyphs.teach(document, MAX_PAGES)
        return document
    except PdfminerException as error:
        raise _plain(error.args[0] if error.args else error) from None
    except (PDFPasswordIncorrect, PDFEncryptionError, PDFSyntaxError, PSException) as error:
        raise _plain(error) from None


def _upright(document, data: bytes) -> bytes | None:
    """The PDF with every page whose text runs turned (a landscape form on portrait paper,
    /Rotate or content drawn turned) given the /Rotate that sets its text upright; None
    when every page reads left to right already."""
    turns = {number: _text_angle(page) for number, page in enumerate(document.pages[:MAX_PAGES])}
    if not any(turns.values()):
        return None
    pdf = pypdfium2.PdfDocument(data)
    try:
        for number, turn in turns.items():
            if turn:
                page = pdf[number]
                page.set_rotation((page.get_rotation() + turn) % 360)
        out = io.BytesIO()
        pdf.save(out)
    finally:
        pdf.close()
    return out.getvalue()


def _text_angle(page) -> int:
    """The angle (0, 90, 180, 270) most of the page's characters are drawn at."""
    angles = Counter(round(math.degrees(math.atan2(c["matrix"][1], c["matrix"][0])) / 90) % 4 * 90
                     for c in page.chars if c["text"].strip())
    if not angles:
        return 0
    angle, share = angles.most_common(1)[0]
    return angle if share > TURNED_SHARE * sum(angles.values()) else 0


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
        kind = _page_kind(page, usable)
        text_pages += kind == "text"
        scanned_pages += kind == "scan"
        if page.images or _coloured(page):
            render.append(number)
        for index, table in enumerate(_tables(page)):
            add_grid(grids, table_grid(table, chars, refs),
                     index == 0 and _nothing_above(page, table, chars))
    if len(document.pages) > MAX_PAGES:
        warnings.append(f"only the first {MAX_PAGES} pages were read")
    result = read_form(Document([_without_cid(grid) for grid in grids]), campaign)
    scanned = scanned_pages > 0 and text_pages == 0
    if scanned:
        warnings.append("scanned PDF: no text layer, rows cannot be read without OCR")
    return Extraction(file="", format="", has_form=result.has_form, scanned=scanned,
                      seal=_seal(data, render, scanned), rows=result.rows,
                      warnings=tuple(warnings) + result.warnings)


def _tables(page) -> list:
    """The page's ruled tables. The rules are given to pdfplumber straightened: drawn under
    a rotation (or by ghostscript), a horizontal line's two ends differ in the last bits,
    and pdfplumber would take it for a vertical one."""
    rules = page.rects + page.curves + [_straightened(line) for line in page.lines]
    if len(rules) < 2:
        return []
    return page.find_tables(dict(TABLE_SETTINGS, vertical_strategy="explicit",
                                 horizontal_strategy="explicit", explicit_vertical_lines=rules,
                                 explicit_horizontal_lines=rules))


def _straightened(line: dict) -> dict:
    if abs(line["top"] - line["bottom"]) < STRAIGHT:
        middle = (line["top"] + line["bottom"]) / 2
        return dict(line, top=middle, bottom=middle, height=0.0)
    if abs(line["x0"] - line["x1"]) < STRAIGHT:
        middle = (line["x0"] + line["x1"]) / 2
        return dict(line, x0=middle, x1=middle, width=0.0)
    return line


def _page_kind(page, usable: int) -> str | None:
    """"scan" for a page that is an image: no text, or text over the image without a single
    ruling (the invisible OCR layer of a searchable scan, which a form's text never is);
    "text" for a page with text of its own; None for an empty page."""
    if _image_cover(page) >= SCAN_COVER and (usable < USABLE_CHARS or not _ruled(page)):
        return "scan"
    return "text" if usable >= USABLE_CHARS else None


def _ruled(page) -> bool:
    return bool(page.lines or page.rects or page.curves)


def add_grid(grids: list[Grid], grid: Grid, opens_page: bool = True) -> None:
    """Append a table, or join it to the form table it continues from the page before: a
    table that opens its page, as wide as the form, with no header or the form's header
    repeated (Word's 重复标题行) above the rows that run on."""
    if not grid:
        return
    header = find_header(grids[-1]) if grids else None
    if header is None or not opens_page or len(grid[0]) != len(grids[-1][0]):
        grids.append(grid)
        return
    repeated = find_header(grid)
    if repeated is not None and repeated.columns != header.columns:
        grids.append(grid)
        return
    rest = grid[repeated.data_start:] if repeated else grid
    if rest:
        grids[-1] = _continued(grids[-1], rest, header)


def _nothing_above(page, table, chars: list[dict]) -> bool:
    """No text between the page's running head and the table: the table opens the page
    (a table after a paragraph on a new page is another table)."""
    top = table.bbox[1]
    head = page.height * RUNNING_HEAD
    return not any(head < char["bottom"] <= top and char["text"].strip() for char in chars)


def _continued(previous: Grid, grid: Grid, header: Header) -> Grid:
    """The form table with its continuation: a 序号/实事名称/完成时限 cell merged over the
    page break is blank on the new page and inherits the cell above; a row split by the
    break is joined back."""
    names = [header.first(f) for f in ("seq", "title", "deadline") if f in header.columns]
    last = previous[-1]
    rows = []
    for row in grid:
        row = list(row)
        for col in names:
            if row[col].ref == grid[0][col].ref and not row[col].text.strip():
                row[col] = last[col]
        rows.append(row)
    if _split_row(previous, grid, header):
        lines = set(header.columns.get("units", ()))  # one unit a line: a break, not a wrap
        return previous[:-1] + [_joined(last, grid[0], lines)] + rows[1:]
    return previous + rows


def _split_row(previous: Grid, grid: Grid, header: Header) -> bool:
    """Is the new page's first row the rest of the last row of the page before?

    Its 序号 is blank (a number never wraps; the 实事名称 may have run over). So is it in
    the next row of a group whose 序号 is merged over the break (one row per unit): there
    a named 责任单位 starts a new row. Outside such a group a blank 序号 means a split
    row, even where the 责任单位 cell, listing several units, ran over the break too."""
    key = header.first("seq") if "seq" in header.columns else header.first("title")
    if grid[0][key].text.strip():
        return False
    units = header.first("units")
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
            verdict = seals.find_seal(seals.page_image(page))
            if verdict:
                return True
            verdicts.append(verdict)
    finally:
        document.close()
    return None if None in verdicts and scanned else False
