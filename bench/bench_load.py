"""Bounded loopback load on the app's ``/ask`` endpoint: throughput, p50/p95 latency, errors.

Starts ``python app.py`` on a free loopback port (building the index first if it is
missing or stale), then runs N concurrent ``gradio_client`` clients for S seconds,
each asking questions in turn, and prints the figures. Questions are generated
from region × topic × phrasing, so most are new to the server (no query-vector
cache hits); ``--repeat`` asks the same few questions instead (the cached path).

    python bench/bench_load.py [--clients 20] [--seconds 30] [--repeat] [--url http://127.0.0.1:7860]

Only loopback addresses are accepted; clients and duration are capped.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
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


def start_server(port: int, timeout: float = 600.0) -> subprocess.Popen:
    """``python app.py --port PORT`` on loopback; returns once the page answers."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
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


class Recorder:
    """Latencies and errors from all client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.counter = itertools.count()

    def add(self, seconds: float | None, error: str | None = None) -> None:
        with self.lock:
            if error is None:
                self.latencies.append(seconds)
            else:
                self.errors.append(error)


def client_loop(url: str, asked: list[str], deadline: float, recorder: Recorder) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)
    while time.monotonic() < deadline:
        question = asked[next(recorder.counter) % len(asked)]
        started = time.perf_counter()
        try:
            client.predict(question, api_name="/ask")
        except Exception as exc:  # every failure counts as an error, whatever its kind
            recorder.add(None, f"{type(exc).__name__}: {exc}"[:200])
        else:
            recorder.add(time.perf_counter() - started)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def run(url: str, clients: int, seconds: float, repeat: bool) -> dict:
    from gradio_client import Client

    asked = questions(repeat)
    Client(url, verbose=False).predict(REPEATED[0], api_name="/ask")  # warm-up
    recorder = Recorder()
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(target=client_loop, args=(url, asked, deadline, recorder))
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    done = recorder.latencies
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "distinct_questions": len(asked),
        "requests": len(done),
        "errors": len(recorder.errors),
        "throughput_rps": round(len(done) / elapsed, 2),
        "p50_s": round(statistics.median(done), 3) if done else None,
        "p95_s": round(percentile(done, 0.95), 3) if done else None,
        "max_s": round(max(done), 3) if done else None,
        "load_average": os.getloadavg()[0],
        "first_errors": recorder.errors[:3],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--repeat", action="store_true", help="ask the same 3 questions (cached path)"
    )
    parser.add_argument("--url", help="an app already running on loopback (default: start one)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if not (1 <= args.clients <= MAX_CLIENTS and 0 < args.seconds <= MAX_SECONDS):
        raise SystemExit(f"Error: use 1..{MAX_CLIENTS} clients and at most {MAX_SECONDS} seconds")
    if args.url and urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("Error: --url must be a loopback address (127.0.0.1 or localhost)")
    server = None
    url = args.url
    if url is None:
        port = free_port()
        server = start_server(port)
        url = f"http://127.0.0.1:{port}"
    try:
        figures = run(url, args.clients, args.seconds, args.repeat)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    print(
        f"{figures['clients']} clients × {figures['seconds']}s on /ask "
        f"({figures['distinct_questions']} distinct questions): "
        f"{figures['requests']} answers, {figures['errors']} errors"
    )
    print(
        f"throughput {figures['throughput_rps']} req/s; latency p50 {figures['p50_s']}s, "
        f"p95 {figures['p95_s']}s, max {figures['max_s']}s; "
        f"load average {figures['load_average']:.2f}"
    )
    for error in figures["first_errors"]:
        print(f"error: {error}")


if __name__ == "__main__":
    main()
