"""Web page times against the 200 ms target: ``gongkai serve`` on a free 127.0.0.1 port over a database
(from ``bench/make_db.py``), each page kind fetched a few times, median and max printed.

    .venv/bin/python bench/bench_web.py --db /tmp/db100k.db [--times 5] [--timeout 60]

Bounded: every request has a time limit, the server is stopped at the end. Not run in CI.
"""

from __future__ import annotations

import argparse
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

TARGET_MS = 200
GONGKAI = Path(sys.executable).with_name("gongkai")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pages(db: Path) -> dict[str, str]:
    """One URL per page kind, with ids and an agency taken from the database."""
    with sqlite3.connect(db) as con:
        n = con.execute("SELECT max(id) FROM reports").fetchone()[0] or 1
        agency = con.execute("SELECT agency_id FROM reports WHERE agency_id IS NOT NULL LIMIT 1").fetchone()
        province = con.execute("SELECT province FROM reports WHERE province IS NOT NULL LIMIT 1").fetchone()
    agency_q = urllib.parse.quote(agency[0] if agency else "")
    region_q = urllib.parse.quote(province[0] if province else "")
    return {
        "home": "/",
        "reports": "/reports",
        "reports, last page": "/reports?page=100000",
        "reports, region": f"/reports?region={region_q}",
        "reports, search": "/reports?q=%E6%95%99%E8%82%B2",
        "report": f"/report/{n // 2}",
        "coverage": "/coverage",
        "coverage, last page": "/coverage?page=100000",
        "charts, region": f"/charts?region={region_q}",
        "charts": "/charts",
        "compare": f"/compare?agency={agency_q}",
        "versions": "/campaign/versions",
        "versions, agency": f"/campaign/versions?agency={agency_q}",
        "review": "/campaign/review",
        "review, confirmed": "/campaign/review?state=confirmed",
        "review, code": "/campaign/review?code=E",
        "review, code T": "/campaign/review?code=T",  # most reports have one
        "review, code T, p.1000": "/campaign/review?code=T&page=1000",
        "scores": "/campaign/scores",
        "scores, last page": "/campaign/scores?page=100000",
        "roster": "/campaign/roster",
        "roster, unpublished": "/campaign/roster?status=unpublished",
    }


def fetch(url: str, timeout: float) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as res:
            res.read()
            status = res.status
    except urllib.error.HTTPError as e:
        status = e.code
    except (TimeoutError, urllib.error.URLError) as e:
        if not isinstance(e, TimeoutError) and not isinstance(getattr(e, "reason", None), TimeoutError):
            raise
        status = 0
    return (time.perf_counter() - started) * 1000, status


def wait_up(base: str, proc: subprocess.Popen, limit: float = 120) -> None:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise SystemExit("gongkai serve stopped")
        try:
            urllib.request.urlopen(base + "/", timeout=5).read()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gongkai serve did not answer")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--times", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--only", help="page kinds whose name contains this")
    args = ap.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="gongkai-web-") as files:
        cmd = [str(GONGKAI), "serve", "--db", str(args.db), "--port", str(port), "--files", files]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_up(base, proc)
            print(f"{'page':22} {'median':>8} {'max':>8}  target < {TARGET_MS} ms   ({args.db.name})")
            for name, path in pages(args.db).items():
                if args.only and args.only not in name:
                    continue
                runs = [fetch(base + path, args.timeout)]
                if runs[0][1] == 0:  # timed out: once is enough
                    print(f"{name:22} > {args.timeout:.0f} s  SLOW  (timed out)", flush=True)
                    continue
                runs += [fetch(base + path, args.timeout) for _ in range(args.times - 1)]
                ms = [t for t, _s in runs]
                codes = sorted({s for _t, s in runs})
                ok = "ok" if statistics.median(ms) < TARGET_MS else "SLOW"
                print(
                    f"{name:22} {statistics.median(ms):>6.0f}ms {max(ms):>6.0f}ms  {ok}  (HTTP {codes})",
                    flush=True,
                )
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # a request still running: stop it anyway
                proc.kill()
                proc.wait()


if __name__ == "__main__":
    main()
