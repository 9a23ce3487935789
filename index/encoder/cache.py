"""A persistent cache of passage embeddings keyed by model and text hash.

Rebuilding after one document changes re-embeds only the texts that changed.
Vectors are stored as raw float32 bytes in SQLite (no pickle).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Embeddings of one model, by text hash."""

    def __init__(self, directory: Path, model: str, dimension: int):
        directory.mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", model)[-80:]
        self.path = directory / f"embeddings-{slug}.sqlite"
        self.dimension = dimension
        self._db = sqlite3.connect(self.path)
        self._db.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB)")

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            marks = ",".join("?" for _ in batch)
            for key, blob in self._db.execute(
                f"SELECT key, vec FROM emb WHERE key IN ({marks})", batch
            ):
                vector = np.frombuffer(blob, dtype=np.float32)
                if vector.shape[0] == self.dimension:
                    found[key] = vector
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO emb VALUES (?, ?)",
            [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
        )
        self._db.commit()

    def close(self) -> None:
        self._db.close()


def embed_with_cache(
    texts: list[str],
    encode: Callable[[list[str]], np.ndarray],
    cache: EmbeddingCache,
    batch_size: int = 256,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Embeddings of ``texts`` in order, encoding only those not cached.

    ``progress(done, total)`` is called with the texts encoded so far and the texts to
    encode (the distinct ones not cached): once before the first batch and after each.
    Returns the matrix and how many texts were newly encoded.
    """
    keys = [text_key(t) for t in texts]
    known = cache.get_many(list(dict.fromkeys(keys)))
    missing = list(dict.fromkeys(k for k in keys if k not in known))
    by_key = dict(zip(keys, texts, strict=True))
    if progress:
        progress(0, len(missing))
    for start in range(0, len(missing), batch_size):
        batch = missing[start : start + batch_size]
        vectors = encode([by_key[k] for k in batch])
        fresh = dict(zip(batch, vectors, strict=True))
        cache.put_many(fresh)
        known.update(fresh)
        if progress:
            progress(start + len(batch), len(missing))
    matrix = (
        np.stack([known[k] for k in keys]).astype(np.float32)
        if keys
        else np.zeros((0, cache.dimension), np.float32)
    )
    return matrix, len(missing)
