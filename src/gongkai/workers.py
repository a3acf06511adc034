"""Worker processes that can be killed: every document is read in a child process with a time limit, so a
file that makes a reader hang (a crafted PDF kept pdfplumber busy for 184 s) or crash the interpreter is
abandoned, recorded as failed with one line, and the batch goes on.

>>> for key, out in run_tasks([(name, fn, (data, name)) for name, data in items], workers=2, time_limit=60):
...     print(key, out.value if out.ok else out.error)

Each worker runs one task at a time (a small next one waits in its pipe), so a timeout or a crash is
always the fault of the document it was reading: only that worker is killed, and its replacement gets the
task that was waiting. Workers die with the process that started them: they
are killed when the batch ends, is interrupted (Ctrl-C, SIGTERM turned into ``SystemExit`` by the CLI) or
fails, and on Linux the kernel kills them when their parent dies (``PR_SET_PDEATHSIG``), so even a
``kill -9`` of an ingest leaves no reader behind.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (~3 ms of a short command)
if TYPE_CHECKING:  # multiprocessing is imported when a pool starts: a text file read in-process needs none
    from multiprocessing.connection import Connection
    from typing import Any

__all__ = ["DEFAULT_TIME_LIMIT", "Outcome", "run_tasks", "timed_out_reason", "usable_cores"]

# Seconds one document may take. A text report reads in milliseconds, a 100-page scan under OCR in about a
# minute (OCR and LibreOffice stop themselves at 120 s): five minutes abandons only what is stuck.
DEFAULT_TIME_LIMIT = 300.0
# Modules a fresh worker would import anyway: loaded once in the fork server, so a worker starts warm.
PRELOAD = ["gongkai.store.process", "gongkai.read", "gongkai.extract", "gongkai.audit"]

# (key, function, arguments); a function None means the value is known already: ``(key, None, (value,))``
if TYPE_CHECKING:
    Task = tuple[Any, Callable[..., Any] | None, tuple]


@dataclass(frozen=True)
class Outcome:
    """What one task gave: its value, or the one-line reason it has none."""

    value: Any = None
    error: str | None = None
    internal: bool = False  # the task raised or its worker died, as opposed to a time limit

    @property
    def ok(self) -> bool:
        return self.error is None


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def timed_out_reason(seconds: float) -> str:
    return f"读取超时，已放弃 (took longer than {seconds:g} s; abandoned)"


def _internal(e: BaseException) -> str:
    return f"内部错误 (internal error: {type(e).__name__}: {e})"


def _die_with_parent() -> None:
    """On Linux, ask the kernel to kill this process when its parent dies."""
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _serve(conn: Connection, inherited: tuple[int, ...] = ()) -> None:
    """A worker's loop: ``(function, arguments)`` in, ``(ok, value or reason)`` out, until the pipe closes.
    ``inherited``: the parent's ends of the workers' pipes, copied into this process by ``fork``: closed, so
    that the parent closing its end is an end of input here (and for the other workers)."""
    for fd in inherited:
        with contextlib.suppress(OSError):
            os.close(fd)
    import signal  # here, in a worker: a short command in one process never needs it

    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it then kills us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _quiet_collector()
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = (True, fn(*args))
        except BaseException as e:  # a bug in a reader: its one line, and the worker goes on
            reply = (False, _internal(e))
        try:
            conn.send(reply)
        except Exception as e:  # a value that cannot be pickled
            conn.send((False, _internal(e)))


# Allocations between collections of the youngest generation in a batch (Python's default: 700): a
# document's many objects are short-lived, freed by their reference counts, and the collector's passes over
# them cost ≈ 5% of reading a text report.
BATCH_YOUNG_COLLECTION = 50_000


def _quiet_collector() -> None:
    """Fewer garbage collections in a worker: what it inherited is frozen out of them, and the youngest
    generation is collected less often (`BATCH_YOUNG_COLLECTION`)."""
    import gc

    gc.freeze()
    gc.set_threshold(BATCH_YOUNG_COLLECTION, *gc.get_threshold()[1:])


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """The youngest generation collected less often while a batch runs in this process (its writer's
    rows are as short-lived as a worker's objects); the thresholds as they were afterwards."""
    import gc

    before = gc.get_threshold()
    gc.set_threshold(max(before[0], BATCH_YOUNG_COLLECTION), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _context():
    """``fork`` from the main thread of a command (cheap: nothing to import again; the progress bar's
    thread touches nothing a worker uses). A request thread of the web server forks from a fork server
    with gongkai preloaded instead: forking a process whose other threads may hold locks is unsafe."""
    import threading
    from multiprocessing import get_context

    if threading.current_thread() is threading.main_thread():
        return get_context("fork")
    ctx = get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


_PARENT_ENDS: set[int] = set()  # this process's ends of its workers' pipes (closed in forked children)


# A worker's next task is sent while it reads its current one, so it never waits for this process to hand
# it out (busy receiving another worker's result, or writing, it may do so late). Only a task this small
# is sent ahead: it waits in the socket's buffer without blocking the sender (a big one could block it
# while the worker, its document done, waits to send its result). Less where the pipe's buffer is small
# (`_ahead_bytes`): Linux gives ~208 KiB, other systems may give a few KiB.
SENT_AHEAD_BYTES = 64 * 1024
TASKS_PER_WORKER = 2  # the task being read and the one sent ahead


def _send_buffer(conn) -> int | None:
    """The send buffer of a pipe to a worker (a socket pair on POSIX), in bytes; None if it is no socket."""
    import socket

    try:
        with socket.socket(fileno=os.dup(conn.fileno())) as sock:
            return int(sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))
    except (OSError, ValueError):
        return None


def _ahead_bytes(conn) -> int:
    """The largest task sent ahead on ``conn``: `SENT_AHEAD_BYTES`, or less when its send buffer is small
    (half of it: the kernel counts its own bookkeeping against the buffer too)."""
    size = _send_buffer(conn)
    return SENT_AHEAD_BYTES if size is None else min(SENT_AHEAD_BYTES, size // 2)


class _Worker:
    def __init__(self, ctx):
        self.conn, child = ctx.Pipe()
        _PARENT_ENDS.add(self.conn.fileno())
        forked = ctx.get_start_method() == "fork"
        inherited = tuple(_PARENT_ENDS) if forked else ()
        self.proc = ctx.Process(target=_serve, args=(child, inherited), daemon=True)
        self.proc.start()
        child.close()
        self.tasks: deque[tuple[Task, bytes]] = deque()  # sent, in the order it reads them
        self.since = 0.0  # when it began its first task

    def give(self, task: Task, payload: bytes) -> None:
        if not self.tasks:
            self.since = time.monotonic()
        self.tasks.append((task, payload))
        self.conn.send_bytes(payload)

    def done(self) -> Task:
        """Its first task ended: the next one begins."""
        task, _ = self.tasks.popleft()
        self.since = time.monotonic()
        return task

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
        with contextlib.suppress(Exception):
            self.proc.join(5)
        self._close()

    def _close(self) -> None:
        if not self.conn.closed:
            _PARENT_ENDS.discard(self.conn.fileno())
            self.conn.close()

    def stop(self) -> None:
        """End an idle worker: closing its pipe ends its loop; killed if it does not go at once."""
        self._close()
        self.proc.join(1)
        if self.proc.is_alive():
            self.kill()


class _Pool:
    """``workers`` killable processes running tasks one at a time each, with a small next task sent ahead
    (`SENT_AHEAD_BYTES`). A time limit runs from when a task begins; when a worker is killed (time limit)
    or dies, only its current task fails, and the task sent ahead goes to its replacement."""

    def __init__(self, workers: int, time_limit: float | None):
        self.ctx = _context()
        self.size = workers
        self.time_limit = time_limit
        self.workers: list[_Worker] = []
        self.waiting: tuple[Task, bytes] | None = None  # too big to send ahead: for the next idle worker
        self.ahead_bytes = SENT_AHEAD_BYTES  # `_ahead_bytes` of the first worker's pipe, once it has one

    @property
    def busy(self) -> list[_Worker]:
        return [w for w in self.workers if w.tasks]

    def free(self) -> bool:
        """Whether to take another task: a worker is idle, or one could be sent a task ahead."""
        if self.waiting is not None:
            return False
        return len(self.workers) < self.size or any(len(w.tasks) < TASKS_PER_WORKER for w in self.workers)

    def give(self, task: Task) -> None:
        from multiprocessing.reduction import ForkingPickler

        payload = bytes(ForkingPickler.dumps((task[1], task[2])))
        if self._idle() is None and len(payload) > self.ahead_bytes:
            self.waiting = (task, payload)
            return
        self._send(task, payload)

    def _idle(self) -> _Worker | None:
        if len(self.workers) < self.size:
            worker = _Worker(self.ctx)
            if not self.workers:
                self.ahead_bytes = _ahead_bytes(worker.conn)
            self.workers.append(worker)
            return worker
        return next((w for w in self.workers if not w.tasks), None)

    def _send(self, task: Task, payload: bytes) -> None:
        # an idle worker, else the one whose current task began first (likely the first to end)
        worker = self._idle() or min(self.busy, key=lambda w: (len(w.tasks), w.since))
        try:
            worker.give(task, payload)
        except (BrokenPipeError, OSError):  # it died: a fresh one gets its tasks
            self._replace(worker, [*worker.tasks])

    def _replace(self, worker: _Worker, tasks: list[tuple[Task, bytes]]) -> None:
        """Kill ``worker``; a fresh one gets ``tasks``."""
        worker.kill()
        self.workers.remove(worker)
        if tasks:
            fresh = _Worker(self.ctx)
            self.workers.append(fresh)
            for task, payload in tasks:
                fresh.give(task, payload)

    def collect(self) -> list[tuple[Any, Outcome]]:
        """Wait for at least one task to end (or to run out of time) and return what ended."""
        self._send_waiting()
        busy = self.busy
        if not busy:
            return []
        timeout = None
        if self.time_limit is not None:
            first = min(w.since for w in busy)
            timeout = max(0.0, first + self.time_limit - time.monotonic())
        from multiprocessing.connection import wait

        ready = wait([w.conn for w in busy], timeout=timeout)
        out = []
        for worker in busy:
            if worker.conn in ready:
                out.append(self._reply(worker))
            elif self.time_limit is not None and time.monotonic() - worker.since >= self.time_limit:
                out.append(self._abandon(worker))
        self._send_waiting()
        return out

    def _send_waiting(self) -> None:
        if self.waiting is not None and self._idle() is not None:
            task, payload = self.waiting
            self.waiting = None
            self._send(task, payload)

    def _reply(self, worker: _Worker) -> tuple[Any, Outcome]:
        try:
            ok, value = worker.conn.recv()
        except (EOFError, OSError):  # the interpreter died on this document (a native library crashed)
            task, _ = worker.tasks.popleft()
            worker.kill()
            code = worker.proc.exitcode
            self._replace(worker, [*worker.tasks])
            return task[0], Outcome(
                error=f"内部错误 (internal error: worker process died, exit code {code})", internal=True
            )
        key = worker.done()[0]
        return key, Outcome(value=value) if ok else Outcome(error=value, internal=True)

    def _abandon(self, worker: _Worker) -> tuple[Any, Outcome]:
        assert self.time_limit is not None
        task, _ = worker.tasks.popleft()
        self._replace(worker, [*worker.tasks])
        return task[0], Outcome(error=timed_out_reason(self.time_limit))

    def close(self) -> None:
        for worker in self.workers:
            if worker.tasks:
                worker.kill()
            else:
                worker.stop()
        self.workers, self.waiting = [], None


def run_tasks(
    tasks: Iterable[Task],
    workers: int = 1,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    ordered: bool = False,
    executor: Any = None,
) -> Iterator[tuple[Any, Outcome]]:
    """``(key, Outcome)`` for every ``(key, function, arguments)`` task, run in killable worker processes.

    ``workers``: processes (capped at the usable cores). ``time_limit``: seconds a task may take before its
    worker is killed (None: no limit). ``time_limit=None`` with one worker runs the tasks in this process.
    ``ordered``: in the order given (else as they end). At most a few tasks per worker are taken from
    ``tasks`` ahead, so memory stays flat on any number. ``executor``: an object with ``submit(fn, *args)``
    returning a ``concurrent.futures.Future`` (``distributed.RayExecutor``) instead of local workers; the
    engine applies its own limits there."""
    if executor is not None:
        yield from _run_futures(tasks, executor, max(2, 2 * workers), ordered)
        return
    if time_limit is None and workers <= 1:
        for key, fn, args in tasks:
            try:
                yield key, Outcome(value=fn(*args) if fn is not None else args[0])
            except Exception as e:
                yield key, Outcome(error=_internal(e), internal=True)
        return
    pool: _Pool = _Pool(max(1, min(workers, usable_cores())), time_limit)
    try:
        yield from _run_pool(iter(tasks), pool, ordered)
    finally:
        pool.close()


def _run_pool(tasks: Iterator[Task], pool: _Pool, ordered: bool) -> Iterator[tuple[Any, Outcome]]:
    keys: dict[int, Any] = {}  # sequence number → the caller's key, for tasks taken and not yet yielded
    order: deque[int] = deque()
    done: dict[int, Outcome] = {}
    ahead = (TASKS_PER_WORKER + 1) * pool.size  # taken but not yet yielded: bounded, so memory stays flat
    exhausted = False
    seq = 0
    while True:
        while not exhausted and pool.free() and len(keys) < ahead:
            task = next(tasks, None)
            if task is None:
                exhausted = True
                break
            key, fn, args = task
            if fn is None:  # known already (a duplicate, an unreadable file): no worker needed
                done[seq] = Outcome(value=args[0])
            else:
                pool.give((seq, fn, args))
            keys[seq] = key
            order.append(seq)
            seq += 1
        while done and (not ordered or order[0] in done):
            s = order[0] if ordered else next(iter(done))
            order.remove(s)
            yield keys.pop(s), done.pop(s)
        if pool.busy or pool.waiting is not None:
            done.update(pool.collect())
        elif exhausted and not done:
            return


def _run_futures(tasks: Iterable[Task], executor: Any, window: int, ordered: bool):
    from concurrent.futures import FIRST_COMPLETED, Future
    from concurrent.futures import wait as wait_futures

    inflight: deque = deque()

    def outcome(f) -> Outcome:
        try:
            return Outcome(value=f.result())
        except Exception as e:
            return Outcome(error=_internal(e), internal=True)

    def drain() -> Iterator[tuple[Any, Outcome]]:
        if ordered:
            key, f = inflight.popleft()
            yield key, outcome(f)
            return
        finished, _ = wait_futures([f for _, f in inflight], return_when=FIRST_COMPLETED)
        for key, f in [kf for kf in inflight if kf[1] in finished]:
            inflight.remove((key, f))
            yield key, outcome(f)

    for key, fn, args in tasks:
        if fn is None:
            f: Future = Future()
            f.set_result(args[0])
            inflight.append((key, f))
        else:
            inflight.append((key, executor.submit(fn, *args)))
        if len(inflight) >= window:
            yield from drain()
    while inflight:
        yield from drain()
