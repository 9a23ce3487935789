"""Wording and drafting: the similarity thresholds, measured, and the time per query.

Thresholds: for each wording question of ``tests/data/qa_dev.jsonl``, the embedding
similarity of the question's phrases to the expected rows and to every other row, to show
where :data:`qa.wording.SYNONYM_SIMILARITY` sits. Timing: median milliseconds per
``find_wording`` and per ``draft_targets`` call, first calls (query vectors not yet cached)
and repeats, over several runs.

    python bench/bench_wording.py [--index data/index] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.config import load_settings  # noqa: E402
from index.text import fold_name  # noqa: E402
from qa.drafting import draft_targets  # noqa: E402
from qa.engine import Engine  # noqa: E402
from qa.wording import (  # noqa: E402  # noqa: E402
    SYNONYM_SIMILARITY,
    corpus_clusters,
    find_wording,
    level3_vectors,
    phrase_query,
)

WORDING = [
    "调解成功率有哪些写法",
    "满意度指标里有哪些是针对工作人员、职工自己的？",
    "行政执法人员培训、持证上岗相关的指标有哪些",
    "群众满意度有哪些写法",
    "发放及时率怎么写",
    "成本指标里关于培训的有哪些",
    "法律援助案件补贴标准有哪些写法",
    "航天发射场相关的指标有哪些",
]
DRAFTS = [
    "枫桥式司法所创建经费",
    "抚恤金、职工医保这类人员保障性支出",
    "人民调解员培训经费",
    "法律援助案件补贴",
    "普法宣传经费",
    "航天发射场建设经费",
]


def thresholds(engine) -> None:
    """Similarity of phrases to expected rows and to all other rows (dev wording questions)."""
    lines = (ROOT / "tests" / "data" / "qa_dev.jsonl").read_text(encoding="utf-8").splitlines()
    rows = sorted(engine.store.indicators.values(), key=lambda r: r.id)
    vectors = level3_vectors(engine, rows)
    for item in (json.loads(line) for line in lines):
        if item["type"] != "indicator_wording":
            continue
        wanted = {(fold_name(e["project"]), fold_name(e["level3"])) for e in item["answer"]}
        topic = find_wording(engine, item["question"]).topic
        query = np.stack(
            [engine.searcher.query_vector(phrase_query(p, topic)) for p in topic.phrases]
        )
        best = (vectors @ query.T).max(axis=1)
        expected = [
            best[i]
            for i, r in enumerate(rows)
            if (fold_name(r.project or ""), fold_name(r.level3)) in wanted
        ]
        other = np.array(
            [
                best[i]
                for i, r in enumerate(rows)
                if (fold_name(r.project or ""), fold_name(r.level3)) not in wanted
            ]
        )
        above = int((other >= SYNONYM_SIMILARITY).sum())
        print(
            f"{item['id']}: expected rows min {min(expected):.3f}, "
            f"median {np.median(expected):.3f}; other rows p99 {np.percentile(other, 99):.3f}, "
            f"max {other.max():.3f}; other rows ≥ {SYNONYM_SIMILARITY}: {above} of {len(other)}"
        )


def timed(function, items: list[str], runs: int) -> tuple[float, float]:
    """(median ms of the first call of each item, median ms of repeated calls)."""
    first, again = [], []
    for item in items:
        start = time.perf_counter()
        function(item)
        first.append((time.perf_counter() - start) * 1000)
    for _ in range(runs):
        for item in items:
            start = time.perf_counter()
            function(item)
            again.append((time.perf_counter() - start) * 1000)
    return statistics.median(first), statistics.median(again)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    engine = Engine.open(load_settings(index_dir=args.index))
    start = time.perf_counter()
    corpus_clusters(engine)
    print(
        f"clusters of {len(engine.store.indicators)} rows: {time.perf_counter() - start:.2f}s "
        "(once per index; level3 embeddings come from the cache after the first run)"
    )
    thresholds(engine)
    first, again = timed(lambda q: find_wording(engine, q), WORDING, args.runs)
    print(f"find_wording: first call {first:.0f} ms, repeated {again:.0f} ms (median)")
    first, again = timed(lambda n: draft_targets(engine, n), DRAFTS, args.runs)
    print(f"draft_targets: first call {first:.0f} ms, repeated {again:.0f} ms (median)")


if __name__ == "__main__":
    main()
