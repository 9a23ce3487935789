"""Figures computed from printed ones: several parts added (各多少, 加起来), one taken from
another (没花掉的, 差多少, A比B多多少), projects named side by side added or compared (A和B加一块
多少钱, 哪个资金多、差多少), and last year's figure from this year's and its printed change.
The figures over a department's budget tables (a group's items, shares, departments
compared, project tables, funding sources) are :mod:`qa.answers.budget_figures`'; the
operands of both are found by :mod:`qa.answers.operands`.

Every computed answer says what was added or subtracted, with each input as printed and its
source; the result is exact (Decimal). A named operand no record prints is 未找到.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from index.numbers import to_decimal
from index.text import compact

from ..context import QAContext
from ..evidence import rank_projects
from ..evidence.records import grouped_records
from ..question import Understanding
from ..question.asks import measure_of, without_asks
from ..sources import Sources
from .budget_figures import BUDGET_FIGURES
from .format import project_amount, wan
from .general import Reading, answers, covers, fit_of_record, key_of, read
from .lookup import MIN_PROJECT_SCORE
from .operands import (
    NamedProject,
    Part,
    listed_names,
    listed_operands,
    projects_named,
)
from .schema import Answer, ProjectItem

_CHANGE_BEFORE = re.compile(
    r"(?:增加|减少|增长|下降|上年|同比)[^，,。；;]{0,4}$"
)  # a change, not a part
_FIGURE = re.compile(
    r"(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>亿元|万元|千元|元|万人次|人次|人|名|个|户|辆|家|项|次|场)"
)
_UNSPENT = re.compile(r"没花|剩(下|余)|剩多少|结余|余下|未支出|没用完|未执行")
_PEOPLE = re.compile(r"多少人|几个人|几人|人数")
_CHANGE = re.compile(
    r"(?P<base>\d[\d,]*(?:\.\d+)?)\s*万元[^。；;]{0,40}?(?:比上年|与上年相比|较上年|同比)"
    r"[^。；;\d]{0,20}?(?P<dir>增加|减少|增长|下降|多|少)\s*(?P<delta>\d[\d,]*(?:\.\d+)?)\s*万元"
)


def answer_computed(ctx: QAContext, u: Understanding) -> Answer | None:
    """A sum or a difference of printed figures, or None when the inputs are not all found.

    Figures whose operands are records found by their label paths come first, whatever the
    intent: a named group's items (三公经费三项), one figure of each of two departments
    compared, a department's figure against its project tables, a funding source across the
    projects. Other totals of project money (一共多少钱, 几个项目) are the aggregates': the
    rest passes on them, and :func:`answer_computed_after` is tried when the aggregates pass."""
    for compute in (*BUDGET_FIGURES, _listed_parts):
        answer = compute(ctx, u)
        if answer is not None:
            return answer
    if u.intent == "aggregate":
        return None
    return answer_computed_after(ctx, u)


def answer_computed_after(ctx: QAContext, u: Understanding) -> Answer | None:
    """:func:`answer_computed` for any intent (a fallback after the intent's answerer)."""
    if not {"sum", "difference"} & set(u.asks):
        return None
    for compute in (_listed_parts, _figures_in_one_record):
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
        f"{p.name}{p.printed}{p.unit_shown}（见{sources.cite(p.record.doc, p.record.line)}）"
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
    if len(parts) != 2 or len({p.family for p in parts}) > 1:
        return None
    first, second = parts
    gap = first.normalized - second.normalized
    unit = "万元" if first.family == "money" else (first.unit or "")
    sources = Sources.of(ctx.store)
    shown = "，".join(
        f"{p.name}{p.printed}{p.unit_shown}（见{sources.cite(p.record.doc, p.record.line)}）"
        for p in parts
    )
    text = (
        f"{first.name}比{second.name}{'多' if gap >= 0 else '少'}{abs(gap).normalize():f}{unit}"
        f"（{first.normalized.normalize():f} − {second.normalized.normalize():f}）：{shown}。"
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
    if len(parts) < 2 or len({p.family for p in parts}) > 1:
        return None
    if any(_RATE.search(f"{p.printed}{p.unit or ''}") for p in parts):
        return None  # rates are not added (目标100%、实际82% is no 182%)
    sources = Sources.of(ctx.store)
    total = sum((p.normalized for p in parts), Decimal(0))
    unit = "万元" if parts[0].family == "money" else (parts[0].unit or "")
    shown = "，".join(f"{p.name}{p.printed}{p.unit_shown}" for p in parts)
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


_RATE = re.compile(r"[%％]|百分")


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


def answer_execution(ctx: QAContext, u: Understanding) -> Answer | None:
    """A project's budget against what was spent (预算执行), from its self-evaluation funds
    table: 全年预算数 and 全年执行数 as printed, 执行率 as printed (else computed, and said
    so), and what was left (预算数 − 执行数). None unless the question asks about execution
    and a project printing an 执行数 is named as a lookup names it."""
    if "execution" not in u.asks or u.intent not in _LOOKUP_INTENTS:
        return None  # 执行率这类指标在哪些表里: a list of rows, not one project's money
    vector = ctx.searcher.query_vector(u.question)
    ranked = [s for s in rank_projects(ctx, u, vector) if _spent_field(s.record) is not None]
    if not ranked or ranked[0].score < MIN_PROJECT_SCORE:
        return None
    project = ranked[0].record
    named = replace(u, topic=without_asks(u.topic or u.question, *_EXECUTION_ASKS))
    record = grouped_records(ctx.store).placed("amount", project.doc, project.id)
    if record is None or not covers(
        ctx, named, fit_of_record(ctx, named, key_of(ctx, named), record)
    ):
        return None  # the project is not the one named (its words only match the question's)
    spent = _spent_field(project)
    row = [f for f in project.fields if f.line == spent.line]
    # the year's budget: 全年预算数 (the project's amount, which the parser reads from it), else
    # 调整后, else 年初 — never 年初 when 全年 is printed beside it
    budget_field = next((f for f in row if "预算数" in f.label and "全年" in f.label), None)
    if budget_field is None and to_decimal(project.amount_printed or "") is None:
        budget_field = next((f for f in row if "预算数" in f.label), None)
    budget_printed = budget_field.value if budget_field else (project.amount_printed or "")
    budget, used = to_decimal(budget_printed), to_decimal(spent.value)
    if budget is None or used is None:
        return None
    unit = project.unit_printed or "万元"
    rate = next((f.value for f in row if "执行率" in f.label and f.value.strip()), None)
    if rate:
        rate_text = f"执行率{rate}"
    elif budget:
        share = (used / budget * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        rate_text = f"执行率约{share.normalize():f}%（{spent.value} ÷ {budget_printed}，计算所得）"
    else:
        rate_text = "执行率未列"
    left = budget - used
    if left > 0:
        rest = f"未执行{left.normalize():f}{unit}（{budget_printed} − {spent.value}）"
    elif left < 0:
        rest = f"执行数超出预算{(-left).normalize():f}{unit}（{spent.value} − {budget_printed}）"
    else:
        rest = "预算全部执行"
    cite = Sources.of(ctx.store).cite(project.doc, spent.line)
    budget_name = _column_name(budget_field.label if budget_field else "", "预算数")
    spent_name = _column_name(spent.label, "执行数")
    text = (
        f"{project.region or ''}“{project.name}”{budget_name}{budget_printed}{unit}，"
        f"{spent_name}{spent.value}{unit}，{rate_text}；{rest}（见{cite}）。"
    )
    unspent = "difference" in u.asks or bool(_UNSPENT.search(u.question))
    return Answer(
        question=u.question,
        intent="computed",
        text=text,
        projects=(ProjectItem.of(project),),
        value=left if unspent else used,
        unit=unit,
        extra={"operation": "difference" if unspent else "execution", "rate": rate},
    )


_LOOKUP_INTENTS = ("amount_lookup", "indicator_value", "search", "aggregate")
_EXECUTION_ASKS = ("execution", "actual", "difference")


def _column_name(label: str, name: str) -> str:
    """The funds table's column a field was printed in, as printed (年初预算数, 全年执行数)."""
    found = re.search(rf"(年初|全年|调整后)?\s*{name}", label)
    return compact(found.group(0)) if found else name


def _spent_field(project):
    """The first 全年执行数 a project's funds table prints (its 年度资金总额 line), or None."""
    spent = [f for f in project.fields if "执行数" in f.label and to_decimal(f.value) is not None]
    return min(spent, key=lambda f: f.line) if spent else None


# 哪个钱多, 哪一个预算高一些, 谁多 (anywhere in the question, not only at its end)
_WHICH_MORE = re.compile(r"(?:哪|谁)[个一项笔边家]*[^，,。？?]{0,6}?(?:多(?!少)|少|高|低|大|小)")
# the question asks about something other than the projects' money (哪个满意度目标高)
_NOT_MONEY = re.compile(r"率|满意度|指标|目标|人数|次数|数量|标准|人次|面积|时间|期限")


def answer_projects_compared(ctx: QAContext, u: Understanding) -> Answer | None:
    """Projects named side by side, their money added (加一块多少钱) or compared (哪个资金多,
    差多少, 哪一个预算高一些), or None. Each project's amount is stated as printed, with its
    source; the sum and the difference are exact (Decimal, in 万元) and say what was computed.
    A question comparing something other than money (哪个满意度目标高) is the extremes'."""
    summed = "sum" in u.asks
    compared = (
        "difference" in u.asks
        or u.comparison is not None
        or u.operation == "compare"
        or bool(_WHICH_MORE.search(u.question))
    )
    if not (summed or compared) or measure_of(u.question) is not None:
        return None
    named = projects_named(ctx, u)
    if named is None or _NOT_MONEY.search(_outside_names(u.question, named)):
        return None
    sources = Sources.of(ctx.store)
    stated = "，".join(
        f"{_place(n)}“{n.project.name}”{project_amount(n.project)}"
        f"（见{sources.cite(n.record.doc, n.record.line)}）"
        for n in named
    )
    amounts = [n.project.amount_wan for n in named]
    total = sum(amounts, Decimal(0))
    said = [stated]
    if summed or len(named) > 2:
        added = " + ".join(_in_wan(n) for n in named)
        said.append(f"合计{wan(total)}{_about(total)}（{added}）")
    if compared and len(named) == 2:
        said.append(_compared(named))
    elif compared:
        most = max(named, key=lambda n: n.project.amount_wan)
        said.append(f"最多的是“{most.project.name}”")
    gap = abs(amounts[0] - amounts[1]) if len(named) == 2 else None
    value = gap if compared and not summed and gap is not None else total
    return Answer(
        question=u.question,
        intent="computed",
        text="；".join(said) + "。",
        projects=tuple(ProjectItem.of(n.project) for n in named),
        value=value,
        unit="万元",
        extra={
            "operation": "difference" if value is gap else "sum",
            "parts": {n.project.name: n.project.amount_wan for n in named},
        },
    )


def _compared(named: tuple[NamedProject, ...]) -> str:
    """``“A”多X万元（a − b）``, or that both are the same."""
    first, second = named
    a, b = first.project.amount_wan, second.project.amount_wan
    if a == b:
        return f"两者相同，均为{wan(a)}"
    more, less = (first, second) if a > b else (second, first)
    gap = more.project.amount_wan - less.project.amount_wan
    places = first.project.region != second.project.region  # 哪个县的多: name the places
    return (
        f"{_place(more) if places else ''}“{more.project.name}”更多，"
        f"比{_place(less) if places else ''}“{less.project.name}”多{wan(gap)}"
        f"（{_in_wan(more)} − {_in_wan(less)}）"
    )


def _about(total: Decimal) -> str:
    """``，约68.77万元`` for a total with more than two decimals (the exact one is stated)."""
    rounded = total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return "" if rounded == total else f"，约{wan(rounded)}"


def _in_wan(named: NamedProject) -> str:
    """A project's amount in 万元 as printed when printed so (11.00), else as computed."""
    project = named.project
    printed = to_decimal(project.amount_printed or "")
    if project.unit_printed == "万元" and printed == project.amount_wan:
        return project.amount_printed.strip()
    return wan(project.amount_wan, unit="")


def _place(named: NamedProject) -> str:
    return named.project.region or ""


def _outside_names(question: str, named: tuple[NamedProject, ...]) -> str:
    """The question without the words naming its sides (what it asks of them)."""
    for n in named:
        question = question.replace(n.said, " ")
    return question


__all__ = [
    "answer_computed",
    "answer_computed_after",
    "answer_execution",
    "answer_previous_year",
    "answer_projects_compared",
]
