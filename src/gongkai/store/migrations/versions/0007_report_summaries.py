"""report summaries: one narrow row per report (agency, year, region, kind, status, findings by severity,
current version, chart figures) and one per report and finding code, for the list and chart pages at scale;
backfilled from what is stored

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FIGURES = (
    "t3_new",
    "t3_granted",
    "t3_partially_granted",
    "t3_denied",
    "t3_unable",
    "t3_not_processed",
    "t3_other",
    "t4_review_upheld",
    "t4_review_corrected",
    "t4_review_other",
    "t4_litigation_upheld",
    "t4_litigation_corrected",
    "t4_litigation_other",
)


def upgrade() -> None:
    op.create_table(
        "report_summaries",
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("agency_id", sa.String(255)),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("year", sa.Integer),
        sa.Column("agency", sa.Text),
        sa.Column("province", sa.String(64)),
        sa.Column("city", sa.String(64)),
        sa.Column("county", sa.String(64)),
        sa.Column("kind", sa.String(16)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("warnings", sa.Integer, nullable=False),
        sa.Column("infos", sa.Integer, nullable=False),
        sa.Column("current", sa.Boolean, nullable=False),
        sa.Column("blank", sa.Boolean, nullable=False),
        *(sa.Column(name, sa.Float) for name in FIGURES),
    )
    op.create_index("ix_report_summaries_agency_year", "report_summaries", ["agency_id", "year", "report_id"])
    op.create_index("ix_report_summaries_subject_year", "report_summaries", ["subject", "year"])
    op.create_index(
        "ix_report_summaries_charts",
        "report_summaries",
        ["current", "year", *FIGURES, "province", "city", "county"],
    )
    op.create_table(
        "report_codes",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("findings", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_report_codes_report", "report_codes", ["report_id"])
    from gongkai.store.report_summary import backfill

    backfill(op.get_bind(), review_counts=False)  # 0008 adds them


def downgrade() -> None:
    op.drop_table("report_codes")
    op.drop_table("report_summaries")
