"""Build the index: documents → parse → chunks → embeddings + BM25 → store."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from .chunk import Chunk, chunks_for
from .encoder import EmbeddingCache, embed_with_cache
from .lexical import LexicalIndex, Tokenizer, domain_terms
from .parse import FileFailure, parse_files
from .readers import SUPPORTED_SUFFIXES
from .schema import ParsedDocument
from .store import IndexData, write_index

logger = logging.getLogger(__name__)

# on_stage(stage, done, total): "parse" per document, "embed" per batch, "write" once
StageReport = Callable[[str, int, int], None]


@dataclass
class BuildReport:
    """What a build did, for the CLI and the app."""

    index_dir: Path
    documents: int = 0
    projects: int = 0
    indicators: int = 0
    chunks: int = 0
    embedded: int = 0
    cached: int = 0
    seconds: float = 0.0
    failures: list[FileFailure] = field(default_factory=list)


def corpus_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files to index: each path, or every supported file under a directory (sorted)."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not p.name.startswith(".")
            )
        else:
            files.append(path)
    return files


def user_words(documents: list[ParsedDocument]) -> list[str]:
    """Words for jieba: domain terms plus the corpus's short indicator and project names."""
    words = set(domain_terms())
    for parsed in documents:
        for project in parsed.projects:
            if len(project.name) <= 12:
                words.add(project.name)
            words.update(r.level3 for r in project.indicators if 2 <= len(r.level3) <= 10)
    return sorted(words)


def build_index(
    paths: Iterable[str | Path],
    index_dir: str | Path,
    encoder,
    cache_dir: str | Path,
    progress: bool = True,
    dense_type: str | None = None,
    store: str | None = None,
    on_stage: StageReport | None = None,
) -> BuildReport:
    """Parse, chunk, embed (through the cache) and store. Returns a report.

    Each distinct chunk text is embedded once (texts are keyed by content hash, then looked up
    in the embedding cache, which is keyed by the encoder's :attr:`cache_name`). ``store`` is
    the store URL (default: the configured ``BUDGETQA_STORE``). Unreadable files are reported
    in ``failures``; the rest are indexed. ``on_stage(stage, done, total)`` follows the work:
    ``"parse"`` after each document (of all files), ``"embed"`` before and after each batch of
    newly embedded texts (of the texts not in the cache), ``"write"`` once before the lexical
    index and the store are written.
    """
    started = time.perf_counter()
    stage = on_stage or (lambda name, done, total: None)
    files = corpus_files(paths)
    documents: list[ParsedDocument] = []
    failures: list[FileFailure] = []
    for done, result in enumerate(
        tqdm(parse_files(files), total=len(files), desc="parse", unit="doc", disable=not progress),
        start=1,
    ):
        (failures if isinstance(result, FileFailure) else documents).append(result)
        stage("parse", done, len(files))
    chunks: list[Chunk] = [c for parsed in documents for c in chunks_for(parsed)]
    cache_name = getattr(encoder, "cache_name", encoder.name)
    cache = EmbeddingCache(Path(cache_dir), cache_name, encoder.dimension)
    try:
        texts = [c.text for c in chunks]
        with tqdm(total=len(texts), desc="embed", unit="chunk", disable=not progress) as bar:

            def embedding(done: int, total: int) -> None:
                bar.update(done - bar.n)
                stage("embed", done, total)

            vectors, embedded = embed_with_cache(
                texts, encoder.encode_passages, cache, progress=embedding
            )
            bar.update(len(texts) - bar.n)
    finally:
        cache.close()
    stage("write", 0, 1)
    lexical = LexicalIndex.build([c.text for c in chunks], Tokenizer(user_words(documents)))
    data = IndexData(
        documents=documents,
        chunks=chunks,
        vectors=vectors,
        lexical=lexical,
        model=encoder.name,
        failures=[{"path": f.path, "error": str(f.error)} for f in failures],
        dense_type=dense_type,
        encoder_backend=getattr(encoder, "backend", "torch"),
        store=store,
    )
    write_index(Path(index_dir), data)
    return BuildReport(
        index_dir=Path(index_dir),
        documents=len(documents),
        projects=sum(len(p.projects) for p in documents),
        indicators=sum(len(p.indicator_rows) for p in documents),
        chunks=len(chunks),
        embedded=embedded,
        cached=len(set(texts)) - embedded,
        seconds=time.perf_counter() - started,
        failures=failures,
    )
