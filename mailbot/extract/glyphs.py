"""Text layers without Unicode, the way ghostscript (ps2pdf) writes fonts: glyph -> char.

A PDF that went through PostScript has lost its ToUnicode maps, so pdfminer
gives "(cid:1)" for every character. Two kinds of font can still be read where
the font the document was set in is installed (the Noto CJK and DejaVu fonts
LibreOffice uses, here):
- CID-keyed CJK fonts come back as simple fonts whose glyphs are named by CID
  (/cid16869): the CID is the glyph's number in the original font, whose cmaps
  (every face of its collection) say which character it draws;
- TrueType subsets (digits, Latin) keep each glyph's outline as it was in the
  original font, so the outline finds the glyph, and its character, there.
pdfminer is taught these characters before it reads a page (teach). Fonts are
found through fontconfig's list and read with fontTools, once per process; a font that is not installed leaves the text as it was, and the page
is then told unreadable as before.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
from functools import lru_cache

from pdfminer.pdftypes import resolve1
from pdfminer.psparser import PSLiteral

CID_NAME = re.compile(r"^cid(\d+)$")
SUBSET = re.compile(r"^[A-Z]{6}\+")
logging.getLogger("fontTools").setLevel(logging.ERROR)  # its notes on old font dates


def teach(document, pages: int) -> None:
    """Give pdfminer the characters of the unreadable glyphs in the fonts of the first
    `pages` pages, before any page is read: the font objects it caches per PDF object are
    created here and their code -> character table completed, where the original font
    is installed."""
    seen: set[object] = set()
    for page in document.pages[:pages]:
        fonts = resolve1((page.page_obj.resources or {}).get("Font")) or {}
        for ref in fonts.values():
            objid = getattr(ref, "objid", None)
            if objid is None or objid in seen:
                continue
            seen.add(objid)
            spec = resolve1(ref)
            mapped = _characters(spec) if isinstance(spec, dict) else {}
            if mapped:
                font = document.rsrcmgr.get_font(objid, spec)
                if hasattr(font, "cid2unicode"):
                    font.cid2unicode.update(mapped)


def _characters(spec: dict) -> dict[int, str]:
    """{code: character} for a simple font without ToUnicode whose glyphs can be told."""
    if "ToUnicode" in spec or _name(spec.get("Subtype")) not in ("Type1", "TrueType"):
        return {}
    installed = SUBSET.sub("", _name(spec.get("BaseFont")))
    if not installed:
        return {}
    names = _differences(resolve1(spec.get("Encoding")))
    if names:
        chars = _cid_chars(installed, set(names.values()))
        return {code: chars[name] for code, name in names.items() if name in chars}
    return _outline_chars(spec, installed)


def _name(value) -> str:
    value = resolve1(value)
    if isinstance(value, PSLiteral):
        return value.name if isinstance(value.name, str) else value.name.decode("latin-1")
    return value.decode("latin-1") if isinstance(value, bytes) else str(value or "")


def _differences(encoding) -> dict[int, str]:
    """{code: glyph name} of an /Encoding's /Differences, CID-named glyphs only."""
    if not isinstance(encoding, dict):
        return {}
    names, code = {}, 0
    for entry in resolve1(encoding.get("Differences")) or []:
        if isinstance(entry, int):
            code = entry
            continue
        match = CID_NAME.match(_name(entry))
        if match:
            names[code] = f"cid{int(match.group(1)):05d}"
        code += 1
    return names


def _outline_chars(spec: dict, base_font: str) -> dict[int, str]:
    """{code: character} of an embedded TrueType subset, its glyphs found by outline in
    the installed font."""
    descriptor = resolve1(spec.get("FontDescriptor"))
    stream = resolve1(descriptor.get("FontFile2")) if isinstance(descriptor, dict) else None
    outlines = _outlines(base_font)
    if stream is None or not outlines:
        return {}
    from fontTools.ttLib import TTFont
    try:
        subset = TTFont(io.BytesIO(stream.get_data()), lazy=True)
        codes = {}
        for table in subset["cmap"].tables:
            for point, glyph in table.cmap.items():
                codes.setdefault(point - 0xF000 if point >= 0xF000 else point, glyph)
        return {code: outlines[shape] for code, glyph in codes.items()
                if 0 <= code < 256 and (shape := _outline(subset, glyph)) in outlines}
    except Exception:  # noqa: BLE001 - a damaged embedded font: the text stays unreadable
        return {}


def _outline(font, glyph: str) -> tuple:
    coordinates, ends, _ = font["glyf"][glyph].getCoordinates(font["glyf"])
    return tuple(coordinates), tuple(ends)


def _preferred(code: int) -> tuple[bool, int]:
    """Several characters drawn by one glyph: a unified ideograph before a Kangxi radical
    or a compatibility form, else the lowest code point."""
    return (not 0x4E00 <= code <= 0x9FFF, code)


def _cid_chars(base_font: str, wanted: set[str]) -> dict[str, str]:
    """{glyph name: character} for the wanted glyphs, from the installed collection the
    base font is a face of (NotoSerifCJKjp-Regular for NotoSerifCJKjp-Regular-VKana): the
    faces share their glyphs and each maps its own region's forms, so the named face is
    asked first and the others only for what it does not map."""
    path, index = _installed(base_font)
    if path is None:
        return {}
    chars: dict[str, str] = {}
    for face in [index] + [n for n in range(_faces(path)) if n != index]:
        for glyph, char in _face_chars(path, face).items():
            if glyph in wanted:
                chars.setdefault(glyph, char)
        if len(chars) == len(wanted):
            break
    return chars


@lru_cache(maxsize=1)
def _faces(path: str) -> int:
    from fontTools.ttLib import TTCollection
    try:
        return len(TTCollection(path, lazy=True).fonts) if path.lower().endswith(".ttc") else 1
    except Exception:  # noqa: BLE001 - a damaged system font leaves the text unreadable
        return 0


@lru_cache(maxsize=16)
def _face_chars(path: str, face: int) -> dict[str, str]:
    from fontTools.ttLib import TTFont
    try:
        font = TTFont(path, fontNumber=face, lazy=True)
        chars: dict[str, str] = {}
        for code, glyph in sorted(font.getBestCmap().items(),
                                  key=lambda pair: _preferred(pair[0])):
            chars.setdefault(glyph, chr(code))
        return chars
    except Exception:  # noqa: BLE001
        return {}


@lru_cache(maxsize=8)
def _outlines(base_font: str) -> dict[tuple, str]:
    """{outline: character} of the installed TrueType font of that name."""
    path, index = _installed(base_font)
    if path is None:
        return {}
    from fontTools.ttLib import TTFont
    try:
        font = TTFont(path, fontNumber=index, lazy=True)
        if "glyf" not in font:
            return {}
        shapes: dict[tuple, str] = {}
        for code, glyph in sorted(font.getBestCmap().items(),
                                  key=lambda pair: _preferred(pair[0])):
            shapes.setdefault(_outline(font, glyph), chr(code))
        return shapes
    except Exception:  # noqa: BLE001
        return {}


def _installed(base_font: str) -> tuple[str | None, int]:
    """(file, face index) of the installed font whose PostScript name the base font
    starts with, the longest such name."""
    found = [(name, path, index) for name, path, index in _font_list()
             if base_font.startswith(name)]
    if not found:
        return None, 0
    _, path, index = max(found, key=lambda entry: len(entry[0]))
    return path, index


@lru_cache(maxsize=1)
def _font_list() -> tuple[tuple[str, str, int], ...]:
    """(PostScript name, file, index in the collection) of every installed font."""
    if shutil.which("fc-list") is None:
        return ()
    try:
        listing = subprocess.run(["fc-list", "--format", "%{postscriptname}\t%{file}\t%{index}\n"],
                                 capture_output=True, text=True, timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    entries = []
    for line in listing.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0] and parts[2].isdigit():
            entries.append((parts[0], parts[1], int(parts[2])))
    return tuple(entries)
