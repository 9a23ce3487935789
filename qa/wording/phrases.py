"""The indicator phrases a wording search looks for, and what in a row answers each word.

A question's indicator phrases (:func:`~qa.question.indicator_phrases`) are read as written;
here they are made ready for matching rows:

* a bare word listed before a phrase whose first word is the same concept shares that
  phrase's other words (``装备、设备买回来验收合格`` → 装备…验收合格 and 设备…验收合格; a bare word
  listed after stays on its own: ``宣传资料印刷、宣传品``);
* words no row prints (the asker's own: 买回来, 各县区) and modifiers (全年, 辖区) are not
  required;
* a measure word (数量, 人数, 场次 …) is also answered by the unit of the row's value
  (``举办全县法治建设专题培训 ≥1次`` answers 培训场次);
* its most specific word (the one fewest rows hold, measure aside) is what a partly matching
  row must hold to be related (宪法 of 宪法宣传: 开展法治宣传活动时间 is not related).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from index.schema import IndicatorRow

from ..question import (
    MEASURE_UNITS,
    MODIFIER_WORDS,
    GroupedTexts,
    Lexicon,
    Phrase,
    TermGroup,
    group_occurs,
    occurs_key,
    term_key,
)

RATE = TermGroup("率", ("率",))
_MEASURE_ENDINGS = ("率", "度", "数", "量", "标准", "次", "额")
_UNIT = re.compile(r"[0-9０-９][0-9.,，]*\s*([\u4e00-\u9fff]{1,2})(?:/|每|$)")


class RowTexts:
    """Every indicator row of an index in id order, with its level3, value and project name
    folded as :func:`~qa.question.occurs` compares them and its value's unit, once per index
    (``ctx.kept(RowTexts)``): which rows can hold a group, found without testing each row."""

    def __init__(self, ctx):
        self.rows = ctx.sorted_indicators
        # each distinct text folded once: rows repeat wordings, values and their project's name
        self.level3 = GroupedTexts((r.level3 for r in self.rows), occurs_key)
        self.value = GroupedTexts((r.value or "" for r in self.rows), occurs_key)
        self.project = GroupedTexts((r.project or "" for r in self.rows), occurs_key)
        units: dict[str, list[int]] = {}
        for position, row in enumerate(self.rows):
            units.setdefault(unit_of(row) or "", []).append(position)
        # positions as arrays: a set of a million positions was ~60 MB
        self.units = {unit: np.array(at, dtype=np.int32) for unit, at in units.items()}

    def holding(self, group: TermGroup) -> set[int]:
        """Positions of the rows :func:`row_holds` can find the group in (a variant printed in
        the level3 or value, or a unit the measure counts in)."""
        found = self.level3.holding_any(group.variants)
        if group is not RATE:
            found |= self.value.holding_any(group.variants)
        if is_measure(group):
            for unit in _units(group):
                if unit:
                    found.update(self.units.get(unit, _NONE).tolist())
        return found

    def naming(self, group: TermGroup) -> set[int]:
        """Positions of the rows whose project's name can hold the group."""
        return self.project.holding_any(group.variants)


_NONE = np.zeros(0, dtype=np.int32)


@dataclass(frozen=True)
class RowBounds:
    """Some rows of an index (a wording query's candidates, in id order) and, for a group, which
    of them can hold it (:func:`row_holds`) or have it in their project's name: indices into
    ``rows``. A row outside these does not hold the group."""

    texts: RowTexts
    positions: list[int]  # each row's position in ``texts.rows``, ascending

    def holding(self, group: TermGroup) -> list[int]:
        return self._local(self.texts.holding(group))

    def naming(self, group: TermGroup) -> list[int]:
        return self._local(self.texts.naming(group))

    def _local(self, found: set[int]) -> list[int]:
        positions, out = self.positions, []
        for position in sorted(found):
            index = bisect_left(positions, position)
            if index < len(positions) and positions[index] == position:
                out.append(index)
        return out


@dataclass(frozen=True)
class ReadyPhrase:
    """A phrase ready for matching: its required groups, the unknown words, its measure."""

    phrase: Phrase
    groups: tuple[TermGroup, ...]
    unknown: tuple[str, ...]
    measure: TermGroup | None
    key: TermGroup | None = None

    @property
    def text(self) -> str:
        """The phrase as the words it requires (what is embedded)."""
        return "".join(g.label for g in self.groups) or self.phrase.text


def ready_phrases(
    phrases: tuple[Phrase, ...], rows: list[IndicatorRow], bounds: RowBounds, lexicon: Lexicon
) -> list[ReadyPhrase]:
    """The phrases of a question made ready for matching ``rows`` (see the module docstring);
    ``bounds`` tells which of the rows can hold a group."""
    out = []
    for phrase in _distribute(list(phrases), lexicon):
        known, unknown = [], []
        for group in (_own(g, lexicon) for g in phrase.groups):
            near = sorted({*bounds.holding(group), *bounds.naming(group)})
            seen = any(_seen(group, rows[i], lexicon) for i in near)
            (known if seen else unknown).append(group)
        if unknown and known and all(is_measure(g) for g in known):
            continue  # 参观人数 with 参观 printed nowhere is not every 人数 row
        required = [g for g in known if g.label not in MODIFIER_WORDS or is_measure(g)]
        required = required or known
        if _asks_rate(phrase, required):
            required.append(RATE)
        measure = _last(phrase, required)
        out.append(
            ReadyPhrase(
                phrase,
                tuple(required),
                tuple(g.label for g in unknown),
                measure,
                _rarest(
                    [g for g in required if g is not measure and g is not RATE],
                    rows,
                    bounds,
                    lexicon,
                ),
            )
        )
    return out


def _rarest(groups: list[TermGroup], rows: list[IndicatorRow], bounds: RowBounds, lexicon: Lexicon):
    """The group fewest rows hold (the phrase's most specific word: 宪法 of 宪法宣传)."""
    if len(groups) < 2:
        return None
    counts = {
        g.label: sum(row_holds(g, rows[i], lexicon) for i in bounds.holding(g)) for g in groups
    }
    return min(groups, key=lambda g: (counts[g.label], g.label))


def _asks_rate(phrase: Phrase, groups: list[TermGroup]) -> bool:
    """A phrase ending in 率 asks for a rate (支出率 is not 发放金额), unless a word says so."""
    text = phrase.text.rstrip("的指标这类种些")
    return text.endswith("率") and not any(g.label.endswith("率") for g in groups)


def _distribute(phrases: list[Phrase], lexicon: Lexicon) -> list[Phrase]:
    out = []
    for index, phrase in enumerate(phrases):
        following = phrases[index + 1] if index + 1 < len(phrases) else None
        if len(phrase.groups) == 1 and following is not None and len(following.groups) > 1:
            first = _first(following)
            if first is not None and _same_concept(phrase.groups[0], first, lexicon):
                rest = tuple(g for g in following.groups if g is not first)
                phrase = Phrase(phrase.text + following.text, (phrase.groups[0], *rest))
        out.append(phrase)
    return out


def _first(phrase: Phrase) -> TermGroup | None:
    """The group printed first in the phrase."""
    placed = [(phrase.text.find(g.label), g) for g in phrase.groups if g.label in phrase.text]
    return min(placed, key=lambda item: item[0])[1] if placed else None


def _last(phrase: Phrase, groups: list[TermGroup]) -> TermGroup | None:
    """The phrase's measure: the group printed last, when it is a measure word (满意度, 成功率,
    场次, 补助标准 …)."""
    placed = [(phrase.text.rfind(g.label), g) for g in groups if g.label in phrase.text]
    if len(placed) < 2:
        return None
    last = max(placed, key=lambda item: item[0])[1]
    return last if is_measure(last) or last.label.endswith(_MEASURE_ENDINGS) else None


def _own(group: TermGroup, lexicon: Lexicon) -> TermGroup:
    """The group without the category its word is a kind of (补助标准 does not stand for every
    成本 row, 职工 not for every 工作人员 row)."""
    wider = {
        c.head
        for c in lexicon.concepts_of(group.label)
        if c.category and c.head != term_key(group.label)
    }
    wider -= {
        term_key(t) for c in lexicon.concepts_of(group.label) if not c.category for t in c.terms
    }
    if not wider:
        return group
    return TermGroup(group.label, tuple(v for v in group.variants if v not in wider), group.concept)


def _same_concept(a: TermGroup, b: TermGroup, lexicon: Lexicon) -> bool:
    names = {c.name for c in lexicon.concepts_of(a.label)}
    return bool(names & {c.name for c in lexicon.concepts_of(b.label)}) or bool(
        set(a.variants) & set(b.variants)
    )


def _seen(group: TermGroup, row: IndicatorRow, lexicon: Lexicon) -> bool:
    return row_holds(group, row, lexicon) or group_occurs(
        row.project or "", group, lexicon.tokenizer
    )


def is_measure(group: TermGroup) -> bool:
    """True for a measure word a count answers (数量, 人数, 场次 …)."""
    return group.label in MEASURE_UNITS or (group.concept or "") in MEASURE_UNITS


def row_holds(group: TermGroup, row: IndicatorRow, lexicon: Lexicon) -> bool:
    """The row's level3 or value holds the group (每件 in ``每件1000元``), or the group is a
    measure its value's unit answers."""
    if group_occurs(row.level3, group, lexicon.tokenizer):
        return True
    if group is not RATE and group_occurs(row.value or "", group, lexicon.tokenizer):
        return True
    if not is_measure(group):
        return False
    unit = unit_of(row)
    return bool(unit) and unit in _units(group)


def _units(group: TermGroup) -> frozenset[str]:
    """The units that answer a measure group."""
    return MEASURE_UNITS.get(group.label) or MEASURE_UNITS.get(group.concept or "", frozenset())


def unit_of(row: IndicatorRow) -> str | None:
    """The unit a row's value is counted in (≥14场次 → 场次, 4583.33元每人每月 → 元)."""
    if row.value_unit:
        return row.value_unit.strip()
    match = _UNIT.search(row.value or "")
    return match.group(1) if match else None
