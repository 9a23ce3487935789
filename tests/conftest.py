"""Shared fixtures: the seed corpus, the gold records, and (session-scoped) parsed documents."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CORPUS = ROOT / "corpus"


def load_gold_projects() -> list[dict]:
    return json.loads((DATA / "gold_projects.json").read_text(encoding="utf-8"))


def load_gold_departments() -> list[dict]:
    return json.loads((DATA / "gold_departments.json").read_text(encoding="utf-8"))


def seed_paths() -> list[Path]:
    return sorted(CORPUS.glob("*.txt"))


def gold_facts(department: dict) -> list[dict]:
    """Every fact with a value anywhere in a gold department record."""
    out: list[dict] = []

    def walk(node):
        if isinstance(node, dict):
            if "fact" in node and "line" in node and node.get("value") is not None:
                out.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(department)
    return out


def dec(value) -> Decimal:
    return Decimal(str(value))


@pytest.fixture(scope="session")
def gold_projects() -> list[dict]:
    return load_gold_projects()


@pytest.fixture(scope="session")
def parsed_seeds():
    from index.parse import parse_file

    return {path.name: parse_file(path) for path in seed_paths()}


# The converted default model and the passage-embedding cache are shared between test
# sessions (deterministic, keyed by model and text hash), so only the first run embeds.
SHARED_CACHE = ROOT / "data" / "test-cache"


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    """Settings of a throwaway data dir over the seed corpus (real default model)."""
    from index.config import load_settings

    data_dir = tmp_path_factory.mktemp("data")
    return load_settings(
        data_dir=data_dir,
        corpus_dir=CORPUS,
        model_cache=SHARED_CACHE / "models",
        cache_dir=SHARED_CACHE / "embeddings",
    )


@pytest.fixture(scope="session")
def engine(settings):
    """The seed corpus indexed once per session with the real model, FAISS and BM25."""
    from qa.build import build
    from qa.engine import Engine

    build(settings, progress=False)
    return Engine.open(settings)


@pytest.fixture(scope="session")
def seed_index_with(settings, tmp_path_factory):
    """The seed corpus in a local store with the dense index type asked (hnsw, ivf: approximate),
    each built once per session."""
    from index.build import build_index
    from index.encoder import load_encoder

    built: dict[str, Path] = {}

    def index(dense_type: str) -> Path:
        if dense_type not in built:
            encoder = load_encoder(settings.model, cache_dir=settings.resolved_model_cache)
            path = tmp_path_factory.mktemp(dense_type) / "index"
            build_index(
                [CORPUS],
                path,
                encoder,
                settings.resolved_cache_dir,
                progress=False,
                dense_type=dense_type,
                store="local",
            )
            built[dense_type] = path
        return built[dense_type]

    return index


@pytest.fixture(scope="session")
def hnsw_index(seed_index_with) -> Path:
    """The seed corpus in a local store whose dense index is HNSW (approximate), built once."""
    return seed_index_with("hnsw")


@pytest.fixture(scope="session")
def web_engine(tmp_path_factory):
    """The real web tables (22 documents of other counties and sectors), indexed once."""
    from index.config import load_settings
    from qa.build import build
    from qa.engine import Engine

    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("web"),
        corpus_dir=DATA / "real" / "web",
        model_cache=SHARED_CACHE / "models",
        cache_dir=SHARED_CACHE / "embeddings",
    )
    build(settings, progress=False)
    return Engine.open(settings)


@pytest.fixture(scope="session")
def real_engine(tmp_path_factory):
    """The real web tables and the Jiangsu 2019 department budget PDFs in one index, built once
    (their own corpus folder: 22 web tables of other counties and sectors, 8 PDFs)."""
    from index.config import load_settings
    from qa.build import build
    from qa.engine import Engine

    directory = tmp_path_factory.mktemp("real")
    corpus = directory / "corpus"
    corpus.mkdir()
    for source in (DATA / "real" / "web").glob("*.txt"):
        shutil.copy(source, corpus / source.name)
    for source in (DATA / "real" / "jiangsu").glob("*.pdf"):
        shutil.copy(source, corpus / source.name)
    settings = load_settings(
        data_dir=directory / "data",
        corpus_dir=corpus,
        model_cache=SHARED_CACHE / "models",
        cache_dir=SHARED_CACHE / "embeddings",
    )
    build(settings, progress=False)
    return Engine.open(settings)
