"""Aggregates computed from records (Decimal): sums, counts, largest/smallest, comparisons.

Every aggregate says what was summed and how many items, and cites each item.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from index.schema import DepartmentFact, Project
from index.text import compact

from .context import QAContext
from .format import fact_source, project_amount, project_source, wan
from .fund import fundings
from .schema import Answer, FactItem, ProjectItem
from .understand import Understanding

OPERATION_WORDS = {
    "sum": "合计",
    "count": "共",
    "max": "最多的是",
    "min": "最少的是",
    "average": "平均",
}


def aggregate_answer(ctx: QAContext, u: Understanding) -> Answer | None:
    """An aggregate answer, or None when the question's measure is not in the records."""
    if u.funding_label:
        return _funding_sum(ctx, u)
    if u.fact_labels and u.operation in ("sum", None):
        answer = department_fact_answer(ctx, u)
        if answer is not None:
            return answer
    return _project_amounts(ctx, u)


def _scope_text(ctx: QAContext, u: Understanding) -> str:
    region = "、".join(u.regions) or "全部地区"
    return f"{region}{f'{u.years[0]}年' if u.years else ''}"


def _funding_sum(ctx: QAContext, u: Understanding) -> Answer | None:
    label = u.funding_label
    items = []
    for project in ctx.projects_in(u.regions, u.years[0] if u.years else None):
        for line in project.funding:
            if (
                compact(label) in compact(line.label) or compact(line.label) in compact(label)
            ) and line.amount_wan:
                items.append((project, line))
    if not items:
        return None
    total = sum((line.amount_wan for _, line in items), Decimal(0))
    parts = [
        f"“{p.name}”{label}{line.amount_printed}{line.unit_printed}（{p.doc} 第{line.line}行）"
        for p, line in items
    ]
    text = (
        f"{_scope_text(ctx, u)}各项目中列有{label}的共{len(items)}个，合计{wan(total)}："
        + "；".join(parts)
        + "。"
        "其余项目该项为0或未列。"
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


def _fact_candidates(facts: list[DepartmentFact], label: str) -> list[DepartmentFact]:
    """Facts that state the labelled figure: an exact label first, then a table's total."""
    key = compact(label).replace('"', "")
    exact = [f for f in facts if compact(f.label).split(" ")[-1] == key or compact(f.label) == key]
    if exact:
        return exact
    titled = [
        f
        for f in facts
        if f.table
        and key in compact(f.table).replace('"', "")
        and f"不含{key}" not in compact(f.table)
        and compact(f.label) in ("合计", "总计")
        and f.kind == "table"
    ]
    if titled:
        first_column = min(int(f.id.rsplit(".", 1)[-1]) for f in titled)
        return [f for f in titled if int(f.id.rsplit(".", 1)[-1]) == first_column]
    totals = [
        f
        for f in facts
        if compact(f.label) in ("合计", "总计") and f.column and key in compact(f.column)
    ]
    return totals or [f for f in facts if key in compact(f.label)]


def department_fact_answer(ctx: QAContext, u: Understanding) -> Answer | None:
    """Department-level figures named in the question (项目支出, 三公经费 …), or None."""
    facts = ctx.facts_in(u.regions, u.years[0] if u.years else None)
    chosen: list[tuple[str, Decimal, list[DepartmentFact]]] = []
    for label in u.fact_labels:
        candidates = [f for f in _fact_candidates(facts, label) if f.unit in (None, "万元", "元")]
        if not candidates:
            continue
        value, _ = Counter(f.value for f in candidates).most_common(1)[0]
        chosen.append((label, value, [f for f in candidates if f.value == value]))
    if not chosen:
        return None
    parts = []
    for label, value, support in chosen:
        cites = "、".join(fact_source(f) for f in support[:3])
        parts.append(f"{label}{wan(value)}（见{cites}）")
    text = f"{_scope_text(ctx, u)}部门预算：" + "；".join(parts) + "。"
    label, value, _ = chosen[0]
    extra = {lab: val for lab, val, _ in chosen}
    projects = ctx.projects_in(u.regions, u.years[0] if u.years else None)
    if projects and any("项目" in lab for lab, _, _ in chosen):
        exact = sum((p.amount_wan or Decimal(0)) for p in projects)
        text += f"{len(projects)}个项目绩效目标表的金额合计{wan(exact)}。"
        extra["project_tables"] = len(projects)
        extra["project_tables_sum_wan"] = exact
    facts_used = [f for _, _, support in chosen for f in support[:3]]
    return Answer(
        question=u.question,
        intent="aggregate",
        text=text,
        facts=tuple(
            FactItem(
                f.label,
                f.value,
                f.value_printed,
                f.unit,
                f.doc,
                f.line,
                f.table,
                f.column,
                f.region,
                f.quote,
            )
            for f in facts_used
        ),
        value=value,
        unit="万元",
        extra=extra,
    )


def _topic_projects(ctx: QAContext, u: Understanding) -> list[Project]:
    if not u.phrases:
        return ctx.projects_in(u.regions, u.years[0] if u.years else None)
    found = fundings(ctx, u)
    by_name = [f.project for f in found if "项目名称" in f.evidence]
    if by_name:
        return by_name
    primary = [f.project for f in found if f.match == "primary"]
    return (
        primary
        or [f.project for f in found]
        or ctx.projects_in(u.regions, u.years[0] if u.years else None)
    )


def _project_amounts(ctx: QAContext, u: Understanding) -> Answer | None:
    projects = [p for p in _topic_projects(ctx, u) if p.amount_wan is not None]
    if not projects:
        return None
    operation = u.operation or "sum"
    ordered = sorted(projects, key=lambda p: (-(p.amount_wan), p.id))
    total = sum((p.amount_wan for p in projects), Decimal(0))
    listing = "；".join(
        f"{p.region or ''}“{p.name}”{project_amount(p)}（{project_source(p)}）" for p in ordered
    )
    scope = _scope_text(ctx, u)
    topic = "、".join(ph.text for ph in u.phrases)
    what = f"{scope}{('涉及“' + topic + '”的') if topic else ''}项目"
    if operation == "count":
        value, text = (
            Decimal(len(projects)),
            f"{what}共{len(projects)}个，合计{wan(total)}：{listing}。",
        )
        unit = "个"
    elif operation in ("max", "min"):
        ordered = ordered if operation == "max" else list(reversed(ordered))
        best = ordered[0]
        value, unit = best.amount_wan, "万元"
        text = (
            f"{what}中金额{'最多' if operation == 'max' else '最少'}的是{best.region or ''}“{best.name}”"
            f"{project_amount(best)}（{project_source(best)}）。全部{len(projects)}个：{listing}。"
        )
        text += _by_region(ordered)
    elif operation in ("compare", "match"):
        value, unit, text = _compare(ordered, operation, what, listing)
    elif operation == "average":
        value, unit = total / len(projects), "万元"
        text = f"{what}共{len(projects)}个，平均每个{wan(value.quantize(Decimal('0.0001')))}：{listing}。"
    else:
        value, unit = total, "万元"
        text = f"{what}共{len(projects)}个，合计{wan(total)}：{listing}。"
    return Answer(
        question=u.question,
        intent="aggregate",
        text=text,
        projects=tuple(ProjectItem.of(p) for p in ordered),
        value=value,
        unit=unit,
        extra={"operation": operation, "items": len(projects)},
    )


def _by_region(projects: list[Project]) -> str:
    totals: dict[str, Decimal] = {}
    for p in projects:
        totals[p.region or "未注明地区"] = totals.get(p.region or "未注明地区", Decimal(0)) + (
            p.amount_wan or 0
        )
    if len(totals) < 2:
        return ""
    ranked = sorted(totals.items(), key=lambda item: -item[1])
    return "按地区合计：" + "；".join(f"{r}{wan(v)}" for r, v in ranked) + "。"


def _compare(projects: list[Project], operation: str, what: str, listing: str):
    totals: dict[str, Decimal] = {}
    for p in projects:
        totals[p.region or "未注明地区"] = totals.get(p.region or "未注明地区", Decimal(0)) + (
            p.amount_wan or 0
        )
    if len(totals) >= 2:
        ranked = sorted(totals.items(), key=lambda item: -item[1])
        difference = ranked[0][1] - ranked[-1][1]
        same = "一致" if difference == 0 else "不一致"
        text = (
            f"{what}按地区："
            + "；".join(f"{r}{wan(v)}" for r, v in ranked)
            + f"。{ranked[0][0]}比{ranked[-1][0]}多{wan(difference)}"
            + (f"（两者{same}）" if operation == "match" else "")
            + f"。明细：{listing}。"
        )
        return difference, "万元", text
    first, last = projects[0], projects[-1]
    difference = (first.amount_wan or 0) - (last.amount_wan or 0)
    same = "一致" if difference == 0 else "不一致"
    text = (
        f"{what}：{listing}。最多与最少相差{wan(difference)}"
        + (f"，两者{same}" if operation == "match" else "")
        + "。"
    )
    return difference, "万元", text
