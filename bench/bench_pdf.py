"""Text PDFs: gongkai's reader against the floor, `pdftotext -layout` (poppler-utils), on the same files.

    flock /tmp/gongkai-suite.lock taskset -c 0 .venv/bin/python bench/bench_pdf.py [--rounds 5] [paths...]

For every text-layer PDF of the shared corpus (the real reports and the rendered variants; scans are left
to `bench_formats.py`) prints pages, gongkai's read time (`gongkai.read.pdf.read`: characters, tables,
furniture; and whole `parse_bytes`, read + extract, for reference) and the time of one `pdftotext -layout`
process on the same file, each the median of ``--rounds``. The totals give pages per second for both,
measured in the same run, their ratio and the target: gongkai within 2x of pdftotext. The same ratio in CPU
time (this process's for gongkai, the child's for pdftotext) is printed beside it: on a machine shared with
other work it moves much less than wall time. Also one whole report
against its own target (read in under 0.5 s on one core; this was a timed test). Not run in CI: speed is
measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pypdfium2

from gongkai import parse_bytes
from gongkai.read import pdf

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
TARGET_RATIO = 2.0  # gongkai's read may take at most twice as long as pdftotext -layout
WHOLE_REPORT = CORPUS / "real" / "2024_huaian_hongzequ.pdf"
WHOLE_REPORT_TARGET = 0.5  # seconds, one core


def _pages(data: bytes) -> int:
    doc = pypdfium2.PdfDocument(data)
    try:
        return len(doc)
    finally:
        doc.close()


def _median_seconds(run: Callable[[], object], rounds: int) -> float:
    return _median_times(run, rounds)[0]


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children (pdftotext)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _median_times(run: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``run``."""
    wall, cpu = [], []
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), _cpu()
        run()
        wall.append(time.perf_counter() - t0)
        cpu.append(_cpu() - c0)
    return statistics.median(wall), statistics.median(cpu)


def _pdftotext(path: Path) -> None:
    subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("paths", nargs="*", type=Path)
    args = ap.parse_args()
    if shutil.which("pdftotext") is None:
        raise SystemExit("pdftotext not found: install poppler-utils (scripts/setup.sh does)")
    files = args.paths or sorted(
        p
        for d in ("real", "variants")
        for p in (CORPUS / d).glob("*.pdf")
        if not p.name.endswith(".scan.pdf")
    )
    blobs = [(p, p.read_bytes()) for p in files]
    for p, data in blobs:  # warm up imports, fonts and caches on both sides
        parse_bytes(data, p.name)
        _pdftotext(p)
    pages = read = parse = floor = read_cpu = floor_cpu = 0.0
    print(f"{'file':40} {'pages':>5} {'read s':>8} {'parse s':>8} {'pdftotext s':>11} {'ratio':>6}")
    for p, data in blobs:
        n = _pages(data)
        t_read, c_read = _median_times(lambda d=data, s=p.name: pdf.read(d, s), args.rounds)
        t_parse = _median_seconds(lambda d=data, s=p.name: parse_bytes(d, s), args.rounds)
        t_floor, c_floor = _median_times(lambda p=p: _pdftotext(p), args.rounds)
        pages, read, parse, floor = pages + n, read + t_read, parse + t_parse, floor + t_floor
        read_cpu, floor_cpu = read_cpu + c_read, floor_cpu + c_floor
        print(f"{p.name:40} {n:5d} {t_read:8.3f} {t_parse:8.3f} {t_floor:11.3f} {t_read / t_floor:6.2f}")
    ratio = read / floor
    print(
        f"gongkai read: {pages / read:.1f} pages/s (read + extract: {pages / parse:.1f}); "
        f"pdftotext -layout: {pages / floor:.1f} pages/s (one process per file)"
    )
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"ratio gongkai/pdftotext: {ratio:.2f}x (target <= {TARGET_RATIO:.0f}x: {verdict})")
    cpu_ratio = read_cpu / floor_cpu if floor_cpu else float("nan")
    print(
        f"in CPU time: {pages / read_cpu:.1f} against {pages / floor_cpu:.1f} pages/s, {cpu_ratio:.2f}x "
        f"(target <= {TARGET_RATIO:.0f}x: {'met' if cpu_ratio <= TARGET_RATIO else 'NOT met'})"
    )
    if WHOLE_REPORT.exists() and not args.paths:
        data = WHOLE_REPORT.read_bytes()
        t = _median_seconds(lambda: pdf.read(data, WHOLE_REPORT.name), args.rounds)
        verdict = "met" if t <= WHOLE_REPORT_TARGET else "NOT met"
        print(f"{WHOLE_REPORT.name}: read in {t:.3f} s (target < {WHOLE_REPORT_TARGET} s: {verdict})")


if __name__ == "__main__":
    main()
