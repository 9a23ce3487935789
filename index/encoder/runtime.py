"""ONNX Runtime backends: the same mean-pooling transformer, exported once, run without torch.

``BUDGETQA_ENCODER_BACKEND`` picks how an :class:`~index.encoder.embed.Encoder` runs its model:

- ``torch``: sentence-transformers on torch (the reference);
- ``onnx``: the transformer exported to ONNX (fp32), same vectors to ~1e-6;
- ``onnx-int8``: that graph with dynamic int8 quantisation of its weights (per output channel),
  smaller and faster, cosine to the fp32 vectors ≥ 0.99 (``bench/bench_encoder.py``).

The export uses ``torch.onnx.export`` on the loaded model (eager attention, so the graph is plain
ops), then ``onnxruntime.transformers.optimizer`` fuses LayerNorm/GELU, then
``onnxruntime.quantization.quantize_dynamic``. sentence-transformers' own ``backend="onnx"``
needs ``optimum-onnx``, which requires ``transformers<4.58`` and so cannot be installed beside
this project's transformers 5.

Pooling (mean over the attention mask) and normalisation run in numpy, so a batch of token ids
gives exactly what the torch pipeline gives before its Normalize module. The files live in the
model cache, in a directory per model, built in a temporary directory and renamed into place.

Once a process has loaded the model and checked its export, it leaves beside the export what
serving needs besides the graph (:class:`ServingParts`: the tokenizer's own file, prompts,
dimension, token window); later processes run the model from these alone, without importing
torch or loading its weights, while the model directory is the one they were written from.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import BackendUnavailableError

logger = logging.getLogger(__name__)

BACKENDS = ("torch", "onnx", "onnx-int8")
# backend -> whether a text's vector is the same (to float rounding) whatever texts share its
# call: ``onnx-int8`` quantises a call's activations with one scale for the whole batch, so a
# text embedded with others is ~0.997 cosine of itself embedded alone (0.9955 at worst)
BATCH_INVARIANT = {"torch": True, "onnx": True, "onnx-int8": False}
ONNX_FILES = {"onnx": "model.onnx", "onnx-int8": "model_int8.onnx"}
EXPORT_MARKER = "budgetqa_onnx.json"
EXPORT_VERSION = 1
OPSET = 17
SERVING_FILE = "serving.json"
SERVING_VERSION = 1  # bump when what the serving parts keep, or how it is chosen, changes
SERVING_TOKENIZER = "tokenizer.json"


def check_backend(backend: str) -> str:
    """Return ``backend`` if it is one of :data:`BACKENDS`, else raise."""
    if backend not in BACKENDS:
        raise BackendUnavailableError(
            f"unknown encoder backend {backend!r}; set BUDGETQA_ENCODER_BACKEND to one of "
            f"{', '.join(BACKENDS)}"
        )
    return backend


def export_dir(cache_root: Path, name: str) -> Path:
    """Where the ONNX files of model ``name`` live inside the model cache."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[-80:]
    return cache_root / f"onnx-{slug}"


def ensure_onnx(model, name: str, cache_root: Path, backend: str) -> Path:
    """Return the ONNX file of ``backend`` for the loaded sentence-transformers ``model``.

    Parameters
    ----------
    model : sentence_transformers.SentenceTransformer
        Transformer → mean Pooling → Normalize (checked).
    name : str
        The model's name (identifies the export directory).
    cache_root : pathlib.Path
        The model cache.
    backend : str
        ``onnx`` or ``onnx-int8``.

    Returns
    -------
    pathlib.Path
        The ``.onnx`` file, exported (and quantised) the first time.
    """
    _check_pipeline(model, name)
    target = export_dir(cache_root, name)
    record = _export_record(model)
    if not _is_exported(target, record):
        _build(model, target, record)
    return target / ONNX_FILES[backend]


def _check_pipeline(model, name: str) -> None:
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    modules = list(model)
    ok = (
        len(modules) == 3
        and isinstance(modules[0], Transformer)
        and isinstance(modules[1], Pooling)
        and modules[1].pooling_mode == "mean"
        and modules[1].include_prompt
        and isinstance(modules[2], Normalize)
    )
    if not ok:
        raise BackendUnavailableError(
            f"model {name!r} is not Transformer → mean Pooling → Normalize; the ONNX backends "
            "support only that pipeline: use BUDGETQA_ENCODER_BACKEND=torch"
        )


def _export_record(model) -> dict:
    import torch

    config = model[0].auto_model.config
    return {
        "export_version": EXPORT_VERSION,
        "torch": torch.__version__,
        "hidden": int(config.hidden_size),
        "layers": int(config.num_hidden_layers),
        "weights_sum": sum(float(p.detach().sum(dtype=torch.float64)) for p in model.parameters()),
    }


def _is_exported(target: Path, record: dict) -> bool:
    try:
        recorded = json.loads((target / EXPORT_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    files = all((target / f).is_file() for f in ONNX_FILES.values())
    return files and recorded == record


def _build(model, target: Path, record: dict) -> None:
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.build-", dir=target.parent))
    try:
        raw = work / "raw.onnx"
        _export(model, raw)
        _optimize(raw, work / ONNX_FILES["onnx"], model[0].auto_model.config)
        raw.unlink()
        _quantize(work / ONNX_FILES["onnx"], work / ONNX_FILES["onnx-int8"])
        (work / EXPORT_MARKER).write_text(json.dumps(record, indent=1), encoding="utf-8")
        work.chmod(0o755)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            target.rename(old / target.name)
        try:
            work.rename(target)
        except OSError:
            if not _is_exported(target, record):  # not another process that finished first
                raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise BackendUnavailableError(f"{target}: cannot write the ONNX export ({exc})") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
    logger.info("exported %s in %.1f s", target, time.perf_counter() - started)


def _last_hidden(auto_model):
    """A module mapping ``(input_ids, attention_mask)`` to ``last_hidden_state`` (for export)."""
    import torch

    class LastHidden(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    return LastHidden(auto_model).eval()


def _export(model, path: Path) -> None:
    """Export the transformer with eager attention (plain MatMul/Softmax ops) to ``path``."""
    import torch

    auto_model = model[0].auto_model
    previous = getattr(auto_model.config, "_attn_implementation", None)
    auto_model.config._attn_implementation = "eager"
    ids = torch.tensor([[0, 100, 200, 2], [0, 5, 2, 1]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    axes = {0: "batch", 1: "tokens"}
    try:
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _last_hidden(auto_model),
                (ids, mask),
                str(path),
                input_names=["input_ids", "attention_mask"],
                output_names=["last_hidden_state"],
                dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
                opset_version=OPSET,
                dynamo=False,
            )
    finally:
        auto_model.config._attn_implementation = previous


def _optimize(source: Path, target: Path, config) -> None:
    from onnxruntime.transformers import optimizer

    optimized = optimizer.optimize_model(
        str(source),
        model_type="bert",
        num_heads=int(config.num_attention_heads),
        hidden_size=int(config.hidden_size),
    )
    optimized.save_model_to_file(str(target))


def _quantize(source: Path, target: Path) -> None:
    """Dynamic int8 weights, one scale per output channel (per tensor loses ~1% cosine)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))
    quantize_dynamic(
        str(source),
        str(target),
        weight_type=QuantType.QInt8,
        per_channel=True,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def batch_invariant(encoder) -> bool:
    """Whether ``encoder`` gives a text the same vector whatever texts share its call
    (:data:`BATCH_INVARIANT`; an unknown backend is taken not to)."""
    return BATCH_INVARIANT.get(getattr(encoder, "backend", "torch"), False)


def passages_alone(encoder, texts: list[str]) -> np.ndarray:
    """Passage vectors of the texts, each embedded in a call of its own where the encoder's
    vectors depend on the call (:func:`batch_invariant`): what is embedded while answering
    then never depends on what was embedded with it, i.e. on the questions asked before."""
    if batch_invariant(encoder) or len(texts) <= 1:
        return encoder.encode_passages(texts)
    return np.stack([encoder.encode_passages([text])[0] for text in texts])


class OnnxRunner:
    """An ONNX Runtime session that turns padded token ids into mean-pooled vectors.

    Parameters
    ----------
    path : pathlib.Path
        The ``.onnx`` file.
    threads : int
        Intra-op threads (the machine's encoder budget).
    pad_id : int
        Token id used for padding.
    """

    def __init__(self, path: Path, threads: int, pad_id: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.path = path
        self.pad_id = pad_id
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def pooled(self, batch: list[list[int]]) -> np.ndarray:
        """Mean over each row's tokens of the last hidden state (float64, not normalised)."""
        width = max(len(row) for row in batch)
        input_ids = np.full((len(batch), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for r, row in enumerate(batch):
            input_ids[r, : len(row)] = row
            mask[r, : len(row)] = 1
        hidden = self._session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
        summed = np.einsum("bth,bt->bh", hidden.astype(np.float64), mask.astype(np.float64))
        return summed / mask.sum(axis=1, keepdims=True)


class FileTokenizer:
    """A fast tokenizer read from its own ``tokenizer.json`` (the ``tokenizers`` library, no
    transformers or torch), called as a transformers tokenizer is here: ``tokenizer(texts,
    add_special_tokens=…)["input_ids"]``. It never truncates or pads. ``split_special_tokens``:
    spell out special tokens printed in a text (``</s>``) instead of reading them as special,
    as the model's tokenizer was configured (the file does not keep it)."""

    def __init__(self, path: Path, split_special_tokens: bool = False):
        from tokenizers import Tokenizer

        self.backend_tokenizer = Tokenizer.from_file(str(path))  # as transformers names it
        self.backend_tokenizer.no_truncation()
        self.backend_tokenizer.no_padding()
        self.backend_tokenizer.encode_special_tokens = split_special_tokens
        self.split_special_tokens = split_special_tokens

    def __call__(self, texts, add_special_tokens: bool = True, **_options) -> dict:
        single = isinstance(texts, str)
        found = self.backend_tokenizer.encode_batch(
            [texts] if single else list(texts), add_special_tokens=add_special_tokens
        )
        ids = [encoding.ids for encoding in found]
        return {"input_ids": ids[0] if single else ids}


@dataclass(frozen=True)
class ServingParts:
    """What an ONNX backend needs besides its graph, read from beside the export."""

    tokenizer: FileTokenizer
    dimension: int
    max_tokens: int
    pad_id: int
    prompts: tuple[str, str]


def source_files(source: Path) -> list[list]:
    """Each file of a model directory (path inside it, size, modification time), sorted: what
    tells that the directory still holds the model the export was checked against."""
    found = []
    for path in source.rglob("*"):
        if path.is_file():
            stat = path.stat()
            found.append([path.relative_to(source).as_posix(), stat.st_size, stat.st_mtime_ns])
    return sorted(found)


def save_serving(encoder, target: Path, source: Path) -> None:
    """Write ``encoder``'s serving parts beside its checked export ``target`` (the model from
    ``source``); nothing when its tokenizer has no file of its own (not a fast tokenizer)."""
    backend = getattr(encoder.tokenizer, "backend_tokenizer", None)
    if backend is None:
        return
    description = {
        "version": SERVING_VERSION,
        "export": json.loads((target / EXPORT_MARKER).read_text(encoding="utf-8")),
        "source": str(source),
        "files": source_files(source),
        "dimension": encoder.dimension,
        "max_tokens": encoder.max_tokens,
        "pad_id": encoder.pad_id,
        "prompts": [encoder.query_prompt, encoder.passage_prompt],
        "split_special_tokens": bool(getattr(encoder.tokenizer, "split_special_tokens", False)),
    }
    work = Path(tempfile.mkdtemp(prefix=".serving-", dir=target))
    try:
        backend.save(str(work / SERVING_TOKENIZER))
        (work / SERVING_FILE).write_text(json.dumps(description, ensure_ascii=False), "utf-8")
        (work / SERVING_TOKENIZER).replace(target / SERVING_TOKENIZER)
        (work / SERVING_FILE).replace(target / SERVING_FILE)  # last: it vouches for the rest
    except OSError as exc:
        logger.warning("%s: cannot keep the serving parts (%s)", target, exc)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def load_serving(target: Path, source: Path) -> ServingParts | None:
    """The serving parts beside export ``target``, when they were written for this export of
    the model in ``source`` as it is now; None otherwise (load the model to check it)."""
    try:
        description = json.loads((target / SERVING_FILE).read_text(encoding="utf-8"))
        marker = json.loads((target / EXPORT_MARKER).read_text(encoding="utf-8"))
        current = (
            description["version"] == SERVING_VERSION
            and marker.get("export_version") == EXPORT_VERSION  # else the export is redone
            and description["export"] == marker
            and description["source"] == str(source)
            and description["files"] == source_files(source)
            and all((target / name).is_file() for name in ONNX_FILES.values())
        )
        if not current:
            return None
        return ServingParts(
            FileTokenizer(target / SERVING_TOKENIZER, bool(description["split_special_tokens"])),
            int(description["dimension"]),
            int(description["max_tokens"]),
            int(description["pad_id"]),
            (str(description["prompts"][0]), str(description["prompts"][1])),
        )
    except Exception as exc:  # noqa: BLE001 - tokenizers raises plain Exception on a bad file
        logger.info("%s: serving parts not usable (%s); loading the model", target, exc)
        return None
