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

from sqlalchemy import and_, func, or_, select

from gongkai import template
from gongkai.store import schema as S
from gongkai.store.db import Store, _num, region_path, representative_rank
from gongkai.store.report_summary import OUTCOMES, outcome_of

__all__ = [
    "DOCUMENT_STATUSES",
    "Coverage",
    "Filters",
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
        out = []
        if self.region:
            out.append(or_(r.c.province == self.region, r.c.city == self.region, r.c.county == self.region))
        if self.year_from is not None:
            out.append(r.c.year >= self.year_from)
        if self.year_to is not None:
            out.append(r.c.year <= self.year_to)
        if self.q:
            like = f"%{self.q.replace('%', '').replace('_', '')}%"
            out.append(or_(r.c.agency.like(like), S.agencies.c.name.like(like)))
        if self.status:
            out.append(d.c.status == self.status)
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
    """How many stored reports match ``filters`` (counted in SQL)."""
    if filters.clauses():
        q = select(func.count()).select_from(_report_query(filters).order_by(None).subquery())
    else:  # every report has its document
        q = select(func.count()).select_from(S.reports)
    with store.engine.connect() as c:
        return c.execute(q).scalar() or 0


def report_rows(
    store: Store, filters: Filters = Filters(), limit: int | None = None, offset: int = 0
) -> list[dict]:
    """Every stored report matching ``filters`` (or ``limit`` of them from ``offset``, for one page), with
    its finding counts by severity and by code."""
    q = _report_query(filters)
    if limit is not None:
        q = q.limit(limit).offset(offset)
    with store.engine.connect() as c:
        rows = [dict(m) for m in c.execute(q).mappings()]
        ids = [row["id"] for row in rows]
        counts: dict[int, Counter] = defaultdict(Counter)
        codes: dict[int, Counter] = defaultdict(Counter)
        for i in range(0, len(ids), _CHUNK):
            q = select(S.findings.c.report_id, S.findings.c.severity, S.findings.c.code).where(
                S.findings.c.report_id.in_(ids[i : i + _CHUNK])
            )
            for rid, sev, code in c.execute(q):
                counts[rid][sev] += 1
                codes[rid][code] += 1
    for row in rows:
        row["errors"] = counts[row["id"]]["error"]
        row["warnings"] = counts[row["id"]]["warning"]
        row["infos"] = counts[row["id"]]["info"]
        row["codes"] = dict(sorted(codes[row["id"]].items()))
        row["region"] = region_path(row["province"], row["city"], row["county"])
    return rows


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
    """Region names present in the store (provinces, then cities, then counties) for a filter menu."""
    r = S.reports
    out: list[str] = []
    with store.engine.connect() as c:
        for col in (r.c.province, r.c.city, r.c.county):
            for (name,) in c.execute(select(col).where(col.is_not(None)).distinct().order_by(col)):
                if name not in out:
                    out.append(name)
    return out


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


@dataclass(frozen=True)
class _AgencyFilters(Filters):
    """One agency's reports (by its key), for the pages of one agency."""

    agency_id: str = ""

    def clauses(self) -> list:
        return [*super().clauses(), S.reports.c.agency_id == self.agency_id]


# ---------------------------------------------------------------- coverage


@dataclass
class Coverage:
    """Agency × year. ``rows``: agency_id, name, region, cells {year: report row with ``copies``}."""

    years: list[int]
    rows: list[dict] = field(default_factory=list)
    missing: int = 0
    agencies: int = 0  # rows in all (``rows`` may be one page of them)


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


def coverage_matrix(
    store: Store, filters: Filters = Filters(), limit: int | None = None, offset: int = 0
) -> Coverage:
    """Which reports are there (and their status) for each agency and year, and which are missing.
    ``limit``/``offset``: one page of agencies (the counts still over all of them); only the shown cells'
    findings are counted."""
    rows = _lean_rows(store, Filters(region=filters.region, q=filters.q), *_COVERAGE_COLUMNS)
    for r in rows:
        r["region"] = region_path(r["province"], r["city"], r["county"])
    span = [r["year"] for r in rows if r["year"]]
    lo = filters.year_from or (min(span) if span else None)
    hi = filters.year_to or (max(span) if span else None)
    if lo is None or hi is None or hi < lo:
        return Coverage(years=[])
    yrs = list(range(lo, hi + 1))[-30:]
    by_agency: dict[str, dict] = {}
    for r in rows:
        key = r["agency_id"] or f"?{r['agency'] or r['name']}"
        entry = by_agency.setdefault(
            key,
            {
                "agency_id": r["agency_id"] or "",
                "name": r["agency_name"] or r["agency"] or r["name"],
                "region": r["region"],
                "cells": {},
            },
        )
        if r["year"] in yrs:
            cur = entry["cells"].get(r["year"])
            if cur is None or _rank(r) < _rank(cur):
                entry["cells"][r["year"]] = {**r, "copies": (cur or {}).get("copies", 0) + 1}
            else:
                cur["copies"] += 1
    out = Coverage(years=yrs, rows=sorted(by_agency.values(), key=lambda e: (e["region"], e["name"])))
    out.missing = sum(1 for e in out.rows for y in yrs if y not in e["cells"])
    out.agencies = len(out.rows)
    if limit is not None:
        out.rows = out.rows[offset : offset + limit]
    _count_findings(store, [c for e in out.rows for c in e["cells"].values()])
    return out


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


def problem_kinds(store: Store, filters: Filters = Filters()) -> tuple[list[dict], int]:
    """``problem_summary``'s per-code summary and its number of reports with problems, computed in SQL
    (without a row per report): (kinds, reports with errors, warnings or a status other than ok)."""
    f, d = S.findings, S.documents
    q = select(f.c.code, func.count(), func.count(f.c.report_id.distinct()), func.min(f.c.id))
    bad = select(f.c.report_id).where(f.c.severity.in_(("error", "warning")))
    problems = select(func.count()).where((d.c.status != "ok") | d.c.id.in_(bad))
    if filters.clauses():
        ids = _filtered_ids(filters)
        q, problems = q.where(f.c.report_id.in_(ids)), problems.where(d.c.id.in_(ids))
    else:  # every report: every finding belongs to one, and documents with a report are those
        problems = problems.where(d.c.id.in_(select(S.reports.c.id)))
    q = q.group_by(f.c.code)
    with store.engine.connect() as c:
        counts = c.execute(q).all()
        first = [row[3] for row in counts]
        names = {}
        for i in range(0, len(first), _CHUNK):
            sample = select(f.c.code, f.c.severity, f.c.data).where(f.c.id.in_(first[i : i + _CHUNK]))
            for code, sev, data in c.execute(sample):
                names[code] = ((data or {}).get("name") or "", sev)
        with_problems = c.execute(problems).scalar() or 0
    kinds = [
        {
            "code": code,
            "name": names.get(code, ("", ""))[0],
            "severity": names.get(code, ("", ""))[1],
            "findings": n,
            "reports": reports,
        }
        for code, n, reports, _first in sorted(counts, key=lambda x: (-x[1], x[0]))
    ]
    return kinds, with_problems


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


@dataclass
class _Series:
    apps: Counter = field(default_factory=Counter)
    review: dict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))
    litigation: dict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))
    by_region: Counter = field(default_factory=Counter)


def _collect_series(store: Store, year_of: dict[int, int], region_of: dict[int, str]) -> _Series:
    out = _Series()
    ids = list(year_of)
    c_ = S.cells
    with store.engine.connect() as c:
        for i in range(0, len(ids), _CHUNK):
            q = select(c_.c.report_id, c_.c.table_key, c_.c.row_key, c_.c.column_key, c_.c.value).where(
                c_.c.report_id.in_(ids[i : i + _CHUNK]),
                c_.c.table_key.in_(("table3", "table4")),
                c_.c.value.is_not(None),
            )
            for rid, t, row, col, value in c.execute(q):
                y = year_of[rid]
                if t == "table3" and col == "total" and row == "new":
                    out.apps[y] += value
                    out.by_region[region_of[rid]] += value
                elif t == "table4" and col in ("upheld", "corrected", "other"):
                    (out.review if row == "review" else out.litigation)[y][col] += value
    return out


def _rate(d: dict[int, Counter], y: int) -> float | None:
    done = d[y]["upheld"] + d[y]["corrected"] + d[y]["other"]
    return round(100 * d[y]["corrected"] / done, 1) if done else None


def _lean_rows(store: Store, filters: Filters, *columns: str) -> list[dict]:
    """``report_rows``' rows with only ``columns`` (names of its query) and no finding counts."""
    q = _report_query(filters)
    q = q.with_only_columns(*(c for c in q.selected_columns if c.key in {"id", *columns}))
    with store.engine.connect() as c:
        return [dict(m) for m in c.execute(q).mappings()]


def chart_series(store: Store, filters: Filters = Filters()) -> dict:
    """Series for the charts page, over one report per agency and year."""
    rows = _lean_rows(store, filters, "year", "province", "city")
    reps = representative_rows(rows, current_report_ids(store))
    year_of = {r["id"]: r["year"] for r in reps}
    region_of = {r["id"]: (r["city"] if filters.region else r["province"]) or "未识别" for r in reps}
    s = _collect_series(store, year_of, region_of)
    yrs = sorted(set(year_of.values()))
    by_year: dict[int, Counter] = defaultdict(Counter)
    ids = list(year_of)
    for i in range(0, len(ids), _CHUNK):
        for rid, totals in outcome_totals(store, ids[i : i + _CHUNK]).items():
            by_year[year_of[rid]].update(totals)
    shares = {y: outcome_shares(by_year[y])[1] for y in yrs}

    def share(y: int, o: str) -> float:
        x = shares[y][o]
        return 0 if x is None else round(100 * x, 1)

    return {
        "years": yrs,
        "reports": len(reps),
        "applications": [int(s.apps[y]) for y in yrs],
        "outcomes": [{"key": o, "name": _t3_label(o), "data": [share(y, o) for y in yrs]} for o in OUTCOMES],
        "review_rate": [_rate(s.review, y) for y in yrs],
        "litigation_rate": [_rate(s.litigation, y) for y in yrs],
        "regions": [{"name": k, "value": int(v)} for k, v in s.by_region.most_common(30)],
        "region_level": "市" if filters.region else "省",
    }
