"""Read the form rows of a project table (项目名称, 主管部门, 年度资金总额 …).

Rows are read as label → value pairs found from the labels themselves, so a
merged cell that shifts the value one column right changes nothing. Every pair
is kept (as a form field) whether or not its label is known; known labels also
fill the project's fields. Amounts take their unit from the label, the cell, the
rows above in the same table (``项目资金(万元)``, ``单位:元``), in that order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..labels import AMOUNT_FIELDS, field_for, label_key, level_of, vocabulary
from ..numbers import parse_amount, unit_in_label
from ..schema import Funding
from ..tablemodel import Row
from ..text import compact, has_cjk, normalize_text

_CODE_NAME = re.compile(
    r"^\s*[\[【(（]?(?P<code>\d{2,})[\]】)）]?\s*[-—－_]?\s*(?P<name>\D.+?)\s*$"
)
_NAME_CODE = re.compile(r"^\s*(?P<name>.+?)\s*[-—－_]\s*(?P<code>\d{2,})\s*$")
_NAME_SPACE_CODE = re.compile(r"^\s*(?P<name>\D+?)\s+(?P<code>\d{4,})\s*$")
_PAIR = re.compile(
    r"(?:^|\s)(?:[一二三四五六七八九十]+、)?(?P<label>[\u4e00-\u9fff()]{2,12})\s*[:：]\s*"
)
_ENUM = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|\(\d+\)|\d+[.、])")


def split_code(printed: str) -> tuple[str, str | None]:
    """Separate a printed code from a name: ``034-阳城县司法局`` → (阳城县司法局, 034).

    >>> split_code("[042]六安市金安区体育局"), split_code("湘潭市城市管理和综合执法局 308001")
    (('六安市金安区体育局', '042'), ('湘潭市城市管理和综合执法局', '308001'))
    """
    for pattern in (_CODE_NAME, _NAME_CODE, _NAME_SPACE_CODE):
        match = pattern.match(printed)
        if match:
            return match.group("name").strip(), match.group("code")
    return printed.strip(), None


def split_pairs(cell: str) -> list[str] | None:
    """``资金总额: 250 一、预算资金:250 二、自有资金:0`` → labels and values, or None.

    Only cells holding two or more ``label: value`` pairs whose labels are known
    form labels are split.
    """
    matches = list(_PAIR.finditer(cell))
    if len(matches) < 2:
        return None
    out: list[str] = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(cell)
        label, value = match.group("label"), cell[match.end() : end].strip()
        if field_for(label) is None:
            return None
        out.extend([label, value])
    return out


def split_run_together(cells: list[str]) -> list[str]:
    """Split cells where a label and its value were printed as one (``项目名称：法律援助``)."""
    out: list[str] = []
    labels = sorted(vocabulary().fields, key=len, reverse=True)
    for cell in cells:
        pairs = split_pairs(cell)
        if pairs:
            out.extend(pairs)
            continue
        key = label_key(cell)
        label = next((k for k in labels if key.startswith(k)), None)
        if label is None or field_for(cell) is not None:
            out.append(cell)
            continue
        rest = key[len(label) :].lstrip(":")
        if not rest or rest.startswith("(") or not (":" in compact(cell) or len(label) >= 4):
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
class PrintedPair:
    """A label → value pair as printed, with its line."""

    label: str
    value: str
    line: int
    row: Row


@dataclass
class ProjectHeader:
    """Everything read from a project's form rows."""

    fields: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    amounts: dict[str, list[_Amount]] = field(default_factory=dict)
    funding: dict[str, _Amount] = field(default_factory=dict)
    pairs: list[PrintedPair] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    unit_hint: str | None = None
    last_text_label: str | None = None
    pending: str | None = None

    def add_row(self, row: Row) -> bool:
        """Read one form row. Returns True when anything in it was understood."""
        cells = split_run_together(row.filled)
        unit = next((u for u in (unit_in_label(c) for c in cells) if u), None)
        if unit:
            self.unit_hint = unit
        if is_column_header_row(cells):
            last = cells[-1]
            self.pending = last if field_for(last) in AMOUNT_FIELDS else None
            self.columns = cells
            return True
        cells = self._budget_column(cells, row)
        understood = False
        label: str | None = self.pending
        self.pending = None
        for index, cell in enumerate(cells):
            if label and compact(cell) in _SUM_CELLS and field_for(label) in AMOUNT_FIELDS:
                continue  # 项目资金 ⇥ 合计 ⇥ 220.00: the total of the money label
            kind = _label_kind(cells, index)
            if kind is not None or (label is None and _unknown_label(cells, index)):
                label = cell
                understood = understood or kind is not None
                if kind in ("goal", "detail"):
                    self.last_text_label = label
                continue
            target = label or self.last_text_label
            if target is None:
                continue
            understood |= self._take(target, cell, row, unit)
            label = None
        if label is not None and field_for(label) in AMOUNT_FIELDS + ("name",):
            self.pending = label
        return understood

    def _budget_column(self, cells: list[str], row: Row) -> list[str]:
        """Under ``年初预算数 ⇥ 全年预算数 ⇥ 全年执行数 …`` keep the money label's budget figure.

        A 自评表's money rows print several figures per label; the project's amount is
        the one under the (全年) budget column, not the first or the executed one. The
        other figures are kept as printed pairs (``年度资金总额 全年执行数`` → 37.24).
        """
        columns = self.columns
        if not columns or len(cells) < 3 or field_for(cells[0]) not in AMOUNT_FIELDS:
            return cells
        if not all(parse_amount(c) or compact(c) in ("—", "-", "/") for c in cells[1:3]):
            return cells
        labels = columns[1:] if len(columns) == len(cells) else columns[-(len(cells) - 1) :]
        pick = _budget_index(labels)
        if pick is None or pick + 1 >= len(cells):
            return cells
        for index, (column, value) in enumerate(zip(labels, cells[1:], strict=False)):
            if index != pick and value.strip():
                label = f"{cells[0].strip()} {normalize_text(column).strip()}"
                self.pairs.append(PrintedPair(label, value.strip(), row.line, row))
        return [cells[0], cells[pick + 1]]

    def _take(self, label: str, value: str, row: Row, row_unit: str | None) -> bool:
        kind = field_for(label)
        self.pairs.append(PrintedPair(label.strip(), value.strip(), row.line, row))
        if kind in AMOUNT_FIELDS:
            amount = parse_amount(value)
            if amount is None:
                return False
            unit = amount.unit or unit_in_label(label) or row_unit
            record = _Amount(label_key(label), amount.printed, amount.value, unit, row.line)
            if kind == "funding":
                self.funding.setdefault(record.label, record)
            else:
                self.amounts.setdefault(kind, []).append(record)
            return True
        if kind is None:
            return False
        self.fields.setdefault(kind, []).append((value, row.line))
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
        """The annual amount: an annual label, a 合计, a money section, then 实施期 totals."""
        for kind in ("amount_annual", "amount_sum", "amount_section", "amount_total"):
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


def _label_kind(cells: list[str], index: int) -> str | None:
    """The field a cell labels: listed labels always, guessed money labels before a number."""
    cell = cells[index]
    known = field_for(cell, guess=False)
    if known is not None:
        return known
    guessed = field_for(cell)
    if guessed is None:
        return None
    following = cells[index + 1] if index + 1 < len(cells) else None
    if guessed in AMOUNT_FIELDS and (following is None or parse_amount(following) is None):
        return None
    return guessed


def _unknown_label(cells: list[str], index: int) -> bool:
    """A short label we do not know, followed by its value (``资金用途 ⇥ 业务类``)."""
    cell = cells[index].strip()
    key = compact(cell)
    if index + 1 >= len(cells) or not has_cjk(key) or len(key) > 10:
        return False
    if any(ch.isdigit() for ch in key) or level_of(cell) is not None:
        return False
    return key.endswith((":", "：")) or field_for(cells[index + 1]) is not None or index % 2 == 0


_COLUMN_WORDS = ("数", "率", "分值", "得分", "金额", "合计", "小计", "资金", "值")
_SUM_CELLS = ("合计", "小计", "总计", "共计", "总额")
_BUDGET_COLUMNS = (("全年预算",), ("调整后预算",), ("预算",), ("年初预算",))


def _budget_index(labels: list[str]) -> int | None:
    """The column holding the budget among 年初预算数/全年预算数/全年执行数/分值 … (全年 first)."""
    keys = [compact(label) for label in labels]
    for words in _BUDGET_COLUMNS:
        for index, key in enumerate(keys):
            if (
                all(w in key for w in words)
                and "执行" not in key
                and (words != ("预算",) or "年初" not in key)
            ):
                return index
    return None


def is_column_header_row(cells: list[str]) -> bool:
    """``全年预算数(A) ⇥ 全年执行数(B) ⇥ 执行率 ⇥ 得分``: column names over a small money table."""
    if len(cells) < 3:
        return False
    if any(any(ch.isdigit() for ch in re.sub(r"\(.*?\)", "", compact(c))) for c in cells):
        return False
    columnish = sum(any(w in compact(c) for w in _COLUMN_WORDS) for c in cells)
    named = [field_for(c) for c in cells]
    if any(k in ("name", "department", "implementing_unit", "contact", "phone") for k in named):
        return False
    return columnish * 2 >= len(cells) + 1


def project_start_kind(row: Row) -> str | None:
    """``name`` or ``parent`` for a row that names a project with its value, else None.

    A row of column headers that happens to start with 项目名称 (``项目名称 ⇥ 资金计划 ⇥
    资金到位情况``) is not a project.
    """
    cells = split_run_together(row.filled)
    for index, cell in enumerate(cells[:-1]):
        kind = field_for(cell)
        if kind not in ("name", "parent"):
            continue
        if index > 1:
            return None
        rest = cells[index + 1 :]
        if len(rest) >= 2 and _column_headers(rest):
            return None
        value = rest[0]
        if field_for(value, guess=False) == "name" and len(rest) > 1:
            return "name" if _is_name_value(rest[1]) else None
        return kind if _is_name_value(value) else None
    return None


def _column_headers(cells: list[str]) -> bool:
    """Cells after a name label that are column names, not a value and more form pairs."""
    if any(any(ch.isdigit() for ch in c) for c in cells):
        return False
    columnish = sum(
        any(w in compact(c) for w in _COLUMN_WORDS) or field_for(c) in AMOUNT_FIELDS for c in cells
    )
    if columnish * 2 > len(cells):
        return True
    if len(cells) < 3 or any(len(compact(c)) > 10 for c in cells):
        return False
    return not any(field_for(c, guess=False) or compact(c).endswith(":") for c in cells)


def is_project_start(row: Row) -> bool:
    """True for the row that opens a project table: a name label with its value."""
    return project_start_kind(row) is not None


def _is_name_value(value: str) -> bool:
    key = label_key(value)
    if not key or field_for(value, guess=False) is not None or key in _COLUMN_HEADERS:
        return False
    return has_cjk(key) or any(ch.isalnum() for ch in key)


_COLUMN_HEADERS = {
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
