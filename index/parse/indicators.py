"""Read 绩效指标 tables: 一级 → 二级 → 三级 → 指标值 rows.

Cell positions are not trusted: merged cells shift a row's cells left or right.
Each row's non-empty cells are classified by what they say (a 一级 label, a 二级
label, an operator, a number, text) and levels left blank carry down from the
rows above. A 二级 label whose family does not fit the carried 一级 (成本指标
under 效益指标) corrects the 一级 from the table's own earlier labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..labels import (
    CANONICAL_LEVEL1,
    COMPATIBLE_LEVEL1,
    HEADER_LEVEL1,
    HEADER_LEVEL2,
    HEADER_LEVEL3,
    HEADER_OPERATOR,
    HEADER_UNIT,
    HEADER_VALUE,
    HEADER_WEIGHT,
    is_section_label,
    label_key,
    level1_family,
    level2_family,
)
from ..numbers import OPERATORS, parse_value, to_decimal
from ..tablemodel import Row
from ..text import normalize_text


@dataclass(frozen=True)
class IndicatorHeader:
    """What the header row of an indicator table says about its columns."""

    has_operator: bool = False
    has_unit: bool = False
    has_weight: bool = False
    two_sets: bool = False


def parse_indicator_header(row: Row) -> IndicatorHeader | None:
    """Read an indicator header row (一级指标 二级指标 三级指标 指标值 …), or None."""
    keys = [label_key(c) for c in row.filled]
    if not any(k in HEADER_LEVEL1 for k in keys):
        return None
    if not any(k in HEADER_LEVEL2 | HEADER_LEVEL3 for k in keys):
        return None
    return IndicatorHeader(
        has_operator=any(k in HEADER_OPERATOR for k in keys),
        has_unit=any(k in HEADER_UNIT for k in keys),
        has_weight=any(k in HEADER_WEIGHT for k in keys),
        two_sets=sum(k in HEADER_LEVEL2 for k in keys) > 1
        or sum(k in HEADER_VALUE for k in keys) > 1,
    )


@dataclass(frozen=True)
class ParsedIndicator:
    """One indicator read from a row, before it is attached to a project."""

    line: int
    level1: str | None
    level2: str | None
    level3: str
    value: str
    value_cell: str
    operator: str | None
    value_annual: str | None
    weight: str | None
    unit_cell: str | None
    page: int | None = None
    sheet: str | None = None


@dataclass
class IndicatorState:
    """The levels carried down a table, and the 一级 labels it has printed by family."""

    header: IndicatorHeader = field(default_factory=IndicatorHeader)
    level1: str | None = None
    level2: str | None = None
    level1_by_family: dict[str, str] = field(default_factory=dict)


@dataclass
class _Tokens:
    level1: str | None = None
    level2: str | None = None
    rest: list[str] = field(default_factory=list)


def _is_operator(cell: str) -> bool:
    return normalize_text(cell).replace(" ", "") in OPERATORS + (">=", "<=")


def _is_level_label(cell: str) -> bool:
    return level1_family(cell) is not None or level2_family(cell) is not None


def _is_number(cell: str) -> bool:
    return to_decimal(cell) is not None


def _split_prefix(cells: list[str]) -> _Tokens:
    """Take the 一级/二级 labels printed before the indicator's own cells."""
    tokens = _Tokens()
    index = 0
    if cells and is_section_label(cells[0]):
        index = 1
    while index < len(cells):
        cell = cells[index]
        if tokens.level1 is None and tokens.level2 is None and level1_family(cell):
            tokens.level1 = cell
        elif tokens.level2 is None and level2_family(cell):
            tokens.level2 = cell
        else:
            break
        index += 1
    tokens.rest = cells[index:]
    if tokens.level1 and tokens.level2 is None and level1_family(tokens.level1) == "cost":
        # 成本指标 with no 二级 label after it: the 二级 成本指标 of 产出指标
        tokens.level2, tokens.level1 = tokens.level1, None
    return tokens


def _fits(level1: str | None, level2: str | None) -> bool:
    if not level1 or not level2:
        return True
    family1, family2 = level1_family(level1), level2_family(level2)
    if family1 is None or family2 is None:
        return True
    return family1 in COMPATIBLE_LEVEL1[family2]


def _apply_levels(state: IndicatorState, tokens: _Tokens) -> None:
    printed1, printed2 = tokens.level1, tokens.level2
    if printed1:
        family1 = level1_family(printed1)
        if printed2 and not _fits(printed1, printed2) and _fits(state.level1, printed2):
            # a merged 一级 label landed on a row of the block above it
            state.level1_by_family.setdefault(family1, printed1)
        else:
            if printed1 != state.level1:
                state.level2 = None
            state.level1 = printed1
            state.level1_by_family[family1] = printed1
    if printed2:
        state.level2 = printed2
        if not _fits(state.level1, printed2):
            family2 = level2_family(printed2)
            known = [state.level1_by_family.get(f) for f in COMPATIBLE_LEVEL1[family2]]
            state.level1 = next((k for k in known if k), CANONICAL_LEVEL1[family2])
        elif state.level1 is None:
            state.level1 = CANONICAL_LEVEL1[level2_family(printed2)]


def read_indicator_row(row: Row, state: IndicatorState) -> ParsedIndicator | None:
    """Read one row of an indicator table, updating the carried levels.

    Returns None for rows that only print labels (a 二级 row with no 三级指标).
    """
    tokens = _split_prefix(row.filled)
    _demote_label_to_level3(tokens, state)
    _apply_levels(state, tokens)
    rest = tokens.rest
    if not rest or all(_is_level_label(c) for c in rest):
        return None
    level3, rest = rest[0], rest[1:]
    operator = None
    if rest and _is_operator(rest[0]):
        operator, rest = normalize_text(rest[0]), rest[1:]
    value_cell = ""
    if rest and not (state.header.two_sets and level2_family(rest[0])):
        value_cell, rest = rest[0], rest[1:]
    unit_cell = weight = value_annual = None
    if state.header.has_unit and rest and not _is_number(rest[0]) and len(rest[0]) <= 6:
        unit_cell, rest = rest[0], rest[1:]
    if state.header.two_sets:
        value_annual, rest = _annual_value(rest, level3)
    if state.header.has_weight and rest and _is_number(rest[0]):
        weight, rest = rest[0], rest[1:]
    return ParsedIndicator(
        line=row.line,
        level1=state.level1,
        level2=state.level2,
        level3=level3,
        value=_join_value(operator, value_cell, unit_cell),
        value_cell=value_cell,
        operator=operator or parse_value(value_cell).operator,
        value_annual=value_annual,
        weight=weight,
        unit_cell=unit_cell,
        page=row.page,
        sheet=row.sheet,
    )


def _demote_label_to_level3(tokens: _Tokens, state: IndicatorState) -> None:
    """``服务对象满意度 ⇥ ≥95%``: a 二级-looking cell that is really the 三级指标.

    An indicator needs a name, so a satisfaction label followed by nothing but a
    value, inside a block whose 二级 is already known, is the 三级指标 itself.
    """
    if tokens.level2 is None or len(tokens.rest) != 1 or state.level2 is None:
        return
    if tokens.level1 is not None and tokens.level1 != state.level1:
        return
    lone = tokens.rest[0]
    looks_like_value = parse_value(lone).number is not None or _is_operator(lone[:1])
    if looks_like_value and level2_family(tokens.level2) == "satisfaction":
        tokens.rest = [tokens.level2, lone]
        tokens.level2 = None


def _annual_value(rest: list[str], level3: str) -> tuple[str | None, list[str]]:
    """The 年度 column value of a two-set (实施期/年度) row."""
    cells = [c for c in rest if not level2_family(c)]
    if not cells:
        return None, []
    if normalize_text(cells[0]) == normalize_text(level3):
        cells = cells[1:]
        if not cells:
            return "", []
    return cells[0], cells[1:]


def _join_value(operator: str | None, value_cell: str, unit_cell: str | None) -> str:
    value = value_cell
    if unit_cell and _is_number(value_cell):
        value = value_cell + unit_cell
    if operator and not normalize_text(value).startswith(operator):
        value = operator + value
    return value
