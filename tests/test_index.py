"""The stored index with the real default model: round trip, rebuilds, filters, refusals, recall."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import time

import numpy as np
import pytest
from conftest import CORPUS, DATA

from index.build import build_index
from index.encoder import load_encoder
from index.errors import IndexMismatchError, IndexNotBuiltError
from index.recall import evaluate, micro_recall
from index.search import Filters, Searcher
from index.store import IndexStore, current_version, read_meta


@pytest.fixture(scope="module")
def encoder(settings):
    return load_encoder(settings.model, cache_dir=settings.resolved_model_cache)


def _build(paths, index_dir, encoder, settings, **kwargs):
    return build_index(
        paths, index_dir, encoder, settings.resolved_cache_dir, progress=False, **kwargs
    )


def test_index_round_trip_gives_same_results(engine, encoder):
    store = IndexStore.load(engine.settings.resolved_index_dir)
    again = Searcher(store, encoder)
    for query in ("政府法律顾问", "秀山调解成功率目标", "三公经费"):
        first = [(h.id, round(h.score, 6)) for h in engine.searcher.search(query, k=10)]
        assert first == [(h.id, round(h.score, 6)) for h in again.search(query, k=10)]
    assert store.projects == engine.store.projects
    assert (
        store.meta["model"] == "intfloat/multilingual-e5-small" and store.meta["dimension"] == 384
    )


def test_index_records_kept_exactly(engine):
    store = engine.store
    assert len(store.projects) == 49 and len(store.indicators) >= 499
    project = next(
        p for p in store.projects.values() if p.name == "2023年中央和省级政法转移支付资金(办案费)"
    )
    assert str(project.amount_wan) == "9.87939" and project.amount_printed == "98,793.9"
    kinds = {c.kind for c in store.chunks}
    assert kinds == {"project", "indicator", "department", "field", "plan", "text"}


# Two seed documents: enough to show that an unchanged document and the unchanged lines of a
# changed one come from the cache (the whole seed corpus would only take longer to embed).
SMALL_CORPUS = ("000_fbf52db7d211f3f4.txt", "002_ec4e56c4f21351cb.txt")


def test_index_incremental_rebuild_reembeds_only_changed(tmp_path, encoder, settings):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in SMALL_CORPUS:
        shutil.copy(CORPUS / name, corpus)
    settings_cache = tmp_path / "cache"
    first = build_index([corpus], tmp_path / "index", encoder, settings_cache, progress=False)
    assert first.documents == 2 and first.cached == 0 and first.embedded > 200
    text = (corpus / "000_fbf52db7d211f3f4.txt").read_text(encoding="utf-8")
    (corpus / "000_fbf52db7d211f3f4.txt").write_text(
        text.replace("律师值班费", "律师值班补贴"), encoding="utf-8"
    )
    second = build_index([corpus], tmp_path / "index", encoder, settings_cache, progress=False)
    assert 0 < second.embedded < 20
    store = IndexStore.load(tmp_path / "index")
    assert any(p.name == "律师值班补贴" for p in store.projects.values())


def _kill_during_build(index_dir: str, cache_dir: str, corpus: str, model_cache: str) -> None:
    """Child process: start a build and be killed before it finishes."""
    from index.build import build_index as run
    from index.encoder import load_encoder as load

    run([corpus], index_dir, load(None, cache_dir=model_cache), cache_dir, progress=False)


def test_index_build_killed_half_way_leaves_previous_index(tmp_path, encoder, settings):
    index_dir = tmp_path / "index"
    _build([CORPUS / "000_fbf52db7d211f3f4.txt"], index_dir, encoder, settings)
    before = current_version(index_dir)
    fresh_cache = tmp_path / "embeddings"  # nothing cached: the child spends its time embedding
    process = multiprocessing.get_context("spawn").Process(
        target=_kill_during_build,
        args=(str(index_dir), str(fresh_cache), str(CORPUS), str(settings.resolved_model_cache)),
    )
    process.start()
    deadline = time.time() + 120
    while (
        time.time() < deadline
        and not any(index_dir.glob(".building-*"))
        and not fresh_cache.exists()
    ):
        time.sleep(0.2)
    time.sleep(1.0)
    process.kill()
    process.join()
    assert current_version(index_dir) == before
    store = IndexStore.load(index_dir)
    assert {p.doc for p in store.projects.values()} == {"000_fbf52db7d211f3f4.txt"}


def test_index_refuses_another_model(engine):
    with pytest.raises(IndexMismatchError, match="budgetqa build --model"):
        IndexStore.load(
            engine.settings.resolved_index_dir, model="sentence-transformers/all-MiniLM-L6-v2"
        )


def test_index_missing_says_build_first(tmp_path):
    with pytest.raises(IndexNotBuiltError, match="budgetqa build"):
        IndexStore.load(tmp_path / "nothing")


@pytest.mark.parametrize(
    "filters, check",
    [
        (Filters(region="西青"), lambda h: "西青" in h.region),
        (Filters(year=2023), lambda h: h.year == 2023),
        (Filters(doc="001_19f2a4c4a62c75e5.txt"), lambda h: h.doc == "001_19f2a4c4a62c75e5.txt"),
        (Filters(kinds=("project",)), lambda h: h.kind == "project"),
        (Filters(level2="满意度"), lambda h: h.kind == "indicator" and "满意度" in h.level2),
        (Filters(region="阳城", kinds=("department",)), lambda h: h.kind == "department"),
    ],
)
def test_index_filters_apply_to_every_mode(engine, filters, check):
    for mode in ("dense", "lexical", "hybrid"):
        hits = engine.searcher.search("法律援助 满意度 经费", k=10, filters=filters, mode=mode)
        assert hits, mode
        assert all(check(h) for h in hits), mode


def test_index_filter_matching_nothing_gives_no_hits(engine):
    assert engine.searcher.search("法律援助", filters=Filters(region="海淀")) == []


@pytest.mark.parametrize("k", [0, 1, 5000])
def test_index_k_edge_cases(engine, k):
    hits = engine.searcher.search("法律援助", k=k, mode="dense")
    assert len(hits) == min(k, len(engine.store.chunks))


def test_index_flat_and_hnsw_agree(hnsw_index, encoder):
    store = IndexStore.load(hnsw_index)
    assert read_meta(hnsw_index)["dense_type"] == "hnsw"
    searcher = Searcher(store, encoder)
    overlap = []
    for query in ("政府法律顾问", "社区矫正对象满意度", "普法宣传经费", "职工医保"):
        vector = encoder.encode_queries([query])[0]
        exact = set(np.argsort(-(store.vectors.all() @ vector))[:10].tolist())
        overlap.append(len(exact & {row for row, _ in searcher.dense(query, 10)}) / 10)
    assert np.mean(overlap) >= 0.9


def test_index_builds_mixed_formats(tmp_path, encoder, settings):
    from docgen import make_xlsx, seed_blocks

    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(CORPUS / "000_fbf52db7d211f3f4.txt", folder)
    make_xlsx(seed_blocks(CORPUS / "003_8982ce709c15bf44.txt"), folder / "xiqing.xlsx")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    report = _build([folder], tmp_path / "index", encoder, settings)
    assert report.documents == 2 and report.projects == 6 + 8
    assert [f.path for f in report.failures] == [str(folder / "broken.pdf")]
    store = IndexStore.load(tmp_path / "index")
    sheet_rows = [r for r in store.indicators.values() if r.doc == "xiqing.xlsx"]
    assert sheet_rows and all(r.sheet for r in sheet_rows)


def test_index_retrieval_recall_on_dev_questions(engine):
    from qa.retrieve import retrieve

    items = [
        json.loads(line) for line in (DATA / "qa_dev.jsonl").read_text("utf-8").splitlines() if line
    ]
    names = {pid: p.name for pid, p in engine.store.projects.items()}
    structured = micro_recall(evaluate(items, lambda q: retrieve(engine, q, k=10), names))
    raw = micro_recall(evaluate(items, lambda q: engine.searcher.search(q, k=10), names))
    assert structured >= 0.9
    assert structured > raw
