"""Speed of the OCR reader on the shared corpus's scanned PDFs, one core.

    taskset -c 0 .venv/bin/python bench/bench_formats.py

Prints, for scanned PDFs, seconds per page (target: under 4 s). Whole `parse` (read + extract) is timed.
Text-layer PDFs are measured against pdftotext by `bench_pdf.py`. Not run in CI.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import pypdfium2

from gongkai import parse_bytes

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def _pages(data: bytes) -> int:
    pdf = pypdfium2.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def _time(data: bytes, name: str, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        parse_bytes(data, name)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    scans = sorted((CORPUS / "variants").glob("*.scan.pdf"))
    parse_bytes((CORPUS / "real" / "2024_huaian_hongzequ.pdf").read_bytes(), "warm-up")
    for p in scans:
        data = p.read_bytes()
        pages, seconds = _pages(data), _time(data, p.name, 1)
        print(f"scan {p.name}: {pages} pages, {seconds:.1f} s ({seconds / pages:.2f} s/page)")


if __name__ == "__main__":
    main()
