"""Answer which regions fund a topic: every project about it, by region, with its amount.

The first sentence gives the result: how many projects in how many places, and the total of
the projects directly about the topic. Projects named after the topic (or with output rows
about it) are listed first, each with its source; a multi-purpose fund that only mentions it
is marked 部分相关. Regions of the corpus with no such project are named.

What is shown is bounded, not what matches: past :data:`SHOWN_REGIONS` regions the text lists
the regions with the largest totals and says how many more there are and what they hold (the
first sentence's total stays the exact sum of every project); a region's line names at most
:data:`SHOWN_PER_REGION` projects; the ``projects`` of the answer stop at
:data:`~qa.answers.format.LISTED_PROJECTS` (the direct ones first, the largest regions'
first).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from ..context import QAContext
from ..evidence import ProjectMatch, names_topic, projects_about
from ..question import Understanding
from ..question.lists import asks_documents
from ..sources import Sources
from .aggregate import answer_scope_projects
from .format import LISTED_PROJECTS, NO_REGION, SHOWN_REGIONS, more_names, project_amount, wan
from .schema import Answer, IndicatorItem, ProjectItem

PARTIAL_TAG = "（多用途资金，部分相关）"
SHOWN_PER_REGION = 10


def answer_which_regions(ctx: QAContext, u: Understanding) -> Answer | None:
    """The which-regions answer, or None when no project is about the topic; the projects of
    the named scope when the question names no topic (平罗县有哪些项目)."""
    if (u.regions or u.years) and asks_documents(u.question):
        return answer_scope_projects(ctx, replace(u, phrases=(), topic=""))  # every project
    if (u.regions or u.years) and not names_topic(ctx, u):
        return answer_scope_projects(ctx, u)  # 平罗县有哪些项目
    found = projects_about(ctx, u)
    if not found:
        return None
    by_region: dict[str, list[ProjectMatch]] = {}
    for match in found:
        by_region.setdefault(match.project.region or NO_REGION, []).append(match)
    totals = {region: _primary_total(matches) for region, matches in by_region.items()}
    order = sorted(by_region, key=lambda r: (-totals[r], r))
    sources = Sources.of(ctx.store)
    lines = [
        _region_line(region, by_region[region], totals[region], sources)
        for region in order[:SHOWN_REGIONS]
    ]
    if len(order) > SHOWN_REGIONS:
        lines.append(_rest(order[SHOWN_REGIONS:], by_region, totals))
    topic = "、".join("".join(p.terms) for p in u.phrases) or u.topic
    primary_total, priced, unpriced = _primary_total(found), _priced(found), _unpriced(found)
    text = f"{_headline(topic, found, len(order), primary_total)}：\n" + "\n".join(lines)
    missing = [
        r for r in ctx.regions.regions if r not in by_region and (not u.regions or r in u.regions)
    ]
    if missing:
        text += f"\n语料中{more_names(missing, '个地区')}未见相关项目。"
    listed = _listed(_ordered(found, order))
    return Answer(
        question=u.question,
        intent="which_regions_fund",
        text=text,
        projects=tuple(
            ProjectItem.of(m.project, m.match, note="、".join(m.evidence)) for m in listed
        ),
        indicators=tuple(IndicatorItem.of(r) for m in listed for r in m.rows),
        value=primary_total if priced or not unpriced else None,  # no amount is not 0
        unit="万元",
        extra={
            "regions_without": missing,
            "regions": len(order),
            "projects": len(found),
            "projects_listed": len(listed),
        },
    )


def _region_line(region: str, matches: list[ProjectMatch], total: Decimal, sources) -> str:
    """``盐池县：“…”36万元（出处）；…`` — past :data:`SHOWN_PER_REGION` projects (direct
    ones first, largest first), how many in all and the region's direct total."""
    parts = [
        f"“{m.project.name}”{project_amount(m.project)}"
        f"{'' if m.match == 'primary' else PARTIAL_TAG}（{sources.cite_project(m.project)}）"
        for m in matches[:SHOWN_PER_REGION]
    ]
    if len(matches) > SHOWN_PER_REGION:
        parts.append(f"等{len(matches)}个项目（直接相关的合计{wan(total)}）")
    return f"{region}：" + "；".join(parts)


def _rest(regions: list[str], by_region: dict[str, list[ProjectMatch]], totals) -> str:
    """The regions past the shown ones: how many, their projects and direct total."""
    projects = sum(len(by_region[r]) for r in regions)
    total = sum((totals[r] for r in regions), Decimal(0))
    return (
        f"另有{len(regions)}个地区共{projects}个项目（直接相关的合计{wan(total)}）："
        f"{more_names(regions, '个地区')}"
    )


def _headline(topic: str, found: list[ProjectMatch], regions: int, total: Decimal) -> str:
    """The result in one sentence: how many projects and places, and the direct ones' total
    (never a total of 0 for projects that print no amount)."""
    primary, priced, unpriced = (
        sum(1 for m in found if m.match == "primary"),
        _priced(found),
        _unpriced(found),
    )
    text = f"涉及“{topic}”的项目共{len(found)}个，分布在{regions}个地区"
    if not primary:
        return text
    if not priced:
        return text + f"，其中直接相关的{primary}个均未列金额，无法合计"
    text += f"，其中直接相关的{primary}个合计{wan(total)}"
    return text + (f"（另有{unpriced}个未列金额）" if unpriced else "")


def _primary_total(matches: list[ProjectMatch]) -> Decimal:
    """The amounts the directly related projects print (Decimal, 0 when none prints one)."""
    return sum(
        (m.project.amount_wan or Decimal(0) for m in matches if m.match == "primary"), Decimal(0)
    )


def _unpriced(matches: list[ProjectMatch]) -> int:
    """How many directly related projects print no amount."""
    return sum(1 for m in matches if m.match == "primary" and m.project.amount_wan is None)


def _priced(matches: list[ProjectMatch]) -> int:
    """How many directly related projects print an amount."""
    return sum(1 for m in matches if m.match == "primary" and m.project.amount_wan is not None)


def _listed(ordered: list[ProjectMatch]) -> list[ProjectMatch]:
    """The projects an answer lists: all, or past :data:`LISTED_PROJECTS` the direct ones
    first (largest regions first), in the answer's order."""
    if len(ordered) <= LISTED_PROJECTS:
        return ordered
    kept = {id(m) for m in sorted(ordered, key=lambda m: m.match != "primary")[:LISTED_PROJECTS]}
    return [m for m in ordered if id(m) in kept]


def _ordered(found: list[ProjectMatch], order: list[str]) -> list[ProjectMatch]:
    rank = {region: i for i, region in enumerate(order)}
    return sorted(
        found,
        key=lambda m: (
            rank.get(m.project.region or NO_REGION, 99),
            m.match != "primary",
            -(m.project.amount_wan or Decimal(0)),
            m.project.id,
        ),
    )
