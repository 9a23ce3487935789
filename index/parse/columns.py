"""Indicator-table headers and the alignment of rows to them.

The header row of an indicator block decides what each column holds (its role:
level1, level3, value, actual, weight …, from ``index/data/columns.tsv``). Data
rows are not trusted to keep their positions: a cell that spans rows is printed
on its first row only, so later rows start further right, and empty cells may be
dropped. Each row's printed cells are therefore aligned to the header's columns
in order, choosing the alignment whose cells best fit their columns (a level
label in a level column, an operator in the operator column, a number in the
weight column …), with a small bonus for keeping printed positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..labels import column_role, is_label_like, is_section_label, level_of
from ..numbers import parse_value, to_decimal
from ..tablemodel import Row
from ..text import compact, normalize_text

LEVEL_ROLES = ("level1", "level2", "level3")
_VALUE_ROLES = {"value", "actual", "operator", "unit", "weight", "score", "description"}
_SECOND_SET = {"level2": "level2_b", "level3": "level3_b", "value": "value_annual"}
OPERATORS = ("≥", "≤", "=", "<", ">", "≠")
VALUE_TYPES = ("定性", "定量", "正向", "反向", "正向指标", "反向指标", "中性")
_TREE_FIRST = {"项目", "项目名称", "指标", "项目/指标", "名称", "内容"}


@dataclass(frozen=True)
class Column:
    """One column of an indicator table: its role, printed header and position."""

    role: str
    label: str
    position: int


@dataclass(frozen=True)
class Header:
    """The columns of an indicator table, read from its header row(s)."""

    columns: tuple[Column, ...]
    line: int
    width: int = 0
    tree: bool = False

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(c.role for c in self.columns)

    def has(self, role: str) -> bool:
        return role in self.roles

    def label(self, role: str) -> str | None:
        return next((c.label for c in self.columns if c.role == role), None)

    def position(self, role: str) -> int | None:
        return next((c.position for c in self.columns if c.role == role), None)

    def with_roles(self, mapping: dict[str, str]) -> Header:
        columns = tuple(
            Column(mapping.get(c.role, c.role), c.label, c.position) for c in self.columns
        )
        return Header(columns, self.line, self.width, self.tree)


def _roles_of(cells: list[tuple[int, str]]) -> list[Column]:
    columns: list[Column] = []
    taken: set[str] = set()
    for position, cell in cells:
        role = column_role(cell, taken)
        if role is None:
            if level_of(cell) is not None and compact(cell) in ("一级", "二级", "三级"):
                role = ("level1", "level2", "level3")[("一级", "二级", "三级").index(compact(cell))]
            else:
                role = "other"
        if role in taken and role in _SECOND_SET:
            role = _SECOND_SET[role]
        elif role in taken and role != "other":
            role = "other"
        taken.add(role)
        columns.append(Column(role, cell.strip(), position))
    _repair_lost_level1(columns)
    return columns


def _repair_lost_level1(columns: list[Column]) -> None:
    """``级指标`` (the 一 lost in extraction) just left of 二级指标 is the 一级 column."""
    roles = [c.role for c in columns]
    if "level1" in roles or "level2" not in roles:
        return
    index = roles.index("level2")
    if index > 0 and roles[index - 1] == "other" and "指标" in columns[index - 1].label:
        old = columns[index - 1]
        columns[index - 1] = Column("level1", old.label, old.position)


def read_header(row: Row) -> Header | None:
    """Read an indicator header row (一级指标 … 指标值 …), or None when the row is not one."""
    cells = [(i, c) for i, c in enumerate(row.cells) if c and c.strip()]
    if len(cells) < 2:
        return None
    columns = _roles_of(cells)
    roles = {c.role for c in columns}
    known = [c for c in columns if c.role != "other"]
    if len(known) < max(2, len(columns) // 2):
        return None
    if _is_tree_header(cells, roles):
        return Header(tuple(columns), row.line, len(row.cells), tree=True)
    if not roles & set(LEVEL_ROLES) and "section" in roles and "value" in roles:
        # 序号 | 绩效指标 | 指标值 …: the 绩效指标 column names the indicators
        columns = [
            Column("level3" if c.role == "section" else c.role, c.label, c.position)
            for c in columns
        ]
        roles = {c.role for c in columns}
    levels = roles & {"level1", "level2", "level3"}
    if not levels or not (roles & _VALUE_ROLES or len(levels) >= 3):
        return None
    if roles == {"level1", "section"} or roles <= {"level3", "unit"}:
        return None
    return Header(tuple(columns), row.line, len(row.cells))


def _is_tree_header(cells: list[tuple[int, str]], roles: set[str]) -> bool:
    """``项目 | 指标值 | 绩效金额``: one column naming units, projects and indicators by indent."""
    first = compact(cells[0][1])
    named = first in _TREE_FIRST or ("项目" in first and "指标" in first)
    return named and "value" in roles and not roles & {"level1", "level2", "level3"}


def is_group_header(row: Row) -> bool:
    """An upper header row naming columns but no levels (``绩效指标 年度指标值 实际完成值``)."""
    filled = row.filled
    if len(filled) < 2:
        return False
    roles = [column_role(c) for c in filled]
    return all(roles) and not set(roles) & set(LEVEL_ROLES) and "value" in roles


def merge_headers(upper: Row, header: Header) -> Header:
    """Add the columns an upper header row names beyond the lower row's (自评表 two-row headers).

    ``绩效指标 | 年度指标值 | 实际完成值 | 分值`` over
    ``一级 | 二级 | 三级 | 指标性质 | 指标值 | 度量单位`` reads as the lower row followed
    by 实际完成值 and 分值: the upper row's 年度指标值 is the group label over the lower
    row's value columns.
    """
    have = set(header.roles)
    extra: list[Column] = []
    position = max((c.position for c in header.columns), default=0)
    for cell in upper.filled:
        role = column_role(cell, have)
        if role is None or role in have or role == "section" or role in _SECOND_SET:
            continue
        position += 1
        have.add(role)
        extra.append(Column(role, cell.strip(), position))
    if not extra:
        return header
    return Header(header.columns + tuple(extra), header.line, 0, header.tree)


def split_header_run(row: Row) -> list[Row] | None:
    """Split a row that holds an indicator header in the middle of other cells.

    Pages rendered from tables with row spans can print form cells, the header
    rows and the first indicator row on one line. Returns the pieces as rows of
    the same line (before, upper header, header, after), or None when the row is
    not of this kind.
    """
    cells = row.filled
    roles = [column_role(c) for c in cells]
    best: tuple[int, int] | None = None
    start = None
    for index, role in enumerate(roles + [None]):
        if role is not None and start is None:
            start = index
        elif role is None and start is not None:
            if best is None or index - start > best[1] - best[0]:
                best = (start, index)
            start = None
    if best is None or best[1] - best[0] < 4:
        return None
    begin, end = best
    run_roles = roles[begin:end]
    after = cells[end:]
    data_after = any(level_of(c) is not None or value_strength(c) >= 2 for c in after)
    if not set(run_roles) & set(LEVEL_ROLES) or (begin == 0 and not data_after):
        return None
    pieces = [cells[:begin]] if begin else []
    split = _second_header_start(run_roles)
    if split:
        pieces += [cells[begin : begin + split], cells[begin + split : end]]
    else:
        pieces.append(cells[begin:end])
    if end < len(cells):
        pieces.append(cells[end:])
    return [
        Row(tuple(piece), row.line, row.page, row.sheet, True, row.source_row) for piece in pieces
    ]


def _second_header_start(roles: list[str | None]) -> int | None:
    """Where a second header row starts inside one run (a 一级指标 after value columns)."""
    for index, role in enumerate(roles):
        if index and role == "level1" and set(roles[:index]) & {"value", "actual", "score"}:
            return index
    return None


# ---------------------------------------------------------------- cell features
_OPERATOR_WORDS = {"等于", "大于", "小于", "不等于", "不低于", "不高于", "不少于", "不超过"}


def is_operator(cell: str) -> bool:
    text = normalize_text(cell).replace(" ", "").replace("═", "=")
    return text in OPERATORS or text in _OPERATOR_WORDS


def is_value_type(cell: str) -> bool:
    return compact(cell) in VALUE_TYPES


def is_number(cell: str) -> bool:
    text = compact(cell).rstrip("分%")
    return to_decimal(text) is not None


_DATE_LIKE = re.compile(
    r"^(?:20\d{2}年)?(?:\d{1,2}月)?(?:\d{1,2}日)?(?:底前|末前|底|末)?(?:前|之前|以前|以内|内)?$"
)
_VALUE_WORDS = re.compile(r"(?:以上|以下|以内|之内|左右|及以上|及以下)$")


def value_strength(cell: str) -> float:
    """How much a cell looks like a value: 2 for numbers and operators, 0.5 for short words."""
    text = normalize_text(cell).replace(" ", "").replace("═", "=")
    if not text:
        return 0.0
    parsed = parse_value(text)
    if parsed.operator or (
        (parsed.number is not None or parsed.low is not None) and len(parsed.unit or "") <= 4
    ):
        return 2.0
    if text[0] in "≥≤=<>" or _VALUE_WORDS.search(text) and any(ch.isdigit() for ch in text):
        return 2.0
    if _DATE_LIKE.match(text) and any(ch.isdigit() for ch in text):
        return 2.0
    if len(text) <= 6:
        return 0.5
    return 0.0


# ---------------------------------------------------------------- alignment
@dataclass
class TableProfile:
    """What a table's confident rows taught about its level columns."""

    level1_words: set[str] = field(default_factory=set)
    level2_words: set[str] = field(default_factory=set)
    level1_vocab_is_level2: bool = False


def _level_score(cell: str, role: str, profile: TableProfile) -> float:
    key = compact(cell)
    found = level_of(cell)
    own = profile.level1_words if role == "level1" else profile.level2_words
    other = profile.level2_words if role == "level1" else profile.level1_words
    if key in own:
        return 3.0
    if key in other:
        return -2.0
    if found is not None:
        levels = found[0]
        if profile.level1_vocab_is_level2 and levels in ("1", "12"):
            return 3.0 if role == "level2" else -2.0
        if (role == "level1" and "1" in levels) or (role == "level2" and "2" in levels):
            return 3.0
        return -0.5 if role == "level1" else 0.5
    if is_label_like(cell):
        return 1.0
    if value_strength(cell) >= 2:
        return -4.0
    return -3.0 if len(key) > 8 else -1.5


def cell_score(cell: str, role: str, profile: TableProfile) -> float:
    """How well a printed cell fits a column of the given role."""
    if role == "section":
        return 1.0 if is_section_label(cell) else -5.0
    if role in ("level1", "level2"):
        return _level_score(cell, role, profile)
    if role == "level2_b":
        return _level_score(cell, "level2", profile) - 0.5
    if role == "level3":
        if compact(cell).endswith("指标") and level_of(cell) is not None:
            return -1.0
        return 1.5 - (1.5 if value_strength(cell) >= 2 else 0.0)
    if role == "level3_b":
        return -0.3
    if role in ("value", "value_annual"):
        score = max(value_strength(cell), 0.1) if len(compact(cell)) <= 30 else -0.5
        return score - (0.1 if role == "value_annual" else 0.0)
    if role == "operator":
        return 4.0 if is_operator(cell) else 3.0 if is_value_type(cell) else -4.0
    if role == "value_type":
        return 3.0 if is_value_type(cell) else -1.0
    if role == "unit":
        text = compact(cell)
        if is_number(cell) or len(text) > 6:
            return -2.0
        return 1.0 if _UNIT.match(text) else 0.3
    if role in ("weight", "score"):
        return 2.0 if is_number(cell) else -3.0
    if role == "actual":
        strength = value_strength(cell)
        return 1.0 if strength >= 2 else 0.4 if strength else 0.2
    if role == "money":
        return 2.0 if is_number(cell) else -3.0
    if role == "seq":
        return 1.0 if re.fullmatch(r"\d{1,3}", compact(cell)) else -3.0
    if role in ("project", "unit_name"):
        if level_of(cell) is not None or value_strength(cell) >= 2:
            return -3.0
        organisation = bool(_ORGANISATION.search(compact(cell)))
        if role == "unit_name":
            return 1.0 if organisation else 0.2
        return 0.3 if organisation else 0.8
    if role == "goal":
        return 0.3 if len(compact(cell)) > 8 else -0.5
    return 0.0


_UNIT = re.compile(
    r"^[%‰元万亿千百十人次个件台套辆户家所天日月年时分秒米里亩吨斤克座间项场期份批处名位条册本张篇"
    r"部类种倍度方数小公平立㎡\-/·.]+$"
)
_ORGANISATION = re.compile(
    r"(局|委|办|院|所|中心|学校|中学|小学|幼儿园|站|馆|队|政府|街道|办事处)$"
)
_SKIP_CELL = -2.5
_LATER_COLUMN = 0.01
_POSITION_BONUS = 0.6
_COMPLETE_BONUS = 1.0


def align(row: Row, header: Header, profile: TableProfile | None = None) -> dict[str, str]:
    """Assign a row's printed cells to the header's columns, in order, best fit first.

    Returns role → cell text for the cells placed (a cell that fits nowhere is left out).
    """
    profile = profile or TableProfile()
    cells = [(i, c.strip()) for i, c in enumerate(row.cells) if c and c.strip()]
    columns = header.columns
    positional = _has_positions(row, header)
    m, n = len(cells), len(columns)
    filled = sum(1 for _, text in cells if text)
    neg = float("-inf")
    best = [[neg] * (n + 1) for _ in range(m + 1)]
    move: list[list[str | None]] = [[None] * (n + 1) for _ in range(m + 1)]
    for j in range(n + 1):
        best[0][j] = 0.0
    for i in range(1, m + 1):
        position, text = cells[i - 1]
        skip = _SKIP_CELL if filled > n else _SKIP_CELL * 3
        if is_section_label(text) and not header.has("section"):
            skip = 0.0
        for j in range(0, n + 1):
            options = [(best[i - 1][j] + skip, "skip")]
            if j:
                options.append((best[i][j - 1], "gap"))
                column = columns[j - 1]
                score = cell_score(text, column.role, profile) + _LATER_COLUMN * j
                if positional and position == column.position:
                    score += _POSITION_BONUS
                options.append((best[i - 1][j - 1] + score, "take"))
            best[i][j], move[i][j] = max(options, key=lambda o: o[0])
    placed = _trace(move, cells, columns)
    return placed


def _trace(move, cells, columns) -> dict[str, str]:
    placed: dict[str, str] = {}
    i, j = len(cells), len(columns)
    while i > 0:
        step = move[i][j]
        if step == "take":
            placed[columns[j - 1].role] = cells[i - 1][1]
            i, j = i - 1, j - 1
        elif step == "gap":
            j -= 1
        else:
            i -= 1
    return placed


def _has_positions(row: Row, header: Header) -> bool:
    """A row printed with its empty cells (tabs kept), so positions can be trusted a little.

    Leading empty cells, a full row, or a row one cell short that keeps an empty cell
    inside it (only its last cell dropped) say the printer kept the columns.
    """
    if not row.cells or not header.width:
        return False
    leading_empty = not row.cells[0].strip()
    holes = any(not c.strip() for c in row.cells[1:-1])
    width = len(row.cells)
    return leading_empty or width >= header.width or (holes and width == header.width - 1)


def align_scored(row: Row, header: Header, profile: TableProfile) -> dict[str, str]:
    """:func:`align`, preferring rows that give both a 三级指标 and a value."""
    placed = align(row, header, profile)
    return placed


__all__ = [
    "Column",
    "Header",
    "TableProfile",
    "align",
    "cell_score",
    "is_group_header",
    "is_number",
    "is_operator",
    "is_value_type",
    "merge_headers",
    "read_header",
    "split_header_run",
    "value_strength",
]
