"""Hybrid retrieval: dense (FAISS) and lexical (BM25) ranks fused, with filters.

Filters restrict both searches to the same chunks; dense search over a filtered
subset is computed exactly from the stored vectors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from .chunk import KINDS
from .store import IndexStore

CANDIDATES = 100
RRF_K = 60


@dataclass(frozen=True)
class Filters:
    """Restrict a search. Region matches by containment (西青 matches 天津市西青区)."""

    region: str | None = None
    year: int | None = None
    doc: str | None = None
    level1: str | None = None
    level2: str | None = None
    kinds: tuple[str, ...] | None = None
    project_id: str | None = None

    def is_empty(self) -> bool:
        return not any(
            (
                self.region,
                self.year,
                self.doc,
                self.level1,
                self.level2,
                self.kinds,
                self.project_id,
            )
        )


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk with its source and the fields a reader needs."""

    rank: int
    score: float
    kind: str
    id: str
    doc: str
    line: int
    region: str | None
    year: int | None
    project: str | None
    project_id: str | None
    text: str
    amount_wan: Decimal | None = None
    level1: str | None = None
    level2: str | None = None
    level3: str | None = None
    value: str | None = None
    dense_rank: int | None = None
    lexical_rank: int | None = None
    page: int | None = None
    sheet: str | None = None


def _contains(values: np.ndarray, wanted: str) -> np.ndarray:
    return np.array([bool(v) and (wanted in v or v in wanted) for v in values], dtype=bool)


def filter_mask(store: IndexStore, filters: Filters | None) -> np.ndarray | None:
    """Boolean mask of the chunks that pass the filters (None: all pass)."""
    if filters is None or filters.is_empty():
        return None
    cols = store.columns
    mask = np.ones(len(store.chunks), dtype=bool)
    if filters.region:
        mask &= _contains(cols["region"], filters.region)
    if filters.year:
        mask &= cols["year"] == filters.year
    if filters.doc:
        mask &= cols["doc"] == filters.doc
    if filters.level1:
        mask &= _contains(cols["level1"], filters.level1)
    if filters.level2:
        mask &= _contains(cols["level2"], filters.level2)
    if filters.kinds:
        unknown = set(filters.kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown kind(s) {sorted(unknown)}; use {', '.join(KINDS)}")
        mask &= np.isin(cols["kind"], list(filters.kinds))
    if filters.project_id:
        mask &= cols["project_id"] == filters.project_id
    return mask


def _top(
    scores: np.ndarray, k: int, positions: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """Indices of the k best scores (ties broken by position, i.e. by id order)."""
    if scores.size == 0:
        return []
    k = min(k, scores.size)
    part = np.argpartition(-scores, k - 1)[:k]
    order = sorted(part, key=lambda i: (-scores[i], i))
    rows = positions[order] if positions is not None else np.asarray(order)
    return [(int(r), float(scores[i])) for r, i in zip(rows, order)]


def dense_ranking(
    store: IndexStore, query_vector: np.ndarray, k: int, mask: np.ndarray | None
) -> list[tuple[int, float]]:
    if not store.chunks:
        return []
    if mask is None:
        k = min(k, len(store.chunks))
        scores, ids = store.dense.search(query_vector.reshape(1, -1).astype(np.float32), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
    if not mask.any():
        return []
    # exact scores for every chunk, then the filter: cheaper than gathering the subset
    scores = store.vectors @ query_vector.astype(np.float32)
    positions = np.flatnonzero(mask)
    return _top(scores[positions], k, positions)


def lexical_ranking(
    store: IndexStore, query: str, k: int, mask: np.ndarray | None
) -> list[tuple[int, float]]:
    scores = store.lexical.scores(query)
    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    ranked = _top(scores, k)
    return [(i, s) for i, s in ranked if s > 0]


def _fuse_rrf(
    dense: list[tuple[int, float]], lexical: list[tuple[int, float]]
) -> list[tuple[int, float]]:
    scores: dict[int, float] = {}
    for ranking in (dense, lexical):
        for rank, (row, _) in enumerate(ranking, start=1):
            scores[row] = scores.get(row, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def _fuse_weighted(
    dense: list[tuple[int, float]], lexical: list[tuple[int, float]]
) -> list[tuple[int, float]]:
    """Min-max normalized scores, dense weighted 0.6 and lexical 0.4."""
    scores: dict[int, float] = {}
    for weight, ranking in ((0.6, dense), (0.4, lexical)):
        if not ranking:
            continue
        values = np.array([s for _, s in ranking])
        low, span = values.min(), max(values.max() - values.min(), 1e-9)
        for row, score in ranking:
            scores[row] = scores.get(row, 0.0) + weight * (score - low) / span
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


FUSERS: dict[str, Callable] = {"rrf": _fuse_rrf, "weighted": _fuse_weighted}
MODES = ("hybrid", "dense", "lexical")


class Searcher:
    """Search a loaded index with an encoder for queries."""

    def __init__(self, store: IndexStore, encoder, fusion: str = "rrf"):
        if fusion not in FUSERS:
            raise ValueError(f"unknown fusion {fusion!r}; use one of {sorted(FUSERS)}")
        self.store = store
        self.encoder = encoder
        self.fusion = fusion
        self._query_vectors: dict[str, np.ndarray] = {}

    def query_vector(self, query: str) -> np.ndarray:
        vector = self._query_vectors.get(query)
        if vector is None:
            vector = self.encoder.encode_queries([query])[0]
            if len(self._query_vectors) > 512:
                self._query_vectors.clear()
            self._query_vectors[query] = vector
        return vector

    def search(
        self, query: str, k: int = 10, filters: Filters | None = None, mode: str = "hybrid"
    ) -> list[Hit]:
        """The k best chunks for the query. Empty when nothing matches the filters."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
        if k <= 0 or not query.strip():
            return []
        mask = filter_mask(self.store, filters)
        depth = max(CANDIDATES, k)
        dense = self.dense(query, depth, mask) if mode in ("hybrid", "dense") else []
        lexical = (
            lexical_ranking(self.store, query, depth, mask) if mode in ("hybrid", "lexical") else []
        )
        fused = FUSERS[self.fusion](dense, lexical) if mode == "hybrid" else (dense or lexical)
        dense_ranks = {row: rank for rank, (row, _) in enumerate(dense, start=1)}
        lexical_ranks = {row: rank for rank, (row, _) in enumerate(lexical, start=1)}
        return [
            self.hit_for(row, rank, score, dense_ranks.get(row), lexical_ranks.get(row))
            for rank, (row, score) in enumerate(fused[:k], start=1)
        ]

    def dense(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        return dense_ranking(self.store, self.query_vector(query), k, mask)

    def hit_for(
        self,
        row: int,
        rank: int,
        score: float,
        dense_rank: int | None = None,
        lexical_rank: int | None = None,
    ) -> Hit:
        """A typed hit for the chunk at ``row`` (its record's fields filled in)."""
        chunk = self.store.chunks[row]
        extra: dict = {}
        if chunk.kind == "project":
            project = self.store.projects.get(chunk.id)
            extra["amount_wan"] = project.amount_wan if project else None
        elif chunk.kind == "indicator":
            indicator = self.store.indicators.get(chunk.id)
            if indicator:
                extra.update(
                    level1=indicator.level1,
                    level2=indicator.level2,
                    level3=indicator.level3,
                    value=indicator.value,
                )
        elif chunk.kind == "department":
            fact = self.store.facts.get(chunk.id)
            if fact:
                extra.update(value=fact.value_printed, level3=fact.label)
        elif chunk.kind == "field":
            field = self.store.fields.get(chunk.id)
            if field:
                extra.update(value=field.value, level3=field.label)
        elif chunk.kind == "plan":
            plan = self.store.plans.get(chunk.id)
            extra["amount_wan"] = plan.amount_wan if plan else None
        return Hit(
            rank=rank,
            score=score,
            kind=chunk.kind,
            id=chunk.id,
            doc=chunk.doc,
            line=chunk.line,
            region=chunk.region,
            year=chunk.year,
            project=chunk.project,
            project_id=chunk.project_id,
            text=chunk.text,
            dense_rank=dense_rank,
            lexical_rank=lexical_rank,
            page=chunk.page,
            sheet=chunk.sheet,
            **extra,
        )
