"""What the QA pipeline derives once per loaded index (regions, topic matcher, lookups)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import numpy as np

from index.schema import DepartmentFact, IndicatorRow, Project
from index.store import IndexStore

from .lexicon import Lexicon, load_lexicon
from .regions import RegionIndex
from .topic import TopicMatcher
from .understand import Understanding, understand

_NAME_YEAR = re.compile(r"^(20\d{2})年")


@dataclass
class QAContext:
    """Per-index helpers: region aliases, the topic matcher, chunk rows by id."""

    store: IndexStore
    regions: RegionIndex
    matcher: TopicMatcher
    lexicon: Lexicon
    rows: dict[str, int]
    carryover: set[str]
    searcher: object = None
    sorted_projects: list = field(default_factory=list)
    sorted_indicators: list = field(default_factory=list)
    sorted_facts: list = field(default_factory=list)

    @classmethod
    def of(cls, engine) -> QAContext:
        """The context of an engine's loaded index (built once per index)."""
        cached = _CACHE.get(engine.store)
        if cached is None:
            cached = cls._build(engine.store, engine.settings.data_dir)
            _CACHE[engine.store] = cached
        cached.searcher = engine.searcher
        return cached

    @classmethod
    def _build(cls, store: IndexStore, data_dir) -> QAContext:
        lexicon = load_lexicon(data_dir)
        regions = [p.region for p in store.projects.values()]
        regions += [d.document.region for d in store.documents.values()]
        return cls(
            store=store,
            regions=RegionIndex([r for r in regions if r]),
            matcher=TopicMatcher(store.lexical.tokenizer, lexicon, _vocabulary(store)),
            lexicon=lexicon,
            rows={chunk.id: i for i, chunk in enumerate(store.chunks)},
            carryover=_carryover_projects(store),
            sorted_projects=sorted(store.projects.values(), key=lambda p: p.id),
            sorted_indicators=sorted(store.indicators.values(), key=lambda r: r.id),
            sorted_facts=sorted(store.facts.values(), key=lambda f: f.id),
        )

    def understand(self, question: str) -> Understanding:
        return understand(question, self.regions, self.matcher)

    def similarity(self, query_vector: np.ndarray, record_id: str) -> float:
        row = self.rows.get(record_id)
        if row is None:
            return 0.0
        return float(self.store.vectors[row] @ query_vector)

    def projects_in(self, regions: tuple[str, ...] = (), year: int | None = None) -> list[Project]:
        """Projects of the given regions (all when none), in id order."""
        out = [p for p in self.sorted_projects if _region_ok(p.region, regions)]
        if year is not None:
            out = [p for p in out if p.year == year or f"{year}年" in p.name]
        return out

    def indicators_in(self, regions: tuple[str, ...] = ()) -> list[IndicatorRow]:
        if not regions:
            return self.sorted_indicators
        return [r for r in self.sorted_indicators if _region_ok(r.region, regions)]

    def facts_in(
        self, regions: tuple[str, ...] = (), year: int | None = None
    ) -> list[DepartmentFact]:
        out = [f for f in self.sorted_facts if _region_ok(f.region, regions)]
        if year is not None:
            out = [f for f in out if f.year == year]
        return out

    def lexical_projects(self, texts: list[str]) -> set[str]:
        """Projects with a chunk sharing a search token with any of the texts (a cheap prefilter)."""
        found: set[str] = set()
        columns = self.store.columns["project_id"]
        for text in texts:
            scores = self.store.lexical.scores(text)
            found.update(str(pid) for pid in columns[scores > 0] if pid)
        return found

    def is_carryover(self, project: Project) -> bool:
        return project.id in self.carryover

    def project_texts(self, project: Project) -> dict[str, str]:
        """The printed texts of a project, by where they appear."""
        return {
            "name": project.name,
            "goal": project.goal or "",
            "detail": " ".join(text for _, text in project.details),
        }


_CACHE: WeakKeyDictionary = WeakKeyDictionary()


def _region_ok(region: str | None, wanted: tuple[str, ...]) -> bool:
    if not wanted:
        return True
    return bool(region) and any(w in region or region in w for w in wanted)


def _vocabulary(store: IndexStore) -> set[str]:
    """Every word the lexical index knows (what the corpus prints)."""
    return {str(token) for token in store.lexical.bm25.vocab_dict}


def _carryover_projects(store: IndexStore) -> set[str]:
    """Projects carried over from an earlier year (上年结转): named for an earlier year, or
    described as 结转 in their own text."""
    out = set()
    for project in store.projects.values():
        match = _NAME_YEAR.match(project.name)
        texts = (project.goal or "") + " ".join(t for _, t in project.details)
        if (match and project.year and int(match.group(1)) < project.year) or "结转" in texts:
            out.add(project.id)
    return out
