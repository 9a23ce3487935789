"""Lexical search on millions of chunks, before and after MaxScore, side by side in one process.

    python bench/bench_lexical.py INDEX_DIR --tiles 11     # a 100k-row index → ~2.3M chunks

The index's BM25 matrix is tiled ``--tiles`` times (each token's postings repeated with the
rows shifted, so the weights and posting lengths are the real corpus's, times the tiles). Per
bench question (dev and both paraphrase sets) the median of ``--runs`` of each path, the paths
interleaved: every chunk scored then a top k over all of them (before), and
:meth:`~index.lexical.LexicalIndex.top_candidates` (after). Both must return the same ranking.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _tiled(lexical, tiles: int) -> None:
    """Replace the index's BM25 matrix with ``tiles`` copies of it (rows shifted)."""
    matrix = lexical.bm25.scores
    indptr, indices, data = (np.asarray(matrix[k]) for k in ("indptr", "indices", "data"))
    counts = np.diff(indptr)
    new_indptr = np.concatenate([[0], np.cumsum(counts * tiles)]).astype(indptr.dtype)
    within = np.arange(indices.size) - np.repeat(indptr[:-1], counts)
    new_indices = np.empty(indices.size * tiles, dtype=np.int32)
    new_data = np.empty(indices.size * tiles, dtype=data.dtype)
    for tile in range(tiles):
        target = np.repeat(new_indptr[:-1], counts) + tile * np.repeat(counts, counts) + within
        new_indices[target] = indices + tile * lexical.size
        new_data[target] = data
    lexical.bm25.scores = {
        "indptr": new_indptr,
        "indices": new_indices,
        "data": new_data,
        "num_docs": lexical.size * tiles,
    }
    lexical.size *= tiles


def main() -> None:
    from bench_index import _percentile, _questions

    from index.lexical import LexicalIndex
    from index.store import current_version
    from index.store.local import _top

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("index", type=Path)
    parser.add_argument("--tiles", type=int, default=11)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("-k", type=int, default=100)
    args = parser.parse_args()
    version = current_version(args.index)
    meta = json.loads((version / "meta.json").read_text(encoding="utf-8"))
    lexical = LexicalIndex.load(version / "lexical", int(meta["chunks"]))
    _tiled(lexical, args.tiles)

    def before(query):
        scores = lexical.scores(query)
        return [(i, s) for i, s in _top(scores, args.k) if s > 0] if scores.any() else []

    def after(query):
        found = lexical.top_candidates(query, args.k)
        if found is None:
            return before(query)
        rows, scores = found
        return _top(scores[scores > 0], args.k, rows[scores > 0])

    questions = _questions()
    if any(before(q) != after(q) for q in questions):
        raise SystemExit("the two paths rank differently")
    times: dict[str, list[float]] = {"before": [], "after": []}
    for query in questions:
        for name, function in (("before", before), ("after", after)):
            runs = []
            for _ in range(args.runs):
                started = time.perf_counter()
                function(query)
                runs.append((time.perf_counter() - started) * 1000)
            times[name].append(statistics.median(runs))
    figures = {"chunks": lexical.size, "postings": int(lexical.bm25.scores["indices"].size)}
    for name, values in times.items():
        figures[f"{name}_p50_ms"] = round(_percentile(values, 0.5), 1)
        figures[f"{name}_p95_ms"] = round(_percentile(values, 0.95), 1)
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
