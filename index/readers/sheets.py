"""Spreadsheet cells → table rows, built from the filled cells only.

A sheet is read as its non-empty cells by (row, column) and its merged ranges
(:class:`SheetCells`, filled by :mod:`index.readers.xlsx`). A sheet's tables are
cut out of it sparsely, so a cell at the sheet's far corner (XFD1048576) costs one
cell, not the rectangle between it and A1:

* the filled cells are split into blocks at runs of more than :data:`ROW_GAP`
  empty rows, then at runs of more than :data:`COLUMN_GAP` empty columns: a
  far-away cell is a block of its own, as it is on screen, and such a block of
  one cell is printed as a line of text (a note), not as a table;
* a block's grid holds only the rows that have text or are covered by a merged
  range; a run of empty rows becomes one empty row, which is what the row sink
  prints for it anyway.

A sheet without such gaps is one block, read exactly as before: the grid of
:mod:`index.readers.grid` over the extent of the non-empty cells, merged ranges cut
at its edge, horizontal merges collapsed and vertical merges filled down. Every
grid is counted against ``max_table_cells`` before it is built.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

from ..errors import UnreadableDocumentError
from ..tablemodel import Row
from .grid import RowSink, Slot, resolve_merges
from .limits import ReadBudget

# more empty rows (two printed pages) or columns (a screen) than this start a new block
ROW_GAP = 100
COLUMN_GAP = 26

Cell = tuple[int, int]
# (first_row, first_col, last_row, last_col), inclusive, 1-based
Merge = tuple[int, int, int, int]


@dataclass
class SheetCells:
    """One sheet as printed texts by (row, col), 1-based, and its merged ranges."""

    name: str
    texts: dict[Cell, str] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)


def emit_sheets(sheets: list[SheetCells], budget: ReadBudget) -> list[Row]:
    """Every sheet's tables as rows, in sheet order; ``Row.source_row`` is the sheet row.

    Raises
    ------
    UnreadableDocumentError
        Every sheet is empty.
    DocumentTooLargeError
        The tables would pass ``max_table_cells``.
    """
    sink = RowSink()
    for sheet in sheets:
        drop_covered(sheet, budget)
        if not sheet.texts:
            continue
        sink.blank()
        sink.sheet = sheet.name
        blocks = _blocks(sheet.texts)
        for texts in blocks:
            if len(texts) == 1 and len(blocks) > 1:
                (row, _), text = next(iter(texts.items()))
                sink.note(text, source_row=row)
                continue
            grid, source_rows = _grid(sheet, texts, budget)
            sink.table(resolve_merges(grid), source_rows)
    rows = sink.finish()
    if not rows:
        raise UnreadableDocumentError(
            budget.path, "no tables found in this workbook (every sheet is empty)"
        )
    return rows


def drop_covered(sheet: SheetCells, budget: ReadBudget) -> None:
    """Forget texts under merged ranges other than each range's first cell (as Excel shows).

    Only the filled cells inside each range are visited; the rows visited are
    counted against ``max_table_cells``.
    """
    if not sheet.merges or not sheet.texts:
        return
    by_row: dict[int, list[int]] = defaultdict(list)
    for r, c in sheet.texts:
        by_row[r].append(c)
    rows = sorted(by_row)
    for columns in by_row.values():
        columns.sort()
    for r0, c0, r1, c1 in sheet.merges:
        first, last = bisect_left(rows, r0), bisect_right(rows, r1)
        budget.add_table(last - first, 1, f"工作表“{sheet.name}”的合并单元格")
        for r in rows[first:last]:
            columns = by_row[r]
            for c in columns[bisect_left(columns, c0) : bisect_right(columns, c1)]:
                if (r, c) != (r0, c0):
                    sheet.texts.pop((r, c), None)


def _blocks(texts: dict[Cell, str]) -> list[dict[Cell, str]]:
    """The filled cells split at wide empty gaps: by rows, then each part by columns."""
    blocks = []
    for rows in _split(texts, 0, ROW_GAP):
        blocks.extend(_split(rows, 1, COLUMN_GAP))
    return blocks


def _split(texts: dict[Cell, str], axis: int, gap: int) -> list[dict[Cell, str]]:
    """``texts`` in groups along ``axis`` (0 rows, 1 columns), cut where more than ``gap``
    consecutive positions are empty; groups in order along the axis."""
    positions = sorted({cell[axis] for cell in texts})
    starts = [positions[0]]
    for previous, position in zip(positions, positions[1:], strict=False):
        if position - previous - 1 > gap:
            starts.append(position)
    if len(starts) == 1:
        return [texts]
    groups: list[dict[Cell, str]] = [{} for _ in starts]
    for cell, text in texts.items():
        groups[bisect_right(starts, cell[axis]) - 1][cell] = text
    return groups


def _grid(sheet: SheetCells, texts: dict[Cell, str], budget: ReadBudget):
    """One block's grid (rows with content only) and the sheet row of each grid row."""
    last_row = max(r for r, _ in texts)
    first_col = min(c for _, c in texts)
    last_col = max(c for _, c in texts)
    width = last_col - first_col + 1
    where = f"工作表“{sheet.name}”"
    merges = []
    for r0, c0, r1, c1 in sheet.merges:
        if (r0, c0) not in texts:
            continue  # an empty merged range is just empty cells
        r1, c1 = min(r1, last_row), min(c1, last_col)
        budget.add_table(r1 - r0 + 1, c1 - c0 + 1, where + "的合并单元格")
        merges.append((r0, c0, r1, c1))
    filled = {r for r, _ in texts}
    for r0, _, r1, _ in merges:
        filled.update(range(r0, r1 + 1))
    budget.add_table(len(filled), width, where)
    index: dict[int, int] = {}
    source_rows: list[int | None] = []
    for r in sorted(filled):
        if source_rows and r > source_rows[-1] + 1:
            source_rows.append(None)  # a run of empty rows: one empty row
        index[r] = len(source_rows)
        source_rows.append(r)
    covered: dict[Cell, tuple[int, int]] = {}
    for r0, c0, r1, c1 in merges:
        anchor = (index[r0], c0 - first_col)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    covered[(r, c)] = anchor
    grid: list[list[Slot]] = []
    for r in source_rows:
        if r is None:
            grid.append([])
            continue
        grid.append(
            [covered.get((r, c)) or texts.get((r, c)) for c in range(first_col, last_col + 1)]
        )
    return grid, source_rows
