"""indexes for the web pages at scale: region menus (province, city, county), the status filter, and the
per-code problem summary (findings by code and by severity, each with its report)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_reports_province": ("reports", ["province"]),
    "ix_reports_city": ("reports", ["city"]),
    "ix_reports_county": ("reports", ["county"]),
    "ix_documents_status": ("documents", ["status"]),
    "ix_findings_code_report": ("findings", ["code", "report_id"]),
    "ix_findings_severity_report": ("findings", ["severity", "report_id"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
