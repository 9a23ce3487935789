"""The app's state: the live index version, the shared encoder, and background indexing.

A handler takes ``service.engine`` once (:meth:`Service.run`) and answers from that index
version to the end; nothing read-only takes a lock, so requests are served in parallel.
Queries asked at the same time share model calls (:class:`~qa.ui.batching.BatchingEncoder`).
A new version (an upload, or files found waiting at start-up) is built in the background
(:class:`~qa.ui.indexer.Indexer`), loaded and warmed, and switched to in one assignment
(:meth:`Service.switch`): a question sees the old version or the new one, never a mixture.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from index.build import BuildReport
from index.config import Settings
from index.store import read_meta
from index.text import warm_folding

from ..build import build
from ..context import QAContext
from ..engine import Engine, index_is_stale
from ..wording import warm_wording
from .batching import BatchingEncoder
from .indexer import BUILD_NICENESS, Indexer

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Requests a server runs at once (uploads: one). Nothing read-only waits for another request,
# and the more questions are in hand together, the larger the shared encoder's batches (on one
# core: ~23 ms for one query alone, ~9 ms each in a batch of 8, ~7 ms in a batch of 32).
CONCURRENT_REQUESTS = 16
# New container objects between two young passes of the garbage collector (CPython's default:
# 700). A question at 100k rows makes hundreds of thousands (candidate lists, per-record
# tuples), nearly all freed by their reference counts; passes every 700 walked them, and the
# older passes that follow walked what the index derived since start-up: ~30% of an answer.
YOUNG_PASS = 20_000


def index_sources(settings: Settings) -> list[Path]:
    """What the index is built from: the corpus, and the uploads folder once it exists."""
    sources = [Path(settings.corpus_dir)]
    if settings.uploads_dir.is_dir():
        sources.append(settings.uploads_dir)
    return sources


def staging_dir(settings: Settings) -> Path:
    """Where uploads wait while they are checked (emptied at start: they leave nothing)."""
    return settings.data_dir / "upload-staging"


def default_export_dir(settings: Settings) -> Path:
    """The app's one downloads folder for this data dir, in the system's temporary folder
    (where Gradio may serve from); emptied at each start rather than made anew."""
    key = hashlib.sha256(str(Path(settings.data_dir).resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"budgetqa-exports-{key}"


def prepare_index(settings: Settings, progress: bool = True) -> BuildReport | None:
    """Build the index when it is missing or stale (progress bars on the console); else None."""
    sources = index_sources(settings)
    if not index_is_stale(settings, sources):
        return None
    logger.info("building the index of %s", ", ".join(map(str, sources)))
    return build(settings, sources, progress=progress)


class Service:
    """The live engine shared by the app's handlers, and the indexer that replaces it.

    Parameters
    ----------
    engine : qa.engine.Engine
        The loaded index; its encoder is wrapped in a :class:`BatchingEncoder`.
    export_dir : path, optional
        Where downloads are written (default: :func:`default_export_dir`, emptied here).
    build_niceness : int, default 10
        How much lower the index worker's CPU priority is than the server's.
    """

    def __init__(
        self,
        engine: Engine,
        export_dir: str | Path | None = None,
        build_niceness: int = BUILD_NICENESS,
    ):
        encoder = engine.encoder
        self.encoder = encoder if isinstance(encoder, BatchingEncoder) else BatchingEncoder(encoder)
        self._engine = engine.using(self.encoder)
        self.indexer = Indexer(self, build_niceness)
        if export_dir is None:
            export_dir = _empty(default_export_dir(engine.settings))
        self.export_dir = Path(export_dir)
        QAContext.of(self._engine)  # the question reader and records: not the first asker's
        warm_folding()  # the printed forms a ranking's bounds read: not the first asker's either
        settle_heap()

    @property
    def engine(self) -> Engine:
        """The live index version (read it once per request)."""
        return self._engine

    @property
    def settings(self) -> Settings:
        return self._engine.settings

    def run(self, handler: Callable[..., T], *args, **kwargs) -> T:
        """Call ``handler(engine, *args, **kwargs)`` on the live index version. What the
        question derived from the index to keep (``QAContext.kept``: folded texts and the
        like, once per index) is settled as the index was (:func:`settle_heap`)."""
        engine = self._engine
        derived = QAContext.of(engine).derived
        before = len(derived)
        try:
            return handler(engine, *args, **kwargs)
        finally:
            if len(derived) > before:
                gc.freeze()  # no full pass here: it would walk a question's worth of objects

    def reopen(self) -> Engine:
        """An engine over the index version now on disk, warmed so that no question pays for
        it (the question reader, the indicator-wording vectors), its heap settled."""
        engine = self._engine.reopened()
        QAContext.of(engine)
        warm_wording(engine)
        settle_heap()
        return engine

    def switch(self, engine: Engine) -> None:
        """Make ``engine`` the live version (questions already running finish on the old one)."""
        self._engine = engine
        logger.info("serving index version %s", engine.store.path.name)


def settle_heap() -> None:
    """Leave the objects loaded so far (an index's records, readers, caches: over a million at
    100k rows) out of the garbage collector's full passes, which otherwise walk them all again
    and again while questions are answered, and make its young passes rarer
    (:data:`YOUNG_PASS`). They are still freed when no longer referenced; only reference
    cycles among them would be kept (the records hold none)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_PASS, *gc.get_threshold()[1:])


def _empty(directory: Path) -> Path:
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def open_service(settings: Settings, progress: bool = True) -> Service:
    """Load the index and serve it; build first only when there is no usable index.

    Staging copies left by a stopped server are removed. Stored uploads that are not yet in
    the index (the server stopped while adding them) are indexed in the background while the
    current version is served; 文档 lists them as waiting until then.
    """
    shutil.rmtree(staging_dir(settings), ignore_errors=True)
    meta = read_meta(settings.resolved_index_dir)
    if meta is None or meta.get("model") != settings.model:
        prepare_index(settings, progress=progress)
    service = Service(Engine.open(settings))
    if index_is_stale(settings, index_sources(settings)):
        logger.info("indexing files added while the server was stopped, in the background")
        service.indexer.submit()
    return service
