"""What the web pages ask of the stored corpus, as plain dicts: filtered report rows with their finding
counts, the agency × year coverage matrix, the batch problem list, chart series, one agency's years, and a
document's row. The web renders these; it holds no SQL of its own.

>>> rows = report_rows(store, Filters(region="福建省", year_from=2021))
>>> coverage_matrix(store).missing
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import and_, case, func, or_, select

from gongkai import template
from gongkai.store import schema as S
from gongkai.store.db import Store, _num, region_path, representative_rank
from gongkai.store.report_summary import OUTCOMES, outcome_of

__all__ = [
    "DOCUMENT_STATUSES",
    "Coverage",
    "Filters",
    "agency_choices",
    "agency_reports",
    "chart_series",
    "count_reports",
    "coverage_matrix",
    "document_by_sha256",
    "document_row",
    "failed_documents",
    "has_report",
    "outcome_shares",
    "outcome_totals",
    "problem_kinds",
    "problem_summary",
    "regions",
    "report_counts",
    "report_rows",
    "representative_rows",
    "store_summary",
]

DOCUMENT_STATUSES = ("ok", "problems", "failed")
_CHUNK = 500


@dataclass(frozen=True)
class Filters:
    """The corpus pages' filters: region (any level), year range, agency-name search, document status."""

    region: str = ""
    year_from: int | None = None
    year_to: int | None = None
    q: str = ""
    status: str = ""

    @classmethod
    def from_query(cls, params: dict[str, str]) -> Filters:
        """From a query string's parameters; anything out of range is dropped, never an error."""

        def year(v: str | None) -> int | None:
            v = (v or "").strip()
            return int(v) if v.isdigit() and 1990 <= int(v) <= 2100 else None

        status = (params.get("status") or "").strip()
        return cls(
            region=(params.get("region") or "").strip()[:64],
            year_from=year(params.get("year_from")),
            year_to=year(params.get("year_to")),
            q=(params.get("q") or "").strip()[:100],
            status=status if status in DOCUMENT_STATUSES else "",
        )

    def query_string(self) -> str:
        pairs = {
            "region": self.region,
            "year_from": self.year_from or "",
            "year_to": self.year_to or "",
            "q": self.q,
            "status": self.status,
        }
        return urlencode({k: v for k, v in pairs.items() if v not in ("", None)})

    def clauses(self) -> list:
        r, d = S.reports, S.documents
        out = _place_and_years(r, self)
        if self.q:
            like = _like(self.q)
            out.append(or_(r.c.agency.like(like), S.agencies.c.name.like(like)))
        if self.status:
            out.append(d.c.status == self.status)
        return out


def _place_and_years(table, filters: Filters) -> list:
    """The region and year filters on a table with province, city, county and year columns."""
    out = []
    if filters.region:
        region = filters.region
        out.append(or_(table.c.province == region, table.c.city == region, table.c.county == region))
    if filters.year_from is not None:
        out.append(table.c.year >= filters.year_from)
    if filters.year_to is not None:
        out.append(table.c.year <= filters.year_to)
    return out


def _summary_clauses(filters: Filters) -> list:
    """``filters`` on the report summaries (``report_summary``): the same reports as ``Filters.clauses``."""
    s = S.report_summaries
    out = _place_and_years(s, filters)
    if filters.q:
        like = _like(filters.q)
        named = select(S.agencies.c.id).where(S.agencies.c.name.like(like))
        out.append(or_(s.c.agency.like(like), s.c.agency_id.in_(named)))
    if filters.status:
        out.append(s.c.status == filters.status)
    if isinstance(filters, _AgencyFilters):
        out.append(s.c.agency_id == filters.agency_id)
    return out


def _report_query(filters: Filters):
    r, d, a = S.reports, S.documents, S.agencies
    q = (
        select(
            r.c.id,
            r.c.agency,
            r.c.agency_id,
            r.c.year,
            r.c.layout,
            r.c.title,
            r.c.province,
            r.c.city,
            r.c.county,
            r.c.uncertain,
            d.c.name,
            d.c.format,
            d.c.status,
            d.c.sha256,
            d.c.source_url,
            d.c.published,
            d.c.published_source,
            d.c.tool_version,
            a.c.name.label("agency_name"),
        )
        .join(d, d.c.id == r.c.id)
        .outerjoin(a, a.c.id == r.c.agency_id)
    )
    clauses = filters.clauses()
    if clauses:
        q = q.where(and_(*clauses))
    return q.order_by(r.c.agency_id, r.c.year, d.c.name)


def current_report_ids(store: Store) -> set[int]:
    """The ids of the current version of every agency-year (``gongkai.review.versions``)."""
    from gongkai.review.versions import current_ids

    return current_ids(store)


def count_reports(store: Store, filters: Filters = Filters()) -> int:
    """How many stored reports match ``filters`` (counted in SQL, on the report summaries)."""
    q = select(func.count()).select_from(S.report_summaries)
    clauses = _summary_clauses(filters)
    if clauses:
        q = q.where(and_(*clauses))
    with store.engine.connect() as c:
        return c.execute(q).scalar() or 0


def report_rows(
    store: Store, filters: Filters = Filters(), limit: int | None = None, offset: int = 0
) -> list[dict]:
    """Every stored report matching ``filters`` (or ``limit`` of them from ``offset``, for one page), with
    its finding counts by severity and by code, in agency, year and id order. A page is chosen on the
    report summaries (an index walk), then only its rows are read."""
    s = S.report_summaries
    if limit is None:
        q = (
            _report_query(filters)
            .order_by(None)
            .order_by(S.reports.c.agency_id, S.reports.c.year, S.reports.c.id)
        )
        with store.engine.connect() as c:
            rows = [dict(m) for m in c.execute(q).mappings()]
    else:
        page = (
            select(s.c.report_id).order_by(s.c.agency_id, s.c.year, s.c.report_id).limit(limit).offset(offset)
        )
        clauses = _summary_clauses(filters)
        if clauses:
            page = page.where(and_(*clauses))
        with store.engine.connect() as c:
            ids = [rid for (rid,) in c.execute(page)]
            q = _report_query(Filters()).order_by(None).where(S.reports.c.id.in_(ids))
            by_id = {m["id"]: dict(m) for m in c.execute(q).mappings()}
        rows = [by_id[i] for i in ids if i in by_id]
    _with_counts(store, rows)
    return rows


def _with_counts(store: Store, rows: list[dict]) -> None:
    """Each row's finding counts by severity and by code (from the report summaries) and its region."""
    s, k = S.report_summaries, S.report_codes
    ids = [row["id"] for row in rows]
    counts: dict[int, tuple] = {}
    codes: dict[int, dict[str, int]] = defaultdict(dict)
    with store.engine.connect() as c:
        for i in range(0, len(ids), _CHUNK):
            part = ids[i : i + _CHUNK]
            sev = select(s.c.report_id, s.c.errors, s.c.warnings, s.c.infos).where(s.c.report_id.in_(part))
            counts.update((rid, (e, w, n)) for rid, e, w, n in c.execute(sev))
            by_code = select(k.c.report_id, k.c.code, k.c.findings).where(k.c.report_id.in_(part))
            for rid, code, n in c.execute(by_code):
                codes[rid][code] = n
    for row in rows:
        row["errors"], row["warnings"], row["infos"] = counts.get(row["id"], (0, 0, 0))
        row["codes"] = dict(sorted(codes[row["id"]].items()))
        row["region"] = region_path(row["province"], row["city"], row["county"])


def _rank(row: dict) -> tuple:
    return representative_rank(row["uncertain"], row.get("format"), row.get("sha256"))


def _agency_key(row: dict) -> Any:
    """Reports of one agency share a key; a report whose agency is not identified stands alone."""
    return row["agency_id"] or ("?", row["id"])


def representative_rows(rows: list[dict], current: set[int] | None = None) -> list[dict]:
    """One row per agency and year (copies of one report in several formats count once): the current
    version when ``current`` (their ids, ``current_report_ids``) is given — withdrawn versions never — else
    the one chosen by the store's rule for cross-year checks (``db.representative_rank``)."""
    if current is not None:
        return [row for row in rows if row["id"] in current and row["year"] is not None]
    best: dict[tuple, dict] = {}
    for row in rows:
        if row["year"] is None:
            continue
        key = (_agency_key(row), row["year"])
        if key not in best or _rank(row) < _rank(best[key]):
            best[key] = row
    return list(best.values())


def failed_documents(store: Store) -> list[dict]:
    d = S.documents
    q = (
        select(d.c.id, d.c.name, d.c.format, d.c.error, d.c.size)
        .where(d.c.status == "failed")
        .order_by(d.c.id)
    )
    with store.engine.connect() as c:
        return [dict(m) for m in c.execute(q).mappings()]


def regions(store: Store) -> list[str]:
    """Region names present in the store (provinces, then cities, then counties) for a filter menu: those
    of the agencies, and of the reports without an identified agency."""
    a, s = S.agencies, S.report_summaries
    out: dict[str, None] = {}  # in order, once each
    with store.engine.connect() as c:
        for level in ("province", "city", "county"):
            names = {n for (n,) in c.execute(select(a.c[level]).where(a.c[level].is_not(None)).distinct())}
            loose = select(s.c[level]).where(s.c.agency_id.is_(None), s.c[level].is_not(None)).distinct()
            names |= {n for (n,) in c.execute(loose)}
            out.update(dict.fromkeys(sorted(names)))
    return list(out)


def store_summary(store: Store) -> dict[str, int]:
    """Documents (in all and by status) and agencies."""
    with store.engine.connect() as c:
        docs: dict[str, int] = dict(
            c.execute(select(S.documents.c.status, func.count()).group_by(S.documents.c.status)).all()
        )
        agencies = c.execute(select(func.count()).select_from(S.agencies)).scalar() or 0
    return {
        "documents": sum(docs.values()),
        "agencies": agencies,
        **{k: docs.get(k, 0) for k in DOCUMENT_STATUSES},
    }


def document_row(store: Store, document_id: int) -> dict | None:
    """A document with its report's agency and region, or None."""
    return _document(store, S.documents.c.id == document_id)


def document_by_sha256(store: Store, sha256: str) -> dict | None:
    """The document of these bytes (its id, report agency, region), or None."""
    return _document(store, S.documents.c.sha256 == sha256)


def _document(store: Store, where) -> dict | None:
    d, r = S.documents, S.reports
    q = (
        select(
            d.c.id,
            d.c.sha256,
            d.c.name,
            d.c.path,
            d.c.format,
            d.c.size,
            d.c.status,
            d.c.error,
            d.c.tool_version,
            r.c.agency_id,
            r.c.province,
            r.c.city,
            r.c.county,
        )
        .outerjoin(r, r.c.id == d.c.id)
        .where(where)
    )
    with store.engine.connect() as c:
        row = c.execute(q).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["region"] = region_path(out["province"], out["city"], out["county"])
    return out


def has_report(store: Store, document_id: int) -> bool:
    """Whether a report was read from the document (a failed one has none)."""
    with store.engine.connect() as c:
        return c.execute(select(S.reports.c.id).where(S.reports.c.id == document_id)).first() is not None


def agency_reports(store: Store, agency_id: str) -> list[dict]:
    """One agency's representative report of each year, in year order."""
    from gongkai.review.versions import current_ids

    rows = report_rows(store, _AgencyFilters(agency_id=agency_id))
    return sorted(representative_rows(rows, current_ids(store, agency_id)), key=lambda r: r["year"])


def agency_choices(
    store: Store, find: str = "", chosen: str = "", limit: int = 200
) -> tuple[list[dict], int]:
    """Agencies for a picker (id, name, province), in id order: at most ``limit`` of those whose name
    contains ``find`` (every agency without it), plus ``chosen``; and how many matched in all."""
    a = S.agencies
    q = select(a.c.id, a.c.name, a.c.province)
    if find := find.strip().replace("%", "").replace("_", ""):
        q = q.where(a.c.name.like(f"%{find}%"))
    with store.engine.connect() as c:
        total = c.execute(select(func.count()).select_from(q.subquery())).scalar() or 0
        rows = [dict(m) for m in c.execute(q.order_by(a.c.id).limit(limit)).mappings()]
        if chosen and all(r["id"] != chosen for r in rows):
            rows += [
                dict(m)
                for m in c.execute(select(a.c.id, a.c.name, a.c.province).where(a.c.id == chosen)).mappings()
            ]
    return rows, total


@dataclass(frozen=True)
class _AgencyFilters(Filters):
    """One agency's reports (by its key), for the pages of one agency."""

    agency_id: str = ""

    def clauses(self) -> list:
        return [*super().clauses(), S.reports.c.agency_id == self.agency_id]


# ---------------------------------------------------------------- coverage


@dataclass
class Coverage:
    """Agency × year. ``rows``: agency_id, name, region, cells {year: report row with ``copies``}, and
    ``unpublished`` (the roster's year) for a roster agency without a current report of that year."""

    years: list[int]
    rows: list[dict] = field(default_factory=list)
    missing: int = 0
    agencies: int = 0  # rows in all (``rows`` may be one page of them)
    unpublished: int = 0  # roster entries without a current report of the roster's year


_COVERAGE_COLUMNS = (
    "agency",
    "agency_id",
    "year",
    "province",
    "city",
    "county",
    "uncertain",
    "name",
    "format",
    "status",
    "sha256",
    "agency_name",
)


def _like(text: str) -> str:
    return f"%{text.replace('%', '').replace('_', '')}%"


def coverage_matrix(
    store: Store,
    filters: Filters = Filters(),
    limit: int | None = None,
    offset: int = 0,
    roster_year: int | None = None,
) -> Coverage:
    """Which reports are there (and their status) for each agency and year, and which are missing, chosen
    and counted in SQL on the report summaries. Rows: reports without an identified agency (one row
    each), then the agencies by region and name, then — with ``roster_year`` (``review.roster``) — the
    roster's entries that match no agency here and have no report of that year (未发布; the roster's year
    if shown, else the last year shown). ``limit``/``offset``: one page of those rows (the last one when
    ``offset`` is past the end), the counts over all of them."""
    sm, a = S.report_summaries, S.agencies
    base = _summary_clauses(Filters(region=filters.region, q=filters.q))
    with store.engine.connect() as c:
        lo, hi = c.execute(select(func.min(sm.c.year), func.max(sm.c.year)).where(*base)).one()
        lo, hi = filters.year_from or lo, filters.year_to or hi
        if lo is None or hi is None or hi < lo:
            return Coverage(years=[])
        yrs = list(range(lo, hi + 1))[-30:]
        loose = select(sm.c.report_id).where(*base, sm.c.agency_id.is_(None))
        has_report = select(sm.c.report_id).where(*base, sm.c.agency_id == a.c.id).exists()
        named = select(a.c.id, a.c.name, a.c.province, a.c.city, a.c.county).where(has_report)
        n_loose = c.execute(select(func.count()).select_from(loose.subquery())).scalar() or 0
        n_named = c.execute(select(func.count()).select_from(named.subquery())).scalar() or 0
        out = Coverage(years=yrs, agencies=n_loose + n_named)
        present = select(sm.c.agency_id, sm.c.year).where(*base, sm.c.agency_id >= "", sm.c.year.in_(yrs))
        n_present = c.execute(select(func.count()).select_from(present.distinct().subquery())).scalar() or 0
        n_loose_present = (
            c.execute(select(func.count()).select_from(loose.where(sm.c.year.in_(yrs)).subquery())).scalar()
            or 0
        )
        out.missing = out.agencies * len(yrs) - n_present - n_loose_present
        n_matrix, year, alone = out.agencies, None, None
        if roster_year is not None and c.execute(select(S.roster.c.id).limit(1)).first() is not None:
            year = roster_year if roster_year in yrs else yrs[-1]
            alone = _roster_gaps(c, filters, base, year, out)
        if limit is not None and offset >= out.agencies > 0:  # past the end: the last page
            offset = (out.agencies - 1) // limit * limit
        start, stop = offset, (offset + limit if limit is not None else None)
        loose_ids = [
            rid
            for (rid,) in c.execute(loose.order_by(sm.c.report_id).offset(start).limit(_span(start, stop, 0)))
        ]
        order = [func.coalesce(a.c[level], "") for level in ("province", "city", "county")]
        page = named.order_by(*order, a.c.name, a.c.id)
        first = max(0, start - n_loose)
        page = page.offset(first).limit(_span(start, stop, n_loose))
        agencies = [dict(m) for m in c.execute(page).mappings()] if stop is None or stop > n_loose else []
        extra = []
        if alone is not None and (stop is None or stop > n_matrix):
            page = alone.order_by(S.roster.c.row, S.roster.c.id).offset(max(0, start - n_matrix))
            page = page.limit(_span(start, stop, n_matrix))
            extra = [
                {"agency_id": "", "name": name, "region": region or "", "cells": {}, "unpublished": year}
                for name, region in c.execute(page)
            ]
    rows = _lean_by_ids(store, loose_ids) if loose_ids else []
    out.rows = [
        {
            "agency_id": "",
            "name": r["agency"] or r["name"],
            "region": region_path(r["province"], r["city"], r["county"]),
            "cells": {r["year"]: {**r, "copies": 1}} if r["year"] in yrs else {},
        }
        for r in rows
    ]
    out.rows += _agency_rows(store, agencies, yrs)
    if year is not None:
        _mark_unpublished(store, out.rows, filters, year)
        out.rows += extra
    _count_findings(store, [cell for e in out.rows for cell in e["cells"].values()])
    return out


def _span(start: int, stop: int | None, before: int) -> int | None:
    """How many rows of a segment that starts after ``before`` others fall in [start, stop)."""
    if stop is None:
        return None
    return max(0, stop - max(start, before))


def _lean_by_ids(store: Store, ids: list[int]) -> list[dict]:
    q = _report_query(Filters())
    q = q.with_only_columns(*(col for col in q.selected_columns if col.key in {"id", *_COVERAGE_COLUMNS}))
    with store.engine.connect() as c:
        rows = {
            m["id"]: dict(m) for m in c.execute(q.order_by(None).where(S.reports.c.id.in_(ids))).mappings()
        }
    return [rows[i] for i in ids if i in rows]


def _agency_rows(store: Store, agencies: list[dict], yrs: list[int]) -> list[dict]:
    """The matrix rows of some agencies: each year's representative report, with its number of copies."""
    r = S.reports
    q = _report_query(Filters())
    q = q.with_only_columns(*(col for col in q.selected_columns if col.key in {"id", *_COVERAGE_COLUMNS}))
    q = q.order_by(None).where(r.c.agency_id.in_([ag["id"] for ag in agencies]), r.c.year.in_(yrs))
    cells: dict[str, dict[int, dict]] = defaultdict(dict)
    with store.engine.connect() as c:
        for m in c.execute(q).mappings():
            row = dict(m)
            by_year = cells[row["agency_id"]]
            cur = by_year.get(row["year"])
            if cur is None or _rank(row) < _rank(cur):
                by_year[row["year"]] = {**row, "copies": (cur or {}).get("copies", 0) + 1}
            else:
                cur["copies"] += 1
    return [
        {
            "agency_id": ag["id"],
            "name": ag["name"],
            "region": region_path(ag["province"], ag["city"], ag["county"]),
            "cells": cells.get(ag["id"], {}),
        }
        for ag in agencies
    ]


def _unpublished(year: int):
    """Roster entries without a current report of ``year``."""
    sm, ro = S.report_summaries, S.roster
    current = select(sm.c.report_id).where(
        sm.c.current.is_(True), sm.c.agency_id == ro.c.agency_id, sm.c.year == year
    )
    return ~current.exists()


def _roster_gaps(c, filters: Filters, base: list, year: int, out: Coverage):
    """Counts the roster's unpublished entries in ``out`` (those of agencies in the matrix and the rest,
    which become rows of their own); returns the query of the rest."""
    sm, ro = S.report_summaries, S.roster
    q_name = [ro.c.name.like(_like(filters.q))] if filters.q else []
    in_matrix = select(sm.c.report_id).where(*base, sm.c.agency_id == ro.c.agency_id).exists()
    matched = select(func.count()).select_from(ro).where(_unpublished(year), in_matrix, *q_name)
    place = [ro.c.region.like(_like(filters.region))] if filters.region else []
    alone = select(ro.c.name, ro.c.region).where(_unpublished(year), ~in_matrix, *q_name, *place)
    n_alone = c.execute(select(func.count()).select_from(alone.subquery())).scalar() or 0
    out.unpublished = (c.execute(matched).scalar() or 0) + n_alone
    out.agencies += n_alone
    return alone


def _mark_unpublished(store: Store, rows: list[dict], filters: Filters, year: int) -> None:
    """Marks the rows of roster agencies without a current report of ``year``."""
    ro = S.roster
    ids = [row["agency_id"] for row in rows if row["agency_id"]]
    q = select(ro.c.agency_id).where(ro.c.agency_id.in_(ids), _unpublished(year))
    if filters.q:
        q = q.where(ro.c.name.like(_like(filters.q)))
    with store.engine.connect() as c:
        gaps = {agency_id for (agency_id,) in c.execute(q)}
    for row in rows:
        if row["agency_id"] in gaps:
            row["unpublished"] = year


def _count_findings(store: Store, rows: list[dict]) -> None:
    """Each row's errors and warnings (as ``report_rows`` gives them)."""
    counts: dict[int, Counter] = defaultdict(Counter)
    ids = [r["id"] for r in rows]
    with store.engine.connect() as c:
        for i in range(0, len(ids), _CHUNK):
            q = select(S.findings.c.report_id, S.findings.c.severity).where(
                S.findings.c.report_id.in_(ids[i : i + _CHUNK])
            )
            for rid, sev in c.execute(q):
                counts[rid][sev] += 1
    for r in rows:
        r["errors"] = counts[r["id"]]["error"]
        r["warnings"] = counts[r["id"]]["warning"]


# ---------------------------------------------------------------- batch problem list


def _finding_names(store: Store, ids: list[int]) -> dict[str, tuple[str, str]]:
    names: dict[str, tuple[str, str]] = {}
    with store.engine.connect() as c:
        for i in range(0, len(ids), _CHUNK):
            q = select(S.findings.c.code, S.findings.c.severity, S.findings.c.data).where(
                S.findings.c.report_id.in_(ids[i : i + _CHUNK])
            )
            for code, sev, data in c.execute(q):
                names.setdefault(code, ((data or {}).get("name") or "", sev))
    return names


def _filtered_ids(filters: Filters):
    return _report_query(filters).order_by(None).with_only_columns(S.reports.c.id).scalar_subquery()


def report_counts(store: Store, filters: Filters = Filters()) -> tuple[int, int]:
    """(reports matching ``filters``, those of them with errors, warnings or a status other than ok), in
    one pass over the report summaries."""
    s = S.report_summaries
    problem = case(((s.c.status != "ok") | (s.c.errors > 0) | (s.c.warnings > 0), 1), else_=0)
    q = select(func.count(), func.coalesce(func.sum(problem), 0)).where(*_summary_clauses(filters))
    with store.engine.connect() as c:
        total, bad = c.execute(q).one()
    return int(total), int(bad)


def problem_kinds(store: Store, filters: Filters = Filters()) -> list[dict]:
    """``problem_summary``'s per-code summary, computed in SQL on the report summaries."""
    s, k, f = S.report_summaries, S.report_codes, S.findings
    rank = case({"error": 2, "warning": 1}, value=k.c.severity, else_=0)
    q = select(k.c.code, func.sum(k.c.findings), func.count(), func.max(rank)).group_by(k.c.code)
    clauses = _summary_clauses(filters)
    if clauses:
        q = q.where(k.c.report_id.in_(select(s.c.report_id).where(*clauses)))
    with store.engine.connect() as c:
        counts = c.execute(q).all()
        names = {}
        for code, *_counts in counts:  # one finding of each code names it (a few dozen codes)
            sample = select(f.c.data).where(f.c.code == code).order_by(f.c.report_id).limit(1)
            names[code] = (c.execute(sample).scalar() or {}).get("name") or ""
    kinds = [
        {
            "code": code,
            "name": names.get(code, ""),
            "severity": ("info", "warning", "error")[worst],  # the gravest the code has
            "findings": int(n),
            "reports": reports,
        }
        for code, n, reports, worst in sorted(counts, key=lambda x: (-x[1], x[0]))
    ]
    return kinds


def problem_summary(store: Store, filters: Filters = Filters(), rows: list[dict] | None = None) -> dict:
    """Which reports have problems and of which kinds: per-report rows plus a per-code summary.
    ``rows``: the ``report_rows`` of the same filters when the caller has them already."""
    rows = report_rows(store, filters) if rows is None else rows
    with_problems = [r for r in rows if r["errors"] or r["warnings"] or r["status"] != "ok"]
    names = _finding_names(store, [r["id"] for r in rows])
    by_code: Counter = Counter()
    reports_by_code: Counter = Counter()
    for r in rows:
        for code, n in r["codes"].items():
            by_code[code] += n
            reports_by_code[code] += 1
    kinds = [
        {
            "code": code,
            "name": names.get(code, ("", ""))[0],
            "severity": names.get(code, ("", ""))[1],
            "findings": n,
            "reports": reports_by_code[code],
        }
        for code, n in sorted(by_code.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return {"reports": with_problems, "all": len(rows), "kinds": kinds}


# ---------------------------------------------------------------- charts


def _t3_label(key: str) -> str:
    for lay in template.layout_keys():
        for r in template.layout(lay).table3.rows:
            if r.key == key:
                return re.sub(r"（[^（）]{6,}）$", "", r.label)
            if r.group.startswith("（") and r.key.startswith(key + "_"):
                return r.group
    return key


def outcome_totals(store: Store, ids: list[int]) -> dict[int, Counter]:
    """Per report: each outcome group's applications, the 总计 column of its table-三 rows as printed (blank
    cells left out, so a report that leaves them blank adds nothing)."""
    out: dict[int, Counter] = defaultdict(Counter)
    c_ = S.cells
    with store.engine.connect() as c:
        for i in range(0, len(ids), _CHUNK):
            q = select(c_.c.report_id, c_.c.row_key, c_.c.value).where(
                c_.c.report_id.in_(ids[i : i + _CHUNK]),
                c_.c.table_key == "table3",
                c_.c.column_key == "total",
                c_.c.value.is_not(None),
            )
            for rid, row, value in c.execute(q):
                if o := outcome_of(row):
                    out[rid][o] += _num(value)
    return out


def outcome_shares(totals: Counter) -> tuple[float, dict[str, float | None]]:
    """(applications answered, each outcome's share of them, 0–1): the one computation behind the charts
    page and ``gongkai query outcomes``. Answered = the outcomes' sum, so shares always add up to 1."""
    whole = sum(totals.values())
    return whole, {o: (totals[o] / whole if whole else None) for o in OUTCOMES}


def _rate(done: Counter) -> float | None:
    whole = done["upheld"] + done["corrected"] + done["other"]
    return round(100 * done["corrected"] / whole, 1) if whole else None


def _lean_rows(store: Store, filters: Filters, *columns: str) -> list[dict]:
    """``report_rows``' rows with only ``columns`` (names of its query) and no finding counts."""
    q = _report_query(filters)
    q = q.with_only_columns(*(c for c in q.selected_columns if c.key in {"id", *columns}))
    with store.engine.connect() as c:
        return [dict(m) for m in c.execute(q).mappings()]


def chart_series(store: Store, filters: Filters = Filters()) -> dict:
    """Series for the charts page, over the current version of each agency and year, added up in SQL on
    the report summaries."""
    sm = S.report_summaries
    where = [sm.c.current.is_(True), sm.c.year.is_not(None), *_summary_clauses(filters)]
    figures = [func.sum(sm.c[name]) for name in S.SUMMARY_FIGURES]
    by_year = select(sm.c.year, func.count(), *figures).where(*where).group_by(sm.c.year).order_by(sm.c.year)
    place = func.coalesce(sm.c.city if filters.region else sm.c.province, "未识别")
    by_region = (
        select(place, func.sum(sm.c.t3_new))
        .where(*where, sm.c.t3_new.is_not(None))
        .group_by(place)
        .order_by(func.sum(sm.c.t3_new).desc(), place)
        .limit(30)
    )
    with store.engine.connect() as c:
        years = [
            (y, n, dict(zip(S.SUMMARY_FIGURES, (v or 0 for v in vals), strict=True)))
            for y, n, *vals in c.execute(by_year)
        ]
        regions = c.execute(by_region).all()
    yrs = [y for y, _n, _v in years]
    shares = {y: outcome_shares(Counter({o: v[f"t3_{o}"] for o in OUTCOMES}))[1] for y, _n, v in years}

    def share(y: int, o: str) -> float:
        x = shares[y][o]
        return 0 if x is None else round(100 * x, 1)

    def done(v: dict, kind: str) -> Counter:
        return Counter({col: v[f"t4_{kind}_{col}"] for col in ("upheld", "corrected", "other")})

    return {
        "years": yrs,
        "reports": sum(n for _y, n, _v in years),
        "applications": [int(v["t3_new"]) for _y, _n, v in years],
        "outcomes": [{"key": o, "name": _t3_label(o), "data": [share(y, o) for y in yrs]} for o in OUTCOMES],
        "review_rate": [_rate(done(v, "review")) for _y, _n, v in years],
        "litigation_rate": [_rate(done(v, "litigation")) for _y, _n, v in years],
        "regions": [{"name": k, "value": int(v)} for k, v in regions],
        "region_level": "市" if filters.region else "省",
    }
