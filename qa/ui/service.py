"""The app's state: the live engine, the lock that guards it, and the index it serves.

Queries and rebuilds share one encoder (and the engine swaps its store on
reload), so every call into the engine goes through :meth:`Service.run`, and a
rebuild holds the same lock while it embeds and reloads.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from index.build import BuildReport
from index.config import Settings

from ..build import build
from ..engine import Engine, index_is_stale

logger = logging.getLogger(__name__)
T = TypeVar("T")


def index_sources(settings: Settings) -> list[Path]:
    """What the index is built from: the corpus, and the uploads folder once it exists."""
    sources = [Path(settings.corpus_dir)]
    if settings.uploads_dir.is_dir():
        sources.append(settings.uploads_dir)
    return sources


def prepare_index(settings: Settings, progress: bool = True) -> BuildReport | None:
    """Build the index when it is missing or stale (progress bars on the console); else None."""
    sources = index_sources(settings)
    if not index_is_stale(settings, sources):
        return None
    logger.info("building the index of %s", ", ".join(map(str, sources)))
    return build(settings, sources, progress=progress)


class Service:
    """An engine shared by the app's handlers.

    Parameters
    ----------
    engine : qa.engine.Engine
        The loaded index.
    export_dir : path, optional
        Where downloads are written (default: a new temporary directory, which
        Gradio is allowed to serve).
    """

    def __init__(self, engine: Engine, export_dir: str | Path | None = None):
        self.engine = engine
        self.lock = threading.RLock()
        self.export_dir = Path(export_dir or tempfile.mkdtemp(prefix="budgetqa-export-"))

    @property
    def settings(self) -> Settings:
        return self.engine.settings

    def run(self, handler: Callable[..., T], *args, **kwargs) -> T:
        """Call ``handler(engine, *args, **kwargs)`` while no rebuild is under way."""
        with self.lock:
            return handler(self.engine, *args, **kwargs)


def open_service(settings: Settings, progress: bool = True) -> Service:
    """Build the index if needed, then load it."""
    prepare_index(settings, progress=progress)
    return Service(Engine.open(settings))
