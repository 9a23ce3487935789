"""The QA functions the app calls, and thin stand-ins used until they land.

``qa.answer``, ``qa.wording`` and ``qa.draft`` are written alongside the app.
Each function here calls the real one when its module exists and otherwise a
small search-based stand-in, so the app runs (and is tested) either way. The
results are turned into the shapes the views need: :class:`WordingCluster` and
:class:`DraftResult`.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from decimal import Decimal
from types import ModuleType

from index.schema import IndicatorRow, Project
from index.search import Filters
from index.text import compact

from ..schema import Answer, IndicatorItem, ProjectItem

WORDING_HITS = 60
DRAFT_COMPARABLES = 3


def optional_module(name: str) -> ModuleType | None:
    """The module ``name``, or None when it does not exist yet (other import errors propagate)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


def has_module(name: str) -> bool:
    return optional_module(name) is not None


# --- ask ---------------------------------------------------------------------------------------


def answer_question(engine, question: str) -> Answer:
    """``qa.answer.answer_question``, or a search-based stand-in."""
    module = optional_module("qa.answer")
    if module is not None:
        return module.answer_question(engine, question)
    return _fallback_answer(engine, question)


def _fallback_answer(engine, question: str) -> Answer:
    hits = engine.searcher.search(question, k=10, filters=Filters(kinds=("project", "indicator")))
    store = engine.store
    projects = [ProjectItem.of(store.projects[h.id]) for h in hits if h.id in store.projects]
    indicators = [IndicatorItem.of(store.indicators[h.id]) for h in hits if h.id in store.indicators]
    intent = "which_regions_fund" if re.search(r"哪些|哪几|哪个", question) else "search"
    if not hits:
        text = "未找到相关内容。"
    else:
        listed = "；".join(
            f"{p.region or ''}{p.project}（{_amount_text(p.amount_wan)}万元）" for p in projects[:8]
        )
        text = f"检索到的相关项目：{listed}" if listed else "检索到相关指标，见下表。"
    return Answer(
        question=question,
        intent=intent,
        text=text,
        projects=tuple(projects),
        indicators=tuple(indicators),
        found=bool(hits),
    )


def _amount_text(amount_wan: Decimal | None) -> str:
    return "?" if amount_wan is None else f"{amount_wan.normalize():f}"


# --- wording -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WordingGroup:
    """Indicator rows worded alike (one cluster), and the spread of their values."""

    label: str
    rows: tuple[IndicatorItem, ...]
    value_range: str


def find_wording(engine, query: str, region=None, year=None, level1=None, level2=None) -> list[WordingGroup]:
    """``qa.wording.find_wording`` as groups (one per cluster), or a search-based stand-in."""
    module = optional_module("qa.wording")
    if module is None:
        return _fallback_wording(engine, query, region, year, level1, level2)
    result = module.find_wording(engine, query, region=region, year=year, level1=level1, level2=level2)
    return [
        WordingGroup(
            label=cluster.representative,
            rows=tuple(IndicatorItem.of(r.row, match=r.match, cluster=cluster.number) for r in cluster.rows),
            value_range=cluster.spread.text,
        )
        for cluster in result.clusters
    ]


def _values_range(rows: tuple[IndicatorItem, ...]) -> str:
    values = list(dict.fromkeys(row.value for row in rows if row.value))
    if len(values) <= 3:
        return "、".join(values)
    return f"{values[0]} … {values[-1]}（{len(values)}种）"


def _fallback_wording(engine, query, region, year, level1, level2) -> list[WordingGroup]:
    filters = Filters(region=region, year=year, level1=level1, level2=level2, kinds=("indicator",))
    hits = engine.searcher.search(query, k=WORDING_HITS, filters=filters)
    groups: dict[str, list[IndicatorItem]] = {}
    for hit in hits:
        row = engine.store.indicators.get(hit.id)
        if row is not None:
            groups.setdefault(compact(row.level3), []).append(IndicatorItem.of(row))
    return [
        WordingGroup(label=rows[0].level3, rows=tuple(rows), value_range=_values_range(tuple(rows)))
        for rows in groups.values()
    ]


# --- draft -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftResult:
    """Proposed indicator rows (each citing the row it came from) and comparable projects."""

    rows: tuple[IndicatorItem, ...]
    comparables: tuple[ProjectItem, ...]
    note: str = ""


def draft_targets(engine, name: str, description: str | None = None, amount_wan: Decimal | None = None) -> DraftResult:
    """``qa.draft.draft_targets`` as a :class:`DraftResult`, or a search-based stand-in."""
    module = optional_module("qa.draft")
    if module is not None:
        draft = module.draft_targets(engine, name, description=description, amount_wan=amount_wan)
        return DraftResult(
            rows=tuple(_as_indicator(x) for x in _first(draft, ("rows", "indicators", "proposed"), ())),
            comparables=tuple(_as_project(x) for x in _first(draft, ("comparables", "comparable", "projects"), ())),
            note=str(_first(draft, ("text", "note"), "")),
        )
    return _fallback_draft(engine, name, description)


def _first(obj, names: tuple[str, ...], default):
    for name in names:
        value = getattr(obj, name, None)
        if value is not None:
            return value
    return default


def _as_indicator(item) -> IndicatorItem:
    """An IndicatorItem from whatever a draft row is (an item, a row, or a wrapper of a row)."""
    if isinstance(item, IndicatorItem):
        return item
    if isinstance(item, IndicatorRow):
        return IndicatorItem.of(item)
    inner = getattr(item, "row", None) or getattr(item, "source", None)
    base = IndicatorItem.of(inner) if isinstance(inner, IndicatorRow) else None
    fields = {
        name: getattr(item, name, getattr(base, name, None))
        for name in ("region", "project", "level1", "level2", "level3", "value", "weight", "doc", "line")
    }
    return IndicatorItem(**{**fields, "level3": fields["level3"] or "", "value": fields["value"] or ""})


def _as_project(item) -> ProjectItem:
    if isinstance(item, ProjectItem):
        return item
    if isinstance(item, Project):
        return ProjectItem.of(item)
    inner = getattr(item, "project", None)
    return ProjectItem.of(inner) if isinstance(inner, Project) else item


def _fallback_draft(engine, name: str, description: str | None) -> DraftResult:
    query = f"{name} {description or ''}".strip()
    hits = engine.searcher.search(query, k=DRAFT_COMPARABLES, filters=Filters(kinds=("project",)))
    projects = [engine.store.projects[h.id] for h in hits if h.id in engine.store.projects]
    rows: dict[tuple, IndicatorItem] = {}
    for project in projects:
        for row in project.indicators:
            rows.setdefault((row.level1, row.level2, compact(row.level3)), IndicatorItem.of(row))
    return DraftResult(
        rows=tuple(rows.values()),
        comparables=tuple(ProjectItem.of(p) for p in projects),
        note="参考可比项目的指标拟定，请按本项目实际修改指标值。",
    )
