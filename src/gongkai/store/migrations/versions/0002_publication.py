"""documents: where and when a document was published (source URL, publication date and how it was found,
fetch time, HTTP headers)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("source_url", sa.Text))
        batch.add_column(sa.Column("published", sa.String(10)))
        batch.add_column(sa.Column("published_source", sa.String(32)))
        batch.add_column(sa.Column("fetched_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("http_headers", sa.JSON))
        batch.create_index("ix_documents_source_url", ["source_url"])


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_index("ix_documents_source_url")
        for name in ("http_headers", "fetched_at", "published_source", "published", "source_url"):
            batch.drop_column(name)
