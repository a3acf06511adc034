"""DOC/WPS reading with a LibreOffice kept warm (`gongkai.read.office`) against a one-shot ``soffice
--convert-to`` per file (the floor, measured in the same run), on the shared corpus's DOC/WPS files.

    flock /tmp/gongkai-suite.lock .venv/bin/python bench/bench_office.py [--rounds 5]

Prints seconds per file (read = convert + read the DOCX), median over the files and rounds, the warm
converter's start-up once, and the target: 0.3 s a file warm. Not run in CI.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from gongkai.read import office, read_bytes

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
TARGET_S = 0.3


def _seconds(files: list[Path], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for path in files:
            data = path.read_bytes()
            t0 = time.perf_counter()
            read_bytes(data, path.name)
            times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in (".doc", ".wps"))
    if not files:
        raise SystemExit(f"no DOC/WPS files under {CORPUS}")

    os.environ[office.ENV_SWITCH] = "0"
    one_shot = _seconds(files, args.rounds)
    os.environ[office.ENV_SWITCH] = "1"
    t0 = time.perf_counter()
    _seconds(files[:1], 1)  # starts the warm converter
    start = time.perf_counter() - t0
    if not office.status()["running"]:
        raise SystemExit(f"no warm converter: {office.status()['disabled_reason'] or 'it did not start'}")
    warm = _seconds(files, args.rounds)
    office.shutdown()

    print(f"DOC/WPS read, {len(files)} files x {args.rounds} rounds (load average {os.getloadavg()[0]:.1f})")
    print(f"  one-shot soffice per file (floor)  {statistics.median(one_shot):6.3f} s a file")
    print(f"  warm LibreOffice                   {statistics.median(warm):6.3f} s a file")
    print(f"  warm start-up (first file)         {start:6.3f} s")
    verdict = "met" if statistics.median(warm) <= TARGET_S else "NOT met"
    speedup = statistics.median(one_shot) / statistics.median(warm)
    print(f"  target {TARGET_S} s a file warm: {verdict} ({speedup:.1f}x faster than one-shot)")


if __name__ == "__main__":
    main()
