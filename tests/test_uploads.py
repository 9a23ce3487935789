"""Adding documents while the app keeps answering: background indexing, progress, the truth after
a crash, the shared encoder, and what an upload leaves behind.

Real model, real index worker process, real Gradio server (and a real killed one).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from appserver import (
    CORPUS,
    ROOT,
    SEED_LIKE_REGION,
    free_port,
    isolated_engine,
    seed_like_document,
    serve,
)

from index.search import Filters
from index.store import current_version, read_meta
from qa.ui import (
    STAGES,
    BatchingEncoder,
    Service,
    UploadRejectedError,
    add_document,
    ask,
    default_export_dir,
    documents_view,
    open_service,
    pending_files,
    start_upload,
    upload_result,
)

pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")
SEEDS = sorted(p.name for p in CORPUS.glob("*.txt"))


def fresh_document(directory: Path, projects: int = 3, name: str = "新上传 绩效目标表.txt") -> Path:
    """A seed-like document whose project names are new to every cache (so it is embedded)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = seed_like_document(directory, projects)
    marker = uuid.uuid4().hex[:6]
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if cells[0] == "项目名称" and len(cells) > 1 and cells[1]:
            cells[1] += marker
        lines.append("\t".join(cells))
    target = directory / name
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@pytest.fixture
def own_service(engine, tmp_path):
    """A service over a private copy of the index, for tests that add documents."""
    return Service(isolated_engine(engine, tmp_path / "data"), export_dir=tmp_path / "exports")


def _index_state(service):
    root = service.settings.resolved_index_dir
    return current_version(root), read_meta(root)


# --- progress ------------------------------------------------------------------------------------


def test_upload_progress_moves_through_named_stages_to_100(own_service, tmp_path):
    steps: list[tuple[float, str]] = []
    result = add_document(
        own_service, fresh_document(tmp_path), progress=lambda f, text: steps.append((f, text))
    )
    assert result.report.embedded > 0
    names = [text.split("（")[0].split(" ")[0] for _, text in steps]
    order = ["读取", "解析", "向量化", "写入", "完成"]
    assert [n for n in dict.fromkeys(names)] == order, names
    embedding = [text for _, text in steps if text.startswith("向量化")]
    counts = [tuple(map(int, t.split(" ")[1].split("（")[0].split("/"))) for t in embedding]
    assert counts[0][0] == 0 and counts[-1][0] == counts[-1][1] == result.report.embedded
    assert len(set(counts)) > 2  # it moves, batch by batch
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert steps[-1][1] == "完成（100%）"


def test_upload_stage_names_are_chinese():
    assert [name for name, *_ in STAGES.values()] == [
        "读取",
        "排队",
        "解析",
        "解析",
        "向量化",
        "写入",
        "完成",
    ]


def test_uploads_at_once_queue_and_both_are_added(own_service, tmp_path):
    first = start_upload(own_service, fresh_document(tmp_path / "a", projects=1))
    second = start_upload(own_service, fresh_document(tmp_path / "b", projects=2))
    assert "排队" in [step.name for step in second.updates()]
    docs = {upload_result(own_service, job).doc for job in (first, second)}
    assert docs <= set(own_service.engine.store.documents) and len(docs) == 2


# --- serving in parallel -------------------------------------------------------------------------


def test_service_runs_handlers_in_parallel(own_service):
    """Two requests at once: the second runs while the first is still inside the service."""
    inside, release = threading.Event(), threading.Event()
    released = []

    def slow(engine):
        inside.set()
        released.append(release.wait(10))

    first = threading.Thread(target=own_service.run, args=(slow,))
    first.start()
    assert inside.wait(10)
    own_service.run(lambda engine: release.set())  # would wait for the first under one lock
    first.join()
    assert released == [True]


def test_upload_questions_answered_from_live_version_while_indexing(own_service, tmp_path):
    before = own_service.engine
    job = start_upload(own_service, fresh_document(tmp_path, projects=8))
    for step in job.updates():
        if step.stage in ("parse", "embed"):
            break
    answered = []
    for _ in range(3):
        view = own_service.run(ask, f"{SEED_LIKE_REGION}抚恤金是多少")
        answered.append((job.finished, view))
    result = upload_result(own_service, job)
    assert not any(finished for finished, _ in answered)  # nobody waited for the upload
    assert all(v.answer.projects == answered[0][1].answer.projects for _, v in answered)
    assert SEED_LIKE_REGION not in {p.region for p in answered[0][1].answer.projects}
    assert own_service.engine is not before  # switched, in one assignment
    assert before.store.path != own_service.engine.store.path
    late = []  # a request still on the old version, in a thread of its own, after the switch
    thread = threading.Thread(target=lambda: late.append(ask(before, "西青抚恤金多少")))
    thread.start()
    thread.join()
    assert late and late[0].answer.projects
    hits = own_service.engine.searcher.search(
        "抚恤金", k=3, filters=Filters(region=SEED_LIKE_REGION)
    )
    assert hits and hits[0].doc == result.doc


def test_build_keeps_the_version_a_server_may_still_read(engine, tmp_path):
    """Each build keeps the version that was live before it (a server answers from it until
    it has loaded the new one) and removes the older ones."""
    from qa.build import build

    settings = replace(engine.settings, data_dir=tmp_path / "data", index_dir=None)
    root = settings.resolved_index_dir
    versions = []
    for _ in range(3):
        build(settings, [CORPUS / SEEDS[0]], progress=False)
        versions.append(current_version(root).name)
    kept = sorted(p.name for p in root.iterdir() if p.name.startswith("v-"))
    assert kept == sorted(versions[1:])


def _ask_at_once(shared: BatchingEncoder, texts: list[str]) -> dict[str, np.ndarray]:
    start = threading.Barrier(len(texts))
    out: dict[str, np.ndarray] = {}

    def one(text: str) -> None:
        start.wait()
        out[text] = shared.encode_queries([text])[0]

    threads = [threading.Thread(target=one, args=(t,)) for t in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


QUERIES = [f"{region}法律援助经费是多少" for region in ("盐池", "平罗", "秀山", "西青", "阳城")]
QUERIES += ["调解成功率", "服务对象满意度", "普法宣传"]


def test_batching_concurrent_queries_share_encoder_calls(engine):
    shared = BatchingEncoder(engine.encoder, share_calls=True)
    out = _ask_at_once(shared, QUERIES)
    assert shared.calls < len(QUERIES) and shared.largest_batch > 1
    for text in QUERIES:
        alone = engine.encoder.encode_queries([text])[0]
        assert float(out[text] @ alone) > 0.99  # the same to float rounding (int8: ~0.998)
    assert shared.name == engine.encoder.name and shared.dimension == engine.encoder.dimension


def test_batching_keeps_each_query_alone_where_batches_change_vectors(engine):
    """int8 quantises a call's activations with one scale for the whole batch: there each
    question gets its own call, so its vector (and answer) never depends on who else asks."""
    shared = BatchingEncoder(engine.encoder)
    assert shared.share_calls == (getattr(engine.encoder, "backend", "torch") != "onnx-int8")
    alone = BatchingEncoder(engine.encoder, share_calls=False)
    out = _ask_at_once(alone, QUERIES)
    assert alone.calls == len(QUERIES) and alone.largest_batch == 1
    for text in QUERIES:
        assert np.array_equal(out[text], engine.encoder.encode_queries([text])[0])


def test_batching_question_does_not_wait_for_passages(engine):
    """A long passage job (a new document's chunks) gives way to a question between batches."""
    shared = BatchingEncoder(engine.encoder, passage_batch=4)
    passages = [f"第{i}条 安置帮教对象衔接率达到{i}%" for i in range(120)]
    finished: dict[str, float] = {}

    def embed_passages() -> None:
        vectors = shared.encode_passages(passages)
        finished["passages"] = time.monotonic()
        assert vectors.shape == (len(passages), shared.dimension)

    worker = threading.Thread(target=embed_passages)
    worker.start()
    while shared.calls < 2:
        time.sleep(0.01)
    shared.encode_queries(["盐池县法律顾问服务费是多少"])
    finished["query"] = time.monotonic()
    worker.join()
    assert finished["query"] < finished["passages"]
    alone = engine.encoder.encode_passages(passages[:8])
    together = shared.encode_passages(passages[:8])
    assert (together * alone).sum(axis=1).min() > 0.99


def test_batching_bad_request_raises_and_the_encoder_goes_on(engine):
    shared = BatchingEncoder(engine.encoder)
    with pytest.raises(TypeError):
        shared.encode_queries([None])
    assert shared.encode_queries(["普法宣传"]).shape == (1, shared.dimension)


# --- the truth after a failure -------------------------------------------------------------------


def test_upload_refused_or_added_leaves_no_staging_copy(own_service, tmp_path):
    staging = own_service.settings.data_dir / "upload-staging"
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 64)
    with pytest.raises(UploadRejectedError):
        add_document(own_service, binary)
    notes = tmp_path / "notes.txt"
    notes.write_text("今天开会，讨论了工作安排。\n" * 5, encoding="utf-8")
    with pytest.raises(UploadRejectedError):  # refused by the worker (解析)
        add_document(own_service, notes)
    add_document(own_service, fresh_document(tmp_path, projects=1))
    assert not staging.exists() or not any(staging.iterdir())


def test_upload_worker_killed_mid_build_leaves_nothing(own_service, tmp_path):
    before = _index_state(own_service)
    job = start_upload(own_service, fresh_document(tmp_path))
    for step in job.updates():
        if step.stage == "embed" and job.placed:
            os.kill(job.worker, signal.SIGKILL)
            break
    with pytest.raises(UploadRejectedError) as info:
        job.result(timeout=120)
    assert "未添加" in info.value.zh and "索引进程意外结束" in info.value.zh
    assert _index_state(own_service) == before
    assert not any(own_service.settings.uploads_dir.iterdir())
    assert not pending_files(own_service)


def test_open_service_lists_waiting_upload_then_indexes_it(engine, tmp_path):
    """After a crash: staging copies go; a stored upload not in the index is listed as
    待索引 and added in the background while the current version is served."""
    settings = isolated_engine(engine, tmp_path / "data").settings
    stored = settings.uploads_dir / "某某区司法局_绩效目标表-0123456789ab.txt"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(fresh_document(tmp_path, projects=2).read_bytes())
    leftover = settings.data_dir / "upload-staging" / "0123456789abcdef-1" / "bomb.xlsx"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"PK\x03\x04 half a bomb")
    service = open_service(settings, progress=False)
    assert not leftover.parent.parent.exists()
    view = documents_view(service)
    assert (stored.name, "待索引") in [row[:2] for row in view.rows]
    [job] = service.indexer.jobs
    job.result(timeout=300)
    assert stored.name in service.engine.store.documents
    assert not pending_files(service)
    assert [row[0] for row in documents_view(service).rows] == sorted([*SEEDS, stored.name])


def test_export_dir_is_one_folder_emptied_at_start(engine, tmp_path):
    settings = replace(engine.settings, data_dir=tmp_path / "data")
    folder = default_export_dir(settings)
    (folder / "old.xlsx").parent.mkdir(parents=True, exist_ok=True)
    (folder / "old.xlsx").write_bytes(b"x")
    first = Service(replace(engine, settings=settings))
    second = Service(replace(engine, settings=settings))
    assert first.export_dir == second.export_dir == folder
    assert not any(folder.iterdir())


# --- the real server -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(engine, tmp_path_factory):
    directory = tmp_path_factory.mktemp("served-uploads")
    service = Service(isolated_engine(engine, directory / "data"), export_dir=directory / "exports")
    with serve(service) as url:
        yield url, service


@pytest.fixture(scope="module")
def client(served):
    from gradio_client import Client

    return Client(served[0], verbose=False)


def _gradio_uploads() -> Path:
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder())


def _empty_temp_files() -> set[Path]:
    folder = _gradio_uploads()
    return {p for p in folder.glob("tmp*") if p.is_file() and p.stat().st_size == 0}


@pytest.mark.slow
def test_api_upload_leaves_no_original_or_temp_file_to_download(client, served, tmp_path):
    import httpx
    from gradio_client import handle_file

    url, _ = served
    path = fresh_document(tmp_path, projects=1, name="原件.txt")
    copy = _gradio_uploads() / hashlib.sha256(path.read_bytes()).hexdigest() / path.name
    empty = _empty_temp_files()
    status, table, _ = client.predict(handle_file(str(path)), api_name="/upload")
    assert "已添加" in status and "100%" in status
    assert not copy.exists()
    assert httpx.get(f"{url}/gradio_api/file={copy}").status_code in (403, 404)
    assert _empty_temp_files() <= empty


@pytest.mark.slow
def test_api_refused_upload_names_the_file_and_keeps_the_index(client, served, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    before = _index_state(served[1])
    notes = tmp_path / "会议记录.txt"
    notes.write_text("今天开会，讨论了工作安排。\n" * 5, encoding="utf-8")
    with pytest.raises(AppError, match="文件“会议记录.txt”未添加"):
        client.predict(handle_file(str(notes)), api_name="/upload")
    assert _index_state(served[1]) == before


@pytest.mark.slow
def test_api_ask_while_uploading_is_not_held_up(client, served, tmp_path):
    from gradio_client import Client, handle_file

    url, service = served
    uploading = Client(url, verbose=False).submit(
        handle_file(str(fresh_document(tmp_path, projects=8, name="大文件.txt"))),
        api_name="/upload",
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(
        "向量化" in str(out[0]) for out in uploading.outputs()
    ):
        time.sleep(0.05)
    answered_while_indexing = []
    for _ in range(3):
        text, *_ = client.predict("西青抚恤金多少", api_name="/ask")
        answered_while_indexing.append(not uploading.done() and "18" in text)
    status, *_ = uploading.result()
    assert "已添加" in status
    assert all(answered_while_indexing)


def _app(data_dir: Path, port: int, cache: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "BUDGETQA_DATA_DIR": str(data_dir),
        "BUDGETQA_CORPUS_DIR": str(CORPUS),
        "BUDGETQA_CACHE_DIR": str(cache / "embeddings"),
        "BUDGETQA_MODEL_CACHE": str(cache / "models"),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    return subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(url: str, process: subprocess.Popen, seconds: float = 300):
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the app exited"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer")


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found.update(int(c) for c in children)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (FileNotFoundError, ProcessLookupError):  # gone before or while /proc was read
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")
def test_server_killed_mid_upload_then_restarted_adds_it(engine, tmp_path):
    """kill -9 during an upload: the worker dies with the server; at the next start the
    staging copies are gone and the stored upload is listed as 待索引, then added."""
    from gradio_client import Client, handle_file

    data = isolated_engine(engine, tmp_path / "data").settings.data_dir
    cache = ROOT / "data" / "test-cache"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = _app(data, port, cache)
    try:
        _wait_for(url, server)
        document = fresh_document(tmp_path, projects=2)
        Client(url, verbose=False).submit(handle_file(str(document)), api_name="/upload")
        uploads = data / "uploads"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (uploads.is_dir() and any(uploads.iterdir())):
            time.sleep(0.05)
        [stored] = list(uploads.iterdir())
        workers = _children(server.pid)
        server.send_signal(signal.SIGKILL)
        server.wait(30)
    finally:
        if server.poll() is None:
            server.kill()
    time.sleep(1)
    assert workers and not any(_alive(pid) for pid in workers)  # died with the server
    assert stored.name not in (read_meta(data / "index") or {}).get("documents", {})

    restarted = _app(data, port, cache)
    try:
        _wait_for(url, restarted)
        client = Client(url, verbose=False)
        table, warnings = client.predict(api_name="/documents")
        assert not (data / "upload-staging").exists()
        row = next(r for r in table["data"] if r[0] == stored.name)
        assert row[1] in ("待索引", SEED_LIKE_REGION)  # listed, waiting or already added
        deadline = time.monotonic() + 300
        while row[1] == "待索引" and time.monotonic() < deadline:
            time.sleep(1)
            table, _ = client.predict(api_name="/documents")
            row = next(r for r in table["data"] if r[0] == stored.name)
        assert row[1] == SEED_LIKE_REGION
    finally:
        restarted.terminate()
        restarted.wait(30)


# --- the page ------------------------------------------------------------------------------------

STATUS_LOG = """() => {
    window.statusLog = [];
    const status = document.querySelector('#upload-status');
    new MutationObserver(() => window.statusLog.push(status.innerText))
        .observe(status, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def browser(served):
    from playwright.sync_api import expect, sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing: run `make browser`")
    expect.set_options(timeout=180_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 1200}, locale="zh-CN")
    context.set_default_timeout(180_000)
    page = context.new_page()
    page.goto(served[0])
    page.get_by_role("tab", name="文档").click()
    yield page
    context.close()


def _upload_in_page(page, path: Path) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#documents-table")).to_contain_text(SEEDS[0], use_inner_text=True)
    page.locator("#upload-file input[type=file]").set_input_files(str(path))
    expect(page.locator("#upload-file")).to_contain_text(path.stem)
    page.evaluate(STATUS_LOG)
    page.locator("#upload-button").click()


def _errors_in(page, selector: str) -> list[str]:
    return page.locator(selector).evaluate(
        "e => Array.from(e.querySelectorAll('.error')).map(x => x.textContent)"
    )


@pytest.mark.slow
def test_page_upload_progress_moves_beside_the_button_to_100(page, tmp_path):
    from appserver import ARTIFACTS
    from playwright.sync_api import expect

    _upload_in_page(page, fresh_document(tmp_path, projects=2, name="页面上传.txt"))
    expect(page.locator("#upload-status")).to_contain_text("已添加")
    expect(page.locator("#documents-table")).to_contain_text(SEED_LIKE_REGION, use_inner_text=True)
    log = page.evaluate("window.statusLog")
    seen = [s for s in ("读取", "解析", "向量化", "写入", "完成") if any(s in text for text in log)]
    assert len(seen) >= 3 and any("向量化" in t and "/" in t for t in log), log
    assert "100%" in log[-1]
    assert not _errors_in(page, "#documents-table")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "upload-added.png"), full_page=True)


@pytest.mark.slow
def test_page_refused_upload_keeps_the_documents_list(page, tmp_path):
    from playwright.sync_api import expect

    notes = tmp_path / "会议记录.txt"
    notes.write_text("今天开会，讨论了工作安排。\n" * 5, encoding="utf-8")
    _upload_in_page(page, notes)
    expect(page.locator("#upload-status")).to_contain_text("未添加")
    expect(page.get_by_text("文件“会议记录.txt”未添加").first).to_be_visible()
    assert not _errors_in(page, "#documents-table") and not _errors_in(page, "#documents-warnings")
    expect(page.locator("#documents-table")).to_contain_text(SEEDS[0], use_inner_text=True)
