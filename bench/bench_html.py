"""Reading office-export HTML pages (~130 kB: Word saved as a web page, styles on every cell), the HTML
reader alone, best of several rounds per page.

    flock /tmp/gongkai-suite.lock .venv/bin/python bench/bench_html.py [--rounds 5]

Target: under 50 ms a page (moved here from the reader tests: tests are never timed). Not run in CI.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from gongkai.read import html

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
PAGES = ["variants/000_f01d4dbb51cf7cd1.html", "variants/004_e99c3fa4f96ef56b.html"]
TARGET_MS = 50.0


def _best(data: bytes, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        html.read(data, "page.html")
        times.append(time.perf_counter() - t0)
    return min(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    print(f"office-export HTML, HTML reader only, best of {args.rounds} (load {os.getloadavg()[0]:.1f})")
    for name in PAGES:
        data = (CORPUS / name).read_bytes()
        best = _best(data, args.rounds)
        verdict = "met" if best < TARGET_MS else "NOT met"
        size = len(data) / 1024
        print(f"  {name:40s} {size:5.0f} kB  {best:6.1f} ms  (target {TARGET_MS:.0f} ms: {verdict})")


if __name__ == "__main__":
    main()
