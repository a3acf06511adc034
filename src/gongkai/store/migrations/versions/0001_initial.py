"""initial store: documents, agencies, reports, cells, sections, findings

Revision ID: 0001
Revises:
Create Date: 2025-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("path", sa.Text),
        sa.Column("format", sa.String(16)),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("tool_version", sa.String(32)),
    )
    op.create_table(
        "agencies",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("province", sa.String(64)),
        sa.Column("city", sa.String(64)),
        sa.Column("county", sa.String(64)),
        sa.Column("region_code", sa.String(12)),
        sa.Column("region_source", sa.String(16)),
        sa.Column("cross_stale", sa.Boolean, nullable=False),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("agency", sa.Text),
        sa.Column("agency_id", sa.String(255), sa.ForeignKey("agencies.id")),
        sa.Column("year", sa.Integer),
        sa.Column("layout", sa.String(8)),
        sa.Column("title", sa.Text),
        sa.Column("province", sa.String(64)),
        sa.Column("city", sa.String(64)),
        sa.Column("county", sa.String(64)),
        sa.Column("region_code", sa.String(12)),
        sa.Column("region_source", sa.String(16)),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("notes", sa.JSON, nullable=False),
        sa.Column("uncertain", sa.Integer, nullable=False),
        sa.Column("text", sa.Text),
    )
    op.create_index("ix_reports_agency_id", "reports", ["agency_id"])
    op.create_index("ix_reports_year", "reports", ["year"])
    op.create_table(
        "cells",
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("path", sa.String(96), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("table_key", sa.String(16), nullable=False),
        sa.Column("row_key", sa.String(64), nullable=False),
        sa.Column("column_key", sa.String(64), nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("raw", sa.Text),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("provenance", sa.JSON),
    )
    op.create_index("ix_cells_path", "cells", ["path"])
    op.create_table(
        "sections",
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("key", sa.String(8), primary_key=True),
        sa.Column("heading", sa.Text),
        sa.Column("text", sa.Text),
        sa.Column("line", sa.Integer),
        sa.Column("start_offset", sa.Integer),
        sa.Column("end_offset", sa.Integer),
        sa.Column("extra", sa.JSON),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("location", sa.Text),
        sa.Column("evidence", sa.JSON),
        sa.Column("data", sa.JSON),
    )
    op.create_index("ix_findings_report_id", "findings", ["report_id"])


def downgrade() -> None:
    for name in ("findings", "sections", "cells", "reports", "agencies", "documents"):
        op.drop_table(name)
