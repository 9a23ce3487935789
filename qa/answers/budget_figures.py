"""Computed figures over a department's budget tables and its projects, their operands found as
records by label path (:mod:`qa.answers.operands`): a named group's items added and checked
against the group's printed total (三公经费三项), one figure as a share of another
(公务接待费占三公经费的比例), two departments' figures compared (高院和检察院的培训费相差多少),
a department's 项目支出 against the sum of its project tables, a funding source across the
projects (区级资金), the projects the question counts (那两个项目加起来).

Each answer says what it computed from what, every input as printed with its source; each
answerer passes (None) unless the question asks for its form and its operands are all found.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from ..context import QAContext
from ..evidence import name_overlap, named_figures
from ..evidence.records import Record
from ..question import Understanding
from ..sources import Sources
from .aggregate import answer_aggregate
from .facts import answer_department_facts
from .format import wan
from .general import answers, read
from .operands import (
    Group,
    Listed,
    Part,
    Side,
    compared_departments,
    group_parts,
    listed_operands,
    opening_orgs,
)
from .schema import Answer, FactItem, ProjectItem

_ACROSS_PROJECTS = re.compile(r"(?:各|这些|那些|所有|全部|几个)项目|项目(?:里|中|当中)")
NAMED_PROJECT = 0.8  # share of a project's name the question repeats: it names that project


_COUNTED = re.compile(
    r"(?P<count>两|二|三|四|五|六|七|八|九|十|\d+)(?:个|张|笔)(?P<what>[\u4e00-\u9fff]{0,6}?)项目"
)
_COUNTS = {
    "两": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}


def _counted_projects(ctx: QAContext, u: Understanding) -> Answer | None:
    """``五桂镇那张表里能看到金额的两个项目，加起来``: the projects of the named department (or
    region) that print an amount, added when there are as many as the question counts."""
    match = _COUNTED.search(u.question)
    if match is None or not _summed(u):
        return None
    count = _COUNTS.get(match.group("count")) or int(match.group("count"))
    departments = u.departments or opening_orgs(ctx, u)
    projects = [
        p
        for p in ctx.projects_in(u.regions, u.year)
        if (not departments or p.department in departments or p.implementing_unit in departments)
        and p.amount_wan is not None
        and match.group("what") in f"{p.name} {getattr(p, 'parent', '') or ''}"
    ]
    if len(projects) != count or not (u.regions or departments):
        return None
    sources = Sources.of(ctx.store)
    total = sum((p.amount_wan for p in projects), Decimal(0))
    shown = " + ".join(f"“{p.name}”{p.amount_printed}" for p in projects)
    cites = "、".join(sources.cite_project(p) for p in projects)
    text = f"这{count}个项目合计{wan(total)}（{shown}；见{cites}）。"
    return Answer(
        question=u.question,
        intent="computed",
        text=text,
        projects=tuple(ProjectItem.of(p) for p in projects),
        value=total,
        unit="万元",
        extra={"operation": "sum", "parts": {p.name: p.amount_wan for p in projects}},
    )


_SHARE = re.compile(
    r"(?P<a>[\u4e00-\u9fff（）()“”\"]{2,20}?)占(?P<b>[\u4e00-\u9fff（）()“”\"]{2,16}?)的?"
    r"(?:比例|比重|百分比|份额|几成|百分之几|多少|%)"
)
SHARE_PLACES = Decimal("0.01")


def _share(ctx: QAContext, u: Understanding) -> Answer | None:
    """``公务接待费占三公经费的比例``: one figure divided by another, as a percentage, each
    read from the named department's tables (a department figure by its label, else the
    record that prints the name)."""
    match = _SHARE.search(u.question) if "ratio" in u.asks else None
    if match is None:
        return None
    scoped_u = _named_department(ctx, u)
    figures = {f.label: f for f in named_figures(ctx, scoped_u)}
    sides = [_labelled(figures, u, match.group("a"), -1), _labelled(figures, u, match.group("b"))]
    if sides[1] is None:  # 三公经费里公务接待费占多大比例: the whole is named first
        sides = [sides[0], _labelled(figures, u, match.group("a"), 0)]
    if None in sides or sides[0].record is sides[1].record:
        scope = (u.question[: match.start()] + " " + u.question[match.end() :]).strip()
        listed = Listed((match.group("a"), match.group("b")), scope, "ratio")
        sides, missing = listed_operands(ctx, scoped_u, listed)
        if missing is not None or len(sides) != 2:
            return None
    part, whole = sides
    if whole.value == 0 or part.family != whole.family:
        return None
    share = (part.normalized / whole.normalized * 100).quantize(SHARE_PLACES)
    sources = Sources.of(ctx.store)
    cites = "，".join(
        f"{p.name}{p.printed}{p.unit_shown}（见{sources.cite(p.record.doc, p.record.line)}）"
        for p in sides
    )
    text = f"{part.name}占{whole.name}的{share}%（{part.printed} ÷ {whole.printed}）：{cites}。"
    return Answer(
        question=u.question,
        intent="computed",
        text=text,
        facts=tuple(FactItem.of(p.record) for p in sides if not isinstance(p.record, Record)),
        value=share,
        unit="%",
        extra={"operation": "ratio", "parts": {part.name: part.value, whole.name: whole.value}},
    )


def _labelled(figures: dict, u: Understanding, said: str, which: int = -1) -> Part | None:
    """The department figure of the label the words name (the first or last named)."""
    labels = [label for label in u.fact_labels if label in said and label in figures]
    labels = [x for x in labels if not any(x != y and x in y for y in labels)]  # 会议费 of 会议费用
    if not labels:
        return None
    figure = figures[sorted(labels, key=said.find)[which]]
    fact = figure.support[0]
    return Part(figure.label, figure.value, fact.value_printed, "万元", fact)


def _named_department(ctx: QAContext, u: Understanding) -> Understanding:
    """The understanding scoped to the departments its opening words name (政协 → 江苏省政协办公厅),
    narrowed to those printing them whole (省委办公厅: not 江苏省人大常委会办公厅)."""
    found = opening_orgs(ctx, u)
    narrowed = tuple(d for d in u.departments if d in found)  # 省委办公厅, not 人大…办公厅
    return replace(u, departments=narrowed or u.departments or found)


def _summed(u: Understanding) -> bool:
    return "sum" in u.asks or u.operation == "sum"


def _compared(u: Understanding) -> bool:
    return "difference" in u.asks or u.operation in ("compare", "match")


def _group_sum(ctx: QAContext, u: Understanding) -> Answer | None:
    """``三公经费三项加起来``: the items one table lists under the group, added, and checked
    against the group's printed total (“三公”经费 小计)."""
    if not u.fact_labels or not _summed(u):
        return None
    group = group_parts(ctx, _named_department(ctx, u))
    if group is None:
        return None
    total = sum((p.value for p in group.parts), Decimal(0))
    sources = Sources.of(ctx.store)
    first = group.parts[0].record
    owner = f"{first.department or first.region or ''}{first.table}"
    shown = " + ".join(f"{p.name}{p.printed}" for p in group.parts)
    text = (
        f"{owner}中{group.label}{len(group.parts)}项合计{wan(total)}（{shown}"
        f"{_checked(group, total)}；见{sources.cite_record(first)}）。"
    )
    facts = [p.record for p in group.parts] + ([group.total.record] if group.total else [])
    return Answer(
        question=u.question,
        intent="computed",
        text=text,
        facts=tuple(FactItem.of(f) for f in facts),
        value=total,
        unit="万元",
        extra={"operation": "sum", "parts": {p.name: p.value for p in group.parts}},
    )


def _checked(group: Group, total: Decimal) -> str:
    """``，与表中“小计”418.26一致`` — the group's printed total beside the computed one."""
    if group.total is None:
        return ""
    printed = group.total.record.label.split()[-1]
    same = "一致" if group.total.value == total else f"不一致，相差{wan(total - group.total.value)}"
    return f"；与表中“{printed}”{group.total.printed}万元{same}"


def _departments_difference(ctx: QAContext, u: Understanding) -> Answer | None:
    """``高院和检察院的培训费相差多少``: each department's figure from its own tables, one
    taken from the other."""
    if not _compared(u):
        return None
    sides = compared_departments(ctx, u)
    if sides is None:
        return None
    a, b, rest = sides
    parts = [_side_figure(ctx, u, side, rest) for side in (a, b)]
    if parts[0] is None or parts[1] is None:
        return None
    first, second = parts
    gap = first.value - second.value
    sources = Sources.of(ctx.store)
    more = f"{a.said}比{b.said}{'多' if gap >= 0 else '少'}{wan(abs(gap))}"
    text = (
        f"{a.said}与{b.said}的{first.name}相差{wan(abs(gap))}（{more}）："
        + "，".join(
            f"{side.said}{part.name}{part.printed}{part.unit_shown}"
            f"（见{sources.cite(part.record.doc, part.record.line)}）"
            for side, part in ((a, first), (b, second))
        )
        + f"，{first.value.normalize():f} − {second.value.normalize():f}。"
    )
    records = [p.record for p in parts]
    return Answer(
        question=u.question,
        intent="computed",
        text=text,
        facts=tuple(FactItem.of(r) for r in records if not isinstance(r, Record)),
        value=abs(gap),
        unit="万元",
        extra={"operation": "difference", "parts": {a.said: first.value, b.said: second.value}},
    )


def _side_figure(ctx: QAContext, u: Understanding, side: Side, rest: str) -> Part | None:
    """One department's figure: the department figure the question names, read from its
    tables; else the fact of its tables that best answers the rest of the question."""
    scoped_u = replace(u, departments=side.departments)
    figures = named_figures(ctx, scoped_u)
    if figures:
        figure = figures[0]
        fact = figure.support[0]
        return Part(figure.label, figure.value, fact.value_printed, fact.unit or "万元", fact)
    asked = replace(scoped_u, question=f"{side.said}{rest}", topic=rest)
    reading = read(ctx, asked, kinds=("fact",))
    if reading is None or not answers(reading) or reading.best.record.number is None:
        return None
    record = reading.best.record
    name = record.label.split()[-1] if record.label else rest
    return Part(name, record.number, record.value, record.unit, record.source)


def _total_vs_projects(ctx: QAContext, u: Understanding) -> Answer | None:
    """``项目支出684.41万，那几张项目表加起来差多少``: the department's figure for its projects
    less the sum of its project tables."""
    if not _compared(u) or not any("项目" in label for label in u.fact_labels):
        return None
    answer = answer_department_facts(ctx, u)
    if answer is None or "project_tables_sum_wan" not in answer.extra:
        return None
    label = next(label for label in u.fact_labels if "项目" in label)
    figure = answer.extra.get(label)
    if figure is None:
        return None
    tables = answer.extra["project_tables_sum_wan"]
    gap = figure - tables
    count = answer.extra["project_tables"]
    text = (
        f"{label}{wan(figure)}比{count}个项目绩效目标表的金额合计{wan(tables)}"
        f"{'多' if gap >= 0 else '少'}{wan(abs(gap))}（{figure.normalize():f} − "
        f"{tables.normalize():f}）。{answer.text}"
    )
    extra = {**answer.extra, "operation": "difference"}
    return replace(answer, intent="computed", text=text, value=abs(gap), extra=extra)


def _funding_across(ctx: QAContext, u: Understanding) -> Answer | None:
    """``西青的项目里，区级财政出了多少``: a funding source summed over the projects of the
    scope (the aggregates' funding sum), when the question names no one project."""
    if not u.funding_label or u.intent == "aggregate" or not _ACROSS_PROJECTS.search(u.question):
        return None
    projects = ctx.projects_in(u.regions, u.year)
    if any(name_overlap(u.topic, p.name) >= NAMED_PROJECT for p in projects):
        return None
    return answer_aggregate(ctx, replace(u, intent="aggregate", operation="sum"))


# tried in order before the intent's answerer (each passes unless its form is asked)
BUDGET_FIGURES = [
    _share,
    _group_sum,
    _departments_difference,
    _total_vs_projects,
    _funding_across,
    _counted_projects,
]

__all__ = ["BUDGET_FIGURES"]
