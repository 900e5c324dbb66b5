"""PDF -> form rows, scanned flag and seal, with pdfium (text layer, rules, rendering).

Ruled tables only (Word and WPS print every form with its borders), found by
pdfplumber's TableFinder on the rules pdfium gives (pdfpage); a table that
starts a page without a header, as wide as the form table that ended the page
before, continues it. A page whose fonts give pdfium no Unicode (a PDF made
through PostScript) takes its chars from pdfminer instead, taught the glyphs
where the original font is installed (glyphs). Pages are rendered for the seal
check only where they hold images or coloured vector graphics: a page of black
text has no seal.
"""

from __future__ import annotations

import io
from itertools import count

import pypdfium2
from pdfplumber.table import TableFinder

from mailbot.extract import glyphs, seal as seals
from mailbot.extract.errors import ExtractError
from mailbot.extract.form import EMPTY, Cell, Document, Grid, Header, find_header, read_form
from mailbot.extract.pdfpage import Layer, read_layer, upright
from mailbot.extract.pdftable import CID, dedupe, table_grid
from mailbot.core.models import Campaign, Extraction

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                  "snap_tolerance": 3, "join_tolerance": 3, "intersection_tolerance": 3}
MAX_PAGES = 200
SCAN_COVER = 0.5     # share of the page an image must cover for a scanned page
USABLE_CHARS = 10
RENDER_ENDS = 10     # seal check on the first and last pages only: seals sit at the end
RUNNING_HEAD = 0.08  # the top of a page where a running head (页眉) stands


def read(data: bytes, campaign: Campaign) -> Extraction:
    document = _open(data)
    try:
        layers = _layers(document)
        turned = upright(document, layers)
        if turned is not None:  # pages turned so their text runs left to right
            document.close()
            data, document = turned, _open(turned)
            layers = _layers(document)
        if not len(document):
            raise ExtractError("PDF 文件没有页面")
        return _read_pages(layers, len(document), data, campaign)
    finally:
        document.close()


def _layers(document) -> list[Layer]:
    layers = []
    for number in range(min(len(document), MAX_PAGES)):
        page = document[number]
        layers.append(read_layer(page))
        page.close()
    return layers


def _open(data: bytes) -> pypdfium2.PdfDocument:
    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        raise _plain(error) from None


def _plain(error: pypdfium2.PdfiumError) -> ExtractError:
    """pdfium's load errors, said plainly."""
    if error.err_code == pypdfium2.raw.FPDF_ERR_PASSWORD:
        return ExtractError("PDF 文件设有打开密码，请取消密码后重新发送")
    if error.err_code == pypdfium2.raw.FPDF_ERR_SECURITY:
        return ExtractError("PDF 文件已加密（加密方式不受支持），请取消加密后重新发送")
    return ExtractError("PDF 文件已损坏或不完整，请重新导出后发送")


def _read_pages(layers: list[Layer], pages: int, data: bytes, campaign: Campaign) -> Extraction:
    grids: list[Grid] = []
    warnings: list[str] = []
    scanned_pages, text_pages, render = 0, 0, []
    refs = count()
    with _Pdfminer(data) as pdfminer:
        for number, layer in enumerate(layers):
            chars = dedupe(pdfminer.chars(number, layer.chars) if layer.unmapped
                           else layer.chars)
            usable = sum(1 for c in chars if c["text"].strip() and CID not in c["text"])
            if any(CID in c["text"] for c in chars):
                warnings.append(f"第 {number + 1} 页：文字层无法读取（字体未嵌入字符编码），"
                                "这些单元格未读取")
            kind = _page_kind(layer, usable)
            text_pages += kind == "text"
            scanned_pages += kind == "scan"
            if layer.images or layer.coloured:
                render.append(number)
            for index, table in enumerate(_tables(layer)):
                add_grid(grids, table_grid(table, chars, refs),
                         index == 0 and _nothing_above(layer, table, chars))
    if pages > MAX_PAGES:
        warnings.append(f"只读取了前 {MAX_PAGES} 页")
    result = read_form(Document([_without_cid(grid) for grid in grids]), campaign)
    scanned = scanned_pages > 0 and text_pages == 0
    if scanned:
        warnings.append("扫描件：PDF 没有文字层")
    return Extraction(file="", format="", has_form=result.has_form, scanned=scanned,
                      seal=_seal(data, render, scanned), rows=result.rows,
                      warnings=tuple(warnings) + result.warnings)


class _Pdfminer:
    """The chars of pages pdfium cannot read (fonts without Unicode), from pdfminer taught
    the glyphs of the fonts that are installed; the PDF opened there only when asked, and
    pdfium's chars kept (their glyphs told unreadable) where pdfminer cannot open it."""

    def __init__(self, data: bytes):
        self.data = data
        self.document = None

    def __enter__(self) -> _Pdfminer:
        return self

    def __exit__(self, *_) -> None:
        if self.document is not None:
            self.document.close()

    def chars(self, number: int, pdfiums: list[dict]) -> list[dict]:
        import pdfplumber
        from pdfplumber.utils.exceptions import PdfminerException
        from pdfminer.pdfparser import PDFSyntaxError
        from pdfminer.psparser import PSException
        try:
            if self.document is None:
                self.document = pdfplumber.open(io.BytesIO(self.data))
                glyphs.teach(self.document, MAX_PAGES)
            return self.document.pages[number].chars
        except (PdfminerException, PDFSyntaxError, PSException, IndexError):
            return pdfiums


def _tables(layer: Layer) -> list:
    """The page's ruled tables, found by pdfplumber's TableFinder on pdfium's rules."""
    if layer.rules < 2 or len(layer.edges) < 2:  # no grid without two rules
        return []
    settings = dict(TABLE_SETTINGS, vertical_strategy="explicit",
                    horizontal_strategy="explicit", explicit_vertical_lines=layer.edges,
                    explicit_horizontal_lines=layer.edges)
    return TableFinder(None, settings).tables


def _page_kind(layer: Layer, usable: int) -> str | None:
    """"scan" for a page that is an image: no text, or text over the image without a single
    ruling (the invisible OCR layer of a searchable scan, which a form's text never is);
    "text" for a page with text of its own; None for an empty page."""
    if _image_cover(layer) >= SCAN_COVER and (usable < USABLE_CHARS or not layer.rules):
        return "scan"
    return "text" if usable >= USABLE_CHARS else None


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


def _nothing_above(layer: Layer, table, chars: list[dict]) -> bool:
    """No text between the page's running head and the table: the table opens the page
    (a table after a paragraph on a new page is another table)."""
    top = table.bbox[1]
    head = layer.height * RUNNING_HEAD
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


def _image_cover(layer: Layer) -> float:
    area = float(layer.width * layer.height) or 1.0
    covered = 0.0
    for x0, top, x1, bottom in layer.images:
        width = max(0.0, min(x1, layer.width) - max(x0, 0))
        height = max(0.0, min(bottom, layer.height) - max(top, 0))
        covered = max(covered, width * height / area)
    return covered


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
