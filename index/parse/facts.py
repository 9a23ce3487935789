"""Department-level numbers: budget tables (收支总表, 三公经费, 项目支出预算表 …) and sentences.

Every number printed in a department table becomes a fact labelled by the text
to its left in the row and by the column header above it. Numbers in prose
(``其中：基本支出885.34万元``) become facts labelled by the words before them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..numbers import MONEY_UNITS, parse_value, to_decimal
from ..schema import DepartmentFact
from ..tablemodel import Row
from ..text import has_cjk, normalize_text

FACT_UNITS = {
    "万元",
    "元",
    "千元",
    "亿元",
    "个",
    "人",
    "名",
    "件",
    "辆",
    "台",
    "套",
    "户",
    "家",
    "所",
}
_PROSE_NUMBER = re.compile(r"(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>亿元|万元|千元|元|个)")
_PROSE_BREAK = re.compile(r"[，。；：、,;:（）()“”\"\s]")
_CODE = re.compile(r"^\[?\d{3,9}\]?$")


@dataclass
class TableContext:
    """The department table being read: its title, unit and header rows."""

    title: str | None = None
    unit: str | None = None
    headers: list[tuple[str, ...]] = field(default_factory=list)
    seen_data: bool = False

    def start(self, title: str) -> None:
        self.title, self.headers, self.seen_data = title, [], False

    def add_header(self, row: Row) -> None:
        if self.seen_data:
            self.headers, self.seen_data = [], False
        self.headers = (self.headers + [row.cells])[-3:]

    def column(self, index: int) -> str | None:
        parts: list[str] = []
        for header in self.headers:
            cell = (
                _filled_left(header, index)
                if header is self.headers[0] and len(self.headers) > 1
                else None
            )
            if cell is None and index < len(header):
                cell = header[index].strip() or None
            if cell and cell not in parts:
                parts.append(cell)
        return " ".join(parts) or None


def _filled_left(cells: tuple[str, ...], index: int) -> str | None:
    """A merged top header cell covers the empty cells to its right."""
    for i in range(min(index, len(cells) - 1), -1, -1):
        if cells[i].strip():
            return cells[i].strip()
    return None


def _number(cell: str) -> tuple[Decimal, str | None] | None:
    value = parse_value(cell)
    text = normalize_text(cell).replace(" ", "")
    if value.number is None or value.operator or "[" in text:
        return None
    if value.unit is not None and value.unit not in FACT_UNITS:
        return None
    return value.number, value.unit


def _is_code(cell: str, cells: tuple[str, ...], filled: list[int]) -> bool:
    """A 科目编码 such as ``2040601`` printed before the row's label."""
    if not _CODE.match(normalize_text(cell).replace(" ", "")) or len(filled) < 2:
        return False
    return has_cjk(cells[filled[1]])


def is_numbering_row(row: Row) -> bool:
    """The ``1 2 3 4 5`` row under some table headers."""
    filled = row.filled
    return len(filled) >= 3 and filled == [str(i) for i in range(1, len(filled) + 1)]


def row_has_numbers(row: Row) -> bool:
    return any(_number(c) for c in row.filled)


def facts_from_row(row: Row, ctx: TableContext, doc: str) -> list[DepartmentFact]:
    """One fact per number in a department-table row."""
    facts = []
    label = None
    filled = [i for i, c in enumerate(row.cells) if c.strip()]
    for position, index in enumerate(filled):
        cell = row.cells[index].strip()
        if position == 0 and _is_code(cell, row.cells, filled):
            label = cell
            continue
        number = _number(cell)
        if number is None:
            if has_cjk(cell):
                label = f"{label} {cell}" if label and _CODE.match(label) else cell
            continue
        value, unit = number
        column = ctx.column(index)
        facts.append(
            DepartmentFact(
                id=f"{doc}#f{row.line}.{index}",
                doc=doc,
                line=row.line,
                label=label or column or "",
                value=value,
                value_printed=cell,
                unit=unit or ctx.unit,
                column=column,
                table=ctx.title,
                kind="table",
                quote=row.text,
                page=row.page,
                sheet=row.sheet,
            )
        )
    ctx.seen_data = ctx.seen_data or bool(facts)
    return facts


def facts_from_prose(row: Row, doc: str, table: str | None = None) -> list[DepartmentFact]:
    """Facts from amounts written in sentences (``基本支出885.34万元``)."""
    text = " ".join(row.filled)
    facts = []
    for index, match in enumerate(_PROSE_NUMBER.finditer(text)):
        value = to_decimal(match.group("num"))
        if value is None:
            continue
        before = text[max(0, match.start() - 40) : match.start()]
        label = _PROSE_BREAK.split(before)[-1] if before else ""
        if not label or not has_cjk(label):
            continue
        facts.append(
            DepartmentFact(
                id=f"{doc}#s{row.line}.{index}",
                doc=doc,
                line=row.line,
                label=label,
                value=value,
                value_printed=match.group(0),
                unit=match.group("unit"),
                table=table,
                kind="text",
                quote=text,
                page=row.page,
                sheet=row.sheet,
            )
        )
    return facts


def is_money(unit: str | None) -> bool:
    return unit in MONEY_UNITS
