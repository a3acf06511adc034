"""A reviewer's 发布日期 runs the timeliness rule (M103) again at once: the finding follows the date, with the
roster's kind and due date of the agency when it is on the roster."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai.review import findings_for_review, import_roster
from gongkai.review.publication import edit_publication
from gongkai.store import Store, ingest
from tests.review.conftest import write_roster

SEED = Path(__file__).parents[2].parent / "shared" / "corpus" / "seeds" / "004_e99c3fa4f96ef56b.txt"


def _timeliness(db: str) -> list:
    return [f for f in findings_for_review(db, include_rectified=False) if f.code == "M103"]


@pytest.fixture
def one_report(tmp_path) -> tuple[str, int]:
    if not SEED.exists():
        pytest.skip("shared corpus not available")
    db = str(tmp_path / "g.db")
    ingest([SEED], db, workers=1)
    with Store(db) as store:
        (report,) = [r.id for r in store.stored_reports()]
    return db, report


def test_the_finding_follows_the_edited_date(one_report):
    db, report = one_report
    (before,) = _timeliness(db)
    assert before.severity == "info"  # no date known at ingest
    edit_publication(db, report, None, "2025-02-18", user="王五")
    (late,) = _timeliness(db)
    assert late.severity == "error" and "2025年2月18日" in late.message and "调用方指定" in late.message
    with Store(db) as store, store.engine.connect() as c:
        from gongkai.store import schema as S

        status = c.execute(S.documents.select().where(S.documents.c.id == report)).mappings().one()["status"]
    assert status == "problems"
    edit_publication(db, report, None, "2025-01-20", user="王五")
    assert _timeliness(db) == []


def test_the_roster_kind_and_due_date_decide(one_report, tmp_path):
    db, report = one_report
    with Store(db) as store:
        agency = store.stored_reports()[0].agency_id
        name = next(a["name"] for a in store.agencies() if a["id"] == agency)
    import_roster(db, write_roster(tmp_path / "r.csv", [(name, "某县", "县级", "部门")], due="2025-03-31"))
    edit_publication(db, report, None, "2025-02-18")
    assert _timeliness(db) == []  # due 3月31日 by the roster
    edit_publication(db, report, None, "2025-04-02")
    (late,) = _timeliness(db)
    assert "2025年3月31日" in late.message and "名册指定" in late.message
