"""Index benchmark: build time, peak memory, index size, query latency (dense/lexical/hybrid).

    python bench/bench_index.py                 # seed corpus, 10k and 100k synthetic rows
    python bench/bench_index.py --sizes seed 10000 --runs 5
    python bench/bench_index.py --one 100000    # one size in this process (used internally)
    python bench/bench_index.py --one 100000 --index /tmp/idx100k   # build once, then reuse
    python bench/bench_index.py --one 100000 --seeds --index /tmp/idx100ks

The questions name the seed regions (平罗, 西青 …), which a synthetic corpus does not hold: its
answers are timed with every record of the corpus a candidate (the worst case). ``--seeds``
puts the seed documents among the synthetic ones, as a national corpus holds the regions its
users ask about; it also reports how many answers are the same as on the seeds alone (what
100k rows of other regions' documents changed).

Each size runs in its own process so that peak memory (ru_maxrss) belongs to it. Latency
is end to end (the query embedding included, no query-vector cache): per query the median
of ``--runs`` repetitions, then p50/p95 over the queries. Answers are asked as the app serves
them (through ``qa.ui.service.Service``: its heap settled, its collector tuned). Figures are
printed as a table and appended to bench/results/index.jsonl.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

QUESTIONS = ROOT / "tests" / "data"


def _questions() -> list[str]:
    out = []
    for name in ("qa_dev.jsonl", "qa_paraphrase.jsonl", "qa_paraphrase2.jsonl"):
        out += [
            json.loads(line)["question"]
            for line in (QUESTIONS / name).read_text("utf-8").splitlines()
            if line
        ]
    return out


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _latency(function, queries: list[str], runs: int) -> tuple[float, float]:
    per_query = []
    for query in queries:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            function(query)
            times.append((time.perf_counter() - started) * 1000)
        per_query.append(statistics.median(times))
    return _percentile(per_query, 0.5), _percentile(per_query, 0.95)


def _size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _hnsw_recall(store, searcher, queries: list[str]) -> float | None:
    import numpy as np

    if store.meta.get("dense_type") != "hnsw":
        return None
    overlap = []
    for query in queries:
        vector = searcher.encoder.encode_queries([query])[0]
        exact = set(np.argsort(-(store.vectors.all() @ vector))[:10].tolist())
        approx = {row for row, _ in searcher.dense(query, 10)}
        overlap.append(len(exact & approx) / 10)
    return statistics.mean(overlap)


def _same_as_on_seeds(engine, queries: list[str], work: Path, encoder, cache) -> str:
    """How many answers (their text) are those an index of the seeds alone gives, as "n/m"."""
    from index.build import build_index
    from index.config import load_settings
    from index.search import Searcher
    from index.store import IndexStore, read_meta
    from qa.answers import answer_question
    from qa.engine import Engine

    seed_index = work / "seed-index"
    if read_meta(seed_index) is None:
        cache_dir = Path(cache) if cache else work / "cache"
        build_index([ROOT / "corpus"], seed_index, encoder, cache_dir, progress=False)
    store = IndexStore.load(seed_index)
    settings = load_settings(data_dir=work, index_dir=seed_index)
    alone = Engine(settings, store, encoder, Searcher(store, encoder))
    same = sum(answer_question(engine, q).text == answer_question(alone, q).text for q in queries)
    return f"{same}/{len(queries)}"


def _reused(work: Path):
    """The build report and seconds of an index kept under ``work`` by an earlier run."""
    from types import SimpleNamespace

    from index.store import read_meta

    saved = work / "build.json"
    if not saved.exists() or read_meta(work / "index") is None:
        return None, None
    figures = json.loads(saved.read_text())
    return SimpleNamespace(**figures), figures["build_s"]


def run_one(
    size: str,
    runs: int,
    corpus: Path | None,
    cache: str | None = None,
    dense_type: str | None = None,
    keep: Path | None = None,
    seeds: bool = False,
) -> dict:
    """Build and measure one corpus size in this process (``seeds``: the seed documents among
    the synthetic ones)."""
    from synth import write_corpus

    from index.build import build_index
    from index.config import load_settings
    from index.encoder import load_encoder
    from index.search import Searcher
    from index.store import IndexStore, current_version
    from qa.answers import answer_question
    from qa.engine import Engine
    from qa.ui.service import Service

    logging.disable(logging.WARNING)
    work = keep or Path(tempfile.mkdtemp(prefix="bench-"))
    encoder = load_encoder(None)
    report, build_seconds = _reused(work)
    if report is None:
        if size == "seed":
            source = ROOT / "corpus"
        else:
            source = corpus or write_corpus(work / "corpus", int(size))
            if seeds:
                for seed in sorted((ROOT / "corpus").glob("*.txt")):
                    shutil.copy(seed, source / seed.name)
        started = time.perf_counter()
        report = build_index(
            [source],
            work / "index",
            encoder,
            Path(cache) if cache else work / "cache",
            progress=False,
            dense_type=dense_type,
        )
        build_seconds = time.perf_counter() - started
        if keep:
            (keep / "build.json").write_text(
                json.dumps({**dataclasses.asdict(report), "build_s": build_seconds}, default=str)
            )
    store = IndexStore.load(work / "index")
    sample = sorted({c.text for c in store.chunks})[:: max(1, len(store.chunks) // 1000)][:1000]
    encode_started = time.perf_counter()
    encoder.encode_passages(sample)
    encoder_rate = len(sample) / (time.perf_counter() - encode_started)
    searcher = Searcher(store, encoder)
    queries = _questions()

    def timed(mode):
        def call(query):
            searcher._query_vectors.clear()
            return searcher.search(query, k=10, mode=mode)

        return call

    figures = {
        "size": size,
        "indicator_rows": report.indicators,
        "chunks": report.chunks,
        "build_s": round(build_seconds, 1),
        "chunks_per_s": round(report.chunks / build_seconds, 1),
        "encoder_texts_per_s": round(encoder_rate, 1),
        "encode_only_s": round(report.embedded / encoder_rate, 1),
        "index_mb": round(_size_of(current_version(work / "index")) / 1e6, 1),
        "dense_type": store.meta["dense_type"],
    }
    for mode in ("dense", "lexical", "hybrid"):
        p50, p95 = _latency(timed(mode), queries, runs)
        figures[f"{mode}_p50_ms"], figures[f"{mode}_p95_ms"] = round(p50, 1), round(p95, 1)
    settings = load_settings(data_dir=work, index_dir=work / "index")
    # asked as the app serves a question: its heap settled, what each question derives kept
    service = Service(Engine(settings, store, encoder, searcher), export_dir=work / "exports")

    def ask(query):
        service.engine.searcher._query_vectors.clear()
        service.run(answer_question, query)

    figures["answer_p50_ms"], figures["answer_p95_ms"] = (
        round(v, 1) for v in _latency(ask, queries, runs)
    )
    figures["seeds_among"] = seeds
    if seeds and size != "seed":
        figures["answers_as_on_seeds"] = _same_as_on_seeds(
            service.engine, queries, work, encoder, cache
        )
    recall = _hnsw_recall(store, searcher, queries)
    if recall is not None:
        figures["hnsw_recall_at_10"] = round(recall, 3)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="+", default=["seed", "10000", "100000"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--one", help="measure one size in this process and print JSON")
    parser.add_argument("--cache", help="reuse this embedding cache (skips re-encoding a rerun)")
    parser.add_argument(
        "--dense-type", choices=["flat", "hnsw", "ivf"], help="force the FAISS index type"
    )
    parser.add_argument(
        "--index", type=Path, help="with --one: build into this directory once, reuse it after"
    )
    parser.add_argument(
        "--seeds",
        action="store_true",
        help="put the seed documents among the synthetic ones (the questions' regions held)",
    )
    args = parser.parse_args()
    if args.one:
        figures = run_one(
            args.one, args.runs, None, args.cache, args.dense_type, args.index, args.seeds
        )
        print(json.dumps(figures, ensure_ascii=False))
        return
    results = []
    for size in args.sizes:
        command = [sys.executable, __file__, "--one", size, "--runs", str(args.runs)]
        if args.cache:
            command += ["--cache", args.cache]
        if args.dense_type:
            command += ["--dense-type", args.dense_type]
        if args.seeds:
            command.append("--seeds")
        out = subprocess.run(command, capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    with (ROOT / "bench" / "results" / "index.jsonl").open("a", encoding="utf-8") as handle:
        for result in results:
            handle.write(
                json.dumps({"at": time.strftime("%Y-%m-%dT%H:%M"), **result}, ensure_ascii=False)
                + "\n"
            )
    keys = list(results[0])
    print("\n" + " | ".join(keys))
    for result in results:
        print(" | ".join(str(result.get(k, "")) for k in keys))


if __name__ == "__main__":
    main()
