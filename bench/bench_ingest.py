"""Ingest throughput: documents per second with 1 and 2 workers, and database size per report.

    .venv/bin/python bench/bench_ingest.py [--documents 2000] [--workers 1 2] [--keep DIR]

Builds a corpus of ``--documents`` files by repeating the shared corpus's text documents (seeds/*.txt,
real/*.txt), each copy made distinct by an appended comment line so every file has its own sha256, then
ingests it into a fresh SQLite database once per worker count (progress bar off, cross-year refresh
included). Not run in CI; speed is measured here, never asserted in tests.

Measured on the 2-core development machine (2,000 copies of the 12 text reports): 20.4 documents/s
with 1 worker,
28.0 with 2 (the single writer and the second worker share the cores); about 101 KiB of SQLite per report
(cells with provenance, sections, full text and the audit's findings with their evidence).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from gongkai.store import Store, ingest

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def make_corpus(dst: Path, n: int) -> int:
    sources = sorted(p for d in ("seeds", "real") for p in (CORPUS / d).glob("*.txt"))
    if not sources:
        raise SystemExit(f"no text documents under {CORPUS}")
    dst.mkdir(parents=True, exist_ok=True)
    blobs = [(p.stem, p.read_bytes()) for p in sources]
    for i in range(n):
        stem, data = blobs[i % len(blobs)]
        (dst / f"{i:05d}_{stem}.txt").write_bytes(data + f"\n<!-- bench copy {i} -->\n".encode())
    return n


def db_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=2000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--keep", type=Path, help="build the corpus and databases here and keep them")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
    try:
        corpus = work / "corpus"
        if not corpus.is_dir():
            make_corpus(corpus, args.documents)
        n = len(list(corpus.iterdir()))
        print(f"corpus: {n} documents in {corpus}")
        for w in args.workers:
            db = work / f"bench-w{w}.db"
            for p in work.glob(db.name + "*"):
                p.unlink()
            Store(f"sqlite:///{db}").close()  # migrations outside the timing
            t = time.perf_counter()
            result = ingest([corpus], f"sqlite:///{db}", workers=w)
            secs = time.perf_counter() - t
            with Store(f"sqlite:///{db}") as st, st.engine.connect() as c:
                c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            size = db_size(db)
            print(
                f"workers={w}: {result.stored} stored in {secs:.1f} s = "
                f"{result.stored / secs:.1f} documents/s; "
                f"database {size / 2**20:.1f} MiB = {size / max(result.stored, 1) / 1024:.1f} KiB per report "
                f"(counts {result.counts})"
            )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
