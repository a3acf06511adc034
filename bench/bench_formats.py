"""Speed of the PDF and OCR readers on the shared corpus, one core.

    taskset -c 0 .venv/bin/python bench/bench_formats.py [--rounds 3] [--no-ocr]

Prints, for text-layer PDFs, seconds per document and pages per second (target: a 6-page report in under
0.5 s), and for scanned PDFs seconds per page (target: under 4 s). Whole `parse` (read + extract) is timed.
Not run in CI.
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
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-ocr", action="store_true")
    args = ap.parse_args()
    pdfs = sorted(p for d in ("real", "variants") for p in (CORPUS / d).glob("*.pdf"))
    text_pdfs = [p for p in pdfs if not p.name.endswith(".scan.pdf")]
    scans = [p for p in pdfs if p.name.endswith(".scan.pdf")]
    parse_bytes(text_pdfs[0].read_bytes(), "warm-up")
    total_pages = total_time = 0.0
    for p in text_pdfs:
        data = p.read_bytes()
        pages, seconds = _pages(data), _time(data, p.name, args.rounds)
        total_pages += pages
        total_time += seconds
        print(f"text PDF {p.name}: {pages} pages, {seconds:.3f} s ({pages / seconds:.1f} pages/s)")
    per_page = total_time / total_pages
    print(f"text PDFs: {1 / per_page:.1f} pages/s; a 6-page report ≈ {6 * per_page:.2f} s")
    if args.no_ocr:
        return
    for p in scans:
        data = p.read_bytes()
        pages, seconds = _pages(data), _time(data, p.name, 1)
        print(f"scan {p.name}: {pages} pages, {seconds:.1f} s ({seconds / pages:.2f} s/page)")


if __name__ == "__main__":
    main()
