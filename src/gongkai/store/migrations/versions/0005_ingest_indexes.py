"""ingest at scale: reports by (agency_id, year), so each write's latest-year look-up stays flat; on SQLite
the cells table is stored WITHOUT ROWID (its key (report_id, path) is the table itself: no second copy of
every key in an index, about 11 KiB less per report)

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


_CELL_COLUMNS = "report_id, path, seq, table_key, row_key, column_key, value, raw, status, provenance"


def _rebuild_cells(rowid: bool) -> None:
    """SQLite cannot change a table's storage in place: a new table, the rows copied, the old one dropped."""
    op.execute(
        "CREATE TABLE cells_new ("
        " report_id INTEGER NOT NULL, path VARCHAR(96) NOT NULL, seq INTEGER NOT NULL,"
        " table_key VARCHAR(16) NOT NULL, row_key VARCHAR(64) NOT NULL, column_key VARCHAR(64) NOT NULL,"
        " value FLOAT, raw TEXT, status VARCHAR(16) NOT NULL, provenance JSON, PRIMARY KEY (report_id, path),"
        " FOREIGN KEY(report_id) REFERENCES reports (id) ON DELETE CASCADE)"
        + ("" if rowid else " WITHOUT ROWID")
    )
    op.execute(f"INSERT INTO cells_new ({_CELL_COLUMNS}) SELECT {_CELL_COLUMNS} FROM cells")
    op.execute("DROP TABLE cells")
    op.execute("ALTER TABLE cells_new RENAME TO cells")
    op.create_index("ix_cells_path", "cells", ["path"])


def upgrade() -> None:
    op.create_index("ix_reports_agency_year", "reports", ["agency_id", "year"])
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_cells(rowid=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_cells(rowid=True)
    op.drop_index("ix_reports_agency_year", table_name="reports")
