"""Each report's findings to review by state, kept at write time in its ``report_summaries`` row, so the
campaign pages count them in SQL at any size: one per fingerprint (an identical finding twice is one to
review), in the state stored for its agency-year (待核 when none); the confirmed findings of its agency-year
that this version no longer has (已整改) count as confirmed.

``report_summary.refresh`` recomputes them with the rest of a report's row (new documents, findings replaced,
agencies re-identified); ``refresh_groups`` here after review states change.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, bindparam, select, tuple_, update

from gongkai.store import schema as S

__all__ = ["COUNTS", "counts_of", "fingerprint", "refresh_counts", "refresh_groups", "subject_of"]

COUNTS = S.REVIEW_COUNTS
_CHUNK = 500


def fingerprint(finding: dict) -> str:
    """A stable key of one finding: its rule, its cells or section, and its evidence (never the row id, the
    character span or the wording, which move between versions and releases)."""
    where = finding.get("where") or []
    where = sorted(map(str, where)) if isinstance(where, list | tuple) else [str(where)]
    key = [str(finding.get("code", "")), where, finding.get("evidence")]
    text = json.dumps(key, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def subject_of(agency_id: str | None, sha256: str) -> str:
    """What a review is about: the agency, or the document itself when no agency was recognised."""
    return agency_id or f"sha256:{sha256}"


def _counts(c: Connection, rows: list[tuple[int, str, int | None]]) -> list[dict]:
    """The counts of each (report id, subject, year), from their stored findings."""
    f = S.findings
    ids = [rid for rid, _s, _y in rows]
    present: dict[int, set[str]] = defaultdict(set)
    for i in range(0, len(ids), _CHUNK):
        q = select(f.c.report_id, f.c.fingerprint).where(f.c.report_id.in_(ids[i : i + _CHUNK]))
        for rid, fp in c.execute(q):
            present[rid].add(fp)
    return counts_of(c, rows, present)


def counts_of(
    c: Connection, rows: list[tuple[int, str, int | None]], present: Mapping[int, Collection[str]]
) -> list[dict]:
    """The counts (``rid``, ``items`` and ``COUNTS``) of each (report id, subject, year) whose findings'
    fingerprints are ``present[report id]`` (every scope), in the order of ``rows``."""
    fr = S.finding_reviews
    keys = sorted({(subject, year or 0) for _r, subject, year in rows})
    reviews: dict[tuple, dict[str, str]] = defaultdict(dict)
    for i in range(0, len(keys), _CHUNK):
        q = select(fr.c.subject, fr.c.year, fr.c.fingerprint, fr.c.state).where(
            tuple_(fr.c.subject, fr.c.year).in_(keys[i : i + _CHUNK])
        )
        for row in c.execute(q):
            reviews[(row[0], row[1])][row[2]] = row[3]
    out = []
    for rid, subject, year in rows:
        mine = present.get(rid, set())
        states = reviews.get((subject, year or 0), {})
        n = {"pending": 0, "confirmed": 0, "dismissed": 0}
        for fp in mine:
            n[states.get(fp, "pending")] += 1
        n["confirmed"] += sum(1 for fp, st in states.items() if st == "confirmed" and fp not in mine)
        out.append({"rid": rid, "items": sum(n.values()), **n})
    return out


def _store(c: Connection, counts: list[dict]) -> None:
    if counts:
        s = S.report_summaries
        values: dict[str, Any] = {k: bindparam(k) for k in COUNTS}
        c.execute(update(s).where(s.c.report_id == bindparam("rid")).values(**values), counts)


def refresh_counts(c: Connection, report_ids: Iterable[int]) -> None:
    """Recompute the counts of these reports' summary rows."""
    s = S.report_summaries
    ids = sorted(set(report_ids))
    for i in range(0, len(ids), _CHUNK):
        q = select(s.c.report_id, s.c.subject, s.c.year).where(s.c.report_id.in_(ids[i : i + _CHUNK]))
        _store(c, _counts(c, [tuple(row) for row in c.execute(q)]))


def refresh_groups(c: Connection, groups: Iterable[tuple[str, int | None]]) -> None:
    """Recompute the counts of every report of these agency-years (subject, review year or None)."""
    s = S.report_summaries
    keys = sorted({(subject, year or 0) for subject, year in groups})
    for i in range(0, len(keys), _CHUNK):
        part = keys[i : i + _CHUNK]
        subjects = sorted({k[0] for k in part})
        q = select(s.c.report_id, s.c.subject, s.c.year).where(s.c.subject.in_(subjects))
        rows = [tuple(row) for row in c.execute(q) if (row[1], row[2] or 0) in set(part)]
        _store(c, _counts(c, rows))


def backfill(c: Connection, chunk: int = 2000) -> None:
    """Every summary row's counts (a migration, ``bench/make_db.py``)."""
    s = S.report_summaries
    last = -1
    while True:
        q = select(s.c.report_id, s.c.subject, s.c.year).where(s.c.report_id > last)
        rows = [tuple(row) for row in c.execute(q.order_by(s.c.report_id).limit(chunk))]
        if not rows:
            return
        _store(c, _counts(c, rows))
        last = rows[-1][0]
