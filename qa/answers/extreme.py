"""Which table sets the highest or lowest target for an indicator: compare the numbers of the
matching indicator rows (not project money), operator-aware, in one unit."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from index.numbers import parse_value
from index.schema import IndicatorRow

from ..context import QAContext
from ..evidence.fits import in_scope
from ..evidence.match import Key, covered
from ..evidence.records import records_of
from ..question import Understanding
from ..sources import Sources
from .general import key_of
from .schema import Answer, IndicatorItem, ProjectItem

MIN_CONCEPT = 0.75
SHOWN = 6
_HIGH = re.compile(r"最高|最多|最大|较高|较多|较大|更高|更多|更大")
_WORDS = re.compile(
    r"最高|最低|最多|最少|最大|最小|定得|定的|设得|目标|指标|这些|这类|这种|那些|绩效表|绩效|表里|"
    r"哪家|哪个|哪里|地方|项目|谁|类|的|几个|学校的?|按.(?:算|计)?|较高|较低|更高|更低|哪一个|哪一份|"
    r"哪份|哪一项|文档|文件"
)
_UNIT_WORDS = {"亩": "亩", "人": "人", "次": "次", "天": "天", "户": "户", "元": "元"}
_ALTERNATIVES = re.compile(r"或者|或|/|、")


@dataclass(frozen=True)
class Target:
    """An indicator row's target as a number in its unit."""

    row: IndicatorRow
    number: Decimal
    unit: str


def answer_extreme(ctx: QAContext, u: Understanding) -> Answer | None:
    """The table with the highest (or lowest) target of the indicator the question names."""
    if "extreme" not in u.asks:
        return None
    concepts = concept_keys(u, ctx)
    per_unit = bool(_PER_UNIT.search(u.question))
    rows = _rows(ctx, u, concepts, MIN_CONCEPT / 1.5 if per_unit else MIN_CONCEPT)
    targets = [t for t in (_target(r.source) for r in rows) if t]
    targets = _one_unit(targets, u.question)
    if not targets:
        return None
    high = bool(_HIGH.search(u.question))
    ordered = sorted(targets, key=lambda t: (-t.number if high else t.number, t.row.id))
    best = ordered[0]
    sources = Sources.of(ctx.store)
    word = "最高" if high else "最低"
    row = best.row
    text = (
        f"{row.region or ''}“{row.project or '部门整体'}”的“{row.level3 or row.level2}”目标{word}："
        f"{row.value}（见{sources.cite_record(row)}）。"
    )
    others = [
        f"{t.row.region or ''}“{t.row.project or '部门整体'}”"
        f"{t.row.level3 or t.row.level2} {t.row.value}"
        for t in ordered[1:SHOWN]
    ]
    if others:
        text += f"比较了{len(ordered)}条同类指标，其次：" + "；".join(others) + "。"
    projects = []
    for target in ordered[:SHOWN]:
        project = ctx.store.projects.get(target.row.project_id or "")
        if project and all(p.project_id != project.id for p in projects):
            projects.append(ProjectItem.of(project))
    return Answer(
        question=u.question,
        intent="indicator_extreme",
        text=text,
        projects=tuple(projects),
        indicators=tuple(IndicatorItem.of(t.row) for t in ordered[:SHOWN]),
        value=best.number,
        unit=best.unit,
    )


def concept_keys(u: Understanding, ctx: QAContext) -> list[Key]:
    """The indicator the question compares, one key per alternative (游客或观众人数)."""
    key = key_of(ctx, u)
    text = _WORDS.sub("", key.text)
    parts = [p for p in _ALTERNATIVES.split(text) if len(p) >= 2] or [text]
    if len(parts) > 1:
        tail = parts[-1]
        shared = re.search(r"(人数|次数|率|度|数量|标准|金额)$", tail)
        parts = [
            p if not shared or p.endswith(shared.group(1)) else p + shared.group(1) for p in parts
        ]
    return [Key(p, ()) for p in parts if p]


_PER_UNIT = re.compile(r"按.(?:算|计)|每.(?:的|算)?")


def _rows(ctx: QAContext, u: Understanding, concepts: list[Key], threshold: float):
    for record in records_of(ctx.store):
        if record.kind != "indicator" or not in_scope(record, u):
            continue
        row = record.source
        label = f"{row.level3 or ''} {row.level2 or ''}"
        if any(_share(covered(c, label)) >= threshold for c in concepts):
            yield record


def _share(marks) -> float:
    return sum(marks) / len(marks) if marks else 0.0


def _target(row: IndicatorRow) -> Target | None:
    value = parse_value(row.value)
    if value.number is None:
        number = value.high if value.high is not None else value.low
        if number is None:
            return None
        return Target(row, number, _unit(value.unit))
    return Target(row, value.number, _unit(value.unit))


def _unit(unit: str | None) -> str:
    unit = (unit or "").replace("以上", "").replace("以下", "").replace("百分比", "%")
    return "人" if unit.startswith("人") else unit


def _one_unit(targets: list[Target], question: str) -> list[Target]:
    """Targets in the unit the question implies (按亩算 → 元/亩) or the most common one;
    bare numbers join a percentage family when they are at most 100."""
    if not targets:
        return []
    hinted = [w for w in _UNIT_WORDS if w in question and any(w in t.unit for t in targets)]
    if hinted:
        return [t for t in targets if hinted[0] in t.unit]
    counts = Counter(t.unit for t in targets if t.unit)
    if not counts:
        return targets
    unit = counts.most_common(1)[0][0]
    if unit == "%":
        return [t for t in targets if t.unit == "%" or (not t.unit and t.number <= 100)]
    return [t for t in targets if t.unit == unit]


__all__ = ["answer_extreme", "concept_keys"]
