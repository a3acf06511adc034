"""The database tables (SQLAlchemy Core). Alembic migrations in ``migrations/`` create and change them;
this module is the current shape the code reads and writes, and must match the latest migration
(``tests/store`` checks it).

documents  one row per distinct file content (sha256); status ok | problems | failed, with the error;
           where and when it was published (source URL, 发布日期, fetch time, HTTP headers) when known
agencies   one row per agency key (``regions.identify``): latest name as written, region
reports    one row per successfully read document: meta, layout, agency, region, full text
cells      long form: one row per table cell (value, raw text, status, provenance JSON)
sections   the six report sections' headings and text
findings   audit findings; scope ``report`` (one document) or ``cross`` (across one agency's years)
report_summaries, report_codes  one narrow row per report (and per report and code) for the list and chart
           pages, kept by the write path (``report_summary``)
review_codes  each report's findings to review by code and severity and state (``reviewstate``)
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

# Outcome groups of table 三 (row keys and key prefixes; labels come from the template) and the chart
# figures each report summary carries (``report_summary.figures_of``).
OUTCOMES = ("granted", "partially_granted", "denied", "unable", "not_processed", "other")
SUMMARY_FIGURES = (
    "t3_new",
    *(f"t3_{o}" for o in OUTCOMES),
    *(f"t4_{kind}_{col}" for kind in ("review", "litigation") for col in ("upheld", "corrected", "other")),
)

REVIEW_COUNTS = ("items", "pending", "confirmed", "dismissed")

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),  # file name (archive.zip/member for archive members)
    Column("path", Text),  # as found by the walk
    Column("format", String(16)),
    Column("size", Integer, nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),  # ok | problems | failed
    Column("error", Text),
    Column("tool_version", String(32)),
    # where and when it was published (collect, or given to ingest): all optional
    Column("source_url", Text, index=True),  # the URL the bytes were fetched from
    Column("published", String(10)),  # ISO date "YYYY-MM-DD", the page's 发布日期
    Column(
        "published_source", String(32)
    ),  # how the date was found (page_text, html_meta, list_page, given …)
    Column("fetched_at", DateTime(timezone=True)),
    Column("http_headers", JSON),  # the response's headers as received
    Index("ix_documents_status", "status"),
)

agencies = Table(
    "agencies",
    metadata,
    Column("id", String(255), primary_key=True),  # "<division code>:<name from that division on>"
    Column("name", Text, nullable=False),  # latest name as written
    Column("province", String(64)),
    Column("city", String(64)),
    Column("county", String(64)),
    Column("region_code", String(12)),
    Column("region_source", String(16)),
    Column("cross_stale", Boolean, nullable=False, default=True),  # cross-year findings need a refresh
)
# The agencies marked stale, found without reading every agency (an ingest asks after each batch it writes)
_STALE = agencies.c.cross_stale.is_(True)
Index("ix_agencies_stale", agencies.c.id, sqlite_where=_STALE, postgresql_where=_STALE)

reports = Table(
    "reports",
    metadata,
    Column("id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("agency", Text),  # as in the title
    Column("agency_id", String(255), ForeignKey("agencies.id")),  # ix_reports_agency_members starts with it
    Column("year", Integer, index=True),
    Column("layout", String(8)),
    Column("title", Text),
    Column("province", String(64)),
    Column("city", String(64)),
    Column("county", String(64)),
    Column("region_code", String(12)),
    Column("region_source", String(16)),
    Column("meta", JSON, nullable=False),
    Column("notes", JSON, nullable=False),
    Column("uncertain", Integer, nullable=False, default=0),  # cells ambiguous, unreadable or missing
    Column("text", Text),
    # the agency's report of the year before this one's cross-year findings compare it with (0: none; NULL:
    # not compared, or not the report that speaks for its year): `gongkai.store.cross`
    Column("cross_previous", Integer),
    # each write's latest-year look-up, and an agency's reports for the cross-year refresh read from the index
    # alone (a row holds the document's text: several overflow pages before cross_previous)
    Index("ix_reports_agency_members", "agency_id", "year", "uncertain", "cross_previous"),
    Index("ix_reports_province", "province"),
    Index("ix_reports_city", "city"),
    Index("ix_reports_county", "county"),
)

cells = Table(
    "cells",
    metadata,
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("path", String(96), primary_key=True),  # table3.new.total
    Column("seq", Integer, nullable=False),  # the cell's place in the report as extracted
    Column("table_key", String(16), nullable=False),
    Column("row_key", String(64), nullable=False),
    Column("column_key", String(64), nullable=False),
    Column("value", Float),
    Column("raw", Text),
    Column("status", String(16), nullable=False),
    Column("provenance", JSON),  # {"where": [...], "candidates": [...], "note": "..."}
    # no index on path alone (migration 0010): every query names its reports, which the key finds
    sqlite_with_rowid=False,  # the key is the table: no index holding a second copy of it
)

sections = Table(
    "sections",
    metadata,
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(8), primary_key=True),  # s1 … s6
    Column("heading", Text),
    Column("text", Text),
    Column("line", Integer),
    Column("start_offset", Integer),
    Column("end_offset", Integer),
    Column("extra", JSON),  # any further fields of the section (sub-headings …), as extracted
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # found by report from ix_findings_report_fingerprint, which starts with it
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("scope", String(8), nullable=False),  # report | cross
    Column("code", String(32), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("message", Text),
    Column("location", Text),  # the finding's most specific `where` (a key path or section)
    Column("evidence", JSON),
    Column("data", JSON),  # the finding's full to_json()
    Column("fingerprint", String(32)),  # ``reviewstate.fingerprint``: the key its review state is stored by
    Index("ix_findings_code_report", "code", "report_id"),
    Index("ix_findings_report_fingerprint", "report_id", "fingerprint"),
    Index("ix_findings_severity_report", "severity", "report_id"),
)
# The few cross findings of some reports, counted from this index alone (the cross-year refresh)
_CROSS = findings.c.scope == "cross"
Index(
    "ix_findings_cross", findings.c.report_id, findings.c.scope, sqlite_where=_CROSS, postgresql_where=_CROSS
)

report_summaries = Table(
    "report_summaries",
    metadata,
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", String(255)),
    Column("subject", String(255), nullable=False),  # the version group's agency (``versions.subject_of``)
    Column("year", Integer),
    Column("agency", Text),  # as written
    Column("province", String(64)),
    Column("city", String(64)),
    Column("county", String(64)),
    Column("kind", String(16)),
    Column("status", String(16), nullable=False),
    Column("errors", Integer, nullable=False, default=0),
    Column("warnings", Integer, nullable=False, default=0),
    Column("infos", Integer, nullable=False, default=0),
    Column("current", Boolean, nullable=False, default=False),
    Column("blank", Boolean, nullable=False, default=False),
    # findings to review (``reviewstate``): one per fingerprint, by state; pending + confirmed + dismissed
    *(Column(name, Integer, nullable=False, server_default="0") for name in REVIEW_COUNTS),
    *(Column(name, Float) for name in SUMMARY_FIGURES),
    Index("ix_report_summaries_agency_year", "agency_id", "year", "report_id"),
    # a roster agency's current report of a year (the coverage page's 未发布 rows), found by agency first
    Index("ix_report_summaries_agency_year_current", "agency_id", "year", "current"),
    Index("ix_report_summaries_subject_year", "subject", "year"),
    # the charts add up the current versions' figures by year and region from this index alone
    Index("ix_report_summaries_charts", "current", "year", *SUMMARY_FIGURES, "province", "city", "county"),
    Index("ix_report_summaries_current_subject", "current", "subject", "year"),
    Index("ix_report_summaries_review", "current", "year", *REVIEW_COUNTS),
)

report_codes = Table(
    "report_codes",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("severity", String(16), nullable=False),
    Column("findings", Integer, nullable=False),
    Index("ix_report_codes_report", "report_id"),
    sqlite_with_rowid=False,
)

# The findings to review of each report by code and severity, counted as ``reviewstate`` counts them on the
# summaries (one per fingerprint, 已整改 ones as confirmed under their review's code), so that the review
# page's code and severity filters count and page in SQL without walking the findings. Severity '' : none.
# ``current`` and ``year`` repeat the summary's (``report_summary.refresh_groups`` keeps ``current``), so the
# counts of a code come from the index alone.
review_codes = Table(
    "review_codes",
    metadata,
    Column("report_id", Integer, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("severity", String(16), primary_key=True),
    Column("current", Boolean, nullable=False),
    Column("year", Integer),
    *(Column(name, Integer, nullable=False) for name in REVIEW_COUNTS),
    Index("ix_review_codes_code", "code", "current", "year", "severity", *REVIEW_COUNTS),
    sqlite_with_rowid=False,
)

# Web sessions, kept server-side so logout and a password change revoke them. The cookie holds a random
# token; only its sha256 is stored. ``user_id``/``role`` are empty for the shared password (which acts as
# admin) and are set when accounts exist.
sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # sha256 hex of the cookie token
    Column("user_id", Integer, index=True),
    Column("role", String(16)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("client", String(64)),  # the address it was opened from (for an audit trail)
)

# Small key/value settings of a deployment, e.g. the verifier of the shared web password.
app_settings = Table(
    "app_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text),
)

# ---------------------------------------------------------------------- review campaign (gongkai.review)
# roster           the agencies that must report: one row per agency name; agency_id = matched store agency
# version_marks    per document (by sha256, so marks survive re-ingest): withdrawn / picked as current
# finding_reviews  a reviewer's state of a finding, by (subject, year, fingerprint): survives re-ingest
# users, activity  accounts with roles, and who did what when
# score_runs       each scoring: the scheme (name, version, text) with its results

roster = Table(
    "roster",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False, unique=True),
    Column("region", Text),
    Column("level", Text),
    Column("kind", String(16), nullable=False),
    Column("url", Text),
    Column("due", String(10)),  # ISO date the report is due
    Column("row", Integer),  # row in the imported file
    Column("agency_id", String(255), index=True),
    Column("manual", Boolean, nullable=False, default=False),  # agency_id set by a reviewer
)

version_marks = Table(
    "version_marks",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("withdrawn", Boolean, nullable=False, default=False),
    Column("picked", Boolean, nullable=False, default=False),
    Column("user", Text),
    Column("at", DateTime(timezone=True)),
)

finding_reviews = Table(
    "finding_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject", String(255), nullable=False),  # agency id, or "sha256:<hex>" for a report without one
    Column("year", Integer),
    Column("fingerprint", String(64), nullable=False),
    Column("code", String(32), nullable=False),
    Column("severity", String(16)),
    Column("message", Text),
    Column("state", String(16), nullable=False),  # pending | confirmed | dismissed
    Column("comment", Text),
    Column("reviewer", Text),
    Column("at", DateTime(timezone=True)),
    Index("ux_finding_reviews", "subject", "year", "fingerprint", unique=True),
    Index("ix_finding_reviews_state", "state", "subject", "year"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),  # admin | reviewer | readonly
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

activity = Table(
    "activity",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("user", Text),
    Column("action", String(32), nullable=False),
    Column("target", Text),
    Column("detail", JSON),
)

score_runs = Table(
    "score_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("scheme_name", Text, nullable=False),
    Column("scheme_version", String(32), nullable=False),
    Column("scheme", Text, nullable=False),  # the TOML as applied
    Column("year", Integer),
    Column("results", JSON, nullable=False),
)
