"""The index worker: ``python -m qa.ui.worker`` builds one new index version for the server.

:class:`qa.ui.indexer.Indexer` starts it for each upload (and at start-up when files are
waiting), so the server keeps answering from the live version while this process reads,
parses and writes at a lower CPU priority, in its own memory. It never loads the model: the
texts to embed are sent to the server, whose one encoder embeds them between questions.
It dies with the server (``PR_SET_PDEATHSIG`` on Linux), so a killed server leaves no
build running; the new version only goes live when it is complete (:mod:`index.store`).

One JSON object per line, the job first (server → worker), then::

    worker → server   {"stage": "check" | "parse" | "embed" | "write", "done": n, "total": N}
                      {"embed": [text, …]}            (the server answers {"vectors": base64})
                      {"refused": english, "zh": chinese}   the upload is not added
                      {"placed": {…}}                 the upload passed, stored under uploads/
                      {"built": {…}}                  the new version is live
                      {"failed": english}             the build failed; nothing was changed
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
from pathlib import Path

import numpy as np

from index.build import build_index
from index.config import Settings
from index.errors import BudgetIndexError

from .errors import UploadRejectedError
from .indexer import Channel, settings_from_json, vectors_from_json
from .service import index_sources

logger = logging.getLogger("budgetqa.worker")
PR_SET_PDEATHSIG = 1


class RemoteEncoder:
    """The server's encoder, as :func:`index.build.build_index` sees it (passages only)."""

    def __init__(self, channel: Channel, spec: dict):
        self.channel = channel
        for name, value in spec.items():  # name, dimension (and whatever else the cache keys on)
            setattr(self, name, value)

    def encode_passages(self, texts: list[str], **_) -> np.ndarray:
        self.channel.send(embed=list(texts))
        return vectors_from_json(self.channel.receive()["vectors"])

    def encode_queries(self, texts: list[str], **_) -> np.ndarray:
        raise NotImplementedError("the index worker embeds passages only")


def _die_with_server(parent: int) -> None:
    """Ask Linux to kill this process when the server goes (a no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the server went before the request took hold
        os._exit(1)


def _check(job: dict, channel: Channel, settings: Settings) -> dict | None:
    """Parse and place the upload (None when refused: the refusal has been sent)."""
    from .uploads import check_upload, place_upload, summary

    staged, name = Path(job["staged"]), job["name"]
    channel.send(stage="check", done=0, total=1)
    try:
        parsed = check_upload(staged, name)
        target = place_upload(staged, settings.uploads_dir, name)
    except UploadRejectedError as exc:
        channel.send(refused=str(exc), zh=exc.zh)
        return None
    placed = summary(parsed, target)
    channel.send(placed=placed)
    return placed


def run(job: dict, channel: Channel) -> None:
    """Do one job: check and place the upload (if any), then build the index of the sources."""
    settings = settings_from_json(job["settings"])
    placed = _check(job["upload"], channel, settings) if job.get("upload") else None
    if job.get("upload") and placed is None:
        return
    target = Path(placed["path"]) if placed else None
    try:
        report = build_index(
            index_sources(settings),
            settings.resolved_index_dir,
            RemoteEncoder(channel, job["encoder"]),
            settings.resolved_cache_dir,
            progress=False,
            on_stage=lambda stage, done, total: channel.send(stage=stage, done=done, total=total),
        )
    except (BudgetIndexError, OSError) as exc:
        if target is not None:
            target.unlink(missing_ok=True)
        logger.exception("index build failed")
        channel.send(failed=f"rebuild failed: {exc}")
        return
    if target is not None and any(Path(f.path).name == target.name for f in report.failures):
        target.unlink(missing_ok=True)
        channel.send(refused="unreadable at build time", zh="建索引时无法读取该文件。")
        return
    channel.send(
        built={
            "documents": report.documents,
            "projects": report.projects,
            "indicators": report.indicators,
            "chunks": report.chunks,
            "embedded": report.embedded,
            "cached": report.cached,
            "seconds": report.seconds,
            "failures": [{"path": f.path, "error": str(f.error)} for f in report.failures],
        }
    )


def main() -> None:
    """Read the job, work at the given priority, report; the protocol uses the real stdout."""
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints go to the log
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    sys.stdin.reconfigure(encoding="utf-8")
    channel = Channel(sys.stdin, protocol)
    job = channel.receive()
    _die_with_server(job["server"])
    os.nice(max(0, int(job.get("niceness", 0))))
    run(job, channel)


if __name__ == "__main__":
    main()
