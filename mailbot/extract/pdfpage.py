"""A PDF page's text layer and rules from pdfium: chars, ruling edges, images, colour.

pdfplumber's chars cost about 75 ms a page (pdfminer interprets every content
stream in Python); pdfium gives the same chars and the path segments in C at a
fraction of that. The shapes are pdfplumber's, so the table logic (pdftable)
and pdfplumber's TableFinder take them unchanged: a char is a dict with text,
x0/x1 (its advance: pdfium's loose box, which also covers the glyph's ink, so a
CJK char is cut back to its em), bottom on the baseline and top a font size
above it (as pdfminer puts them) and size, in points from the page's top left;
an edge is a pdfplumber edge. pdfium's generated chars (the spaces and line ends it infers
from gaps) are dropped: a space counts only where the producer typed one; and a
typed space it leaves out (one drawn on its own at a line's end) is put back.

pdfium's text page ignores /Rotate, so turned pages are set upright (upright) and
read again: every page that is rotated, or whose text is drawn turned, gets its
content transformed so its text runs left to right with no /Rotate.
"""

from __future__ import annotations

import ctypes
import io
import math
from collections import Counter
from dataclasses import dataclass
from unicodedata import east_asian_width

import pypdfium2
import pypdfium2.raw as pdfium

from mailbot.extract.pdftable import CID

STRAIGHT = 0.5  # points: a segment whose ends differ by less is horizontal (or vertical)
TURNED_SHARE = 0.6  # a page is turned when this share of its characters is
COLOURED = 0.3 * 255  # RGB channel spread of a saturated colour (an electronic seal)
WIDE = ("W", "F")  # East Asian wide and full-width chars: one em of advance
SPACE = 0.25  # em: the width given to a space pdfium leaves out (fonts draw 0.22-0.32)
INKLESS = 0.01  # points: the bounds of a text object that draws nothing
FORM_DEPTH = 15  # nested form XObjects followed this deep
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class Layer:
    """What the form reader needs of one page, in pdfplumber's shapes and coordinates."""

    width: float
    height: float
    chars: list[dict]
    edges: list[dict]
    images: list[tuple[float, float, float, float]]  # x0, top, x1, bottom
    rules: int  # painted subpaths (lines, rectangles, curves): a page with none is not ruled
    coloured: bool  # a path or text painted in a saturated colour
    unmapped: bool  # chars whose font gives no Unicode, "(cid:NN)" here as in pdfminer
    turn: int | None  # the /Rotate that sets the page's text upright; None: it is (upright)


def upright(document: pypdfium2.PdfDocument, layers: list[Layer]) -> bytes | None:
    """The PDF saved with every turned page set upright (content transformed, no /Rotate),
    or None when every page reads left to right already."""
    if all(layer.turn is None for layer in layers):
        return None
    for number, layer in enumerate(layers):
        if layer.turn is not None:
            page = document[number]
            _transform(page, layer.turn)
            page.close()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _turn(page, angles: Counter) -> int | None:
    """The /Rotate that shows the page's text upright (the angle most of its characters
    are drawn at), or None when the page has no /Rotate and its text is upright."""
    rotation = page.get_rotation()
    angle, share = angles.most_common(1)[0] if angles else (0, 0)
    if share <= TURNED_SHARE * sum(angles.values()):
        angle = rotation  # no angle most chars share: the page as it is shown
    return None if angle == rotation == 0 else angle


def _quadrant(matrix) -> int:
    """The angle (0, 90, 180, 270) nearest to a char's direction."""
    if abs(matrix.a) >= abs(matrix.b):
        return 0 if matrix.a > 0 else 180
    return 90 if matrix.b > 0 else 270


def _transform(page, rotation: int) -> None:
    """Draw the page's content turned by `rotation` into an upright box, as a viewer shows
    a page with that /Rotate (the transforms pdfminer applies for /Rotate)."""
    x0, y0, x1, y1 = page.get_mediabox()
    matrix = {0: (1, 0, 0, 1, -x0, -y0), 90: (0, -1, 1, 0, -y0, x1),
              180: (-1, 0, 0, -1, x1, y1), 270: (0, 1, -1, 0, y1, -x0)}[rotation]
    pdfium.FPDFPage_TransFormWithClip(page, pdfium.FS_MATRIX(*matrix), None)
    width, height = (x1 - x0, y1 - y0) if rotation in (0, 180) else (y1 - y0, x1 - x0)
    page.set_mediabox(0, 0, width, height)
    page.set_cropbox(0, 0, width, height)
    page.set_rotation(0)


def read_layer(page) -> Layer:
    """The page's chars, edges, images and colour, and how it is turned: its chars and
    rules read as they are only on a page that is upright (turn None)."""
    x0, y0, x1, y1 = page.get_mediabox()
    place = (x0, y1)  # user space -> points from the top left
    chars, angles = _chars(page, place)
    walk = _Walk(place)
    for index in range(pdfium.FPDFPage_CountObjects(page)):
        walk.visit(pdfium.FPDFPage_GetObject(page, index), IDENTITY, 0)
    return Layer(x1 - x0, y1 - y0, chars + walk.spaces, walk.edges, walk.images, walk.rules, walk.coloured,
                 any(char["text"].startswith(CID) for char in chars), _turn(page, angles))


def _chars(page, place: tuple[float, float]) -> tuple[list[dict], Counter]:
    """The page's text layer, every char the producer drew in pdfplumber's shape, and the
    count of its visible chars by the angle they are drawn at."""
    left, top = place
    textpage = page.get_textpage()
    box, matrix = pdfium.FS_RECTF(), pdfium.FS_MATRIX()
    x, y = ctypes.c_double(), ctypes.c_double()
    chars, angles = [], Counter()
    for index in range(pdfium.FPDFText_CountChars(textpage)):
        if pdfium.FPDFText_IsGenerated(textpage, index):
            continue
        code = pdfium.FPDFText_GetUnicode(textpage, index)
        text = (f"{CID}{code})" if pdfium.FPDFText_HasUnicodeMapError(textpage, index)
                else chr(code))
        pdfium.FPDFText_GetLooseCharBox(textpage, index, box)
        pdfium.FPDFText_GetCharOrigin(textpage, index, x, y)
        pdfium.FPDFText_GetMatrix(textpage, index, matrix)
        size = pdfium.FPDFText_GetFontSize(textpage, index) * math.sqrt(
            abs(matrix.a * matrix.d - matrix.b * matrix.c))
        bottom = top - y.value
        width = box.right - box.left
        if width > size and len(text) == 1 and east_asian_width(text) in WIDE:
            width = size  # the loose box covers a glyph that overhangs its em
        chars.append({"text": text, "x0": box.left - left, "x1": box.left + width - left,
                      "top": bottom - size, "bottom": bottom, "size": size})
        if text.strip():
            angles[_quadrant(matrix)] += 1
    textpage.close()
    return chars, angles


def _saturated(red: int, green: int, blue: int) -> bool:
    return max(red, green, blue) - min(red, green, blue) > COLOURED


class _Walk:
    """Visits a page's objects, into form XObjects, collecting edges and images in page
    coordinates and whether anything is painted in colour. pdfium's out-parameters are
    made once a walk: made afresh for every object they were a third of its time."""

    def __init__(self, place: tuple[float, float]):
        self.place = place
        self.edges: list[dict] = []
        self.images: list[tuple[float, float, float, float]] = []
        self.rules = 0
        self.coloured = False
        self.spaces: list[dict] = []
        self._matrix = pdfium.FS_MATRIX()
        self._colour = [ctypes.c_uint() for _ in range(4)]
        self._bounds = [ctypes.c_float() for _ in range(4)]

    def visit(self, obj, outer: Matrix, depth: int) -> None:
        kind = pdfium.FPDFPageObj_GetType(obj)
        if kind == pdfium.FPDF_PAGEOBJ_TEXT:  # most objects: the matrix only for a space
            self.coloured = self.coloured or self._painted_in_colour(obj)
            if self._blank(obj):
                self.spaces.append(self._space(obj, _times(self._matrix_of(obj), outer)))
            return
        matrix = _times(self._matrix_of(obj), outer)
        if kind == pdfium.FPDF_PAGEOBJ_FORM and depth < FORM_DEPTH:
            for index in range(pdfium.FPDFFormObj_CountObjects(obj)):
                self.visit(pdfium.FPDFFormObj_GetObject(obj, index), matrix, depth + 1)
        elif kind == pdfium.FPDF_PAGEOBJ_PATH:
            self.coloured = self.coloured or self._painted_in_colour(obj)
            edges, subpaths = _path_edges(obj, matrix, self.place)
            self.edges += edges
            self.rules += subpaths
        elif kind == pdfium.FPDF_PAGEOBJ_IMAGE:
            corners = [self._at(matrix, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
            xs, ys = [x for x, _ in corners], [y for _, y in corners]
            self.images.append((min(xs), min(ys), max(xs), max(ys)))

    def _space(self, obj, matrix: Matrix) -> dict:
        """A typed space drawn on its own, which pdfium's text page leaves out where it
        ends a line: word processors wrap after it, so the line's room ends there."""
        x, y = self._at(matrix, 0.0, 0.0)
        size = ctypes.c_float()
        pdfium.FPDFTextObj_GetFontSize(obj, size)
        size = size.value * math.sqrt(abs(matrix[0] * matrix[3] - matrix[1] * matrix[2]))
        return {"text": " ", "x0": x, "x1": x + SPACE * size, "top": y - size, "bottom": y,
                "size": size}

    def _at(self, matrix: Matrix, x: float, y: float) -> tuple[float, float]:
        return _point(matrix, x, y, self.place)

    def _blank(self, obj) -> bool:
        """A text object without ink (only spaces)."""
        left, bottom, right, top = self._bounds
        return bool(pdfium.FPDFPageObj_GetBounds(obj, left, bottom, right, top)) and \
            right.value - left.value < INKLESS and top.value - bottom.value < INKLESS

    def _matrix_of(self, obj) -> Matrix:
        matrix = self._matrix
        if not pdfium.FPDFPageObj_GetMatrix(obj, matrix):
            return IDENTITY
        return (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)

    def _painted_in_colour(self, obj) -> bool:
        red, green, blue, alpha = self._colour
        return any(get(obj, red, green, blue, alpha)
                   and _saturated(red.value, green.value, blue.value)
                   for get in (pdfium.FPDFPageObj_GetFillColor,
                               pdfium.FPDFPageObj_GetStrokeColor))


def _times(inner: Matrix, outer: Matrix) -> Matrix:
    """inner, then outer (PDF's row-vector convention)."""
    a, b, c, d, e, f = inner
    p, q, r, s, t, u = outer
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + t, e * q + f * s + u)


def _point(matrix: Matrix, x: float, y: float, place) -> tuple[float, float]:
    a, b, c, d, e, f = matrix
    return a * x + c * y + e - place[0], place[1] - (b * x + d * y + f)


def _path_edges(obj, matrix: Matrix, place) -> tuple[list[dict], int]:
    """(edges, subpaths) of a path: its horizontal and vertical segments as pdfplumber edges, straightened:
    drawn under a rotation (or by ghostscript), a rule's two ends differ in the last
    bits. Every point counts, Bézier control points too, as pdfminer lists them."""
    x, y = ctypes.c_float(), ctypes.c_float()
    edges: list[dict] = []
    start = previous = None
    subpaths = 0
    for index in range(pdfium.FPDFPath_CountSegments(obj)):
        segment = pdfium.FPDFPath_GetPathSegment(obj, index)
        pdfium.FPDFPathSegment_GetPoint(segment, x, y)
        point = _point(matrix, x.value, y.value, place)
        if pdfium.FPDFPathSegment_GetType(segment) == pdfium.FPDF_SEGMENT_MOVETO:
            start = point
            subpaths += 1
        elif previous is not None:
            edges += _edge(previous, point)
        if pdfium.FPDFPathSegment_GetClose(segment) and start is not None:
            edges += _edge(point, start)
        previous = point
    return edges, subpaths


def _edge(one: tuple[float, float], two: tuple[float, float]) -> list[dict]:
    (xa, ya), (xb, yb) = one, two
    if abs(ya - yb) < STRAIGHT:
        middle = (ya + yb) / 2
        x0, x1 = min(xa, xb), max(xa, xb)
        return [{"object_type": "line_edge", "orientation": "h", "x0": x0, "x1": x1,
                 "top": middle, "bottom": middle, "width": x1 - x0, "height": 0.0}]
    if abs(xa - xb) < STRAIGHT:
        middle = (xa + xb) / 2
        top, bottom = min(ya, yb), max(ya, yb)
        return [{"object_type": "line_edge", "orientation": "v", "x0": middle, "x1": middle,
                 "top": top, "bottom": bottom, "width": 0.0, "height": bottom - top}]
    return []
