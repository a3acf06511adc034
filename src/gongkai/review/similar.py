"""Text shared with other agencies of the same year (rule C104, 「与其他单位雷同」) over a campaign's store.

Single-report and same-agency findings are stored at ingest; comparing every agency with every other one is
a campaign step of its own (the store holds many years and regions): the current versions of one year are
compared with each other and what the corpus rules find is stored with scope ``agencies``, replacing that
year's earlier comparison. Review states survive a new comparison through the findings' fingerprints.

>>> compare_agencies("sqlite:///gongkai.db", year=2024)
3
"""

from __future__ import annotations

from sqlalchemy import delete, select

from gongkai.review.common import log, opened
from gongkai.review.roster import campaign_year
from gongkai.review.versions import current_versions
from gongkai.store import report_summary
from gongkai.store import schema as S
from gongkai.store.db import _insert_findings, _load_report
from gongkai.store.process import finding_json

__all__ = ["AGENCIES_SCOPE", "compare_agencies"]

AGENCIES_SCOPE = "agencies"


def compare_agencies(url_or_store=None, year: int | None = None, user: str | None = None) -> int:
    """Compare the current versions of ``year`` (default: the campaign's year) with each other agency's and
    store what the corpus-scope rules (C104) find. Returns the number of findings stored."""
    from gongkai.audit import check_corpus

    with opened(url_or_store) as store:
        year = year if year is not None else campaign_year(store)
        chosen = [v for v in current_versions(store, year=year) if not v.blank]
        with store.engine.connect() as c:
            reports = [_load_report(c, v.report_id) for v in chosen]
        for v, report in zip(chosen, reports, strict=True):
            if v.agency:
                report.meta["agency"] = v.agency  # the store's one name, so an agency is not its own other
        found = check_corpus(reports)
        year_reports = select(S.reports.c.id).where(S.reports.c.year == year)
        n = 0
        with store.engine.begin() as c:
            old = S.findings.c.report_id.in_(year_reports) & (S.findings.c.scope == AGENCIES_SCOPE)
            touched = {rid for (rid,) in c.execute(select(S.findings.c.report_id).where(old).distinct())}
            c.execute(delete(S.findings).where(old))
            for v, findings in zip(chosen, found, strict=True):
                _insert_findings(c, v.report_id, [finding_json(f) for f in findings], AGENCIES_SCOPE)
                n += len(findings)
                if findings:
                    touched.add(v.report_id)
            report_summary.refresh(c, touched)
            log(c, user, "compare", f"year:{year}", reports=len(chosen), findings=n)
    return n
