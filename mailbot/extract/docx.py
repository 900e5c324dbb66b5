"""DOCX -> the document's tables as grids of cells and its other paragraphs, from the XML.

python-docx's Paragraph.text drops text inside content controls (w:sdt),
insertions (w:ins), hyperlinks and smart tags, and its cell grid repeats merged
cells without saying so. This reader walks WordprocessingML directly (also
Strict OOXML, by matching local names) and gives each grid slot the identity
of its real cell: gridSpan repeats it, a vMerge continuation inherits the cell
above. The text is the document as Word shows it with every tracked change
accepted: deletions and moved-from text out, insertions in, comments and hidden
text out, an unfilled content control's placeholder empty, a text box's text
once (its VML fallback copy skipped), a table nested in a cell as lines of that
cell. XML is parsed without entities, DTDs or network.
"""

from __future__ import annotations

from itertools import count

from lxml import etree

from mailbot.extract.archive import open_zip, read_member
from mailbot.extract.errors import ExtractError
from mailbot.extract.form import EMPTY, Cell, Document, Grid

WHAT = "Word 文件"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, remove_comments=True, remove_pis=True)
_WRAPPERS = {"sdt", "sdtContent", "customXml", "smartTag", "ins", "moveTo"}
_SKIP = {"Fallback", "delText", "instrText", "delInstrText", "tcPr", "trPr", "tblPr", "pPr",
         "rPr", "sdtPr", "sdtEndPr", "del", "moveFrom", "commentReference",
         "footnoteReference", "endnoteReference", "fldData"}
PLACEHOLDER_STYLES = {"PlaceholderText", "Placeholder Text"}
_MAY_HIDE = {"sdt", "r"}


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
    raise ExtractError(f"{WHAT}缺少正文，可能已损坏")


def parse_xml(data: bytes, name: str):
    """The part's root element; DTDs (entity bombs) are refused before parsing."""
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:65536]:
        raise ExtractError(f"{WHAT}内含 Word 从不写入的 XML 实体声明，出于安全考虑未读取")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        raise ExtractError(f"{WHAT}已损坏（内容格式错误）") from None
    if root is None:
        raise ExtractError(f"{WHAT}已损坏（内容为空）")
    return root


def read(data: bytes) -> Document:
    """The document's outer tables as grids (a nested table is part of its cell's text)
    and the text of the paragraphs outside them (where 填报单位 is written)."""
    archive = open_zip(data, WHAT)
    name = main_part(archive)
    root = parse_xml(read_member(archive, name, WHAT), name)
    if _local(root) != "document":
        raise ExtractError(f"{WHAT}的正文不是 Word 文档格式")
    refs = count()
    tables, lines = [], []
    _outer(root, tables, lines)
    return Document(grids=[_grid(table, refs) for table in tables], lines=tuple(lines))


def _outer(element, tables: list, lines: list[str]) -> None:
    """Collect the tables not inside another table, and the paragraphs outside tables."""
    for child in element:
        name = _local(child)
        if name in _SKIP or (name in _MAY_HIDE and _hidden(child, name)):
            continue
        if name == "tbl":
            tables.append(child)
        elif name == "p":
            lines.append(cell_text(child))
            _outer_tables_only(child, tables)
        else:
            _outer(child, tables, lines)


def _outer_tables_only(paragraph, tables: list) -> None:
    """Tables in a text box anchored in a body paragraph are outer tables too."""
    for child in paragraph:
        name = _local(child)
        if name in _SKIP:
            continue
        if name == "tbl":
            tables.append(child)
        else:
            _outer_tables_only(child, tables)


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
        if _deleted_row(tr):
            continue
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


def _deleted_row(tr) -> bool:
    """A row deleted with tracked changes on (w:trPr/w:del): gone once accepted."""
    return any(_local(child) == "del" for pr in tr if _local(pr) == "trPr" for child in pr)


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
        if name in _SKIP or (name in _MAY_HIDE and _hidden(child, name)):
            continue
        if name == "t":
            parts.append(child.text or "")
        elif name in ("br", "cr"):
            parts.append("\n")
        elif name == "tab":
            parts.append(" ")
        elif name == "noBreakHyphen":
            parts.append("-")
        elif name == "tbl":
            parts.extend(_nested_lines(child))
        else:
            _walk(child, parts)
            if name == "p" and not _mark_deleted(child):
                parts.append("\n")


def _nested_lines(table) -> list[str]:
    """A table inside a cell: one line per row, its cells' text side by side."""
    lines = []
    for tr in _children(table, "tr"):
        if _deleted_row(tr):
            continue
        texts = (" ".join(cell_text(tc).split()) for tc in _children(tr, "tc"))
        lines.append("\n" + " ".join(text for text in texts if text) + "\n")
    return lines


def _pr_children(element, pr_name: str):
    for pr in element:
        if _local(pr) == pr_name:
            yield from pr


def _hidden(element, name: str) -> bool:
    """Text Word does not show: an unfilled content control (its placeholder), a run in
    the placeholder style, hidden (w:vanish) text."""
    if name == "sdt":
        return any(_local(child) == "showingPlcHdr" for child in _pr_children(element, "sdtPr"))
    if name == "r":
        for child in _pr_children(element, "rPr"):
            child_name = _local(child)
            if child_name == "vanish" and _attr(child, "val") not in ("0", "false"):
                return True
            if child_name == "rStyle" and _attr(child, "val") in PLACEHOLDER_STYLES:
                return True
    return False


def _mark_deleted(paragraph) -> bool:
    """A paragraph whose mark is a tracked deletion runs on into the next one."""
    for pr in paragraph:
        if _local(pr) == "pPr":
            return any(_local(child) == "del" for child in _pr_children(pr, "rPr"))
    return False
