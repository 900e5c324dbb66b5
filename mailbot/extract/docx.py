"""DOCX -> grids of cells, read from the XML itself.

python-docx's Paragraph.text drops text inside content controls (w:sdt),
insertions (w:ins), hyperlinks and smart tags, and its cell grid repeats merged
cells without saying so. This reader walks WordprocessingML directly (also
Strict OOXML, by matching local names) and gives each grid slot the identity
of its real cell: gridSpan repeats it, a vMerge continuation inherits the cell
above. XML is parsed without entities, DTDs or network.
"""

from __future__ import annotations

from itertools import count

from lxml import etree

from mailbot.extract.archive import open_zip, read_member
from mailbot.extract.errors import ExtractError
from mailbot.extract.form import EMPTY, Cell, Grid

WHAT = "not a DOCX"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, remove_comments=True, remove_pis=True)
_WRAPPERS = {"sdt", "sdtContent", "customXml", "smartTag", "ins", "moveTo"}
_SKIP = {"Fallback", "delText", "instrText", "tcPr", "trPr", "tblPr", "pPr", "rPr",
         "del", "moveFrom", "commentReference", "footnoteReference"}


def _local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _attr(element, name: str) -> str | None:
    for attr, value in element.attrib.items():
        if attr.rsplit("}", 1)[-1] == name:
            return value
    return None


def main_part(archive) -> str:
    """The main document's part name, from the package relationships (it may be renamed)."""
    names = set(archive.namelist())
    if "_rels/.rels" in names:
        rels = parse_xml(read_member(archive, "_rels/.rels", WHAT), "_rels/.rels")
        for rel in rels:
            if (_attr(rel, "Type") or "").endswith("/officeDocument"):
                target = (_attr(rel, "Target") or "").lstrip("/")
                if target in names:
                    return target
    if "word/document.xml" in names:
        return "word/document.xml"
    raise ExtractError(f"{WHAT}: no main document part (word/document.xml) in the zip")


def parse_xml(data: bytes, name: str):
    """The part's root element; DTDs (entity bombs) are refused before parsing."""
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:65536]:
        raise ExtractError(f"XML entity bomb refused: {name} declares a DTD or entities, "
                           "which Word never writes")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as error:
        raise ExtractError(f"{WHAT}: broken XML in {name} ({error})") from None
    if root is None:
        raise ExtractError(f"{WHAT}: empty XML in {name}")
    return root


def read_grids(data: bytes) -> list[Grid]:
    """Every table of the document (nested ones too) as a grid of cells."""
    archive = open_zip(data, WHAT)
    name = main_part(archive)
    root = parse_xml(read_member(archive, name, WHAT), name)
    if _local(root) != "document":
        raise ExtractError(f"{WHAT}: {name} is not a Word document body")
    refs = count()
    return [_grid(table, refs) for table in root.iter("{*}tbl")]


def _children(element, wanted: str):
    """Child elements named `wanted`, looking through content controls and custom XML."""
    for child in element:
        name = _local(child)
        if name == wanted:
            yield child
        elif name in _WRAPPERS:
            yield from _children(child, wanted)


def _grid(table, refs) -> Grid:
    grid: Grid = []
    for tr in _children(table, "tr"):
        row: list[Cell] = [EMPTY] * _grid_before(tr)
        above = grid[-1] if grid else []
        for tc in _children(tr, "tc"):
            span = _span(tc)
            merge = _vmerge(tc)
            col = len(row)
            if merge == "continue" and col < len(above) and above[col].ref is not None:
                cell = above[col]
            else:
                cell = Cell(cell_text(tc), next(refs))
            row.extend([cell] * span)
        grid.append(row)
    return grid


def _grid_before(tr) -> int:
    for pr in tr:
        if _local(pr) == "trPr":
            for child in pr:
                if _local(child) == "gridBefore":
                    return _int(_attr(child, "val"), 0)
    return 0


def _tc_pr(tc, name: str):
    for pr in tc:
        if _local(pr) == "tcPr":
            for child in pr:
                if _local(child) == name:
                    return child
    return None


def _span(tc) -> int:
    span = _tc_pr(tc, "gridSpan")
    return max(1, min(_int(_attr(span, "val"), 1), 64)) if span is not None else 1


def _vmerge(tc) -> str | None:
    merge = _tc_pr(tc, "vMerge")
    if merge is None:
        return None
    return "restart" if _attr(merge, "val") == "restart" else "continue"


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def cell_text(tc) -> str:
    """All visible text of a cell: paragraphs and breaks as "\\n", tabs as spaces."""
    parts: list[str] = []
    _walk(tc, parts)
    return "".join(parts)


def _walk(element, parts: list[str]) -> None:
    for child in element:
        name = _local(child)
        if name in _SKIP:
            continue
        if name == "t":
            parts.append(child.text or "")
        elif name in ("br", "cr"):
            parts.append("\n")
        elif name == "tab":
            parts.append(" ")
        elif name == "noBreakHyphen":
            parts.append("-")
        else:
            _walk(child, parts)
            if name == "p":
                parts.append("\n")
