"""The engine: a loaded index, its encoder and searcher, shared by the CLI and the app."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from index.build import BuildReport, build_index, corpus_files
from index.config import Settings
from index.encoder import load_encoder
from index.search import Searcher
from index.store import IndexStore, read_meta

logger = logging.getLogger(__name__)


@dataclass
class Engine:
    """Everything needed to answer: settings, store, encoder, searcher."""

    settings: Settings
    store: IndexStore
    encoder: object
    searcher: Searcher

    @classmethod
    def open(cls, settings: Settings, model: str | None = None) -> Engine:
        """Load the index of ``settings`` (refusing one built with another model)."""
        meta = read_meta(settings.resolved_index_dir)
        wanted = model or (meta["model"] if meta else settings.model)
        store = IndexStore.load(settings.resolved_index_dir, model=wanted)
        encoder = load_encoder(store.model, cache_dir=settings.resolved_model_cache)
        return cls(settings, store, encoder, Searcher(store, encoder))

    def reload(self) -> None:
        """Pick up a rebuilt index."""
        self.store = IndexStore.load(self.settings.resolved_index_dir, model=self.store.model)
        self.searcher = Searcher(self.store, self.encoder)


def build(
    settings: Settings,
    paths: list[str | Path] | None = None,
    model: str | None = None,
    progress: bool = True,
) -> BuildReport:
    """Build (or rebuild) the index of the corpus (and any extra paths)."""
    encoder = load_encoder(model or settings.model, cache_dir=settings.resolved_model_cache)
    sources = paths or [settings.corpus_dir]
    report = build_index(
        sources,
        settings.resolved_index_dir,
        encoder,
        settings.resolved_cache_dir,
        progress=progress,
    )
    warm_wording(Engine.open(settings, model=encoder.name))
    return report


def warm_wording(engine: Engine) -> None:
    """Embed the corpus's distinct indicator wordings now (cached on disk), so the first
    wording or drafting question does not pay for it."""
    from .cluster import level3_vectors

    level3_vectors(engine, list(engine.store.indicators.values()))


def index_is_stale(
    settings: Settings, paths: list[str | Path] | None = None, model: str | None = None
) -> bool:
    """True when no index exists, it was built by another model, or the corpus files changed."""
    import hashlib

    meta = read_meta(settings.resolved_index_dir)
    if meta is None or meta.get("model") != (model or settings.model):
        return True
    files = corpus_files(paths or [settings.corpus_dir])
    known = meta.get("documents", {})
    failed = {Path(f["path"]).name for f in meta.get("failures", [])}
    current = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    expected = {name: digest for name, digest in known.items()}
    return {k: v for k, v in current.items() if k not in failed} != expected
