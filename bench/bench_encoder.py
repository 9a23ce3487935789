"""Encoder backends side by side: torch fp32, ONNX fp32 and ONNX int8, in one process.

    python bench/bench_encoder.py [--runs 5] [--limit 600] [--batch-size 32]

For each backend (``BUDGETQA_ENCODER_BACKEND``): texts per second on the seed corpus's chunk
texts (what a build embeds; median of ``--runs`` interleaved timed calls), cosine of its vectors
to the torch fp32 vectors (min / median), and, on a seed index built with that backend,
retrieval recall@10 of the dev sets' evidence projects (tests/data/qa_dev.jsonl and the two
paraphrase sets; index/recall.py) for raw hybrid search, dense search and the question-aware
``retrieve``, plus how many dev answers pass ``budgetqa eval``. Figures are printed and appended
to bench/results/encoder.jsonl.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BACKENDS = ("torch", "onnx", "onnx-int8")
DEV_SETS = ("qa_dev.jsonl", "qa_paraphrase.jsonl", "qa_paraphrase2.jsonl")


def chunk_texts(limit: int) -> list[str]:
    """Distinct chunk texts of the seed corpus, spread evenly, at most ``limit``."""
    from index.build import corpus_files
    from index.chunk import chunks_for
    from index.parse import parse_files

    documents = [p for p in parse_files(corpus_files([ROOT / "corpus"])) if hasattr(p, "document")]
    texts = sorted({c.text for parsed in documents for c in chunks_for(parsed)})
    return texts[:: max(1, len(texts) // limit)][:limit]


def median_rates(encoders: dict, texts: list[str], runs: int, batch: int) -> dict[str, float]:
    """Texts per second per encoder: one warm-up, then ``runs`` interleaved timed calls."""
    times: dict[str, list[float]] = {name: [] for name in encoders}
    for encoder in encoders.values():
        encoder.encode_passages(texts[:64], batch_size=batch)
    for _ in range(runs):
        for name, encoder in encoders.items():
            started = time.perf_counter()
            encoder.encode_passages(texts, batch_size=batch)
            times[name].append(time.perf_counter() - started)
    return {name: len(texts) / statistics.median(values) for name, values in times.items()}


def _items() -> list[dict]:
    items = []
    for name in DEV_SETS:
        lines = (ROOT / "tests" / "data" / name).read_text("utf-8").splitlines()
        items += [json.loads(line) for line in lines if line]
    return items


def quality(backend: str, work: Path) -> dict:
    """Build the seed index with ``backend`` and measure recall@10 and dev answers on it."""
    from index.config import load_settings
    from index.recall import evaluate, micro_recall
    from qa.answer import answer_question
    from qa.engine import Engine, build
    from qa.evaluate import score
    from qa.retrieve import retrieve

    os.environ["BUDGETQA_ENCODER_BACKEND"] = backend
    settings = load_settings(
        data_dir=work / backend, corpus_dir=ROOT / "corpus", cache_dir=work / f"cache-{backend}"
    )  # a cache per backend: each embeds its own passages
    build(settings, progress=False)
    engine = Engine.open(settings)
    items = _items()
    names = {pid: p.name for pid, p in engine.store.projects.items()}
    searches = {
        "hybrid": lambda q: engine.searcher.search(q, k=10),
        "dense": lambda q: engine.searcher.search(q, k=10, mode="dense"),
        "retrieve": lambda q: retrieve(engine, q, k=10),
    }
    out = {f"recall_{k}": micro_recall(evaluate(items, f, names)) for k, f in searches.items()}
    known = {(r.doc, r.line) for r in engine.store.indicators.values()}
    verdicts = [
        score(item, answer_question(engine, item["question"]).to_json(), known).passed
        for item in items
    ]
    out["answers_passed"] = f"{sum(verdicts)}/{len(verdicts)}"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--limit", type=int, default=600, help="chunk texts to encode")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    import numpy as np

    from index.encoder import load_encoder

    loaded, load_seconds = {}, {}
    for backend in BACKENDS:
        started = time.perf_counter()
        loaded[backend] = load_encoder(None, backend=backend)
        load_seconds[backend] = time.perf_counter() - started
    texts = chunk_texts(args.limit)
    chars = statistics.median(len(t) for t in texts)
    print(f"texts: {len(texts)} seed chunk texts, median {chars:.0f} characters")
    rates = median_rates(loaded, texts, args.runs, args.batch_size)
    reference = loaded["torch"].encode_passages(texts)
    work = Path(tempfile.mkdtemp(prefix="bench-encoder-"))
    rows = []
    for backend in BACKENDS:
        vectors = loaded[backend].encode_passages(texts)
        cos = (vectors * reference).sum(axis=1)
        row = {
            "backend": backend,
            "load_s": round(load_seconds[backend], 1),
            "texts_per_s": round(rates[backend], 1),
            "speedup": round(rates[backend] / rates["torch"], 2),
            "cos_min": round(float(cos.min()), 5),
            "cos_median": round(float(np.median(cos)), 5),
            **quality(backend, work),
        }
        rows.append(row)
    header = (
        "backend     load s  texts/s  ×torch  cos min  cos med  hybrid  dense  retrieve  answers"
    )
    print(header)
    for r in rows:
        print(
            f"{r['backend']:<10} {r['load_s']:6.1f} {r['texts_per_s']:8.1f} {r['speedup']:7.2f} "
            f"{r['cos_min']:8.5f} {r['cos_median']:8.5f} {r['recall_hybrid']:7.3f} "
            f"{r['recall_dense']:6.3f} {r['recall_retrieve']:9.3f}  {r['answers_passed']}"
        )
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    with (results / "encoder.jsonl").open("a", encoding="utf-8") as out:
        for r in rows:
            out.write(json.dumps({"at": stamp, **r}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
