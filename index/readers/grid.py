"""Shared pieces of the structured readers: merged-cell grids, cell text and numbered rows.

Every structured format (PDF tables, spreadsheets, Word tables, HTML tables) ends up
as a grid in which a position holds either its own text or a pointer to the anchor
cell of the merged range that covers it. :func:`resolve_merges` turns that grid into
plain rows with one rule for all formats:

* a position covered by a merge *in the anchor's own row* (a horizontal merge) is
  empty, so a label spread over three columns is printed once;
* a position *below* the anchor in the anchor's column (a vertical merge) repeats the
  anchor's text, so every row of a 一级指标 group carries its 一级指标.

:class:`RowSink` numbers the rows as a reader emits them (the citation ``line`` of
non-text formats) and keeps at most one blank row between blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..tablemodel import Row, split_text_line

# A grid position: its own text (None for an empty cell) or the (row, col) of its anchor.
Slot = str | tuple[int, int] | None

_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u2010-\u2027]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_SPACES = re.compile(r"[ \t\u00a0]+")


def join_lines(text: str | None) -> str:
    """Join the wrapped lines of one cell into one line of text.

    Lines are joined without a space when either side is a CJK or full-width
    character or a digit (a wrapped 名称 or number), with one space between two
    Latin letters (a wrapped English phrase).

    Parameters
    ----------
    text : str or None
        Cell text, possibly with line breaks.

    Returns
    -------
    str
        The text on one line, stripped; "" for None.
    """
    if not text:
        return ""
    out = ""
    for part in text.replace("\r", "\n").split("\n"):
        part = _SPACES.sub(" ", part).strip()
        if not part:
            continue
        if out and _ASCII_LETTER.match(out[-1]) and _ASCII_LETTER.match(part[0]):
            out += " "
        out += part
    return out


@dataclass(frozen=True)
class ResolvedRow:
    """One grid row after merges are resolved.

    ``banner`` is True when the row holds a single cell that starts in the first
    column and spans the whole width (a title or caption drawn inside the table);
    readers print such rows as text lines. ``raw`` keeps the unjoined cell texts.
    """

    cells: tuple[str, ...]
    raw: tuple[str, ...]
    banner: bool


def resolve_merges(grid: list[list[Slot]]) -> list[ResolvedRow]:
    """Resolve a grid with merged ranges into rows of cell texts.

    Parameters
    ----------
    grid : list of list of Slot
        ``grid[r][c]`` is the cell's text, None for an empty cell, or the
        ``(row, col)`` of the anchor of the merged range covering it. Rows may
        differ in length; they are padded to the widest.

    Returns
    -------
    list of ResolvedRow
        Cells with horizontal merges collapsed into the anchor (covered cells "")
        and vertical merges filled down the anchor's column.
    """
    width = max((len(row) for row in grid), default=0)
    resolved = []
    for r, row in enumerate(grid):
        raw: list[str] = []
        spans_all = bool(row) and isinstance(row[0], str)
        for c in range(width):
            slot = row[c] if c < len(row) else None
            raw.append(_slot_text(grid, r, c, slot))
            if c and slot != (r, 0):
                spans_all = False
        cells = tuple(join_lines(text) for text in raw)
        banner = spans_all and width > 1 and sum(1 for cell in cells if cell) == 1
        resolved.append(ResolvedRow(cells=cells, raw=tuple(raw), banner=banner))
    return resolved


def _slot_text(grid: list[list[Slot]], r: int, c: int, slot: Slot) -> str:
    if slot is None:
        return ""
    if isinstance(slot, str):
        return slot
    anchor_row, anchor_col = slot
    if anchor_col != c or anchor_row >= r:
        return ""
    anchor = grid[anchor_row][anchor_col] if anchor_col < len(grid[anchor_row]) else None
    return anchor if isinstance(anchor, str) else ""


class RowSink:
    """Collect rows in reading order, numbering them 1, 2, 3 … as the citation line.

    Attributes
    ----------
    rows : list of Row
        The rows so far.
    page, sheet : int or str or None
        Provenance stamped on rows added afterwards; readers update them as they
        move through a document.
    """

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.page: int | None = None
        self.sheet: str | None = None

    def add(self, cells: tuple[str, ...], tabular: bool = True, source_row: int | None = None):
        """Append one row of cells (a table row, or a text line when ``tabular`` is False)."""
        if not any(cell.strip() for cell in cells):
            self.blank()
            return
        self.rows.append(
            Row(
                cells=tuple(cells),
                line=len(self.rows) + 1,
                page=self.page,
                sheet=self.sheet,
                tabular=tabular,
                source_row=source_row,
            )
        )

    def text(self, line: str, source_row: int | None = None) -> None:
        """Append one line of running text, split into cells at tabs and space runs."""
        cells, tabular = split_text_line(line)
        self.add(cells, tabular=tabular, source_row=source_row)

    def table(self, rows: list[ResolvedRow], source_rows: list[int | None] | None = None):
        """Append a resolved table; banner rows become text lines."""
        self.blank()
        for index, row in enumerate(rows):
            source_row = source_rows[index] if source_rows else None
            if row.banner:
                for line in next(text for text in row.raw if text.strip()).splitlines():
                    self.add(
                        (_SPACES.sub(" ", line).strip(),), tabular=False, source_row=source_row
                    )
            else:
                self.add(row.cells, tabular=True, source_row=source_row)
        self.blank()

    def note(self, text: str, source_row: int | None = None) -> None:
        """Append a lone cell (a note beside or below the tables) as lines of text."""
        self.blank()
        for line in text.splitlines():
            self.add((_SPACES.sub(" ", line).strip(),), tabular=False, source_row=source_row)
        self.blank()

    def blank(self) -> None:
        """Mark a break between blocks: at most one blank row, never at the start."""
        if self.rows and not self.rows[-1].is_blank:
            self.rows.append(
                Row(cells=("",), line=len(self.rows) + 1, page=self.page, sheet=self.sheet)
            )

    def finish(self) -> list[Row]:
        """Return the rows, without a trailing blank row."""
        while self.rows and self.rows[-1].is_blank:
            self.rows.pop()
        return self.rows
