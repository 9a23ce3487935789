"""Answer aggregates computed from records (Decimal): sums, counts, largest/smallest, comparisons.

Every aggregate says what was summed and how many items, and cites each item it shows: past
:data:`~qa.answers.format.SHOWN_PROJECTS` items the largest ones and how many more, past
:data:`~qa.answers.format.SHOWN_REGIONS` regions the largest ones and the rest's total (the
figure is always computed from every item). The operation the question asks for
(:func:`~qa.question.operation_of`) picks one of :data:`OPERATIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from index.schema import Project

from ..context import QAContext, region_matches
from ..evidence import funding_lines, topic_label, topic_projects
from ..question import Understanding
from ..sources import Sources
from .facts import answer_department_facts
from .format import (
    LISTED_PROJECTS,
    NO_REGION,
    SHOWN_PROJECTS,
    SHOWN_REGIONS,
    project_amount,
    scope_text,
    wan,
)
from .schema import Answer, ProjectItem


@dataclass(frozen=True)
class _Items:
    """The projects an aggregate is over, as the operations need them."""

    what: str  # 天津市西青区2024年涉及“…”的项目
    ordered: list[Project]  # largest amount first
    total: Decimal
    listing: str  # the projects with their amounts and sources (the largest, past a bound)
    sources: Sources
    regions: list[tuple[str, Decimal]]  # amounts summed by region, largest first


def answer_aggregate(ctx: QAContext, u: Understanding) -> Answer | None:
    """An aggregate answer, or None when the question's measure is not in the records (the
    aggregates add project money: 一共给多少人发 counts people, read from the records)."""
    if u.measure is not None:
        return None
    if u.funding_label:
        return _funding_sum(ctx, u)
    if u.fact_labels and u.operation in ("sum", None):
        answer = answer_department_facts(ctx, u)
        if answer is not None:
            return answer
    return _project_amounts(ctx, u)


def _funding_sum(ctx: QAContext, u: Understanding) -> Answer | None:
    label = u.funding_label
    items = funding_lines(ctx, u)
    if not items:
        return None
    total = sum((line.amount_wan for _, line in items), Decimal(0))
    sources = Sources.of(ctx.store)
    parts = [
        f"“{p.name}”{label}{line.amount_printed}{line.unit_printed}"
        f"（{sources.cite(p.doc, line.line)}）"
        for p, line in items
    ]
    text = (
        f"{scope_text(u.regions, u.years)}各项目中列有{label}的共{len(items)}个，"
        f"合计{wan(total)}：" + "；".join(parts) + "。其余项目该项为0或未列。"
    )
    return Answer(
        question=u.question,
        intent="aggregate",
        text=text,
        projects=tuple(
            ProjectItem.of(p, note=f"{label} {line.amount_printed}") for p, line in items
        ),
        value=total,
        unit="万元",
        extra={"measure": label, "items": len(items)},
    )


def _project_amounts(ctx: QAContext, u: Understanding) -> Answer | None:
    projects = [p for p in topic_projects(ctx, u) if p.amount_wan is not None]
    operation = u.operation or "sum"
    if not projects or (operation in ("compare", "match") and len(projects) < 2):
        return None  # one project found is nothing to compare (never 相差0万元)
    sources = Sources.of(ctx.store)
    ordered = sorted(projects, key=lambda p: (-(p.amount_wan), p.id))
    listing = _listing(ordered, sources)
    topic = topic_label(ctx, u)
    what = f"{scope_text(u.regions, u.years)}{('涉及“' + topic + '”的') if topic else ''}项目"
    total = sum((p.amount_wan for p in projects), Decimal(0))
    regions = _stored_totals(ctx, u, total) if not topic else None
    items = _Items(what, ordered, total, listing, sources, regions or _region_totals(ordered))
    value, unit, text = OPERATIONS.get(operation, _sum)(items, operation)
    if operation in ("max", "min"):
        ordered = ordered if operation == "max" else list(reversed(ordered))
    return Answer(
        question=u.question,
        intent="aggregate",
        text=text,
        projects=tuple(ProjectItem.of(p) for p in ordered[:LISTED_PROJECTS]),
        value=value,
        unit=unit,
        extra={"operation": operation, "items": len(projects)},
    )


def answer_scope_projects(ctx: QAContext, u: Understanding) -> Answer | None:
    """Every project of the named region and year (平罗县2025年有哪些项目), amounts beside,
    the total of those printing one."""
    projects = sorted(topic_projects(ctx, u), key=lambda p: (-(p.amount_wan or 0), p.id))
    if not projects:
        return None
    sources = Sources.of(ctx.store)
    listing = _listing(projects, sources)
    priced = [p for p in projects if p.amount_wan is not None]
    total = sum((p.amount_wan for p in priced), Decimal(0))
    unpriced = len(projects) - len(priced)
    note = f"，其中{unpriced}个未列金额" if unpriced else ""
    text = (
        f"{scope_text(u.regions, u.years)}共有{len(projects)}个项目，"
        f"合计{wan(total)}{note}：{listing}。"
    )
    return Answer(
        question=u.question,
        intent="which_regions_fund",
        text=text,
        projects=tuple(ProjectItem.of(p) for p in projects[:LISTED_PROJECTS]),
        value=total,
        unit="万元",
        extra={"operation": "list", "items": len(projects)},
    )


def _listing(ordered: list[Project], sources: Sources) -> str:
    """Each project with its amount and source; past :data:`SHOWN_PROJECTS`, the first ones
    and how many in all."""
    shown = "；".join(
        f"{p.region or ''}“{p.name}”{project_amount(p)}（{sources.cite_project(p)}）"
        for p in ordered[:SHOWN_PROJECTS]
    )
    return shown + (f"等{len(ordered)}个项目" if len(ordered) > SHOWN_PROJECTS else "")


def _sum(items: _Items, operation: str) -> tuple[Decimal, str, str]:
    count = len(items.ordered)
    return (
        items.total,
        "万元",
        f"{items.what}共{count}个，合计{wan(items.total)}：{items.listing}。",
    )


def _count(items: _Items, operation: str) -> tuple[Decimal, str, str]:
    count = len(items.ordered)
    text = f"{items.what}共{count}个，合计{wan(items.total)}：{items.listing}。"
    return Decimal(count), "个", text


def _extreme(items: _Items, operation: str) -> tuple[Decimal, str, str]:
    ordered = items.ordered if operation == "max" else list(reversed(items.ordered))
    best = ordered[0]
    shown_all = operation == "max" or len(ordered) <= SHOWN_PROJECTS
    listing = items.listing if shown_all else _listing(ordered, items.sources)
    text = (
        f"{items.what}中金额{'最多' if operation == 'max' else '最少'}的是"
        f"{best.region or ''}“{best.name}”{project_amount(best)}"
        f"（{items.sources.cite_project(best)}）。全部{len(ordered)}个：{listing}。"
    )
    return best.amount_wan, "万元", text + _by_region(items.regions)


def _average(items: _Items, operation: str) -> tuple[Decimal, str, str]:
    value = items.total / len(items.ordered)
    text = (
        f"{items.what}共{len(items.ordered)}个，"
        f"平均每个{wan(value.quantize(Decimal('0.0001')))}：{items.listing}。"
    )
    return value, "万元", text


def _region_totals(projects: list[Project]) -> list[tuple[str, Decimal]]:
    """Amounts summed by region, largest first."""
    totals: dict[str, Decimal] = {}
    for p in projects:
        region = p.region or NO_REGION
        totals[region] = totals.get(region, Decimal(0)) + (p.amount_wan or Decimal(0))
    return sorted(totals.items(), key=lambda item: -item[1])


def _stored_totals(ctx: QAContext, u: Understanding, total: Decimal) -> list | None:
    """The region totals the store summed at build for a scope of whole regions (no year, no
    topic), largest first; None when they do not add up to ``total`` (projects printed twice)."""
    if u.years:
        return None
    sums: dict[str, Decimal] = {}
    for t in ctx.store.totals("region"):
        if t.priced and (not u.regions or any(region_matches(t.name, w) for w in u.regions)):
            region = t.name or NO_REGION
            sums[region] = sums.get(region, Decimal(0)) + t.amount_wan
    if sum(sums.values(), Decimal(0)) != total:
        return None
    return sorted(sums.items(), key=lambda item: -item[1])


def _by_region(ranked: list[tuple[str, Decimal]]) -> str:
    if len(ranked) < 2:
        return ""
    return "按地区合计：" + _shown_regions(ranked) + "。"


def _shown_regions(ranked: list[tuple[str, Decimal]]) -> str:
    """``甲县12万元；乙县8万元`` — past :data:`SHOWN_REGIONS`, the largest and the rest's
    count and total."""
    shown = "；".join(f"{r}{wan(v)}" for r, v in ranked[:SHOWN_REGIONS])
    rest = ranked[SHOWN_REGIONS:]
    if not rest:
        return shown
    return shown + f"；另有{len(rest)}个地区合计{wan(sum((v for _, v in rest), Decimal(0)))}"


def _compare(items: _Items, operation: str) -> tuple[Decimal, str, str]:
    ranked = items.regions
    if len(ranked) >= 2:
        difference = ranked[0][1] - ranked[-1][1]
        same = "一致" if difference == 0 else "不一致"
        text = (
            f"{items.what}按地区："
            + _shown_regions(ranked)
            + f"。{ranked[0][0]}比{ranked[-1][0]}多{wan(difference)}"
            + (f"（两者{same}）" if operation == "match" else "")
            + f"。明细：{items.listing}。"
        )
        return difference, "万元", text
    first, last = items.ordered[0], items.ordered[-1]
    difference = (first.amount_wan or Decimal(0)) - (last.amount_wan or Decimal(0))
    same = "一致" if difference == 0 else "不一致"
    text = (
        f"{items.what}：{items.listing}。最多与最少相差{wan(difference)}"
        + (f"，两者{same}" if operation == "match" else "")
        + "。"
    )
    return difference, "万元", text


# The aggregate operations: (projects, operation) -> (value, unit, text).
OPERATIONS: dict[str, Callable[[_Items, str], tuple[Decimal, str, str]]] = {
    "sum": _sum,
    "count": _count,
    "max": _extreme,
    "min": _extreme,
    "average": _average,
    "compare": _compare,
    "match": _compare,
}
