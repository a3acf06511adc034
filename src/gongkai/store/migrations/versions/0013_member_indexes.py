"""indexes for the cross-year refresh, which an ingest now runs after every batch it writes: an agency's
reports read from one index (``ix_reports_agency_members``: agency, year, uncertain cells, ``cross_previous``;
not from the rows, whose document text spans several overflow pages before ``cross_previous``); the agencies
marked stale and the cross findings found from indexes of those rows alone. The indexes on
``reports.agency_id`` and ``findings.report_id`` alone dropped: each is the start of another (one index fewer
to write for each report, and for each of its findings).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

MEMBERS = ["agency_id", "year", "uncertain", "cross_previous"]


def upgrade() -> None:
    op.drop_index(
        "ix_findings_report_id", table_name="findings"
    )  # ix_findings_report_fingerprint starts with it
    op.drop_index("ix_reports_agency_id", table_name="reports")
    op.drop_index("ix_reports_agency_year", table_name="reports")
    op.create_index("ix_reports_agency_members", "reports", MEMBERS)
    cross = sa.text("scope = 'cross'")
    op.create_index(
        "ix_findings_cross", "findings", ["report_id", "scope"], sqlite_where=cross, postgresql_where=cross
    )
    stale = sa.column("cross_stale").is_(sa.true())
    op.create_index("ix_agencies_stale", "agencies", ["id"], sqlite_where=stale, postgresql_where=stale)


def downgrade() -> None:
    op.drop_index("ix_agencies_stale", table_name="agencies")
    op.drop_index("ix_findings_cross", table_name="findings")
    op.drop_index("ix_reports_agency_members", table_name="reports")
    op.create_index("ix_reports_agency_year", "reports", ["agency_id", "year"])
    op.create_index("ix_reports_agency_id", "reports", ["agency_id"])
    op.create_index("ix_findings_report_id", "findings", ["report_id"])
