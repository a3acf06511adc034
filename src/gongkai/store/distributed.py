"""Ingest on a Ray cluster. Two ways:

- ``ray_ingest``: each Ray worker (an actor) reads **and writes** its documents into PostgreSQL, so neither
  reading nor writing is bound to one process; the driver only walks the corpus, skips what is stored, ships
  the bytes (through Ray's object store) and counts. The way to scale out.
- ``ingest(..., executor=RayExecutor())``: ``process_bytes`` runs as Ray tasks and the caller's process
  writes (one writer), exactly as with the local process pool.

>>> import ray; ray.init(address="auto")                 # or ray.init() for a local "cluster"
>>> from gongkai.store.distributed import RayExecutor, ray_ingest
>>> ray_ingest(["/mnt/corpus"], "postgresql+psycopg://…/gongkai", workers=8)
>>> ingest(["/mnt/corpus"], "postgresql+psycopg://…/gongkai", executor=RayExecutor())

``RayExecutor`` has the part of the ``concurrent.futures.Executor`` interface that ``ingest`` uses
(``submit(fn, *args) -> concurrent.futures.Future``), so any engine offering futures plugs in the same way.
See ``docs/distributed.md`` for Spark, where the whole map runs inside Spark instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import Any

__all__ = ["RayExecutor", "Writer", "ray_ingest", "ray_map"]


class RayExecutor:
    """``submit(fn, *args)`` → a ``concurrent.futures.Future`` backed by a Ray task.

    ``ray``: the ``ray`` module (imported when not given; tests pass a stand-in with the same calls).
    ``options``: Ray task options such as ``{"num_cpus": 1, "memory": 2 * 1024**3}``."""

    def __init__(self, ray: Any = None, options: dict | None = None, init: dict | None = None):
        if ray is None:
            import ray
        self.ray = ray
        if not ray.is_initialized():
            ray.init(**(init or {}))
        self.options = options or {}
        self._remote: dict[Callable, Any] = {}

    def _task(self, fn: Callable):
        task = self._remote.get(fn)
        if task is None:
            task = self.ray.remote(fn)
            if self.options:
                task = task.options(**self.options)
            self._remote[fn] = task
        return task

    def submit(self, fn: Callable, *args, **kwargs) -> Future:
        ref = self._task(fn).remote(*args, **kwargs)
        return ref.future()

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:  # Executor-compatible no-op
        return None


def ray_map(items: Iterable[tuple[str, bytes]], ray: Any = None, window: int = 64) -> Iterator[dict]:
    """``process_bytes`` over ``(name, bytes)`` pairs on Ray, at most ``window`` tasks in flight; results
    in completion order. For pipelines that store the results themselves."""
    from gongkai.store.process import process_bytes

    ex = RayExecutor(ray)
    task = ex._task(process_bytes)
    pending: list = []
    for name, data in items:
        pending.append(task.remote(data, name))
        if len(pending) >= window:
            done, pending = ex.ray.wait(pending, num_returns=1)
            yield from ex.ray.get(done)
    while pending:
        done, pending = ex.ray.wait(pending, num_returns=1)
        yield from ex.ray.get(done)


class Writer:
    """What one Ray worker does (used as a Ray actor): read one document (comparing it with its agency's
    stored year before, `gongkai.store.cross`) and store it in its own transaction, through a connection
    kept open across documents. Safe with many writers at once: documents
    are unique by sha256, so a retried or duplicated document is skipped (status None)."""

    def __init__(self, url: str, overrides: Any = None):
        from gongkai.store.db import Store

        self.store = Store(url)
        self.overrides = overrides

    def ingest(self, data: bytes, name: str, display: str) -> dict:
        from gongkai.store.process import process_for_store

        # compared with the agency's stored year before here too (not with overrides: they may move the
        # report to another agency when it is written), so the driver's refresh mostly confirms
        pairs = None if self.overrides is not None and len(self.overrides) else self.store.shared_url()
        out = process_for_store(data, name, pairs=pairs)
        status = self.store.write(out, display, self.overrides)
        return {"source": display, "status": status, "error": out.get("error")}


def ray_ingest(
    paths: Iterable[Any],
    url: str,
    workers: int = 2,
    ray: Any = None,
    overrides: Any = None,
    per_worker: int = 2,
    actor_options: dict | None = None,
):
    """Ingest every document under ``paths`` into the database at ``url`` (PostgreSQL: several writers) with
    ``workers`` Ray actors that each read and store. Returns an ``IngestResult`` like ``ingest``.

    The driver reads each file (so only the driver needs the corpus), skips documents stored already (and
    repeats in this run), and keeps ``per_worker`` documents queued on each actor. A document whose actor
    dies (a crashing reader) is stored as failed by the driver and the actor is restarted by Ray
    (``max_restarts``); rerunning after an interruption continues with what is not stored yet.
    ``actor_options``: Ray options for the actors, e.g. ``{"num_cpus": 1, "memory": 2 * 1024**3}``."""
    import hashlib
    import time

    from gongkai.store.db import Store
    from gongkai.store.ingest import IngestResult, walk
    from gongkai.store.process import FAILED

    if ray is None:
        import ray
    started = time.monotonic()
    result = IngestResult()
    store = Store(url)  # migrations, once, before the actors connect
    try:
        seen = set(store.known())
        options = {"num_cpus": 1, "max_restarts": -1, **(actor_options or {})}
        actors = [ray.remote(Writer).options(**options).remote(url, overrides) for _ in range(workers)]
        load = [0] * workers
        pending: dict[Any, tuple[int, Any, str, int]] = {}  # ref → (actor, source, sha256, size)

        def collect(block: bool) -> None:
            done, _ = ray.wait(list(pending), num_returns=1, timeout=None if block else 0)
            for ref in done:
                at, src, sha, size = pending.pop(ref)
                load[at] -= 1
                try:
                    out = ray.get(ref)
                except Exception as e:  # the actor died on this document
                    out = _failed_write(store, src, sha, size, e)
                _count(result, out, FAILED)

        for src in walk(paths):
            try:
                data = src.read()
            except Exception as e:
                result.counts["unreadable"] += 1
                result.errors.append((src.display, str(e)))
                continue
            sha = hashlib.sha256(data).hexdigest()
            if sha in seen:
                result.counts["skipped"] += 1
                continue
            seen.add(sha)
            while min(load) >= per_worker:
                collect(block=True)
            at = load.index(min(load))
            load[at] += 1
            pending[actors[at].ingest.remote(data, src.name, src.display)] = (at, src, sha, len(data))
        while pending:
            collect(block=True)
        for actor in actors:
            ray.kill(actor)
        result.cross_findings = store.refresh_cross()
    finally:
        result.seconds = time.monotonic() - started
        store.close()
    return result


def _failed_write(store: Any, src: Any, sha: str, size: int, e: Exception) -> dict:
    from gongkai.store.process import FAILED

    error = f"内部错误 (internal error: worker died: {type(e).__name__})"
    record = {
        "sha256": sha,
        "name": src.name,
        "format": None,
        "size": size,
        "status": FAILED,
        "error": error,
        "report": None,
        "findings": [],
        "identity": None,
    }
    return {"source": src.display, "status": store.write(record, src.display), "error": error}


def _count(result: Any, out: dict, failed: str) -> None:
    status = out.get("status")
    if status is None:
        result.counts["skipped"] += 1
        return
    result.counts[status] += 1
    if status == failed:
        result.errors.append((out["source"], out.get("error") or "failed"))
