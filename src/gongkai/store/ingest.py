"""Batch ingest: walk folders and .zip archives, read every report in worker processes, store each in its own
transaction, then refresh the cross-year findings of the agencies that changed.

Idempotent and resumable: documents are keyed by the sha256 of their bytes; whatever is stored is skipped,
so a second run changes nothing and an interrupted run continues where it stopped.

>>> result = ingest(["corpus/"], "sqlite:///gongkai.db", workers=2)
>>> result.counts
{'ok': 10, 'problems': 12, 'failed': 1, 'skipped': 0}
"""

from __future__ import annotations

import os
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from multiprocessing import get_context
from pathlib import Path

from gongkai.errors import InputError
from gongkai.sources import Source, discover
from gongkai.store.db import Store
from gongkai.store.process import FAILED, OK, PROBLEMS, process_bytes
from gongkai.store.publication import Publication

__all__ = ["IngestResult", "Source", "ingest", "walk"]


def walk(paths: Iterable[str | Path]) -> Iterator[Source]:
    """Every document under ``paths`` (``gongkai.sources.discover``); a path that does not exist is an
    `InputError`."""
    sources, errors = discover(paths)
    if errors:
        path, reason = errors[0]
        raise InputError(f"{path}: {reason}")
    yield from sources


@dataclass
class IngestResult:
    # skipped: stored already; unreadable: not stored at all (could not be opened), each with a line in errors
    counts: dict[str, int] = field(
        default_factory=lambda: {OK: 0, PROBLEMS: 0, FAILED: 0, "skipped": 0, "unreadable": 0}
    )
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file, reason) of failed documents
    cross_findings: int = 0
    seconds: float = 0.0

    @property
    def stored(self) -> int:
        return self.counts[OK] + self.counts[PROBLEMS] + self.counts[FAILED]

    def to_json(self) -> dict:
        return {
            "counts": self.counts,
            "errors": [{"file": f, "error": e} for f, e in self.errors],
            "cross_findings": self.cross_findings,
            "seconds": round(self.seconds, 3),
        }


Progress = Callable[[str, IngestResult], None]  # (event, result so far); events: start:N, done:NAME


def _read(src: Source, result: IngestResult) -> bytes | None:
    try:
        return src.read()
    except InputError as e:
        result.errors.append((src.display, str(e)))
        return None
    except (OSError, zipfile.BadZipFile, KeyError) as e:
        result.errors.append(
            (src.display, f"无法读取文件 (cannot read: {getattr(e, 'strerror', None) or e})")
        )
        return None


def ingest(
    paths: Iterable[str | Path],
    url: str | None = None,
    workers: int | None = None,
    overrides=None,
    progress: Progress | None = None,
    retry_failed: bool = False,
    store: Store | None = None,
    executor=None,
    reader: Callable[..., dict] = process_bytes,
    publications: Mapping[str | Path, Publication] | None = None,
) -> IngestResult:
    """Read every document under ``paths`` into the store at ``url``.

    ``workers``: processes reading in parallel (default: the machine's cores; 1 reads in this process).
    ``overrides``: a ``regions.Overrides`` (agency identity and region corrections), also applied to what is
    already stored. ``retry_failed``: read again the documents a previous run could not read.
    ``executor``: any ``concurrent.futures.Executor``-like object with ``submit`` (e.g.
    ``distributed.RayExecutor``) instead of the local process pool. ``reader``: the bytes → dict function
    (``process_bytes``; a picklable replacement for tests or custom pipelines).
    ``publications``: file path → its ``Publication`` (source URL, 发布日期, fetch time, HTTP headers), stored
    with the document; a member of a .zip archive gets its archive's. The date is given to the reader
    (``given={"published": …}``) so the audit sees it; for a document stored already, only its empty
    publication fields are filled."""
    started = time.monotonic()
    own = store is None
    store = store or Store(url)
    result = IngestResult()
    try:
        sources = list(walk(paths))
        if progress:
            progress(f"start:{len(sources)}", result)
        if overrides is not None and len(overrides):
            store.apply_overrides(overrides)
        known = store.known()
        if retry_failed:
            failed = [s for s, st in known.items() if st == FAILED]
            store.forget(failed)
            for s in failed:
                known.pop(s)
        pubs = Publications(publications, reader)
        _run(sources, store, known, result, workers, overrides, progress, executor, pubs)
        pubs.fill_skipped(store)
        result.cross_findings = store.refresh_cross()
    finally:
        result.seconds = time.monotonic() - started
        if own:
            store.close()
    return result


class Publications:
    """The publications given to ``ingest``, by absolute file path, and the reader bound to each file's."""

    def __init__(self, given: Mapping[str | Path, Publication] | None, reader: Callable[..., dict]):
        self.by_path = {os.path.abspath(p): pub for p, pub in (given or {}).items() if not pub.is_empty()}
        self.reader = reader
        self.skipped: list[tuple[str, Publication]] = []

    def of(self, src: Source) -> Publication | None:
        return self.by_path.get(os.path.abspath(src.path)) if self.by_path else None

    def reader_for(self, src: Source) -> Callable[[bytes, str], dict]:
        pub = self.of(src)
        return (
            partial(self.reader, given={"published": pub.published}) if pub and pub.published else self.reader
        )

    def skip(self, src: Source, sha256: str) -> None:
        pub = self.of(src)
        if pub is not None:
            self.skipped.append((sha256, pub))

    def fill_skipped(self, store: Store) -> None:
        for sha256, pub in self.skipped:
            store.set_publication(sha256, pub, overwrite=False)


def _store(
    store: Store,
    out: dict,
    src: Source,
    result: IngestResult,
    overrides,
    progress: Progress | None,
    pubs: Publications,
) -> None:
    status = store.write(out, src.display, overrides, publication=pubs.of(src))
    if status is None:
        result.counts["skipped"] += 1
    else:
        result.counts[status] += 1
        if status == FAILED:
            result.errors.append((src.display, out.get("error") or "failed"))
    if progress:
        progress(f"done:{src.display}", result)


def _pending(
    sources: list[Source],
    known: dict[str, str],
    result: IngestResult,
    progress: Progress | None,
    pubs: Publications,
) -> Iterator[tuple[Source, bytes]]:
    import hashlib

    seen = set(known)
    for src in sources:
        data = _read(src, result)
        if data is None:
            result.counts["unreadable"] += 1
            if progress:
                progress(f"done:{src.display}", result)
            continue
        sha = hashlib.sha256(data).hexdigest()
        if sha in seen:  # stored already, or the same bytes twice in this run
            result.counts["skipped"] += 1
            pubs.skip(src, sha)
            if progress:
                progress(f"done:{src.display}", result)
            continue
        seen.add(sha)
        yield src, data


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _new_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("forkserver"))


def _run(sources, store, known, result, workers, overrides, progress, executor, pubs: Publications) -> None:
    todo = _pending(sources, known, result, progress, pubs)
    asked = workers or usable_cores()
    if executor is None and asked <= 1:
        for src, data in todo:
            _store(store, pubs.reader_for(src)(data, src.name), src, result, overrides, progress, pubs)
        return
    workers = min(asked, usable_cores())  # more processes than cores only add memory
    pools = [executor or _new_pool(workers)]
    limit = max(2, 3 * workers)  # documents in flight: bounded, so memory stays flat on any corpus size
    inflight: dict[Future, tuple[Source, bytes]] = {}

    def submit(src: Source, data: bytes) -> None:
        reader = pubs.reader_for(src)
        try:
            inflight[pools[-1].submit(reader, data, src.name)] = (src, data)
        except BrokenProcessPool:  # a worker died (a reader crashed the interpreter): start a new pool
            pools.append(_new_pool(workers))
            inflight[pools[-1].submit(reader, data, src.name)] = (src, data)

    try:
        for src, data in todo:
            submit(src, data)
            if len(inflight) >= limit:
                _drain(inflight, store, result, overrides, progress, pubs)
        while inflight:
            _drain(inflight, store, result, overrides, progress, pubs)
    finally:
        for f in inflight:
            f.cancel()
        if executor is None:
            for pool in pools:
                pool.shutdown(wait=True, cancel_futures=True)


def _drain(inflight: dict, store, result, overrides, progress, pubs: Publications) -> None:
    done, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
    for f in sorted(done, key=lambda f: inflight[f][0].display):
        src, data = inflight.pop(f)
        try:
            out = f.result()
        except BrokenProcessPool:
            # maybe not this document's fault: read it again on its own
            out = _isolated(src, data, pubs.reader_for(src))
        except Exception as e:
            out = _failed(src, data, e)
        _store(store, out, src, result, overrides, progress, pubs)


def _isolated(src: Source, data: bytes, reader) -> dict:
    """Read one document in a fresh one-worker pool: if the worker dies again, the document is to blame."""
    with _new_pool(1) as pool:
        try:
            return pool.submit(reader, data, src.name).result()
        except Exception as e:
            return _failed(src, data, e)


def _failed(src: Source, data: bytes, e: Exception) -> dict:
    import hashlib

    reason = "worker process died" if isinstance(e, BrokenProcessPool) else f"{type(e).__name__}: {e}"
    return {
        "sha256": hashlib.sha256(data).hexdigest(),
        "name": src.name,
        "format": None,
        "size": len(data),
        "status": FAILED,
        "error": f"内部错误 (internal error: {reason})",
        "report": None,
        "findings": [],
        "identity": None,
    }


def read_sources(sources: Iterable[Source]) -> Iterator[tuple[Source, bytes]]:
    """(source, bytes) pairs, for engines that ship bytes to workers themselves."""
    for s in sources:
        yield s, s.read()
