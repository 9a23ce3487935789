"""Rank the projects and indicator rows a question may be about (amount and value lookups).

A project scores by how much of the question's topic its name, indicators and goals print
(:class:`~qa.question.TopicMatcher` coverage), how much of its name the question repeats,
its embedding similarity to the question, and batch or year words (第二批, 结转, 2023年).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from index.schema import IndicatorRow, Project
from index.search import Filters
from index.text import compact

from ..context import QAContext
from ..question import Understanding

NAME_WEIGHT, INDICATOR_WEIGHT, DETAIL_WEIGHT, DENSE_WEIGHT, OVERLAP_WEIGHT = 3.0, 1.0, 0.5, 1.5, 1.5
FULL_PROJECT_SCAN = 400
FULL_INDICATOR_SCAN = 3000


@dataclass(frozen=True)
class Scored:
    """A candidate and how well it fits the question."""

    score: float
    record: object


def coverage(ctx: QAContext, u: Understanding, text: str, memo: dict | None = None) -> float:
    """The best share of one of the question's phrases printed in the text (``memo``: the
    texts already read for this question; rows print the same wording in many projects)."""
    if not u.phrases:
        return 0.0
    if memo is not None:
        found = memo.get(text)
        if found is None:
            found = memo[text] = coverage(ctx, u, text)
        return found
    return max(ctx.matcher.coverage(p, text) for p in u.phrases)


def batch_bonus(ctx: QAContext, u: Understanding, project: Project) -> float:
    """Credit for batch and year words the project's name (or carry-over) agrees with."""
    bonus = 0.0
    for word in u.batch:
        if word in ("结转", "上年结转"):
            bonus += 1.0 if ctx.is_carryover(project) else -0.5
        elif word in project.name:
            bonus += 1.0
    if "(第" in project.name.replace("（", "(") and not any(w.startswith("第") for w in u.batch):
        bonus -= 0.3
    for year in u.years:
        if f"{year}年" in project.name:
            bonus += 1.0
    return bonus


def name_overlap(question: str, name: str) -> float:
    """Share of the project name's characters that the question repeats (短名全说出 → 1.0).

    Rewards the project a question names in full (人民调解经费) over a longer name that
    merely contains the same topic (公共法律服务、人民调解和司法所工作等经费).
    """
    key = _name_key(name)
    if not key:
        return 0.0
    asked = set(compact(question))
    return sum(ch in asked for ch in key) / len(key)


@lru_cache(maxsize=65_536)
def _name_key(name: str) -> str:
    """The characters of a project name :func:`name_overlap` counts (kept per name)."""
    key = compact(re.sub(r"^20\d{2}年", "", name))
    return re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]", "", key)


def score_project(
    ctx: QAContext, u: Understanding, project: Project, dense: float, memo: dict | None = None
) -> float:
    """How well a project fits the question (``dense``: its embedding similarity; ``memo``:
    see :func:`coverage`)."""
    texts = ctx.project_texts(project)
    indicator_cov = 0.0  # the best of its rows' (a share, never below 0)
    for row in project.indicators:
        found = memo.get(row.level3) if memo is not None else None
        if found is None:
            found = coverage(ctx, u, row.level3, memo)
        indicator_cov = max(indicator_cov, found)
    return (
        NAME_WEIGHT * coverage(ctx, u, texts["name"], memo)
        + OVERLAP_WEIGHT * name_overlap(u.topic, project.name)
        + INDICATOR_WEIGHT * indicator_cov
        + DETAIL_WEIGHT * coverage(ctx, u, texts["goal"] + texts["detail"], memo)
        + DENSE_WEIGHT * dense
        + batch_bonus(ctx, u, project)
    )


def rank_projects(ctx: QAContext, u: Understanding, query_vector: np.ndarray) -> list[Scored]:
    """Projects in the question's regions, best first (ties by id)."""
    candidates = _project_candidates(ctx, u)
    dense = ctx.similarities(query_vector, [p.id for p in candidates])
    memo: dict = {}
    scored = [
        Scored(score_project(ctx, u, p, float(d), memo), p)
        for p, d in zip(candidates, dense, strict=True)
    ]
    return sorted(scored, key=lambda s: (-s.score, s.record.id))


def _project_candidates(ctx: QAContext, u: Understanding) -> list[Project]:
    if ctx.count_in("project", u.regions) <= FULL_PROJECT_SCAN:
        return ctx.projects_in(u.regions)
    rows = _searched_rows(ctx, u, ("project", "indicator"), 200)
    ids = {i for i in ctx.store.columns.at("project_id", rows) if i}
    found = ctx.store.projects.many(ids)
    return [found[i] for i in sorted(ids) if i in found]


def _searched_rows(ctx: QAContext, u: Understanding, kinds: tuple[str, ...], k: int) -> list[int]:
    """The rows of the question's k best chunks of these kinds (in its one region, if one)."""
    region = u.regions[0] if len(u.regions) == 1 else None
    return ctx.searcher.rows(u.question, k=k, filters=Filters(region=region, kinds=kinds))


def score_indicator(
    ctx: QAContext,
    u: Understanding,
    row: IndicatorRow,
    dense: float,
    project_bonus: dict[str, float],
    memo: dict | None = None,
) -> float:
    """How well an indicator row fits the question (``dense``: its embedding similarity;
    ``memo``: see :func:`coverage`)."""
    level3 = coverage(ctx, u, row.level3, memo)
    combined = coverage(ctx, u, f"{row.level3} {row.project or ''} {row.level2 or ''}", memo)
    level = 0.5 if u.level2 and row.level2 and u.level2[:2] in row.level2 else 0.0
    level += 0.5 if u.level1 and row.level1 and u.level1[:2] in row.level1 else 0.0
    scope = 0.0 if row.scope == "project" else -0.3
    return (
        1.0 * level3
        + 2.5 * combined
        + DENSE_WEIGHT * dense
        + project_bonus.get(row.project_id or "", 0.0)
        + level
        + scope
    )


def rank_indicators(ctx: QAContext, u: Understanding, query_vector: np.ndarray) -> list[Scored]:
    """Indicator rows in the question's regions, best first (ties by id)."""
    if ctx.count_in("indicator", u.regions) <= FULL_INDICATOR_SCAN:
        rows = ctx.indicators_in(u.regions)
    else:
        ids = ctx.store.chunk_ids(_searched_rows(ctx, u, ("indicator",), 300))
        found = ctx.store.indicators.many(ids)
        rows = [found[i] for i in ids if i in found]
    owners = ctx.store.projects.many({r.project_id for r in rows if r.project_id})
    bonus = {
        project: 0.5 * batch_bonus(ctx, u, p) + OVERLAP_WEIGHT * name_overlap(u.topic, p.name)
        for project, p in owners.items()
    }
    dense = ctx.similarities(query_vector, [r.id for r in rows])
    memo: dict = {}
    scored = [
        Scored(score_indicator(ctx, u, r, float(d), bonus, memo), r)
        for r, d in zip(rows, dense, strict=True)
    ]
    return sorted(scored, key=lambda s: (-s.score, s.record.id))
