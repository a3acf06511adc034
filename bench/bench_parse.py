"""Throughput of reading + extraction on text and HTML reports (one core, corpus files repeated).

    .venv/bin/python bench/bench_parse.py [--rounds 20]

Prints milliseconds per report for each shared-corpus text/HTML document and reports per second overall.
Target: a plain text report well under 10 ms. Not run in CI; speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from gongkai import parse_bytes

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("paths", nargs="*", type=Path)
    args = ap.parse_args()
    files = args.paths or sorted(
        p
        for d in ("seeds", "real", "noisy")
        for p in (CORPUS / d).glob("*")
        if p.suffix in (".txt", ".html", ".md")
    )
    blobs = [(p, p.read_bytes()) for p in files]
    for _, data in blobs:  # warm up imports and caches
        parse_bytes(data, "warm")
    total_docs = 0
    start = time.perf_counter()
    per_file: dict[Path, list[float]] = {p: [] for p, _ in blobs}
    for _ in range(args.rounds):
        for p, data in blobs:
            t0 = time.perf_counter()
            parse_bytes(data, p.name)
            per_file[p].append(time.perf_counter() - t0)
            total_docs += 1
    elapsed = time.perf_counter() - start
    for p, times in per_file.items():
        size = p.stat().st_size // 1024
        print(f"{statistics.median(times) * 1000:7.2f} ms  {p.parent.name}/{p.name} ({size} KiB)")
    print(f"{total_docs / elapsed:.1f} reports/s on one core ({total_docs} parses in {elapsed:.2f} s)")


if __name__ == "__main__":
    main()
