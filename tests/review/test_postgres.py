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
    # stored runs and schemes, the comparison across agencies, a reviewer's 发布日期 with M103 run again
    from gongkai.review.publication import edit_publication
    from gongkai.review.scoring import run_scheme, score_runs, stored_run, stored_schemes
    from gongkai.review.similar import compare_agencies

    assert [r["id"] for r in score_runs(pg_url)][:1] == [run.id]
    assert stored_schemes(pg_url)[0]["run"] == run.id and run_scheme(pg_url, run.id).name == run.scheme.name
    assert stored_run(pg_url, run.id)["results"]["year"] == YEAR
    assert compare_agencies(pg_url, year=YEAR) == compare_agencies(pg_url, year=YEAR)  # replaced, not added
    edit_publication(pg_url, v.report_id, None, "2025-06-30")
    late = [f for f in findings_for_review(pg_url, ReviewFilter(year=YEAR)) if f.code == "M103"]
    assert any("2025年6月30日" in f.message for f in late)
    # the campaign pages' SQL: stored counts, pages of the lists and of the ranking
    from gongkai.review.reviews import count_for_review
    from gongkai.review.roster import coverage_counts
    from gongkai.review.scoring import score_page
    from gongkai.review.versions import count_versions

    coded = (  # counted and paged by review_codes
        ReviewFilter(code="M1"),
        ReviewFilter(code="t", state="dismissed", year=YEAR),
        ReviewFilter(severity="warning"),
        ReviewFilter(code="ZZ"),
    )
    for filters in (ReviewFilter(), ReviewFilter(state="dismissed"), *coded):
        whole = findings_for_review(pg_url, filters)
        assert count_for_review(pg_url, filters) == len(whole)
        for offset in (1, max(0, len(whole) - 2)):
            page = findings_for_review(pg_url, filters, limit=3, offset=offset)
            assert [f.fingerprint for f in page] == [f.fingerprint for f in whole[offset : offset + 3]]
    assert count_versions(pg_url) == len(versions(pg_url))
    rows = roster_coverage(pg_url, YEAR)
    assert coverage_counts(pg_url, YEAR) == {
        s: sum(r.status == s for r in rows) for s in coverage_counts(pg_url, YEAR)
    }
    ranked = score(pg_url, year=YEAR, record=False).agencies
    page, total = score_page(pg_url, year=YEAR, limit=3, offset=1)
    assert total == len(ranked)
    assert [(a.name, a.score, a.rank) for a in page.agencies] == [
        (a.name, a.score, a.rank) for a in ranked[1:4]
    ]
