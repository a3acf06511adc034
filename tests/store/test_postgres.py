"""The store on a real PostgreSQL server. Set GONGKAI_TEST_PG_URL (e.g.
``postgresql+psycopg://postgres@127.0.0.1:55432/postgres``, see scripts/postgres.sh); each run creates and
drops its own database on that server, so the URL's own database is never touched."""

from __future__ import annotations

import os
import uuid

import pytest

PG_URL = os.environ.get("GONGKAI_TEST_PG_URL")
pytestmark = pytest.mark.skipif(not PG_URL, reason="GONGKAI_TEST_PG_URL not set")


@pytest.fixture(scope="module")
def pg_url():
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"gongkai_test_{uuid.uuid4().hex[:10]}"
    with server.connect() as c:
        c.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def test_postgres_ingest_export_check(pg_url, text_corpus, corpus_db, tmp_path):
    from gongkai.store import Store, check_store, coverage, export, ingest, query
    from tests.store.test_ingest import dump

    first = ingest([text_corpus], pg_url, workers=2)
    assert first.counts["failed"] == 0 and first.stored > 0
    again = ingest([text_corpus], pg_url, workers=1)
    assert again.stored == 0
    with Store(pg_url) as st:
        assert st.engine.dialect.name == "postgresql" and st.revision() is not None
    assert dump(pg_url) == dump(corpus_db)  # the same data as SQLite, row for row
    found = pairs_in_a_worker(pg_url)
    assert found == pairs_in_a_worker(corpus_db) and found[0]  # the workers read PostgreSQL too
    assert pages(pg_url) == pages(corpus_db)  # and the same answers to the web pages' SQL
    cov = coverage(pg_url)
    pingtan = next(a for a in cov["agencies"] if a["agency_id"] == "350128:平潭综合实验区")
    assert pingtan["years"] == list(range(2019, 2026))
    assert export(pg_url, tmp_path / "w.csv") == first.stored
    assert query(pg_url, "applications")["rows"]
    assert any(r["findings"] for r in check_store(pg_url))


def pairs_in_a_worker(url: str) -> tuple[bool, list[dict]]:
    """What an ingest worker finds comparing the last 平潭 report with the stored year before (the driver's
    SQL of `gongkai.store.cross` on this database): whether it found that year, and the findings."""
    import gongkai
    from gongkai.store import cross
    from tests.conftest import CORPUS

    report = gongkai.parse(sorted((CORPUS / "real").glob("*_pingtan_zhsyq.txt"))[-1])
    pair = cross.pair_in_worker(url, report, "350128:平潭综合实验区")
    assert pair is not None
    return pair[0] != cross.NO_PREVIOUS, pair[1]


def test_postgres_concurrent_writers_never_duplicate(pg_url, text_corpus):
    """Two ingests of the same files at once (two writers): each document is stored once."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import text

    from gongkai.store import Store, ingest

    seeds = text_corpus / "seeds"
    with Store(pg_url) as st, st.engine.begin() as c:
        c.execute(
            text(
                "DELETE FROM findings; DELETE FROM sections; DELETE FROM cells; DELETE FROM reports; "
                "DELETE FROM agencies; DELETE FROM documents"
            )
        )
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: ingest([seeds], pg_url, workers=1), range(2)))
    assert sum(r.stored for r in results) == 5
    with Store(pg_url) as st, st.engine.connect() as c:
        assert c.execute(text("select count(*) from documents")).scalar() == 5
        assert c.execute(text("select count(*) from reports")).scalar() == 5


def test_postgres_publication_round_trip(pg_url, text_corpus):
    import datetime as dt

    from gongkai.store import Publication, Store, coverage, ingest

    path = sorted((text_corpus / "seeds").glob("*.txt"))[0]
    pub = Publication(
        source_url="http://127.0.0.1/r.html",
        published="2024-01-20",
        published_source="page_text",
        fetched_at=dt.datetime(2024, 3, 1, 8, 30, tzinfo=dt.UTC),
        http_headers={"Content-Type": "text/html; charset=gbk"},
    )
    ingest([path], pg_url, workers=1, publications={path: pub})
    with Store(pg_url) as st:
        sha = next(s for s, p in st.publications().items() if p.source_url == pub.source_url)
        assert st.publication(sha) == pub
        assert st.set_publication(sha, Publication(published="2024-01-21"), overwrite=False)
        assert st.publication(sha) == pub
    reports = [r for a in coverage(pg_url)["agencies"] for r in a["reports"]]
    assert [r["published"] for r in reports if r["source_url"] == pub.source_url] == ["2024-01-20"]


def pages(url: str) -> tuple:
    """What the list and chart pages ask of the report summaries."""
    from gongkai.store import Store, corpus

    with Store(url) as st:
        cov = corpus.coverage_matrix(st, limit=4, offset=2)
        return (
            corpus.chart_series(st),
            corpus.problem_kinds(st, corpus.Filters(q="政府")),
            corpus.report_counts(st, corpus.Filters(q="政府")),
            corpus.count_reports(st, corpus.Filters(year_from=2021)),
            (cov.agencies, cov.missing, [r["name"] for r in cov.rows]),
            [r["agency"] for r in corpus.report_rows(st, corpus.Filters(q="区"), limit=5)],
        )
