"""Find the progress form among a document's tables and read its rows (pure).

Every format reader (DOCX, PDF, converted .doc/.wps) reduces a document to a
list of grids of `Cell`s; a cell carries the identity of the underlying cell
(`ref`) so merged cells, which readers repeat in every grid slot they cover,
are recognised as one. Everything after that is decided here, on plain data.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailbot.extract.match import match_item, match_units
from mailbot.extract.text import clean_lines, key
from mailbot.core.models import DEFAULT_COLUMNS, Campaign, Column, ColumnRole, FormRow

# Header keywords, checked in this order: a 完成时限 cell must not count as a
# title, nor 具体措施及任务进度情况 as a deadline.
FIELDS = (
    ("deadline", ("时限", "完成时间", "截止时间", "完成时间节点")),
    ("progress", ("进度", "进展", "措施", "完成情况", "工作情况")),
    ("units", ("责任单位", "牵头单位", "单位", "部门")),
    ("title", ("实事名称", "名称", "实事", "项目", "事项")),
    ("seq", ("序号", "编号", "序")),
)
HEADER_ROWS_SCANNED = 6
ROLE_FIELDS = {ColumnRole.SEQ: "seq", ColumnRole.TITLE: "title", ColumnRole.UNITS: "units",
               ColumnRole.DEADLINE: "deadline", ColumnRole.FILLED: "progress"}


@dataclass(frozen=True)
class Cell:
    """One grid slot: its text and the identity of the real cell behind it."""

    text: str
    ref: object


Grid = list[list[Cell]]
EMPTY = Cell("", None)


@dataclass(frozen=True)
class Header:
    """Where the form's columns are, and the first data row."""

    columns: dict[str, int]
    data_start: int


@dataclass(frozen=True)
class FormResult:
    has_form: bool
    rows: tuple[FormRow, ...]
    warnings: tuple[str, ...]


def classify(text: str, columns: tuple[Column, ...] = DEFAULT_COLUMNS) -> str | None:
    """The form field a header cell names, or None (备注, blank, anything else).

    The campaign's own headings count first (工作任务 names the title there); a
    further column of a role already taken (配合单位 after 牵头单位, 存在问题 after
    进展情况) is a field of its own, named by its heading."""
    flat = key(text)
    if not flat or len(flat) > 16:
        return None
    for column in columns:
        if key(column.name) == flat:
            return _field(column, columns)
    for column in further_columns(columns):
        if key(column.name) in flat:
            return column.name
    for field, words in FIELDS:
        if any(word in flat for word in words):
            return field
    return None


def further_columns(columns: tuple[Column, ...]) -> list[Column]:
    """The columns after the first of their role: read under their own heading."""
    firsts = {column.role: column for column in reversed(columns)}
    return [column for column in columns if firsts[column.role] != column]


def _field(column: Column, columns: tuple[Column, ...]) -> str:
    if column in further_columns(columns):
        return column.name
    return ROLE_FIELDS[column.role]


def _cell(row: list[Cell], col: int) -> Cell:
    return row[col] if col < len(row) else EMPTY


def _header_texts(grid: Grid, start: int, height: int) -> list[str]:
    """Per column, the text of `height` header rows joined (merged cells counted once)."""
    width = max(len(row) for row in grid[start:start + height])
    texts = []
    for col in range(width):
        seen, parts = set(), []
        for row in grid[start:start + height]:
            cell = _cell(row, col)
            if cell.ref is not None and cell.ref in seen:
                continue
            seen.add(cell.ref)
            parts.append(cell.text)
        texts.append("".join(parts))
    return texts


def _columns(texts: list[str], configured: tuple[Column, ...] = DEFAULT_COLUMNS) -> dict[str, int]:
    columns: dict[str, int] = {}
    for col, text in enumerate(texts):
        field = classify(text, configured)
        if field and field not in columns:
            columns[field] = col
    return columns


def find_header(grid: Grid, configured: tuple[Column, ...] = DEFAULT_COLUMNS) -> Header | None:
    """The header of a form table: 具体措施 plus 实事名称 or 序号, in one or two rows."""
    best: Header | None = None
    for start in range(min(HEADER_ROWS_SCANNED, len(grid))):
        for height in (1, 2):
            if start + height > len(grid):
                continue
            columns = _columns(_header_texts(grid, start, height), configured)
            if "progress" not in columns or not ({"title", "seq"} & columns.keys()):
                continue
            if best is None or len(columns) > len(best.columns):
                best = Header(columns, start + height)
        if best is not None:
            return best
    return None


def read_form(grids: list[Grid], campaign: Campaign) -> FormResult:
    """All filled rows of every form table in the document, matched to the campaign."""
    rows: list[FormRow] = []
    warnings: list[str] = []
    found = False
    for grid in grids:
        header = find_header(grid, campaign.columns) if grid else None
        if header is None:
            continue
        found = True
        _read_rows(grid, header, campaign, rows, warnings)
    if not found:
        warnings.append("no progress table found")
    return FormResult(found, tuple(rows), tuple(warnings))


def _read_rows(grid: Grid, header: Header, campaign: Campaign,
               rows: list[FormRow], warnings: list[str]) -> None:
    done: set[object] = set()
    for number, row in enumerate(grid[header.data_start:], start=header.data_start + 1):
        cells = {field: _cell(row, col) for field, col in header.columns.items()}
        progress_cell = cells["progress"]
        if progress_cell.ref is not None and progress_cell.ref in done:
            continue  # a vertically merged progress cell, read at its first row
        done.add(progress_cell.ref)
        if _spans_row(cells) or len(_columns([c.text for c in row], campaign.columns)) >= 3:
            continue  # a heading spanning the table, or the header repeated
        progress = clean_lines(progress_cell.text)
        if not progress:
            continue
        texts = {field: clean_lines(cell.text) for field, cell in cells.items()}
        item, warning = match_item(texts.get("seq", ""), texts.get("title", ""), campaign)
        if warning:
            warnings.append(f"table row {number}: {warning}")
        if item is None:
            continue
        more_units = [c.name for c in further_columns(campaign.columns)
                      if c.role is ColumnRole.UNITS]
        named = match_units("\n".join(texts.get(f, "") for f in ("units", *more_units)),
                            campaign)
        rows.append(FormRow(
            seq=item.seq, title=item.title, units=item.units,
            unit=named[0] if len(named) == 1 else None,
            progress=progress, deadline=texts.get("deadline", ""),
            extra=tuple((c.name, texts.get(c.name, "")) for c in campaign.filled_columns[1:]),
        ))


def _spans_row(cells: dict[str, Cell]) -> bool:
    """True when the progress slot is the same cell as the title or seq slot."""
    ref = cells["progress"].ref
    if ref is None:
        return False
    return any(cells[field].ref == ref for field in ("title", "seq") if field in cells)
