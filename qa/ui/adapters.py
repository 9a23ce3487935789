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
class WordingCluster:
    """Indicator rows worded alike, and the range of their values."""

    label: str
    rows: tuple[IndicatorItem, ...]
    value_range: str


def find_wording(engine, query: str, region=None, year=None, level1=None, level2=None) -> list[WordingCluster]:
    """``qa.wording.find_wording`` as clusters, or a search-based stand-in."""
    module = optional_module("qa.wording")
    if module is not None:
        result = module.find_wording(engine, query, region=region, year=year, level1=level1, level2=level2)
        return [_cluster_of(cluster) for cluster in _first(result, ("clusters",), ())]
    return _fallback_wording(engine, query, region, year, level1, level2)


def _first(obj, names: tuple[str, ...], default):
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return default


def _cluster_of(cluster) -> WordingCluster:
    rows = tuple(_first(cluster, ("rows", "items", "indicators"), ()))
    label = _first(cluster, ("label", "name", "wording", "level3"), None)
    return WordingCluster(
        label=str(label or (rows[0].level3 if rows else "")),
        rows=rows,
        value_range=range_text(_first(cluster, ("value_range", "range", "values"), None)) or _values_range(rows),
    )


def range_text(value) -> str:
    """A value range as a person reads it, whatever shape it came in."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    low = _first(value, ("low", "min", "minimum"), None)
    high = _first(value, ("high", "max", "maximum"), None)
    if low is None and high is None and isinstance(value, (tuple, list)):
        return "～".join(str(v) for v in value if v is not None)
    unit = _first(value, ("unit",), "") or ""
    if low is None or high is None or low == high:
        return f"{low if low is not None else high}{unit}"
    return f"{low}～{high}{unit}"


def _values_range(rows: tuple[IndicatorItem, ...]) -> str:
    values = list(dict.fromkeys(row.value for row in rows if row.value))
    if len(values) <= 3:
        return " / ".join(values)
    return f"{values[0]} … {values[-1]}（{len(values)}种）"


def _fallback_wording(engine, query, region, year, level1, level2) -> list[WordingCluster]:
    filters = Filters(region=region, year=year, level1=level1, level2=level2, kinds=("indicator",))
    hits = engine.searcher.search(query, k=WORDING_HITS, filters=filters)
    groups: dict[str, list[IndicatorItem]] = {}
    for hit in hits:
        row = engine.store.indicators.get(hit.id)
        if row is not None:
            groups.setdefault(compact(row.level3), []).append(IndicatorItem.of(row))
    return [
        WordingCluster(label=rows[0].level3, rows=tuple(rows), value_range=_values_range(tuple(rows)))
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
            rows=tuple(_first(draft, ("rows", "indicators", "proposed"), ())),
            comparables=tuple(_first(draft, ("comparables", "comparable", "projects"), ())),
            note=str(_first(draft, ("text", "note"), "")),
        )
    return _fallback_draft(engine, name, description)


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
