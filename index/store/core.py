"""The stored index: a versioned directory with meta.json, the record catalog and a backend.

Layout of an index directory::

    index/
      CURRENT            name of the live version (replaced atomically)
      v-<stamp>/
        meta.json        model, encoder backend, store, dimension, code version, hashes, counts
        records.sqlite   parsed documents, records (JSON), chunk metadata and project totals
        columns.npz/json chunk metadata as categorical arrays, for filters
        vectors.npy      chunk embeddings (float32, L2-normalized), chunk order (VectorFile)
        lexical/         bm25s index (memory-mapped) and the jieba user dictionary
        dense.faiss      the local backend's FAISS index (the Milvus backend keeps a collection)

A build writes a new version beside the live one and then replaces CURRENT, so a build killed
half-way leaves the previous index in use. The backend (:data:`STORES`) is chosen at build time
by ``BUDGETQA_STORE`` and recorded in meta.json; loading follows meta.json.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..chunk import Chunk
from ..config import load_settings
from ..errors import IndexMismatchError, IndexNotBuiltError
from ..lexical import LexicalIndex
from ..schema import ParsedDocument
from .catalog import (
    EAGER_RECORDS,
    RECORD_KINDS,
    Catalog,
    ChunkList,
    Columns,
    DocumentMap,
    ProjectTotal,
    RecordMap,
    chunk_departments,
    write_catalog,
)
from .errors import StoreUnavailableError
from .local import LocalBackend
from .milvus import MilvusBackend

CODE_VERSION = "4"
STORES = {"local": LocalBackend, "milvus": MilvusBackend}


def store_kind(url: str | None) -> str:
    """``local`` for ``""``/``local``/``faiss``; ``milvus`` for ``milvus://…`` URLs."""
    url = (url or "local").strip()
    if url in ("local", "faiss"):
        return "local"
    if "://" in url and url.split("://", 1)[0] in ("milvus", "milvus+http", "milvus+https"):
        return "milvus"
    raise StoreUnavailableError(
        f"unknown store {url!r}: set BUDGETQA_STORE to local, milvus:///path/index.db "
        "(Milvus Lite) or milvus://host:19530 (a Milvus server)"
    )


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
    encoder_backend: str = "torch"
    store: str | None = None


def write_index(root: Path, data: IndexData) -> Path:
    """Write a new version of the index under ``root`` and make it the live one."""
    url = data.store if data.store is not None else load_settings().store
    kind = store_kind(url)
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 100000}"
    version = root / f"v-{stamp}"
    staging = root / f".building-{stamp}"
    staging.mkdir()
    np.save(staging / "vectors.npy", data.vectors, allow_pickle=False)
    data.lexical.save(staging / "lexical")
    departments = chunk_departments(data.documents, data.chunks)
    write_catalog(staging, data.documents, data.chunks, departments)
    backend_meta = STORES[kind].write(staging, data, url, version.name)
    meta = {
        "model": data.model,
        "encoder_backend": data.encoder_backend,
        "store": url if kind != "local" else "local",
        "dimension": int(data.vectors.shape[1]),
        "code_version": CODE_VERSION,
        "chunks": len(data.chunks),
        "documents": {p.document.doc: p.document.sha256 for p in data.documents},
        "failures": data.failures,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "tokenizer": data.lexical.tokenizer.fingerprint,
        **backend_meta,
    }
    (staging / "meta.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    previous = current_version(root)
    staging.rename(version)
    _switch_current(root, version.name)
    # the version that was live stays until the next build: a running server answers from it
    # until it has loaded this one (its records are read on demand, its vectors mapped)
    _remove_old_versions(root, keep={version.name, previous.name if previous else version.name})
    return version


def _switch_current(root: Path, name: str) -> None:
    tmp = root / f".CURRENT.{os.getpid()}"
    tmp.write_text(name, encoding="utf-8")
    os.replace(tmp, root / "CURRENT")


def _remove_old_versions(root: Path, keep: set[str]) -> None:
    for child in root.iterdir():
        if (
            child.is_dir()
            and child.name.startswith(("v-", ".building-"))
            and child.name not in keep
        ):
            try:
                meta = json.loads((child / "meta.json").read_text(encoding="utf-8"))
                STORES[store_kind(meta.get("store"))].drop(meta)
            except (OSError, ValueError, StoreUnavailableError):
                pass
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


def is_current(
    meta: dict | None, model: str | None = None, encoder_backend: str | None = None
) -> bool:
    """True when an index with this meta loads for ``model`` and ``encoder_backend`` (default:
    the configured one): same code version, model and encoder backend."""
    if meta is None:
        return False
    try:
        _check_meta(Path("."), meta, model, encoder_backend or load_settings().encoder_backend)
    except IndexMismatchError:
        return False
    return True


def _check_meta(root: Path, meta: dict, model: str | None, encoder_backend: str) -> None:
    if meta.get("code_version") != CODE_VERSION:
        raise IndexMismatchError(
            f"the index at {root} was built by another version of budgetqa: "
            "run `budgetqa build` again"
        )
    if model is not None and model != meta["model"]:
        raise IndexMismatchError(
            f"the index at {root} was built with model {meta['model']!r}, not {model!r}: "
            f"run `budgetqa build --model {model}` to rebuild it, or use the model it was "
            "built with"
        )
    built = meta.get("encoder_backend", "torch")
    if encoder_backend != built:
        raise IndexMismatchError(
            f"the index at {root} was built with encoder backend {built!r}, not "
            f"{encoder_backend!r}: run `BUDGETQA_ENCODER_BACKEND={encoder_backend} budgetqa "
            f"build` to rebuild it, or set BUDGETQA_ENCODER_BACKEND={built}"
        )


HELD_VECTOR_BYTES = 512 * 2**20  # vectors held in memory up to 512 MB (~350k chunks of 384)
READ_GAP_ROWS = 8  # rows this close together are read in one call, the rows between dropped


class VectorFile:
    """The stored embeddings (``vectors.npy``), read by row.

    Up to :data:`HELD_VECTOR_BYTES` the file is read into memory once. Past it, the rows a
    search or an answer asks for are copied in with positional reads (nearby rows in one call),
    so the process holds only those: a memory map kept every page it had touched, up to the
    whole file (3.6 GB at 2.3M chunks), in the process's resident memory.
    """

    def __init__(self, path: Path):
        with open(path, "rb") as handle:
            version = np.lib.format.read_magic(handle)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
            self.offset = handle.tell()
        if len(shape) != 2 or fortran or dtype != np.float32:
            raise IndexMismatchError(f"{path}: not a float32 matrix in row order: rebuild")
        self.shape: tuple[int, int] = (int(shape[0]), int(shape[1]))
        self.path = path
        self._row_bytes = self.shape[1] * 4
        self._held: np.ndarray | None = None
        if self.shape[0] * self._row_bytes <= HELD_VECTOR_BYTES:
            self._held = np.load(path, allow_pickle=False)
            self._held.flags.writeable = False  # shared by every search, like the map was
            return
        descriptor = os.open(path, os.O_RDONLY)
        self._descriptor = descriptor
        weakref.finalize(self, os.close, descriptor)

    def __len__(self) -> int:
        return self.shape[0]

    def rows(self, positions) -> np.ndarray:
        """The vectors at these row positions, in the order given (a new array)."""
        positions = np.asarray(positions, dtype=np.int64).reshape(-1)
        if positions.size and (positions.min() < 0 or positions.max() >= self.shape[0]):
            raise IndexError(f"vector row out of range 0..{self.shape[0] - 1}")
        if self._held is not None:
            return self._held[positions]
        out = np.empty((positions.size, self.shape[1]), dtype=np.float32)
        if positions.size == 0:
            return out
        order = np.argsort(positions, kind="stable")
        wanted = positions[order]
        breaks = np.flatnonzero(np.diff(wanted) > READ_GAP_ROWS) + 1
        starts = np.concatenate(([0], breaks))
        stops = np.concatenate((breaks, [wanted.size]))
        firsts = wanted[starts]  # each run of rows read in one call: its first row, its length
        counts = wanted[stops - 1] - firsts + 1
        places = np.concatenate(([0], np.cumsum(counts)[:-1]))  # and where it goes in block
        block = np.empty((int(counts.sum()), self.shape[1]), dtype=np.float32)
        view, size = memoryview(block).cast("B"), self._row_bytes
        runs = zip(firsts.tolist(), counts.tolist(), places.tolist(), strict=True)
        for first, count, place in runs:
            self._read_into(view[place * size : (place + count) * size], first)
        run = np.repeat(np.arange(starts.size), stops - starts)  # the run of each wanted row
        out[order] = block[places[run] + wanted - firsts[run]]
        return out

    def all(self) -> np.ndarray:
        """Every vector (read in full past :data:`HELD_VECTOR_BYTES`: for tests and benches)."""
        if self._held is not None:
            return self._held
        block = np.empty(self.shape, dtype=np.float32)
        self._read_into(memoryview(block).cast("B"), 0)
        return block

    def _read_into(self, view: memoryview, first: int) -> None:
        """Fill ``view`` with the file's bytes from row ``first`` on."""
        offset = self.offset + first * self._row_bytes
        done = os.preadv(self._descriptor, [view], offset)
        while done < len(view):  # a read may return fewer bytes than asked
            got = os.preadv(self._descriptor, [view[done:]], offset + done)
            if got == 0:
                raise IndexMismatchError(f"{self.path}: shorter than its header says: rebuild")
            done += got


EAGER_ROWS = EAGER_RECORDS  # the chunk-id → row map is kept in memory while the catalog is
ROWS_BATCH = 500
SIMILARITY_BLOCK = 8192  # chunks whose vectors are read at once to score them (12 MB)


class IndexStore:
    """A loaded index: the record catalog, vectors, the lexical index and a search backend.

    Records and chunks are read from SQLite on demand (:mod:`index.store.catalog`); vectors by
    row (:class:`VectorFile`); the BM25 matrix is memory-mapped; ``backend`` runs dense,
    lexical and (Milvus) hybrid search.
    """

    def __init__(self, path: Path, meta: dict):
        self.path = path
        self.meta = meta
        catalog = Catalog(path / "records.sqlite")
        self.catalog = catalog
        self.documents = DocumentMap(catalog)
        self.chunks = ChunkList(catalog, int(meta["chunks"]))
        for kind, (_, attribute, _) in RECORD_KINDS.items():  # projects, indicators, facts …
            setattr(self, attribute, RecordMap(catalog, kind, documents=self.documents))
        self.columns = Columns(path)
        self.vectors = VectorFile(path / "vectors.npy")
        self.lexical = LexicalIndex.load(path / "lexical", len(self.chunks))
        self.backend = STORES[store_kind(meta.get("store"))].open(path, meta, self)

    @property
    def model(self) -> str:
        return self.meta["model"]

    @property
    def encoder_backend(self) -> str:
        return self.meta.get("encoder_backend", "torch")

    @classmethod
    def load(
        cls, root: str | Path, model: str | None = None, encoder_backend: str | None = None
    ) -> IndexStore:
        """Load the live index under ``root``.

        Raises :class:`IndexNotBuiltError` when there is none and :class:`IndexMismatchError`
        when it was built by another model, encoder backend (default: the configured
        ``BUDGETQA_ENCODER_BACKEND``) or code version.
        """
        root = Path(root)
        version = current_version(root)
        if version is None:
            raise IndexNotBuiltError(f"no index at {root}: run `budgetqa build` first")
        meta = json.loads((version / "meta.json").read_text(encoding="utf-8"))
        _check_meta(root, meta, model, encoder_backend or load_settings().encoder_backend)
        return cls(version, meta)

    # --- read access for ``qa`` (public, so callers never reach into the arrays) ----------

    def _kept_rows(self) -> dict[str, int] | None:
        """The chunk-id → row map (and the ids by row, ``_ids``) while the catalog is no larger
        than :data:`EAGER_ROWS`, read once; None past it."""
        rows = self.__dict__.get("_rows")
        if rows is None and len(self.chunks) <= EAGER_ROWS:
            pairs = self.catalog.execute("SELECT id, row FROM chunks ORDER BY row").fetchall()
            self.__dict__["_ids"] = [chunk_id for chunk_id, _ in pairs]
            rows = self.__dict__["_rows"] = dict(pairs)
        return rows

    def chunk_ids(self, rows: list[int]) -> list[str]:
        """The ids of the chunks at these rows, in order (without reading the chunks)."""
        if self._kept_rows() is not None:
            ids = self.__dict__["_ids"]
            return [ids[row] for row in map(int, rows)]
        found = self._chunk_pairs("row, id", "row", sorted({int(row) for row in rows}))
        missing = [row for row in rows if int(row) not in found]
        if missing:
            raise IndexError(missing[0])
        return [found[int(row)] for row in rows]

    def chunk_row(self, chunk_id: str) -> int | None:
        """The row of a chunk (its position in ``chunks`` and ``vectors``), or None."""
        rows = self._kept_rows()
        if rows is not None:
            return rows.get(chunk_id)
        found = self.catalog.execute("SELECT row FROM chunks WHERE id = ?", (chunk_id,)).fetchone()
        return int(found[0]) if found else None

    def chunk_rows(self, chunk_ids: list[str]) -> list[int | None]:
        """:meth:`chunk_row` of each id (one catalog query per :data:`ROWS_BATCH` ids when
        the rows are not kept in memory)."""
        found = self._kept_rows()
        if found is None:
            found = self._chunk_pairs("id, row", "id", list(dict.fromkeys(chunk_ids)))
        return [found.get(chunk_id) for chunk_id in chunk_ids]

    def _chunk_pairs(self, select: str, column: str, values: list) -> dict:
        """The two ``select``ed fields (first → second) of the chunks whose ``column`` is one
        of ``values``: one catalog query per :data:`ROWS_BATCH` values."""
        found: dict = {}
        for start in range(0, len(values), ROWS_BATCH):
            batch = values[start : start + ROWS_BATCH]
            marks = ", ".join("?" for _ in batch)
            sql = f"SELECT {select} FROM chunks WHERE {column} IN ({marks})"
            found.update(self.catalog.execute(sql, tuple(batch)).fetchall())
        return found

    def vectors_of(self, chunk_ids: list[str]) -> np.ndarray:
        """The stored embeddings of these chunks, in order (a zero row for an unknown id)."""
        out = np.zeros((len(chunk_ids), self.vectors.shape[1]), dtype=np.float32)
        rows = self.chunk_rows(chunk_ids)
        known = [i for i, row in enumerate(rows) if row is not None]
        if known:
            out[known] = self.vectors.rows([rows[i] for i in known])
        return out

    def similarities(self, chunk_ids: list[str], queries: np.ndarray) -> np.ndarray:
        """Inner products of these chunks' stored embeddings with each query (rows: chunks,
        columns: queries; 0 for an unknown id), read :data:`SIMILARITY_BLOCK` chunks at a time:
        at a million rows a broad question scores a few hundred thousand chunks, whose vectors
        read at once were ~0.6 GB for a moment."""
        queries = np.asarray(queries, dtype=np.float32)
        single = queries.ndim == 1
        matrix = queries.reshape(1, -1) if single else queries
        out = np.zeros((len(chunk_ids), matrix.shape[0]), dtype=np.float32)
        for start in range(0, len(chunk_ids), SIMILARITY_BLOCK):
            block = self.vectors_of(chunk_ids[start : start + SIMILARITY_BLOCK])
            for column, query in enumerate(matrix):  # one product per query: the same bits
                out[start : start + len(block), column] = block @ query  # as scoring it alone
        return out[:, 0] if single else out

    def totals(self, by: str = "region") -> list[ProjectTotal]:
        """Project money per region (``by="department"``: per department) and year, summed
        exactly at build (:class:`~index.store.catalog.ProjectTotal`; cached once read)."""
        cache = self.__dict__.setdefault("_totals", {})
        if by not in cache:
            cache[by] = self.catalog.totals(by)
        return cache[by]

    def vocabulary(self) -> frozenset[str]:
        """Every word the lexical index knows (what the corpus prints)."""
        return self.lexical.vocabulary()
