"""The retrieval context: what answering derives once per loaded index.

``QAContext.of(engine)`` gives the question reader of the corpus (its regions, vocabulary and
the engine's lexicon), the records in id order, and the searcher. Answerers, the question-aware
retrieval, the wording search and the drafter all take their index facts from here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar
from weakref import WeakKeyDictionary

import numpy as np

from index.caches import kept_in
from index.schema import DepartmentFact, IndicatorRow, Project
from index.store import IndexStore, held_records
from index.text import compact

from .question import QuestionReader, Understanding

_NAME_YEAR = re.compile(r"^(20\d{2})年")
T = TypeVar("T")


@dataclass
class QAContext:
    """Per-index helpers: the question reader, records in id order, the live engine."""

    store: IndexStore
    reader: QuestionReader
    carryover: set[str]
    engine: object = None
    sorted_projects: list = field(default_factory=list)
    sorted_indicators: list = field(default_factory=list)
    sorted_facts: list = field(default_factory=list)
    by_region: dict = field(default_factory=dict)  # kind → region → its records in id order
    derived: dict = field(default_factory=dict)  # see :meth:`kept`

    @classmethod
    def of(cls, engine) -> QAContext:
        """The context of an engine's loaded index (built once per index and lexicon)."""
        key = engine.store
        cached = _CACHE.get(key)
        if cached is None or cached.reader.lexicon is not engine.lexicon:
            cached = cls._build(engine.store, engine.lexicon)
            _CACHE[key] = cached
        cached.engine = engine
        return cached

    @classmethod
    def _build(cls, store: IndexStore, lexicon) -> QAContext:
        # Every record is taken from the parsed documents, which the store decodes once and
        # keeps: sources, evidence records and these lists then hold one copy of each project
        # and row, not one per reader (at a million rows each copy is gigabytes).
        held: dict[str, dict] = {kind: {} for kind in ("project", "indicator", "fact")}
        documents_regions = []
        for parsed in store.documents.values():
            documents_regions.append(parsed.document.region)
            for kind, by_id in held.items():
                by_id.update((record.id, record) for record in held_records(parsed, kind))
        projects, indicators, facts = (sorted(held[kind].values(), key=_id) for kind in held)
        regions = [p.region for p in projects] + documents_regions
        reader = QuestionReader(
            [r for r in regions if r], lexicon, store.lexical.tokenizer, set(store.vocabulary())
        )
        return cls(
            store=store,
            reader=reader,
            carryover=_carryover_projects(projects),
            sorted_projects=projects,
            sorted_indicators=indicators,
            sorted_facts=facts,
            by_region={
                "project": _group_by_region(projects),
                "indicator": _group_by_region(indicators),
                "fact": _group_by_region(facts),
            },
        )

    @property
    def searcher(self):
        return self.engine.searcher

    @property
    def lexicon(self):
        return self.reader.lexicon

    @property
    def matcher(self):
        return self.reader.matcher

    @property
    def regions(self):
        return self.reader.regions

    def kept(self, build: Callable[[QAContext], T]) -> T:
        """What ``build`` derives from this index (folded texts and the like), built once per
        index and lexicon and kept with the context."""
        found = self.derived.get(build)
        if found is None:
            found = self.derived[build] = build(self)
        return found

    def understand(self, question: str) -> Understanding:
        return self.reader.understand(question)

    @cached_property
    def years(self) -> frozenset[int]:
        """The budget years of the corpus's projects and documents."""
        years = {p.year for p in self.sorted_projects}
        years |= {d.document.year for d in self.store.documents.values()}
        return frozenset(y for y in years if y)

    def outside(self, u: Understanding) -> bool:
        """True when the question names only places, or only years, the corpus does not hold."""
        if u.unknown_places and not u.regions:
            return True
        if not u.years or any(y in self.years for y in u.years):
            return False
        return not any(f"{y}年" in p.name for y in u.years for p in self.sorted_projects)

    def similarities(self, query_vector: np.ndarray, record_ids: list[str]) -> np.ndarray:
        """Cosine similarity of the query and each record's stored chunk (0 when it has none)."""
        return self.store.similarities(record_ids, query_vector)

    def similarity(self, query_vector: np.ndarray, record_id: str) -> float:
        return float(self.similarities(query_vector, [record_id])[0])

    def projects_in(self, regions: tuple[str, ...] = (), year: int | None = None) -> list[Project]:
        """Projects of the given regions (all when none), in id order."""
        out = self._in_regions("project", self.sorted_projects, regions)
        if year is not None:
            out = [p for p in out if p.year == year or f"{year}年" in p.name]
        return out

    def organisations_in(self, regions: tuple[str, ...] = (), year: int | None = None) -> str:
        """The department and implementing-unit names of the projects :meth:`projects_in`
        gives, compacted, one per line (a word is in one of them when it is in this text);
        once per scope and index."""

        def names() -> str:
            held = {
                compact(name)
                for p in self.projects_in(regions, year)
                for name in (p.department, p.implementing_unit)
                if name
            }
            return "\n".join(sorted(held))

        # questions may name many scopes
        return kept_in(self.kept(_Organisations), (regions, year), names, _ORGANISATION_SCOPES)

    def indicators_in(self, regions: tuple[str, ...] = ()) -> list[IndicatorRow]:
        return self._in_regions("indicator", self.sorted_indicators, regions)

    def facts_in(
        self, regions: tuple[str, ...] = (), year: int | None = None
    ) -> list[DepartmentFact]:
        out = self._in_regions("fact", self.sorted_facts, regions)
        if year is not None:
            out = [f for f in out if f.year == year]
        return out

    def count_in(self, kind: str, regions: tuple[str, ...] = ()) -> int:
        """How many records of a kind (``project``, ``indicator``, ``fact``) the regions hold
        (all regions when none), without listing them."""
        return sum(
            len(group)
            for region, group in self.by_region[kind].items()
            if _region_ok(region, regions)
        )

    def _in_regions(self, kind: str, ordered: list, regions: tuple[str, ...]) -> list:
        """The records of a kind in the given regions (all when none), in id order: each
        distinct region name is compared once, not each record's."""
        if not regions:
            return list(ordered)
        groups = [
            group for region, group in self.by_region[kind].items() if _region_ok(region, regions)
        ]
        if len(groups) == 1:
            return list(groups[0])
        return sorted((r for group in groups for r in group), key=lambda r: r.id)

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
_ORGANISATION_SCOPES = 256  # scopes whose organisation names are kept per index


class _Organisations(dict):
    """(regions, year) → :meth:`QAContext.organisations_in` of that scope."""

    def __init__(self, ctx: QAContext) -> None:
        super().__init__()


def region_matches(region: str | None, wanted: str) -> bool:
    """True when one region name holds the other (西青 matches 天津市西青区)."""
    here, wanted = compact(region or ""), compact(wanted)
    return bool(here) and (wanted in here or here in wanted)


def _id(record) -> str:
    return record.id


def _group_by_region(ordered: list) -> dict[str | None, list]:
    """Records (in id order) by their region, each group keeping that order."""
    groups: dict[str | None, list] = {}
    for record in ordered:
        groups.setdefault(record.region, []).append(record)
    return groups


def _region_ok(region: str | None, wanted: tuple[str, ...]) -> bool:
    return not wanted or any(region_matches(region, w) for w in wanted)


def _carryover_projects(projects: list[Project]) -> set[str]:
    """Projects carried over from an earlier year (上年结转): named for an earlier year, or
    described as 结转 in their own text."""
    out = set()
    for project in projects:
        match = _NAME_YEAR.match(project.name)
        texts = (project.goal or "") + " ".join(t for _, t in project.details)
        if (match and project.year and int(match.group(1)) < project.year) or "结转" in texts:
            out.add(project.id)
    return out
