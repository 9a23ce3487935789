"""Which regions fund a topic: every matching project by region, with its amount.

A project is ``primary`` when its name or one of its indicators is about the
topic, and ``partial`` when only its goals or overview mention it (a
multi-purpose fund). Regions of the corpus with no matching project are named.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.schema import Project

from .context import QAContext
from .format import project_amount, project_source, wan
from .schema import Answer, IndicatorItem, ProjectItem
from .understand import Understanding

FULL_SCAN = 2000
INCIDENTAL_LENGTH = 30
INCIDENTAL_HEAD = 15


@dataclass(frozen=True)
class Funding:
    """A project that funds the topic, how directly, and the rows that show it."""

    project: Project
    match: str
    evidence: tuple[str, ...]
    rows: tuple


def match_project(ctx: QAContext, u: Understanding, project: Project) -> Funding | None:
    """How the project concerns the question's topic, or None."""
    texts = ctx.project_texts(project)
    rows = tuple(
        r
        for r in project.indicators
        if any(ctx.matcher.matches(p, r.level3) and _pointed(ctx, p, r.level3) for p in u.phrases)
    )
    if any(ctx.matcher.matches(p, texts["name"]) for p in u.phrases):
        return Funding(project, "primary", ("项目名称",), rows)
    if rows:
        return Funding(project, "primary", ("绩效指标",), rows)
    for field, label in (("goal", "绩效目标"), ("detail", "项目概况")):
        if any(ctx.matcher.matches(p, texts[field]) for p in u.phrases):
            return Funding(project, "partial", (label,), ())
    return None


def _pointed(ctx: QAContext, phrase, text: str) -> bool:
    """The row is about the topic, not a long list of duties that happens to name it."""
    if len(text) <= INCIDENTAL_LENGTH:
        return True
    head = text[:INCIDENTAL_HEAD]
    return all(ctx.matcher.term_in(term, head) for term in phrase.terms)


def fundings(ctx: QAContext, u: Understanding) -> list[Funding]:
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


def which_regions_answer(ctx: QAContext, u: Understanding) -> Answer | None:
    """The which-regions answer, or None when no project is about the topic."""
    found = fundings(ctx, u)
    if not found:
        return None
    by_region: dict[str, list[Funding]] = {}
    for f in found:
        by_region.setdefault(f.project.region or "未注明地区", []).append(f)
    order = sorted(
        by_region,
        key=lambda r: (
            -sum(f.project.amount_wan or 0 for f in by_region[r] if f.match == "primary"),
            r,
        ),
    )
    lines = []
    for region in order:
        parts = []
        for f in by_region[region]:
            tag = "" if f.match == "primary" else "（多用途资金，部分相关）"
            parts.append(
                f"“{f.project.name}”{project_amount(f.project)}{tag}（{project_source(f.project)}）"
            )
        lines.append(f"{region}：" + "；".join(parts))
    topic = "、".join("".join(p.terms) for p in u.phrases) or u.topic
    text = f"涉及“{topic}”的项目共{len(found)}个，分布在{len(order)}个地区：\n" + "\n".join(lines)
    primary_total = sum((f.project.amount_wan or 0) for f in found if f.match == "primary")
    text += f"\n直接相关项目合计{wan(primary_total)}。"
    missing = [
        r for r in ctx.regions.regions if r not in by_region and (not u.regions or r in u.regions)
    ]
    if missing:
        text += f"\n语料中{('、'.join(missing))}未见相关项目。"
    items = tuple(
        ProjectItem.of(f.project, f.match, note="、".join(f.evidence))
        for f in _ordered(found, order)
    )
    rows = tuple(IndicatorItem.of(r) for f in found for r in f.rows)
    return Answer(
        question=u.question,
        intent="which_regions_fund",
        text=text,
        projects=items,
        indicators=rows,
        value=primary_total,
        unit="万元",
        extra={"regions_without": missing},
    )


def _ordered(found: list[Funding], order: list[str]) -> list[Funding]:
    rank = {region: i for i, region in enumerate(order)}
    return sorted(
        found,
        key=lambda f: (
            rank.get(f.project.region or "未注明地区", 99),
            f.match != "primary",
            -(f.project.amount_wan or 0),
            f.project.id,
        ),
    )
