"""The review campaign on a real PostgreSQL server (GONGKAI_TEST_PG_URL, see tests/store/test_postgres.py):
the upserts of review states and version marks, the roster, accounts and a score run."""

from __future__ import annotations

import pytest

from tests.review.conftest import NEVER, YEAR
from tests.store.test_postgres import PG_URL, pg_url  # noqa: F401  (fixture)

pytestmark = pytest.mark.skipif(not PG_URL, reason="GONGKAI_TEST_PG_URL not set")


def test_campaign_on_postgres(pg_url, campaign):  # noqa: F811
    from gongkai.review import (
        ReviewFilter,
        current_versions,
        findings_for_review,
        import_roster,
        pick,
        roster_coverage,
        score,
        set_state,
        versions,
        withdraw,
    )
    from gongkai.review.accounts import add_user, authenticate
    from gongkai.store import ingest

    assert ingest([campaign["docs"]], pg_url, workers=1).counts["failed"] == 0
    import_roster(pg_url, campaign["roster"])
    unpublished = {r.name for r in roster_coverage(pg_url, YEAR) if r.status == "unpublished"}
    assert unpublished == {n for n, *_ in NEVER}
    found = findings_for_review(pg_url, ReviewFilter(year=YEAR))
    assert set_state(pg_url, ReviewFilter(year=YEAR), "confirmed", reviewer="a") == len(found)
    assert set_state(pg_url, ReviewFilter(year=YEAR), "dismissed", reviewer="b") == len(found)  # an update
    assert {f.state for f in findings_for_review(pg_url, ReviewFilter(year=YEAR))} == {"dismissed"}
    v = current_versions(pg_url, year=YEAR)[0]
    withdraw(pg_url, v.report_id)
    withdraw(pg_url, v.report_id, undo=True)
    pick(pg_url, v.report_id)
    assert [x.report_id for x in versions(pg_url, subject=v.subject, year=YEAR) if x.current] == [v.report_id]
    add_user(pg_url, "rev", "rev-password", "reviewer")
    assert authenticate(pg_url, "rev", "rev-password").role == "reviewer"
    run = score(pg_url, year=YEAR)
    assert run.id is not None and {a.name for a in run.agencies if a.score == 0} >= unpublished
