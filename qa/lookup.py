"""Find the one project or indicator row a question asks about, and answer with its figure."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from index.schema import IndicatorRow, Project
from index.search import Filters
from index.text import compact

from .context import QAContext
from .format import indicator_source, project_amount, project_source
from .schema import Answer, IndicatorItem, ProjectItem
from .understand import Understanding

NAME_WEIGHT, INDICATOR_WEIGHT, DETAIL_WEIGHT, DENSE_WEIGHT, OVERLAP_WEIGHT = 3.0, 1.0, 0.5, 1.5, 1.5
MIN_PROJECT_SCORE = 1.2
MIN_INDICATOR_SCORE = 1.3


@dataclass(frozen=True)
class Scored:
    """A candidate and how well it fits the question."""

    score: float
    record: object


def _coverage(ctx: QAContext, u: Understanding, text: str) -> float:
    if not u.phrases:
        return 0.0
    return max(ctx.matcher.coverage(p, text) for p in u.phrases)


def _batch_bonus(ctx: QAContext, u: Understanding, project: Project) -> float:
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
    key = compact(re.sub(r"^20\d{2}年", "", name))
    key = re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]", "", key)
    if not key:
        return 0.0
    asked = set(compact(question))
    return sum(ch in asked for ch in key) / len(key)


def score_project(
    ctx: QAContext, u: Understanding, project: Project, query_vector: np.ndarray
) -> float:
    texts = ctx.project_texts(project)
    indicator_cov = max((_coverage(ctx, u, r.level3) for r in project.indicators), default=0.0)
    return (
        NAME_WEIGHT * _coverage(ctx, u, texts["name"])
        + OVERLAP_WEIGHT * name_overlap(u.topic, project.name)
        + INDICATOR_WEIGHT * indicator_cov
        + DETAIL_WEIGHT * _coverage(ctx, u, texts["goal"] + texts["detail"])
        + DENSE_WEIGHT * ctx.similarity(query_vector, project.id)
        + _batch_bonus(ctx, u, project)
    )


def rank_projects(ctx: QAContext, u: Understanding, query_vector: np.ndarray) -> list[Scored]:
    """Projects in the question's regions, best first (ties by id)."""
    candidates = _project_candidates(ctx, u, query_vector)
    scored = [Scored(score_project(ctx, u, p, query_vector), p) for p in candidates]
    return sorted(scored, key=lambda s: (-s.score, s.record.id))


def _project_candidates(
    ctx: QAContext, u: Understanding, query_vector: np.ndarray
) -> list[Project]:
    in_scope = ctx.projects_in(u.regions)
    if len(in_scope) <= 400:
        return in_scope
    searcher_hits = _search(ctx, u, ("project", "indicator"), 200)
    ids = {h.project_id for h in searcher_hits if h.project_id}
    return [ctx.store.projects[i] for i in sorted(ids) if i in ctx.store.projects]


def _search(ctx: QAContext, u: Understanding, kinds: tuple[str, ...], k: int):
    searcher = ctx.searcher
    region = u.regions[0] if len(u.regions) == 1 else None
    return searcher.search(u.question, k=k, filters=Filters(region=region, kinds=kinds))


def score_indicator(
    ctx: QAContext,
    u: Understanding,
    row: IndicatorRow,
    query_vector: np.ndarray,
    project_bonus: dict[str, float],
) -> float:
    level3 = _coverage(ctx, u, row.level3)
    combined = _coverage(ctx, u, f"{row.level3} {row.project or ''} {row.level2 or ''}")
    level = 0.5 if u.level2 and row.level2 and u.level2[:2] in row.level2 else 0.0
    level += 0.5 if u.level1 and row.level1 and u.level1[:2] in row.level1 else 0.0
    scope = 0.0 if row.scope == "project" else -0.3
    return (
        1.0 * level3
        + 2.5 * combined
        + DENSE_WEIGHT * ctx.similarity(query_vector, row.id)
        + project_bonus.get(row.project_id or "", 0.0)
        + level
        + scope
    )


def rank_indicators(ctx: QAContext, u: Understanding, query_vector: np.ndarray) -> list[Scored]:
    rows = ctx.indicators_in(u.regions)
    if len(rows) > 3000:
        hits = _search(ctx, u, ("indicator",), 300)
        rows = [ctx.store.indicators[h.id] for h in hits if h.id in ctx.store.indicators]
    bonus = {}
    for project in {r.project_id for r in rows if r.project_id}:
        p = ctx.store.projects.get(project)
        if p is not None:
            bonus[project] = 0.5 * _batch_bonus(ctx, u, p) + OVERLAP_WEIGHT * name_overlap(
                u.topic, p.name
            )
    scored = [Scored(score_indicator(ctx, u, r, query_vector, bonus), r) for r in rows]
    return sorted(scored, key=lambda s: (-s.score, s.record.id))


def amount_answer(
    ctx: QAContext, u: Understanding, query_vector: np.ndarray, ranked: list[Scored] | None = None
) -> Answer | None:
    """The amount of the project asked about, or None when nothing fits well enough."""
    ranked = ranked if ranked is not None else rank_projects(ctx, u, query_vector)
    if not ranked or ranked[0].score < MIN_PROJECT_SCORE:
        return None
    best: Project = ranked[0].record
    others = [s.record for s in ranked[1:4] if s.score >= ranked[0].score - 0.8]
    text = (
        f"{best.region or ''}“{best.name}”{best.year or ''}年度资金为{project_amount(best)}，"
        f"见{project_source(best)}。"
    )
    if others:
        text += (
            "相近的项目还有："
            + "；".join(f"“{p.name}”{project_amount(p)}（{project_source(p)}）" for p in others)
            + "。"
        )
    return Answer(
        question=u.question,
        intent="amount_lookup",
        text=text,
        projects=tuple(ProjectItem.of(p) for p in [best, *others]),
        indicators=tuple(
            IndicatorItem.of(r) for r in best.indicators if r.level2 and "成本" in r.level2
        ),
        value=best.amount_wan,
        unit="万元",
    )


def indicator_answer(
    ctx: QAContext, u: Understanding, query_vector: np.ndarray, ranked: list[Scored] | None = None
) -> Answer | None:
    """The value of the indicator asked about, or None when nothing fits well enough."""
    ranked = ranked if ranked is not None else rank_indicators(ctx, u, query_vector)
    if not ranked or ranked[0].score < MIN_INDICATOR_SCORE:
        return None
    best: IndicatorRow = ranked[0].record
    close = [s.record for s in ranked[1:5] if s.score >= ranked[0].score - 0.5]
    owner = f"“{best.project}”" if best.project else "部门整体支出绩效目标表"
    text = (
        f"{best.region or ''}{owner}的指标“{best.level3}”"
        f"（{'/'.join(x for x in (best.level1, best.level2) if x)}）目标值为 {best.value}，"
        f"见{indicator_source(best)}。"
    )
    if close:
        text += (
            "其他相近的指标："
            + "；".join(
                f"{r.region or ''}“{r.project or '部门整体'}”{r.level3} {r.value}（{indicator_source(r)}）"
                for r in close
            )
            + "。"
        )
    projects = []
    for row in [best, *close]:
        project = ctx.store.projects.get(row.project_id or "")
        if project and all(p.project_id != project.id for p in projects):
            projects.append(ProjectItem.of(project))
    return Answer(
        question=u.question,
        intent="indicator_value",
        text=text,
        projects=tuple(projects),
        indicators=tuple(IndicatorItem.of(r) for r in [best, *close]),
        value=best.value_number,
        unit=best.value_unit,
    )


def lookup_answer(ctx: QAContext, u: Understanding, query_vector: np.ndarray) -> Answer | None:
    """A project amount or an indicator value, whichever the question names more exactly.

    An amount question whose words name an indicator row rather than a project
    (``司法协理员每人每月生活补助多少``) is answered with that row; its project comes first.
    """
    projects = rank_projects(ctx, u, query_vector)
    indicators = rank_indicators(ctx, u, query_vector)
    project_fit = _coverage(ctx, u, projects[0].record.name) if projects else 0.0
    if u.fact_labels and project_fit < 0.99:
        from .aggregate import department_fact_answer

        answer = department_fact_answer(ctx, u)
        if answer is not None:
            return answer
    best_row = indicators[0].record if indicators else None
    indicator_fit = (
        _coverage(ctx, u, f"{best_row.level3} {best_row.project or ''}") if best_row else 0.0
    )
    prefer_indicator = u.intent == "indicator_value" or (
        indicator_fit >= 0.99 and project_fit < 0.99
    )
    if prefer_indicator:
        return indicator_answer(ctx, u, query_vector, indicators) or amount_answer(
            ctx, u, query_vector, projects
        )
    return amount_answer(ctx, u, query_vector, projects) or indicator_answer(
        ctx, u, query_vector, indicators
    )
