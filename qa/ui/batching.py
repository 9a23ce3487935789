"""The encoder shared by concurrent requests: queries asked together are embedded in one call.

One thread owns the model. Callers queue their texts and wait; the thread takes every query
waiting (up to ``max_batch`` texts) and embeds them in one ``encode_queries`` call, so twenty
people asking at once cost a few model calls, not twenty. Passages (indicator wordings, a
new document's chunks) are embedded in small batches between query batches: a question
waits for at most one passage batch, and passages still get their turn under load.

Queries share a call only where that cannot change their vectors
(:func:`index.encoder.batch_invariant`):
``onnx-int8`` quantises each call's activations with one scale for the whole batch, so a
question's vector (and perhaps its answer) would depend on who else was asking; there each
question gets its own call, in turn, and answers stay the same as the command line's.

>>> shared = BatchingEncoder(load_encoder(DEFAULT_MODEL))  # doctest: +SKIP
>>> shared.encode_queries(["法律顾问"]).shape  # doctest: +SKIP
(1, 384)
"""

from __future__ import annotations

import logging
import sys
import threading
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from index.encoder import batch_invariant

logger = logging.getLogger(__name__)

MAX_QUERY_BATCH = 64
PASSAGE_BATCH = 8
# The model's thread computes on one core while requests run Python on the other: with two
# model threads, the requests' threads keep preempting one of them and every layer waits for
# it (on 2 cores, 8 concurrent askers: ~80 answers/s with one thread, 9-23 with two).
MODEL_THREADS = 1


@dataclass(eq=False)
class _Request:
    texts: list[str]
    done: threading.Event = field(default_factory=threading.Event)
    result: np.ndarray | None = None
    error: BaseException | None = None

    def wait(self) -> np.ndarray:
        self.done.wait()
        if self.error is not None:
            raise self.error
        return self.result


class BatchingEncoder:
    """Wrap an encoder (``encode_queries`` / ``encode_passages``) for use by many threads.

    Every other attribute (``name``, ``dimension`` …) is the wrapped encoder's, so the
    wrapper goes wherever the encoder goes (the searcher, the embedding cache).

    Parameters
    ----------
    encoder : index.embed.Encoder
        The model; only this wrapper's thread calls it.
    max_batch : int, default 64
        Query texts embedded in one call at most.
    passage_batch : int, default 8
        Passage texts embedded in one call (small, so that questions do not wait long).
    threads : int or None, default 1
        CPU threads the model uses in its thread (None: leave the library's setting).
    share_calls : bool, optional
        Whether queries of different callers may share a call (default: by the encoder's
        ``backend``, :func:`index.encoder.batch_invariant`; unknown backends do not).

    Attributes
    ----------
    calls : int
        Model calls made so far (queries and passages).
    largest_batch : int
        The most query texts embedded in one call so far.
    """

    def __init__(
        self,
        encoder,
        max_batch: int = MAX_QUERY_BATCH,
        passage_batch: int = PASSAGE_BATCH,
        threads: int | None = MODEL_THREADS,
        share_calls: bool | None = None,
    ):
        self.encoder = encoder
        self.max_batch = max_batch
        self.passage_batch = passage_batch
        self.threads = threads
        if share_calls is None:
            share_calls = batch_invariant(encoder)
        self.share_calls = share_calls
        self.calls = 0
        self.largest_batch = 0
        self._queries: deque[_Request] = deque()
        self._passages: deque[tuple[_Request, int]] = deque()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._passage_turn = False

    def __getattr__(self, name: str):
        if name == "encoder":  # not set yet (during unpickling or a failed __init__)
            raise AttributeError(name)
        return getattr(self.encoder, name)

    def __repr__(self) -> str:
        return f"BatchingEncoder({self.encoder!r})"

    def encode_queries(self, texts: list[str], batch_size: int = 32, show_progress: bool = False):
        """Embed search queries, batched with whatever other threads ask at the same time."""
        request = _Request(list(texts))
        if not request.texts:
            return self.encoder.encode_queries([])
        with self._wake:
            self._queries.append(request)
            self._start()
            self._wake.notify()
        return request.wait()

    def encode_passages(self, texts: list[str], batch_size: int = 32, show_progress: bool = False):
        """Embed passages, ``passage_batch`` at a time, between query batches."""
        request = _Request(list(texts))
        if not request.texts:
            return self.encoder.encode_passages([])
        request.result = np.zeros((len(request.texts), self.encoder.dimension), np.float32)
        with self._wake:
            for start in range(0, len(request.texts), self.passage_batch):
                self._passages.append((request, start))
            self._start()
            self._wake.notify()
        return request.wait()

    # --- the model's thread --------------------------------------------------------------------

    def _start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._serve, name="encoder", daemon=True)
            self._thread.start()

    def _serve(self) -> None:
        if self.threads and "torch" in sys.modules:  # here (and threads started later)
            sys.modules["torch"].set_num_threads(self.threads)
        while True:
            with self._wake:
                while not self._queries and not self._passages:
                    self._wake.wait()
                take_passages = self._passages and (not self._queries or self._passage_turn)
                self._passage_turn = not take_passages
                work = self._take_passages() if take_passages else self._take_queries()
            work()

    def _take_queries(self):
        batch: list[_Request] = []
        size = 0
        limit = self.max_batch if self.share_calls else 0  # 0: the first caller only
        while self._queries and (not batch or size + len(self._queries[0].texts) <= limit):
            request = self._queries.popleft()
            batch.append(request)
            size += len(request.texts)
        return lambda: self._run_queries(batch)

    def _take_passages(self):
        request, start = self._passages.popleft()
        last = not any(r is request for r, _ in self._passages)
        return lambda: self._run_passages(request, start, last)

    def _run_queries(self, batch: list[_Request]) -> None:
        texts = list(dict.fromkeys(t for request in batch for t in request.texts))
        try:
            vectors = self.encoder.encode_queries(texts, batch_size=max(32, len(texts)))
        except Exception as exc:  # noqa: BLE001 (handed to every caller of the batch)
            if len(batch) > 1:  # one caller's bad text must not fail the others
                for request in batch:
                    self._run_queries([request])
                return
            batch[0].error = exc
            batch[0].done.set()
            return
        self.calls += 1
        self.largest_batch = max(self.largest_batch, len(texts))
        row = {text: i for i, text in enumerate(texts)}
        for request in batch:
            request.result = vectors[[row[t] for t in request.texts]]
            request.done.set()

    def _run_passages(self, request: _Request, start: int, last: bool) -> None:
        if request.error is None:
            texts = request.texts[start : start + self.passage_batch]
            try:
                request.result[start : start + len(texts)] = self.encoder.encode_passages(texts)
                self.calls += 1
            except Exception as exc:  # noqa: BLE001 (handed to the caller)
                request.error = exc
        if last:
            request.done.set()
