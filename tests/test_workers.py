"""Killable workers: a stuck document is abandoned after the time limit and the batch goes on (parse, check,
ingest), a document that kills its interpreter fails alone, and workers never outlive the process that
started them (SIGTERM, SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gongkai.sources import parse_many
from gongkai.store import Store, ingest
from gongkai.store.process import process_bytes
from gongkai.workers import DEFAULT_TIME_LIMIT, run_tasks
from tests.conftest import seed_text, variants

ROOT = Path(__file__).resolve().parents[1]

# Run the CLI with a reader that never finishes on files named *stuck* (as pdfplumber did on a crafted page).
STUCK_CLI = """
import sys, time
import gongkai

real = gongkai.parse_bytes
def stuck(data, name, **options):
    if "stuck" in name:
        time.sleep(3600)
    return real(data, name, **options)
gongkai.parse_bytes = stuck

import gongkai.store.process as process
real_process = process._processed  # under process_bytes and process_for_store
def stuck_process(data, name, *args):
    if "stuck" in name:
        time.sleep(3600)
    return real_process(data, name, *args)
process._processed = stuck_process

from gongkai.cli import main
sys.argv = ["gongkai", *sys.argv[1:]]
main()
"""


def stuck_reader(data: bytes, name: str, given: dict | None = None) -> dict:
    if "stuck" in name:
        time.sleep(3600)
    return process_bytes(data, name, given)


def _square_or_hang(x: int) -> int:
    if x == 3:
        time.sleep(3600)
    if x == 5:
        os._exit(7)
    if x == 6:
        raise ValueError("bad")
    return x * x


def test_run_tasks_abandons_a_stuck_task_and_fails_a_dead_worker_alone():
    started = time.monotonic()
    tasks = [(i, _square_or_hang, (i,)) for i in range(9)]
    out = dict(run_tasks(tasks, workers=2, time_limit=2, ordered=True))
    assert time.monotonic() - started < 60
    assert [out[i].value for i in (0, 1, 2, 4, 7, 8)] == [0, 1, 4, 16, 49, 64]
    assert "超时" in (out[3].error or "") and not out[3].internal
    assert "worker process died" in (out[5].error or "") and out[5].internal
    assert "ValueError: bad" in (out[6].error or "")


def _echo_or_hang(x):
    if x == "hang":
        time.sleep(3600)
    if x == "die":
        os._exit(9)
    return x


def test_the_task_sent_ahead_of_a_stuck_or_dying_one_is_read_by_the_replacement():
    # one worker: every task after the first is sent ahead while it reads the one before
    tasks = [(i, _echo_or_hang, (x,)) for i, x in enumerate(["a", "hang", "b", "die", "c", "d"])]
    out = dict(run_tasks(tasks, workers=1, time_limit=2, ordered=True))
    assert [out[i].value for i in (0, 2, 4, 5)] == ["a", "b", "c", "d"]
    assert "超时" in (out[1].error or "") and "worker process died" in (out[3].error or "")


def test_big_tasks_wait_for_an_idle_worker_instead_of_blocking():
    # bigger than a socket's buffer: sent ahead, they could block this process while the worker, its
    # result bigger than the buffer too, waited for it to read
    big = [(i, _echo_or_hang, (b"x" * (4 * 2**20 + i),)) for i in range(6)]
    out = dict(run_tasks(big, workers=2, time_limit=60))
    assert sorted(len(o.value) for o in out.values()) == [4 * 2**20 + i for i in range(6)]


def test_what_is_sent_ahead_fits_the_pipes_buffer(monkeypatch):
    import multiprocessing

    from gongkai import workers

    here, there = multiprocessing.Pipe()
    with here, there:
        size = workers._send_buffer(here)
        if size is not None:  # a socket pair (POSIX)
            assert workers._ahead_bytes(here) == min(workers.SENT_AHEAD_BYTES, size // 2)
    monkeypatch.setattr(workers, "_send_buffer", lambda conn: 16 * 1024)  # a system with small buffers
    pool = workers._Pool(1, None)
    try:
        pool.give((0, _echo_or_hang, (b"x" * 100,)))  # the first worker: its pipe measured
        assert pool.ahead_bytes == 8 * 1024
        pool.give((1, _echo_or_hang, (b"x" * 10_000,)))  # more than that: waits for the worker to be idle
        assert pool.waiting is not None and len(pool.workers[0].tasks) == 1
    finally:
        pool.close()


def test_ingest_abandons_a_stuck_document_and_goes_on(tmp_path):
    src = tmp_path / "in"
    variants(src, 3)
    (src / "stuck.txt").write_text(seed_text() + "\n卡住。\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 't.db'}"
    result = ingest([src], url, workers=2, reader=stuck_reader, time_limit=3)
    assert result.counts["ok"] + result.counts["problems"] == 3, result.errors
    ((name, reason),) = result.errors
    assert name.endswith("stuck.txt") and "超时" in reason and result.counts["failed"] == 1
    with Store(url) as st:
        known = st.known()
    assert sorted(known.values()).count("failed") == 1
    assert len(known) == result.stored == 4  # the summary's counts are what the database holds


def test_parse_many_keeps_the_order_and_abandons_the_stuck(tmp_path):
    files = variants(tmp_path / "in", 3)
    items = list(parse_many([tmp_path / "in"], workers=2, time_limit=60))
    assert [i.source for i in items] == [str(p) for p in files]
    assert all(i.report is not None and i.sha256 for i in items)


@pytest.mark.parametrize("command", ["parse", "check", "ingest"])
def test_cli_time_limit(tmp_path, command):
    src = tmp_path / "in"
    variants(src, 2)
    (src / "stuck.txt").write_text(seed_text() + "\n卡住。\n", encoding="utf-8")
    extra = ["--db", str(tmp_path / "c.db"), "-q"] if command == "ingest" else []
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-c", STUCK_CLI, command, str(src), "--time-limit", "3", *extra],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert time.monotonic() - started < 100
    errors = [line for line in run.stderr.splitlines() if line.startswith("错误/Error")]
    assert len(errors) == 1 and "stuck.txt" in errors[0] and "超时" in errors[0], run.stderr
    assert "Traceback" not in run.stderr and run.returncode == 2
    if command == "parse":
        assert run.stdout.count("平潭") >= 2 or len(run.stdout) > 1000
    if command == "ingest":
        assert "failed 1" in run.stdout


def test_the_cli_documents_the_default_limit():
    from gongkai import cli

    assert cli._DEFAULT_LIMIT == DEFAULT_TIME_LIMIT


def _children(pid: int) -> set[int]:
    """Every process below ``pid``."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    out, todo = set(), [pid]
    while todo:
        for c in parents.get(todo.pop(), []):
            out.add(c)
            todo.append(c)
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_killed_ingest_leaves_no_worker_behind(tmp_path, sig):
    src = tmp_path / "in"
    variants(src, 2)
    for i in range(2):  # the workers are busy on these when the ingest is killed
        (src / f"stuck{i}.txt").write_text(seed_text() + f"\n卡住 {i}。\n", encoding="utf-8")
    db = tmp_path / "k.db"
    cmd = [sys.executable, "-c", STUCK_CLI, "ingest", "-q", "-w", "2", str(src), "--db", str(db)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        workers |= _children(proc.pid)
        time.sleep(0.1)
    try:
        assert len(workers) >= 2, "the workers did not start"
        time.sleep(1)  # both now on a stuck document
        proc.send_signal(sig)
        assert proc.wait(timeout=30) != 0
        deadline = time.monotonic() + 20
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in workers if _alive(p)], "worker processes outlived the ingest"
    finally:
        for p in workers:
            if _alive(p):
                os.kill(p, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
