"""the review campaign at scale: each finding's fingerprint stored (the key its review state is stored by),
and each report summary's findings to review by state (``reviewstate``), both backfilled

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_BATCH = 5000
COUNTS = ("items", "pending", "confirmed", "dismissed")


def _fill_fingerprints(c) -> None:
    from gongkai.store import schema as S
    from gongkai.store.reviewstate import fingerprint

    f = S.findings
    last = 0
    while True:
        q = sa.select(f.c.id, f.c.code, f.c.data, f.c.evidence).where(f.c.id > last).order_by(f.c.id)
        rows = c.execute(q.limit(_BATCH)).all()
        if not rows:
            return
        values = []
        for fid, code, data, evidence in rows:
            found = {"code": code, **(data or {})}
            if evidence is not None:
                found["evidence"] = evidence
            values.append({"fp": fingerprint(found), "fid": fid})
        stmt = sa.update(f).where(f.c.id == sa.bindparam("fid")).values(fingerprint=sa.bindparam("fp"))
        c.execute(stmt, values)
        last = rows[-1][0]


def upgrade() -> None:
    op.add_column("findings", sa.Column("fingerprint", sa.String(32)))
    op.create_index("ix_findings_report_fingerprint", "findings", ["report_id", "fingerprint"])
    for name in COUNTS:
        op.add_column("report_summaries", sa.Column(name, sa.Integer, nullable=False, server_default="0"))
    op.create_index("ix_report_summaries_current_subject", "report_summaries", ["current", "subject", "year"])
    op.create_index("ix_report_summaries_review", "report_summaries", ["current", "year", *COUNTS])
    op.create_index("ix_finding_reviews_state", "finding_reviews", ["state", "subject", "year"])
    c = op.get_bind()
    _fill_fingerprints(c)
    from gongkai.store.reviewstate import backfill

    backfill(c, codes=False)  # 0011 adds them by code


def downgrade() -> None:
    op.drop_index("ix_finding_reviews_state", table_name="finding_reviews")
    op.drop_index("ix_report_summaries_review", table_name="report_summaries")
    op.drop_index("ix_report_summaries_current_subject", table_name="report_summaries")
    for name in COUNTS:
        op.drop_column("report_summaries", name)
    op.drop_index("ix_findings_report_fingerprint", table_name="findings")
    op.drop_column("findings", "fingerprint")
