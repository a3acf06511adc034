"""Ray → PostgreSQL ingest: documents/s with 1 and with 2 Ray workers (actors that each read and write) on a
local Ray instance, each into a fresh PostgreSQL database.

    bash -c 'source scripts/postgres.sh && flock /tmp/gongkai-suite.lock \\
        .venv/bin/python bench/bench_distributed.py [--documents 1000] [--workers 1 2]; gongkai_stop_postgres'

``--url`` (or GONGKAI_TEST_PG_URL, which scripts/postgres.sh sets) names the PostgreSQL server; a database is
created per run and dropped after. The documents are copies of the shared corpus's text reports, each made
distinct by an appended line (as in bench_ingest.py). Target: throughput rising with workers. On a 2-core
machine the driver, PostgreSQL and Ray's own processes share the cores with the workers, so the rise from 1 to
2 workers is bounded; the figures are what this machine gives, to compare with bench_ingest.py's local run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from bench_ingest import seed_documents, write_step
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gongkai.store import Store


def fresh_database(server_url: str) -> tuple[str, str]:
    name = f"gongkai_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    engine.dispose()
    return name, make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=1000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--url", default=os.environ.get("GONGKAI_TEST_PG_URL"), help="PostgreSQL server URL")
    args = ap.parse_args()
    if not args.url:
        raise SystemExit("no PostgreSQL: give --url or source scripts/postgres.sh")
    import ray

    from gongkai.store.distributed import ray_ingest

    work = Path(tempfile.mkdtemp(prefix="gongkai-bench-ray-"))
    try:
        write_step(work / "corpus", seed_documents(), 0, args.documents)
        print(f"Ray → PostgreSQL: {args.documents} documents, {os.cpu_count()} cores")
        rates = {}
        for w in args.workers:
            name, url = fresh_database(args.url)
            try:
                Store(url).close()  # migrations outside the timing
                ray.init(num_cpus=w, include_dashboard=False, log_to_driver=False)
                try:
                    t = time.perf_counter()
                    result = ray_ingest([work / "corpus"], url, workers=w, ray=ray)
                    secs = time.perf_counter() - t
                finally:
                    ray.shutdown()
                rates[w] = result.stored / secs
                print(
                    f"workers={w}: {result.stored} stored in {secs:.1f} s = {rates[w]:.1f} documents/s"
                    f" (failed {result.counts['failed']})",
                    flush=True,
                )
            finally:
                drop_database(args.url, name)
        if len(rates) > 1:
            lo, hi = min(rates), max(rates)
            print(f"{hi} workers / {lo}: {rates[hi] / rates[lo]:.2f}× (target: rising with workers)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
