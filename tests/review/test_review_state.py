"""The review campaign's stored summaries (``reviewstate`` counts on ``report_summaries``) agree with the
lists they stand for after every write path: ingest, review states, a corrected version, a pick, a
withdrawal, and the migration's backfill; pages of the lists are slices of the whole list."""

from __future__ import annotations

import shutil
from pathlib import Path

from gongkai.review import ReviewFilter, findings_for_review, pick, set_state, versions, withdraw
from gongkai.review.reviews import count_for_review
from gongkai.review.roster import coverage_counts, roster_coverage
from gongkai.review.versions import count_versions
from gongkai.store import Store
from gongkai.store import schema as S
from gongkai.store.reviewstate import backfill
from tests.review.conftest import YEAR

FILTERS = [
    ReviewFilter(),
    ReviewFilter(year=YEAR),
    ReviewFilter(state="pending"),
    ReviewFilter(state="confirmed"),
    ReviewFilter(state="dismissed", year=YEAR),
    ReviewFilter(code="T"),
    ReviewFilter(severity="warning"),
    # counted and paged by ``review_codes``
    ReviewFilter(code="t3", year=YEAR),
    ReviewFilter(code="T", state="confirmed"),
    ReviewFilter(code="T", state="pending", year=YEAR),
    ReviewFilter(severity="error", state="dismissed"),
    ReviewFilter(code="T", severity="warning", state="confirmed"),
    ReviewFilter(code="ZZ"),
    ReviewFilter(code="T", state="unknown"),
]


def _agree(db: str, *more: ReviewFilter) -> None:
    for filters in (*FILTERS, *more):
        whole = findings_for_review(db, filters)
        assert count_for_review(db, filters) == len(whole), filters
        shown = [(f.report_id, f.fingerprint, f.state, f.rectification) for f in whole]
        for offset in (0, 3, len(whole) // 2, max(0, len(whole) - 5), len(whole) + 7):
            page = findings_for_review(db, filters, limit=7, offset=offset)
            got = [(f.report_id, f.fingerprint, f.state, f.rectification) for f in page]
            assert got == shown[offset : offset + 7], (filters, offset)
    every = versions(db)
    assert count_versions(db) == len(every)
    assert [v.report_id for v in versions(db, limit=5, offset=2)] == [v.report_id for v in every[2:7]]
    rows = roster_coverage(db, YEAR)
    counts = coverage_counts(db, YEAR)
    assert counts == {s: sum(1 for r in rows if r.status == s) for s in counts}
    assert [r.name for r in roster_coverage(db, YEAR, limit=4, offset=1)] == [r.name for r in rows[1:5]]


def _counts(db: str) -> list[tuple]:
    rs, k = S.report_summaries, S.review_codes
    with Store(db) as store, store.engine.connect() as c:
        q = rs.select().with_only_columns(
            rs.c.report_id, rs.c["items"], rs.c.pending, rs.c.confirmed, rs.c.dismissed
        )
        return sorted(c.execute(q).all()) + sorted(c.execute(k.select()).all())


def test_stored_counts_follow_every_write_path(campaign, tmp_path):
    from tests.review.test_campaign import cli

    db = campaign["db"]
    cli("roster", "import", str(campaign["roster"]), "--db", db)
    _agree(db)
    found = findings_for_review(db, ReviewFilter(year=YEAR))
    first = found[0]
    set_state(db, ReviewFilter(agency=first.subject, year=YEAR), "confirmed", reviewer="张三")
    set_state(db, ReviewFilter(fingerprints=(found[-1].fingerprint,)), "dismissed", reviewer="李四")
    _agree(db)
    # a second version of the first agency-year: its confirmed findings are still there or rectified
    mine = next(v for v in versions(db, year=YEAR) if v.report_id == first.report_id)
    source = Path(mine.path or "")
    copy = tmp_path / "v2" / f"v2{source.suffix}"
    copy.parent.mkdir()
    copy.write_bytes(source.read_bytes() + b"\n")
    cli("ingest", str(copy.parent), "--db", db, "--workers", "1")
    _agree(db)
    pick(db, first.report_id)
    _agree(db)
    withdraw(db, first.report_id)
    _agree(db)
    # a corrected version of another agency-year drops a confirmed finding: 已整改, counted by its code
    from tests.review.test_campaign import _quote, _quote_in_source, _source_of

    quoted = next(f for f in found if f.subject != first.subject and _quote_in_source(f, campaign["docs"]))
    set_state(db, ReviewFilter(agency=quoted.subject, year=YEAR), "confirmed", reviewer="张三")
    source = _source_of(quoted, campaign["docs"])
    corrected = tmp_path / "v3" / f"corrected{source.suffix}"
    corrected.parent.mkdir()
    corrected.write_text(source.read_text("utf-8").replace(_quote(quoted) or "", "", 1), encoding="utf-8")
    cli("ingest", str(corrected.parent), "--db", db, "--workers", "1")
    gone = findings_for_review(db, ReviewFilter(code=quoted.code, state="confirmed"))
    assert quoted.fingerprint in {f.fingerprint for f in gone if f.rectification == "rectified"}
    _agree(db, ReviewFilter(code=quoted.code), ReviewFilter(code=quoted.code[:1], state="confirmed"))
    # the backfill (as migration 0008 runs it) gives the same counts
    before = _counts(db)
    again = tmp_path / "again.db"
    shutil.copy(db.removeprefix("sqlite:///"), again)
    url = f"sqlite:///{again}"
    with Store(url) as store, store.engine.begin() as c:
        c.execute(S.report_summaries.update().values(items=0, pending=0, confirmed=0, dismissed=0))
        c.execute(S.review_codes.delete())
        backfill(c)
    assert _counts(url) == before


def test_score_page_is_a_slice_of_the_whole_ranking(campaign):
    from gongkai.review import score
    from gongkai.review.scoring import score_page
    from tests.review.test_campaign import cli

    db = campaign["db"]
    cli("roster", "import", str(campaign["roster"]), "--db", db)
    found = findings_for_review(db, ReviewFilter(year=YEAR))
    set_state(db, ReviewFilter(agency=found[0].subject, year=YEAR), "confirmed", reviewer="张三")
    set_state(db, ReviewFilter(code="T", year=YEAR), "confirmed", reviewer="张三")

    def shown(agencies):
        return [
            (a.name, a.region, a.kind, a.score, a.rank, a.list, a.deductions, a.report_id) for a in agencies
        ]

    whole = score(db, year=YEAR, record=False).agencies
    assert any(a.deductions for a in whole)
    for offset in (0, 2, 5, len(whole) - 3, len(whole) + 2):
        page, total = score_page(db, year=YEAR, limit=4, offset=offset)
        assert total == len(whole)
        assert shown(page.agencies) == shown(whole[offset : offset + 4])
