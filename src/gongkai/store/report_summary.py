"""One narrow row per stored report for the list and chart pages, kept up to date by the store's write path,
so that the pages count, filter, page and add up in SQL without reading findings, cells or report texts.

Tables (``schema.report_summaries``, ``schema.report_codes``):

report_summaries  one row per report: ``agency_id``, ``subject`` (the version group's agency, see
                  ``gongkai.review.versions.subject_of``), ``year``, ``agency`` (as written), ``province``,
                  ``city``, ``county``, ``kind`` (``gongkai.audit.kinds``), ``status`` (the document's),
                  ``errors``/``warnings``/``infos`` (findings by severity, every scope), ``current`` (the
                  current version of its subject-year, as ``versions.current_ids`` decides), ``blank`` (a
                  blank template), and the chart figures (``FIGURES``): ``t3_new`` (new applications),
                  ``t3_<outcome>`` for each of ``OUTCOMES`` (the total column of that outcome's rows),
                  ``t4_<review|litigation>_<upheld|corrected|other>`` (litigation adds up its rows); blank
                  cells are left out, None when there is no value at all.
report_codes      one row per report and finding code: ``severity``, ``findings`` (how many).

API (``c`` is a SQLAlchemy connection inside the caller's transaction):

- ``add(c, report_id, report_row, findings, cells)``: a report just written, from what the writer has;
  ``add_many(c, [(report_id, report_row, findings, cells), …])`` several (a write batch).
- ``refresh(c, report_ids)``: recompute those reports' rows from what is stored (a report that no longer
  exists loses its rows) and the ``current`` flag of every version group they were or are in. Call it after
  any change to a report's row, its document's status, its findings or its version marks.
- ``refresh_groups(c, groups)``: only the ``current`` flags of ``(subject, year)`` groups; ``groups_of(c,
  ids)`` the groups of some reports (taken before deleting them).
- ``backfill(c)``: rebuild both tables for the whole store (the migration, ``bench/make_db.py``).

>>> with store.engine.begin() as c:
...     refresh(c, [report_id])
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from sqlalchemy import Connection, Select, delete, insert, select, true, update

from gongkai.store import reviewstate
from gongkai.store import schema as S
from gongkai.store.driver import insert_rows

__all__ = [
    "FIGURES",
    "OUTCOMES",
    "add",
    "add_many",
    "backfill",
    "figures_of",
    "groups_of",
    "outcome_of",
    "refresh",
    "refresh_groups",
]

OUTCOMES = S.OUTCOMES
FIGURES = S.SUMMARY_FIGURES
_T4_COLUMNS = ("upheld", "corrected", "other")
_CHUNK = 500
_SEVERITIES = {"error": "errors", "warning": "warnings", "info": "infos"}
_MIN_TIME = dt.datetime.min.replace(tzinfo=dt.UTC)


def outcome_of(row_key: str) -> str | None:
    """The outcome group of a table-三 row (``denied_state_secret`` → ``denied``), or None."""
    for o in OUTCOMES:
        if row_key == o or row_key.startswith(o + "_"):
            return o
    return None


def figures_of(cells: Iterable[tuple[str, str, str, float | int | None]]) -> dict[str, float | None]:
    """The chart figures of one report from its ``(table, row, column, value)`` cells (None: no value)."""
    out: dict[str, float | None] = dict.fromkeys(FIGURES)

    def add(key: str, value) -> None:
        out[key] = (out[key] or 0) + value

    for table, row, col, value in cells:
        if value is None:
            continue
        if table == "table3" and col == "total":
            if row == "new":
                add("t3_new", value)
            elif o := outcome_of(row):
                add(f"t3_{o}", value)
        elif table == "table4" and col in _T4_COLUMNS:
            add(f"t4_{'review' if row == 'review' else 'litigation'}_{col}", value)
    return out


class CellSummary(NamedTuple):
    """What a summary takes of a report's cells: its chart figures and whether any cell has a value."""

    figures: dict[str, float | None]
    numbered: bool


def cell_summary(cells: list[tuple[str, str, str, float | int | None]]) -> CellSummary:
    """``CellSummary`` of ``(table, row, column, value)`` cells (made where the rows are, in a worker)."""
    return CellSummary(figures_of(cells), any(value is not None for *_key, value in cells))


def _kind(meta: dict) -> str | None:
    try:
        from gongkai.audit.kinds import kind_of
    except ImportError:  # the store works without the audit
        return None
    return kind_of(meta or {})[0]


def _subject(agency_id: str | None, sha256: str) -> str:
    return agency_id or f"sha256:{sha256}"


def _chunks(items: list, n: int = _CHUNK) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _rows(c: Connection, ids: list[int]) -> tuple[list[dict], list[dict]]:
    """The summary and code rows of ``ids`` (existing reports only), ``current`` still False."""
    r, d, f, cl = S.reports, S.documents, S.findings, S.cells
    base = select(
        r.c.id,
        r.c.agency_id,
        r.c.agency,
        r.c.year,
        r.c.province,
        r.c.city,
        r.c.county,
        r.c.meta,
        d.c.status,
        d.c.sha256,
    ).join(d, d.c.id == r.c.id)
    reports = {m["id"]: dict(m) for m in c.execute(base.where(r.c.id.in_(ids))).mappings()}
    if not reports:
        return [], []
    found = select(f.c.report_id, f.c.code, f.c.severity).where(f.c.report_id.in_(list(reports)))
    codes: dict[int, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for rid, code, sev in c.execute(found):
        codes[rid][code][sev] += 1
    cells = select(cl.c.report_id, cl.c.table_key, cl.c.row_key, cl.c.column_key, cl.c.value).where(
        cl.c.report_id.in_(list(reports)),
        cl.c.table_key.in_(("table3", "table4")),
        cl.c.value.is_not(None),
    )
    by_report: dict[int, list] = defaultdict(list)
    for rid, *cell in c.execute(cells):
        by_report[rid].append(cell)
    maybe_blank = [i for i, m in reports.items() if not m["agency"] and m["year"] is None]
    numbered = {
        rid
        for (rid,) in c.execute(
            select(cl.c.report_id).where(cl.c.report_id.in_(maybe_blank), cl.c.value.is_not(None)).distinct()
        )
    }
    summaries, code_rows = [], []
    for rid, m in reports.items():
        blank = rid in maybe_blank and rid not in numbered
        row, mine = _summary(rid, m, codes.get(rid, {}), figures_of(by_report.get(rid, [])), blank)
        summaries.append(row)
        code_rows += mine
    return summaries, code_rows


def _summary(
    rid: int, m: dict, codes: dict[str, Counter], figures: dict[str, float | None], blank: bool
) -> tuple[dict, list[dict]]:
    """One report's summary row (``current`` still False) and code rows, from its report row ``m`` (with
    its document's ``status`` and ``sha256``), its findings' severities by code and its chart figures."""
    row = {
        "report_id": rid,
        "agency_id": m["agency_id"],
        "subject": _subject(m["agency_id"], m["sha256"]),
        "year": m["year"],
        "agency": m["agency"],
        "province": m["province"],
        "city": m["city"],
        "county": m["county"],
        "kind": _kind(m["meta"]),
        "status": m["status"],
        "errors": 0,
        "warnings": 0,
        "infos": 0,
        "current": False,
        "blank": blank,
        **figures,
    }
    code_rows = []
    for code, sevs in codes.items():
        for sev, n in sevs.items():
            if sev in _SEVERITIES:
                row[_SEVERITIES[sev]] += n
        code_rows.append(
            {"report_id": rid, "code": code, "severity": sevs.most_common(1)[0][0], "findings": sevs.total()}
        )
    return row, code_rows


def add(c: Connection, report_id: int, report_row: dict, findings: list[dict], cells: list) -> None:
    """The rows of a report just written (nothing read back): ``report_row`` has the ``reports`` columns
    plus the document's ``status``, ``sha256`` and ``ingested_at``; ``findings`` as stored (``code``,
    ``severity``, ``fingerprint``); ``cells`` as ``(table, row, column, value)`` or their ``cell_summary``.
    Sets its version group's current flag."""
    add_many(c, [(report_id, report_row, findings, cells)])


def add_many(c: Connection, written: list[tuple[int, dict, list[dict], list | CellSummary]]) -> None:
    """``add`` for several reports just written, in the order written (ascending ids): their rows inserted
    at once, and each version group's current flag moved to the latest of them without reading the group
    back (``_advance_many``)."""
    if not written:
        return
    summaries: list[dict] = []
    code_rows: list[dict] = []
    latest: dict[tuple[str, int | None], tuple[dt.datetime, int]] = {}  # each group's newest report
    for report_id, report_row, findings, cells in written:
        codes: dict[str, Counter] = defaultdict(Counter)
        for f in findings:
            codes[str(f.get("code", ""))][str(f.get("severity", ""))] += 1
        made = cells if isinstance(cells, CellSummary) else cell_summary(cells)
        blank = not report_row["agency"] and report_row["year"] is None and not made.numbered
        row, mine = _summary(report_id, report_row, codes, made.figures, blank)
        summaries.append(row)
        code_rows += mine
        if not blank:  # a blank template is never current: its group stays as it is
            group, rank = (row["subject"], row["year"]), (_as_utc(report_row.get("ingested_at")), report_id)
            latest[group] = max(latest.get(group, rank), rank)
    marked = _marked(c, [report_row["sha256"] for _rid, report_row, _f, _c in written])
    redo = {
        (row["subject"], row["year"])
        for row, (_rid, report_row, _f, _c) in zip(summaries, written, strict=True)
        if report_row["sha256"] in marked
    }
    # each group's current version moved to its newest report here, found before these rows are in
    newly, stale, again = _advance_many(c, {g: rank for g, rank in latest.items() if g not in redo})
    for row in summaries:
        row["current"] = row["report_id"] in newly
    counts = reviewstate.counts_of(
        c, [(row["report_id"], row["subject"], row["year"]) for row in summaries], _fingerprints(written)
    )
    for row, n in zip(summaries, counts, strict=True):
        row.update((k, n[k]) for k in reviewstate.COUNTS)
    insert_dicts(c, S.report_summaries, summaries)
    insert_dicts(c, S.report_codes, code_rows)
    years = {row["report_id"]: row["year"] for row in summaries}
    insert_dicts(c, S.review_codes, reviewstate.code_rows(counts, years, dict.fromkeys(newly, True)))
    for t in (S.report_summaries, S.review_codes) if stale else ():
        c.execute(update(t).where(t.c.report_id.in_(stale)).values(current=False))
    refresh_groups(c, again | redo)


def insert_dicts(c: Connection, table, rows: list[dict]) -> None:
    """``c.execute(insert(table), rows)`` for the plain rows of a write, each with the same keys, without
    SQLAlchemy's per-row work (≈ 7 µs a row, more than the insert itself: some 15 rows a report)."""
    if rows:
        keys = list(rows[0])
        insert_rows(c, table, keys, [tuple(row[k] for k in keys) for row in rows])


def _advance_many(
    c: Connection, latest: dict[tuple[str, int | None], tuple[dt.datetime, int]]
) -> tuple[set[int], list[int], set[tuple[str, int | None]]]:
    """Each group's newest report just written (``latest``: group → its (ingest time, id) rank; neither
    blank nor marked) made its current version if it beats the current one, as ``_winners`` would over the
    whole group (a picked current version stays, otherwise the later rank wins), found before their
    summaries are stored. Returns the reports to store as current, the stored ones no longer current, and
    the groups whose flags are not as ``_winners`` leaves them (more than one current version), to
    recompute once the rows are in."""
    s, d, m = S.report_summaries, S.documents, S.version_marks
    current: dict[tuple[str, int | None], list[tuple]] = defaultdict(list)
    for part in _chunks(sorted({subject for subject, _year in latest})):
        q = (
            select(s.c.subject, s.c.year, s.c.report_id, d.c.ingested_at, m.c.picked)
            .join(d, d.c.id == s.c.report_id)
            .outerjoin(m, m.c.sha256 == d.c.sha256)
            .where(s.c.current == true(), s.c.subject.in_(part))
        )
        for subject, year, *row in c.execute(q):
            if (subject, year) in latest:
                current[(subject, year)].append(tuple(row))
    newly: set[int] = set()
    stale: list[int] = []
    again: set[tuple[str, int | None]] = set()
    for group, rank in latest.items():
        now = current.get(group, [])
        if len(now) > 1:
            again.add(group)
            continue
        if now:
            rid, at, picked = now[0]
            if picked or (_as_utc(at), rid) > rank:
                continue
            stale.append(rid)
        newly.add(rank[1])
    return newly, stale, again


def _fingerprints(written: list[tuple[int, dict, list[dict], Any]]) -> dict[int, dict[str, tuple[str, str]]]:
    return {rid: reviewstate.first_codes(found) for rid, _row, found, _c in written}


def _marked(c: Connection, sha256s: list[str]) -> set[str]:
    """Those of ``sha256s`` with a version mark (withdrawn or picked), made before they were stored."""
    m = S.version_marks
    out: set[str] = set()
    for part in _chunks(sha256s):
        out.update(sha for (sha,) in c.execute(select(m.c.sha256).where(m.c.sha256.in_(part))))
    return out


def _set_current(c: Connection, report_id: int, current: bool) -> None:
    for t in (S.report_summaries, S.review_codes):
        c.execute(update(t).where(t.c.report_id == report_id).values(current=current))


def groups_of(c: Connection, ids: list[int]) -> set[tuple[str, int | None]]:
    """The ``(subject, year)`` version groups the summaries of ``ids`` are in."""
    s = S.report_summaries
    return {(g, y) for g, y in c.execute(select(s.c.subject, s.c.year).where(s.c.report_id.in_(ids)))}


def refresh(c: Connection, report_ids: Iterable[int]) -> None:
    """Recompute the rows of ``report_ids`` and the current flags of their version groups, old and new."""
    s, k = S.report_summaries, S.report_codes
    ids = sorted(set(report_ids))
    groups: set[tuple[str, int | None]] = set()
    for part in _chunks(ids):
        groups |= groups_of(c, part)
        for t in (k, S.review_codes, s):
            c.execute(delete(t).where(t.c.report_id.in_(part)))
        summaries, code_rows = _rows(c, part)
        if summaries:
            c.execute(insert(s), summaries)
            groups |= {(row["subject"], row["year"]) for row in summaries}
            reviewstate.refresh_counts(c, [row["report_id"] for row in summaries])
        if code_rows:
            c.execute(insert(k), code_rows)
    refresh_groups(c, groups)


def _members(where) -> Select:
    s, d, m = S.report_summaries, S.documents, S.version_marks
    return (
        select(s.c.report_id, s.c.subject, s.c.year, s.c.blank, d.c.ingested_at, m.c.withdrawn, m.c.picked)
        .join(d, d.c.id == s.c.report_id)
        .outerjoin(m, m.c.sha256 == d.c.sha256)
        .where(where)
        .order_by(s.c.report_id)
    )


def _as_utc(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return _MIN_TIME
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _winners(rows: Iterable) -> set[int]:
    """Each group's current version among ``rows`` (in id order): withdrawn versions and blank templates
    never; the picked one of the lowest id, else the latest by ingest time (then id). Must agree with
    ``gongkai.review.versions.current_ids``."""
    best: dict[tuple, tuple[bool, tuple]] = {}
    for rid, subject, year, blank, at, withdrawn, picked in rows:
        if withdrawn or blank:
            continue
        key = (subject, year)
        rank = (_as_utc(at), rid)
        cur = best.get(key)
        if cur is None or (picked and not cur[0]) or (not cur[0] and not picked and rank > cur[1]):
            best[key] = (bool(picked), rank)
    return {rank[1] for _picked, rank in best.values()}


def refresh_groups(c: Connection, groups: Iterable[tuple[str, int | None]]) -> None:
    """Set ``current`` within each ``(subject, year)`` group."""
    s = S.report_summaries
    for subject, year in groups:
        same = (s.c.subject == subject) & (s.c.year.is_(None) if year is None else s.c.year == year)
        rows = c.execute(_members(same).add_columns(s.c.current)).all()
        winners = _winners(row[:-1] for row in rows)
        for row in rows:
            if bool(row.current) != (row.report_id in winners):
                _set_current(c, row.report_id, not row.current)


def backfill(c: Connection, review_counts: bool = True) -> int:
    """Rebuild both tables for every stored report; returns how many reports were summarised.
    ``review_counts``: also the findings to review by state (``reviewstate``; migration 0008 adds them)."""
    s, k, r = S.report_summaries, S.report_codes, S.reports
    c.execute(delete(k))
    c.execute(delete(s))
    ids = [rid for (rid,) in c.execute(select(r.c.id).order_by(r.c.id))]
    for part in _chunks(ids, 2000):
        summaries, code_rows = _rows(c, part)
        if summaries:
            c.execute(insert(s), summaries)
        if code_rows:
            c.execute(insert(k), code_rows)
    winners = _winners(c.execute(_members(true())))
    for part in _chunks(sorted(winners), 2000):
        c.execute(update(s).where(s.c.report_id.in_(part)).values(current=True))
    if review_counts:
        reviewstate.backfill(c)  # after the current flags, which it copies
    return len(ids)
