"""XLSX -> grids of cells with openpyxl (some units retype the form in Excel or WPS).

Every spreadsheet comes here: .xls, WPS .et and .ods arrive converted to XLSX by
LibreOffice. Merged ranges fill every slot they cover under one ref, like Word's
merges; formulas are not evaluated (values as saved); a number is written as a
person typed it (1, not 1.0) and a date as a date."""

from __future__ import annotations

import io
from datetime import datetime, time
from itertools import count

from mailbot.extract.archive import open_zip
from mailbot.extract.form import Cell, Document, Grid

MAX_ROWS = 500
MAX_COLS = 30


def read(data: bytes) -> Document:
    """Every sheet as one grid (a 填报单位 line typed in a cell is in the grid too)."""
    import openpyxl
    open_zip(data, "Excel 文件")  # bomb checks before openpyxl reads anything
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    refs = count()
    return Document(grids=[_grid(sheet, refs) for sheet in book.worksheets])


def _grid(sheet, refs) -> Grid:
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for merged in sheet.merged_cells.ranges:
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                owner[(row, col)] = (merged.min_row, merged.min_col)
    rows = min(sheet.max_row, MAX_ROWS)
    cols = min(sheet.max_column, MAX_COLS)
    cells: dict[tuple[int, int], Cell] = {}
    grid: Grid = []
    for r in range(1, rows + 1):
        line = []
        for c in range(1, cols + 1):
            home = owner.get((r, c), (r, c))
            if home not in cells:
                cells[home] = Cell(_shown(sheet.cell(*home).value), next(refs))
            line.append(cells[home])
        grid.append(line)
    return grid


def _shown(value) -> str:
    """A cell's value as the sheet shows it: whole numbers without ".0", dates as dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    return str(value)
