"""Index in the background: new versions are built by a worker process while questions are answered.

The server keeps answering from the live index version. A job (an upload, or the files found
waiting at start-up) runs :mod:`qa.ui.worker` in its own process at a lower CPU priority; the
worker sends the texts it needs embedded to the server's one encoder (which embeds them between
questions, :class:`~qa.ui.batching.BatchingEncoder`), writes the new version, and the server
loads and warms it, then switches to it in one assignment. Jobs run one at a time, in order.

Every job reports its progress through named stages (:data:`STAGES`): 读取 → 解析 → 向量化 n/N →
写入 → 完成.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import IO

import numpy as np

from index.config import Settings

from .errors import UploadRejectedError

logger = logging.getLogger(__name__)

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds qa/ and index/
BUILD_NICENESS = 10
ENCODER_FIELDS = ("name", "dimension", "cache_name", "backend")

# stage -> (Chinese name, where the stage starts and ends on the 0..1 progress bar)
STAGES = {
    "read": ("读取", 0.0, 0.05),
    "queued": ("排队", 0.05, 0.05),
    "check": ("解析", 0.05, 0.1),
    "parse": ("解析", 0.1, 0.3),
    "embed": ("向量化", 0.3, 0.85),
    "write": ("写入", 0.85, 0.99),
    "done": ("完成", 1.0, 1.0),
}


# --- the worker's protocol: JSON lines ---------------------------------------------------------


def settings_json(settings: Settings) -> dict:
    """Settings as JSON (paths marked, so they come back as paths)."""
    return {
        f.name: {"path": str(value)} if isinstance(value, Path) else value
        for f in fields(settings)
        for value in [getattr(settings, f.name)]
    }


def settings_from_json(data: dict) -> Settings:
    """The inverse of :func:`settings_json` (no environment variables are read)."""
    values = {
        name: Path(value["path"]) if isinstance(value, dict) else value
        for name, value in data.items()
    }
    return replace(Settings(), **values)


class Channel:
    """JSON lines to and from the server."""

    def __init__(self, reader: IO[str], writer: IO[str]):
        self.reader = reader
        self.writer = writer

    def send(self, **message) -> None:
        self.writer.write(json.dumps(message, ensure_ascii=False) + "\n")
        self.writer.flush()

    def receive(self) -> dict:
        line = self.reader.readline()
        if not line:
            raise EOFError("the server closed the channel")
        return json.loads(line)


def vectors_json(vectors: np.ndarray) -> dict:
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    return {"shape": list(array.shape), "data": base64.b64encode(array.tobytes()).decode()}


def vectors_from_json(data: dict) -> np.ndarray:
    raw = base64.b64decode(data["data"])
    return np.frombuffer(raw, dtype=np.float32).reshape(data["shape"]).copy()


# --- jobs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """Where a job is: a stage of :data:`STAGES` and, within it, ``done`` of ``total``."""

    stage: str
    done: int = 0
    total: int = 0

    @property
    def name(self) -> str:
        return STAGES[self.stage][0]

    @property
    def fraction(self) -> float:
        _, start, end = STAGES[self.stage]
        part = min(1.0, self.done / self.total) if self.total else 0.0
        return round(start + (end - start) * part, 4)

    @property
    def text(self) -> str:
        """``向量化 120/466（62%）``: the stage, its count where it has one, the whole job's %."""
        counted = self.stage in ("parse", "embed")
        label = f"{self.name} {self.done}/{self.total}" if counted else self.name
        return f"{label}（{round(self.fraction * 100)}%）"


@dataclass(frozen=True)
class StagedUpload:
    """An upload that passed the first checks: its staged copy and the name it was sent with."""

    staged: Path
    name: str


class IndexJob:
    """One background build: its progress (in order) and its outcome.

    ``placed`` is the upload's summary once it passed the checks and was stored; the outcome
    is ``(placed, built)`` (the worker's summaries), or the error that ended the job.
    """

    def __init__(self, upload: StagedUpload | None = None):
        self.upload = upload
        self.placed: dict | None = None
        self.worker: int | None = None  # the worker's process id while it runs
        self._steps: list[Progress] = []
        self._outcome: tuple[dict | None, dict] | None = None
        self._error: Exception | None = None
        self._finished = False
        self._changed = threading.Condition()

    def report(self, stage: str, done: int = 0, total: int = 0) -> None:
        with self._changed:
            self._steps.append(Progress(stage, done, total))
            self._changed.notify_all()

    def finish(self, outcome=None, error: Exception | None = None) -> None:
        if self.upload is not None:  # a finished upload leaves no staging copy
            shutil.rmtree(self.upload.staged.parent, ignore_errors=True)
        with self._changed:
            self._outcome, self._error, self._finished = outcome, error, True
            self._changed.notify_all()

    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def progress(self) -> Progress | None:
        """The latest step (None before the first)."""
        return self._steps[-1] if self._steps else None

    def updates(self) -> Iterator[Progress]:
        """Every step as it happens, until the job is finished."""
        seen = 0
        while True:
            with self._changed:
                while len(self._steps) == seen and not self._finished:
                    self._changed.wait()
                new, finished = self._steps[seen:], self._finished
            seen += len(new)
            yield from new
            if finished:
                return

    def result(self, timeout: float | None = None):
        """Wait for the outcome; raises the error that ended the job."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._finished, timeout):
                raise TimeoutError("the index job is still running")
        if self._error is not None:
            raise self._error
        return self._outcome


class Indexer:
    """Runs index jobs for a :class:`~qa.ui.service.Service`, one at a time, in a thread.

    Parameters
    ----------
    service : qa.ui.service.Service
        Whose settings, encoder and live engine the jobs use (and switch).
    niceness : int, default 10
        How much lower the worker's CPU priority is than the server's (0: the same).
    """

    def __init__(self, service, niceness: int = BUILD_NICENESS):
        self.service = service
        self.niceness = niceness
        self._jobs: deque[IndexJob] = deque()
        self._running: IndexJob | None = None
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, upload: StagedUpload | None = None) -> IndexJob:
        """Queue a job (an upload, or None: index whatever the sources hold now)."""
        job = IndexJob(upload)
        if upload:
            job.report("read", 1, 1)
        with self._wake:
            if self._running or self._jobs or not upload:
                job.report("queued")  # behind another build (or a build of what is waiting)
            self._jobs.append(job)
            if self._thread is None or not self._thread.is_alive():
                # the thread that starts the workers lives as long as the server, so each
                # worker's "die with the server" is tied to the server, not to a request
                self._thread = threading.Thread(target=self._serve, name="indexer", daemon=True)
                self._thread.start()
            self._wake.notify()
        return job

    @property
    def jobs(self) -> list[IndexJob]:
        """The running job (first) and the queued ones."""
        with self._wake:
            return [j for j in (self._running, *self._jobs) if j is not None]

    def _serve(self) -> None:
        while True:
            with self._wake:
                self._wake.wait_for(lambda: bool(self._jobs))
                job = self._running = self._jobs.popleft()
            try:
                self._run(job)
            except Exception as exc:
                logger.exception("index job failed")
                job.finish(error=exc)
            finally:
                if not job.finished:
                    job.finish(error=_failed(job, "索引进程意外结束"))
                with self._wake:
                    self._running = None

    def _spawn(self) -> subprocess.Popen:
        env = dict(os.environ)
        paths = (str(PACKAGE_ROOT), env.get("PYTHONPATH"))
        env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
        return subprocess.Popen(
            [sys.executable, "-m", "qa.ui.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            cwd=PACKAGE_ROOT,
            env=env,
        )

    def _spec(self, job: IndexJob) -> dict:
        encoder = self.service.encoder
        upload = job.upload
        return {
            "server": os.getpid(),
            "niceness": self.niceness,
            "settings": settings_json(self.service.settings),
            "encoder": {f: getattr(encoder, f) for f in ENCODER_FIELDS if hasattr(encoder, f)},
            "upload": {"staged": str(upload.staged), "name": upload.name} if upload else None,
        }

    def _run(self, job: IndexJob) -> None:
        process = self._spawn()
        job.worker = process.pid
        channel = Channel(process.stdout, process.stdin)
        try:
            channel.send(**self._spec(job))
            while not job.finished:
                try:
                    message = channel.receive()
                except EOFError:
                    break
                self._handle(job, message, channel)
        except BrokenPipeError:
            logger.warning("the index worker went away")
        finally:
            if not job.finished:
                process.kill()
            code = process.wait()
            process.stdin.close()
            process.stdout.close()
        if not job.finished:
            if job.placed:  # the upload was stored but never indexed: it leaves nothing
                Path(job.placed["path"]).unlink(missing_ok=True)
            job.finish(error=_failed(job, f"索引进程意外结束（代码 {code}）"))

    def _handle(self, job: IndexJob, message: dict, channel: Channel) -> None:
        if "stage" in message:
            job.report(message["stage"], message["done"], message["total"])
        elif "embed" in message:
            channel.send(vectors=vectors_json(self._embed(job, message["embed"])))
        elif "placed" in message:
            job.placed = message["placed"]
        elif "refused" in message:
            job.finish(error=UploadRejectedError(message["refused"], _refusal(job, message["zh"])))
        elif "failed" in message:
            logger.error("index job failed: %s", message["failed"])
            job.finish(error=_failed(job, "重建索引失败，索引保持不变"))
        elif "built" in message:
            self.service.switch(self.service.reopen())
            job.report("done", 1, 1)
            job.finish(outcome=(job.placed, message["built"]))

    def _embed(self, job: IndexJob, texts: list[str]):
        """Embed the worker's texts through the shared encoder, reporting 向量化 n/N."""
        step = job.progress
        done, total = (step.done, step.total) if step and step.stage == "embed" else (0, len(texts))
        encoder = self.service.encoder
        size = getattr(encoder, "passage_batch", len(texts)) or 1
        parts = []
        for start in range(0, len(texts), size):
            parts.append(encoder.encode_passages(texts[start : start + size]))
            job.report("embed", min(total, done + start + len(parts[-1])), total)
        return np.concatenate(parts) if parts else np.zeros((0, encoder.dimension), np.float32)


def _refusal(job: IndexJob, zh: str) -> str:
    name = job.upload.name if job.upload else ""
    return zh if zh.startswith("文件") or not name else f"文件“{name}”未添加：{zh}"


def _failed(job: IndexJob, what: str) -> UploadRejectedError:
    name = job.upload.name if job.upload else "（启动时的待索引文件）"
    return UploadRejectedError(f"{name}: {what}", f"文件“{name}”未添加：{what}，请稍后重试。")
