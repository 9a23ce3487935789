"""Answer aggregates computed from records (Decimal): sums, counts, largest/smallest, comparisons.

Every aggregate says what was summed and how many items, and cites each item. The operation
the question asks for (:func:`~qa.question.operation_of`) picks one of :data:`OPERATIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from index.schema import Project

from ..context import QAContext
from ..evidence import funding_lines, topic_label, topic_projects
from ..question import Understanding
from ..sources import Sources
from .facts import answer_department_facts
from .format import NO_REGION, project_amount, scope_text, wan
from .schema import Answer, ProjectItem


@dataclass(frozen=True)
class _Items:
    """The projects an aggregate is over, as the operations need them."""

    what: str  # 天津市西青区2024年涉及“…”的项目
    ordered: list[Project]  # largest amount first
    total: Decimal
    listing: str  # every project with its amount and source
    sources: Sources


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
    if not projects:
        return None
    operation = u.operation or "sum"
    sources = Sources.of(ctx.store)
    ordered = sorted(projects, key=lambda p: (-(p.amount_wan), p.id))
    listing = "；".join(
        f"{p.region or ''}“{p.name}”{project_amount(p)}（{sources.cite_project(p)}）"
        for p in ordered
    )
    topic = topic_label(ctx, u)
    what = f"{scope_text(u.regions, u.years)}{('涉及“' + topic + '”的') if topic else ''}项目"
    total = sum((p.amount_wan for p in projects), Decimal(0))
    items = _Items(what, ordered, total, listing, sources)
    value, unit, text = OPERATIONS.get(operation, _sum)(items, operation)
    if operation in ("max", "min"):
        ordered = ordered if operation == "max" else list(reversed(ordered))
    return Answer(
        question=u.question,
        intent="aggregate",
        text=text,
        projects=tuple(ProjectItem.of(p) for p in ordered),
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
    listing = "；".join(
        f"{p.region or ''}“{p.name}”{project_amount(p)}（{sources.cite_project(p)}）"
        for p in projects
    )
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
        projects=tuple(ProjectItem.of(p) for p in projects),
        value=total,
        unit="万元",
        extra={"operation": "list", "items": len(projects)},
    )


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
    text = (
        f"{items.what}中金额{'最多' if operation == 'max' else '最少'}的是"
        f"{best.region or ''}“{best.name}”{project_amount(best)}"
        f"（{items.sources.cite_project(best)}）。全部{len(ordered)}个：{items.listing}。"
    )
    return best.amount_wan, "万元", text + _by_region(ordered)


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


def _by_region(projects: list[Project]) -> str:
    ranked = _region_totals(projects)
    if len(ranked) < 2:
        return ""
    return "按地区合计：" + "；".join(f"{r}{wan(v)}" for r, v in ranked) + "。"


def _compare(items: _Items, operation: str) -> tuple[Decimal, str, str]:
    ranked = _region_totals(items.ordered)
    if len(ranked) >= 2:
        difference = ranked[0][1] - ranked[-1][1]
        same = "一致" if difference == 0 else "不一致"
        text = (
            f"{items.what}按地区："
            + "；".join(f"{r}{wan(v)}" for r, v in ranked)
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
