"""The projects that fund a topic, and how directly; the projects an aggregate sums.

A project is ``primary`` when its name or one of its indicators is about the
topic, and ``partial`` when only its goals or overview mention it (a
multi-purpose fund).
"""

from __future__ import annotations

from dataclasses import dataclass

from index.numbers import MONEY_UNITS
from index.schema import Funding as FundingLine
from index.schema import Project
from index.text import compact

from ..context import QAContext
from ..question import Understanding

FULL_SCAN = 2000
INCIDENTAL_LENGTH = 30
INCIDENTAL_HEAD = 15


@dataclass(frozen=True)
class ProjectMatch:
    """A project about the question's topic, how directly, and the rows that show it."""

    project: Project
    match: str
    evidence: tuple[str, ...]
    rows: tuple


def match_project(ctx: QAContext, u: Understanding, project: Project) -> ProjectMatch | None:
    """How the project concerns the question's topic, or None."""
    texts = ctx.project_texts(project)
    rows = tuple(
        r
        for r in project.indicators
        if any(ctx.matcher.matches(p, r.level3) and _pointed(ctx, p, r.level3) for p in u.phrases)
    )
    if any(ctx.matcher.matches(p, texts["name"]) for p in u.phrases):
        return ProjectMatch(project, "primary", ("项目名称",), rows)
    if rows:
        return ProjectMatch(project, "primary", ("绩效指标",), rows)
    for field, label in (("goal", "绩效目标"), ("detail", "项目概况")):
        if any(ctx.matcher.matches(p, texts[field]) for p in u.phrases):
            return ProjectMatch(project, "partial", (label,), ())
    return None


def _pointed(ctx: QAContext, phrase, text: str) -> bool:
    """The row is about the topic, not a long list of duties that happens to name it."""
    if len(text) <= INCIDENTAL_LENGTH:
        return True
    head = text[:INCIDENTAL_HEAD]
    return all(ctx.matcher.term_in(term, head) for term in phrase.terms)


def projects_about(ctx: QAContext, u: Understanding) -> list[ProjectMatch]:
    """Every project of the question's regions (all regions when none) about the topic.

    Small corpora are scanned in full; past :data:`FULL_SCAN` projects, only projects that
    share a search token with a phrase (or a lexicon variant of its words) are checked.
    """
    projects = ctx.projects_in(u.regions, _year(u))
    if len(projects) > FULL_SCAN:
        texts = [" ".join(v for t in p.terms for v in ctx.matcher.variants(t)) for p in u.phrases]
        keep = ctx.lexical_projects(texts)
        projects = [p for p in projects if p.id in keep]
    found = [f for f in (match_project(ctx, u, p) for p in projects) if f]
    return sorted(
        found,
        key=lambda f: (
            f.project.region or "",
            f.match != "primary",
            -(f.project.amount_wan or 0),
            f.project.id,
        ),
    )


def _year(u: Understanding) -> int | None:
    return u.years[0] if u.years else None


def topic_projects(ctx: QAContext, u: Understanding) -> list[Project]:
    """The projects an aggregate is over: named after the topic, else about it; all of the
    scope only when the question names no topic (a topic no project is about is not every
    project: 省委办公厅住房公积金 sums no project money)."""
    scope = ctx.projects_in(u.regions, _year(u))
    if not u.phrases or not _names_topic(u, scope):
        return scope
    found = projects_about(ctx, u)
    by_name = [f.project for f in found if "项目名称" in f.evidence]
    if by_name:
        return by_name
    primary = [f.project for f in found if f.match == "primary"]
    return primary or [f.project for f in found]


def _names_topic(u: Understanding, scope: list[Project]) -> bool:
    """Some content word of the question is neither a unit (万元) nor words of the scope's
    department names (平罗司法局这批项目 names a department, not a topic)."""
    orgs = {compact(name) for p in scope for name in (p.department, p.implementing_unit) if name}
    return any(
        group.label not in MONEY_UNITS and not any(group.label in org for org in orgs)
        for phrase in u.phrases
        for group in phrase.groups
    )


def funding_lines(ctx: QAContext, u: Understanding) -> list[tuple[Project, FundingLine]]:
    """Each project's funding line of the source the question names (中央补助 …), with an amount."""
    label = compact(u.funding_label or "")
    if not label:
        return []
    items = []
    for project in ctx.projects_in(u.regions, _year(u)):
        for line in project.funding:
            printed = compact(line.label)
            if (label in printed or printed in label) and line.amount_wan:
                items.append((project, line))
    return items
