"""Topping up a thin draft: a usable table has several rows over several kinds.

A new project's comparable projects may print few rows (秀山 公证处业务经费 prints five, in
three kinds). A draft with fewer than :data:`MIN_ROWS` rows is topped up with more rows of the
comparable projects, closest in meaning to the topic first, at most :data:`PER_KIND` to a kind;
a draft still short of rows or covering fewer than :data:`MIN_KINDS` kinds takes, for the kinds
it lacks, the closest row of a neighbouring project (the projects nearest the topic in meaning,
which join the comparables). A draft without a satisfaction row takes the closest one of those
projects (every table has one). Every row added cites the row it was drawn from; nothing is
invented.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from index.schema import IndicatorRow

from ..context import QAContext
from ..question import LEVEL2_KINDS, SATISFACTION_KIND, level2_kind
from ..wording import level3_similarity
from .comparables import Comparable, topic_query

MIN_ROWS = 6
MIN_KINDS = 4
PER_KIND = 2
NEIGHBOURS = 3


def top_up(
    ctx: QAContext,
    topics: list[str],
    context: str | None,
    comparables: tuple[Comparable, ...],
    taken: list[IndicatorRow],
    make_row: Callable,
) -> tuple[list, tuple[Comparable, ...]]:
    """Rows to add to a draft whose proposed rows drew on ``taken``, and the neighbouring
    projects they come from (added to the comparables).

    ``make_row(row, kind, rank, neighbour)`` turns an existing row into a draft row.
    """
    query = _query(ctx, topics, context)
    added: list = []
    chosen = list(taken)
    if len(chosen) < MIN_ROWS:
        pool = [r for c in comparables for r in c.project.indicators]
        for row in _closest(ctx, query, pool, chosen):
            if len(chosen) >= MIN_ROWS:
                break
            if _count(chosen, _kind(row)) < PER_KIND:
                chosen.append(row)
                added.append(row)
    neighbours: tuple[Comparable, ...] = ()
    if not _enough(chosen) and any(not _count(chosen, k) for k in LEVEL2_KINDS):
        neighbours = _neighbours(ctx, query, comparables)
        pool = [r for c in neighbours for r in c.project.indicators]
        for row in _closest(ctx, query, pool, chosen):
            if _enough(chosen):
                break
            if not _count(chosen, _kind(row)):
                chosen.append(row)
                added.append(row)
    if not _count(chosen, SATISFACTION_KIND):
        pool = [r for c in (*comparables, *neighbours) for r in c.project.indicators]
        for row in _closest(ctx, query, pool, chosen):
            if _kind(row) == SATISFACTION_KIND:
                chosen.append(row)
                added.append(row)
                break
    used = {r.project_id for r in added}
    neighbours = tuple(c for c in neighbours if c.project.id in used)
    rank = {c.project.id: i for i, c in enumerate((*comparables, *neighbours))}
    lent = {c.project.id for c in neighbours}
    rows = [make_row(r, _kind(r), rank, r.project_id in lent) for r in added]
    return rows, neighbours


def _query(ctx: QAContext, topics: list[str], context: str | None) -> np.ndarray:
    vectors = [ctx.searcher.query_vector(topic_query(t, context)) for t in topics]
    mean = np.mean(vectors, axis=0)
    return mean / (np.linalg.norm(mean) or 1.0)


def _enough(rows: list[IndicatorRow]) -> bool:
    return len(rows) >= MIN_ROWS and len({_kind(r) for r in rows}) >= MIN_KINDS


def _kind(row: IndicatorRow) -> str | None:
    return level2_kind(row.level1, row.level2)


def _count(rows: list[IndicatorRow], kind: str | None) -> int:
    return sum(1 for r in rows if _kind(r) == kind)


def _closest(
    ctx: QAContext, query: np.ndarray, pool: list[IndicatorRow], chosen: list[IndicatorRow]
) -> list[IndicatorRow]:
    """The pool's rows with a known kind and wording, not chosen, closest to the topic first."""
    seen = {r.id for r in chosen}
    words = {r.level3.strip() for r in chosen}
    pool = [
        r
        for r in pool
        if r.id not in seen and r.level3.strip() and r.level3.strip() not in words and _kind(r)
    ]
    if not pool:
        return []
    scores = level3_similarity(ctx.engine, pool, query)
    order = sorted(range(len(pool)), key=lambda i: (-round(float(scores[i]), 6), pool[i].id))
    return [pool[i] for i in order]


def _neighbours(
    ctx: QAContext, query: np.ndarray, comparables: tuple[Comparable, ...]
) -> tuple[Comparable, ...]:
    """The projects nearest the topic in meaning that are not comparables already."""
    known = {c.project.id for c in comparables}
    projects = [p for p in ctx.sorted_projects if p.id not in known and p.indicators]
    if not projects:
        return ()
    scores = ctx.similarities(query, [p.id for p in projects])
    order = sorted(range(len(projects)), key=lambda i: (-float(scores[i]), projects[i].id))
    return tuple(
        Comparable(projects[i], (), 0.0, round(float(scores[i]), 4), (), neighbour=True)
        for i in order[:NEIGHBOURS]
    )
