"""Peak memory (RSS) of the corpus-wide commands against the 500 MB target, on databases of growing size.

    .venv/bin/python bench/bench_memory.py --db /tmp/db1k.db /tmp/db10k.db /tmp/db100k.db [--only export]

Each command runs as a child process (``gongkai ... --db DB``, output to a temporary folder or /dev/null);
its peak RSS comes from ``os.wait4`` (the largest single process); ``tree`` is the peak of the summed RSS of
the command and its worker processes (``check --db`` audits in two), sampled from /proc every 50 ms. The
target applies to the larger of the two. The floor is ``gongkai rules`` (the interpreter and gongkai
loaded, no corpus), measured in the same run. Databases come from ``bench/make_db.py``.
``--skip-slow-above N`` leaves out the commands whose time grows with the audit or with openpyxl's
speed (check --db, the XLSX exports and long exports) on databases of more than N reports. Not run in CI.
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


PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def _tree_rss_mb(root: int) -> float:
    """Summed RSS of ``root`` and its descendants, from /proc."""
    parent: dict[int, int] = {}
    rss: dict[int, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            pages = int(Path(entry.path, "statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parent[int(entry.name)], rss[int(entry.name)] = int(fields[1]), pages * PAGE_MB
    tree, frontier = {root}, [root]
    while frontier:
        kids = [p for p, pp in parent.items() if pp in frontier and p not in tree]
        tree.update(kids)
        frontier = kids
    return sum(rss.get(p, 0.0) for p in tree)


def peak_rss(args: list[str]) -> tuple[float, float, float, int]:
    """(peak RSS of the largest process in MB, peak summed RSS of the process tree in MB, seconds, exit
    status) of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tree = 0.0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        tree = max(tree, _tree_rss_mb(proc.pid))
        time.sleep(0.05)
    secs = time.perf_counter() - started
    return usage.ru_maxrss / 1024, tree, secs, os.waitstatus_to_exitcode(status)


def reports_in(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT count(*) FROM reports").fetchone()[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, nargs="+", required=True)
    ap.add_argument("--only", help="commands whose name contains this")
    ap.add_argument("--skip-slow-above", type=int, default=None)
    args = ap.parse_args()
    print(f"{'command':28} {'reports':>8} {'peak RSS':>10} {'tree':>8} {'time':>8}  target < {TARGET_MB} MB")
    mb, tree, secs, code = peak_rss([str(GONGKAI), "rules"])
    print(f"{'floor: gongkai rules':28} {'-':>8} {mb:>8.0f}MB {tree:>6.0f}MB {secs:>7.1f}s  (exit {code})")
    for db in args.db:
        n = reports_in(db)
        for name, argv in COMMANDS.items():
            if args.only and args.only not in name:
                continue
            if args.skip_slow_above is not None and n > args.skip_slow_above and name in SLOW:
                continue
            with tempfile.TemporaryDirectory(prefix="gongkai-mem-") as tmp:
                cmd = [str(GONGKAI), *(a.format(tmp=tmp) for a in argv), "--db", str(db)]
                mb, tree, secs, code = peak_rss(cmd)
            ok = "ok" if max(mb, tree) < TARGET_MB else "OVER"
            line = f"{name:28} {n:>8} {mb:>8.0f}MB {tree:>6.0f}MB {secs:>7.1f}s  {ok}  (exit {code})"
            print(line, flush=True)


if __name__ == "__main__":
    main()
