"""Finding review: each finding of a current version has a state — 待核 (pending), 确认 (confirmed), 驳回
(dismissed) — with a comment, the reviewer and the time.

A state is stored by the finding's fingerprint (rule, cells or section, evidence) under its agency-year,
not by the finding's row: it survives a re-ingest, and it follows the agency to its next version. A confirmed
finding that the current version no longer has is 已整改 (rectified); one it still has is 未整改.

>>> set_state("sqlite:///gongkai.db", ReviewFilter(code="T301"), "confirmed", reviewer="张三")
3
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, exists, func, literal, null, select, union_all
from sqlalchemy.dialects import postgresql, sqlite

from gongkai.errors import InputError
from gongkai.review.common import as_utc, log, now, opened
from gongkai.review.versions import agency_clause
from gongkai.store import reviewstate
from gongkai.store import schema as S
from gongkai.store.reviewstate import fingerprint

__all__ = [
    "STATES",
    "STATE_LABELS",
    "ReviewFilter",
    "ReviewedFinding",
    "count_for_review",
    "findings_for_review",
    "fingerprint",
    "rectification",
    "set_state",
]

PENDING, CONFIRMED, DISMISSED = "pending", "confirmed", "dismissed"
STATES = (PENDING, CONFIRMED, DISMISSED)
STATE_LABELS = {PENDING: "待核", CONFIRMED: "确认", DISMISSED: "驳回"}
RECTIFIED, UNRECTIFIED = "rectified", "unrectified"
RECTIFICATION_LABELS = {RECTIFIED: "已整改", UNRECTIFIED: "未整改"}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass
class ReviewedFinding:
    report_id: int
    subject: str
    agency: str | None
    year: int | None
    fingerprint: str
    code: str
    severity: str
    message: str
    where: list[str]
    evidence: Any
    scope: str
    data: dict = field(repr=False, default_factory=dict)
    state: str = PENDING
    comment: str | None = None
    reviewer: str | None = None
    at: dt.datetime | None = None
    rectification: str | None = None  # for confirmed findings: still present (未整改) or gone (已整改)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)


@dataclass
class ReviewFilter:
    """Which findings an action applies to; every field given must match."""

    agency: str | None = None  # agency id, or part of its name
    year: int | None = None
    code: str | None = None  # a code or a prefix (``T3``)
    severity: str | None = None
    state: str | None = None
    report_id: int | None = None
    fingerprints: tuple[str, ...] = ()

    def counted(self) -> bool:
        """Whether the stored per-report counts answer how many findings this filter selects."""
        return not (self.code or self.severity or self.report_id is not None or self.fingerprints)

    def counted_by_code(self) -> bool:
        """Whether the stored per-report counts by code and severity (``review_codes``) answer it."""
        return bool(self.code or self.severity) and self.report_id is None and not self.fingerprints


def _version_clauses(filters: ReviewFilter, rr, report_ids: list[int] | None = None) -> list:
    out = [rr.c.current.is_(True)]
    if report_ids is not None:
        out.append(rr.c.report_id.in_(report_ids))
    if filters.year is not None:
        out.append(rr.c.year == filters.year)
    if filters.report_id is not None:
        out.append(rr.c.report_id == filters.report_id)
    if filters.agency:
        out.append(agency_clause(filters.agency, rr))
    return out


def _finding_clauses(filters: ReviewFilter, code, severity, fp=None) -> list:
    out = []
    if filters.code:
        out.append(func.upper(code).startswith(filters.code.upper(), autoescape=True))
    if filters.severity:
        out.append(severity == filters.severity)
    if filters.fingerprints:
        out.append(fp.in_(list(filters.fingerprints)))
    return out


def _review_query(filters: ReviewFilter, include_rectified: bool, report_ids: list[int] | None = None):
    """The findings to review as (subject, year, report_id, part, key, review id), in the list's order: each
    current version's findings (part 0, one per fingerprint, by id), then the confirmed findings it no longer
    has (part 1); only those of ``report_ids`` when given."""
    rr, f, fr = S.report_summaries, S.findings, S.finding_reviews
    f2 = f.alias("f2")
    review_year = func.coalesce(rr.c.year, 0)
    first = ~exists().where(
        f2.c.report_id == f.c.report_id, f2.c.fingerprint == f.c.fingerprint, f2.c.id < f.c.id
    )
    present = (
        select(
            rr.c.subject,
            rr.c.year,
            rr.c.report_id,
            literal(0).label("part"),
            f.c.id.label("key"),
            fr.c.id.label("review_id"),
        )
        .select_from(rr)
        .join(f, f.c.report_id == rr.c.report_id)
        .outerjoin(
            fr,
            (fr.c.subject == rr.c.subject)
            & (fr.c.year == review_year)
            & (fr.c.fingerprint == f.c.fingerprint),
        )
        .where(
            first,
            *_version_clauses(filters, rr, report_ids),
            *_finding_clauses(filters, f.c.code, f.c.severity, f.c.fingerprint),
        )
    )
    if filters.state:
        present = present.where(func.coalesce(fr.c.state, PENDING) == filters.state)
    if not include_rectified or filters.state not in (None, "", CONFIRMED):
        return present
    # driven by the confirmed reviews (few), each finding its agency-year's current version
    version = (
        select(rr.c.report_id)
        .where(
            rr.c.subject == fr.c.subject, review_year == fr.c.year, *_version_clauses(filters, rr, report_ids)
        )
        .scalar_subquery()
    )
    reviewed = (
        select(
            fr.c.subject,
            case((fr.c.year == 0, null()), else_=fr.c.year).label("year"),
            version.label("report_id"),
            literal(1).label("part"),
            fr.c.id.label("key"),
            fr.c.id.label("review_id"),
            fr.c.fingerprint,
        )
        .where(
            fr.c.state == CONFIRMED, *_finding_clauses(filters, fr.c.code, fr.c.severity, fr.c.fingerprint)
        )
        .subquery()
    )
    still = exists().where(f.c.report_id == reviewed.c.report_id, f.c.fingerprint == reviewed.c.fingerprint)
    gone = select(
        *[reviewed.c[k] for k in ("subject", "year", "report_id", "part", "key", "review_id")]
    ).where(reviewed.c.report_id.is_not(None), ~still)
    return union_all(present, gone)


def _codes_starting(c, prefix: str) -> list[str]:
    """The codes in ``review_codes`` that start with ``prefix`` (any case), read along its code index."""
    k, last = S.review_codes, None
    out: list[str] = []
    while True:
        q = select(func.min(k.c.code))
        code = c.execute(q if last is None else q.where(k.c.code > last)).scalar()
        if code is None:
            return out
        if code.upper().startswith(prefix.upper()):
            out.append(code)
        last = code


def _code_clauses(c, filters: ReviewFilter) -> list | None:
    """The ``review_codes`` clauses of a filter that ``counted_by_code``; None when it selects nothing."""
    k = S.review_codes
    if filters.state and filters.state not in STATES:
        return None
    out: list[Any] = []
    if filters.code:
        codes = _codes_starting(c, filters.code)
        if not codes:
            return None
        out.append(k.c.code.in_(codes))
    if filters.severity:
        out.append(k.c.severity == filters.severity)
    return out


def _by_code(c, filters: ReviewFilter):
    """How many findings ``filters`` (``counted_by_code``) selects in each current version, from
    ``review_codes``, as a select of (report_id, n) to group; None when it selects nothing."""
    rr, k = S.report_summaries, S.review_codes
    clauses = _code_clauses(c, filters)
    if clauses is None:
        return None
    n = func.sum(k.c[filters.state or "items"])
    return (
        select(rr.c.report_id, n.label("n"))
        .select_from(rr)
        .join(k, k.c.report_id == rr.c.report_id)
        .where(*_version_clauses(filters, rr), *clauses)
    )


def _count_by_code(c, filters: ReviewFilter) -> int:
    """``_by_code`` added up: from the code index alone unless an agency is asked for."""
    k = S.review_codes
    if filters.agency:
        coded = _by_code(c, filters)
        q = None if coded is None else coded.with_only_columns(coded.selected_columns.n)
    else:
        clauses = _code_clauses(c, filters)
        q = None if clauses is None else select(func.sum(k.c[filters.state or "items"])).where(*clauses)
        if q is not None:
            q = q.where(k.c.current.is_(True))
            if filters.year is not None:
                q = q.where(k.c.year == filters.year)
    return 0 if q is None else int(c.execute(q).scalar() or 0)


def _count(c, filters: ReviewFilter) -> int:
    rr = S.report_summaries
    if filters.counted():
        column = rr.c[filters.state] if filters.state in STATES else rr.c["items"]
        if filters.state and filters.state not in STATES:
            return 0
        q = select(func.coalesce(func.sum(column), 0)).where(*_version_clauses(filters, rr))
    elif filters.counted_by_code():
        return _count_by_code(c, filters)
    else:
        q = select(func.count()).select_from(_review_query(filters, True).subquery())
    return int(c.execute(q).scalar() or 0)


def count_for_review(url_or_store=None, filters: ReviewFilter | None = None) -> int:
    """How many findings ``findings_for_review`` lists, from the stored per-report counts when the filter
    allows, else counted in SQL."""
    with opened(url_or_store) as store, store.engine.connect() as c:
        return _count(c, filters or ReviewFilter())


def _reports_of_page(c, filters: ReviewFilter, start: int, stop: int) -> tuple[list[int], int]:
    """The current versions whose findings are the list's [start, stop) (by ``review_codes``) and how many
    of the first one's come before ``start``. Walks the versions in the list's order from the nearer end
    and stops at the page."""
    coded = _by_code(c, filters)
    if coded is None:
        return [], 0
    rr = S.report_summaries
    total = _count(c, filters) if start else 0
    backwards = start * 2 > total
    order = (rr.c.subject, rr.c.year, rr.c.report_id)
    q = coded.group_by(*order).having(coded.selected_columns.n > 0)
    q = q.order_by(*(col.desc() if backwards else col for col in order))
    ids, first, seen = [], stop, 0  # seen: findings of the versions walked so far
    for rid, n in c.execute(q):
        begin = total - seen - n if backwards else seen
        if begin < stop and begin + n > start:
            ids.append(rid)
            first = min(first, begin)
        seen += n
        if (begin <= start) if backwards else (seen >= stop):
            break
    return ids, max(0, start - first)


def findings_for_review(
    url_or_store=None,
    filters: ReviewFilter | None = None,
    include_rectified: bool = True,
    limit: int | None = None,
    offset: int = 0,
) -> list[ReviewedFinding]:
    """The findings of the current versions with their review state; with ``include_rectified`` also the
    confirmed findings the current version no longer has (state 确认, rectification 已整改). ``limit`` and
    ``offset`` select one page of the list (in SQL; with a code or severity filter, among the versions that
    ``review_codes`` says hold that page)."""
    filters = filters or ReviewFilter()
    with opened(url_or_store) as store, store.engine.connect() as c:
        report_ids = None
        if limit is not None and include_rectified and filters.counted_by_code():
            report_ids, offset = _reports_of_page(c, filters, offset, offset + limit)
            if not report_ids:
                return []
        q = _review_query(filters, include_rectified, report_ids)
        q = q.order_by(*(q.selected_columns[k] for k in ("subject", "year", "report_id", "part", "key")))
        if limit is not None:
            q = q.limit(limit).offset(offset)
        return _hydrate(c, list(c.execute(q).all()))


def _chunks(items: list, n: int = 500):
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _hydrate(c, rows: list) -> list[ReviewedFinding]:
    """The listed rows as ``ReviewedFinding``: the finding (or the review of a gone one) and its version."""
    f, fr = S.findings, S.finding_reviews
    found: dict[int, tuple] = {}
    for ids in _chunks([row.key for row in rows if row.part == 0]):
        q = select(f.c.id, f.c.scope, f.c.data, f.c.message, f.c.evidence, f.c.fingerprint)
        found.update((row[0], row) for row in c.execute(q.where(f.c.id.in_(ids))))
    reviews: dict[int, dict] = {}
    for ids in _chunks(sorted({row.review_id for row in rows if row.review_id is not None})):
        reviews.update((m["id"], dict(m)) for m in c.execute(select(fr).where(fr.c.id.in_(ids))).mappings())
    names = _version_names(c, sorted({row.report_id for row in rows}))
    out = []
    for row in rows:
        agency = names.get(row.report_id)
        review = reviews.get(row.review_id) if row.review_id is not None else None
        if row.part == 0:
            _fid, scope, data, message, evidence, fp = found[row.key]
            finding = {**(data or {}), "message": message}
            if evidence is not None:
                finding["evidence"] = evidence
            item = _item(row, agency, fp, scope, finding)
            if review:
                item.state, item.comment = review["state"], review["comment"]
                item.reviewer, item.at = review["reviewer"], as_utc(review["at"])
            if item.state == CONFIRMED:
                item.rectification = UNRECTIFIED
        else:
            item = _gone(row, agency, review or {})
        out.append(item)
    return out


def _version_names(c, report_ids: list[int]) -> dict[int, str | None]:
    """The agency name of each report: the store's agency name, else as written in the report."""
    r, a = S.reports, S.agencies
    out: dict[int, str | None] = {}
    for ids in _chunks(report_ids):
        q = select(r.c.id, a.c.name, r.c.agency).outerjoin(a, a.c.id == r.c.agency_id).where(r.c.id.in_(ids))
        out.update((rid, name or written) for rid, name, written in c.execute(q))
    return out


def _item(row, agency: str | None, fp: str, scope: str, f: dict) -> ReviewedFinding:
    where = f.get("where") or []
    return ReviewedFinding(
        report_id=row.report_id,
        subject=row.subject,
        agency=agency,
        year=row.year,
        fingerprint=fp,
        code=str(f.get("code", "")),
        severity=str(f.get("severity", "")),
        message=str(f.get("message") or ""),
        where=list(where) if isinstance(where, list | tuple) else [str(where)],
        evidence=f.get("evidence"),
        scope=scope,
        data=f,
    )


def _gone(row, agency: str | None, r: dict) -> ReviewedFinding:
    return ReviewedFinding(
        report_id=row.report_id,
        subject=row.subject,
        agency=agency,
        year=row.year,
        fingerprint=r["fingerprint"],
        code=r["code"],
        severity=r["severity"] or "",
        message=r["message"] or "",
        where=[],
        evidence=None,
        scope="report",
        state=CONFIRMED,
        comment=r["comment"],
        reviewer=r["reviewer"],
        at=as_utc(r["at"]),
        rectification=RECTIFIED,
    )


def set_state(
    url_or_store,
    filters: ReviewFilter,
    state: str,
    comment: str | None = None,
    reviewer: str | None = None,
) -> int:
    """Set the state of every finding the filter selects (a bulk action); returns how many."""
    if state not in STATES:
        raise InputError(f"未知的审核状态 {state!r} (unknown state; one of {', '.join(STATES)})")
    with opened(url_or_store) as store:
        chosen = [f for f in findings_for_review(store, filters) if f.rectification != RECTIFIED]
        if not chosen:
            return 0
        at = now()
        with store.engine.begin() as c:
            dialect = postgresql if c.dialect.name == "postgresql" else sqlite
            for f in chosen:
                values = dict(state=state, comment=comment, reviewer=reviewer, at=at)
                stmt = dialect.insert(S.finding_reviews).values(
                    subject=f.subject,
                    year=f.year or 0,
                    fingerprint=f.fingerprint,
                    code=f.code,
                    severity=f.severity,
                    message=f.message,
                    **values,
                )
                c.execute(
                    stmt.on_conflict_do_update(index_elements=["subject", "year", "fingerprint"], set_=values)
                )
            reviewstate.refresh_groups(c, {(f.subject, f.year) for f in chosen})
            log(c, reviewer, state, _describe(filters), count=len(chosen), comment=comment)
    return len(chosen)


def _describe(filters: ReviewFilter) -> str:
    parts = [f"{k}={v}" for k, v in vars(filters).items() if v not in (None, (), "")]
    if filters.fingerprints:
        parts = [p for p in parts if not p.startswith("fingerprints")] + [
            f"findings={len(filters.fingerprints)}"
        ]
    return " ".join(parts) or "all"


def rectification(url_or_store=None, filters: ReviewFilter | None = None) -> dict[str, int]:
    """How many confirmed findings were rectified (已整改) and how many are still there (未整改)."""
    counts = {RECTIFIED: 0, UNRECTIFIED: 0}
    for f in findings_for_review(url_or_store, filters):
        if f.rectification:
            counts[f.rectification] += 1
    return counts
