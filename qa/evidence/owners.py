"""Which table a question is about: the project or department-wide table whose name, region,
department and content cover the question's scope words best."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.schema import DepartmentPlan, IndicatorRow, Project

from ..context import QAContext
from ..question import Understanding
from .fits import in_scope
from .match import Key, covered
from .records import Record, records_of

MIN_SCOPE = 0.45


@dataclass(frozen=True)
class Owner:
    """A table (a project or a department-wide table) and how well the question names it."""

    record: Record
    scope: float
    marks: tuple[float, ...]

    @property
    def table(self) -> Project | DepartmentPlan:
        return self.record.source

    @property
    def rows(self) -> tuple[IndicatorRow, ...]:
        return self.table.indicators


_TABLE_WORDS = re.compile(
    r"(?:那|这)?张?(?:批复|申报|自评|绩效|评价|目标|指标|预算)*表里?|三级指标|二级指标|一级指标|"
    r"指标|一共|列了|列|空行|扣掉|这种|设了|下面|定性|定量|实际|包括|细分|自评|申报|批复"
)


def owner_key(key: Key) -> Key:
    """The part of a question's key that names a table (table words removed)."""
    text = _TABLE_WORDS.sub("", key.text)
    kept = [t for t in key.terms if key.text[t[0] : t[1]] in text]
    terms = []
    for start, end, variants in kept:
        found = text.find(key.text[start:end])
        terms.append((found, found + end - start, variants))
    return Key(text, tuple(terms))


def rank_owners(ctx: QAContext, u: Understanding, key: Key) -> list[Owner]:
    """Projects and department-wide tables (with indicator rows) in the question's scope,
    best named first."""
    key = owner_key(key)
    out = []
    for record in records_of(ctx.store):
        if record.kind not in ("amount", "plan") or not in_scope(record, u):
            continue
        if not record.source.indicators:
            continue
        named = covered(key, record.scope)
        about = covered(key, record.about) if record.about else [0.0] * len(named)
        marks = tuple(max(a, b / 2) for a, b in zip(named, about, strict=True))
        scope = sum(marks) / len(marks) if marks else 0.0
        out.append(Owner(record, scope, marks))
    return sorted(out, key=lambda o: (-o.scope, o.record.id))


def best_owner(ctx: QAContext, u: Understanding, key: Key) -> Owner | None:
    """The one table the question names, or None when none is named clearly.

    A region with a single table names it (石嘴山疾控那张批复表 → the one 石嘴山 table).
    """
    ranked = rank_owners(ctx, u, key)
    if not ranked:
        return None
    placed = [o for o in ranked if o.record.region]
    if u.regions and len(placed) == 1:
        return placed[0]
    return ranked[0] if ranked[0].scope >= MIN_SCOPE else None


__all__ = ["Owner", "best_owner", "rank_owners"]
