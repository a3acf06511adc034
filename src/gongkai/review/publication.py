"""Publication metadata a reviewer corrects (source URL, 发布日期): stored on the document through the store's
own ``set_publication`` (so the timeliness rule and the roster's on-time check read it), and logged. The
timeliness rule (M103) runs again on the report at once, with the roster's kind and due date of the agency
when it is on the roster, so its finding follows the corrected date."""

from __future__ import annotations

import dataclasses

from sqlalchemy import delete, select

from gongkai.errors import InputError
from gongkai.review.common import log, opened
from gongkai.store import report_summary
from gongkai.store import schema as S
from gongkai.store.db import _insert_findings, _load_report, _refresh_status
from gongkai.store.process import finding_json
from gongkai.store.publication import Publication

TIMELINESS_RULES = ("M103",)  # the rules that read the publication date

REVIEWER_SOURCE = "given"  # a date a person gave, as the agreed source names call it
SOURCE_LABELS = {
    "given": "人工填写",
    "title": "标题",
    "opening": "正文开头",
    "signature": "落款",
    "page_title": "网页标题",
    "file_name": "文件名",
    "html_meta": "网页元数据",
    "page_text": "网页正文",
    "pdf_metadata": "PDF 属性",
    "docx_metadata": "Word 属性",
    "body": "正文",
    "list_page": "栏目列表页",
}


def edit_publication(
    url_or_store, report_id: int, source_url: str | None, published: str | None, user: str | None = None
) -> Publication:
    """Set a document's source URL and publication date (ISO ``YYYY-MM-DD``); other fields are kept."""
    if source_url and not source_url.lower().startswith(("http://", "https://")):
        raise InputError(f"来源网址应以 http:// 或 https:// 开头 (not a web address: {source_url!r})")
    with opened(url_or_store) as store:
        old = store.publication(report_id)
        if old is None:
            raise InputError(f"没有编号为 {report_id} 的文件 (no document {report_id})")
        try:
            new = dataclasses.replace(
                old,
                source_url=source_url,
                published=published,
                published_source=REVIEWER_SOURCE if published else None,
            )
        except (ValueError, TypeError) as e:
            raise InputError(f"发布日期应写作 2025-01-31 (bad date: {e})") from None
        store.set_publication(report_id, new)
        with store.engine.begin() as c:
            log(c, user, "publication", f"report:{report_id}", source_url=source_url, published=published)
        reaudit_timeliness(store, report_id)
    return new


def reaudit_timeliness(store, report_id: int) -> int:
    """Run the rules that read the publication date (M103) on a stored report again and replace their stored
    findings; the roster's kind and due date of its agency are used when known. Returns how many it stored."""
    try:
        from gongkai.audit import check_report
    except ImportError:
        return 0
    with store.engine.begin() as c:
        if c.execute(select(S.reports.c.id).where(S.reports.c.id == report_id)).first() is None:
            return 0  # a document that failed to read has no report
        report = _load_report(c, report_id)
        _with_roster(c, report_id, report.meta)
        found = [finding_json(f) for f in check_report(report, TIMELINESS_RULES)]
        mine = (S.findings.c.report_id == report_id) & S.findings.c.code.in_(TIMELINESS_RULES)
        c.execute(delete(S.findings).where(mine & (S.findings.c.scope == "report")))
        _insert_findings(c, report_id, found, "report")
        _refresh_status(c, report_id)
        report_summary.refresh(c, [report_id])
    return len(found)


def _with_roster(c, report_id: int, meta: dict) -> None:
    """The roster's kind of the report's agency (and its due date as that kind's deadline) on ``meta``."""
    agency_id = c.execute(select(S.reports.c.agency_id).where(S.reports.c.id == report_id)).scalar()
    if not agency_id:
        return
    row = c.execute(
        select(S.roster.c.kind, S.roster.c.due).where(S.roster.c.agency_id == agency_id).limit(1)
    ).first()
    if row is None or not row.kind:
        return
    meta["kind"] = row.kind
    sources = meta.get("sources")
    meta["sources"] = {**(sources if isinstance(sources, dict) else {}), "kind": "given"}
    year = meta.get("year")
    due = str(row.due or "")
    if isinstance(year, int) and due[:4] == str(year + 1) and len(due) == 10:
        meta["deadlines"] = {**(meta.get("deadlines") or {}), row.kind: due[5:]}
