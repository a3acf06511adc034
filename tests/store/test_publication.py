"""Publication metadata on stored documents: source URL, 发布日期, fetch time and HTTP headers."""

from __future__ import annotations

import datetime as dt

import pytest

from gongkai.store import Publication, Store, coverage, ingest
from tests.conftest import CORPUS

SEED = sorted((CORPUS / "seeds").glob("*.txt"))


def _seed(tmp_path, n=0):
    if not SEED:
        pytest.skip("shared corpus not available")
    path = tmp_path / SEED[n].name
    path.write_bytes(SEED[n].read_bytes())
    return path


def test_publication_normalises_dates_and_times():
    pub = Publication(published="2024年1月5日", fetched_at=dt.datetime(2024, 2, 1, 8, 0))
    assert pub.published == "2024-01-05"
    assert pub.fetched_at.tzinfo is not None
    assert Publication.from_json(pub.to_json()) == pub
    with pytest.raises(ValueError):
        Publication(published="2024-02-30")


def test_ingest_stores_the_publication_and_gives_the_date_to_the_audit(tmp_path):
    path = _seed(tmp_path)
    url = f"sqlite:///{tmp_path / 'p.db'}"
    pub = Publication(
        source_url="http://127.0.0.1/a.html",
        published="2024-01-20",
        published_source="page_text",
        fetched_at=dt.datetime(2024, 3, 1, tzinfo=dt.UTC),
        http_headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    result = ingest([path], url, workers=1, publications={str(path): pub})
    assert result.stored == 1
    with Store(url) as st:
        [rep] = st.stored_reports(load=True)
        assert st.publication(rep.sha256) == pub
        assert st.publication(rep.id) == pub
        assert st.publications() == {rep.sha256: pub}
        assert rep.report.meta["published"] == "2024-01-20"
        assert rep.report.meta["sources"]["published"] == "given"
    [agency] = coverage(url)["agencies"]
    [row] = agency["reports"]
    assert (row["source_url"], row["published"], row["published_source"]) == (
        "http://127.0.0.1/a.html",
        "2024-01-20",
        "page_text",
    )


def test_a_stored_document_gets_only_its_empty_fields_filled(tmp_path):
    path = _seed(tmp_path)
    url = f"sqlite:///{tmp_path / 'p.db'}"
    ingest([path], url, workers=1, publications={path: Publication(source_url="http://127.0.0.1/first")})
    again = Publication(source_url="http://127.0.0.1/second", published="2024-01-31")
    result = ingest([path], url, workers=1, publications={path: again})
    assert result.counts["skipped"] == 1
    with Store(url) as st:
        [rep] = st.stored_reports(load=True)
        assert st.publication(rep.sha256) == Publication(
            source_url="http://127.0.0.1/first", published="2024-01-31"
        )
        assert rep.report.meta["published"] == "2024-01-31"
        assert st.set_publication(rep.sha256, Publication(published="2024-02-02"))
        assert st.publication(rep.sha256).source_url is None  # overwrite replaces every field
        assert not st.set_publication("0" * 64, again)
        assert st.publication("0" * 64) is None


def test_documents_without_a_publication_keep_empty_fields(tmp_path):
    path = _seed(tmp_path)
    url = f"sqlite:///{tmp_path / 'p.db'}"
    ingest([path], url, workers=1)
    with Store(url) as st:
        [rep] = st.stored_reports()
        assert st.publication(rep.sha256) == Publication()
        assert st.publications() == {}


def test_a_database_of_the_first_schema_is_upgraded(tmp_path):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, inspect

    from gongkai.store.db import MIGRATIONS

    url = f"sqlite:///{tmp_path / 'old.db'}"
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    assert "source_url" not in {c["name"] for c in inspect(engine).get_columns("documents")}
    engine.dispose()
    with Store(url) as st:
        from alembic.script import ScriptDirectory

        assert st.revision() == ScriptDirectory.from_config(cfg).get_current_head()  # later migrations too
        columns = {c["name"] for c in inspect(st.engine).get_columns("documents")}
        assert {"source_url", "published", "published_source", "fetched_at", "http_headers"} <= columns
        with st.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0001")
        assert "source_url" not in {c["name"] for c in inspect(st.engine).get_columns("documents")}


def test_cli_coverage_lists_reports_with_url_and_date(tmp_path):
    from gongkai.cli import app
    from tests.clirunner import CliRunner

    path = _seed(tmp_path)
    db = str(tmp_path / "p.db")
    pub = Publication(source_url="http://127.0.0.1/r.html", published="2024-01-20")
    ingest([path], db, workers=1, publications={path: pub})
    out = CliRunner().invoke(app, ["coverage", "--db", db, "--reports", "-f", "csv"])
    assert out.exit_code == 0, out.output
    header, row = out.output.strip().splitlines()
    assert header == "region,agency,year,published,source_url,name,status"
    assert "2024-01-20,http://127.0.0.1/r.html" in row


def test_wide_exports_carry_the_source_url_and_publication_date(tmp_path):
    import csv

    from gongkai.store import export

    path = _seed(tmp_path)
    db = str(tmp_path / "p.db")
    pub = Publication(source_url="http://127.0.0.1/r.html", published="2024-01-20")
    ingest([path], db, workers=1, publications={path: pub})
    export(db, tmp_path / "w.csv")
    with (tmp_path / "w.csv").open(encoding="utf-8-sig", newline="") as f:
        [row] = list(csv.DictReader(f))
    assert (row["source_url"], row["published"]) == ("http://127.0.0.1/r.html", "2024-01-20")
