"""Figures computed from printed ones: several parts added (各多少, 加起来), one taken from
another (没花掉的, 差多少), and last year's figure from this year's and its printed change.

Every computed answer says what was added or subtracted, with each input as printed and its
source; the result is exact (Decimal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from index.numbers import MONEY_UNITS, to_decimal
from index.text import compact

from ..context import QAContext
from ..evidence.records import Record
from ..question import Understanding
from ..question.terms import word_edges
from ..sources import Sources
from .format import wan
from .general import Reading, answers, read
from .schema import Answer

_LISTED = re.compile(
    r"(?P<items>[\u4e00-\u9fff（）()]{2,16}(?:(?:和|、|与|及|跟)[\u4e00-\u9fff（）()]{2,16})+?)"
    r"(?=各|分别|一共|加起来|合计|总共|两个|两项|三项|几项|都是|是多少|多少)"
)
PART_COVERAGE = 0.4  # a part's record prints its name; the question's scope may be its heading
_CHANGE_BEFORE = re.compile(
    r"(?:增加|减少|增长|下降|上年|同比)[^，,。；;]{0,4}$"
)  # a change, not a part
_TRAILING_CUE = re.compile(r"(?:各是|各占|各|分别是|分别|都是)$")
# the figure printed right after a name, the name's last character allowed to be left out
# of the question (行政编 → 行政编制200名)
_NEXT_FIGURE = re.compile(
    r"[\u4e00-\u9fff]?[为是:：]?(?P<num>\d[\d,]*(?:\.\d+)?)"
    r"(?P<unit>亿元|万元|千元|元|万人次|人次|人|名|个|户|辆|家|项|次|场)?"
)
_SPLIT = re.compile(r"和|、|与|及|跟")
_FIGURE = re.compile(
    r"(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>亿元|万元|千元|元|万人次|人次|人|名|个|户|辆|家|项|次|场)"
)
_UNSPENT = re.compile(r"没花掉|没花完|剩(下|余)|结余|余下|未支出|没用完")
_PEOPLE = re.compile(r"多少人|几个人|几人|人数")
_CHANGE = re.compile(
    r"(?P<base>\d[\d,]*(?:\.\d+)?)\s*万元[^。；;]{0,40}?(?:比上年|与上年相比|较上年|同比)"
    r"[^。；;\d]{0,20}?(?P<dir>增加|减少|增长|下降|多|少)\s*(?P<delta>\d[\d,]*(?:\.\d+)?)\s*万元"
)


@dataclass(frozen=True)
class Part:
    """One input of a computed figure."""

    name: str
    value: Decimal
    printed: str
    unit: str | None
    record: Record


def answer_computed(ctx: QAContext, u: Understanding) -> Answer | None:
    """A sum or a difference of printed figures, or None when the inputs are not all found.

    Totals of project money (一共多少钱, 几个项目) are the aggregates': this passes on them,
    and :func:`answer_computed_after` is tried when the aggregates pass."""
    if u.intent == "aggregate":
        return None
    return answer_computed_after(ctx, u)


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
    """``财政拨款和其他资金各占多少`` → each part read on its own, then added."""
    listed = list(_LISTED.finditer(u.question))
    if not listed:
        return None
    match = listed[
        -1
    ]  # the list the cue follows (文化和旅游局… is a name, 行政编、事业编各 the list)
    items = _TRAILING_CUE.sub("", match.group("items"))
    head, _, items = items.rpartition("里") if "里" in items else ("", "", items)
    names = [n for n in _SPLIT.split(items) if len(n) >= 2]
    scope = (u.question[: match.start()] + head + " " + u.question[match.end() :]).strip()
    parts = []
    tokenizer = ctx.store.lexical.tokenizer
    for index, name in enumerate(names):
        # the first item may carry the scope before it (省委办公厅住房公积金): its shorter
        # word-edge tails are tried too
        tails = [name[i:] for i in sorted(word_edges(tokenizer, name)) if len(name) - i >= 2]
        for tail in tails if index == 0 else [name]:
            words = f"{scope} {name[: len(name) - len(tail)]}"
            sub = replace(u, topic=f"{_scope_words(words)} {tail}", question=f"{words} {tail}")
            reading = read(ctx, sub, where=lambda r, n=tail: _figure_of(n, r) is not None)
            if reading is not None and reading.best.coverage >= PART_COVERAGE:
                parts.append(_figure_of(tail, reading.best.record))
                break
        else:
            return None
    if len({p.record.doc for p in parts}) > 1:
        return None  # parts of one whole are printed in one document
    return _sum_answer(ctx, u, parts)


def _figure_of(name: str, record: Record) -> Part | None:
    """The figure a record prints for a name: its value when its label is the name, else the
    first figure printed right after the name (（一）人员经费 18387.95 万元)."""
    key = compact(name)
    if record.number is not None and key in compact(record.label):
        return Part(name, record.number, record.value, record.unit, record)
    text = compact(record.value)
    at = text.find(key)
    if at < 0:
        return None
    match = _NEXT_FIGURE.match(text, at + len(key))
    if match is None:
        return None
    unit = match.group("unit") or record.unit
    completed = text[at : at + len(key) + 1].rstrip("为是:：0123456789")  # 行政编 → 行政编制
    printed = text[match.start("num") : match.end()]
    return Part(completed or name, to_decimal(match.group("num")), printed, unit, record)


def _scope_words(text: str) -> str:
    return re.sub(r"各|分别|一共|加起来|合计|总共|是多少|多少|[，,。？?！!]", " ", text)


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
