"""Versions: the documents stored for one agency-year (a corrected draft, a PDF and its Word original).

The current version is the one a reviewer picked, else the latest by ingest time; a withdrawn version is kept
but hidden. Marks are stored by the document's sha256, so they survive a re-ingest. A blank official template
(no agency, no year, no number in any table) is no agency's report: it is set aside, never a version.

>>> current_versions("sqlite:///gongkai.db")[0].subject
'350128:平潭综合实验区'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from gongkai.errors import InputError
from gongkai.review.common import as_utc, log, now, opened
from gongkai.store import report_summary
from gongkai.store import schema as S
from gongkai.store.reviewstate import subject_of

__all__ = [
    "Version",
    "count_versions",
    "current_ids",
    "current_versions",
    "pick",
    "subject_of",
    "versions",
    "withdraw",
]


@dataclass
class Version:
    report_id: int
    sha256: str
    name: str  # file name
    format: str | None
    path: str | None
    agency_id: str | None
    agency: str | None  # the agency's name
    year: int | None
    province: str | None
    city: str | None
    county: str | None
    ingested_at: dt.datetime | None
    status: str
    published: str | None  # ISO date, when known
    published_source: str | None
    source_url: str | None = None
    withdrawn: bool = False
    picked: bool = False
    blank: bool = False  # a blank official template
    current: bool = False
    meta: dict = field(default_factory=dict, repr=False)

    @property
    def subject(self) -> str:
        return subject_of(self.agency_id, self.sha256)

    @property
    def region(self) -> str:
        parts: list[str] = []
        for p in (self.province, self.city, self.county):
            if p and (not parts or parts[-1] != p):
                parts.append(p)
        return "/".join(parts)


def _published(meta: dict, row: dict) -> tuple[str | None, str | None]:
    """The publication date: the store's document column (set by collect or a reviewer) before the report's
    own meta (read from the document)."""
    if row.get("published"):
        return row["published"], row.get("published_source")
    value = meta.get("published")
    return (value, (meta.get("sources") or {}).get("published")) if value else (None, None)


def agency_clause(agency: str, rr):
    """The agency filter: its id (the review subject), or part of its name (the store's, else as written)."""
    a, r = S.agencies, S.reports
    named = select(a.c.id).where(a.c.name.contains(agency, autoescape=True))
    unnamed = select(r.c.id).where(r.c.agency_id.is_(None), r.c.agency.contains(agency, autoescape=True))
    return or_(rr.c.subject == agency, rr.c.subject.in_(named), rr.c.report_id.in_(unnamed))


def publication_dates(c, report_ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
    """Each report's publication date and its source (``_published``), the report's meta read only for
    documents without the column."""
    d, r = S.documents, S.reports
    out: dict[int, tuple[str | None, str | None]] = {}
    for i in range(0, len(report_ids), 500):
        part = report_ids[i : i + 500]
        for rid, published, source in c.execute(
            select(d.c.id, d.c.published, d.c.published_source).where(d.c.id.in_(part))
        ):
            out[rid] = (published, source)
        missing = [rid for rid in part if not (out.get(rid) or (None,))[0]]
        if missing:
            for rid, meta in c.execute(select(r.c.id, r.c.meta).where(r.c.id.in_(missing))):
                out[rid] = _published(dict(meta or {}), {})
    return out


def _version_query(subject: str | None = None, year: int | None = None, agency: str | None = None):
    d, r, a, m, rr = S.documents, S.reports, S.agencies, S.version_marks, S.report_summaries
    doc_cols = [d.c[k] for k in ("published", "published_source", "source_url") if k in d.c]
    q = (
        select(
            r.c.id,
            d.c.sha256,
            d.c.name,
            d.c.format,
            d.c.path,
            r.c.agency_id,
            r.c.agency,
            a.c.name.label("agency_name"),
            r.c.year,
            r.c.province,
            r.c.city,
            r.c.county,
            d.c.ingested_at,
            d.c.status,
            r.c.meta,
            m.c.withdrawn,
            m.c.picked,
            rr.c.current,
            rr.c.blank,
            *doc_cols,
        )
        .select_from(rr)
        .join(r, r.c.id == rr.c.report_id)
        .join(d, d.c.id == r.c.id)
        .outerjoin(a, a.c.id == r.c.agency_id)
        .outerjoin(m, m.c.sha256 == d.c.sha256)
    )
    return q.where(*_clauses(subject, year, agency))


def _clauses(subject: str | None, year: int | None, agency: str | None) -> list:
    rr = S.report_summaries
    out = []
    if subject is not None:
        out.append(rr.c.subject == subject)
    if year is not None:
        out.append(rr.c.year == year)
    if agency:
        out.append(agency_clause(agency, rr))
    return out


def _version(row) -> Version:
    meta = dict(row["meta"] or {})
    published, source = _published(meta, dict(row))
    return Version(
        report_id=row["id"],
        sha256=row["sha256"],
        name=row["name"],
        format=row["format"],
        path=row["path"],
        agency_id=row["agency_id"],
        agency=row["agency_name"] or row["agency"],
        year=row["year"],
        province=row["province"],
        city=row["city"],
        county=row["county"],
        ingested_at=as_utc(row["ingested_at"]),
        status=row["status"],
        published=published,
        published_source=source,
        source_url=row.get("source_url"),
        withdrawn=bool(row["withdrawn"]),
        picked=bool(row["picked"]),
        blank=bool(row["blank"]),
        current=bool(row["current"]),
        meta=meta,
    )


def current_ids(url_or_store=None, agency_id: str | None = None) -> set[int]:
    """The report ids of ``current_versions`` (the stored current marks); only one agency's when
    ``agency_id`` is given."""
    rr = S.report_summaries
    q = select(rr.c.report_id).where(rr.c.current.is_(True))
    if agency_id is not None:
        q = q.where(rr.c.subject == agency_id)
    with opened(url_or_store) as store, store.engine.connect() as c:
        return {rid for (rid,) in c.execute(q)}


def count_versions(url_or_store=None, year: int | None = None, agency: str | None = None) -> int:
    """How many versions ``versions`` lists (counted in SQL)."""
    q = select(func.count()).select_from(S.report_summaries).where(*_clauses(None, year, agency))
    with opened(url_or_store) as store, store.engine.connect() as c:
        return int(c.execute(q).scalar() or 0)


def versions(
    url_or_store=None,
    subject: str | None = None,
    year: int | None = None,
    agency: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Version]:
    """Every stored version (withdrawn and blank ones included), the current one of each agency-year marked;
    grouped by agency-year, newest first within a group. ``agency``: its id or part of its name; ``limit``
    and ``offset`` select one page (in SQL)."""
    rr, d = S.report_summaries, S.documents
    # the page's ids first, from the narrow summaries in their (subject, year) order; then their rows
    q = (
        select(rr.c.report_id)
        .join(d, d.c.id == rr.c.report_id)
        .where(*_clauses(subject, year, agency))
        .order_by(rr.c.subject, rr.c.year, d.c.ingested_at.desc(), rr.c.report_id.desc())
    )
    if limit is not None:
        q = q.limit(limit).offset(offset)
    with opened(url_or_store) as store, store.engine.connect() as c:
        return _versions_of(c, [rid for (rid,) in c.execute(q)])


def _versions_of(c, ids: list[int]) -> list[Version]:
    """The versions of these report ids, in that order."""
    by_id: dict[int, Version] = {}
    for i in range(0, len(ids), 500):
        q = _version_query().where(S.report_summaries.c.report_id.in_(ids[i : i + 500]))
        by_id.update((v.report_id, v) for v in map(_version, c.execute(q).mappings()))
    return [by_id[rid] for rid in ids if rid in by_id]


def current_versions(url_or_store=None, year: int | None = None) -> list[Version]:
    """The current version of every agency-year (what exports, charts, scores and notices use)."""
    rr = S.report_summaries
    same_year = [] if year is None else [rr.c.year == year]
    q = select(rr.c.report_id).where(rr.c.current.is_(True), *same_year).order_by(rr.c.subject, rr.c.year)
    with opened(url_or_store) as store, store.engine.connect() as c:
        return _versions_of(c, [rid for (rid,) in c.execute(q)])


def _document(c, report_id: int) -> str:
    sha = c.execute(select(S.documents.c.sha256).where(S.documents.c.id == report_id)).scalar()
    if sha is None:
        raise InputError(f"没有编号为 {report_id} 的报告 (no report {report_id})")
    return sha


def _upsert_mark(c, sha256: str, **values) -> None:
    table = S.version_marks
    base = {"sha256": sha256, "withdrawn": False, "picked": False, **values}
    dialect = postgresql if c.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(**base)
    c.execute(stmt.on_conflict_do_update(index_elements=["sha256"], set_=values))


def withdraw(url_or_store, report_id: int, user: str | None = None, undo: bool = False) -> None:
    """Withdraw a version (kept, hidden from current versions), or bring it back with ``undo``."""
    with opened(url_or_store) as store, store.engine.begin() as c:
        sha = _document(c, report_id)
        _upsert_mark(c, sha, withdrawn=not undo, user=user, at=now())
        report_summary.refresh_groups(c, report_summary.groups_of(c, [report_id]))
        log(c, user, "restore" if undo else "withdraw", f"report:{report_id}")


def pick(url_or_store, report_id: int, user: str | None = None) -> None:
    """Make a version the current one of its agency-year (the other versions' picks are cleared)."""
    with opened(url_or_store) as store, store.engine.begin() as c:
        groups = report_summary.groups_of(c, [report_id])
        if not groups:
            raise InputError(f"没有编号为 {report_id} 的报告 (no report {report_id})")
        (subject, year), rr, d = next(iter(groups)), S.report_summaries, S.documents
        same_year = rr.c.year.is_(None) if year is None else rr.c.year == year
        siblings = (
            select(d.c.sha256).join(rr, rr.c.report_id == d.c.id).where(rr.c.subject == subject, same_year)
        )
        me = _document(c, report_id)
        c.execute(
            update(S.version_marks)
            .where(S.version_marks.c.sha256.in_(siblings), S.version_marks.c.sha256 != me)
            .values(picked=False)
        )
        _upsert_mark(c, me, picked=True, withdrawn=False, user=user, at=now())
        report_summary.refresh_groups(c, groups)
        log(c, user, "pick", f"report:{report_id}")
