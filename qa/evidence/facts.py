"""The department figures a question names (项目支出, 三公经费 …), from the budget tables."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from index.schema import DepartmentFact
from index.text import compact

from ..context import QAContext
from ..question import Understanding


@dataclass(frozen=True)
class NamedFigure:
    """A figure the question names, its value, and the facts that print it."""

    label: str
    value: Decimal
    support: tuple[DepartmentFact, ...]


def fact_candidates(facts: list[DepartmentFact], label: str) -> list[DepartmentFact]:
    """Facts that state the labelled figure: an exact label first, then a table's total."""
    key = compact(label).replace('"', "")
    exact = [f for f in facts if compact(f.label).split(" ")[-1] == key or compact(f.label) == key]
    if exact:
        return exact
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
    return totals or [f for f in facts if key in compact(f.label)]


def named_figures(ctx: QAContext, u: Understanding) -> list[NamedFigure]:
    """Each fact label of the question with the value most facts print for it (in 元 or 万元)."""
    facts = ctx.facts_in(u.regions, u.years[0] if u.years else None)
    if u.departments:  # the named department's tables only (高院's 政府采购, not 检察院's)
        facts = [f for f in facts if not f.department or f.department in u.departments]
    out = []
    for label in u.fact_labels:
        candidates = [f for f in fact_candidates(facts, label) if f.unit in (None, "万元", "元")]
        if not candidates:
            continue
        value, _ = Counter(f.value for f in candidates).most_common(1)[0]
        out.append(NamedFigure(label, value, tuple(f for f in candidates if f.value == value)))
    return out
