"""Read the header block of a project table (项目名称, 主管部门, 年度资金总额 …).

Rows are read as label → value pairs found from the labels themselves, so a
merged cell that shifts the value one column right changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..labels import LABELS, field_for, label_key
from ..numbers import parse_amount, unit_in_label
from ..schema import Funding
from ..tablemodel import Row
from ..text import compact

_CODE_NAME = re.compile(r"^\s*(?P<code>\d{2,})\s*[-—－_]\s*(?P<name>.+?)\s*$")
_NAME_CODE = re.compile(r"^\s*(?P<name>.+?)\s*[-—－_]\s*(?P<code>\d{2,})\s*$")
_LABEL_KEYS = sorted(LABELS, key=len, reverse=True)


def split_code(printed: str) -> tuple[str, str | None]:
    """Separate a printed code from a name: ``034-阳城县司法局`` → (阳城县司法局, 034)."""
    for pattern in (_CODE_NAME, _NAME_CODE):
        match = pattern.match(printed)
        if match:
            return match.group("name"), match.group("code")
    return printed.strip(), None


def split_run_together(cells: list[str]) -> list[str]:
    """Split cells where a label and its value were printed as one (``项目名称：法律援助``)."""
    out: list[str] = []
    for cell in cells:
        key = compact(cell)
        label = next((k for k in _LABEL_KEYS if key.startswith(k)), None)
        if label is None or field_for(cell) is not None:
            out.append(cell)
            continue
        rest = key[len(label) :].lstrip(":")
        if not rest or rest.startswith("("):
            out.append(cell)
            continue
        out.extend([label, rest])
    return out


@dataclass
class _Amount:
    label: str
    printed: str
    value: Decimal
    unit: str | None
    line: int


@dataclass
class ProjectHeader:
    """Everything read from a project's header rows."""

    fields: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    amounts: dict[str, list[_Amount]] = field(default_factory=dict)
    funding: dict[str, _Amount] = field(default_factory=dict)
    unit_hint: str | None = None
    last_text_label: str | None = None

    def add_row(self, row: Row) -> bool:
        """Read one header row. Returns True when anything in it was understood."""
        cells = split_run_together(row.filled)
        row_unit = next((u for u in (unit_in_label(c) for c in cells) if u), None)
        understood = False
        label: str | None = None
        for cell in cells:
            kind = field_for(cell)
            if kind is not None:
                label = cell
                understood = True
                if kind in ("goal", "detail"):
                    self.last_text_label = label
                continue
            target = label or self.last_text_label
            if target is None:
                continue
            understood |= self._take(target, cell, row, row_unit)
        return understood

    def _take(self, label: str, value: str, row: Row, row_unit: str | None) -> bool:
        kind = field_for(label)
        if kind in ("amount_annual", "amount_total", "amount_section", "funding"):
            amount = parse_amount(value)
            if amount is None:
                return False
            unit = amount.unit or unit_in_label(label) or row_unit
            record = _Amount(label_key(label), amount.printed, amount.value, unit, row.line)
            if kind == "funding":
                self.funding[record.label] = record
            else:
                self.amounts.setdefault(kind, []).append(record)
            return True
        self.fields.setdefault(kind or "", []).append((value, row.line))
        return True

    def first(self, kind: str) -> tuple[str, int] | None:
        values = self.fields.get(kind)
        return values[0] if values else None

    def texts(self, kind: str) -> list[str]:
        seen: list[str] = []
        for value, _ in self.fields.get(kind, []):
            if value not in seen:
                seen.append(value)
        return seen

    def annual_amount(self) -> _Amount | None:
        """The annual amount: 年度资金总额 first, then a bare 项目资金, then 实施期 totals."""
        for kind in ("amount_annual", "amount_section", "amount_total"):
            values = self.amounts.get(kind)
            if values:
                return values[-1] if kind == "amount_annual" else values[0]
        return None

    def funding_lines(self, default_unit: str) -> tuple[Funding, ...]:
        lines = []
        for record in self.funding.values():
            unit = record.unit or default_unit
            amount = parse_amount(record.printed)
            lines.append(
                Funding(
                    label=record.label,
                    amount_wan=amount.in_wan(unit) if amount else None,
                    amount_printed=record.printed,
                    unit_printed=unit,
                    line=record.line,
                )
            )
        return tuple(lines)


def is_project_start(row: Row) -> bool:
    """True for the 项目名称 row that opens a project table (not a column header row)."""
    cells = split_run_together(row.filled)
    if len(cells) < 2 or field_for(cells[0]) != "name":
        return False
    value = cells[1]
    return field_for(value) is None and label_key(value) not in _COLUMN_WORDS


_COLUMN_WORDS = {
    "合计",
    "金额",
    "小计",
    "预算数",
    "本年预算",
    "一般公共预算",
    "财政拨款",
    "科目编码",
    "科目名称",
    "项目类别",
    "单位名称",
    "项目金额",
    "预算金额",
}
