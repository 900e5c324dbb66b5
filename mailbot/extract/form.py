"""Find the progress form among a document's tables and read its rows (pure).

Every format reader (WordML, spreadsheets, PDF text layers; converted .doc,
.wps, .odt, .xls, .et, .ods) reduces a document to one `Document`: grids of
`Cell`s and the text outside them. A cell carries the identity of the
underlying cell (`ref`) so merged cells, which readers repeat in every grid
slot they cover, are recognised as one. Everything after that is decided here,
on plain data: the form's columns by their headers, each row lined up with
them (or refused), matched to an item, kept only when it is a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailbot.extract.boiler import boilerplate, placeholder
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
MULTI = ("progress", "units")
REPORTER = re.compile(r"(?:填报|报送|填表|报告)(?:单位|部门)\s*[:：]?\s*([^\n]*)")
BRACKETED = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
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
class Document:
    """What every reader (WordML, spreadsheet, PDF) makes of a file: its tables as grids,
    and the lines of text outside them (a 填报单位 line, the title)."""

    grids: list[Grid]
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Header:
    """Where the form's columns are, and the first data row. Progress and 责任单位 may
    take several columns (具体措施 | 任务进度情况, 牵头单位 | 配合单位), read together."""

    columns: dict[str, tuple[int, ...]]
    data_start: int

    def first(self, field: str) -> int | None:
        cols = self.columns.get(field)
        return cols[0] if cols else None


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


def _columns(texts: list[str], configured: tuple[Column, ...] = DEFAULT_COLUMNS
             ) -> dict[str, tuple[int, ...]]:
    """Field -> its columns: the first column for most fields, every one for MULTI (two
    columns the generic words both name progress, or 责任单位, are read together)."""
    columns: dict[str, tuple[int, ...]] = {}
    for col, text in enumerate(texts):
        field = classify(text, configured)
        if field and (field not in columns or field in MULTI):
            columns[field] = columns.get(field, ()) + (col,)
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


def read_form(document: Document, campaign: Campaign) -> FormResult:
    """All filled rows of the document's form tables, matched to the campaign. A table
    with no form header gives no rows, nor does one after the form with other columns."""
    rows: list[FormRow] = []
    warnings: list[str] = []
    form: Header | None = None
    reporter = reporting_unit(document, campaign)
    for number, grid in enumerate(document.grids, start=1):
        header = find_header(grid, campaign.columns) if grid else None
        if header is None:
            continue
        if form is not None and header.columns.keys() != form.columns.keys():
            warnings.append(f"报表之后的第 {number} 个表格栏目不同，未读取")
            continue
        form = form or header
        _read_rows(grid, header, Context(campaign, reporter), rows, warnings)
    if form is None:
        warnings.append("未找到进展情况报表")
    return FormResult(form is not None, tuple(rows), tuple(warnings))


def reporting_unit(document: Document, campaign: Campaign) -> str | None:
    """The unit a 填报单位/报送单位 line names, in the text or in a cell of any table."""
    texts = [*document.lines, *(cell.text for grid in document.grids for row in grid
                                for cell in dict.fromkeys(row))]
    for text in texts:
        for match in REPORTER.finditer(text):
            tail = BRACKETED.sub(" ", match.group(1))
            named = match_units(tail, campaign)
            if named:
                return named[0]
    return None


@dataclass(frozen=True)
class Context:
    """What reading a table's rows needs besides the table: the campaign and the unit the
    document's 填报单位 line names."""

    campaign: Campaign
    reporter: str | None


def _read_rows(grid: Grid, header: Header, context: Context,
               rows: list[FormRow], warnings: list[str]) -> None:
    done: set[object] = set()
    starts = _starts(grid[header.data_start - 1])
    configured = context.campaign.columns
    for number, row in enumerate(grid[header.data_start:], start=header.data_start + 1):
        cells = _fields(row, header)
        if _spans_row(cells) or len(_columns([c.text for c in row], configured)) >= 3:
            continue  # a heading spanning the table, or the header repeated
        if not _aligned(row, header, starts):
            cells = _realigned(row, header, starts)
            if cells is None:
                if any(cell.text.strip() for cell in row):
                    warnings.append(f"表格第 {number} 行：单元格与表头对不齐，未读取")
                continue
        progress_refs = tuple(cell.ref for cell in cells["progress"])
        if progress_refs in done:
            continue  # a vertically merged progress cell, read at its first row
        done.add(progress_refs)
        row_read = _row(cells, context, number, warnings)
        if row_read is not None:
            rows.append(row_read)


def _fields(row: list[Cell], header: Header) -> dict[str, tuple[Cell, ...]]:
    """Field -> the distinct cells in its columns (a cell spanning two counted once)."""
    fields = {}
    for field, cols in header.columns.items():
        distinct: list[Cell] = []
        for col in cols:
            cell = _cell(row, col)
            if cell.ref is None or all(cell.ref != seen.ref for seen in distinct):
                distinct.append(cell)
        fields[field] = tuple(distinct)
    return fields


def _text(cells: tuple[Cell, ...]) -> str:
    return "\n".join(filter(None, (clean_lines(cell.text) for cell in cells)))


def _row(cells: dict[str, tuple[Cell, ...]], context: Context, number: int,
         warnings: list[str]) -> FormRow | None:
    """The row as a FormRow, or None when it is no report (the no-invented-rows rule)."""
    campaign = context.campaign
    texts = {field: _text(value) for field, value in cells.items()}
    progress = texts["progress"]
    if boilerplate(progress, campaign):
        if key(progress) and not placeholder(progress):
            warnings.append(f"表格第 {number} 行：进展栏只有报表自带的文字（单位、实事名称或"
                            "完成时限），不算报送")
        return None
    item, warning = match_item(texts.get("seq", ""), texts.get("title", ""), campaign)
    if warning:
        warnings.append(f"表格第 {number} 行：{warning}")
    if item is None:
        return None
    unit_fields = ("units", *(c.name for c in further_columns(campaign.columns)
                              if c.role is ColumnRole.UNITS))
    unit_cells = tuple(cell for field in unit_fields for cell in cells.get(field, ()))
    return FormRow(seq=item.seq, title=item.title, units=item.units,
                   unit=_row_unit(unit_cells, item.units, context),
                   progress=progress, deadline=texts.get("deadline", ""),
                   extra=tuple((c.name, texts.get(c.name, ""))
                               for c in campaign.filled_columns[1:]))


def _row_unit(cells: tuple[Cell, ...], owners: tuple[str, ...], context: Context) -> str | None:
    """The one unit a row is for: the item's only unit; the 填报单位 where the row names
    several units, or sits under several unit columns (牵头单位 | 配合单位: the lead's name is
    no sign of who wrote), and the 填报单位 is responsible for the item; else the one unit
    its unit cells name."""
    if len(owners) == 1:
        return owners[0]
    named = match_units(_text(cells), context.campaign)
    if context.reporter in owners and (len(named) != 1 or len(cells) > 1):
        return context.reporter
    return named[0] if len(named) == 1 else None


def _starts(row: list[Cell]) -> set[int]:
    """The columns where a real cell begins (EMPTY slots are no cell)."""
    return {col for col, cell in enumerate(row)
            if cell.ref is not None and (col == 0 or row[col - 1].ref != cell.ref)}


def _aligned(row: list[Cell], header: Header, starts: set[int]) -> bool:
    """Does every field's column start a cell in this row as it does in the header row?
    Missing cells at the end of a short row are fine; an empty slot before a cell is not."""
    width = max((col + 1 for col, cell in enumerate(row) if cell.ref is not None), default=0)
    own = _starts(row)
    wanted = {col for cols in header.columns.values() for col in cols if col in starts}
    return all(col in own for col in wanted if col < width)


def _realigned(row: list[Cell], header: Header,
               starts: set[int]) -> dict[str, tuple[Cell, ...]] | None:
    """A row shifted against its header (a PDF-to-Word converter's grid): its own cells,
    in order, taken as the header's columns when there are as many of them; else None."""
    own = [row[col] for col in sorted(_starts(row))]
    order = sorted(starts)
    if len(own) != len(order):
        return None
    slot = {col: own[index] for index, col in enumerate(order)}
    return {field: tuple(dict.fromkeys(slot[col] for col in cols if col in slot))
            for field, cols in header.columns.items()}


def _spans_row(cells: dict[str, tuple[Cell, ...]]) -> bool:
    """True when the progress slot is the same cell as the title or seq slot."""
    refs = {cell.ref for cell in cells["progress"]} - {None}
    return any(cell.ref in refs for field in ("title", "seq") for cell in cells.get(field, ()))
