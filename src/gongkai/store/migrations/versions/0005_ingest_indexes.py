"""ingest at scale: reports by (agency_id, year), so each write's latest-year look-up stays flat

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_reports_agency_year", "reports", ["agency_id", "year"])


def downgrade() -> None:
    op.drop_index("ix_reports_agency_year", table_name="reports")
