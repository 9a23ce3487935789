"""The engine: a loaded index, its encoder, searcher and lexicon, shared by the CLI and the app."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

from index.build import corpus_files
from index.config import Settings
from index.encoder import load_encoder
from index.search import Searcher
from index.store import IndexStore, is_current, read_meta

from .question import Lexicon, load_lexicon

logger = logging.getLogger(__name__)


@dataclass
class Engine:
    """Everything needed to answer: settings, store, encoder, searcher and the lexicon.

    The lexicon is the bundled one plus the user's (``<data_dir>/lexicon.tsv`` or
    ``BUDGETQA_LEXICON``), loaded once here so that every question, wording search and draft
    uses the same one.
    """

    settings: Settings
    store: IndexStore
    encoder: object
    searcher: Searcher
    lexicon: Lexicon | None = field(default=None)

    def __post_init__(self):
        if self.lexicon is None:
            self.lexicon = load_lexicon(self.settings.data_dir)

    @classmethod
    def open(cls, settings: Settings, model: str | None = None) -> Engine:
        """Load the index of ``settings`` (refusing one built with another model)."""
        lexicon = load_lexicon(settings.data_dir)  # a bad user lexicon fails before the model loads
        meta = read_meta(settings.resolved_index_dir)
        wanted = model or (meta["model"] if meta else settings.model)
        store = IndexStore.load(settings.resolved_index_dir, model=wanted)
        encoder = load_encoder(store.model, cache_dir=settings.resolved_model_cache)
        return cls(settings, store, encoder, Searcher(store, encoder), lexicon)

    def using(self, encoder) -> Engine:
        """This engine with another encoder (e.g. one shared by many threads) for its queries."""
        return replace(
            self, encoder=encoder, searcher=Searcher(self.store, encoder, self.searcher.fusion)
        )

    def reopened(self) -> Engine:
        """A new engine over the index version now live on disk (same encoder and lexicon);
        this one keeps serving the version it was opened on."""
        store = IndexStore.load(self.settings.resolved_index_dir, model=self.store.model)
        return replace(
            self, store=store, searcher=Searcher(store, self.encoder, self.searcher.fusion)
        )


def index_is_stale(
    settings: Settings, paths: list[str | Path] | None = None, model: str | None = None
) -> bool:
    """True when no index exists, it was built by another model, or the corpus files changed."""
    meta = read_meta(settings.resolved_index_dir)
    if not is_current(meta, model or settings.model, settings.encoder_backend):
        return True  # missing, or built by another model, encoder backend or code version
    files = corpus_files(paths or [settings.corpus_dir])
    known = meta.get("documents", {})
    failed = {Path(f["path"]).name for f in meta.get("failures", [])}
    current = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    return {k: v for k, v in current.items() if k not in failed} != dict(known)
