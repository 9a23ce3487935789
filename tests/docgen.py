"""Build PDF, .xlsx, .docx and HTML versions of the seed text documents, for reader tests.

Each seed file (``corpus/*.txt``, tab-separated renderings of published tables) is
read with the text reader and cut into blocks: runs of table rows become one real
table, one-cell lines become paragraphs (titles, units), blank lines separate
blocks. The generators lay the blocks out the way departments publish them:

* PDF: reportlab, landscape A4, ruled tables (``Table`` + ``GRID``) in the CJK
  font STSong-Light, long tables breaking across pages, a ``第 N 页`` header and a
  ``- N -`` footer on every page;
* .xlsx: one sheet, titles merged across the width, indicator groups (一级/二级指标
  and the 绩效指标 label) merged vertically, a last value merged horizontally over
  the empty cells after it (项目名称 → 基层人员司法调解费 ⟶), numbers stored as numbers;
* .docx: paragraphs and ``Table Grid`` tables with the same merges;
* HTML: ``<table>`` with the same merges as ``rowspan`` / ``colspan``, optionally
  in GBK with a ``<meta charset>``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from index.readers.text import read_text
from index.tablemodel import Row

SEEDS = Path(__file__).resolve().parent.parent / "corpus"
_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?$")


@dataclass(frozen=True)
class Block:
    """A seed block: ``kind`` is "text" (one line), "table" (rows) or "blank"."""

    kind: str
    rows: tuple[tuple[str, ...], ...] = ()

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)

    @property
    def padded(self) -> list[list[str]]:
        return [list(row) + [""] * (self.width - len(row)) for row in self.rows]


def seed_path(prefix: str) -> Path:
    """The seed file whose name starts with ``prefix`` (e.g. "000")."""
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def seed_blocks(path: Path) -> list[Block]:
    """Cut a seed text file into text, table and blank blocks."""
    rows, _ = read_text(path.read_bytes(), str(path))
    blocks: list[Block] = []
    table: list[tuple[str, ...]] = []
    for row in [*rows, None]:
        if row is not None and row.tabular and len(row.cells) > 1:
            table.append(tuple(cell.strip() for cell in row.cells))
            continue
        if table:
            blocks.append(Block("table", tuple(table)))
            table = []
        if row is not None:
            blocks.append(_line_block(row))
    return blocks


def _line_block(row: Row) -> Block:
    return Block("blank") if row.is_blank else Block("text", ((row.cells[0].strip(),),))


def merge_plan(block: Block) -> list[tuple[int, int, int, int]]:
    """Merged ranges ``(r0, c0, r1, c1)`` (inclusive) a publisher would draw for a table.

    Vertical: below the header row that holds 一级指标, a 一级指标 name (产出指标 …),
    a 二级指标 name (数量指标 …) and the 绩效指标 label left of them span the rows
    under them that are empty in their column and every column to the left, up to
    the next group (a row naming a 一级, or for 二级 a 二级, indicator anywhere: the
    seeds print some rows shifted, and a publisher would not merge across those).
    Horizontal: the last value of a row spans the empty cells after it (not a lone
    first cell).
    """
    grid = block.padded
    taken: set[tuple[int, int]] = set()
    plan = []
    for r0, c0, r1, c1 in [*_vertical(grid), *_horizontal(grid)]:
        cells = {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        if cells & taken:
            continue
        taken |= cells
        plan.append((r0, c0, r1, c1))
    return plan


_LEVEL1 = re.compile(r"^(\d+-)?(产出|效益|效果|满意度)指标$")
_LEVEL2 = re.compile(r"^(\d+-)?[\u4e00-\u9fff ]{2,10}指标$|^\d{2}-\S+$")


def _vertical(grid: list[list[str]]) -> list[tuple[int, int, int, int]]:
    header = next((r for r, row in enumerate(grid) if "一级指标" in row), None)
    if header is None:
        return []
    first = grid[header].index("一级指标")
    last = grid[header].index("二级指标") if "二级指标" in grid[header] else first
    ranges = []
    for c in range(last + 1):
        kind = "label" if c < first else "level1" if c == first else "level2"
        for r in range(header if kind == "label" else header + 1, len(grid)):
            if not _anchors(grid[r][c], kind):
                continue
            end = r
            while end + 1 < len(grid) and _continues(grid[end + 1], c, kind):
                end += 1
            if end > r:
                ranges.append((r, c, end, c))
    return ranges


def _anchors(text: str, kind: str) -> bool:
    if kind == "label":
        return "绩效" in text
    if kind == "level1":
        return bool(_LEVEL1.match(text))
    return bool(_LEVEL2.match(text)) and not _LEVEL1.match(text)


def _continues(row: list[str], c: int, kind: str) -> bool:
    if any(row[: c + 1]) or not any(row[c + 1 :]):
        return False
    if kind != "label" and any(_LEVEL1.match(text) for text in row):
        return False
    return kind != "level2" or not any(_LEVEL2.match(text) for text in row)


def _horizontal(grid: list[list[str]]) -> list[tuple[int, int, int, int]]:
    ranges = []
    for r, row in enumerate(grid):
        filled = [c for c, text in enumerate(row) if text]
        if filled and 0 < filled[-1] < len(row) - 1:
            ranges.append((r, filled[-1], r, len(row) - 1))
    return ranges


def _covered(plan: list[tuple[int, int, int, int]]) -> dict[tuple[int, int], tuple[int, int]]:
    return {
        (r, c): (r0, c0)
        for r0, c0, r1, c1 in plan
        for r in range(r0, r1 + 1)
        for c in range(c0, c1 + 1)
        if (r, c) != (r0, c0)
    }


# --------------------------------------------------------------------------- PDF


def make_pdf(blocks: list[Block], path: Path) -> Path:
    """Write the blocks as a PDF with ruled tables, page header and footer."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    text = ParagraphStyle("text", fontName="STSong-Light", fontSize=10, leading=13)
    cell = ParagraphStyle("cell", fontName="STSong-Light", fontSize=8, leading=10, wordWrap="CJK")
    page = landscape(A4)
    width = page[0] - 72
    story = []
    for block in blocks:
        if block.kind == "blank":
            story.append(Spacer(1, 6))
        elif block.kind == "text":
            story.append(Paragraph(html.escape(block.rows[0][0]), text))
        else:
            data = [[Paragraph(html.escape(c), cell) for c in row] for row in block.padded]
            story.append(Table(data, colWidths=_column_widths(block, width), style=_GRID))
    doc = SimpleDocTemplate(
        str(path), pagesize=page, leftMargin=36, rightMargin=36, topMargin=54, bottomMargin=54
    )
    doc.build(story, onFirstPage=_furniture, onLaterPages=_furniture)
    return path


_GRID = [
    ("GRID", (0, 0), (-1, -1), 0.5, "black"),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
]


def _column_widths(block: Block, width: float) -> list[float]:
    weights = [
        min(max(max((len(row[c]) for row in block.padded), default=0), 3), 12)
        for c in range(block.width)
    ]
    return [width * w / sum(weights) for w in weights]


def _furniture(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont("STSong-Light", 9)
    width, height = doc.pagesize
    canvas.drawRightString(width - 36, height - 24, f"第 {doc.page} 页")
    canvas.drawCentredString(width / 2, 20, f"- {doc.page} -")
    canvas.restoreState()


# -------------------------------------------------------------------------- XLSX


def make_xlsx(blocks: list[Block], path: Path) -> Path:
    """Write the blocks on one sheet: merged titles, merged indicator groups, numbers."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "绩效目标表"
    width = max(block.width for block in blocks)
    row = 1
    for block in blocks:
        if block.kind == "text":
            sheet.cell(row, 1, block.rows[0][0])
            sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        elif block.kind == "table":
            grid = block.padded
            for r, cells in enumerate(grid):
                for c, text in enumerate(cells):
                    if text:
                        _put(sheet.cell(row + r, c + 1), text)
            for r0, c0, r1, c1 in merge_plan(block):
                sheet.merge_cells(
                    start_row=row + r0, start_column=c0 + 1, end_row=row + r1, end_column=c1 + 1
                )
            row += len(grid) - 1
        row += 1
    book.save(path)
    return path


def _put(cell, text: str) -> None:
    if _NUMBER.match(text):
        cell.value = float(text) if "." in text else int(text)
        if "." in text:
            cell.number_format = "0." + "0" * len(text.split(".")[1])
    else:
        cell.value = text
        cell.data_type = "s"  # "=100%" is printed text, not a formula


# -------------------------------------------------------------------------- DOCX


def make_docx(blocks: list[Block], path: Path) -> Path:
    """Write the blocks as paragraphs and ``Table Grid`` tables with merged cells."""
    import docx

    document = docx.Document()
    for block in blocks:
        if block.kind == "text":
            document.add_paragraph(block.rows[0][0])
        elif block.kind == "table":
            grid = block.padded
            table = document.add_table(rows=len(grid), cols=block.width)
            table.style = "Table Grid"
            cells = [table.rows[r].cells for r in range(len(grid))]  # before merging
            for r, texts in enumerate(grid):
                for c, text in enumerate(texts):
                    if text:
                        cells[r][c].text = text
            for r0, c0, r1, c1 in merge_plan(block):  # merged-over cells are empty
                cells[r0][c0].merge(cells[r1][c1])
    document.save(path)
    return path


# -------------------------------------------------------------------------- HTML


def make_html(blocks: list[Block], path: Path, encoding: str = "utf-8") -> Path:
    """Write the blocks as an HTML page with rowspan/colspan tables."""
    parts = [
        "<!DOCTYPE html>",
        f'<html><head><meta charset="{encoding}"><title>预算公开</title>',
        "<style>td { border: 1px solid #000; }</style></head><body>",
    ]
    for block in blocks:
        if block.kind == "text":
            parts.append(f"<p>{html.escape(block.rows[0][0])}</p>")
        elif block.kind == "table":
            parts.append(_html_table(block))
    parts.append("</body></html>")
    path.write_bytes("\n".join(parts).encode("gb18030" if encoding == "gbk" else encoding))
    return path


def _html_table(block: Block) -> str:
    plan = merge_plan(block)
    spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in plan}
    covered = _covered(plan)
    lines = ['<table border="1" cellspacing="0">', "<tbody>"]
    for r, cells in enumerate(block.padded):
        tds = []
        for c, text in enumerate(cells):
            if (r, c) in covered:
                continue
            rowspan, colspan = spans.get((r, c), (1, 1))
            attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
                f' colspan="{colspan}"' if colspan > 1 else ""
            )
            tds.append(f"<td{attrs}>{html.escape(text)}</td>")
        lines.append(f"  <tr>{''.join(tds)}</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


MAKERS = {"pdf": make_pdf, "xlsx": make_xlsx, "docx": make_docx, "html": make_html}
