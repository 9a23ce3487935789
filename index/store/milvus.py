"""The Milvus store backend: dense and sparse lexical vectors in Milvus, hybrid search with RRF.

``BUDGETQA_STORE=milvus:///abs/path/file.db`` uses Milvus Lite (embedded; 3.x keeps a directory);
``milvus://host:19530`` a Milvus server or cluster (``milvus+https://host:443`` for TLS). Each
index version is one collection, ``budgetqa_<version>``: the chunk row as primary key, the e5
vector (``dense``), the chunk's BM25 weights as a sparse vector (``sparse``), and scalar fields
``kind``, ``doc``, ``region``, ``department``, ``level1``, ``level2``, ``project_id`` and
``year`` for filters. A build writes a new collection, then switches the version; the old
collection is dropped.

Lexical vectors are this project's own: the jieba tokenizer with the corpus user dictionary
(:mod:`index.lexical`) gives token ids, each document's sparse vector holds its bm25s scores
per token, and a query's holds its token counts, so the inner product is exactly the local BM25
score. Milvus's built-in BM25 function (with its jieba analyzer, which Milvus Lite 3.2 has)
would tokenise without the domain dictionary and, in Lite, with segment-local IDF, so rankings
would differ from the local store's.

The index directory keeps the catalog (records, chunk columns), the lexical vocabulary and
``vectors.npy`` as for the local store: the QA layer reads records and single vectors from there.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from .errors import StoreUnavailableError
from .filters import milvus_expression

logger = logging.getLogger(__name__)

SCALARS = ("kind", "doc", "region", "department", "level1", "level2", "project_id")
VARCHAR_MAX = 4096
RRF_K = 60
HNSW_THRESHOLD = 50_000  # FLAT below, HNSW up to IVF_THRESHOLD, IVF_SQ8 above (no 4-bit SQ here)
IVF_THRESHOLD = 400_000
HNSW_PARAMS = {"M": 32, "efConstruction": 200}
HNSW_EF_SEARCH = 256
IVF_LISTS = 1024
IVF_PROBES = 32
INSERT_BATCH = 10_000  # rows per insert call

_CLIENTS: dict[str, object] = {}
_CLIENTS_LOCK = threading.Lock()


def connection_uri(url: str) -> str:
    """The pymilvus URI of a ``milvus://`` store URL.

    ``milvus:///data/x.db`` → ``/data/x.db`` (Milvus Lite); ``milvus://host:19530`` →
    ``http://host:19530``; ``milvus+https://host`` → ``https://host``.
    """
    parsed = urlparse(url)
    if parsed.scheme not in ("milvus", "milvus+http", "milvus+https"):
        raise StoreUnavailableError(f"not a Milvus store URL: {url!r} (use milvus:///path/x.db)")
    if not parsed.netloc:
        if not parsed.path.endswith(".db"):
            raise StoreUnavailableError(
                f"Milvus Lite needs a file ending in .db, not {parsed.path!r}: "
                "set BUDGETQA_STORE=milvus:///absolute/path/index.db"
            )
        return parsed.path
    scheme = "https" if parsed.scheme == "milvus+https" else "http"
    return f"{scheme}://{parsed.netloc}"


def client_for(url: str):
    """One shared pymilvus client per store URL (Milvus Lite allows one process per file)."""
    from pymilvus import MilvusClient

    uri = connection_uri(url)
    with _CLIENTS_LOCK:
        if uri not in _CLIENTS:
            if not uri.startswith("http"):
                Path(uri).parent.mkdir(parents=True, exist_ok=True)
            try:
                _CLIENTS[uri] = MilvusClient(uri)
            except Exception as exc:  # pymilvus raises its own and grpc errors
                raise StoreUnavailableError(
                    f"cannot connect to Milvus at {uri}: {exc}; start the server or fix "
                    "BUDGETQA_STORE"
                ) from exc
        return _CLIENTS[uri]


def close_clients() -> None:
    """Close every shared client (tests, and before a Milvus Lite file is removed)."""
    with _CLIENTS_LOCK:
        for client in _CLIENTS.values():
            client.close()
        _CLIENTS.clear()


def collection_name(version: str) -> str:
    return "budgetqa_" + re.sub(r"[^A-Za-z0-9_]", "_", version)


def _schema(dimension: int):
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("row", DataType.INT64, is_primary=True)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dimension)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    for name in SCALARS:
        schema.add_field(name, DataType.VARCHAR, max_length=VARCHAR_MAX)
    schema.add_field("year", DataType.INT32)
    return schema


def _entities(data, departments: list[str], sparse_rows, start: int, stop: int) -> list[dict]:
    """The rows ``start:stop`` as Milvus entities (vectors and weights converted per batch)."""
    dense = data.vectors[start:stop].tolist()
    offsets = sparse_rows.indptr[start : stop + 1] - sparse_rows.indptr[start]
    tokens = sparse_rows.indices[sparse_rows.indptr[start] : sparse_rows.indptr[stop]].tolist()
    scores = sparse_rows.data[sparse_rows.indptr[start] : sparse_rows.indptr[stop]].tolist()
    out = []
    for i, row in enumerate(range(start, stop)):
        chunk = data.chunks[row]
        begin, end = offsets[i], offsets[i + 1]
        entity = {
            "row": row,
            "dense": dense[i],
            # never empty: an empty text is indexed as the token ∅
            "sparse": dict(zip(tokens[begin:end], scores[begin:end], strict=True)),
            "year": int(chunk.year or 0),
            "department": departments[row][:VARCHAR_MAX],
        }
        for name in SCALARS:
            if name != "department":
                entity[name] = (getattr(chunk, name) or "")[:VARCHAR_MAX]
        out.append(entity)
    return out


def _index_params(client, dense_index: str, field: str | None = None):
    """The indexes of a collection (``field``: only that field's)."""
    params = client.prepare_index_params()
    build = {"HNSW": HNSW_PARAMS, "IVF_SQ8": {"nlist": IVF_LISTS}}.get(dense_index, {})
    specs = [
        {
            "field_name": "dense",
            "index_type": dense_index,
            "metric_type": "IP",
            # pymilvus 3.0.2 sends a params dict as one key each (M=32), which Milvus Lite
            # 3.2.2 ignores (it built HNSW with M=16, IVF_SQ8 with 128 lists); under a
            # "params" key they go as one JSON value, as the ORM's create_index sends them,
            # which Lite reads
            "params": {"params": build} if build else {},
        },
        {"field_name": "sparse", "index_type": "SPARSE_INVERTED_INDEX", "metric_type": "IP"},
        *({"field_name": scalar, "index_type": "INVERTED"} for scalar in ("kind", "region", "doc")),
    ]
    for spec in specs:
        if field is None or spec["field_name"] == field:
            params.add_index(**spec)
    return params


def _create_indexes(client, name: str, dense_index: str) -> None:
    """Create each field's index (:func:`_index_params`), one field at a time.

    A long build can outlive the gRPC channel: at 1M rows the IVF_SQ8 build on Milvus Lite
    3.2.2 took ~10 minutes, the server dropped the channel (GOAWAY ``too_many_pings``),
    pymilvus retried the call, and the retry failed with "index already exists for field"
    although the first call had built it. An index already on a field is kept when it is
    of the type asked for; of another type, the error is raised.
    """
    from pymilvus.exceptions import MilvusException

    for index in _index_params(client, dense_index):
        try:
            client.create_index(name, _index_params(client, dense_index, index.field_name))
        except MilvusException as exc:
            if "already exists" not in str(exc):
                raise
            found = client.describe_index(name, index.field_name) or {}
            if found.get("index_type") != index.index_type:
                raise
            logger.info("index on %s of %s already made; waiting for it", index.field_name, name)
            _wait_built(client, name, index.field_name)


def _wait_built(client, name: str, field: str, poll: float = 5.0) -> None:
    """Wait until the index on a field has indexed every row (state ``Finished``)."""
    while True:
        found = client.describe_index(name, field) or {}
        if found.get("state") == "Finished" and not found.get("pending_index_rows"):
            return
        if found.get("state") == "Failed":
            raise StoreUnavailableError(
                f"Milvus could not build the index on {field} of {name}: "
                f"{found.get('index_state_fail_reason', '')}"
            )
        time.sleep(poll)


def _dense_index_type(count: int) -> str:
    if count < HNSW_THRESHOLD:
        return "FLAT"
    return "HNSW" if count < IVF_THRESHOLD else "IVF_SQ8"


class MilvusBackend:
    """Dense, lexical and hybrid (RRF) search in one Milvus collection per index version."""

    name = "milvus"

    def __init__(self, store, client, collection: str, dense_index: str):
        self.store = store
        self.client = client
        self.collection = collection
        self.dense_index = dense_index

    @staticmethod
    def write(staging: Path, data, url: str, version: str) -> dict:
        """Create and fill the collection of this version; return what meta.json records."""
        from .catalog import chunk_departments

        client = client_for(url)
        name = collection_name(version)
        if client.has_collection(name):
            client.drop_collection(name)
        dense_index = _dense_index_type(len(data.chunks))
        # Rows first, indexes after the flush, then one load. Indexes declared with the
        # collection made Milvus Lite 3.2.2 build them for every flushed segment while rows
        # arrived, and again after each compaction (110k chunks not written in 20 min).
        client.create_collection(name, schema=_schema(int(data.vectors.shape[1])))
        departments = chunk_departments(data.documents, data.chunks)
        sparse_rows = data.lexical.document_weights()
        for start in range(0, len(data.chunks), INSERT_BATCH):
            stop = min(start + INSERT_BATCH, len(data.chunks))
            client.insert(name, _entities(data, departments, sparse_rows, start, stop))
        client.flush(name)
        _create_indexes(client, name, dense_index)
        client.load_collection(name)
        return {"collection": name, "milvus_dense_index": dense_index}

    @classmethod
    def open(cls, version: Path, meta: dict, store) -> MilvusBackend:
        client = client_for(meta["store"])
        name = meta["collection"]
        if not client.has_collection(name):
            raise StoreUnavailableError(
                f"Milvus at {meta['store']} has no collection {name} for the index at "
                f"{version.parent}: run `budgetqa build` again"
            )
        client.load_collection(name)
        return cls(store, client, name, meta.get("milvus_dense_index", "FLAT"))

    @staticmethod
    def drop(meta: dict) -> None:
        """Drop an old version's collection (best effort: the server may be gone)."""
        try:
            client = client_for(meta["store"])
            if client.has_collection(meta["collection"]):
                client.drop_collection(meta["collection"])
        except Exception as exc:  # an unreachable server must not fail a build
            logger.warning("could not drop Milvus collection %s: %s", meta.get("collection"), exc)

    def close(self) -> None:
        """The client is shared per URL; see :func:`close_clients`."""

    def _dense_params(self) -> dict:
        if self.dense_index == "HNSW":
            return {"metric_type": "IP", "params": {"ef": HNSW_EF_SEARCH}}
        if self.dense_index == "IVF_SQ8":
            return {"metric_type": "IP", "params": {"nprobe": IVF_PROBES}}
        return {"metric_type": "IP", "params": {}}

    def _sparse_query(self, query: str) -> dict[int, float]:
        return self.store.lexical.query_weights(query)

    def _expression(self, filters) -> str | None:
        return milvus_expression(filters, self.store.columns)

    def dense(self, vector: np.ndarray, k: int, filters=None, mask=None) -> list:
        expression = self._expression(filters)
        if expression == "" or k <= 0 or not len(self.store.chunks):
            return []
        found = self.client.search(
            self.collection,
            data=[np.asarray(vector, dtype=np.float32).tolist()],
            anns_field="dense",
            limit=min(k, len(self.store.chunks)),
            filter=expression or "",
            output_fields=[],
            search_params=self._dense_params(),
        )
        return _ranked(found)

    def lexical(self, query: str, k: int, filters=None, mask=None) -> list:
        expression = self._expression(filters)
        weights = self._sparse_query(query)
        if expression == "" or k <= 0 or not weights:
            return []
        found = self.client.search(
            self.collection,
            data=[weights],
            anns_field="sparse",
            limit=min(k, len(self.store.chunks)),
            filter=expression or "",
            output_fields=[],
            search_params={"metric_type": "IP"},
        )
        return [(row, score) for row, score in _ranked(found) if score > 0]

    def hybrid(self, query: str, vector: np.ndarray, k: int, depth: int, filters=None) -> list:
        """Dense and sparse requests fused by Milvus with RRF (k=60), as the local fusion."""
        from pymilvus import AnnSearchRequest, RRFRanker

        expression = self._expression(filters)
        if expression == "" or k <= 0 or not len(self.store.chunks):
            return []
        weights = self._sparse_query(query)
        requests = [
            AnnSearchRequest(
                data=[np.asarray(vector, dtype=np.float32).tolist()],
                anns_field="dense",
                param=self._dense_params(),
                limit=depth,
                expr=expression or None,
            )
        ]
        if weights:
            requests.append(
                AnnSearchRequest(
                    data=[weights],
                    anns_field="sparse",
                    param={"metric_type": "IP"},
                    limit=depth,
                    expr=expression or None,
                )
            )
        found = self.client.hybrid_search(
            self.collection, requests, ranker=RRFRanker(RRF_K), limit=k, output_fields=[]
        )
        return _ranked(found)


def _ranked(found) -> list[tuple[int, float]]:
    hits = found[0] if found else []
    ranked = [
        (int(hit["row"] if "row" in hit else hit["id"]), float(hit["distance"])) for hit in hits
    ]
    return sorted(ranked, key=lambda item: (-item[1], item[0]))
