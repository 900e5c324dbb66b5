"""Tables in a notice saved as plain text: each cell starts a line with a tab (pure).

Word's "save as text" (and copying a table out of WPS) writes every cell on its own
tab-led line, with the cell's further paragraphs on untabbed lines after it and no
mark where a row ends. The header's width gives the rows: the header runs until
the first cell that reads as 序号 1.
"""

from __future__ import annotations

from mailbot.extract.text import parse_seq

Table = list[list[str]]
CELL_END_BLANKS = 2  # this many blank lines end a cell: the table is over


def text_tables(text: str) -> tuple[Table, ...]:
    tables = []
    for cells in _cell_runs(text.replace("\r\n", "\n").split("\n")):
        width = next((i for i, cell in enumerate(cells) if i >= 2 and parse_seq(cell) == 1), 0)
        if width:
            tables.append([cells[i:i + width] for i in range(0, len(cells), width)])
    return tuple(tables)


def _cell_runs(lines: list[str]) -> list[list[str]]:
    """Consecutive tab-led cells, each with its continuation lines joined by newlines."""
    runs: list[list[str]] = []
    cells: list[list[str]] | None = None
    blanks = 0
    for line in lines:
        if line.startswith("\t"):
            if cells is None:
                cells = []
                runs.append(cells)  # filled in place below
            cells.append([line[1:].strip()])
            blanks = 0
        elif cells is not None:
            blanks = blanks + 1 if not line.strip() else 0
            if blanks >= CELL_END_BLANKS:
                cells = None
            elif line.strip():
                cells[-1].append(line.strip())
    return [["\n".join(part for part in cell if part) for cell in run] for run in runs]
