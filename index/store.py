"""The stored index: FAISS vectors, BM25, a SQLite metadata store and ``meta.json``.

Layout of an index directory::

    index/
      CURRENT            name of the live version (replaced atomically)
      v-<stamp>/
        meta.json        model, dimension, code version, content hashes, counts
        records.sqlite   parsed documents (JSON) and chunk metadata
        vectors.npy      chunk embeddings (float32, L2-normalized), chunk order
        dense.faiss      FAISS index over the vectors
        lexical/         bm25s index and the jieba user dictionary

A build writes a new version beside the live one and then replaces CURRENT, so a
build killed half-way leaves the previous index in use.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass, fields
from pathlib import Path

import faiss
import numpy as np

from . import codec
from .chunk import Chunk
from .errors import IndexMismatchError, IndexNotBuiltError
from .lexical import LexicalIndex
from .schema import (
    DepartmentFact,
    DepartmentPlan,
    FormField,
    IndicatorRow,
    ParsedDocument,
    Project,
    TextBlock,
)

CODE_VERSION = "2"
HNSW_THRESHOLD = (
    50_000  # exact search below; HNSW (efSearch 256: recall@10 0.93 vs exact at 130k) above
)
HNSW_EF_SEARCH = 256
_CHUNK_FIELDS = [f.name for f in fields(Chunk)]


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


DENSE_TYPES = {"flat": _flat, "hnsw": _hnsw}


def choose_dense_type(count: int) -> str:
    """Exact search while small; HNSW past :data:`HNSW_THRESHOLD` vectors."""
    return "flat" if count < HNSW_THRESHOLD else "hnsw"


@dataclass
class IndexData:
    """Everything a build produced, ready to be written."""

    documents: list[ParsedDocument]
    chunks: list[Chunk]
    vectors: np.ndarray
    lexical: LexicalIndex
    model: str
    failures: list[dict]
    dense_type: str | None = None


def write_index(root: Path, data: IndexData) -> Path:
    """Write a new version of the index under ``root`` and make it the live one."""
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 100000}"
    version = root / f"v-{stamp}"
    staging = root / f".building-{stamp}"
    staging.mkdir()
    dense_type = data.dense_type or choose_dense_type(len(data.chunks))
    np.save(staging / "vectors.npy", data.vectors, allow_pickle=False)
    faiss.write_index(DENSE_TYPES[dense_type](data.vectors), str(staging / "dense.faiss"))
    data.lexical.save(staging / "lexical")
    _write_sqlite(staging / "records.sqlite", data)
    meta = {
        "model": data.model,
        "dimension": int(data.vectors.shape[1]),
        "code_version": CODE_VERSION,
        "dense_type": dense_type,
        "chunks": len(data.chunks),
        "documents": {p.document.doc: p.document.sha256 for p in data.documents},
        "failures": data.failures,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "tokenizer": data.lexical.tokenizer.fingerprint,
    }
    (staging / "meta.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    staging.rename(version)
    _switch_current(root, version.name)
    _remove_old_versions(root, keep=version.name)
    return version


def _write_sqlite(path: Path, data: IndexData) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE documents (doc TEXT PRIMARY KEY, sha256 TEXT, payload TEXT)")
        db.execute(f"CREATE TABLE chunks (row INTEGER PRIMARY KEY, {', '.join(_CHUNK_FIELDS)})")
        db.executemany(
            "INSERT INTO documents VALUES (?, ?, ?)",
            [(p.document.doc, p.document.sha256, codec.dumps(p)) for p in data.documents],
        )
        marks = ", ".join("?" for _ in range(len(_CHUNK_FIELDS) + 1))
        db.executemany(
            f"INSERT INTO chunks VALUES ({marks})",
            [(i, *(getattr(c, f) for f in _CHUNK_FIELDS)) for i, c in enumerate(data.chunks)],
        )
        db.execute("CREATE INDEX chunks_doc ON chunks (doc)")


def _switch_current(root: Path, name: str) -> None:
    tmp = root / f".CURRENT.{os.getpid()}"
    tmp.write_text(name, encoding="utf-8")
    os.replace(tmp, root / "CURRENT")


def _remove_old_versions(root: Path, keep: str) -> None:
    for child in root.iterdir():
        if child.is_dir() and child.name.startswith(("v-", ".building-")) and child.name != keep:
            shutil.rmtree(child, ignore_errors=True)


def current_version(root: Path) -> Path | None:
    """The live version directory, or None when no index was built."""
    pointer = root / "CURRENT"
    if not pointer.exists():
        return None
    version = root / pointer.read_text(encoding="utf-8").strip()
    return version if (version / "meta.json").exists() else None


def read_meta(root: Path) -> dict | None:
    version = current_version(root)
    if version is None:
        return None
    return json.loads((version / "meta.json").read_text(encoding="utf-8"))


class IndexStore:
    """A loaded index: records by id, chunk metadata, vectors, FAISS and BM25."""

    def __init__(
        self,
        path: Path,
        meta: dict,
        documents: list[ParsedDocument],
        chunks: list[Chunk],
        vectors: np.ndarray,
        dense: faiss.Index,
        lexical: LexicalIndex,
    ):
        self.path = path
        self.meta = meta
        self.documents = {p.document.doc: p for p in documents}
        self.chunks = chunks
        self.vectors = vectors
        self.dense = dense
        self.lexical = lexical
        self.projects: dict[str, Project] = {}
        self.indicators: dict[str, IndicatorRow] = {}
        self.facts: dict[str, DepartmentFact] = {}
        self.fields: dict[str, FormField] = {}
        self.plans: dict[str, DepartmentPlan] = {}
        self.text_blocks: dict[str, TextBlock] = {}
        for parsed in documents:
            for project in parsed.projects:
                self.projects[project.id] = project
                self.indicators.update((row.id, row) for row in project.indicators)
            self.indicators.update((row.id, row) for row in parsed.department_indicators)
            self.facts.update((fact.id, fact) for fact in parsed.facts)
            self.fields.update((field.id, field) for field in parsed.all_form_fields)
            self.plans.update((plan.id, plan) for plan in parsed.plans)
            self.text_blocks.update((block.id, block) for block in parsed.text_blocks)
        self.columns = _chunk_columns(chunks)

    @property
    def model(self) -> str:
        return self.meta["model"]

    @classmethod
    def load(cls, root: str | Path, model: str | None = None) -> IndexStore:
        """Load the live index under ``root``.

        Raises :class:`IndexNotBuiltError` when there is none and
        :class:`IndexMismatchError` when it was built by another model or code version.
        """
        root = Path(root)
        version = current_version(root)
        if version is None:
            raise IndexNotBuiltError(f"no index at {root}: run `budgetqa build` first")
        meta = json.loads((version / "meta.json").read_text(encoding="utf-8"))
        if meta.get("code_version") != CODE_VERSION:
            raise IndexMismatchError(
                f"the index at {root} was built by another version of budgetqa: run `budgetqa build` again"
            )
        if model is not None and model != meta["model"]:
            raise IndexMismatchError(
                f"the index at {root} was built with model {meta['model']!r}, not {model!r}: "
                f"run `budgetqa build --model {model}` to rebuild it, or use the model it was built with"
            )
        with sqlite3.connect(f"file:{version / 'records.sqlite'}?mode=ro", uri=True) as db:
            documents = [codec.loads(row[0]) for row in db.execute("SELECT payload FROM documents")]
            chunks = [
                Chunk(*row)
                for row in db.execute(f"SELECT {', '.join(_CHUNK_FIELDS)} FROM chunks ORDER BY row")
            ]
        vectors = np.load(version / "vectors.npy", allow_pickle=False)
        dense = faiss.read_index(str(version / "dense.faiss"))
        if isinstance(dense, faiss.IndexHNSWFlat):
            dense.hnsw.efSearch = HNSW_EF_SEARCH
        lexical = LexicalIndex.load(version / "lexical", len(chunks))
        return cls(version, meta, documents, chunks, vectors, dense, lexical)

    # --- read access for ``qa`` (public, so callers never reach into the arrays) ----------

    def chunk_row(self, chunk_id: str) -> int | None:
        """The row of a chunk (its position in ``chunks`` and ``vectors``), or None."""
        rows = self.__dict__.get("_rows")
        if rows is None:
            rows = self.__dict__["_rows"] = {chunk.id: i for i, chunk in enumerate(self.chunks)}
        return rows.get(chunk_id)

    def vectors_of(self, chunk_ids: list[str]) -> np.ndarray:
        """The stored embeddings of these chunks, in order (a zero row for an unknown id)."""
        out = np.zeros((len(chunk_ids), self.vectors.shape[1]), dtype=self.vectors.dtype)
        for index, chunk_id in enumerate(chunk_ids):
            row = self.chunk_row(chunk_id)
            if row is not None:
                out[index] = self.vectors[row]
        return out

    def vocabulary(self) -> frozenset[str]:
        """Every word the lexical index knows (what the corpus prints)."""
        return frozenset(str(token) for token in self.lexical.bm25.vocab_dict)


def _chunk_columns(chunks: list[Chunk]) -> dict[str, np.ndarray]:
    """Chunk metadata as arrays, for fast filtering."""
    return {
        "kind": np.array([c.kind for c in chunks], dtype=object),
        "doc": np.array([c.doc for c in chunks], dtype=object),
        "region": np.array([c.region or "" for c in chunks], dtype=object),
        "year": np.array([c.year or 0 for c in chunks], dtype=np.int32),
        "level1": np.array([c.level1 or "" for c in chunks], dtype=object),
        "level2": np.array([c.level2 or "" for c in chunks], dtype=object),
        "project_id": np.array([c.project_id or "" for c in chunks], dtype=object),
    }
