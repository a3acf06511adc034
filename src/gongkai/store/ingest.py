"""Batch ingest: walk folders and .zip archives, read every report in worker processes, store them as they
come (a few dozen documents, or a second's worth, per transaction: `WRITE_BATCH`, `WRITE_SECONDS`), each
batch followed by the refresh of the cross-year findings of the agencies it is the first to change (those
changed again, at the end). The writing runs in a thread of its own, so the workers are given new documents
while a batch is written. A worker also compares each report with its agency's stored year before
(`gongkai.store.cross`), so that the refresh mostly confirms pairs of years already compared.

Idempotent and resumable: documents are keyed by the sha256 of their bytes; whatever is stored is skipped,
so a second run changes nothing and an interrupted run continues where it stopped.

>>> result = ingest(["corpus/"], "sqlite:///gongkai.db", workers=2)
>>> result.counts
{'ok': 10, 'problems': 12, 'failed': 1, 'skipped': 0}
"""

from __future__ import annotations

import contextlib
import functools
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gongkai.errors import InputError
from gongkai.sources import Parsed, Source, discover, parse_many
from gongkai.store.cross import refresh_counts
from gongkai.store.db import Store
from gongkai.store.process import FAILED, OK, PROBLEMS, process_for_store
from gongkai.store.publication import Publication
from gongkai.workers import DEFAULT_TIME_LIMIT, fewer_collections, usable_cores

__all__ = ["IngestResult", "Source", "ingest", "usable_cores", "walk"]

# Documents stored per transaction at most, and the longest a read document waits for its commit: a commit
# per text report cost more than reading it, while an interrupted run loses at most this little.
WRITE_BATCH = 64
WRITE_SECONDS = 1.0


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


def ingest(
    paths: Iterable[str | Path],
    url: str | None = None,
    workers: int | None = None,
    overrides=None,
    progress: Progress | None = None,
    retry_failed: bool = False,
    store: Store | None = None,
    executor=None,
    reader: Callable[..., dict] | None = None,
    publications: Mapping[str | Path, Publication] | None = None,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> IngestResult:
    """Read every document under ``paths`` into the store at ``url``.

    ``workers``: processes reading in parallel (default: the machine's cores, and never more).
    ``time_limit``: seconds one document may take in its worker process; a document that takes longer is
    abandoned (its worker killed) and stored as failed, and the batch goes on (None: no limit; with one
    worker the documents are then read in this process).
    ``overrides``: a ``regions.Overrides`` (agency identity and region corrections), also applied to what is
    already stored. ``retry_failed``: read again the documents a previous run could not read.
    ``executor``: any ``concurrent.futures.Executor``-like object with ``submit`` (e.g.
    ``distributed.RayExecutor``) instead of the local worker processes. ``reader``: the bytes → dict function
    (default: ``process_for_store``, ``process_bytes`` with the store's rows made in the worker process; with
    an ``executor``, ``process_bytes``; a picklable replacement for tests or custom pipelines).
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
        pubs = Publications(publications)
        seen = set(known)

        def stored_already(sha256: str) -> bool:  # stored, or the same bytes twice in this run
            if sha256 in seen:
                return True
            seen.add(sha256)
            return False

        items = parse_many(
            sources,
            workers=workers or usable_cores(),
            time_limit=time_limit,
            ordered=False,
            record=True,
            skip=stored_already,
            given=pubs.given,
            reader=reader or (_store_reader(store, overrides) if executor is None else None),
            executor=executor,
        )
        with fewer_collections(), _Writer(store, result, overrides, pubs, progress) as writer:
            for item in items:
                writer.add(item)
        pubs.fill_skipped(store)
        writer.refresh_cross()  # what is still stale: agencies of the last batch, or of a failed refresh
        result.cross_findings = sum(writer.cross.values())
    finally:
        result.seconds = time.monotonic() - started
        if own:
            store.close()
    return result


def _store_reader(store: Store, overrides) -> Callable[..., dict]:
    """``process_for_store``, comparing each report with its agency's stored year before in the worker where
    the workers can open the store and the writer keeps the workers' agency (no overrides); else the
    writer's refresh compares the years."""
    url = store.shared_url()
    if url is None or (overrides is not None and len(overrides)):
        return process_for_store
    return functools.partial(process_for_store, pairs=url)


class Publications:
    """The publications given to ``ingest``, by absolute file path."""

    def __init__(self, given: Mapping[str | Path, Publication] | None):
        self.by_path = {os.path.abspath(p): pub for p, pub in (given or {}).items() if not pub.is_empty()}
        self.skipped: list[tuple[str, Publication]] = []

    def of(self, src) -> Publication | None:
        path = getattr(src, "path", None)
        return self.by_path.get(os.path.abspath(path)) if self.by_path and path else None

    def given(self, src) -> dict | None:
        """What the reader is told: the 发布日期 of the page the document came from."""
        pub = self.of(src)
        return {"published": pub.published} if pub and pub.published else None

    def skip(self, src, sha256: str) -> None:
        pub = self.of(src)
        if pub is not None:
            self.skipped.append((sha256, pub))

    def fill_skipped(self, store: Store) -> None:
        for sha256, pub in self.skipped:
            store.set_publication(sha256, pub, overwrite=False)


class _Writer:
    """Documents read, stored a batch at a time (one transaction each) by a thread of their own, counted and
    reported in the order they came; after each batch, the cross-year findings of the agencies it is the
    first in this run to write to are brought up to date (`cross.refresh_counts`; the workers compared most
    pairs already) while the workers go on reading (left to the end, that refresh kept a core idle); an
    agency written to again is refreshed once more at the end.

    The thread lets the workers go on reading while a batch is written: written in the loop that hands out
    the documents, a batch (≈ 0.1 s) left both workers idle once their document was done. ``add`` raises
    what the thread raised; leaving the ``with`` block waits for every document to be written, or, when it
    is left by an exception (Ctrl-C), for the transaction under way only (the rest is read again next
    time, as after a kill)."""

    _END = object()

    def __init__(self, store: Store, result: IngestResult, overrides, pubs: Publications, progress):
        self.store, self.result, self.overrides, self.pubs, self.progress = (
            store,
            result,
            overrides,
            pubs,
            progress,
        )
        self.pending: list[Parsed] = []
        self.since = 0.0
        self.inbox: queue.Queue = queue.Queue(maxsize=4 * WRITE_BATCH)  # bounded: memory stays flat
        self.failure: BaseException | None = None
        self.stopping = False
        # agency → its cross findings, as last refreshed in this run (0: none, or not refreshed: no audit)
        self.cross: dict[str, int] = {}
        self.thread = threading.Thread(target=self._run, name="gongkai-writer", daemon=True)

    def __enter__(self) -> _Writer:
        self.thread.start()
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self._put(self._END)
            self.thread.join()
            self._raise_failure()
            return
        self.stopping = True  # only the transaction under way is finished
        with contextlib.suppress(queue.Full):  # wakes the thread if it waits (if full, it is busy)
            self.inbox.put_nowait(self._END)
        self.thread.join()

    def add(self, item: Parsed) -> None:
        self._raise_failure()
        self._put(item)

    def _put(self, item) -> None:
        while self.thread.is_alive():
            try:
                self.inbox.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        self._raise_failure()

    def _raise_failure(self) -> None:
        if self.failure is not None:
            failure, self.failure = self.failure, None
            raise failure

    def _run(self) -> None:
        try:
            while not self.stopping:
                wait = None if not self.pending else max(0.0, self.since + WRITE_SECONDS - time.monotonic())
                try:
                    item = self.inbox.get(timeout=wait)
                except queue.Empty:
                    self.flush()
                    continue
                if item is self._END:
                    break
                self._take(item)
            if not self.stopping:
                self.flush()
        except BaseException as e:  # handed to the thread that adds, which raises it
            self.failure = e

    def _take(self, item: Parsed) -> None:
        if not self.pending:
            self.since = time.monotonic()
        self.pending.append(item)
        if len(self.pending) >= WRITE_BATCH or time.monotonic() - self.since >= WRITE_SECONDS:
            self.flush()

    def flush(self) -> None:
        items, self.pending = self.pending, []
        stored = [i for i in items if not (i.unreadable or i.skipped)]
        records = [i.record or failed_record(i) for i in stored]
        statuses = self.store.write_many(
            [(r, i.source, self.pubs.of(i.origin)) for r, i in zip(records, stored, strict=True)],
            self.overrides,
        )
        outcome = {id(i): (r, st) for i, r, st in zip(stored, records, statuses, strict=True)}
        if stored and not self.stopping:
            self.refresh_new_agencies()
        for item in items:
            self._count(item, *outcome.get(id(item), (None, None)))
            if self.progress:
                self.progress(f"done:{item.source}", self.result)

    def refresh_new_agencies(self) -> None:
        """The cross-year refresh of the agencies this batch marked stale for the first time in this run. One
        written to again in a later batch stays stale until the end (`refresh_cross`): an agency of many
        documents (say thousands of copies of one report) is then read once, not once per batch."""
        self._refresh([a for a in self.store.stale_agencies() if a not in self.cross])

    def refresh_cross(self) -> None:
        """The cross-year refresh of the agencies marked stale (those this run wrote to since)."""
        self._refresh(self.store.stale_agencies())

    def _refresh(self, agencies: list[str]) -> None:
        if agencies:
            counts = refresh_counts(self.store, agencies)  # agencies left without cross findings left out
            self.cross.update({a: counts.get(a, 0) for a in agencies})

    def _count(self, item: Parsed, record: dict | None, status: str | None) -> None:
        """Count one document (unreadable ones are not stored)."""
        result = self.result
        if item.unreadable:
            result.counts["unreadable"] += 1
            result.errors.append((item.source, item.error or ""))
            return
        if item.skipped:
            result.counts["skipped"] += 1
            self.pubs.skip(item.origin, item.sha256 or "")
            return
        if status is None:
            result.counts["skipped"] += 1
            return
        result.counts[status] += 1
        if status == FAILED and record is not None:
            result.errors.append((item.source, record.get("error") or "failed"))


def failed_record(item: Parsed) -> dict:
    """The record of a document whose worker gave nothing (timed out, or died)."""
    return {
        "sha256": item.sha256,
        "name": getattr(item.origin, "name", item.source),
        "format": None,
        "size": item.size or 0,
        "status": FAILED,
        "error": item.error or "failed",
        "report": None,
        "findings": [],
        "identity": None,
    }


def read_sources(sources: Iterable[Source]) -> Iterator[tuple[Source, bytes]]:
    """(source, bytes) pairs, for engines that ship bytes to workers themselves."""
    for s in sources:
        yield s, s.read()
