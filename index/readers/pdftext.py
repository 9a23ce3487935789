"""Lines of text on a PDF page, from word positions: cells, columns and paragraphs.

Used by the PDF reader for everything that is not inside a ruled table: words are
grouped into lines by their vertical overlap, a line is cut into cells where the
horizontal gap is wide (an unruled table), runs of such lines are aligned to common
columns, and the wrapped lines of a paragraph are joined back into one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .grid import join_lines

# a line starting like this begins a new item even under a full line: 十、 （二） 3． 第二部分
_ITEM = re.compile(
    r"^(第[一二三四五六七八九十]+[部章节]|[一二三四五六七八九十]+、"
    r"|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[．.、](?!\d))"
)

# a gap of this many font sizes between two words starts a new cell
CELL_GAP = 1.5
# a gap of this many font sizes between two words inside a cell is printed as a space
SPACE_GAP = 0.2


@dataclass(frozen=True)
class Cell:
    """Text printed between ``x0`` and ``x1``."""

    x0: float
    x1: float
    text: str


@dataclass(frozen=True)
class Line:
    """One printed line of text outside tables."""

    top: float
    bottom: float
    size: float
    cells: tuple[Cell, ...]

    @property
    def x0(self) -> float:
        return self.cells[0].x0

    @property
    def x1(self) -> float:
        return self.cells[-1].x1

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(cell.text for cell in self.cells)

    @property
    def joined(self) -> str:
        return " ".join(self.texts)


def page_lines(page, tables: list) -> list[Line]:
    """Read the text lines of a pdfplumber page, skipping words inside table cells.

    Parameters
    ----------
    page : pdfplumber.page.Page
        The page.
    tables : list of pdfplumber.table.Table
        The page's tables, whose cells are read elsewhere (words inside a table's
        frame but in no cell, such as a note, are kept).

    Returns
    -------
    list of Line
        Lines top to bottom, cells left to right, paragraphs joined.
    """
    words = [
        w
        for w in page.extract_words(x_tolerance=1.5, y_tolerance=3, extra_attrs=["size"])
        if w["text"].strip() and not any(_in_table(w, table) for table in tables)
    ]
    lines = [_make_line(group) for group in _group_lines(words)]
    return join_paragraphs(align_columns(lines), page.width)


def _in_table(word: dict, table) -> bool:
    return _inside(word, table.bbox) and any(_inside(word, cell) for cell in table.cells)


def _inside(word: dict, box: tuple[float, float, float, float]) -> bool:
    x = (word["x0"] + word["x1"]) / 2
    y = (word["top"] + word["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _group_lines(words: list[dict]) -> list[list[dict]]:
    groups: list[list[dict]] = []
    bounds: list[tuple[float, float]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        for index in range(len(groups) - 1, max(-1, len(groups) - 4), -1):
            top, bottom = bounds[index]
            overlap = min(bottom, word["bottom"]) - max(top, word["top"])
            if overlap >= 0.5 * min(bottom - top, word["bottom"] - word["top"]):
                groups[index].append(word)
                bounds[index] = (min(top, word["top"]), max(bottom, word["bottom"]))
                break
        else:
            groups.append([word])
            bounds.append((word["top"], word["bottom"]))
    order = sorted(range(len(groups)), key=lambda i: bounds[i][0])
    return [sorted(groups[i], key=lambda w: w["x0"]) for i in order]


def _make_line(words: list[dict]) -> Line:
    size = max(float(w.get("size") or (w["bottom"] - w["top"])) for w in words) or 10.0
    cells: list[Cell] = []
    x0, x1, text = words[0]["x0"], words[0]["x1"], words[0]["text"]
    for word in words[1:]:
        gap = word["x0"] - x1
        if gap >= CELL_GAP * size:
            cells.append(Cell(x0, x1, text))
            x0, text = word["x0"], word["text"]
        else:
            text += (" " if gap >= SPACE_GAP * size else "") + word["text"]
        x1 = max(x1, word["x1"])
    cells.append(Cell(x0, x1, text))
    top = min(w["top"] for w in words)
    bottom = max(w["bottom"] for w in words)
    return Line(top=top, bottom=bottom, size=size, cells=tuple(cells))


def align_columns(lines: list[Line]) -> list[Line]:
    """Put the cells of consecutive multi-cell lines (an unruled table) in common columns.

    Columns are the unions of overlapping cell extents in the run; a line without a
    cell in some column gets an empty cell there, so amounts line up under headers.
    """
    out: list[Line] = []
    run: list[Line] = []
    for line in [*lines, None]:
        if line is not None and len(line.cells) > 1:
            run.append(line)
            continue
        out.extend(_align_run(run) if len(run) > 1 else run)
        run = []
        if line is not None:
            out.append(line)
    return out


def _align_run(run: list[Line]) -> list[Line]:
    spans: list[list[float]] = []
    for x0, x1 in sorted((cell.x0, cell.x1) for line in run for cell in line.cells):
        if spans and x0 <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], x1)
        else:
            spans.append([x0, x1])
    aligned = []
    for line in run:
        texts = [""] * len(spans)
        for cell in line.cells:
            column = next(i for i, (a, b) in enumerate(spans) if a <= cell.x0 <= b)
            texts[column] = f"{texts[column]} {cell.text}".strip()
        cells = tuple(Cell(a, b, text) for (a, b), text in zip(spans, texts, strict=True))
        aligned.append(replace(line, cells=cells))
    return aligned


def join_paragraphs(lines: list[Line], page_width: float) -> list[Line]:
    """Join the wrapped lines of running text back into one line per paragraph.

    A single-cell line continues the one above when that line runs to the right
    edge of the text, this one starts at the left edge (not indented), the font
    size matches and the vertical gap is no wider than a line.
    """
    prose = [line for line in lines if len(line.cells) == 1]
    if not prose:
        return lines
    left = min(line.x0 for line in prose)
    right = max(line.x1 for line in prose)
    if right - left < 0.4 * page_width:
        return lines
    out: list[Line] = []
    for line in lines:
        prev = out[-1] if out else None
        if (
            prev is not None
            and len(prev.cells) == 1
            and len(line.cells) == 1
            and prev.x1 >= right - 1.5 * line.size
            and line.x0 <= left + 0.8 * line.size
            and abs(prev.size - line.size) <= 0.1 * line.size
            and line.top - prev.bottom <= 1.5 * line.size
            and not _ITEM.match(line.cells[0].text)
        ):
            text = join_lines(prev.cells[0].text + "\n" + line.cells[0].text)
            cell = Cell(prev.x0, line.x1, text)  # x1 of the last printed line
            out[-1] = Line(prev.top, line.bottom, prev.size, (cell,))
        else:
            out.append(line)
    return out
