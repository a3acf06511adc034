"""the findings to review of each report by code and severity and state (``reviewstate``), so that the
review page's code and severity filters count and page in SQL (with the summary's current flag and year, so
that a code's counts come from its index alone); backfilled

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COUNTS = ("items", "pending", "confirmed", "dismissed")


def upgrade() -> None:
    op.create_table(
        "review_codes",
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("severity", sa.String(16), primary_key=True),
        sa.Column("current", sa.Boolean, nullable=False),
        sa.Column("year", sa.Integer),
        *(sa.Column(name, sa.Integer, nullable=False) for name in COUNTS),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_review_codes_code", "review_codes", ["code", "current", "year", "severity", *COUNTS])
    from gongkai.store.reviewstate import backfill

    backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("review_codes")
