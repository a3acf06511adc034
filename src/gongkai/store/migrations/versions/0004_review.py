"""review campaign: roster, version marks, finding reviews, users, activity, score runs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roster",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("region", sa.Text),
        sa.Column("level", sa.Text),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("due", sa.String(10)),
        sa.Column("row", sa.Integer),
        sa.Column("agency_id", sa.String(255)),
        sa.Column("manual", sa.Boolean, nullable=False),
    )
    op.create_index("ix_roster_agency_id", "roster", ["agency_id"])
    op.create_table(
        "version_marks",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("withdrawn", sa.Boolean, nullable=False),
        sa.Column("picked", sa.Boolean, nullable=False),
        sa.Column("user", sa.Text),
        sa.Column("at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "finding_reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("year", sa.Integer),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(16)),
        sa.Column("message", sa.Text),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text),
        sa.Column("reviewer", sa.Text),
        sa.Column("at", sa.DateTime(timezone=True)),
    )
    op.create_index("ux_finding_reviews", "finding_reviews", ["subject", "year", "fingerprint"], unique=True)
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user", sa.Text),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.Text),
        sa.Column("detail", sa.JSON),
    )
    op.create_index("ix_activity_at", "activity", ["at"])
    op.create_table(
        "score_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scheme_name", sa.Text, nullable=False),
        sa.Column("scheme_version", sa.String(32), nullable=False),
        sa.Column("scheme", sa.Text, nullable=False),
        sa.Column("year", sa.Integer),
        sa.Column("results", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for name in ("score_runs", "activity", "users", "finding_reviews", "version_marks", "roster"):
        op.drop_table(name)
