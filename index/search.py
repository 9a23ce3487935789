"""Hybrid retrieval: dense and lexical ranks fused, with filters, over any store backend.

The store's backend (:data:`index.store.STORES`) runs the dense and lexical searches; the local
backend's ranks are fused here (:data:`FUSERS`), Milvus fuses its own with the same RRF (k=60).
Filters restrict both searches to the same chunks (:mod:`index.store.filters`).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from .caches import kept_in
from .store import Filters, IndexStore, filter_mask
from .store.catalog import RECORD_KINDS

__all__ = ["FUSERS", "MODES", "Filters", "Hit", "Searcher", "filter_mask"]

CANDIDATES = 100
QUERY_VECTORS_KEPT = 513  # query embeddings a searcher keeps, then empties (as before)
# the store's records (RECORD_KINDS: kind → attribute) each chunk kind's hit fields come from;
# a department chunk holds a department fact
_RECORDS_OF = {
    chunk_kind: RECORD_KINDS[record_kind][1]
    for chunk_kind, record_kind in (
        ("project", "project"),
        ("indicator", "indicator"),
        ("department", "fact"),
        ("field", "field"),
        ("plan", "plan"),
    )
}
_UNREAD = object()  # hit_for: the chunk's record is still to be read


def _key(chunk) -> tuple[str, str]:
    return chunk.kind, chunk.id


RRF_K = 60
# hybrid search: the lexical side in one of these threads while the caller embeds the query
# and runs the dense side (the encoder, FAISS and numpy release the GIL)
_LEXICAL_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lexical")


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
        def embed() -> np.ndarray:
            return self.encoder.encode_queries([query])[0]

        return kept_in(self._query_vectors, query, embed, QUERY_VECTORS_KEPT)

    def search(
        self, query: str, k: int = 10, filters: Filters | None = None, mode: str = "hybrid"
    ) -> list[Hit]:
        """The k best chunks for the query. Empty when nothing matches the filters."""
        fused, dense_ranks, lexical_ranks = self._ranked(query, k, filters, mode)
        chunks = self.store.chunks.many([row for row, _ in fused])
        records = self._records_of(chunks)
        return [
            self.hit_for(
                row,
                rank,
                score,
                dense_ranks.get(row),
                lexical_ranks.get(row),
                chunk,
                records.get(_key(chunk)),
            )
            for rank, ((row, score), chunk) in enumerate(zip(fused, chunks, strict=True), 1)
        ]

    def rows(
        self, query: str, k: int = 10, filters: Filters | None = None, mode: str = "hybrid"
    ) -> list[int]:
        """The rows of the k best chunks, best first: :meth:`search` without reading the
        chunks and records (for a caller that needs only their columns, or a few of them)."""
        return [row for row, _ in self._ranked(query, k, filters, mode)[0]]

    def _ranked(
        self, query: str, k: int, filters: Filters | None, mode: str
    ) -> tuple[list[tuple[int, float]], dict[int, int], dict[int, int]]:
        """The k best (row, score), best first, and each row's dense and lexical rank (empty
        when the backend fuses its own)."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
        if k <= 0 or not query.strip():
            return [], {}, {}
        if filters is not None:
            filters.check()
        backend = self.store.backend
        depth = max(CANDIDATES, k)
        if mode == "hybrid" and self.fusion == "rrf" and hasattr(backend, "hybrid"):
            return backend.hybrid(query, self.query_vector(query), k, depth, filters), {}, {}
        mask = filter_mask(self.store, filters) if backend.name == "local" else None
        lexical = None
        if mode == "hybrid":  # the lexical side runs while the query is embedded and searched
            lexical = _LEXICAL_POOL.submit(backend.lexical, query, depth, filters, mask)
        dense = self.dense(query, depth, mask, filters) if mode in ("hybrid", "dense") else []
        if lexical is not None:
            lexical = lexical.result()
        elif mode == "lexical":
            lexical = backend.lexical(query, depth, filters, mask)
        else:
            lexical = []
        fused = FUSERS[self.fusion](dense, lexical) if mode == "hybrid" else (dense or lexical)
        dense_ranks = {row: rank for rank, (row, _) in enumerate(dense, start=1)}
        lexical_ranks = {row: rank for rank, (row, _) in enumerate(lexical, start=1)}
        return fused[:k], dense_ranks, lexical_ranks

    def _records_of(self, chunks) -> dict:
        """The records of the chunks, by (kind, id): one read per kind, not one per chunk."""
        wanted: dict[str, list[str]] = {}
        for chunk in chunks:
            if chunk.kind in _RECORDS_OF:
                wanted.setdefault(chunk.kind, []).append(chunk.id)
        out = {}
        for kind, ids in wanted.items():
            found = getattr(self.store, _RECORDS_OF[kind]).many(ids)
            out.update(((kind, key), record) for key, record in found.items())
        return out

    def dense(
        self,
        query: str,
        k: int,
        mask: np.ndarray | None = None,
        filters: Filters | None = None,
    ) -> list[tuple[int, float]]:
        """The k nearest chunks to the query's vector (rows, scores)."""
        backend = self.store.backend
        if backend.name == "local" and mask is None and filters is not None:
            mask = filter_mask(self.store, filters)
        return backend.dense(self.query_vector(query), k, filters, mask)

    def hit_for(
        self,
        row: int,
        rank: int,
        score: float,
        dense_rank: int | None = None,
        lexical_rank: int | None = None,
        chunk=None,
        record=_UNREAD,
    ) -> Hit:
        """A typed hit for the chunk at ``row`` (its record's fields filled in; ``chunk``:
        that chunk when already read, ``record``: its record when already read, None when it
        has none)."""
        chunk = chunk if chunk is not None else self.store.chunks[row]
        if record is _UNREAD:
            records = _RECORDS_OF.get(chunk.kind)
            record = getattr(self.store, records).get(chunk.id) if records else None
        extra: dict = {}
        if chunk.kind in ("project", "plan"):
            extra["amount_wan"] = record.amount_wan if record else None
        elif record is None:
            pass
        elif chunk.kind == "indicator":
            extra.update(
                level1=record.level1,
                level2=record.level2,
                level3=record.level3,
                value=record.value,
            )
        elif chunk.kind == "department":
            extra.update(value=record.value_printed, level3=record.label)
        elif chunk.kind == "field":
            extra.update(value=record.value, level3=record.label)
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
