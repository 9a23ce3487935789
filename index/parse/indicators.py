"""Read 绩效指标 blocks: 一级 → 二级 → 三级 → 指标值 rows, in any column layout.

A block is read once it is complete: its header (:mod:`.columns`) says what each
column holds; a first pass aligns the rows that leave no choice to learn how this
table uses its level columns (a two-level table whose 指标名称 column holds
二级 labels; an extra top level above 产出/效益/满意度), a second pass aligns every
row. Levels left blank carry down; a 二级 label whose family does not fit the
carried 一级 (成本指标 under 效益指标) corrects the 一级 from the table's own labels.
Tree layouts (one column, indentation as level) and project rows inside long
tables are read here too, as events the walker attaches to projects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..labels import (
    CANONICAL_LEVEL1,
    COMPATIBLE_LEVEL1,
    column_role,
    is_footer,
    is_placeholder,
    is_section_label,
    level1_family,
    level2_family,
    level_of,
)
from ..numbers import parse_value
from ..tablemodel import Row
from ..text import compact, normalize_text
from .columns import (
    LEVEL_ROLES,
    Header,
    TableProfile,
    align,
    is_number,
    is_operator,
    is_value_type,
    read_header,
    value_strength,
)
from .naming import project_in_sentence

_EXTRA_ROLES = ("standard", "note", "reason", "progress", "value_type", "other")
_PAGE_MARKER = re.compile(r"^\d{1,3}、\s*")
_PAGE_NUMBER = re.compile(r"^(?:[-—–\s第]*\d{1,3}[-—–\s页]*|第\d+页共\d+页|共\d+页第\d+页)$")
_RECORD_CODE = re.compile(r"^\[?\d{3,12}\]?$")
SEPARATOR = re.compile(
    r"^(?:项目[一二三四五六七八九十\d]{0,3}|子项目[一二三四五六七八九十\d]{0,3}|项目名称)\s*[:：]\s*"
    r"(?P<name>[^:：]+?)\s*(?:[(（]\s*(?P<amount>\d[\d,]*(?:\.\d+)?)\s*(?:万元|元)?\s*[)）])?$"
)
_SUMMARY = ("合计", "小计", "总计", "共计")
_TOTALS = _SUMMARY + ("总分", "得分合计")


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
    actual: str | None = None
    score: str | None = None
    description: str | None = None
    extra: tuple[tuple[str, str], ...] = ()
    page: int | None = None
    sheet: str | None = None


@dataclass(frozen=True)
class ProjectRow:
    """A project printed as a row of a long table or a node of a tree (name and money)."""

    line: int
    name: str
    amount_printed: str | None
    code: str | None
    row: Row
    goal: str | None = None


@dataclass
class IndicatorState:
    """The levels carried down a table, and the 一级 labels it has printed by family."""

    level1: str | None = None
    level2: str | None = None
    level1_by_family: dict[str, str] = field(default_factory=dict)
    trust_printed: bool = False


# ---------------------------------------------------------------- block reading
def read_block(header: Header, rows: list[Row]) -> list[ParsedIndicator | ProjectRow]:
    """Every indicator (and project row) of one indicator block, in printed order."""
    rows = _join_page_markers(rows)
    if header.tree:
        return _read_tree(header, rows)
    rows = [
        r
        for r in rows
        if not _PAGE_NUMBER.match(compact(" ".join(r.filled))) and not _repeated_header(r, header)
    ]
    header, profile = _learn(header, rows)
    rows = _join_broken_rows(rows, header, profile)
    state = IndicatorState(trust_printed=profile.level1_vocab_is_level2)
    events: list[ParsedIndicator | ProjectRow] = []
    for row in rows:
        record = _project_row(row, header)
        if record is not None:
            events.append(record)
            state = IndicatorState(trust_printed=state.trust_printed)
            continue
        if _outline_level(row, header, state):
            continue
        placed = align(row, header, profile)
        record = _project_cell(row, placed)
        if record is not None:
            events.append(record)
            state = IndicatorState(trust_printed=state.trust_printed)
        elif any(compact(c).rstrip(":") in _TOTALS for c in row.filled[:3]):
            continue  # a 合计 / 总分 row under the table
        indicator = _indicator(row, placed, header, state)
        if indicator is not None:
            events.append(indicator)
    return events


_FIRST_LEVEL_MARK = re.compile(r"^[一二三四五六七八九十]+[、.．]")
_SECOND_LEVEL_MARK = re.compile(r"^[(（][一二三四五六七八九十\d]+[)）]")


def _outline_level(row: Row, header: Header, state: IndicatorState) -> bool:
    """``一、产出指标`` / ``(一)数量指标`` on their own lines in a table without level columns."""
    filled = row.filled
    if len(filled) != 1 or header.has("level1") or header.has("level2"):
        return False
    found = level_of(filled[0])
    if found is None:
        return False
    text = filled[0].strip()
    first = _FIRST_LEVEL_MARK.match(text) or (
        not _SECOND_LEVEL_MARK.match(text) and found[0] == "1"
    )
    if first:
        state.level1, state.level2 = text, None
    else:
        state.level2 = text
    return True


def _repeated_header(row: Row, header: Header) -> bool:
    """The header printed again after a page break (whole or cut over lines)."""
    again = read_header(row)
    if again is not None:
        return again.roles == header.roles
    keys = [compact(c) for c in row.filled]
    return (
        bool(keys)
        and all(
            column_role(c) or k in ("一级", "绩效", "二级")
            for c, k in zip(row.filled, keys, strict=True)
        )
        and any(column_role(c) in LEVEL_ROLES for c in row.filled)
    )


def _project_cell(row: Row, placed: dict[str, str]) -> ProjectRow | None:
    """The project column of a long table (项目名称 ⇥ 资金总额 ⇥ … ⇥ 一级指标 …)."""
    name = placed.get("project")
    if not name or compact(name) in _SUMMARY:
        return None
    return ProjectRow(row.line, name, placed.get("money"), None, row, placed.get("goal"))


def _join_broken_rows(rows: list[Row], header: Header, profile: TableProfile) -> list[Row]:
    """Rows cut by line breaks inside cells.

    ``减轻…负担`` / ``有效`` / ``有效 ⇥ 10 ⇥ 10`` on three lines is one row.
    """
    out: list[Row] = []
    previous: dict[str, str] | None = None
    for row in rows:
        if out and previous is not None and _stitches(row, out[-1], previous, header):
            last = out[-1]
            before = [c for c in last.cells if c.strip()]
            cells = tuple(before[:-1]) + (before[-1] + " " + row.filled[0],) + tuple(row.filled[1:])
            out[-1] = Row(cells, last.line, last.page, last.sheet, True)
            previous = align(out[-1], header, profile)
            continue
        if out and previous is not None and _continues(row, previous, header):
            last = out[-1]
            cells = tuple(c for c in last.cells if c.strip()) + tuple(row.filled)
            out[-1] = Row(cells, last.line, last.page, last.sheet, True)
            previous = align(out[-1], header, profile)
            continue
        out.append(row)
        previous = align(row, header, profile)
    return out


def _stitches(row: Row, last: Row, previous: dict[str, str], header: Header) -> bool:
    """The row's first cell is the rest of the previous row's last cell (a break inside a cell).

    ``社会效益`` / ``指标 ⇥ …`` (a level label cut), ``0—6岁残疾儿童`` / ``康复救助人数 ⇥ ≥90人``
    (a 三级指标 cut before its value), ``…协调,`` / ``回复时间超出规定时限`` (a note cut
    after a comma).
    """
    filled, before = row.filled, last.filled
    if not filled or not before:
        return False
    first, tail = compact(filled[0]), compact(before[-1])
    if len(first) <= 3 and level_of(tail + first) is not None and level_of(filled[0]) is None:
        return not tail.endswith("指标")  # 社会效益 / 指标: the label was cut
    if len(filled) == 1 and tail[-1:] in ",，、;；" and not level_of(filled[0]):
        return value_strength(filled[0]) < 2
    roles = [c.role for c in header.columns]
    if "level3" not in previous or previous.get("value") or len(filled) < 2:
        return False
    if roles[max(roles.index(role) for role in previous)] != "level3":
        return False
    if level_of(filled[0]) is not None or value_strength(filled[0]) >= 2:
        return False
    return any(value_strength(c) >= 2 for c in filled[1:])


def _continues(row: Row, previous: dict[str, str], header: Header) -> bool:
    """The row holds the cells the previous row lost after its last printed cell."""
    filled = row.filled
    first = filled[0]
    if "level3" not in previous or any(level_of(c) for c in filled):
        return False
    if len(compact(first)) > 8 or not value_strength(first):
        return False
    roles = [c.role for c in header.columns]
    last = max(roles.index(role) for role in previous)
    if header.has("value") and not previous.get("value"):
        return roles[last] == "level3"
    return (
        header.has("actual")
        and bool(previous.get("value"))
        and not previous.get("actual")
        and roles[last] == "value"
    )


def _learn(header: Header, rows: list[Row]) -> tuple[Header, TableProfile]:
    """What the rows that leave no choice say about the level columns."""
    profile = TableProfile()
    width = len(header.columns)
    if header.has("level3") and not header.has("level2"):
        data = [r for r in rows if len(r.filled) >= 2]
        with_level2 = [
            r for r in data if any((level_of(c) or ("", ""))[0] == "2" for c in r.filled)
        ]
        if data and len(with_level2) * 2 >= len(data):
            header = header.with_roles({"level3": "level2"})
    forced = [
        align(r, header, profile)
        for r in rows
        if len(r.filled) == width and not any(is_section_label(c) for c in r.filled)
    ]
    for placed in forced:
        first, second = placed.get("level1"), placed.get("level2")
        if second and (level_of(second) or ("", ""))[0] == "1":
            profile.level1_vocab_is_level2 = True
        if first:
            profile.level1_words.add(compact(first))
        if second:
            profile.level2_words.add(compact(second))
    return header, profile


def _join_page_markers(rows: list[Row]) -> list[Row]:
    """``2、100%`` on its own line is the rest of the row above, cut by a page marker."""
    out: list[Row] = []
    for row in rows:
        filled = row.filled
        if out and filled and _PAGE_MARKER.match(filled[0]):
            rest = _PAGE_MARKER.sub("", filled[0])
            if rest and len(rest) <= 12:
                previous = out[-1]
                cells = tuple(c for c in previous.cells if c.strip()) + (rest,) + tuple(filled[1:])
                out[-1] = Row(cells, previous.line, previous.page, previous.sheet, True)
                continue
        out.append(row)
    return out


def _project_row(row: Row, header: Header) -> ProjectRow | None:
    """A project row inside an indicator table: a coded row or a separator line.

    ``505006 ⇥ 学生伙食费 ⇥ 30.00`` (a long table's project row) and
    ``项目一：禁毒专项经费（28.00）`` (a line between two projects' indicator blocks).
    """
    filled = row.filled
    if len(filled) == 1:
        match = SEPARATOR.match(normalize_text(filled[0]))
        introduced = project_in_sentence(filled[0])
        if introduced:
            return ProjectRow(row.line, introduced[0], introduced[1], None, row)
        if match:
            return ProjectRow(row.line, match.group("name"), match.group("amount"), None, row)
        return None
    if len(filled) != 3 or not _RECORD_CODE.match(compact(filled[0])):
        return None
    if not is_number(filled[2]) or level_of(filled[1]) is not None:
        return None
    return ProjectRow(row.line, filled[1], filled[2], compact(filled[0]).strip("[]"), row)


# ---------------------------------------------------------------- one row
def _indicator(
    row: Row, placed: dict[str, str], header: Header, state: IndicatorState
) -> ParsedIndicator | None:
    level1, level2 = placed.get("level1"), placed.get("level2")
    level3 = placed.get("level3")
    if (
        level1
        and not level2
        and level3
        and level1_family(level1) == "cost"
        and not state.trust_printed
        and header.has("level2")
    ):
        # 成本指标 with no 二级 label after it: the 二级 成本指标 of 产出指标
        level1, level2 = None, level1
    demoted = _demote_label(level2, level3, placed, state)
    if demoted is not None and level3 is None:
        level3, level2 = demoted, None
    _apply_levels(state, level1, level2)
    two_level = not header.has("level3")
    if two_level:
        label = placed.get("level2") or placed.get("level1")
        if not placed.get("value") or (label and level_of(label) is None):
            return None
        if not (state.level2 or state.level1):
            return None
        level3 = ""
    elif not level3 or is_placeholder(level3) or is_footer(level3):
        return None
    return _build(row, placed, state, level3)


def _demote_label(
    level2: str | None, level3: str | None, placed: dict[str, str], state: IndicatorState
) -> str | None:
    """``服务对象满意度 ⇥ ≥95%``: a satisfaction label followed only by a value is the 三级指标."""
    if level3 is not None or level2 is None or state.level2 is None:
        return level3
    value = placed.get("value")
    if value and value_strength(value) >= 2 and level2_family(level2) == "satisfaction":
        if compact(level2) != compact(state.level2):
            return None
        return level2
    return level3


def _build(row: Row, placed: dict[str, str], state: IndicatorState, level3: str) -> ParsedIndicator:
    value_cell = placed.get("value", "")
    operator_cell = placed.get("operator")
    operator = operator_cell if operator_cell and is_operator(operator_cell) else None
    unit = placed.get("unit")
    extra = [(role, placed[role]) for role in _EXTRA_ROLES if placed.get(role)]
    if operator_cell and not operator and is_value_type(operator_cell):
        extra.append(("value_type", operator_cell))
    value = _join_value(operator, value_cell, unit)
    return ParsedIndicator(
        line=row.line,
        level1=state.level1,
        level2=state.level2,
        level3=level3,
        value=value,
        value_cell=value_cell,
        operator=_normal_operator(operator) or parse_value(value_cell).operator,
        value_annual=placed.get("value_annual"),
        weight=placed.get("weight")
        if placed.get("weight") and is_number(placed["weight"])
        else None,
        unit_cell=unit,
        actual=placed.get("actual"),
        score=placed.get("score"),
        description=placed.get("description"),
        extra=tuple(extra),
        page=row.page,
        sheet=row.sheet,
    )


def _normal_operator(printed: str | None) -> str | None:
    if not printed:
        return None
    return normalize_text(printed).replace(" ", "").replace("═", "=")


def _join_value(operator: str | None, value_cell: str, unit: str | None) -> str:
    value = value_cell
    if unit and value and is_number(value) and not is_placeholder(unit):
        if not compact(value).endswith(compact(unit)):
            value = value + unit.strip()
    if operator and value and not _normal_operator(value).startswith(_normal_operator(operator)):
        value = operator.strip() + value
    return value


# ---------------------------------------------------------------- levels
def _fits(level1: str | None, level2: str | None) -> bool:
    if not level1 or not level2:
        return True
    family1, family2 = level1_family(level1), level2_family(level2)
    if family1 is None or family2 is None:
        return True
    return family1 in COMPATIBLE_LEVEL1[family2]


def _apply_levels(state: IndicatorState, printed1: str | None, printed2: str | None) -> None:
    if printed1:
        family1 = level1_family(printed1) or "?"
        if (
            printed2
            and not state.trust_printed
            and not _fits(printed1, printed2)
            and _fits(state.level1, printed2)
        ):
            # a merged 一级 label landed on a row of the block above it
            state.level1_by_family.setdefault(family1, printed1)
        else:
            if printed1 != state.level1:
                state.level2 = None
            state.level1 = printed1
            state.level1_by_family[family1] = printed1
    if not printed2:
        return
    state.level2 = printed2
    family2 = level2_family(printed2)
    if state.trust_printed or family2 is None:
        return
    if not _fits(state.level1, printed2):
        known = [state.level1_by_family.get(f) for f in sorted(COMPATIBLE_LEVEL1[family2])]
        state.level1 = next((k for k in known if k), CANONICAL_LEVEL1[family2])
    elif state.level1 is None:
        state.level1 = CANONICAL_LEVEL1[family2]


# ---------------------------------------------------------------- tree layout
def _read_tree(header: Header, rows: list[Row]) -> list[ParsedIndicator | ProjectRow]:
    """One 项目 column whose indentation is the level: unit > project > 一级 > 二级 > 三级."""
    value_at = next(c.position for c in header.columns if c.role == "value")
    money_at = next((c.position for c in header.columns if c.role == "money"), None)
    stack: list[tuple[int, str]] = []
    events: list[ParsedIndicator | ProjectRow] = []
    for row in rows:
        text = row.cells[0].strip() if row.cells else ""
        if not text:
            continue
        value = _cell(row, value_at)
        money = _cell(row, money_at) if money_at is not None else ""
        stack = [(i, t) for i, t in stack if i < row.indent]
        if money and is_number(money) and not value:
            events.append(ProjectRow(row.line, text, money, None, row))
            stack = []
        elif value:
            labels = [t for _, t in reversed(stack) if level_of(t) is not None]
            level2 = labels[0] if labels else None
            level1 = labels[1] if len(labels) > 1 else None
            state = IndicatorState(level1=level1, level2=level2, trust_printed=True)
            events.append(_build(row, {"level3": text, "value": value}, state, text))
            continue
        stack.append((row.indent, text))
    return events


def _cell(row: Row, position: int | None) -> str:
    if position is None or position >= len(row.cells):
        return ""
    return row.cells[position].strip()


__all__ = ["IndicatorState", "ParsedIndicator", "ProjectRow", "read_block"]
