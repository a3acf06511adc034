"""Peak memory (RSS) of the corpus-wide commands against the 500 MB target, on databases of growing size.

    .venv/bin/python bench/bench_memory.py --db /tmp/db1k.db /tmp/db10k.db /tmp/db100k.db [--only export]

Each command runs as a child process (``gongkai ... --db DB``, output to a temporary folder or /dev/null);
its peak RSS comes from ``os.wait4``. Databases come from ``bench/make_db.py``. ``--skip-slow-above N``
leaves out the commands whose time grows with the audit or with openpyxl's speed (check --db, the XLSX
exports and long exports) on databases of more than N reports. Not run in CI.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_MB = 500
GONGKAI = Path(sys.executable).with_name("gongkai")
COMMANDS: dict[str, list[str]] = {
    "check --db -f json": ["check", "-f", "json"],
    "export wide csv": ["export", "--to", "{tmp}/w.csv"],
    "export wide xlsx": ["export", "--to", "{tmp}/w.xlsx"],
    "export wide parquet": ["export", "--to", "{tmp}/w.parquet"],
    "export long csv": ["export", "--long", "--to", "{tmp}/l.csv"],
    "export long xlsx": ["export", "--long", "--to", "{tmp}/l.xlsx"],
    "export long parquet": ["export", "--long", "--to", "{tmp}/l.parquet"],
    "query applications": ["query", "applications", "-f", "json"],
    "query outcomes": ["query", "outcomes", "-f", "json"],
    "query corrections": ["query", "corrections", "-f", "json"],
    "query problems": ["query", "problems", "-f", "json"],
    "coverage -f json": ["coverage", "-f", "json"],
    "coverage --reports -f csv": ["coverage", "--reports", "-f", "csv"],
}
SLOW = (
    "check --db -f json",
    "export wide xlsx",
    "export long csv",
    "export long xlsx",
    "export long parquet",
)


def peak_rss(args: list[str]) -> tuple[float, float, int]:
    """(peak RSS in MB, seconds, exit status) of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    return usage.ru_maxrss / 1024, time.perf_counter() - started, os.waitstatus_to_exitcode(status)


def reports_in(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT count(*) FROM reports").fetchone()[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, nargs="+", required=True)
    ap.add_argument("--only", help="commands whose name contains this")
    ap.add_argument("--skip-slow-above", type=int, default=None)
    args = ap.parse_args()
    print(f"{'command':28} {'reports':>8} {'peak RSS':>10} {'time':>8}  target < {TARGET_MB} MB")
    for db in args.db:
        n = reports_in(db)
        for name, argv in COMMANDS.items():
            if args.only and args.only not in name:
                continue
            if args.skip_slow_above is not None and n > args.skip_slow_above and name in SLOW:
                continue
            with tempfile.TemporaryDirectory(prefix="gongkai-mem-") as tmp:
                cmd = [str(GONGKAI), *(a.format(tmp=tmp) for a in argv), "--db", str(db)]
                mb, secs, code = peak_rss(cmd)
            ok = "ok" if mb < TARGET_MB else "OVER"
            print(f"{name:28} {n:>8} {mb:>8.0f}MB {secs:>7.1f}s  {ok}  (exit {code})", flush=True)


if __name__ == "__main__":
    main()
