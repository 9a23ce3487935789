"""Bounded loopback load on the app's ``/ask`` endpoint: throughput, p50/p95 latency, errors.

Starts ``python app.py`` on a free loopback port (building the index first if it is
missing or stale), then runs N concurrent clients for S seconds, each asking questions in
turn, and prints the figures with the CPU each answer cost the server and the clients.
Questions are generated from region × topic × phrasing, so most are new to the server (no
query-vector cache hits); ``--repeat`` asks the same few questions instead (the cached path).
A fresh server each run: a server that has already seen the 600 questions answers faster.

    python bench/bench_load.py [--clients 20] [--seconds 30] [--repeat] [--client http|gradio]
                               [--url http://127.0.0.1:7860 | --app ../other-checkout]

``--client http`` (the default) speaks Gradio's HTTP API with one kept-open connection and
one session per client, ~3 ms of CPU an answer. ``--client gradio`` uses ``gradio_client``,
which makes new HTTP clients for every request; with its default certificate checks each
loads the CA bundle (~60-85 ms of CPU an answer in the benchmark's one interpreter, which
held 20 clients near 12 answers/s on two cores whatever the server did), so on loopback
the bench turns them off. ``--app`` serves another checkout's ``app.py`` (an older commit,
with ``BUDGETQA_DATA_DIR`` set to keep its index apart): versions compared with one client.

``--upload`` measures adding a document under load (default 10 clients × 60 s): the same run
twice against one server over a temporary copy of the index, first without, then while a
seed-sized document (the 17-project seed, moved to a new region so that every chunk is
embedded) is uploaded a few seconds in; it prints both runs, the p95 ratio, the latencies of
the questions asked while the upload was indexing, and how long the upload took.

    python bench/bench_load.py --upload [--clients 10] [--seconds 60]

Only loopback addresses are accepted; clients and duration are capped.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlparse

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent.parent
MAX_CLIENTS = 64
MAX_SECONDS = 300
REGIONS = ("盐池县", "平罗县", "秀山县", "西青区", "阳城县")
TOPICS = (
    "法律援助",
    "人民调解",
    "普法宣传",
    "社区矫正",
    "法律顾问",
    "司法所建设",
    "抚恤金",
    "职工医保",
    "公共法律服务",
    "安置帮教",
    "办案费",
    "装备购置",
    "行政复议",
    "律师值班",
    "调解员补贴",
)
PHRASINGS = (
    "{region}{topic}经费是多少",
    "{region}有没有{topic}项目",
    "{region}{topic}的满意度指标是多少",
    "{region}{topic}项目一共多少钱",
    "{region}{topic}的绩效指标有哪些",
    "{region}{topic}资金安排了多少",
    "{region}{topic}的时效指标是什么",
    "{region}{topic}的数量指标目标值",
)
REPEATED = ("哪些县资助政府法律顾问", "西青抚恤金多少", "盐池县法律顾问服务费的指标值是多少")
SEED_SIZED = ROOT / "corpus" / "004_b98d97a066df5e1f.txt"  # 17 projects, 1,283 chunks
UPLOAD_AFTER = 5.0  # seconds into the run


def questions(repeat: bool) -> list[str]:
    """The questions clients ask, in a fixed order."""
    if repeat:
        return list(REPEATED)
    combos = itertools.product(PHRASINGS, TOPICS, REGIONS)
    return list(dict.fromkeys(p.format(region=r, topic=t) for p, t, r in combos))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    port: int, timeout: float = 600.0, env: dict | None = None, app: Path = ROOT
) -> subprocess.Popen:
    """``python app.py --port PORT`` of the tree ``app`` (this one by default; another
    checkout to compare versions) on loopback; returns once the page answers."""
    process = subprocess.Popen(
        [sys.executable, str(app / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
        cwd=app,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {}), **({} if app == ROOT else {"PYTHONPATH": str(app)})},
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"Error: app.py exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise SystemExit(f"Error: app.py did not answer on port {port} within {timeout:.0f}s")


def listening_pid(port: int) -> int | None:
    """The process listening on loopback ``port`` (Linux ``/proc``; None elsewhere or if
    not found), so that the server's CPU can be read even when it was started by hand."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    for entry in Path("/proc").iterdir() if inodes else ():
        if entry.name.isdigit() and any(_link(fd) in inodes for fd in _listing(entry / "fd")):
            return int(entry.name)
    return None


def _listing(directory: Path) -> list[Path]:
    """A ``/proc`` directory's entries; none when it is gone or not ours to read."""
    try:
        return list(directory.iterdir())
    except OSError:
        return []


def _link(path: Path) -> str:
    """Where a ``/proc`` fd link points; empty when it was closed meanwhile."""
    try:
        return os.readlink(path)
    except OSError:
        return ""


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of process ``pid`` (all its threads), from ``/proc``."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, TypeError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Recorder:
    """Latencies (with when each question was asked) and errors from all client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.spans: list[tuple[float, float]] = []  # (asked, answered), monotonic
        self.errors: list[str] = []
        self.counter = itertools.count()

    def add(self, started: float, error: str | None = None) -> None:
        ended = time.monotonic()
        with self.lock:
            if error is None:
                self.latencies.append(ended - started)
                self.spans.append((started, ended))
            else:
                self.errors.append(error)


class HttpClient:
    """A lean client of Gradio's HTTP API (``POST /gradio_api/call/NAME``, then the event's
    stream): one connection kept open and one session, like a page or a ``gradio_client``,
    at a few milliseconds of CPU a question — so that the load generator leaves the cores
    to the server it measures. ``gradio_client`` makes a new HTTP client (and loads the CA
    bundle) for every request: ~85 ms of CPU each, and 20 of them share one interpreter."""

    def __init__(self, url: str):
        import httpx

        self.http = httpx.Client(base_url=url, timeout=120)
        self.session = uuid.uuid4().hex[:11]

    def predict(self, *data, api_name: str) -> list:
        path = f"/gradio_api/call/{api_name.strip('/')}"
        posted = self.http.post(path, json={"data": list(data), "session_hash": self.session})
        posted.raise_for_status()
        event = ""
        with self.http.stream("GET", f"{path}/{posted.json()['event_id']}") as stream:
            stream.raise_for_status()
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    payload = json.loads(line[5:])
                    if event == "error":
                        raise RuntimeError(f"the server answered an error: {payload}")
                    return payload
        raise RuntimeError(f"the event stream ended without an answer (last event {event!r})")


def make_client(url: str, kind: str):
    """One client of ``kind``: ``http`` (:class:`HttpClient`) or ``gradio`` (gradio_client)."""
    if kind == "http":
        return HttpClient(url)
    from gradio_client import Client

    # loopback HTTP: no certificate is ever checked, and without this every request of
    # gradio_client loads the CA bundle again (~30 ms of CPU)
    return Client(url, verbose=False, ssl_verify=False)


def client_loop(
    url: str, asked: list[str], deadline: float, recorder: Recorder, kind: str = "http"
) -> None:
    client = make_client(url, kind)
    while time.monotonic() < deadline:
        question = asked[next(recorder.counter) % len(asked)]
        started = time.monotonic()
        try:
            client.predict(question, api_name="/ask")
        except Exception as exc:  # every failure counts as an error, whatever its kind
            recorder.add(started, f"{type(exc).__name__}: {exc}"[:200])
        else:
            recorder.add(started)


def seed_sized_document(directory: Path) -> Path:
    """The 17-project seed moved to a region no cache has seen (every chunk gets embedded)."""
    marker = uuid.uuid4().hex[:6]
    text = SEED_SIZED.read_text(encoding="utf-8").replace("阳城", f"阳城{marker}")
    path = directory / f"阳城{marker}县 绩效目标表.txt"
    path.write_text(text, encoding="utf-8")
    return path


class Upload:
    """One client adding a document ``after`` seconds into the run."""

    def __init__(self, url: str, path: Path, after: float):
        self.url, self.path, self.after = url, path, after
        self.started: float | None = None
        self.ended: float | None = None
        self.status = ""
        self.error: str | None = None

    def run(self) -> None:
        from gradio_client import Client, handle_file

        client = Client(self.url, verbose=False)
        time.sleep(self.after)
        self.started = time.monotonic()
        try:
            self.status = str(client.predict(handle_file(str(self.path)), api_name="/upload")[0])
        except Exception as exc:  # reported, whatever its kind
            self.error = f"{type(exc).__name__}: {exc}"[:200]
        self.ended = time.monotonic()

    def figures(self) -> dict:
        done = self.ended is not None and self.error is None
        return {
            "upload_seconds": round(self.ended - self.started, 1) if done else None,
            "upload_status": self.status[:120],
            "upload_error": self.error,
        }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _latencies(values: list[float]) -> dict:
    return {
        "p50_s": round(statistics.median(values), 3) if values else None,
        "p95_s": round(percentile(values, 0.95), 3) if values else None,
        "max_s": round(max(values), 3) if values else None,
    }


def run(
    url: str,
    clients: int,
    seconds: float,
    repeat: bool,
    upload: Path | None = None,
    kind: str = "http",
) -> dict:
    asked = questions(repeat)
    make_client(url, kind).predict(REPEATED[0], api_name="/ask")  # warm-up
    recorder = Recorder()
    load_before = os.getloadavg()[0]
    server = listening_pid(urlparse(url).port or 80)
    cpu_before, server_before = time.process_time(), cpu_seconds(server)
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(target=client_loop, args=(url, asked, deadline, recorder, kind))
        for _ in range(clients)
    ]
    adding = Upload(url, upload, UPLOAD_AFTER) if upload else None
    uploader = threading.Thread(target=adding.run) if adding else None
    for thread in [*threads, *([uploader] if uploader else [])]:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    client_cpu = time.process_time() - cpu_before
    server_after = cpu_seconds(server)
    server_cpu = None if server_after is None else server_after - server_before
    if uploader:  # reported even when it ends after the clients (its time says so)
        uploader.join()
    done = recorder.latencies
    figures = {
        "clients": clients,
        "client": kind,
        "seconds": round(elapsed, 1),
        "distinct_questions": len(asked),
        "requests": len(done),
        "errors": len(recorder.errors),
        "throughput_rps": round(len(done) / elapsed, 2),
        **_latencies(done),
        "load_average": [load_before, os.getloadavg()[0]],
        "client_cpu_ms_per_request": round(1000 * client_cpu / max(1, len(done)), 1),
        "server_cpu_ms_per_request": (
            None if server_cpu is None else round(1000 * server_cpu / max(1, len(done)), 1)
        ),
        "first_errors": recorder.errors[:3],
    }
    if adding:
        window = (adding.started, adding.ended)
        during = [e - s for s, e in recorder.spans if s < window[1] and e > window[0]]
        figures |= adding.figures()
        figures["while_indexing"] = {"requests": len(during), **_latencies(during)}
    return figures


@contextlib.contextmanager
def private_data_dir():
    """A temporary data dir holding a copy of the index (uploads must not touch the real one);
    the embedding and model caches stay where they are. Yields the server's environment."""
    sys.path.insert(0, str(ROOT))
    from index.config import load_settings

    settings = load_settings()
    directory = Path(tempfile.mkdtemp(prefix="budgetqa-bench-"))
    try:
        if settings.resolved_index_dir.is_dir():
            shutil.copytree(settings.resolved_index_dir, directory / "index", symlinks=True)
        yield {
            "BUDGETQA_DATA_DIR": str(directory),
            "BUDGETQA_INDEX_DIR": "",
            "BUDGETQA_CACHE_DIR": str(settings.resolved_cache_dir),
            "BUDGETQA_MODEL_CACHE": str(settings.resolved_model_cache),
        }
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _print(figures: dict, title: str) -> None:
    print(
        f"{title}: {figures['clients']} clients × {figures['seconds']}s on /ask "
        f"({figures['distinct_questions']} distinct questions): "
        f"{figures['requests']} answers, {figures['errors']} errors"
    )
    load = "→".join(f"{x:.2f}" for x in figures["load_average"])
    print(
        f"  throughput {figures['throughput_rps']} req/s; latency p50 {figures['p50_s']}s, "
        f"p95 {figures['p95_s']}s, max {figures['max_s']}s; load average {load}"
    )
    print(
        f"  CPU per answer: server {figures['server_cpu_ms_per_request']} ms, "
        f"{figures['client']} clients {figures['client_cpu_ms_per_request']} ms"
    )
    if "upload_seconds" in figures:
        during = figures["while_indexing"]
        print(
            f"  upload: {figures['upload_seconds']}s ({figures['upload_error'] or 'added'}); "
            f"{during['requests']} questions answered while it was indexing: "
            f"p50 {during['p50_s']}s, p95 {during['p95_s']}s, max {during['max_s']}s"
        )
    for error in figures["first_errors"]:
        print(f"  error: {error}")


def _measure(args, env: dict | None = None) -> list[dict]:
    server = None
    url = args.url
    if url is None:
        port = free_port()
        server = start_server(port, env=env, app=args.app)
        url = f"http://127.0.0.1:{port}"
    try:
        if not args.upload:
            return [run(url, args.clients, args.seconds, args.repeat, kind=args.client)]
        with tempfile.TemporaryDirectory() as folder:
            plain = run(url, args.clients, args.seconds, args.repeat, kind=args.client)
            loaded = run(
                url,
                args.clients,
                args.seconds,
                args.repeat,
                seed_sized_document(Path(folder)),
                kind=args.client,
            )
        loaded["p95_ratio"] = round(loaded["p95_s"] / plain["p95_s"], 2)
        return [plain, loaded]
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, help="default 20 (10 with --upload)")
    parser.add_argument("--seconds", type=float, help="default 30 (60 with --upload)")
    parser.add_argument(
        "--repeat", action="store_true", help="ask the same 3 questions (cached path)"
    )
    parser.add_argument(
        "--upload", action="store_true", help="the same run without, then with, an upload"
    )
    parser.add_argument(
        "--client",
        choices=("http", "gradio"),
        default="http",
        help="http: a lean client of Gradio's HTTP API (default); gradio: gradio_client",
    )
    parser.add_argument("--url", help="an app already running on loopback (default: start one)")
    parser.add_argument(
        "--app",
        type=Path,
        default=ROOT,
        help="the checkout whose app.py is served (default this one; e.g. a worktree of an "
        "older commit, with BUDGETQA_DATA_DIR set to keep its index apart)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    args.clients = args.clients or (10 if args.upload else 20)
    args.seconds = args.seconds or (60 if args.upload else 30)
    if not (1 <= args.clients <= MAX_CLIENTS and 0 < args.seconds <= MAX_SECONDS):
        raise SystemExit(f"Error: use 1..{MAX_CLIENTS} clients and at most {MAX_SECONDS} seconds")
    if args.url and urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("Error: --url must be a loopback address (127.0.0.1 or localhost)")
    args.app = args.app.resolve()
    if not (args.app / "app.py").is_file():
        raise SystemExit(f"Error: {args.app} has no app.py")
    if args.url and args.app != ROOT:
        raise SystemExit("Error: --app starts a server; --url measures one already running")
    if args.upload and args.url:
        raise SystemExit("Error: --upload starts its own server over a copy of the index")
    if args.upload:
        with private_data_dir() as env:
            results = _measure(args, env)
    else:
        results = _measure(args)
    if args.json:
        print(json.dumps(results if args.upload else results[0], ensure_ascii=False))
        return
    if not args.upload:
        _print(results[0], "load")
        return
    plain, loaded = results
    _print(plain, "without upload")
    _print(loaded, "with upload")
    print(f"p95 with / without upload: {loaded['p95_ratio']}")


if __name__ == "__main__":
    main()
