"""Figures computed from printed ones: several parts added (各多少, 加起来), one taken from
another (没花掉的, 差多少), and last year's figure from this year's and its printed change.

Every computed answer says what was added or subtracted, with each input as printed and its
source; the result is exact (Decimal).
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from index.numbers import MONEY_UNITS, to_decimal

from ..context import QAContext
from ..evidence import name_overlap, named_figures
from ..evidence.records import Record
from ..question import Understanding
from ..sources import Sources
from .aggregate import answer_aggregate
from .facts import answer_department_facts
from .format import wan
from .general import Reading, answers, read
from .operands import (
    Group,
    Listed,
    Part,
    Side,
    compared_departments,
    group_parts,
    listed_names,
    listed_operands,
    opening_orgs,
)
from .schema import Answer, FactItem, ProjectItem

_CHANGE_BEFORE = re.compile(
    r"(?:增加|减少|增长|下降|上年|同比)[^，,。；;]{0,4}$"
)  # a change, not a part
_FIGURE = re.compile(
    r"(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>亿元|万元|千元|元|万人次|人次|人|名|个|户|辆|家|项|次|场)"
)
_UNSPENT = re.compile(r"没花掉|没花完|剩(下|余)|结余|余下|未支出|没用完")
_PEOPLE = re.compile(r"多少人|几个人|几人|人数")
_CHANGE = re.compile(
    r"(?P<base>\d[\d,]*(?:\.\d+)?)\s*万元[^。；;]{0,40}?(?:比上年|与上年相比|较上年|同比)"
    r"[^。；;\d]{0,20}?(?P<dir>增加|减少|增长|下降|多|少)\s*(?P<delta>\d[\d,]*(?:\.\d+)?)\s*万元"
)


_ACROSS_PROJECTS = re.compile(r"(?:各|这些|那些|所有|全部|几个)项目|项目(?:里|中|当中)")
NAMED_PROJECT = 0.8  # share of a project's name the question repeats: it names that project


def answer_computed(ctx: QAContext, u: Understanding) -> Answer | None:
    """A sum or a difference of printed figures, or None when the inputs are not all found.

    Figures whose operands are records found by their label paths come first, whatever the
    intent: a named group's items (三公经费三项), one figure of each of two departments
    compared, a department's figure against its project tables, a funding source across the
    projects. Other totals of project money (一共多少钱, 几个项目) are the aggregates': the
    rest passes on them, and :func:`answer_computed_after` is tried when the aggregates pass."""
    for compute in STRUCTURED:
        answer = compute(ctx, u)
        if answer is not None:
            return answer
    if u.intent == "aggregate":
        return None
    return answer_computed_after(ctx, u)


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
    if whole.value == 0 or _family(part.unit) != _family(whole.unit):
        return None
    share = (_in_unit(part) / _in_unit(whole) * 100).quantize(SHARE_PLACES)
    sources = Sources.of(ctx.store)
    cites = "，".join(
        f"{p.name}{p.printed}{_unit_of(p)}（见{sources.cite(p.record.doc, p.record.line)}）"
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
            f"{side.said}{part.name}{part.printed}{_unit_of(part)}"
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


def _unit_of(part: Part) -> str:
    return "" if part.printed.endswith(part.unit or "~") else part.unit or ""


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


def answer_computed_after(ctx: QAContext, u: Understanding) -> Answer | None:
    """:func:`answer_computed` for any intent (a fallback after the intent's answerer)."""
    if not {"sum", "difference"} & set(u.asks):
        return None
    for compute in (_unspent, _listed_parts, _figures_in_one_record):
        answer = compute(ctx, u)
        if answer is not None:
            return answer
    return None


def answer_previous_year(ctx: QAContext, u: Understanding) -> Answer | None:
    """Last year's figure (政协18年培训费) from this year's document: the figure printed with
    its change on the year before (比上年增加184.17万元 → 281.77 − 184.17)."""
    year = min(u.years, default=None)  # 18年…按19年说明倒推 names both years
    if year is None or year + 1 not in ctx.years:
        return None
    direct = read(ctx, replace(u, years=(year,)))
    if direct is not None and answers(direct) and direct.best.record.year == year:
        return None  # the year's own documents print it
    later = replace(u, years=(year + 1,))
    reading = read(ctx, later, kinds=("sentence",), where=lambda r: bool(_CHANGE.search(r.value)))
    if reading is None or not answers(reading):
        return None
    record = reading.best.record
    match = _CHANGE.search(record.value)
    base, delta = to_decimal(match.group("base")), to_decimal(match.group("delta"))
    up = match.group("dir") in ("增加", "增长", "多")
    value = base - delta if up else base + delta
    sign = "−" if up else "+"
    cite = Sources.of(ctx.store).cite(record.doc, record.line)
    text = (
        f"{year}年为{wan(value)}（按{year + 1}年说明推算：{wan(base)} {sign} {wan(delta)}；"
        f"原文：“{record.value[:120]}”，见{cite}）。"
    )
    return Answer(
        question=u.question,
        intent="computed",
        text=text,
        sources=(),
        value=value,
        unit="万元",
        extra={"operation": "previous_year", "base": base, "change": delta},
    )


def _listed_parts(ctx: QAContext, u: Understanding) -> Answer | None:
    """``财政拨款和其他资金各占多少`` → each part read on its own (in one table when one prints
    them all), then added; ``A比B多多少`` → one taken from the other. A named part no record
    prints is 未找到, with the parts that were found — never a sum of the others alone."""
    listed = listed_names(ctx, u)
    if listed is None or (listed.operation == "sum" and "sum" not in u.asks):
        return None  # 行政复议和法治政府建设培训经费是多少 names one project
    parts, missing = listed_operands(ctx, u, listed)
    if missing is not None:
        return _missing_part(ctx, u, missing, parts) if parts else None
    if len({p.record.doc for p in parts}) > 1:
        return None  # parts of one whole are printed in one document
    if listed.operation == "difference":
        return _difference_answer(ctx, u, parts)
    return _sum_answer(ctx, u, parts)


def _missing_part(ctx: QAContext, u: Understanding, missing: str, parts: list[Part]) -> Answer:
    """未找到: a named part no record prints, with the parts that were found (each cited)."""
    sources = Sources.of(ctx.store)
    found = "；".join(
        f"{p.name}{p.printed}{_unit_of(p)}（见{sources.cite(p.record.doc, p.record.line)}）"
        for p in parts
    )
    text = f"未找到：文件中没有“{missing}”的数额，无法计算。"
    nearest = (f"找到的有：{found}",) if found else ()
    return Answer(
        question=u.question,
        intent="computed",
        text=text + (f"{nearest[0]}。" if nearest else ""),
        found=False,
        nearest=nearest,
    )


def _difference_answer(ctx: QAContext, u: Understanding, parts: list[Part]) -> Answer | None:
    """``A比B多多少``: the first named figure less the second, each cited."""
    if len(parts) != 2 or len({_family(p.unit) for p in parts}) > 1:
        return None
    first, second = parts
    gap = _in_unit(first) - _in_unit(second)
    unit = "万元" if _family(first.unit) == "money" else (first.unit or "")
    sources = Sources.of(ctx.store)
    shown = "，".join(
        f"{p.name}{p.printed}{_unit_of(p)}（见{sources.cite(p.record.doc, p.record.line)}）"
        for p in parts
    )
    text = (
        f"{first.name}比{second.name}{'多' if gap >= 0 else '少'}{abs(gap).normalize():f}{unit}"
        f"（{_in_unit(first).normalize():f} − {_in_unit(second).normalize():f}）：{shown}。"
    )
    return Answer(
        question=u.question,
        intent="computed",
        text=text,
        value=abs(gap),
        unit=unit,
        extra={"operation": "difference", "parts": {p.name: p.value for p in parts}},
    )


def _part(name: str, reading: Reading) -> Part:
    record = reading.best.record
    return Part(name, record.number, record.value, record.unit, record)


def _sum_answer(ctx: QAContext, u: Understanding, parts: list[Part]) -> Answer | None:
    if len(parts) < 2 or len({_family(p.unit) for p in parts}) > 1:
        return None
    sources = Sources.of(ctx.store)
    total = sum((_in_unit(p) for p in parts), Decimal(0))
    unit = "万元" if _family(parts[0].unit) == "money" else (parts[0].unit or "")
    shown = "，".join(
        f"{p.name}{p.printed}{'' if p.printed.endswith(p.unit or '~') else p.unit or ''}"
        for p in parts
    )
    text = (
        f"{shown}，合计{total.normalize():f}{unit}（{' + '.join(p.printed for p in parts)}；"
        f"见{sources.cite(parts[0].record.doc, parts[0].record.line)}）。"
    )
    return Answer(
        question=u.question,
        intent="computed",
        text=text,
        value=total,
        unit=unit,
        extra={"operation": "sum", "parts": {p.name: p.value for p in parts}},
    )


def _figures_in_one_record(ctx: QAContext, u: Understanding) -> Answer | None:
    """``那几笔加起来`` / ``一共给多少人发``: the figures one record prints (people when people
    are asked, else money), added — unless the record prints the total first (编制338名，其中…)."""
    if "sum" not in u.asks:
        return None
    people = bool(_PEOPLE.search(u.question))

    def figures(text: str) -> list[re.Match]:
        return [
            m
            for m in _FIGURE.finditer(text)
            if (m.group("unit") in ("人", "名")) == people
            and not _CHANGE_BEFORE.search(text[max(0, m.start() - 8) : m.start()])
        ]

    reading = read(ctx, u, where=lambda r: len(figures(r.value)) >= 2)
    if reading is None or not answers(reading):
        return None
    record = reading.best.record
    found = figures(record.value)
    if "其中" in record.value[found[0].end() : found[1].start()]:
        return None  # the total printed first: the record's own answer
    values = [to_decimal(m.group("num")) for m in found]
    total = sum(values, Decimal(0))
    unit = found[0].group("unit")
    cite = Sources.of(ctx.store).cite(record.doc, record.line)
    text = (
        f"合计{total.normalize():f}{unit}（{' + '.join(m.group(0) for m in found)}；"
        f"原文：“{record.value[:160]}”，见{cite}）。"
    )
    return Answer(
        question=u.question,
        intent="computed",
        text=text,
        value=total,
        unit=unit,
        extra={"operation": "sum", "parts": [m.group(0) for m in found]},
    )


def _unspent(ctx: QAContext, u: Understanding) -> Answer | None:
    """``最后没花掉的有多少``: the budget less what was spent (全年预算数 − 全年执行数)."""
    if not _UNSPENT.search(u.question):
        return None
    reading = read(ctx, u, kinds=("field",), where=lambda r: "执行数" in r.label)
    if reading is None or reading.best.record.project_id is None:
        return None
    spent_record = reading.best.record
    project = ctx.store.projects.get(spent_record.project_id)
    spent = to_decimal(spent_record.value)
    if project is None or spent is None or project.amount_wan is None:
        return None
    budget = to_decimal(project.amount_printed or "")
    if budget is None:
        return None
    left = budget - spent
    cite = Sources.of(ctx.store).cite(spent_record.doc, spent_record.line)
    text = (
        f"“{project.name}”未支出{left.normalize():f}{project.unit_printed or ''}"
        f"（全年预算数{project.amount_printed} − 全年执行数{spent_record.value}；见{cite}）。"
    )
    return Answer(
        question=u.question,
        intent="computed",
        text=text,
        value=left * MONEY_UNITS.get(project.unit_printed or "万元", Decimal(1)),
        unit="万元",
        extra={"operation": "difference"},
    )


def _family(unit: str | None) -> str:
    return "money" if unit in MONEY_UNITS or unit is None else unit


def _in_unit(part: Part) -> Decimal:
    if part.unit in MONEY_UNITS and part.record.kind != "amount":
        return part.value * MONEY_UNITS[part.unit]
    return part.value


__all__ = ["answer_computed", "answer_computed_after", "answer_previous_year"]


# computed figures whose operands are whole records (a group's items, a department's figure,
# a project's money), tried before the intent's answerer
STRUCTURED = [
    _share,
    _group_sum,
    _departments_difference,
    _total_vs_projects,
    _funding_across,
    _counted_projects,
    _listed_parts,
]
