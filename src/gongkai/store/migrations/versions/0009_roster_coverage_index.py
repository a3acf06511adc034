"""an index (agency_id, year, current) on the report summaries, so that the coverage page's roster rows
look up each agency's current report of a year directly instead of scanning every current report of that
year for each roster entry

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

NAME = "ix_report_summaries_agency_year_current"


def upgrade() -> None:
    op.create_index(NAME, "report_summaries", ["agency_id", "year", "current"])


def downgrade() -> None:
    op.drop_index(NAME, table_name="report_summaries")
