"""Application settings: one frozen dataclass, overridable by ``BUDGETQA_*`` variables.

Library functions take their defaults in their signatures; the CLI and the app
build one :class:`Settings` with :func:`load_settings` and pass its values down.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "intfloat/multilingual-e5-small"


@dataclass(frozen=True)
class Settings:
    """Where things live and how the app runs.

    Every field can be set by an environment variable named ``BUDGETQA_`` + the
    upper-cased field name (``BUDGETQA_INDEX_DIR=/srv/idx``).
    """

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    data_dir: Path = PROJECT_ROOT / "data"
    index_dir: Path | None = None
    model: str = DEFAULT_MODEL
    model_cache: Path | None = None
    encoder_backend: str = "onnx-int8"  # 2.3x torch, same dev recall (bench/bench_encoder.py)
    store: str = "local"
    cache_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 7860
    max_upload_mb: int = 50

    @property
    def resolved_index_dir(self) -> Path:
        return self.index_dir or self.data_dir / "index"

    @property
    def resolved_model_cache(self) -> Path:
        return self.model_cache or self.data_dir / "models"

    @property
    def resolved_cache_dir(self) -> Path:
        """Where passage embeddings are cached between builds."""
        return self.cache_dir or self.data_dir / "cache"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"


def load_settings(**overrides) -> Settings:
    """Settings from defaults, then ``BUDGETQA_*`` variables, then explicit overrides (not None)."""
    values = {}
    for spec in fields(Settings):
        raw = os.environ.get(f"BUDGETQA_{spec.name.upper()}")
        if raw is None or raw == "":
            continue
        values[spec.name] = _convert(spec.name, raw)
    settings = replace(Settings(), **values)
    explicit = {
        k: _convert(k, v) if isinstance(v, str) else v
        for k, v in overrides.items()
        if v is not None
    }
    return replace(settings, **explicit)


def _convert(name: str, raw: str):
    if name in ("port", "max_upload_mb"):
        return int(raw)
    if name in ("corpus_dir", "data_dir", "index_dir", "model_cache", "cache_dir"):
        return Path(raw).expanduser()
    return raw
