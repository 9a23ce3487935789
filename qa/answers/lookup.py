"""Answer amount and value lookups: the one project or indicator row a question asks about."""

from __future__ import annotations

from index.schema import IndicatorRow, Project

from ..context import QAContext
from ..evidence import Scored, coverage, rank_indicators, rank_projects
from ..question import Understanding
from ..sources import Sources
from .facts import answer_department_facts
from .format import project_amount
from .schema import Answer, IndicatorItem, ProjectItem

MIN_PROJECT_SCORE = 1.2
MIN_INDICATOR_SCORE = 1.3
EXACT_FIT = 0.99


def answer_lookup(ctx: QAContext, u: Understanding) -> Answer | None:
    """A project amount or an indicator value, whichever the question names more exactly.

    An amount question whose words name an indicator row rather than a project
    (``司法协理员每人每月生活补助多少``) is answered with that row; its project comes first.
    A question naming a department figure (项目支出 …) that no project is named after is
    answered from the budget tables.
    """
    vector = ctx.searcher.query_vector(u.question)
    projects = rank_projects(ctx, u, vector)
    indicators = rank_indicators(ctx, u, vector)
    project_fit = coverage(ctx, u, projects[0].record.name) if projects else 0.0
    if u.fact_labels and project_fit < EXACT_FIT:
        answer = answer_department_facts(ctx, u)
        if answer is not None:
            return answer
    best_row = indicators[0].record if indicators else None
    indicator_fit = (
        coverage(ctx, u, f"{best_row.level3} {best_row.project or ''}") if best_row else 0.0
    )
    prefer_indicator = u.intent == "indicator_value" or (
        indicator_fit >= EXACT_FIT and project_fit < EXACT_FIT
    )
    if prefer_indicator:
        return indicator_answer(ctx, u, indicators) or amount_answer(ctx, u, projects)
    return amount_answer(ctx, u, projects) or indicator_answer(ctx, u, indicators)


def amount_answer(ctx: QAContext, u: Understanding, ranked: list[Scored]) -> Answer | None:
    """The amount of the best-ranked project, or None when nothing fits well enough."""
    if not ranked or ranked[0].score < MIN_PROJECT_SCORE:
        return None
    sources = Sources.of(ctx.store)
    best: Project = ranked[0].record
    others = [s.record for s in ranked[1:4] if s.score >= ranked[0].score - 0.8]
    text = (
        f"{best.region or ''}“{best.name}”{best.year or ''}年度资金为{project_amount(best)}，"
        f"见{sources.cite_project(best)}。"
    )
    if others:
        listed = [f"“{p.name}”{project_amount(p)}（{sources.cite_project(p)}）" for p in others]
        text += "相近的项目还有：" + "；".join(listed) + "。"
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


def indicator_answer(ctx: QAContext, u: Understanding, ranked: list[Scored]) -> Answer | None:
    """The value of the best-ranked indicator row, or None when nothing fits well enough."""
    if not ranked or ranked[0].score < MIN_INDICATOR_SCORE:
        return None
    sources = Sources.of(ctx.store)
    best: IndicatorRow = ranked[0].record
    close = [s.record for s in ranked[1:5] if s.score >= ranked[0].score - 0.5]
    owner = f"“{best.project}”" if best.project else "部门整体支出绩效目标表"
    levels = "/".join(x for x in (best.level1, best.level2) if x)
    text = (
        f"{best.region or ''}{owner}的指标“{best.level3}”（{levels}）目标值为 {best.value}，"
        f"见{sources.cite_record(best)}。"
    )
    if close:
        listed = [
            f"{r.region or ''}“{r.project or '部门整体'}”{r.level3} {r.value}"
            f"（{sources.cite_record(r)}）"
            for r in close
        ]
        text += "其他相近的指标：" + "；".join(listed) + "。"
    projects: list[ProjectItem] = []
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
