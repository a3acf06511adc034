"""which pair of years each report's cross-year findings were worked out for: ``reports.cross_previous``, the
id of the agency's report of the year before it was compared with (0: there was none; NULL: not compared,
or not the report that speaks for its year), so that a refresh works out only the pairs a new report joins

Left NULL on the reports stored already: an agency's pairs are worked out again the next time it is refreshed.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("reports", sa.Column("cross_previous", sa.Integer))


def downgrade() -> None:
    # not a batch (copy-and-move) table: on SQLite, dropping the old reports table would delete in cascade
    # every row that refers to it; SQLite 3.35+ drops a column in place
    op.execute("ALTER TABLE reports DROP COLUMN cross_previous")
