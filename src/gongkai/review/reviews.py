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
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from gongkai.errors import InputError
from gongkai.review.common import as_utc, log, now, opened
from gongkai.review.versions import Version, current_versions
from gongkai.store import schema as S

__all__ = [
    "STATES",
    "STATE_LABELS",
    "ReviewFilter",
    "ReviewedFinding",
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


def fingerprint(finding: dict) -> str:
    """A stable key of one finding: its rule, its cells or section, and its evidence (never the row id, the
    character span or the wording, which move between versions and releases)."""
    where = finding.get("where") or []
    where = sorted(map(str, where)) if isinstance(where, list | tuple) else [str(where)]
    key = [str(finding.get("code", "")), where, finding.get("evidence")]
    text = json.dumps(key, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


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

    def matches_version(self, v: Version) -> bool:
        if self.year is not None and v.year != self.year:
            return False
        if self.report_id is not None and v.report_id != self.report_id:
            return False
        return not (self.agency and self.agency != v.subject and self.agency not in (v.agency or ""))

    def matches(self, f: ReviewedFinding) -> bool:
        if self.code and not f.code.upper().startswith(self.code.upper()):
            return False
        if self.severity and f.severity != self.severity:
            return False
        if self.state and f.state != self.state:
            return False
        return not self.fingerprints or f.fingerprint in self.fingerprints


def _stored_findings(store, report_ids: list[int]) -> dict[int, list[tuple[str, dict]]]:
    f = S.findings
    q = select(f.c.report_id, f.c.scope, f.c.data, f.c.message, f.c.evidence).order_by(f.c.id)
    out: dict[int, list[tuple[str, dict]]] = {}
    with store.engine.connect() as c:
        for i in range(0, len(report_ids), 500):
            for rid, scope, data, message, evidence in c.execute(
                q.where(f.c.report_id.in_(report_ids[i : i + 500]))
            ):
                found = {**(data or {}), "message": message}
                if evidence is not None:
                    found["evidence"] = evidence
                out.setdefault(rid, []).append((scope, found))
    return out


def _reviews(store, subjects: set[str]) -> dict[tuple, dict]:
    fr = S.finding_reviews
    out = {}
    subjects_list = sorted(subjects)
    with store.engine.connect() as c:
        for i in range(0, len(subjects_list), 500):
            q = select(fr).where(fr.c.subject.in_(subjects_list[i : i + 500]))
            for row in c.execute(q).mappings():
                out[(row["subject"], row["year"], row["fingerprint"])] = dict(row)
    return out


def findings_for_review(
    url_or_store=None, filters: ReviewFilter | None = None, include_rectified: bool = True
) -> list[ReviewedFinding]:
    """The findings of the current versions with their review state; with ``include_rectified`` also the
    confirmed findings the current version no longer has (state 确认, rectification 已整改)."""
    filters = filters or ReviewFilter()
    with opened(url_or_store) as store:
        chosen = [v for v in current_versions(store) if filters.matches_version(v)]
        stored = _stored_findings(store, [v.report_id for v in chosen])
        reviews = _reviews(store, {v.subject for v in chosen})
    out: list[ReviewedFinding] = []
    for v in chosen:
        seen: set[str] = set()
        for scope, f in stored.get(v.report_id, []):
            fp = fingerprint(f)
            if fp in seen:  # one cause, one finding: an identical finding twice is one to review
                continue
            seen.add(fp)
            item = _item(v, fp, scope, f)
            review = reviews.get((v.subject, v.year or 0, fp))
            if review:
                item.state, item.comment = review["state"], review["comment"]
                item.reviewer, item.at = review["reviewer"], as_utc(review["at"])
            if item.state == CONFIRMED:
                item.rectification = UNRECTIFIED
            out.append(item)
        if include_rectified:
            out += _gone(v, seen, reviews)
    return [f for f in out if filters.matches(f)]


def _item(v: Version, fp: str, scope: str, f: dict) -> ReviewedFinding:
    where = f.get("where") or []
    return ReviewedFinding(
        report_id=v.report_id,
        subject=v.subject,
        agency=v.agency,
        year=v.year,
        fingerprint=fp,
        code=str(f.get("code", "")),
        severity=str(f.get("severity", "")),
        message=str(f.get("message") or ""),
        where=list(where) if isinstance(where, list | tuple) else [str(where)],
        evidence=f.get("evidence"),
        scope=scope,
        data=f,
    )


def _gone(v: Version, present: set[str], reviews: dict[tuple, dict]) -> list[ReviewedFinding]:
    out = []
    for (subject, year, fp), r in reviews.items():
        if subject != v.subject or year != (v.year or 0) or fp in present or r["state"] != CONFIRMED:
            continue
        item = ReviewedFinding(
            report_id=v.report_id,
            subject=subject,
            agency=v.agency,
            year=v.year,
            fingerprint=fp,
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
        out.append(item)
    return out


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
