"""A million rows: build a store from synthetic records and vectors, then measure it.

    python bench/bench_scale.py                          # 1,000,000 rows, local then Milvus Lite
    python bench/bench_scale.py --rows 100000 --stores local
    python bench/bench_scale.py --rows 100000 --stores local --no-ask   (searches only)
    python bench/bench_scale.py --phase build --rows 1000000 --store local --work DIR  (internal)

Records are the seed corpus's projects and indicator rows recombined into synthetic counties
(100 projects per county, 10 rows per project, new ids, regions and amounts); each chunk's vector
is the real e5 vector of a seed chunk of the same kind (chosen by a hash of its wording) plus
Gaussian noise, renormalised, so the encoder is not the bottleneck and the vectors keep the
real corpus's clustering. Build and serve each run in their own process so that peak RSS
(ru_maxrss) belongs to that phase. Latency is end to end (query embedding included, no
query-vector cache; ``*_index`` figures: the search alone, query vector cached): per query the
median of ``--runs`` repetitions, then p50/p95 over the dev questions. ``ask_*``: the same
questions answered end to end as the app serves them (qa.answers.answer_question through
qa.ui.service.Service, query embedding included), after the searches; ``search_peak_rss_mb``
is the peak before the answers.
Figures are printed and appended to bench/results/scale.jsonl.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROWS_PER_PROJECT = 10
PROJECTS_PER_DOC = 100
NOISE = 0.01  # per dimension; a unit e5 vector has ~0.05 per dimension
COUNTIES = "东西南北中上下前后左右新老大小"


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _size_mb(path: Path) -> float:
    files = [path] if path.is_file() else path.rglob("*")
    return round(sum(p.stat().st_size for p in files if p.is_file()) / 1e6, 1)


def _seed():
    """Seed projects (with their rows) and the real vector of every seed chunk, by kind."""
    import numpy as np

    from index.build import corpus_files
    from index.chunk import chunks_for
    from index.config import load_settings
    from index.encoder import EmbeddingCache, embed_with_cache, load_encoder
    from index.parse import parse_files

    documents = [p for p in parse_files(corpus_files([ROOT / "corpus"])) if hasattr(p, "document")]
    chunks = [c for parsed in documents for c in chunks_for(parsed)]
    encoder = load_encoder()
    settings = load_settings()
    cache = EmbeddingCache(settings.resolved_cache_dir, encoder.cache_name, encoder.dimension)
    vectors, _ = embed_with_cache([c.text for c in chunks], encoder.encode_passages, cache)
    cache.close()
    by_kind = {}
    for kind in ("project", "indicator"):
        rows = [i for i, c in enumerate(chunks) if c.kind == kind]
        by_kind[kind] = np.ascontiguousarray(vectors[rows])
    projects = [p for parsed in documents for p in parsed.projects if p.indicators]
    return projects, by_kind, encoder


def synthetic_documents(rows: int, projects, rng: random.Random):
    """Yield ParsedDocuments of about ``rows`` indicator rows recombined from the seed."""
    from index.schema import Document, ParsedDocument

    pool = [r for p in projects for r in p.indicators]
    n_projects = max(1, rows // ROWS_PER_PROJECT)
    for doc_index, first in enumerate(range(0, n_projects, PROJECTS_PER_DOC)):
        doc = f"synth_{doc_index:05d}.txt"
        region = f"{COUNTIES[doc_index % len(COUNTIES)]}{doc_index}县"
        department = f"{region}司法局"
        built = []
        for i in range(first, min(first + PROJECTS_PER_DOC, n_projects)):
            base = rng.choice(projects)
            line = 12 * (i - first) + 1
            pid = f"{doc}#p{line}"
            sample = rng.sample(pool, ROWS_PER_PROJECT)
            indicators = tuple(
                dataclasses.replace(
                    r,
                    id=f"{doc}#i{line + 2 + j}",
                    doc=doc,
                    line=line + 2 + j,
                    project_id=pid,
                    project=f"{base.name}{i}",
                    region=region,
                    year=2024,
                    page=None,
                    sheet=None,
                )
                for j, r in enumerate(sample)
            )
            amount = Decimal(rng.randint(100, 50_000)) / 100
            built.append(
                dataclasses.replace(
                    base,
                    id=pid,
                    doc=doc,
                    name=f"{base.name}{i}",
                    name_line=line,
                    region=region,
                    year=2024,
                    department=department,
                    amount_wan=amount,
                    amount_printed=str(amount),
                    unit_printed="万元",
                    amount_line=line + 1,
                    funding=(),
                    indicators=indicators,
                    page=None,
                    sheet=None,
                )
            )
        document = Document(doc, region, department, 2024, ("project",), "text", "utf-8", doc)
        yield ParsedDocument(document, projects=tuple(built), line_count=12 * len(built))


def synthetic_vectors(chunks, by_kind, seed: int = 7):
    """A unit vector per chunk: a seed vector of its kind (by wording hash) plus noise."""
    import numpy as np

    rng = np.random.default_rng(seed)
    dimension = by_kind["project"].shape[1]
    out = np.empty((len(chunks), dimension), dtype=np.float32)
    for start in range(0, len(chunks), 100_000):
        part = chunks[start : start + 100_000]
        keys = [
            (c.kind if c.kind in by_kind else "project", zlib.crc32(c.text[-16:].encode()))
            for c in part
        ]
        base = np.stack([by_kind[k][h % len(by_kind[k])] for k, h in keys])
        noisy = base + rng.normal(0.0, NOISE, base.shape).astype(np.float32)
        out[start : start + len(part)] = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)
    return out


def build_phase(rows: int, store: str, work: Path) -> dict:
    """Synthesise, chunk, index and write the store; figures of this process."""
    from index.build import user_words
    from index.chunk import chunks_for
    from index.lexical import LexicalIndex, Tokenizer
    from index.store import IndexData, current_version, write_index

    started = time.perf_counter()
    projects, by_kind, encoder = _seed()
    documents = list(synthetic_documents(rows, projects, random.Random(7)))
    chunks = [c for parsed in documents for c in chunks_for(parsed)]
    made = time.perf_counter()
    vectors = synthetic_vectors(chunks, by_kind)
    lexical = LexicalIndex.build([c.text for c in chunks], Tokenizer(user_words(documents)))
    indexed = time.perf_counter()
    url = store.replace("WORK", str(work))
    data = IndexData(
        documents=documents,
        chunks=chunks,
        vectors=vectors,
        lexical=lexical,
        model=encoder.name,
        failures=[],
        encoder_backend=encoder.backend,
        store=url,
    )
    write_index(work / "index", data)
    written = time.perf_counter()
    version = current_version(work / "index")
    meta = json.loads((version / "meta.json").read_text("utf-8"))
    size = _size_mb(version)
    milvus_file = Path(url.split("://", 1)[1]) if url.startswith("milvus:///") else None
    if milvus_file is not None and milvus_file.exists():
        size += _size_mb(milvus_file)
    return {
        "store": store.split(":", 1)[0],
        "rows": sum(len(p.indicators) for d in documents for p in d.projects),
        "chunks": len(chunks),
        "records_s": round(made - started, 1),
        "vectors_bm25_s": round(indexed - made, 1),
        "write_s": round(written - indexed, 1),
        "build_s": round(written - started, 1),
        "index_mb": size,
        "dense_type": meta.get("dense_type") or meta.get("milvus_dense_index"),
        "milvus_dense_index": meta.get("milvus_dense_index"),
        "build_peak_rss_mb": _peak_mb(),
    }


def _questions(limit: int) -> list[str]:
    out = []
    for name in ("qa_dev.jsonl", "qa_paraphrase.jsonl", "qa_paraphrase2.jsonl"):
        lines = (ROOT / "tests" / "data" / name).read_text("utf-8").splitlines()
        out += [json.loads(line)["question"] for line in lines if line]
    return out[:limit]


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
    return round(_percentile(per_query, 0.5), 1), round(_percentile(per_query, 0.95), 1)


def _ask_latency(work: Path, store, encoder, searcher, asked: list[str], runs: int):
    """p50/p95 of a question answered as the app serves it (qa.answers.answer_question through
    qa.ui.service.Service) over the loaded store; the engine, its answering context and the
    settled heap are ready before the timing."""
    from index.config import load_settings
    from qa.answers import answer_question
    from qa.engine import Engine
    from qa.ui.service import Service

    engine = Engine(load_settings(data_dir=work), store, encoder, searcher)
    service = Service(engine, export_dir=work / "exports")

    def ask(question):
        service.engine.searcher._query_vectors.clear()
        return service.run(answer_question, question)

    return _latency(ask, asked, runs)


def serve_phase(work: Path, queries: int, runs: int, ask: bool = True) -> dict:
    """Load the store, time searches, then (``ask``) answers; figures of this process."""
    from index.encoder import load_encoder
    from index.search import Filters, Searcher
    from index.store import IndexStore, current_version

    started = time.perf_counter()
    meta = json.loads((current_version(work / "index") / "meta.json").read_text("utf-8"))
    store = IndexStore.load(work / "index", encoder_backend=meta["encoder_backend"])
    encoder = load_encoder(store.model, backend=store.encoder_backend)
    searcher = Searcher(store, encoder)
    figures = {"load_s": round(time.perf_counter() - started, 1), "encoder": encoder.backend}
    asked = _questions(queries)
    region = store.columns.codes("region")[1][len(store.columns.codes("region")[1]) // 2]

    def timed(mode, filters=None, embed=True):
        def call(query):
            if embed:
                searcher._query_vectors.clear()
            return searcher.search(query, k=10, mode=mode, filters=filters)

        return call

    for query in asked:  # warm: the "_index" figures below leave the query embedding out
        searcher.query_vector(query)

    for name, function in (
        ("hybrid", timed("hybrid")),
        ("hybrid_index", timed("hybrid", embed=False)),
        ("dense_index", timed("dense", embed=False)),
        ("lexical_index", timed("lexical", embed=False)),
        ("hybrid_region_index", timed("hybrid", Filters(region=region), embed=False)),
        ("hybrid_kind_index", timed("hybrid", Filters(kinds=("project",)), embed=False)),
    ):
        figures[f"{name}_p50_ms"], figures[f"{name}_p95_ms"] = _latency(function, asked, runs)
    figures["search_peak_rss_mb"] = _peak_mb()
    if ask:
        started = time.perf_counter()
        figures["ask_p50_ms"], figures["ask_p95_ms"] = _ask_latency(
            work, store, encoder, searcher, asked, runs
        )
        figures["ask_s"] = round(time.perf_counter() - started, 1)
    figures["serve_peak_rss_mb"] = _peak_mb()
    return figures


def _run(phase: str, args, store: str, work: Path) -> dict:
    command = [
        sys.executable,
        __file__,
        "--phase",
        phase,
        "--rows",
        str(args.rows),
        "--store",
        store,
        "--work",
        str(work),
        "--queries",
        str(args.queries),
        "--runs",
        str(args.runs),
        *(["--no-ask"] if args.no_ask else []),
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{phase} {store} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--stores", nargs="+", default=["local", "milvus:///WORK/milvus.db"])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the work directories")
    parser.add_argument("--no-ask", action="store_true", help="time searches only, not answers")
    parser.add_argument("--phase", choices=["build", "serve"], help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    if args.phase == "build":
        print(json.dumps(build_phase(args.rows, args.store, Path(args.work)), ensure_ascii=False))
        return
    if args.phase == "serve":
        print(json.dumps(serve_phase(Path(args.work), args.queries, args.runs, not args.no_ask)))
        return
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    for store in args.stores:  # each store's line is appended as soon as it is measured
        work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
        load_before = [round(x, 2) for x in os.getloadavg()]
        try:
            figures = _run("build", args, store, work)
            figures.update(_run("serve", args, store, work))
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
        figures["load_average_before"] = load_before  # 1, 5 and 15 min, as `uptime`
        figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps(figures, ensure_ascii=False), flush=True)
        with (out / "scale.jsonl").open("a", encoding="utf-8") as handle:
            line = {"at": time.strftime("%Y-%m-%dT%H:%M"), **figures}
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
