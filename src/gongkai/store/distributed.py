"""Reading on a Ray cluster: ``process_bytes`` runs as Ray tasks, the caller's process keeps writing to the
database (one writer, one transaction per document), exactly as with the local process pool.

>>> import ray; ray.init(address="auto")                 # or ray.init() for a local "cluster"
>>> from gongkai.store.distributed import RayExecutor
>>> ingest(["s3-mounted/corpus"], "postgresql+psycopg://…/gongkai", executor=RayExecutor())

``RayExecutor`` has the part of the ``concurrent.futures.Executor`` interface that ``ingest`` uses
(``submit(fn, *args) -> concurrent.futures.Future``), so any engine offering futures plugs in the same way.
See ``docs/distributed.md`` for Spark, where the whole map runs inside Spark instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import Any

__all__ = ["RayExecutor", "ray_map"]


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
