"""The chart of an answer: exactly the figures its text states, one labelled bar each.

A chart never computes anything the text does not say. It is drawn from the records the
answer lists (``Answer.projects``, ``.indicators`` or ``.facts``), in the answer's order:

- a question about indicators charts the indicator values (``≥95%`` → 95, unit ``%``),
  never the money of the projects they belong to;
- a question about money charts each project's amount as the text states it (for a sum of
  one funding source, such as 中央补助, that source's line, not the project's total), and a
  project the text marks 部分相关 is drawn apart and said to be left out of the total;
- department figures chart the figures cited.

Bars of different units are never drawn on one axis: the unit most bars share is drawn and
the others are counted in the note. A chart of fewer than two bars is not drawn.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from index.numbers import parse_value
from index.text import compact

from ..answers import Answer, FactItem, IndicatorItem, ProjectItem, wan

INDICATOR_INTENTS = ("indicator_value", "indicator_wording")
MIN_BARS = 2
PRIMARY = "直接相关"
PARTIAL = "部分相关（多用途资金，未计入合计）"


@dataclass(frozen=True)
class Bar:
    """One figure of the answer: what it is, its value, as printed, and where it is cited."""

    label: str
    value: Decimal
    printed: str
    group: str = ""
    ref: str = ""


@dataclass(frozen=True)
class Chart:
    """A labelled bar chart of one unit."""

    title: str
    unit: str
    bars: tuple[Bar, ...]
    note: str = ""

    @property
    def groups(self) -> tuple[str, ...]:
        """The kinds of bar drawn (直接相关, 部分相关 …), in order; empty when there is one kind."""
        kinds = tuple(dict.fromkeys(bar.group for bar in self.bars if bar.group))
        return kinds if len(kinds) > 1 else ()

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "unit": self.unit,
            "note": self.note,
            "bars": [
                {
                    "label": b.label,
                    "value": str(b.value.normalize()),
                    "printed": b.printed,
                    "group": b.group,
                    "ref": b.ref,
                }
                for b in self.bars
            ],
        }


def answer_chart(answer: Answer, store) -> Chart | None:
    """The chart of an answer's figures, or None when it states fewer than two comparable ones."""
    if answer.intent in INDICATOR_INTENTS or (answer.indicators and not answer.projects):
        chart = _indicator_chart(answer.indicators)
    elif answer.projects:
        chart = _project_chart(answer, store)
    else:
        chart = _fact_chart(answer.facts)
    return chart if chart is not None and len(chart.bars) >= MIN_BARS else None


def _ref(doc: str | None, line: int | None) -> str:
    return f"{doc}:{line}" if doc and line else ""


def _label(*parts: str | None) -> str:
    return " · ".join(p for p in parts if p)


def _one_unit(bars: list[tuple[str, Bar]]) -> tuple[str, list[Bar], int]:
    """The unit most bars share, its bars, and how many bars of other units were left out."""
    if not bars:
        return "", [], 0
    unit = Counter(u for u, _ in bars).most_common(1)[0][0]
    kept = [bar for u, bar in bars if u == unit]
    return unit, kept, len(bars) - len(kept)


def _left_out(count: int, what: str) -> str:
    return f"另有 {count} 条{what}单位不同，未画出。" if count else ""


# --- indicators ----------------------------------------------------------------------------------


def _indicator_chart(items: tuple[IndicatorItem, ...]) -> Chart | None:
    bars, qualitative = [], 0
    for item in items:
        value = parse_value(item.value)
        if value.number is None:
            qualitative += 1
            continue
        label = _label(item.region, item.project, item.level3)
        bar = Bar(label, value.number, item.value, "", _ref(item.doc, item.line))
        bars.append((value.unit or "", bar))
    unit, kept, other = _one_unit(bars)
    note = _left_out(other, "指标")
    if qualitative:
        note += f"另有 {qualitative} 条指标值不是数字（如“及时”），未画出。"
    title = f"指标值（{unit}）" if unit else "指标值"
    return Chart(title, unit, tuple(kept), note)


# --- projects ------------------------------------------------------------------------------------


def _project_chart(answer: Answer, store) -> Chart | None:
    measure = (answer.extra or {}).get("measure")
    bars = []
    for item in answer.projects:
        amount = _stated_amount(item, measure, store)
        if amount is None:
            continue
        group = PRIMARY if item.match == "primary" else PARTIAL
        label = _label(item.region, item.project)
        bars.append(Bar(label, amount, wan(amount), group, _ref(item.doc, item.line)))
    if not bars:
        return None
    title = f"各项目{measure}（万元）" if measure else "各项目金额（万元）"
    return Chart(title, "万元", tuple(bars), _project_note(answer, bars))


def _stated_amount(item: ProjectItem, measure: str | None, store) -> Decimal | None:
    """The amount the answer's text states for a project: its total, or one funding source."""
    if not measure:
        return item.amount_wan
    project = store.projects.get(item.project_id or "")
    if project is None:
        return None
    wanted = compact(measure)
    lines = [
        f.amount_wan
        for f in project.funding
        if f.amount_wan and (wanted in compact(f.label) or compact(f.label) in wanted)
    ]
    return sum(lines, Decimal(0)) if lines else None


def _project_note(answer: Answer, bars: list[Bar]) -> str:
    partial = [b for b in bars if b.group == PARTIAL]
    if not partial:
        return ""
    total = sum((b.value for b in bars if b.group == PRIMARY), Decimal(0))
    return (
        f"直接相关项目合计 {wan(total)}；{len(partial)} 个部分相关项目"
        "（多用途资金）单独标出，未计入合计。"
    )


# --- department figures --------------------------------------------------------------------------


def _fact_chart(items: tuple[FactItem, ...]) -> Chart | None:
    bars = [
        (
            item.unit or "",
            Bar(
                _label(item.region, item.label, item.column),
                item.value,
                f"{item.value_printed}{item.unit or ''}",
                "",
                _ref(item.doc, item.line),
            ),
        )
        for item in items
    ]
    unit, kept, other = _one_unit(bars)
    title = f"部门预算数字（{unit}）" if unit else "部门预算数字"
    return Chart(title, unit, tuple(kept), _left_out(other, "数字"))
