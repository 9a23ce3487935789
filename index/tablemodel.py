"""The one table model every reader produces and the parser consumes.

A document, whatever its format, is read into a flat sequence of :class:`Row`:
one row per printed line of text or per table row, each a list of cell strings
with merged cells already resolved, and with its provenance (line, page, sheet).
The label-driven parser (``index.parse``) never looks at the file format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SPACE_RUN = re.compile(r"[ \u3000]{2,}")


@dataclass(frozen=True)
class Row:
    """One printed row: a text line or a table row.

    Parameters
    ----------
    cells : tuple of str
        Cell texts in printed order. A text line that is not part of a table is a
        single cell. Empty cells are kept (they carry column positions).
    line : int
        1-based line number in the text rendering of the document (the citation).
    page : int or None
        1-based page number for PDFs.
    sheet : str or None
        Sheet name for spreadsheets.
    tabular : bool
        True when the reader knows this row came from a table (cells were
        separated by a tab, a run of spaces, or a real table structure).
    """

    cells: tuple[str, ...]
    line: int
    page: int | None = None
    sheet: str | None = None
    tabular: bool = False
    source_row: int | None = field(default=None, compare=False)
    indent: int = field(default=0, compare=False)

    @property
    def filled(self) -> list[str]:
        """The non-empty cells, stripped, in order."""
        return [c.strip() for c in self.cells if c and c.strip()]

    @property
    def text(self) -> str:
        """The row as one tab-separated line (the quoted source text)."""
        return "\t".join(self.cells).rstrip("\t")

    @property
    def is_blank(self) -> bool:
        return not self.filled


def split_text_line(line: str) -> tuple[tuple[str, ...], bool]:
    """Split one line of extracted text into cells.

    Tabs separate cells when present; otherwise runs of two or more spaces
    (or ideographic spaces) do, and an indented line (cells left empty before
    it) counts as a table row. Returns the cells and whether the line looked
    tabular.
    """
    line = line.rstrip("\r\n")
    if "\t" in line:
        return tuple(c.strip() for c in line.split("\t")), True
    stripped = line.strip()
    indented = _SPACE_RUN.match(line) is not None and bool(stripped)
    if _SPACE_RUN.search(stripped) or indented:
        return tuple(c.strip() for c in _SPACE_RUN.split(stripped)), True
    return (stripped,), False


def leading_indent(line: str) -> int:
    """Width of the indentation before the first printed character (tabs skipped).

    >>> leading_indent("   产出指标"), leading_indent("\t\t  调解员"), leading_indent("　两格")
    (3, 2, 2)
    """
    stripped = line.lstrip("\t")
    width = 0
    for ch in stripped:
        if ch == " ":
            width += 1
        elif ch == "\u3000":
            width += 2
        else:
            break
    return width


def rows_from_text(text: str) -> list[Row]:
    """Turn decoded text into rows, one per line (line numbers are 1-based)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    rows = []
    for number, line in enumerate(lines, start=1):
        line = line.replace("\f", "")
        cells, tabular = split_text_line(line)
        rows.append(Row(cells=cells, line=number, tabular=tabular, indent=leading_indent(line)))
    return rows
