"""Each report's findings to review by state, kept at write time in its ``report_summaries`` row, so the
campaign pages count them in SQL at any size: one per fingerprint (an identical finding twice is one to
review), in the state stored for its agency-year (待核 when none); the confirmed findings of its agency-year
that this version no longer has (已整改) count as confirmed. The same counts by code and severity go into
``review_codes`` (the review page's code and severity filters).

``report_summary.refresh`` recomputes them with the rest of a report's row (new documents, findings replaced,
agencies re-identified); ``refresh_groups`` here after review states change.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from gongkai.store import schema as S

__all__ = [
    "COUNTS",
    "code_rows",
    "counts_of",
    "fingerprint",
    "first_codes",
    "refresh_counts",
    "refresh_groups",
    "subject_of",
]

COUNTS = S.REVIEW_COUNTS
_STATES = ("pending", "confirmed", "dismissed")
_CHUNK = 500
# json.dumps(o, ensure_ascii=False, sort_keys=True, default=str)'s C core, built once (json.dumps builds an
# encoder for every call); None without the C accelerator. No circular-reference markers: plain JSON data.
_C_MAKE_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_C_ENCODE_SORTED = (
    _C_MAKE_ENCODER(None, str, json.encoder.encode_basestring, None, ": ", ", ", True, False, True)
    if _C_MAKE_ENCODER is not None
    else None
)


def _sorted_json(o: Any) -> str:
    if _C_ENCODE_SORTED is None:
        return json.dumps(o, ensure_ascii=False, sort_keys=True, default=str)
    return "".join(_C_ENCODE_SORTED(o, 0))


def fingerprint(finding: dict) -> str:
    """A stable key of one finding: its rule, its cells or section, and its evidence (never the row id, the
    character span or the wording, which move between versions and releases)."""
    where = finding.get("where") or []
    where = sorted(map(str, where)) if isinstance(where, list | tuple) else [str(where)]
    key = [str(finding.get("code", "")), where, finding.get("evidence")]
    return hashlib.sha256(_sorted_json(key).encode("utf-8")).hexdigest()[:32]


def subject_of(agency_id: str | None, sha256: str) -> str:
    """What a review is about: the agency, or the document itself when no agency was recognised."""
    return agency_id or f"sha256:{sha256}"


def first_codes(findings: Iterable[Mapping]) -> dict[str, tuple[str, str]]:
    """Each fingerprint of ``findings`` (in id order) with the code and severity of its first finding, the one
    the review list shows."""
    out: dict[str, tuple[str, str]] = {}
    for f in findings:
        out.setdefault(f["fingerprint"], (f.get("code") or "", f.get("severity") or ""))
    return out


def _counts(c: Connection, rows: list[tuple[int, str, int | None]]) -> list[dict]:
    """The counts of each (report id, subject, year), from their stored findings."""
    f = S.findings
    ids = [rid for rid, _s, _y in rows]
    present: dict[int, list[Mapping]] = defaultdict(list)
    for i in range(0, len(ids), _CHUNK):
        q = select(f.c.report_id, f.c.fingerprint, f.c.code, f.c.severity).where(
            f.c.report_id.in_(ids[i : i + _CHUNK])
        )
        for row in c.execute(q.order_by(f.c.id)).mappings():
            present[row["report_id"]].append(row)
    return counts_of(c, rows, {rid: first_codes(found) for rid, found in present.items()})


def counts_of(
    c: Connection,
    rows: list[tuple[int, str, int | None]],
    present: Mapping[int, Mapping[str, tuple[str, str]]],
) -> list[dict]:
    """The counts (``rid``, ``items`` and ``COUNTS``) of each (report id, subject, year) whose findings'
    fingerprints are ``present[report id]`` (every scope; each with its ``first_codes`` code and severity),
    in the order of ``rows``; ``codes``: the same by code and severity (``review_codes`` rows without the
    report's ``current`` and ``year``), a rectified finding under its review's code and severity."""
    fr = S.finding_reviews
    keys = {(subject, year or 0) for _r, subject, year in rows}
    subjects = sorted({subject for subject, _year in keys})
    reviews: dict[tuple, dict[str, tuple[str, str, str]]] = defaultdict(dict)
    for i in range(0, len(subjects), _CHUNK):
        # by subject, the first column of ux_finding_reviews (a pair (subject, year) IN … scanned the table)
        q = select(fr.c.subject, fr.c.year, fr.c.fingerprint, fr.c.state, fr.c.code, fr.c.severity).where(
            fr.c.subject.in_(subjects[i : i + _CHUNK])
        )
        for subject, year, fp, state, code, severity in c.execute(q):
            if (subject, year) in keys:
                reviews[(subject, year)][fp] = (state, code or "", severity or "")
    out = []
    for rid, subject, year in rows:
        mine = present.get(rid, {})
        states = reviews.get((subject, year or 0), {})
        coded: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(_STATES, 0))
        for fp, key in mine.items():
            coded[key][states[fp][0] if fp in states else "pending"] += 1
        for fp, (state, code, severity) in states.items():
            if state == "confirmed" and fp not in mine:
                coded[(code, severity)]["confirmed"] += 1
        codes: list[dict[str, Any]] = [
            {"report_id": rid, "code": code, "severity": sev, "items": sum(n.values()), **n}
            for (code, sev), n in coded.items()
        ]
        n = {state: sum(counts[state] for counts in coded.values()) for state in _STATES}
        out.append({"rid": rid, "items": sum(n.values()), **n, "codes": codes})
    return out


def code_rows(counts: list[dict], year: Mapping[int, int | None], current: Mapping[int, bool]) -> list[dict]:
    """The ``review_codes`` rows of ``counts_of``'s counts, with each report's year and current flag."""
    return [
        {**row, "year": year[n["rid"]], "current": bool(current.get(n["rid"]))}
        for n in counts
        for row in n["codes"]
    ]


def _store(c: Connection, counts: list[dict], rows: list[tuple], codes: bool = True) -> None:
    """Store the ``counts`` of ``rows`` (report id, subject, year, current), and their ``review_codes``."""
    if counts:
        s, k = S.report_summaries, S.review_codes
        values: dict[str, Any] = {name: bindparam(name) for name in COUNTS}
        summary = [{name: n[name] for name in ("rid", *COUNTS)} for n in counts]
        c.execute(update(s).where(s.c.report_id == bindparam("rid")).values(**values), summary)
        if not codes:
            return
        c.execute(delete(k).where(k.c.report_id.in_([n["rid"] for n in counts])))
        by_code = code_rows(counts, {r[0]: r[2] for r in rows}, {r[0]: r[3] for r in rows})
        if by_code:
            c.execute(insert(k), by_code)


def refresh_counts(c: Connection, report_ids: Iterable[int]) -> None:
    """Recompute the counts of these reports' summary rows."""
    s = S.report_summaries
    ids = sorted(set(report_ids))
    for i in range(0, len(ids), _CHUNK):
        q = select(s.c.report_id, s.c.subject, s.c.year, s.c.current)
        rows = [tuple(row) for row in c.execute(q.where(s.c.report_id.in_(ids[i : i + _CHUNK])))]
        _store(c, _counts(c, [row[:3] for row in rows]), rows)


def refresh_groups(c: Connection, groups: Iterable[tuple[str, int | None]]) -> None:
    """Recompute the counts of every report of these agency-years (subject, review year or None)."""
    s = S.report_summaries
    keys = sorted({(subject, year or 0) for subject, year in groups})
    for i in range(0, len(keys), _CHUNK):
        part = keys[i : i + _CHUNK]
        subjects = sorted({k[0] for k in part})
        q = select(s.c.report_id, s.c.subject, s.c.year, s.c.current).where(s.c.subject.in_(subjects))
        rows = [tuple(row) for row in c.execute(q) if (row[1], row[2] or 0) in set(part)]
        _store(c, _counts(c, [row[:3] for row in rows]), rows)


def backfill(c: Connection, chunk: int = 2000, codes: bool = True) -> None:
    """Every summary row's counts and, with ``codes``, its ``review_codes`` rows (a migration,
    ``bench/make_db.py``)."""
    s = S.report_summaries
    if codes:
        c.execute(delete(S.review_codes))
    last = -1
    while True:
        q = select(s.c.report_id, s.c.subject, s.c.year, s.c.current).where(s.c.report_id > last)
        rows = [tuple(row) for row in c.execute(q.order_by(s.c.report_id).limit(chunk))]
        if not rows:
            return
        _store(c, _counts(c, [row[:3] for row in rows]), rows, codes)
        last = rows[-1][0]
