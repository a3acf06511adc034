"""no index on cells.path alone: every query of cells names its reports, which the key (report_id, path)
finds; the index cost each write about a quarter of the writer's time (some 200 entries a report put into one
index spanning the whole store) and about 6 KiB a report

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

NAME = "ix_cells_path"


def upgrade() -> None:
    op.drop_index(NAME, table_name="cells")


def downgrade() -> None:
    op.create_index(NAME, "cells", ["path"])
