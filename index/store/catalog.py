"""The record catalog: parsed documents, records and chunk metadata in SQLite, read lazily.

Every store backend keeps its catalog in the index directory (``records.sqlite`` plus the chunk
columns in ``columns.npz``/``columns.json``); the backends differ only in where the dense and
lexical search runs. Records are stored as JSON of their dataclass (:mod:`index.codec`), so a
field the parser adds is stored without a schema change here.

Reading is lazy so that a million-row index opens in a second and stays small: a record is
fetched by id when asked for; iterating a map (``store.projects.values()``) reads the table once
and keeps it while the table is small (:data:`EAGER_RECORDS`), else streams it each time.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from pathlib import Path

import numpy as np

from .. import codec
from ..chunk import Chunk
from ..schema import (
    DepartmentFact,
    DepartmentPlan,
    FormField,
    IndicatorRow,
    ParsedDocument,
    Project,
    TextBlock,
)

EAGER_RECORDS = 300_000
# Every kind of record the catalog keeps: its class, where a parsed document holds it, and the
# IndexStore attribute that maps its ids to records. A new kind of record is one line here.
RECORD_KINDS = {
    "project": (Project, "projects", lambda d: d.projects),
    "indicator": (
        IndicatorRow,
        "indicators",
        lambda d: [r for p in d.projects for r in p.indicators] + list(d.department_indicators),
    ),
    "fact": (DepartmentFact, "facts", lambda d: d.facts),
    "field": (FormField, "fields", lambda d: d.all_form_fields),
    "plan": (DepartmentPlan, "plans", lambda d: d.plans),
    "text": (TextBlock, "text_blocks", lambda d: d.text_blocks),
}
CHUNK_FIELDS = [f.name for f in fields(Chunk)]
# Chunk metadata kept as arrays for filtering: categorical columns are codes into a value list.
CATEGORICAL = ("kind", "doc", "region", "level1", "level2", "project_id", "department")
# What project money is totalled by at build (the ``totals`` table): a project's field.
TOTALS_BY = ("region", "department")
_BATCH = 5_000


@dataclass(frozen=True)
class ProjectTotal:
    """The projects of one region (or department) and year, and the exact sum of the amounts
    they print (Decimal 万元; ``priced`` of the ``projects`` print one)."""

    by: str
    name: str
    year: int | None
    projects: int
    priced: int
    amount_wan: Decimal


def project_totals(documents: list[ParsedDocument]) -> list[ProjectTotal]:
    """Every project's amount summed (Decimal) per region and per department, each per year.

    A project stored twice under one id (a later document's wins) counts once.
    """
    projects = {project.id: project for parsed in documents for project in parsed.projects}
    sums: dict[tuple[str, str, int], list] = {}
    for project in projects.values():
        for by in TOTALS_BY:
            key = (by, getattr(project, by) or "", project.year or 0)
            entry = sums.setdefault(key, [0, 0, Decimal(0)])
            entry[0] += 1
            if project.amount_wan is not None:
                entry[1] += 1
                entry[2] += project.amount_wan
    return [
        ProjectTotal(by, name, year or None, count, priced, amount)
        for (by, name, year), (count, priced, amount) in sorted(sums.items())
    ]


def held_records(parsed: ParsedDocument, kind: str) -> list:
    """The records of one kind (``project``, ``indicator``, ``fact`` …) a parsed document
    holds, as the catalog keeps them by id."""
    return list(RECORD_KINDS[kind][2](parsed))


def _records_of(parsed: ParsedDocument) -> Iterator[tuple[str, str, object]]:
    """(kind, id, record) of every record of a document (a later record with an id wins)."""
    for kind, (_, _, held) in RECORD_KINDS.items():
        for record in held(parsed):
            yield kind, record.id, record


def chunk_departments(documents: list[ParsedDocument], chunks: list[Chunk]) -> list[str]:
    """The department of each chunk: its record's (or its project's), else its document's."""
    by_id: dict[str, str] = {}
    by_doc: dict[str, str] = {}
    for parsed in documents:
        by_doc[parsed.document.doc] = parsed.document.department or ""
        for _, record_id, record in _records_of(parsed):
            department = getattr(record, "department", None)
            if department:
                by_id[record_id] = department
    return [
        by_id.get(c.id) or by_id.get(c.project_id or "") or by_doc.get(c.doc, "") for c in chunks
    ]


def write_catalog(
    directory: Path, documents: list[ParsedDocument], chunks: list[Chunk], departments: list[str]
) -> None:
    """Write ``records.sqlite`` and the chunk columns into ``directory``."""
    with sqlite3.connect(directory / "records.sqlite") as db:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("CREATE TABLE documents (doc TEXT PRIMARY KEY, sha256 TEXT, payload TEXT)")
        db.execute(
            "CREATE TABLE records (kind TEXT, id TEXT, payload TEXT, PRIMARY KEY (kind, id))"
            " WITHOUT ROWID"
        )
        db.execute(f"CREATE TABLE chunks (row INTEGER PRIMARY KEY, {', '.join(CHUNK_FIELDS)})")
        for parsed in documents:
            db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?)",
                (parsed.document.doc, parsed.document.sha256, codec.dumps(parsed)),
            )
            db.executemany(
                "INSERT OR REPLACE INTO records VALUES (?, ?, ?)",
                [(k, i, codec.record_dumps(r)) for k, i, r in _records_of(parsed)],
            )
        marks = ", ".join("?" for _ in range(len(CHUNK_FIELDS) + 1))
        for start in range(0, len(chunks), _BATCH):
            db.executemany(
                f"INSERT INTO chunks VALUES ({marks})",
                [
                    (start + i, *(getattr(c, f) for f in CHUNK_FIELDS))
                    for i, c in enumerate(chunks[start : start + _BATCH])
                ],
            )
        db.execute("CREATE INDEX chunks_doc ON chunks (doc)")
        db.execute("CREATE INDEX chunks_id ON chunks (id)")
        _write_totals(db, documents)
    _write_columns(directory, chunks, departments)


def _write_totals(db: sqlite3.Connection, documents: list[ParsedDocument]) -> None:
    """The ``totals`` table: :func:`project_totals`, the amount as exact Decimal text."""
    db.execute(
        "CREATE TABLE totals (by TEXT, name TEXT, year INTEGER, projects INTEGER,"
        " priced INTEGER, amount_wan TEXT, PRIMARY KEY (by, name, year)) WITHOUT ROWID"
    )
    db.executemany(
        "INSERT INTO totals VALUES (?, ?, ?, ?, ?, ?)",
        [
            (t.by, t.name, t.year or 0, t.projects, t.priced, str(t.amount_wan))
            for t in project_totals(documents)
        ],
    )


def _write_columns(directory: Path, chunks: list[Chunk], departments: list[str]) -> None:
    codes: dict[str, np.ndarray] = {}
    values: dict[str, list[str]] = {}
    for name in CATEGORICAL:
        table: dict[str, int] = {}
        column = departments if name == "department" else [getattr(c, name) for c in chunks]
        codes[name] = np.fromiter(
            (table.setdefault(v or "", len(table)) for v in column), np.int32, len(chunks)
        )
        values[name] = list(table)
    codes["year"] = np.fromiter((c.year or 0 for c in chunks), np.int32, len(chunks))
    np.savez(directory / "columns.npz", **codes)
    (directory / "columns.json").write_text(
        json.dumps(values, ensure_ascii=False), encoding="utf-8"
    )


class Catalog:
    """Read access to ``records.sqlite``: one read-only connection per thread."""

    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()

    def execute(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.db = db
        return db.execute(sql, params)

    def count(self, sql: str, params: tuple = ()) -> int:
        return int(self.execute(sql, params).fetchone()[0])

    def totals(self, by: str) -> list[ProjectTotal]:
        """The precomputed :class:`ProjectTotal` of every region (or department) and year."""
        if by not in TOTALS_BY:
            raise ValueError(f"totals by {by!r}: one of {', '.join(TOTALS_BY)}")
        rows = self.execute(
            "SELECT name, year, projects, priced, amount_wan FROM totals WHERE by = ?"
            " ORDER BY name, year",
            (by,),
        )
        return [
            ProjectTotal(by, name, year or None, count, priced, Decimal(amount))
            for name, year, count, priced, amount in rows
        ]


class RecordMap(Mapping):
    """Records of one kind by id (a read-only mapping over the catalog)."""

    def __init__(
        self,
        catalog: Catalog,
        kind: str,
        eager_limit: int = EAGER_RECORDS,
        documents: DocumentMap | None = None,
    ):
        self._catalog = catalog
        self._kind = kind
        self._documents = documents
        self._cls = RECORD_KINDS[kind][0]
        self._size = catalog.count("SELECT COUNT(*) FROM records WHERE kind = ?", (kind,))
        self._eager = self._size <= eager_limit
        self._all: dict | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, key):
        kept = self._kept()
        if kept is not None:
            return kept[key]
        row = self._catalog.execute(
            "SELECT payload FROM records WHERE kind = ? AND id = ?", (self._kind, key)
        ).fetchone()
        if row is None:
            raise KeyError(key)
        return codec.record_loads(row[0], self._cls)

    def many(self, keys) -> dict:
        """The records of those keys that exist, by key (one query, not one per key)."""
        kept = self._kept()
        if kept is not None:
            return {key: kept[key] for key in keys if key in kept}
        found: dict = {}
        wanted = sorted(set(keys))
        for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
            part = wanted[start : start + 500]
            marks = ", ".join("?" * len(part))
            sql = f"SELECT id, payload FROM records WHERE kind = ? AND id IN ({marks})"
            for key, payload in self._catalog.execute(sql, (self._kind, *part)):
                found[key] = codec.record_loads(payload, self._cls)
        return found

    def __contains__(self, key) -> bool:
        kept = self._kept()
        if kept is not None:
            return key in kept
        return (
            self._catalog.execute(
                "SELECT 1 FROM records WHERE kind = ? AND id = ?", (self._kind, key)
            ).fetchone()
            is not None
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self._materialized()) if self._eager else self._stream(keys_only=True)

    def values(self):
        return self._materialized().values() if self._eager else self._stream()

    def items(self):
        if self._eager:
            return self._materialized().items()
        return ((r.id, r) for r in self._stream())

    def _kept(self) -> dict | None:
        """The in-memory map for a lookup by key, or None to read the keys from the catalog.

        While the documents it is built from are not all decoded (a process that only
        searches), a lookup reads its keys: building the map would decode every document,
        all of their rows included (1.1 GB and a minute at 1M rows), for the few records a
        search shows. Once answering has decoded them, the map is built from them."""
        kept = self._all
        if kept is not None:  # read on every lookup: no lock once it is built
            return kept
        if not self._eager or (self._documents is not None and not self._documents.all_held()):
            return None
        return self._materialized()

    def _materialized(self) -> dict:
        kept = self._all
        if kept is not None:  # read on every lookup: no lock once it is built
            return kept
        with self._lock:
            if self._all is None:
                self._all = self._from_documents() or {r.id: r for r in self._stream()}
            return self._all

    def _from_documents(self) -> dict:
        """The records as the kept parsed documents hold them, in id order (as
        :meth:`_stream`): the same objects, so a small index holds each record once."""
        if self._documents is None:
            return {}
        found = {}
        for parsed in self._documents.values():
            found.update((r.id, r) for r in held_records(parsed, self._kind))
        return dict(sorted(found.items()))

    def _stream(self, keys_only: bool = False):
        column = "id" if keys_only else "payload"
        cursor = self._catalog.execute(
            f"SELECT {column} FROM records WHERE kind = ? ORDER BY id", (self._kind,)
        )
        for (value,) in cursor:
            yield value if keys_only else codec.record_loads(value, self._cls)


class DocumentMap(Mapping):
    """Parsed documents by name, decoded on demand and kept once read.

    Every document is kept, however many: answering takes its records from these documents
    (:class:`qa.context.QAContext`), so each project and row is held once, here, whoever reads
    it. Search alone decodes none."""

    def __init__(self, catalog: Catalog):
        self._catalog = catalog
        self._names = [row[0] for row in catalog.execute("SELECT doc FROM documents ORDER BY doc")]
        self._cache: dict[str, ParsedDocument] = {}

    def __len__(self) -> int:
        return len(self._names)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def all_held(self) -> bool:
        """Whether every document has been decoded (and so is held)."""
        return len(self._cache) == len(self._names)

    def __getitem__(self, key) -> ParsedDocument:
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        row = self._catalog.execute("SELECT payload FROM documents WHERE doc = ?", (key,))
        found = row.fetchone()
        if found is None:
            raise KeyError(key)
        # two readers decoding one document at once keep the first copy kept
        return self._cache.setdefault(key, codec.loads(found[0]))


class ChunkList(Sequence):
    """Chunks by row (a read-only sequence over the catalog; small tables are kept once read)."""

    def __init__(self, catalog: Catalog, size: int, eager_limit: int = EAGER_RECORDS):
        self._catalog = catalog
        self._size = size
        self._eager = size <= eager_limit
        self._all: list[Chunk] | None = None
        self._lock = threading.Lock()
        self._select = f"SELECT {', '.join(CHUNK_FIELDS)} FROM chunks"

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(self._size))]
        if self._all is not None:
            return self._all[row]
        if row < 0:
            row += self._size
        if not 0 <= row < self._size:
            raise IndexError(row)
        found = self._catalog.execute(f"{self._select} WHERE row = ?", (int(row),)).fetchone()
        return Chunk(*found)

    def many(self, rows: list[int]) -> list[Chunk]:
        """The chunks at ``rows``, in that order (one query, not one per row)."""
        if self._all is not None:
            return [self._all[row] for row in rows]
        found: dict[int, Chunk] = {}
        wanted = sorted({int(row) for row in rows})
        for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit
            part = wanted[start : start + 500]
            marks = ", ".join("?" * len(part))
            sql = f"SELECT row, {', '.join(CHUNK_FIELDS)} FROM chunks WHERE row IN ({marks})"
            for row, *values in self._catalog.execute(sql, tuple(part)):
                found[row] = Chunk(*values)
        missing = [row for row in rows if int(row) not in found]
        if missing:
            raise IndexError(missing[0])
        return [found[int(row)] for row in rows]

    def __iter__(self) -> Iterator[Chunk]:
        if self._eager:
            with self._lock:
                if self._all is None:
                    self._all = list(self._stream())
            return iter(self._all)
        return self._stream()

    def _stream(self) -> Iterator[Chunk]:
        for found in self._catalog.execute(f"{self._select} ORDER BY row"):
            yield Chunk(*found)


class Columns(Mapping):
    """Chunk metadata as arrays, for fast filtering.

    ``columns[name]`` is an array over chunks (object strings; ``year`` int32, 0 when unknown);
    :meth:`codes` gives a categorical column as ``(codes, values)`` so a filter tests each
    distinct value once.
    """

    def __init__(self, directory: Path):
        with np.load(directory / "columns.npz", allow_pickle=False) as stored:
            self._codes = {name: stored[name] for name in stored.files}
        self._values = json.loads((directory / "columns.json").read_text(encoding="utf-8"))
        self._decoded: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._codes)

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __getitem__(self, name: str) -> np.ndarray:
        if name == "year":
            return self._codes["year"]
        if name not in self._decoded:
            values = np.array(self._values[name], dtype=object)
            self._decoded[name] = values[self._codes[name]]
        return self._decoded[name]

    def at(self, name: str, rows: list[int]) -> list[str]:
        """A categorical column's values at these chunk rows ("" where unset), without
        decoding the whole column."""
        codes, values = self.codes(name)
        return [values[code] for code in codes[np.asarray(rows, dtype=np.int64)].tolist()]

    def codes(self, name: str) -> tuple[np.ndarray, list[str]]:
        """``(codes, values)`` of a categorical column: chunk ``i`` has ``values[codes[i]]``."""
        return self._codes[name], self._values[name]
