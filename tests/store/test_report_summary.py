"""The per-report summaries the list and chart pages read: kept by the write path, equal to what the stored
findings, cells and versions say, and rebuilt the same way by the migration's backfill."""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict

import pytest
from sqlalchemy import select

from gongkai.store import schema as S
from tests.conftest import variants


def summaries(url: str) -> tuple[dict[int, dict], dict[tuple[int, str], tuple[str, int]]]:
    from gongkai.store import Store

    with Store(url) as store, store.engine.connect() as c:
        rows = {m["report_id"]: dict(m) for m in c.execute(select(S.report_summaries)).mappings()}
        codes = {(rid, code): (sev, n) for code, rid, sev, n in c.execute(select(S.report_codes)).all()}
    return rows, codes


def test_summaries_agree_with_what_is_stored(corpus_db):
    from gongkai.review.versions import current_ids
    from gongkai.store import Store
    from gongkai.store.corpus import outcome_totals

    rows, codes = summaries(corpus_db)
    with Store(corpus_db) as store, store.engine.connect() as c:
        ids = [rid for (rid,) in c.execute(select(S.reports.c.id))]
        found = c.execute(select(S.findings.c.report_id, S.findings.c.code, S.findings.c.severity)).all()
        status = dict(c.execute(select(S.documents.c.id, S.documents.c.status)).all())
        new = dict(
            c.execute(
                select(S.cells.c.report_id, S.cells.c.value).where(S.cells.c.path == "table3.new.total")
            ).all()
        )
        current = current_ids(store)
        totals = outcome_totals(store, ids)
    assert sorted(rows) == sorted(ids) and len(ids) > 10
    by_severity: dict[int, Counter] = defaultdict(Counter)
    by_code: Counter = Counter()
    for rid, code, sev in found:
        by_severity[rid][sev] += 1
        by_code[(rid, code)] += 1
    assert {k: n for k, (_sev, n) in codes.items()} == dict(by_code)
    for rid, row in rows.items():
        assert (row["errors"], row["warnings"], row["infos"]) == (
            by_severity[rid]["error"],
            by_severity[rid]["warning"],
            by_severity[rid]["info"],
        )
        assert row["status"] == status[rid]
        assert row["t3_new"] == new.get(rid)
        for o, v in totals[rid].items():
            assert row[f"t3_{o}"] == pytest.approx(v)
    assert {rid for rid, row in rows.items() if row["current"]} == current
    assert any(row["kind"] for row in rows.values())


def test_backfill_rebuilds_the_same_rows(corpus_db, tmp_path):
    from gongkai.store import Store
    from gongkai.store.report_summary import backfill

    before = summaries(corpus_db)
    copy = tmp_path / "copy.db"
    shutil.copy(corpus_db.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    with Store(url) as store, store.engine.begin() as c:
        c.execute(S.report_summaries.delete())
        c.execute(S.report_codes.delete())
        assert backfill(c) == len(before[0])
    assert summaries(url) == before


def test_the_migration_backfills_an_existing_database(corpus_db, tmp_path):
    from alembic import command
    from alembic.config import Config

    from gongkai.store import Store
    from gongkai.store.db import MIGRATIONS

    before = summaries(corpus_db)
    copy = tmp_path / "old.db"
    shutil.copy(corpus_db.removeprefix("sqlite:///"), copy)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with Store(f"sqlite:///{copy}") as store, store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
    Store(f"sqlite:///{copy}").close()  # upgrades to head
    assert summaries(f"sqlite:///{copy}") == before


def test_versions_and_forgetting_keep_current_right(tmp_path):
    from gongkai.review import withdraw
    from gongkai.review.versions import current_ids, pick
    from gongkai.store import Store, ingest

    url = f"sqlite:///{tmp_path / 'v.db'}"
    variants(tmp_path / "a", 1, "a")
    variants(tmp_path / "b", 2, "b")  # b000 has the bytes of a000: skipped
    ingest([tmp_path / "a"], url, workers=1)
    ingest([tmp_path / "b"], url, workers=1)

    def current() -> set[int]:
        return {rid for rid, row in summaries(url)[0].items() if row["current"]}

    with Store(url) as store:
        assert current() == current_ids(store)
        first, second = sorted(summaries(url)[0])
        assert current() == {second}  # the latest by ingest time
        pick(store, first)
        assert current() == current_ids(store) == {first}
        withdraw(store, first)
        assert current() == current_ids(store) == {second}
        sha = (
            store.engine.connect()
            .execute(select(S.documents.c.sha256).where(S.documents.c.id == second))
            .scalar()
        )
        withdraw(store, first, undo=True)
        store.forget([sha])
        assert current() == current_ids(store) == {first}
        assert set(summaries(url)[0]) == {first}


def rebuilt(url: str, tmp_path) -> tuple[dict, dict]:
    """The summaries of a copy of ``url`` rebuilt from what is stored (``backfill``)."""
    from gongkai.store import Store
    from gongkai.store.report_summary import backfill

    with Store(url) as store, store.engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # all of it in the file copied
    copy = tmp_path / "rebuilt.db"
    shutil.copy(url.removeprefix("sqlite:///"), copy)
    with Store(f"sqlite:///{copy}") as store, store.engine.begin() as c:
        backfill(c)
    out = summaries(f"sqlite:///{copy}")
    copy.unlink()
    return out


def test_batched_writes_keep_the_rows_a_rebuild_gives(tmp_path):
    from gongkai.review import withdraw
    from gongkai.review.reviews import ReviewFilter, set_state
    from gongkai.review.versions import pick
    from gongkai.store import Store, ingest

    url = f"sqlite:///{tmp_path / 'b.db'}"
    variants(tmp_path / "a", 2, "a")  # two versions of one agency-year in one write batch
    ingest([tmp_path / "a"], url, workers=1)
    assert summaries(url) == rebuilt(url, tmp_path)
    variants(tmp_path / "a", 3, "a")  # and a later one, the current version from now on
    ingest([tmp_path / "a"], url, workers=1)
    assert summaries(url) == rebuilt(url, tmp_path)
    first, second, third = sorted(summaries(url)[0])
    assert {rid for rid, row in summaries(url)[0].items() if row["current"]} == {third}
    with Store(url) as store:
        pick(store, first)
        withdraw(store, second)
        assert set_state(store, ReviewFilter(report_id=first), "confirmed") > 0
        sha = (
            store.engine.connect()
            .execute(select(S.documents.c.sha256).where(S.documents.c.id == second))
            .scalar()
        )
        store.forget([sha])  # its withdrawal mark stays: written again, it is still withdrawn
    variants(tmp_path / "b", 5, "a")  # a000–a002 again (one of them forgotten: stored anew) and two new
    ingest([tmp_path / "b"], url, workers=1)
    rows, _codes = after = summaries(url)
    assert after == rebuilt(url, tmp_path)
    assert {rid for rid, row in rows.items() if row["current"]} == {first}  # the picked version stays
    assert all(row["confirmed"] > 0 for row in rows.values())  # the review states apply to new versions
    with Store(url) as store:
        pick(store, max(rows))
    variants(tmp_path / "c", 7, "a")
    ingest([tmp_path / "c"], url, workers=1)
    assert summaries(url) == rebuilt(url, tmp_path)


def test_coverage_pages_add_up_to_the_whole(corpus_db):
    from gongkai.store import Store
    from gongkai.store.corpus import coverage_matrix

    with Store(corpus_db) as store:
        whole = coverage_matrix(store)
        pages = [coverage_matrix(store, limit=3, offset=o) for o in range(0, whole.agencies, 3)]
        past_the_end = coverage_matrix(store, limit=3, offset=10**6)
    assert whole.agencies == len(whole.rows) > 3
    assert [r["name"] for p in pages for r in p.rows] == [r["name"] for r in whole.rows]
    assert {(p.agencies, p.missing) for p in pages} == {(whole.agencies, whole.missing)}
    assert past_the_end.rows == pages[-1].rows  # the last page


def test_agency_choices_are_few_and_found_by_name(corpus_db):
    from gongkai.store import Store
    from gongkai.store.corpus import agency_choices

    with Store(corpus_db) as store:
        every = store.agencies()
        few, total = agency_choices(store, limit=2)
        found, n = agency_choices(store, find="平潭")
        chosen, _ = agency_choices(store, chosen=every[-1]["id"], limit=1)
    assert len(few) == 2 and total == len(every)
    assert n == 1 and "平潭" in found[0]["name"]
    assert [a["id"] for a in chosen] == [every[0]["id"], every[-1]["id"]]
