"""Build the index of a corpus for answering: the index itself, then the wording vectors."""

from __future__ import annotations

from pathlib import Path

from index.build import BuildReport, build_index
from index.config import Settings
from index.encoder import load_encoder

from .engine import Engine
from .wording import warm_wording


def build(
    settings: Settings,
    paths: list[str | Path] | None = None,
    model: str | None = None,
    progress: bool = True,
) -> BuildReport:
    """Build (or rebuild) the index of the corpus (and any extra paths).

    Also embeds the corpus's distinct indicator wordings (cached on disk), so the first
    wording or drafting question does not pay for them.
    """
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
