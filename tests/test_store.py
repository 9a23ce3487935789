"""Store backends, for real: the seed corpus in the local store and in Milvus Lite (started here).

The same retrieval and answer tests run against both backends (``backend`` fixture); Milvus Lite
is the embedded one, a ``.db`` file in a temporary directory, opened by the test itself.
"""

from __future__ import annotations

import json
import os
import threading

import numpy as np
import pytest
from conftest import CORPUS, DATA

from index.config import load_settings
from index.errors import IndexMismatchError
from index.recall import evaluate, micro_recall
from index.search import Filters, Searcher
from index.store import (
    STORES,
    IndexStore,
    StoreUnavailableError,
    current_version,
    filter_mask,
    held_records,
    read_meta,
    store_kind,
)
from index.store.catalog import DocumentMap, RecordMap
from index.store.local import _top
from index.store.milvus import close_clients, connection_uri

BACKENDS = ("local", "milvus")


@pytest.fixture(scope="module")
def engines(settings, engine, tmp_path_factory):
    """The session's local engine, and the seed corpus built into Milvus Lite."""
    from qa.build import build
    from qa.engine import Engine

    data_dir = tmp_path_factory.mktemp("milvus-data")
    milvus = load_settings(
        data_dir=data_dir,
        corpus_dir=CORPUS,
        model_cache=settings.resolved_model_cache,
        cache_dir=settings.resolved_cache_dir,
    )
    url = f"milvus://{data_dir / 'milvus.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BUDGETQA_STORE", url)
        build(milvus, progress=False)
    yield {"local": engine, "milvus": Engine.open(milvus)}
    close_clients()


@pytest.fixture(params=BACKENDS)
def backend_engine(request, engines):
    return engines[request.param]


def _dev_items(name: str = "qa_dev.jsonl") -> list[dict]:
    lines = (DATA / name).read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line]


def test_store_factory_has_both_backends():
    assert set(STORES) == {"local", "milvus"}
    assert STORES["local"].name == "local" and STORES["milvus"].name == "milvus"


def test_store_milvus_index_records_its_store(engines):
    store = engines["milvus"].store
    assert store.backend.name == "milvus"
    assert store.meta["store"].startswith("milvus://") and store.meta["collection"]
    assert store.projects == engines["local"].store.projects
    assert len(store.chunks) == len(engines["local"].store.chunks)


@pytest.mark.parametrize("mode", ["dense", "lexical", "hybrid"])
@pytest.mark.parametrize("query", ["政府法律顾问", "秀山调解成功率目标", "三公经费", "社区矫正"])
def test_store_backends_rank_alike(engines, mode, query):
    local = [h.id for h in engines["local"].searcher.search(query, k=10, mode=mode)]
    milvus = [h.id for h in engines["milvus"].searcher.search(query, k=10, mode=mode)]
    assert milvus == local  # same scores, ties broken by row on both


@pytest.mark.parametrize("query", ["政府法律顾问 经费", "调解成功率", "满意度 ≥90%"])
def test_store_milvus_sparse_scores_are_bm25(engines, query):
    store = engines["milvus"].store
    expected = store.lexical.scores(query)
    hits = store.backend.lexical(query, 20)
    assert hits
    for row, score in hits:
        assert score == pytest.approx(float(expected[row]), rel=1e-4)


@pytest.mark.parametrize(
    "filters, check",
    [
        (Filters(region="西青"), lambda h: "西青" in h.region),
        (Filters(region="天津市西青区法院"), lambda h: h.region == "天津市西青区"),
        (Filters(year=2023), lambda h: h.year == 2023),
        (Filters(doc="001_19f2a4c4a62c75e5.txt"), lambda h: h.doc == "001_19f2a4c4a62c75e5.txt"),
        (Filters(kinds=("project",)), lambda h: h.kind == "project"),
        (Filters(level2="满意度"), lambda h: h.kind == "indicator" and "满意度" in h.level2),
        (Filters(region="阳城", kinds=("department",)), lambda h: h.kind == "department"),
        (Filters(department="司法局"), lambda h: h.region is not None),
    ],
)
def test_store_filters_apply_to_every_mode(backend_engine, filters, check):
    for mode in ("dense", "lexical", "hybrid"):
        hits = backend_engine.searcher.search(
            "法律援助 满意度 经费", k=10, filters=filters, mode=mode
        )
        assert hits, mode
        assert all(check(h) for h in hits), mode


@pytest.mark.parametrize(
    "filters", [Filters(region="海淀"), Filters(year=1999), Filters(doc="nope.txt")]
)
@pytest.mark.parametrize("mode", ["dense", "lexical", "hybrid"])
def test_store_filter_matching_nothing_gives_no_hits(backend_engine, filters, mode):
    assert backend_engine.searcher.search("法律援助", filters=filters, mode=mode) == []


@pytest.mark.parametrize("k", [0, 1, 5000])
def test_store_k_edge_cases(backend_engine, k):
    hits = backend_engine.searcher.search("法律援助", k=k, mode="dense")
    assert len(hits) == min(k, len(backend_engine.store.chunks))


def test_store_unknown_kind_is_a_value_error(backend_engine):
    with pytest.raises(ValueError, match="unknown kind"):
        backend_engine.searcher.search("法律援助", filters=Filters(kinds=("budget",)))


def test_store_retrieval_recall_on_dev_questions(backend_engine):
    from qa.retrieve import retrieve

    items = _dev_items()
    names = {pid: p.name for pid, p in backend_engine.store.projects.items()}
    structured = micro_recall(evaluate(items, lambda q: retrieve(backend_engine, q, k=10), names))
    raw = micro_recall(evaluate(items, lambda q: backend_engine.searcher.search(q, k=10), names))
    assert structured >= 0.9
    assert raw >= 0.6


@pytest.mark.parametrize("item", _dev_items(), ids=lambda q: q["id"])
def test_store_dev_answers_pass_on_each_backend(backend_engine, item):
    from qa.answers import answer_question
    from qa.evaluate import score

    known = {(r.doc, r.line) for r in backend_engine.store.indicators.values()}
    answer = answer_question(backend_engine, item["question"]).to_json()
    verdict = score(item, answer, known)
    assert verdict.passed, verdict.reason


def _build_one_seed(settings, index_dir, url: str) -> None:
    """Build one seed document's index into the store at ``url``."""
    from index.build import build_index
    from index.encoder import load_encoder

    encoder = load_encoder(settings.model, cache_dir=settings.resolved_model_cache)
    build_index(
        [CORPUS / "000_fbf52db7d211f3f4.txt"],
        index_dir,
        encoder,
        settings.resolved_cache_dir,
        progress=False,
        store=url,
    )


def test_store_rebuild_drops_the_old_milvus_collections(engines, settings, tmp_path):
    """Each build drops the collections of versions older than the one that was live before
    it (a running server may still read that one until it has loaded the new version)."""

    url = f"milvus://{tmp_path / 'rebuild.db'}"
    collections = []
    for _ in range(3):
        _build_one_seed(settings, tmp_path / "index", url)
        collections.append(read_meta(tmp_path / "index")["collection"])
    store = IndexStore.load(tmp_path / "index")
    assert len(set(collections)) == 3
    assert sorted(store.backend.client.list_collections()) == sorted(collections[1:])


def test_store_milvus_write_leaves_every_row_indexed_and_loaded(settings, tmp_path, monkeypatch):
    """Rows go in by batches before any index; after the write, with no open() in between, the
    collection holds every chunk, has each field's index (the dense one by size) and is
    loaded: a search finds a chunk by its own vector. A second create_index on a field is
    refused by Milvus Lite; the write's own (a retried call) keeps an index of the type asked."""
    from pymilvus.exceptions import MilvusException

    from index.store import milvus

    monkeypatch.setattr(milvus, "INSERT_BATCH", 7)  # several batches, the last one short
    monkeypatch.setattr(milvus, "HNSW_THRESHOLD", 10)
    url = f"milvus://{tmp_path / 'write.db'}"
    _build_one_seed(settings, tmp_path / "index", url)
    meta = read_meta(tmp_path / "index")
    client, name = milvus.client_for(url), meta["collection"]
    assert meta["chunks"] > 7 and meta["chunks"] % 7 and meta["milvus_dense_index"] == "HNSW"
    assert client.get_load_state(name)["state"].name == "Loaded"
    assert sorted(client.list_indexes(name)) == ["dense", "doc", "kind", "region", "sparse"]
    assert client.describe_index(name, "dense")["index_type"] == "HNSW"
    manifest = json.loads(next((tmp_path / "write.db").rglob("manifest.json")).read_text("utf-8"))
    assert manifest["index_specs"]["dense"]["build_params"] == milvus.HNSW_PARAMS  # not M=16
    counted = client.query(name, filter="", output_fields=["count(*)"])
    assert counted[0]["count(*)"] == meta["chunks"]
    vectors = np.load(current_version(tmp_path / "index") / "vectors.npy")
    row = meta["chunks"] - 1  # in the last, short batch
    # a chunk text printed more than once (a region's year heading) has the same vector in
    # each of its rows, and any of them may come first: the row is among the search's ties
    twins = int(((vectors @ vectors[row]) > 1 - 1e-5).sum())
    found = client.search(name, data=[vectors[row].tolist()], anns_field="dense", limit=twins)
    assert row in {hit["row"] for hit in found[0]}
    with pytest.raises(MilvusException, match="index already exists for field"):
        client.create_index(name, milvus._index_params(client, "HNSW"))
    # a build whose call pymilvus retried after the channel dropped (1M rows): kept as built
    milvus._create_indexes(client, name, "HNSW")
    assert client.describe_index(name, "dense")["state"] == "Finished"
    assert sorted(client.list_indexes(name)) == ["dense", "doc", "kind", "region", "sparse"]
    with pytest.raises(MilvusException, match="index already exists for field"):
        milvus._create_indexes(client, name, "FLAT")  # another type than the one built


@pytest.mark.parametrize("url", ["redis://localhost", "milvus", "elastic:///x"])
def test_store_unknown_store_is_refused(url):
    with pytest.raises(StoreUnavailableError, match="BUDGETQA_STORE"):
        store_kind(url)


@pytest.mark.parametrize(
    "url, uri",
    [
        ("milvus:///srv/idx/budget.db", "/srv/idx/budget.db"),
        ("milvus://10.0.0.5:19530", "http://10.0.0.5:19530"),
        ("milvus+https://milvus.example:443", "https://milvus.example:443"),
    ],
)
def test_store_milvus_url_to_connection(url, uri):
    assert connection_uri(url) == uri


def test_store_milvus_lite_needs_a_db_file():
    with pytest.raises(StoreUnavailableError, match=r"\.db"):
        connection_uri("milvus:///srv/idx/budget")


def test_store_refuses_another_encoder_backend(engine):
    built = engine.store.encoder_backend
    other = "torch" if built != "torch" else "onnx-int8"
    with pytest.raises(IndexMismatchError, match=f"BUDGETQA_ENCODER_BACKEND={other} budgetqa"):
        IndexStore.load(engine.settings.resolved_index_dir, encoder_backend=other)


def test_store_refuses_configured_encoder_backend(engine, monkeypatch):
    built = engine.store.encoder_backend
    monkeypatch.setenv("BUDGETQA_ENCODER_BACKEND", "onnx")
    with pytest.raises(IndexMismatchError, match=f"encoder backend '{built}', not 'onnx'"):
        IndexStore.load(engine.settings.resolved_index_dir)


def test_store_records_the_encoder_backend(engine):
    assert engine.store.meta["encoder_backend"] == engine.encoder.backend == "onnx-int8"


@pytest.mark.parametrize("kind", ["project", "indicator", "fact", "text"])
def test_store_streamed_records_equal_materialized(engine, kind):
    catalog = engine.store.catalog
    eager, streamed = RecordMap(catalog, kind), RecordMap(catalog, kind, eager_limit=0)
    assert len(streamed) == len(eager) > 0
    assert dict(streamed.items()) == dict(eager.items())
    first = next(iter(eager))
    assert streamed[first] == eager[first] and first in streamed and "nope" not in streamed


@pytest.mark.parametrize("kind", ["project", "indicator", "fact", "text"])
def test_store_records_kept_from_the_documents_are_the_catalogs_records(engine, kind):
    store = engine.store
    kept, alone = (
        RecordMap(store.catalog, kind, documents=store.documents),
        RecordMap(store.catalog, kind),
    )
    assert list(kept.items()) == list(alone.items())  # same ids, order and records
    held = {id(r) for parsed in store.documents.values() for r in held_records(parsed, kind)}
    assert len(kept) > 0 and all(id(r) in held for r in kept.values())


def test_store_document_decoded_by_readers_at_once_is_one_kept_copy(engine):
    documents = DocumentMap(engine.store.catalog)  # nothing decoded yet
    name = max(documents, key=lambda doc: len(engine.store.documents[doc].projects))
    start = threading.Barrier(6)
    found = []

    def read():
        start.wait()
        found.append(documents[name])

    readers = [threading.Thread(target=read) for _ in range(6)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert len(found) == 6 and all(parsed is found[0] for parsed in found)
    assert documents[name] is found[0] and found[0] == engine.store.documents[name]


def test_store_chunks_by_row_equal_iteration(engine):
    chunks = engine.store.chunks
    listed = list(chunks)
    assert [chunks[i] for i in (0, len(chunks) // 2, -1)] == [
        listed[0],
        listed[len(listed) // 2],
        listed[-1],
    ]
    with pytest.raises(IndexError):
        chunks[len(chunks)]


@pytest.mark.parametrize(
    "filters",
    [Filters(region="西青"), Filters(level1="产出", year=2024), Filters(kinds=("text", "project"))],
)
def test_store_filter_mask_equals_per_chunk_rule(engine, filters):
    mask = filter_mask(engine.store, filters)
    expected = [
        (
            not filters.region
            or (c.region and (filters.region in c.region or c.region in filters.region))
        )
        and (not filters.level1 or (c.level1 and filters.level1 in c.level1))
        and (not filters.year or c.year == filters.year)
        and (not filters.kinds or c.kind in filters.kinds)
        for c in engine.store.chunks
    ]
    assert mask.tolist() == [bool(x) for x in expected]


def test_a_kept_filter_mask_is_the_mask_made_anew_and_cannot_be_changed(engine, monkeypatch):
    from index.store import filters as filters_module

    monkeypatch.setattr(filters_module, "MASKS_KEPT", 3)  # so that the kept masks are renewed
    store = engine.store
    regions = store.columns.codes("region")[1]
    asked = [
        Filters(region=regions[i % len(regions)], kinds=(("project",), ("indicator",))[i % 2])
        for i in range(8)
    ] + [Filters(year=2024), Filters(kinds=("text", "project"))]
    for filters in asked + asked[::-1]:
        kept = filter_mask(store, filters)
        assert kept is filter_mask(store, filters)  # kept, not made again
        assert kept.tolist() == filters_module._mask(store, filters).tolist()
        with pytest.raises(ValueError):
            kept[0] = not kept[0]
    assert len(store.__dict__["_filter_masks"]) <= 3


@pytest.mark.parametrize("dense_type", ["hnsw", "ivf"])
def test_store_approximate_dense_agrees_with_exact(
    settings, seed_index_with, monkeypatch, dense_type
):
    from index.encoder import load_encoder
    from index.store import local

    encoder = load_encoder(settings.model, cache_dir=settings.resolved_model_cache)
    path = seed_index_with(dense_type)
    store = IndexStore.load(path)
    assert store.meta["dense_type"] == dense_type
    if dense_type == "ivf":  # codes only choose candidates (re-scored exactly): 4 bits each
        import faiss

        index = faiss.downcast_index(store.backend.dense_index)
        assert index.code_size * 2 == store.vectors.shape[1]
    searcher = Searcher(store, encoder)
    for query in ("政府法律顾问", "社区矫正对象满意度", "普法宣传经费", "职工医保"):
        vector = encoder.encode_queries([query])[0]
        exact = np.argsort(-(store.vectors.all() @ vector))[:10].tolist()
        found = [row for row, _ in searcher.dense(query, 10)]
        assert len(set(exact) & set(found)) >= 9
        for subset in (local.EXACT_SUBSET, 10):  # exact over the subset, then the index + selector
            monkeypatch.setattr(local, "EXACT_SUBSET", subset)
            # interleaved chunks (a region's indicator rows among its other kinds): a selector
            # that read the mask's bits in another order would let neighbours through
            wanted = Filters(region="阳城", kinds=("indicator",))
            filtered = searcher.dense(query, 10, filters=wanted)
            assert len(filtered) == 10
            assert all(
                "阳城" in (store.chunks[row].region or "") and store.chunks[row].kind == "indicator"
                for row, _ in filtered
            )
            mask = np.array(
                ["阳城" in (c.region or "") and c.kind == "indicator" for c in store.chunks]
            )
            scores = np.where(mask, store.vectors.all() @ vector, -np.inf)
            best = np.argsort(-scores)[:10].tolist()  # exact over the region's chunks
            if dense_type == "hnsw":  # IVF probes few lists: a narrow filter loses recall
                assert len(set(best) & {row for row, _ in filtered}) >= 9


def test_store_default_is_local(monkeypatch):
    monkeypatch.delenv("BUDGETQA_STORE", raising=False)
    assert load_settings().store == "local"
    assert store_kind(load_settings().store) == "local"
    assert os.environ.get("BUDGETQA_STORE") is None


@pytest.mark.parametrize("by", ["region", "department"])
def test_store_totals_equal_the_records(engine, by):
    """The per-region / per-department totals summed at build equal the projects' own
    amounts, summed exactly (Decimal), per year."""
    from decimal import Decimal

    expected: dict[tuple[str, int | None], list] = {}
    for project in engine.store.projects.values():
        entry = expected.setdefault((getattr(project, by) or "", project.year), [0, 0, Decimal(0)])
        entry[0] += 1
        if project.amount_wan is not None:
            entry[1] += 1
            entry[2] += project.amount_wan
    totals = engine.store.totals(by)
    assert {(t.name, t.year): [t.projects, t.priced, t.amount_wan] for t in totals} == expected
    assert all(isinstance(t.amount_wan, Decimal) and t.by == by for t in totals)
    assert sum(t.projects for t in totals) == len(engine.store.projects)


def test_store_totals_by_an_unknown_field_is_refused(engine):
    with pytest.raises(ValueError, match="region"):
        engine.store.totals("doc")


def test_store_vectors_read_by_batched_rows_equal_rows_in_memory(engine, monkeypatch):
    """Past EAGER_ROWS chunks the rows of a question's records are read in batches from the
    catalog: the same vectors as the in-memory row map (an unknown id gives a zero row)."""
    from index.store import core

    ids = [c.id for c in list(engine.store.chunks)[::7]][:1200] + ["nope"]
    expected = engine.store.vectors_of(ids)
    monkeypatch.setattr(core, "EAGER_ROWS", 0)
    lazy = IndexStore.load(engine.settings.resolved_index_dir)
    assert np.array_equal(lazy.vectors_of(ids), expected) and not expected[-1].any()


def _lexical_over_every_chunk(store, query, k, mask=None):
    """The lexical ranking as computed before postings-only search: every chunk's score, then a
    top k over all of them."""
    scores = store.lexical.scores(query)
    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    if not scores.any():
        return []
    return [(i, s) for i, s in _top(scores, k) if s > 0]


@pytest.mark.parametrize("k", [1, 10, 100, 5000])
@pytest.mark.parametrize(
    "query",
    ["政府法律顾问 经费", "满意度 满意度", "服务对象满意度≥90%", "调解成功率", "没有的词", ""],
)
@pytest.mark.parametrize("filters", [None, Filters(region="西青"), Filters(kinds=("indicator",))])
@pytest.mark.parametrize("walk_share", [0.0, 1.0])  # every chunk scored / rarer tokens walked
def test_store_lexical_postings_equal_scoring_every_chunk(
    engine, query, k, filters, walk_share, monkeypatch
):
    monkeypatch.setattr("index.lexical.WALK_SHARE", walk_share)
    store = engine.store
    mask = filter_mask(store, filters) if filters else None
    expected = _lexical_over_every_chunk(store, query, k, mask)
    assert store.backend.lexical(query, k, filters, mask) == expected


@pytest.mark.parametrize("query", ["政府法律顾问 经费", "满意度", "秀山 调解", "没有的词"])
def test_store_lexical_sparse_scores_are_the_nonzero_scores(engine, query):
    lexical = engine.store.lexical
    scores = lexical.scores(query)
    rows, sparse = lexical.sparse_scores(query)
    assert rows.tolist() == np.flatnonzero(scores).tolist()
    assert sparse.tobytes() == scores[rows].tobytes()  # bit for bit
    assert lexical.matching(query).tolist() == rows.tolist()


@pytest.mark.parametrize("header", [(1, 0), (2, 0)])
def test_store_vector_rows_read_from_the_file_are_the_saved_rows(tmp_path, monkeypatch, header):
    """Past HELD_VECTOR_BYTES rows are read from vectors.npy by position: any order, repeats,
    rows near together (read in one call) and far apart, and nothing; a cut file is refused."""
    from index.store import core

    saved = np.random.default_rng(3).standard_normal((500, 24)).astype(np.float32)
    path = tmp_path / "vectors.npy"
    with open(path, "wb") as handle:
        np.lib.format.write_array(handle, saved, version=header)
    monkeypatch.setattr(core, "HELD_VECTOR_BYTES", 0)
    vectors = core.VectorFile(path)
    assert vectors.shape == (500, 24) and len(vectors) == 500 and vectors._held is None
    for positions in ([499, 0, 3, 3, 4, 250, 12, 11], list(range(0, 500, 9)), [7], []):
        assert np.array_equal(vectors.rows(positions), saved[positions])
    assert np.array_equal(vectors.all(), saved)
    with pytest.raises(IndexError):
        vectors.rows([500])
    with pytest.raises(IndexError):
        vectors.rows([-1])
    monkeypatch.setattr(core, "HELD_VECTOR_BYTES", 2**30)
    held = core.VectorFile(path)
    assert np.array_equal(held.rows([5, 1]), saved[[5, 1]])
    with pytest.raises(ValueError):  # shared by every search: nobody may change it
        held.all()[0, 0] = 1.0
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size - 10)
    monkeypatch.setattr(core, "HELD_VECTOR_BYTES", 0)
    with pytest.raises(IndexMismatchError, match="vectors.npy"):
        core.VectorFile(path).rows([499])


@pytest.mark.parametrize("held", [True, False])
def test_a_loaded_store_maps_no_page_of_its_vectors(engine, monkeypatch, held):
    """Searches and answers read vectors without mapping vectors.npy into the process, so its
    resident memory does not grow by every page of the file they touched (3.6 GB at 2.3M
    chunks); what they read is what the file holds."""
    from index.store import core

    if not held:
        monkeypatch.setattr(core, "HELD_VECTOR_BYTES", 0)
    store = IndexStore.load(engine.settings.resolved_index_dir)
    searcher = Searcher(store, engine.encoder)
    expected = Searcher(engine.store, engine.encoder)
    for filters in (None, Filters(region="阳城", kinds=("indicator",))):
        got = searcher.dense("政府法律顾问", 10, filters=filters)
        assert got == expected.dense("政府法律顾问", 10, filters=filters)
    ids = [c.id for c in list(store.chunks)[::5]]
    assert np.array_equal(store.vectors_of(ids), engine.store.vectors_of(ids))
    with open("/proc/self/maps", encoding="utf-8") as maps:
        mapped = [line for line in maps if str(store.path / "vectors.npy") in line]
    assert mapped == []


def test_store_search_alone_decodes_no_document(engine):
    """A process that only searches reads the records of its hits from the catalog: building
    the in-memory record maps would decode every document with all its rows (a minute and
    1.1 GB at 1M rows). Once answering holds the documents, lookups share their records."""
    store = IndexStore.load(engine.settings.resolved_index_dir)
    searcher = Searcher(store, engine.encoder)
    shown = Searcher(engine.store, engine.encoder)
    asked = (("政府法律顾问", "hybrid"), ("调解成功率", "dense"), ("法律援助", "lexical"))
    for query, mode in asked:
        hits = searcher.search(query, k=10, mode=mode)
        assert hits == shown.search(query, k=10, mode=mode) and hits
    some = [p.id for p in engine.store.projects.values()][::3]
    assert store.projects.many(some) == engine.store.projects.many(some)
    assert some[0] in store.projects and store.projects[some[0]] == engine.store.projects[some[0]]
    assert "nope" not in store.projects
    assert len(store.documents._cache) == 0  # nothing decoded
    held = {p.id: p for parsed in store.documents.values() for p in parsed.projects}
    assert all(store.projects.many(some)[key] is held[key] for key in some)
    assert store.projects[some[0]] is held[some[0]]


def test_store_similarities_hold_a_block_of_vectors_at_a_time(engine, monkeypatch):
    """Scoring many chunks against a question (a broad one scores a few hundred thousand at
    1M rows) reads their vectors a block at a time: the same scores as reading them all, an
    unknown id scores 0, one query or several, and at most a block of vectors held at once."""
    import tracemalloc

    from index.store import core

    store = engine.store
    ids = [c.id for c in store.chunks] + ["no such chunk"]
    queries = engine.encoder.encode_queries(["政府法律顾问", "社区矫正对象满意度"])
    every = store.vectors_of(ids)
    monkeypatch.setattr(core, "SIMILARITY_BLOCK", 16)
    one = store.similarities(ids, queries[0])
    assert one.shape == (len(ids),) and one[-1] == 0.0
    assert np.allclose(one, every @ queries[0], atol=1e-6)
    both = store.similarities(ids, queries)
    assert both.shape == (len(ids), 2) and np.allclose(both, every @ queries.T, atol=1e-6)
    for column, query in enumerate(queries):  # several queries score as each alone, bit for bit
        assert both[:, column].tobytes() == store.similarities(ids, query).tobytes()
    assert store.similarities([], queries[0]).shape == (0,)
    tracemalloc.start()
    try:
        store.similarities(ids, queries[0])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < every.nbytes / 4  # the whole matrix was read at once
