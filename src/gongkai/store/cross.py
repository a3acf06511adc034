"""The store's cross-year findings: each agency's report of a year compared with its report of the year before
(the audit's pair rules, `gongkai.audit.check_pair`), each pair of years worked out once.

The report that speaks for its year (`representatives`) keeps in ``reports.cross_previous`` the id of the
report of the year before it was compared with (0: the agency had none), so `refresh` works out only the
pairs that are new or changed: a spring's report joins one pair, and the years compared already are not
loaded again. Ingest's workers compare each report with its agency's year before as they read it
(`pair_in_worker`); the refresh the ingest runs after each batch it writes then only confirms that pairing
(the report speaks for its year and the year before is the one compared with) and works out what it cannot
confirm (e.g. a year before that came in the same batch, or a year after stored already).

The agency's name only pairs the years (its reports share its key): each report's own findings stay those of
its own text, worked out once when it was read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import BindParameter

from gongkai.audit.pair_reads import PAIR_CELL_PREFIXES, PAIR_SECTIONS
from gongkai.model import Cell, Report, SectionText
from gongkai.store import report_summary
from gongkai.store import schema as S
from gongkai.store.db import (
    STORED_REPORT_COLUMNS,
    Store,
    StoredReport,
    _insert_findings,
    _num,
    _refresh_status,
    iter_chunks,
    representatives,
    worker_connection,
)
from gongkai.store.driver import driver_rows
from gongkai.store.process import finding_json

__all__ = ["consecutive", "load_for_pairs", "pair_findings", "pair_in_worker", "refresh"]

NO_PREVIOUS = 0  # ``cross_previous`` of a report compared with nothing: its agency has no year before
AGENCIES_PER_TRANSACTION = 200
# A worker compares a report with the year before only where that year has at most this many stored copies
# (the one that speaks for it is chosen among them); more are left to the refresh.
WORKER_COPIES = 8


def check_pair_function():
    """``gongkai.audit.check_pair``, or None while the audit is missing."""
    try:
        from gongkai.audit import check_pair
    except ImportError:
        return None
    return check_pair


def consecutive(reps: list[StoredReport]) -> list[tuple[StoredReport, StoredReport]]:
    """(report, the report of the year before) for each of an agency's `representatives` that has one."""
    by_year = {r.year: r for r in reps}
    return [(r, by_year[r.year - 1]) for r in reps if r.year is not None and r.year - 1 in by_year]


def pair_findings(report: Report, previous: Report, check_pair=None) -> list[dict]:
    """The findings of ``report`` against its agency's ``previous`` year, as stored (``Finding.to_json``)."""
    check_pair = check_pair or check_pair_function()
    return [finding_json(f) for f in check_pair(report, previous)] if check_pair else []


def load_for_pairs(c: Connection, report_ids: list[int]) -> dict[int, Report]:
    """Stored reports rebuilt with what the pair rules read: meta; the value, status and source digits of
    the cells under `PAIR_CELL_PREFIXES`; the sections `PAIR_SECTIONS`. Not the other cells and sections,
    the cells' provenance nor the document's text (loading those is most of a full load,
    `Store.load_report`). Three small queries a report, run as the driver's SQL (a worker loads one report
    per document it reads: SQLAlchemy's work per row cost more than the query)."""
    out = {}
    for rid in report_ids:
        meta = driver_rows(c, _META, report_id=rid)
        if not meta:
            continue
        report = out[rid] = Report(meta=dict(_json(meta[0][0]) or {}))
        cells = _CELLS_SQLITE if c.dialect.name == "sqlite" else _CELLS
        for path, value, status, raw in driver_rows(c, cells, report_id=rid):
            report.cells[path] = Cell(path, _num(value), status, raw)
        for key, heading, text, line, start, end, extra in driver_rows(c, _SECTIONS, report_id=rid):
            report.sections[key] = SectionText(key, heading, text, line, start, end, **(_json(extra) or {}))
    return out


_ONE: BindParameter[int] = bindparam("report_id")
_META = select(S.reports.c.meta).where(S.reports.c.id == _ONE)
_CELL_COLUMNS = (S.cells.c.path, S.cells.c.value, S.cells.c.status, S.cells.c.raw)
_CELLS = (
    select(*_CELL_COLUMNS)
    .where(
        (S.cells.c.report_id == _ONE)
        & or_(*(S.cells.c.path.startswith(p, autoescape=True) for p in PAIR_CELL_PREFIXES))
    )
    .order_by(S.cells.c.seq)
)
# SQLite compares text byte by byte (BINARY): a prefix is a range of the key (report, path), searched
# directly, where LIKE read every cell of the report (their provenance is in the rows). Not on servers whose
# collation may order text otherwise.
_CELLS_SQLITE = (
    select(*_CELL_COLUMNS)
    .where(
        (S.cells.c.report_id == _ONE)
        & or_(
            *(
                (S.cells.c.path >= p) & (S.cells.c.path < p[:-1] + chr(ord(p[-1]) + 1))
                for p in PAIR_CELL_PREFIXES
            )
        )
    )
    .order_by(S.cells.c.seq)
)
_SECTIONS = (
    select(
        *(S.sections.c[k] for k in ("key", "heading", "text", "line", "start_offset", "end_offset", "extra"))
    )
    .where((S.sections.c.report_id == _ONE) & or_(*(S.sections.c.key == k for k in PAIR_SECTIONS)))
    .order_by(S.sections.c.key)
)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _members(c: Connection, where) -> list[tuple[StoredReport, int | None]]:
    """(stored report, its ``cross_previous``) of the reports ``where`` selects."""
    columns = (*STORED_REPORT_COLUMNS, S.reports.c.cross_previous)
    q = select(*columns).join(S.documents, S.documents.c.id == S.reports.c.id).where(where)
    return [(StoredReport(*row[:7]), row[7]) for row in c.execute(q)]


# An agency's reports of a year, a few more than a worker compares with the year after (`WORKER_COPIES`):
# their ids, from the index on (agency, year) alone.
_YEAR_OF_AGENCY = (
    select(S.reports.c.id)
    .where((S.reports.c.agency_id == bindparam("agency_id")) & (S.reports.c.year == bindparam("year")))
    .limit(WORKER_COPIES + 1)
)


def pair_in_worker(url: str, report: Report, agency_id: str | None) -> tuple[int, list[dict]] | None:
    """For a report read in an ingest worker: (the id of the stored report of its agency's year before that
    it was compared with, or `NO_PREVIOUS`; the pair's findings). None where the worker leaves the pairing
    to the refresh (no agency or year, many copies of the year before, no audit). Reads, never writes."""
    check_pair = check_pair_function()
    if check_pair is None or not agency_id or report.year is None:
        return None
    with worker_connection(url) as c:
        ids = [rid for (rid,) in driver_rows(c, _YEAR_OF_AGENCY, agency_id=agency_id, year=report.year - 1)]
        if len(ids) > WORKER_COPIES:
            return None
        if not ids:
            return NO_PREVIOUS, []
        previous = (
            ids[0]
            if len(ids) == 1
            else representatives([s for s, _p in _members(c, S.reports.c.id.in_(ids))])[0].id
        )
        loaded = load_for_pairs(c, [previous])[previous]
    return previous, pair_findings(report, loaded, check_pair)


@dataclass
class _Plan:
    """What a refresh does to some agencies' reports."""

    pairs: dict[int, int]  # report → the report of the year before to compare it with
    alone: list[int]  # representatives with no year before (``cross_previous`` becomes NO_PREVIOUS)
    dropped: list[int]  # reports no longer speaking for their year (their cross findings go)


def _plan(members: list[tuple[StoredReport, int | None]]) -> _Plan:
    plan = _Plan({}, [], [])
    by_agency: dict[str, list[tuple[StoredReport, int | None]]] = {}
    for m in members:
        by_agency.setdefault(m[0].agency_id or "", []).append(m)
    for group in by_agency.values():
        reps = representatives([s for s, _p in group])
        previous_of = {cur.id: prev.id for cur, prev in consecutive(reps)}
        speaking = {s.id for s in reps}
        for s, compared in group:
            if s.id not in speaking:
                if compared is not None:
                    plan.dropped.append(s.id)
                continue
            previous = previous_of.get(s.id)
            if previous is None:
                if compared != NO_PREVIOUS:
                    plan.alone.append(s.id)
            elif compared != previous:
                plan.pairs[s.id] = previous
    return plan


def refresh(store: Store, agency_ids: Iterable[str] | None = None) -> int:
    """Bring the cross-year findings of ``agency_ids`` (default: those marked stale) up to date, working out
    only the pairs of years not compared yet; returns the number of cross findings their reports have (those
    compared earlier, by ingest's workers say, included). Without the audit nothing is done and the
    agencies stay marked stale."""
    return sum(refresh_counts(store, agency_ids).values())


def refresh_counts(store: Store, agency_ids: Iterable[str] | None = None) -> dict[str, int]:
    """`refresh`, with the number of cross findings of each agency refreshed (those with none left out)."""
    check_pair = check_pair_function()
    if check_pair is None:
        return {}
    ids = store.stale_agencies() if agency_ids is None else list(agency_ids)
    counts: dict[str, int] = {}
    for chunk in iter_chunks(ids, AGENCIES_PER_TRANSACTION):
        with store.engine.connect() as c:
            plan = _plan(_members(c, S.reports.c.agency_id.in_(chunk)))
            wanted = sorted({*plan.pairs, *plan.pairs.values()})
            loaded: dict[int, Report] = {}
            for part in iter_chunks(wanted, 100):
                loaded.update(load_for_pairs(c, part))
        found = {
            rid: pair_findings(loaded[rid], loaded[prev], check_pair) for rid, prev in plan.pairs.items()
        }
        with store.engine.begin() as c:
            _store_plan(c, plan, found)
            c.execute(update(S.agencies).where(S.agencies.c.id.in_(chunk)).values(cross_stale=False))
            counts.update(_cross_counts(c, chunk))
    return counts


def _cross_counts(c: Connection, agency_ids: list[str]) -> dict[str, int]:
    """Agency → the number of cross findings of its reports (from ``ix_reports_agency_members`` and
    ``ix_findings_cross`` alone)."""
    f, r = S.findings, S.reports
    q = (
        select(r.c.agency_id, func.count())
        .join(f, (f.c.report_id == r.c.id) & (f.c.scope == "cross"))
        .where(r.c.agency_id.in_(agency_ids))
        .group_by(r.c.agency_id)
    )
    return {agency: int(n) for agency, n in c.execute(q)}


def _store_plan(c: Connection, plan: _Plan, found: dict[int, list[dict]]) -> None:
    """The plan's cross findings replace the old ones; statuses and summaries of the reports whose cross
    findings changed are worked out again."""
    f, r = S.findings, S.reports
    redone = [*plan.pairs, *plan.alone, *plan.dropped]
    touched: set[int] = set()
    for part in iter_chunks(redone, 500):
        old = f.c.report_id.in_(part) & (f.c.scope == "cross")
        touched.update(c.execute(select(f.c.report_id).where(old).distinct()).scalars())
        c.execute(delete(f).where(old))
    for rid, new in found.items():
        _insert_findings(c, rid, new, "cross")
        if new:
            touched.add(rid)
    marks: list[tuple[int, int | None]] = [*plan.pairs.items(), *((rid, NO_PREVIOUS) for rid in plan.alone)]
    marks += [(rid, None) for rid in plan.dropped]
    for rid, prev in marks:
        c.execute(update(r).where(r.c.id == rid).values(cross_previous=prev))
    for rid in sorted(touched):
        _refresh_status(c, rid)
    report_summary.refresh(c, touched)
