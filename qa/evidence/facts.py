"""The department figures a question names (项目支出, 三公经费 …), from the budget tables."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from index.schema import DepartmentFact
from index.text import compact, normalize_text

from ..context import QAContext
from ..question import Understanding


@dataclass(frozen=True)
class NamedFigure:
    """A figure the question names, its value, and the facts that print it."""

    label: str
    value: Decimal
    support: tuple[DepartmentFact, ...]


_CODE = re.compile(r"^\d{3,}")  # a classification line (30217 公务接待费) of a wider figure
SUBTOTALS = ("小计", "合计")


_SUM_LABELS = ("总额", "合计", "总计")


def label_path(fact: DepartmentFact) -> list[str]:
    """A fact's label as its path of words, quotes dropped (“三公”经费 小计 → 三公经费, 小计)."""
    return compact_label(fact.label).split(" ")


def compact_label(text: str) -> str:
    """A label compared without quotes and spaces inside words (its path kept by one space)."""
    return " ".join(compact(word).replace('"', "") for word in normalize_text(text).split())


def fact_candidates(facts: list[DepartmentFact], label: str) -> list[DepartmentFact]:
    """Facts that state the labelled figure: an exact label first (one printed without a
    classification code before one with: 30217 公务接待费 is the 基本支出 part of it), then the
    group's own subtotal (“三公”经费 小计), then a table's total."""
    key = compact(label).replace('"', "")
    exact = [f for f in facts if compact(f.label).split(" ")[-1] == key or compact(f.label) == key]
    if exact:
        plain = [f for f in exact if not _CODE.match(compact(f.label))]
        return plain or exact
    grouped = [f for f in facts if f.kind == "table" and label_path(f)[0] == key and _subtotal(f)]
    if grouped:
        return grouped
    titled = [
        f
        for f in facts
        if f.table
        and key in compact(f.table).replace('"', "")
        and f"不含{key}" not in compact(f.table)
        and compact(f.label) in ("合计", "总计")
        and f.kind == "table"
    ]
    if titled:
        first_column = min(int(f.id.rsplit(".", 1)[-1]) for f in titled)
        return [f for f in titled if int(f.id.rsplit(".", 1)[-1]) == first_column]
    totals = [
        f
        for f in facts
        if compact(f.label) in ("合计", "总计") and f.column and key in compact(f.column)
    ]
    if totals:
        return totals
    named = [f for f in facts if key in compact(f.label)]
    # 政府采购预算总额 before its parts (政府采购货物预算 …) and a contents line (九、政府采购情况)
    summed = [f for f in named if any(w in compact(f.label) for w in _SUM_LABELS)]
    if summed:
        return summed
    return [f for f in named if not _CODE.match(compact(f.label))] or named


def _subtotal(fact: DepartmentFact) -> bool:
    path = label_path(fact)
    return len(path) == 2 and path[1] in SUBTOTALS


def scoped_facts(ctx: QAContext, u: Understanding) -> list[DepartmentFact]:
    """The facts of the question's regions, year and department (高院's 政府采购, not 检察院's)."""
    facts = ctx.facts_in(u.regions, u.years[0] if u.years else None)
    if u.departments:
        facts = [f for f in facts if not f.department or f.department in u.departments]
    return facts


def named_figures(ctx: QAContext, u: Understanding) -> list[NamedFigure]:
    """Each fact label of the question with the value most facts print for it (in 元 or 万元)."""
    facts = scoped_facts(ctx, u)
    out = []
    for label in u.fact_labels:
        candidates = [f for f in fact_candidates(facts, label) if f.unit in (None, "万元", "元")]
        if not candidates:
            continue
        value, _ = Counter(f.value for f in candidates).most_common(1)[0]
        out.append(NamedFigure(label, value, tuple(f for f in candidates if f.value == value)))
    return out
