"""The local store backend: FAISS for dense search, bm25s for lexical, both in the index directory.

Dense index by size (:func:`choose_dense_type`): exact below :data:`HNSW_THRESHOLD` vectors,
HNSW up to :data:`IVF_THRESHOLD`, then IVF with 4-bit scalar-quantised codes whose candidates
are re-scored exactly from ``vectors.npy`` — a million vectors then need ~0.2 GB of index
instead of 1.5 GB, and a build takes minutes instead of an hour of HNSW insertion. The codes
only choose the candidates: 4-bit codes find as much of the exact top 10 as 8-bit ones did,
in half the memory, 0.46 GB less held by every serving process at 2.3M chunks (recall@10
against exact search over the 63 dev questions: 0.940 for both at 210k real chunks; 1.000
for both at 2.3M synthetic chunks with :data:`IVF_CANDIDATES` 400, where 200 gave 0.995 and
1.000). The top 10 may differ from an 8-bit index's where both miss; an index built with
8-bit codes is read as it is, and holds its 8-bit codes until it is rebuilt.

A filtered dense search scores the passing vectors exactly when there are few of them
(:data:`EXACT_SUBSET`), else asks the index for only the passing rows (a FAISS selector).
"""

from __future__ import annotations

import logging
from pathlib import Path

import faiss
import numpy as np

logger = logging.getLogger(__name__)

HNSW_THRESHOLD = 50_000  # exact below; HNSW (efSearch 256: recall@10 0.93 vs exact at 130k) above
IVF_THRESHOLD = 400_000  # IVF-SQ4 + exact re-scoring above
HNSW_EF_SEARCH = 256
IVF_LISTS_PER_SQRT = 4  # nlist = 4·√n (4,000 lists at 1M)
IVF_PROBE_SHARE = 0.02  # probe 2% of the lists (at least 32)
IVF_RESCORE = 4  # re-score 4·k candidates (at least IVF_CANDIDATES) exactly
IVF_CANDIDATES = 400  # 4-bit codes: recall@10 0.995 with 200 at 2.3M chunks, 1.000 with 400
IVF_TRAIN_SAMPLE = 100_000
EXACT_SUBSET = 50_000


def _flat(vectors: np.ndarray) -> faiss.Index:
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return index


def _hnsw(vectors: np.ndarray) -> faiss.Index:
    index = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 200
    index.add(vectors)
    index.hnsw.efSearch = HNSW_EF_SEARCH
    return index


def _ivf(vectors: np.ndarray) -> faiss.Index:
    count, dimension = vectors.shape
    lists = max(16, int(IVF_LISTS_PER_SQRT * np.sqrt(count)))
    quantizer = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dimension, lists, faiss.ScalarQuantizer.QT_4bit, faiss.METRIC_INNER_PRODUCT
    )
    rng = np.random.default_rng(0)
    sample = np.sort(rng.choice(count, min(count, IVF_TRAIN_SAMPLE), replace=False))
    index.train(np.ascontiguousarray(vectors[sample], dtype=np.float32))
    for start in range(0, count, 100_000):
        index.add(np.ascontiguousarray(vectors[start : start + 100_000], dtype=np.float32))
    index.nprobe = _probes(index)
    return index


def _probes(index) -> int:
    return min(index.nlist, max(32, int(index.nlist * IVF_PROBE_SHARE)))


DENSE_TYPES = {"flat": _flat, "hnsw": _hnsw, "ivf": _ivf}


def choose_dense_type(count: int) -> str:
    """Exact search while small; HNSW past :data:`HNSW_THRESHOLD`; IVF-SQ4 past IVF_THRESHOLD."""
    if count < HNSW_THRESHOLD:
        return "flat"
    return "hnsw" if count < IVF_THRESHOLD else "ivf"


def _top(
    scores: np.ndarray, k: int, positions: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """The k best scores as (row, score), ties broken by position (the lower row first), so
    the same scores always give the same rows whichever backend computed them."""
    if scores.size == 0 or k <= 0:
        return []
    k = min(k, scores.size)
    kth = np.partition(scores, scores.size - k)[scores.size - k]
    above = np.flatnonzero(scores > kth)
    ties = np.flatnonzero(scores == kth)[: k - above.size]
    chosen = np.concatenate([above, ties])
    order = chosen[np.lexsort((chosen, -scores[chosen]))]
    rows = positions[order] if positions is not None else order
    return [(int(r), float(scores[i])) for r, i in zip(rows, order, strict=True)]


class LocalBackend:
    """Dense and lexical search over the index directory's own files.

    Parameters
    ----------
    store : IndexStore
        The loaded store (vectors, lexical index, columns).
    dense : faiss.Index
    dense_type : str
        Key of :data:`DENSE_TYPES`.
    """

    name = "local"

    def __init__(self, store, dense: faiss.Index, dense_type: str):
        self.store = store
        self.dense_index = dense
        self.dense_type = dense_type

    @staticmethod
    def write(staging: Path, data, url: str, version: str) -> dict:
        """Write ``dense.faiss``; return what meta.json records about it."""
        dense_type = data.dense_type or choose_dense_type(len(data.chunks))
        faiss.write_index(DENSE_TYPES[dense_type](data.vectors), str(staging / "dense.faiss"))
        return {"dense_type": dense_type}

    @classmethod
    def open(cls, version: Path, meta: dict, store) -> LocalBackend:
        dense = faiss.read_index(str(version / "dense.faiss"))
        if isinstance(dense, faiss.IndexHNSWFlat):
            dense.hnsw.efSearch = HNSW_EF_SEARCH
        if isinstance(dense, faiss.IndexIVF):
            dense.nprobe = _probes(dense)
        return cls(store, dense, meta.get("dense_type", "flat"))

    @staticmethod
    def drop(meta: dict) -> None:
        """Nothing outside the version directory to remove."""

    def close(self) -> None:
        """Nothing to release."""

    def dense(
        self, vector: np.ndarray, k: int, filters=None, mask: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The k nearest chunks by inner product (rows, scores), restricted to ``mask``."""
        size = len(self.store.chunks)
        if size == 0 or k <= 0:
            return []
        query = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        if mask is None and self.dense_type == "flat":
            return _top(self.store.vectors.all() @ query[0], k)
        if mask is None:
            return self._search(query, min(k, size), None)
        passing = int(np.count_nonzero(mask))
        if passing == 0:
            return []
        if self.dense_type == "flat" or passing <= EXACT_SUBSET:
            positions = np.flatnonzero(mask)
            scores = self.store.vectors.rows(positions) @ query[0]
            return _top(scores, k, positions)
        # a bitmap of the mask (one bit per chunk) is made in microseconds; a batch of ids
        # was hashed per search (~10 ms at 200k chunks). ``bits`` is held while FAISS reads it.
        bits = np.packbits(mask, bitorder="little")
        selector = faiss.IDSelectorBitmap(mask.size, faiss.swig_ptr(bits))
        return self._search(query, min(k, passing), selector)

    def _search(self, query: np.ndarray, k: int, selector) -> list[tuple[int, float]]:
        index = self.dense_index
        wanted = max(k * IVF_RESCORE, IVF_CANDIDATES) if self.dense_type == "ivf" else k
        params = None
        if self.dense_type == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(HNSW_EF_SEARCH, k), sel=selector)
        elif self.dense_type == "ivf":
            params = faiss.SearchParametersIVF(nprobe=index.nprobe, sel=selector)
        elif selector is not None:
            params = faiss.SearchParameters(sel=selector)
        scores, ids = index.search(query, wanted, params=params)
        found = ids[0][ids[0] >= 0]
        if self.dense_type != "ivf":
            return [(int(i), float(s)) for i, s in zip(found, scores[0][: found.size], strict=True)]
        order = np.sort(found)  # re-score exactly, reading rows in file order
        exact = self.store.vectors.rows(order) @ query[0]
        return _top(exact, k, order)

    def lexical(
        self, query: str, k: int, filters=None, mask: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """The k best BM25 matches (rows, scores > 0), restricted to ``mask``; only chunks
        holding the query's rarer tokens are scored and ranked (ties: the lower row first)."""
        found = self.store.lexical.top_candidates(query, k, mask)
        if found is None:  # common words only: score every chunk
            scores = self.store.lexical.scores(query)
            if mask is not None:
                scores = np.where(mask, scores, 0.0)
            return [(i, s) for i, s in _top(scores, k) if s > 0]
        rows, scores = found
        keep = scores > 0
        return _top(scores[keep], k, rows[keep])
