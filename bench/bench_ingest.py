"""Ingest throughput as the database grows, and database size per report, beside the targets of issue #12.

    flock /tmp/gongkai-suite.lock .venv/bin/python bench/bench_ingest.py [--documents 100000] [--step 10000]
        [--workers 2] [--url sqlite:///…] [--keep DIR] [--spring]

Ingests ``--documents`` text reports into one fresh database, ``--step`` at a time (each step a separate
``ingest`` run, cross-year refresh included, progress bar off), and prints each step's documents/s with the
number of documents already in the database, then the database size per report. The documents are the
shared corpus's text reports (seeds/*.txt, real/*.txt), each copy made distinct by a line appended at the
end, so every file has its own sha256 and is read in full; a step's files are written before its timing
starts and removed after it. Targets: >= 200 documents/s with 2 workers, flat from 1,000 to 100,000
documents in the database (the last step within 10% of the first); < 100 KiB of database per report.
Each step also prints the CPU time per document, of this process (the writer) and of the workers: unlike
documents/s it does not depend on what else the machine runs, and 200 documents/s on 2 cores needs it
under 10 ms (the documents/s that CPU allows on the cores used is printed: the floor of the time a
step can take; documents/s below it is time the workers waited). The load average is printed with it, and
the host's speed just before the step: the CPU ms of reading one seed document in this process (the least of
15), since this machine's speed drifts by up to ≈ 25% within minutes; CPU a document over it compares steps.
Stop earlier with ``--documents``. ``--url`` of a database that holds reports already (e.g. one built by
``bench/make_db.py --reports 100000``) measures the steps from its size on (the size per report is then
that of the whole database). ``--spring`` makes the documents a spring's: each the next year's report of
another agency of a ``make_db.py`` database (the seeds' agency names and years replaced), so every document
joins its agency's earlier years and the ingest's cross-year checks run for each. Not run in CI; speed is
measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from make_db import agency_of, counties
from sqlalchemy import text

from gongkai.store import Store, ingest, process_bytes
from gongkai.workers import usable_cores

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
TARGET_RATE = 200.0  # documents/s with 2 workers
TARGET_KIB = 100.0  # database KiB per report
Seed = tuple[str, str, int]  # a seed document's text, its agency's name and its year, as read


def seed_documents() -> list[tuple[str, bytes]]:
    paths = sorted(p for d in ("seeds", "real") for p in (CORPUS / d).glob("*.txt"))
    if not paths:
        raise SystemExit(f"no text documents under {CORPUS}")
    return [(p.stem, p.read_bytes()) for p in paths]


def write_step(dst: Path, seeds: list[tuple[str, bytes]], start: int, count: int) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        stem, data = seeds[i % len(seeds)]
        (dst / f"{i:06d}_{stem}.txt").write_bytes(data + f"\n<!-- bench copy {i} -->\n".encode())


def spring_seeds() -> list[Seed]:
    """(text, agency name, year) of each seed document in the latest layout, as read."""
    out = []
    for stem, data in seed_documents():
        meta = process_bytes(data, f"{stem}.txt")["report"]["meta"]
        out.append((meta.get("template"), data.decode("utf-8"), meta.get("agency"), meta.get("year")))
    latest = max(t for t, *_ in out if t)
    return [(text, name, year) for t, text, name, year in out if t == latest and name and year]


def write_spring_step(
    dst: Path, seeds: list[tuple[str, str, int]], year: int, start: int, count: int
) -> None:
    """Year ``year``'s reports of ``make_db``'s agencies ``start`` … ``start + count - 1``."""
    dst.mkdir(parents=True, exist_ok=True)
    places = counties()
    for i in range(start, start + count):
        text, name, seed_year = seeds[i % len(seeds)]
        agency = agency_of(i, places)
        place = "".join(dict.fromkeys(agency[k] or "" for k in ("province", "city")))  # 北京市 once
        text = text.replace(name, place + agency["name"]).replace(str(seed_year), str(year))
        (dst / f"{i:06d}_{year}.txt").write_text(text, encoding="utf-8")


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds (user + system) used so far by this process and by its ended worker processes."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def host_reference_ms(seeds: list[tuple[str, bytes]], runs: int = 15) -> float:
    """CPU ms of reading, extracting and auditing the first seed document in this process, the least of
    ``runs``: the speed of the host at that moment. This machine's speed drifts by up to ≈ 25% within
    minutes, so each step prints it beside its CPU a document (their ratio compares steps and runs)."""
    stem, data = seeds[0]
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        process_bytes(data, f"{stem}.txt")
        best = min(best, time.process_time() - start)
    return best * 1000


def ms_per(seconds: float, documents: int) -> float:
    return seconds * 1000 / max(documents, 1)


def sqlite_size(url: str) -> int | None:
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    with Store(url) as st, st.engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def postgres_size(url: str) -> int | None:
    if not url.startswith("postgresql"):
        return None
    with Store(url) as st, st.engine.connect() as c:
        return int(c.exec_driver_sql("select pg_database_size(current_database())").scalar_one())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=100_000, help="documents in all (stop earlier: less)")
    ap.add_argument("--step", type=int, default=10_000, help="documents per timed step")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--url", help="database URL (default: a fresh SQLite file under the work folder)")
    ap.add_argument("--keep", type=Path, help="work here and keep the database")
    ap.add_argument(
        "--spring",
        action="store_true",
        help="each document the next year's report of another agency of a make_db database (--url)",
    )
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="gongkai-bench-"))
    url = args.url or f"sqlite:///{work / 'bench.db'}"
    seeds = seed_documents()
    try:
        Store(url).close()  # migrations outside the timing
        print(
            f"ingest bench: {args.documents} documents in steps of {args.step}, {args.workers} workers, {url}"
        )
        print(
            f"target: >= {TARGET_RATE:.0f} documents/s at every size, flat; < {TARGET_KIB:.0f} KiB per report"
        )
        rates: list[float] = []
        cores = min(args.workers, usable_cores())
        with Store(url) as st:
            before = len(st.known())  # documents in the database before the first step
            spring = spring_plan(st, args.documents) if args.spring else None
        done = 0
        while done < args.documents:
            count = min(args.step, args.documents - done)
            folder = work / f"step{done}"
            if spring is not None:
                write_spring_step(folder, spring[0], spring[1], done, count)
            else:
                write_step(folder, seeds, before + done, count)  # copies not in the database yet
            reference = host_reference_ms(seeds)
            t, cpu = time.perf_counter(), cpu_seconds()
            result = ingest([folder], url, workers=args.workers)
            secs = time.perf_counter() - t
            main_cpu, workers_cpu = (
                ms_per(b - a, result.stored) for a, b in zip(cpu, cpu_seconds(), strict=True)
            )
            shutil.rmtree(folder)
            rates.append(result.stored / secs)
            flag = "ok" if rates[-1] >= TARGET_RATE else "below target"
            print(
                f"{before + done:>7} → {before + done + result.stored:>7} in the database:"
                f" {rates[-1]:6.1f} documents/s"
                f" ({secs:.1f} s; failed {result.counts['failed']}) — target >= {TARGET_RATE:.0f}: {flag};"
                f" CPU {main_cpu + workers_cpu:.1f} ms/document"
                f" (writer {main_cpu:.1f}, workers {workers_cpu:.1f}; {cores} cores at that allow"
                f" {cores * 1000 / (main_cpu + workers_cpu):.0f} documents/s);"
                f" load {os.getloadavg()[0]:.1f}; host: the reference document {reference:.2f} ms"
                f" ({(main_cpu + workers_cpu) / reference:.2f}× it a document)",
                flush=True,
            )
            done += count
        if len(rates) > 1:
            print(f"flatness: last step {rates[-1] / rates[0]:.0%} of the first (target >= 90%)")
        size = sqlite_size(url) or postgres_size(url)
        if size is not None:
            kib = size / max(before + done, 1) / 1024
            verdict = "ok" if kib < TARGET_KIB else "over target"
            print(
                f"database: {size / 2**20:.1f} MiB = {kib:.1f} KiB per report"
                f" — target < {TARGET_KIB:.0f}: {verdict}"
            )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def spring_plan(store: Store, documents: int) -> tuple[list[Seed], int]:
    """The seeds and the year for ``--spring``: the year after the database's latest, for as many of
    ``make_db``'s agencies, each of which must have a report of the latest year."""
    with store.engine.connect() as c:
        latest = c.exec_driver_sql("select max(year) from reports").scalar()
        agencies = c.execute(
            text("select count(distinct agency_id) from reports where year = :year"), {"year": latest}
        ).scalar()
    if latest is None:
        raise SystemExit("--spring needs a database of earlier years: bench/make_db.py, then --url")
    if documents > agencies:
        raise SystemExit(f"--spring: {documents} documents but {agencies} agencies with a {latest} report")
    print(f"spring: each document a {latest + 1} report of another agency with earlier years")
    return spring_seeds(), latest + 1


if __name__ == "__main__":
    main()
