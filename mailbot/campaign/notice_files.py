"""A notice file -> NoticeText: plain text, DOCX, PDF with text, or .doc/.wps via LibreOffice.

Tables are read with extract's own DOCX and PDF table readers (merged cells
counted once). A PDF's body lines are joined back into paragraphs where a line
runs to the right margin, so "一、…" and its "（责任单位：…）" end up on one line
as they are in Word.
"""

from __future__ import annotations

import io
import re
import tempfile
from pathlib import Path

import pdfplumber
from docx import Document

from mailbot.extract import soffice
from mailbot.campaign.notice import NoticeText
from mailbot.campaign.text_table import Table, text_tables
from mailbot.extract.docx import read_grids
from mailbot.extract.form import Grid
from mailbot.extract.pdf import TABLE_SETTINGS
from mailbot.extract.pdftable import dedupe, table_grid

CONVERTED = (".doc", ".wps", ".rtf", ".odt", ".wpt", ".dot")
WRAP_SLACK = 3.0  # a line ending within this many characters of the margin runs on
# (CJK justification and the rule that 。 never starts a line leave up to ~3 short)
OPENS_PARAGRAPH = re.compile(r"^([一二三四五六七八九十]{1,3}[、.．]|联系人|附件|抄送)")


class NoticeError(Exception):
    """The notice cannot be read at all; the message says why, in Chinese."""


def read_notice_file(path: Path) -> NoticeText:
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return docx_notice(path.read_bytes())
    if suffix == ".pdf":
        return pdf_notice(path.read_bytes())
    if suffix in CONVERTED:
        return _converted(path)
    return text_notice(_decoded(path.read_bytes(), path))


def text_notice(text: str) -> NoticeText:
    return NoticeText(tuple(text.replace("\r\n", "\n").split("\n")), text_tables(text))


def _decoded(data: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NoticeError(f"《{path.name}》不是可识别的文本文件（应为 UTF-8 或 GBK 编码）")


def docx_notice(data: bytes) -> NoticeText:
    try:
        document = Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises several kinds for a bad package
        raise NoticeError(f"无法打开 Word 文件：{error}") from None
    lines = tuple(paragraph.text for paragraph in document.paragraphs)
    return NoticeText(lines, tuple(_table(grid) for grid in read_grids(data)))


def _table(grid: Grid) -> Table:
    """Rows of cell texts, a cell merged across columns counted once."""
    table = []
    for row in grid:
        seen, cells = set(), []
        for cell in row:
            if cell.ref is not None and cell.ref in seen:
                continue
            seen.add(cell.ref)
            cells.append(cell.text.strip())
        table.append(cells)
    return table


def pdf_notice(data: bytes) -> NoticeText:
    try:
        document = pdfplumber.open(io.BytesIO(data))
    except Exception as error:  # pdfminer raises many kinds for a damaged file
        raise NoticeError(f"无法打开 PDF 文件：{error}") from None
    lines: list[tuple[str, bool]] = []  # (text, runs on into the next line)
    tables: list[Table] = []
    with document:
        refs = iter(range(10**9))
        for page in document.pages:
            found = page.find_tables(TABLE_SETTINGS)
            chars = dedupe(page.chars)
            for table in found:
                _add_table(tables, _table(table_grid(table, chars, refs)))
            lines.extend(_page_lines(page, [t.bbox for t in found]))
    lines = _paragraphs(lines)
    if not any(line.strip() for line in lines):
        raise NoticeError("PDF 中没有文字层（可能是扫描件），请提供 Word 版或文字版通知")
    return NoticeText(tuple(lines), tuple(tables))


def _add_table(tables: list[Table], table: Table) -> None:
    """A table as wide as the one before, starting a page without its header, continues it."""
    if tables and table and len(table[0]) == len(tables[-1][0]) and \
            table[0][0].strip() != tables[-1][0][0].strip():
        tables[-1].extend(table)
    elif table:
        tables.append(table)


def _page_lines(page, boxes) -> list[tuple[str, bool]]:
    """The page's text lines outside tables, each marked when it reaches the right margin."""
    rows = [line for line in page.extract_text_lines()
            if not any(_inside(line, box) for box in boxes)]
    right = max((line["x1"] for line in rows), default=0)
    return [(line["text"].strip(),
             line["x1"] >= right - WRAP_SLACK * max((c["size"] for c in line["chars"]),
                                                    default=10))
            for line in rows]


def _paragraphs(lines: list[tuple[str, bool]]) -> list[str]:
    """Wrapped lines joined (across pages too), except before a line that opens an item."""
    paragraphs: list[str] = []
    runs_on = False
    for text, full in lines:
        if runs_on and not OPENS_PARAGRAPH.match(text):
            paragraphs[-1] += text
        else:
            paragraphs.append(text)
        runs_on = full
    return paragraphs


def _inside(line, box) -> bool:
    x0, top, x1, bottom = box
    return line["top"] >= top - 1 and line["bottom"] <= bottom + 1


def _converted(path: Path) -> NoticeText:
    with tempfile.TemporaryDirectory(prefix="mailbot-notice-") as scratch:
        try:
            docx = soffice.convert(path, "docx:MS Word 2007 XML", Path(scratch))
        except soffice.ConvertError as error:
            raise NoticeError(f"无法转换《{path.name}》：{error}") from None
        return docx_notice(docx.read_bytes())
