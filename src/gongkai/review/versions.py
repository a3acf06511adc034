"""Versions: the documents stored for one agency-year (a corrected draft, a PDF and its Word original).

The current version is the one a reviewer picked, else the latest by ingest time; a withdrawn version is kept
but hidden. Marks are stored by the document's sha256, so they survive a re-ingest. A blank official template
(no agency, no year, no number in any table) is no agency's report: it is set aside, never a version.

>>> current_versions("sqlite:///gongkai.db")[0].subject
'350128:平潭综合实验区'
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import exists, select, update
from sqlalchemy.dialects import postgresql, sqlite

from gongkai.errors import InputError
from gongkai.review.common import as_utc, log, now, opened
from gongkai.store import report_summary
from gongkai.store import schema as S
from gongkai.store.db import Store

__all__ = ["Version", "current_ids", "current_versions", "pick", "subject_of", "versions", "withdraw"]


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


def subject_of(agency_id: str | None, sha256: str) -> str:
    """What a review is about: the agency, or the document itself when no agency was recognised."""
    return agency_id or f"sha256:{sha256}"


def _published(meta: dict, row: dict) -> tuple[str | None, str | None]:
    """The publication date: the store's document column (set by collect or a reviewer) before the report's
    own meta (read from the document)."""
    if row.get("published"):
        return row["published"], row.get("published_source")
    value = meta.get("published")
    return (value, (meta.get("sources") or {}).get("published")) if value else (None, None)


def _rows(store: Store) -> list[Version]:
    d, r, a, m = S.documents, S.reports, S.agencies, S.version_marks
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
            *doc_cols,
        )
        .join(d, d.c.id == r.c.id)
        .outerjoin(a, a.c.id == r.c.agency_id)
        .outerjoin(m, m.c.sha256 == d.c.sha256)
        .order_by(r.c.id)
    )
    out = []
    with store.engine.connect() as c:
        blank = _blank_ids(c)
        for row in c.execute(q).mappings():
            meta = dict(row["meta"] or {})
            published, source = _published(meta, dict(row))
            out.append(
                Version(
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
                    blank=row["id"] in blank,
                    meta=meta,
                )
            )
    return out


def _mark_current(group: list[Version]) -> None:
    live = [v for v in group if not v.withdrawn and not v.blank]
    if not live:
        return
    picked = [v for v in live if v.picked]
    chosen = picked[0] if picked else max(live, key=lambda v: (v.ingested_at or dt.datetime.min, v.report_id))
    chosen.current = True


def _blank_ids(c) -> set[int]:
    """Reports with no agency, no year and no number in any cell (blank official templates)."""
    r, cells = S.reports, S.cells
    numbered = exists().where(cells.c.report_id == r.c.id, cells.c.value.is_not(None))
    q = select(r.c.id).where((r.c.agency.is_(None) | (r.c.agency == "")), r.c.year.is_(None), ~numbered)
    return {rid for (rid,) in c.execute(q)}


def current_ids(url_or_store=None, agency_id: str | None = None) -> set[int]:
    """The report ids of ``current_versions``, computed from a few columns per report (no meta), so it stays
    small at any corpus size; only one agency's when ``agency_id`` is given."""
    d, r, m = S.documents, S.reports, S.version_marks
    q = (
        select(r.c.id, r.c.agency_id, d.c.sha256, r.c.year, d.c.ingested_at, m.c.withdrawn, m.c.picked)
        .join(d, d.c.id == r.c.id)
        .outerjoin(m, m.c.sha256 == d.c.sha256)
        .order_by(r.c.id)
    )
    if agency_id is not None:
        q = q.where(r.c.agency_id == agency_id)
    # (subject, year) -> (picked?, the rank of the latest live version, its id): the picked one of
    # the lowest id wins, else the latest by ingest time
    best: dict[tuple, tuple] = {}
    with opened(url_or_store) as store, store.engine.connect() as c:
        blank = _blank_ids(c) if agency_id is None else set()  # a blank template has no agency
        for rid, agency_id, sha, year, at, withdrawn, picked in c.execute(q):
            if withdrawn or rid in blank:
                continue
            key = (subject_of(agency_id, sha), year)
            rank = (as_utc(at) or _MIN, rid)
            cur = best.get(key)
            if cur is None or (picked and not cur[0]) or (not cur[0] and not picked and rank > cur[1]):
                best[key] = (bool(picked), rank)
    return {rank[1] for _picked, rank in best.values()}


_MIN = dt.datetime.min.replace(tzinfo=dt.UTC)


def versions(url_or_store=None, subject: str | None = None, year: int | None = None) -> list[Version]:
    """Every stored version (withdrawn and blank ones included), the current one of each agency-year marked;
    grouped by agency-year, newest first within a group."""
    with opened(url_or_store) as store:
        rows = _rows(store)
    groups: dict[tuple, list[Version]] = defaultdict(list)
    for v in rows:
        groups[(v.subject, v.year)].append(v)
    out: list[Version] = []
    for key in sorted(groups, key=lambda k: (k[0], k[1] or 0)):
        group = groups[key]
        _mark_current(group)
        if (subject is None or key[0] == subject) and (year is None or key[1] == year):
            out += sorted(group, key=lambda v: (v.ingested_at or dt.datetime.min, v.report_id), reverse=True)
    return out


def current_versions(url_or_store=None, year: int | None = None) -> list[Version]:
    """The current version of every agency-year (what exports, charts, scores and notices use)."""
    return [v for v in versions(url_or_store, year=year) if v.current]


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
    with opened(url_or_store) as store:
        siblings = [v for v in versions(store) if v.report_id == report_id]
        if not siblings:
            raise InputError(f"没有编号为 {report_id} 的报告 (no report {report_id})")
        me = siblings[0]
        group = [v.sha256 for v in versions(store, subject=me.subject, year=me.year) if v.sha256 != me.sha256]
        with store.engine.begin() as c:
            if group:
                c.execute(
                    update(S.version_marks).where(S.version_marks.c.sha256.in_(group)).values(picked=False)
                )
            _upsert_mark(c, me.sha256, picked=True, withdrawn=False, user=user, at=now())
            report_summary.refresh_groups(c, report_summary.groups_of(c, [report_id]))
            log(c, user, "pick", f"report:{report_id}")
