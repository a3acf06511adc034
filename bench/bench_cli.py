"""Start-up of the `gongkai` command: wall time of `gongkai parse report.txt --format json` in a fresh
process, beside `python -c pass` (the floor: the interpreter alone) and `python -c 'import argparse'` (what
the CLI layer costs before gongkai does anything) measured in the same run.

    flock /tmp/gongkai-suite.lock .venv/bin/python bench/bench_cli.py [--runs 20]

Target: 80 ms (median wall). Byte-code is compiled once into a temporary cache first (as an installed
package has it), so the figures do not include compiling the sources. Not run in CI.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "examples" / "pingtan_2021.txt"
TARGET_MS = 80.0


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, cpu) seconds of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _measure(cmd: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    _run(cmd, env)  # fills the byte-code cache
    walls, cpus = zip(*(_run(cmd, env) for _ in range(runs)), strict=True)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    gongkai = str(Path(sys.executable).with_name("gongkai"))
    with tempfile.TemporaryDirectory(prefix="gongkai-pyc-") as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache
        floor = _measure([sys.executable, "-c", "pass"], args.runs, env)
        framework = _measure([sys.executable, "-c", "import argparse"], args.runs, env)
        parse = _measure([gongkai, "parse", str(REPORT), "--format", "json"], args.runs, env)
    print(f"CLI start-up, median of {args.runs} fresh processes (load average {os.getloadavg()[0]:.1f})")
    print(f"  python -c pass (floor)                 {floor[0]:6.0f} ms wall  {floor[1]:5.0f} ms CPU")
    print(f"  python -c 'import argparse' (CLI layer){framework[0]:6.0f} ms wall  {framework[1]:5.0f} ms CPU")
    print(f"  gongkai parse report.txt --format json {parse[0]:6.0f} ms wall  {parse[1]:5.0f} ms CPU")
    verdict = "met" if parse[0] <= TARGET_MS else "NOT met"
    print(f"  target {TARGET_MS:.0f} ms wall: {verdict} ({parse[0] / max(floor[0], 1e-9):.1f}x the floor)")


if __name__ == "__main__":
    main()
