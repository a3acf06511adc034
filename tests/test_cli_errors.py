"""Careless and hostile command lines: one ``错误/Error`` line and exit 2 for bad input or environment, exit 3
for an internal error, never a traceback; outputs written whole or not at all; spreadsheet cells that would
run as formulas quoted."""

from __future__ import annotations

import csv
import errno
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gongkai.cli import EXIT_INTERNAL, app
from tests.clirunner import CliRunner
from tests.hostile import ROOT

runner = CliRunner()


def one_line_error(result, code: int = 2) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("错误/Error:")]
    assert lines, result.stderr
    assert "Traceback" not in result.output + result.stderr
    return lines[0]


def gongkai(*args: str, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    """The real command in a child process (for what could hang or needs process limits)."""
    return subprocess.run(
        [sys.executable, "-m", "gongkai.cli", *args], capture_output=True, text=True, timeout=timeout, **kw
    )


@pytest.fixture
def seed(corpus, tmp_path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(corpus / "seeds" / "000_f01d4dbb51cf7cd1.txt", src / "report.txt")
    return src / "report.txt"


@pytest.fixture
def stored(seed, tmp_path) -> Path:
    db = tmp_path / "g.db"
    result = runner.invoke(app, ["ingest", "-q", "--workers", "1", str(seed), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db


def test_device_and_fifo_refused(tmp_path):
    line = one_line_error(runner.invoke(app, ["parse", "/dev/zero"]))
    assert "不是普通文件" in line
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    line = one_line_error(runner.invoke(app, ["check", str(fifo)]))
    assert "FIFO" in line


def test_ingest_does_not_hang_on_a_folder_with_a_fifo(tmp_path, seed):
    os.mkfifo(seed.parent / "pipe.txt")
    out = gongkai(
        "ingest", "-q", "--workers", "1", str(seed.parent), "--db", str(tmp_path / "f.db"), timeout=120
    )
    assert out.returncode == 2, out.stderr
    assert "pipe.txt: 不是普通文件" in out.stderr and "Traceback" not in out.stderr
    assert "ok 1" in out.stdout or "problems 1" in out.stdout
    assert "unreadable 1" in out.stdout


def test_db_is_a_folder_or_corrupt(tmp_path):
    (tmp_path / "dir.db").mkdir()
    assert "数据库" in one_line_error(runner.invoke(app, ["coverage", "--db", str(tmp_path / "dir.db")]))
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 300)
    line = one_line_error(runner.invoke(app, ["coverage", "--db", str(bad)]))
    assert str(bad) in line and "损坏" in line


def test_read_only_database(stored, seed, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the originals' folder of a ``file:`` URI database is a relative path
    url = f"sqlite:///file:{stored}?mode=ro&uri=true"
    seed.write_text(seed.read_text(encoding="utf-8") + "\n补充。", encoding="utf-8")  # new bytes: a write
    line = one_line_error(runner.invoke(app, ["ingest", "-q", "--workers", "1", str(seed), "--db", url]))
    assert "只读" in line


def test_render_into_missing_folder(seed, tmp_path):
    target = tmp_path / "missing" / "out.html"
    line = one_line_error(runner.invoke(app, ["render", str(seed), "--to", str(target)]))
    assert "文件夹不存在" in line and not target.exists()


def test_full_disk_leaves_no_partial_output(stored, tmp_path):
    """RLIMIT_FSIZE makes writes past 20 kB fail as on a full disk: one line, no 0-byte or partial file."""
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))\n"
        "from gongkai.cli import main\n"
        "sys.argv = ['gongkai'] + sys.argv[1:]\n"
        "main()\n"
    )
    for name in ("out.csv", "out.xlsx", "long.xlsx"):
        args = ["export", "--to", str(tmp_path / "outs" / name), "--db", str(stored)]
        if name.startswith("long"):
            args.append("--long")
        (tmp_path / "outs").mkdir(exist_ok=True)
        out = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, cwd=ROOT
        )
        if out.returncode == 0:  # this export fits in 20 kB: nothing to prove with it
            continue
        assert out.returncode == 2, out.stderr
        assert out.stderr.startswith("错误/Error:") and "Traceback" not in out.stderr
        assert os.listdir(tmp_path / "outs") == [], "a partial or temporary file was left behind"
        return
    pytest.fail("no export exceeded the 20 kB limit")


def test_bad_port():
    assert "65535" in one_line_error(runner.invoke(app, ["serve", "--port", "70000"]))


def test_worker_pool_that_cannot_start(monkeypatch, seed, tmp_path):
    import importlib

    workers_module = importlib.import_module("gongkai.workers")

    def no_worker(self, ctx):
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(workers_module._Worker, "__init__", no_worker)
    result = runner.invoke(app, ["ingest", "-q", "--workers", "2", str(seed), "--db", str(tmp_path / "p.db")])
    if os.cpu_count() == 1:
        pytest.skip("one core: no pool is started")
    assert "资源暂时不可用" in one_line_error(result)


def test_internal_error_exits_3(monkeypatch, seed, tmp_path):
    import gongkai
    import gongkai.store

    def broken(*a, **k):
        raise RuntimeError("a bug")

    monkeypatch.setattr(gongkai, "parse_bytes", broken)  # what parse and check read with
    line = one_line_error(runner.invoke(app, ["parse", "--time-limit", "0", str(seed)]), EXIT_INTERNAL)
    assert "内部错误" in line
    monkeypatch.setattr(gongkai.store, "coverage", broken)
    line = one_line_error(runner.invoke(app, ["coverage", "--db", str(tmp_path / "c.db")]), EXIT_INTERNAL)
    assert "RuntimeError" in line


def test_control_characters_in_names_are_escaped(tmp_path):
    name = tmp_path / "evil\x1b[31m\rname.txt"
    line = one_line_error(runner.invoke(app, ["parse", str(name)]))
    assert "\x1b" not in line and "\r" not in line and "\\x1b" in line and "\\r" in line


def test_exports_quote_formulas(stored, tmp_path):
    from gongkai.store.export import spreadsheet_safe

    assert [spreadsheet_safe(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "ok", -1, None)] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "ok", -1, None,
    ]  # fmt: skip
    shutil.copy(stored, tmp_path / "copy.db")
    import sqlite3

    with sqlite3.connect(tmp_path / "copy.db") as c:
        c.execute("UPDATE agencies SET name = '=HYPERLINK(\"http://x\")'")
    out = tmp_path / "out.csv"
    assert runner.invoke(app, ["export", "--to", str(out), "--db", str(tmp_path / "copy.db")]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows and all(not v.startswith("=") for r in rows for v in r.values())
    out_xlsx = tmp_path / "out.xlsx"
    assert (
        runner.invoke(app, ["export", "--to", str(out_xlsx), "--db", str(tmp_path / "copy.db")]).exit_code
        == 0
    )
    from openpyxl import load_workbook

    ws = load_workbook(out_xlsx).worksheets[0]
    assert all(
        not (isinstance(c.value, str) and c.value.startswith("=")) for row in ws.iter_rows() for c in row
    )
    result = runner.invoke(app, ["coverage", "--format", "csv", "--db", str(tmp_path / "copy.db")])
    assert "'=HYPERLINK" in result.stdout


def test_a_reader_that_stops_early_is_not_an_error():
    """`gongkai parse report | head -1`: exit 141 as a shell reports it, and nothing on stderr."""
    report = str(ROOT / "examples" / "pingtan_2021.txt")
    command = [
        sys.executable,
        "-m",
        "gongkai.cli",
        "parse",
        *[report] * 8,
        "--format",
        "json",
    ]  # > a pipe's 64 KiB
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline()
        proc.stdout.close()
        stderr = proc.stderr.read()
    assert proc.returncode == 141
    assert stderr == b""
