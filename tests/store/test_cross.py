"""The store's cross-year findings: a pair of years compared once, in the ingest's workers or by the refresh,
and always what comparing every pair from scratch gives."""

from __future__ import annotations

import hashlib
import importlib
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, true, update

from gongkai.store import Store, cross, ingest
from gongkai.store import schema as S
from gongkai.store.db import _load_reports, representatives
from gongkai.store.process import process_bytes
from tests.conftest import CORPUS
from tests.store.test_ingest import dump

pytest.importorskip("gongkai.audit")

PINGTAN = sorted((CORPUS / "real").glob("*_pingtan_zhsyq.txt"))


def from_scratch(url: str, tmp_path: Path) -> dict:
    """The database at ``url`` with every pair of years compared again from nothing: its dump."""
    copy = tmp_path / "scratch.db"
    with (
        closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as src,
        closing(sqlite3.connect(copy)) as dst,
    ):
        src.backup(dst)  # with what is still in the write-ahead log
    with Store(f"sqlite:///{copy}") as st:
        with st.engine.begin() as c:
            c.execute(delete(S.findings).where(S.findings.c.scope == "cross"))
            c.execute(update(S.reports).values(cross_previous=None))
            ids = list(c.execute(select(S.agencies.c.id)).scalars())
        st.refresh_cross(ids)
    return dump(f"sqlite:///{copy}")


def plan_of(url: str) -> cross._Plan:
    """What a refresh of every agency would still do."""
    with Store(url) as st, st.engine.connect() as c:
        return cross._plan(cross._members(c, true()))


def copy_to(folder: Path, docs: list[Path]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for p in docs:
        shutil.copy(p, folder / p.name)
    return folder


def test_pairs_compared_by_the_workers_are_what_comparing_from_scratch_gives(text_corpus, tmp_path):
    url = f"sqlite:///{tmp_path / 'workers.db'}"
    result = ingest([text_corpus], url, workers=2)
    assert result.counts["failed"] == 0
    with Store(url) as st, st.engine.connect() as c:
        stored = c.execute(select(func.count()).where(S.findings.c.scope == "cross")).scalar()
    assert result.cross_findings == stored > 0  # those the workers stored counted too
    assert plan_of(url) == cross._Plan({}, [], [])  # the refresh confirmed every pair
    assert dump(url) == from_scratch(url, tmp_path)
    alone = f"sqlite:///{tmp_path / 'refresh.db'}"  # no comparing in the workers: the refresh does it all
    ingest([text_corpus], alone, workers=2, reader=process_bytes)
    assert dump(alone) == dump(url)


def test_a_new_year_is_one_new_pair(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'years.db'}"
    ingest([copy_to(tmp_path / "earlier", PINGTAN[:-1])], url, workers=1)
    loaded: list[list[int]] = []
    real = cross.load_for_pairs

    def counting(c, ids):
        loaded.append(list(ids))
        return real(c, ids)

    monkeypatch.setattr(cross, "load_for_pairs", counting)
    ingest([copy_to(tmp_path / "latest", PINGTAN[-1:])], url, workers=1, time_limit=None)
    assert len(loaded) == 1 and len(loaded[0]) == 1  # the year before, in the reading process; nothing else
    with Store(url) as st, st.engine.connect() as c:
        rows = c.execute(select(S.reports.c.year, S.reports.c.id, S.reports.c.cross_previous)).all()
    ids = {year: rid for year, rid, _p in rows}
    assert {year: prev for year, _r, prev in rows} == {
        year: (ids.get(year - 1, cross.NO_PREVIOUS)) for year in ids
    }
    assert dump(url) == from_scratch(url, tmp_path)


def _copy_ranked_first(doc: Path) -> bytes:
    """``doc``'s bytes with a line added, chosen so that the copy's sha256 is smaller: the copy then speaks
    for the year (same format, same uncertain cells)."""
    data = doc.read_bytes()
    own = hashlib.sha256(data).hexdigest()
    for i in range(10_000):
        copy = data + f"\n<!-- copy {i} -->\n".encode()
        if hashlib.sha256(copy).hexdigest() < own:
            return copy
    raise AssertionError("no smaller sha256")


def test_a_copy_taking_over_its_year_moves_the_pairs(tmp_path):
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    earlier, middle, later = PINGTAN[-3:]
    ingest([copy_to(tmp_path / "years", [earlier, middle, later])], url, workers=2)
    copy = _copy_ranked_first(middle)
    (tmp_path / "again").mkdir()
    (tmp_path / "again" / f"copy_{middle.name}").write_bytes(copy)
    ingest([tmp_path / "again"], url, workers=2)
    d, r = S.documents, S.reports
    with Store(url) as st, st.engine.connect() as c:
        rows = c.execute(select(d.c.sha256, r.c.id, r.c.cross_previous).join(r, r.c.id == d.c.id)).all()
        crossed = set(
            c.execute(select(S.findings.c.report_id).where(S.findings.c.scope == "cross")).scalars()
        )
    stored = {sha: (rid, previous) for sha, rid, previous in rows}

    def of(data: bytes) -> tuple[int, int | None]:
        return stored[hashlib.sha256(data).hexdigest()]

    assert of(middle.read_bytes())[1] is None  # no longer speaks for its year
    assert of(middle.read_bytes())[0] not in crossed
    assert of(copy)[1] == of(earlier.read_bytes())[0]  # the copy compared with the year before
    assert of(later.read_bytes())[1] == of(copy)[0]  # and the year after compared with the copy
    assert plan_of(url) == cross._Plan({}, [], [])
    assert dump(url) == from_scratch(url, tmp_path)


def test_years_stored_out_of_order(tmp_path):
    url = f"sqlite:///{tmp_path / 'order.db'}"
    for i, doc in enumerate(reversed(PINGTAN)):
        ingest([copy_to(tmp_path / f"step{i}", [doc])], url, workers=2)
    assert plan_of(url) == cross._Plan({}, [], [])
    assert dump(url) == from_scratch(url, tmp_path)


@pytest.mark.parametrize("newest_first", [False, True])
def test_an_agency_refreshed_after_its_first_batch_and_at_the_end(tmp_path, monkeypatch, newest_first):
    """An agency's years written one batch at a time in one run: refreshed after the first batch (the
    workers go on reading meanwhile), then once at the end for all the later ones (not once per batch: an
    agency of thousands of copies would be read again each time); the end is what comparing from scratch
    gives, a later batch having brought the year before or the year after."""
    ingest_module = importlib.import_module("gongkai.store.ingest")  # the package's name is the function
    monkeypatch.setattr(ingest_module, "WRITE_BATCH", 1)
    calls: list[tuple[list[str] | None, list[str]]] = []  # (agencies asked for, agencies stale then)
    real = ingest_module.refresh_counts

    def recording(store, agency_ids=None):
        calls.append((agency_ids, store.stale_agencies()))
        return real(store, agency_ids)

    monkeypatch.setattr(ingest_module, "refresh_counts", recording)
    folder = tmp_path / "years"
    folder.mkdir()
    for i, doc in enumerate(reversed(PINGTAN) if newest_first else PINGTAN):
        shutil.copy(doc, folder / f"{i:02d}_{doc.name}")  # read and written in this order (one worker)
    url = f"sqlite:///{tmp_path / 'batches.db'}"
    result = ingest([folder], url, workers=1, time_limit=None)
    assert result.stored == len(PINGTAN) > 2
    (first, stale_then), (last, stale_at_end) = calls
    assert first == stale_then and len(first) == 1  # after the first batch: its agency
    assert last == stale_at_end == first  # at the end: written to again since
    with Store(url) as st, st.engine.connect() as c:
        stored = c.execute(select(func.count()).where(S.findings.c.scope == "cross")).scalar()
        assert st.stale_agencies() == []
    assert result.cross_findings == stored > 0
    assert plan_of(url) == cross._Plan({}, [], [])
    assert dump(url) == from_scratch(url, tmp_path)


def test_the_light_load_gives_the_findings_of_a_full_load(corpus_db):
    """`cross.load_for_pairs` leaves out what the pair rules do not read: the same findings."""
    with Store(corpus_db) as st, st.engine.connect() as c:
        reps = st.stored_reports()
        pairs = [
            (cur.id, prev.id)
            for agency in {r.agency_id for r in reps if r.agency_id}
            for cur, prev in cross.consecutive(representatives(st.stored_reports(agency)))
        ]
        assert len(pairs) >= 6
        ids = sorted({i for pair in pairs for i in pair})
        full, light = _load_reports(c, ids), cross.load_for_pairs(c, ids)
    for cur, prev in pairs:
        assert cross.pair_findings(light[cur], light[prev]) == cross.pair_findings(full[cur], full[prev])
    assert any(cross.pair_findings(full[cur], full[prev]) for cur, prev in pairs)


def test_the_url_workers_open_is_the_engines(tmp_path):
    from sqlalchemy import create_engine

    url = f"sqlite:///{tmp_path / 'given.db'}"
    with Store(engine=create_engine(url)) as st:
        assert st.shared_url() == url  # not the default database
    for memory in ("sqlite://", "sqlite:///:memory:"):
        with Store(memory) as st:
            assert st.shared_url() is None


class _Reads(dict):
    """A report's cells or sections that remember which keys the rules asked for (None: all of them)."""

    def __init__(self, items: dict, asked: set):
        super().__init__(items)
        self.asked = asked

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)

    def __iter__(self):
        self.asked.add(None)
        return super().__iter__()

    def items(self):
        self.asked.add(None)
        return super().items()

    def values(self):
        self.asked.add(None)
        return super().values()

    def keys(self):
        self.asked.add(None)
        return super().keys()


def test_the_pair_rules_read_only_what_a_light_load_brings(corpus_db):
    """Every cell and section the pair rules look at, on every pair of the stored corpus, is one
    `audit.pair_reads` declares (`load_for_pairs` loads no other): a rule reading more fails here."""
    from gongkai.audit.pair_reads import PAIR_CELL_PREFIXES, PAIR_SECTIONS

    cells: set = set()
    sections: set = set()
    with Store(corpus_db) as st, st.engine.connect() as c:
        pairs = [
            (cur.id, prev.id)
            for agency in {r.agency_id for r in st.stored_reports() if r.agency_id}
            for cur, prev in cross.consecutive(representatives(st.stored_reports(agency)))
        ]
        full = _load_reports(c, sorted({i for pair in pairs for i in pair}))
    for report in full.values():
        report.cells = _Reads(report.cells, cells)
        report.sections = _Reads(report.sections, sections)
    for cur, prev in pairs:
        cross.pair_findings(full[cur], full[prev])
    assert cells and None not in cells and None not in sections
    assert all(path.startswith(PAIR_CELL_PREFIXES) for path in cells), sorted(cells)
    assert sections <= set(PAIR_SECTIONS), sections


def test_an_agency_refreshed_again_down_to_no_cross_findings_counts_none(tmp_path, monkeypatch):
    """The run's count is of each agency's cross findings as last refreshed: an agency whose findings went
    (a copy of a year taking over, say) counts 0 at the end, not what its first refresh found."""
    ingest_module = importlib.import_module("gongkai.store.ingest")
    with Store(f"sqlite:///{tmp_path / 'count.db'}") as st:
        writer = ingest_module._Writer(
            st, ingest_module.IngestResult(), None, ingest_module.Publications(None), None
        )
        monkeypatch.setattr(st, "stale_agencies", lambda: ["a", "b"])
        monkeypatch.setattr(ingest_module, "refresh_counts", lambda store, ids: {"a": 3, "b": 2})
        writer.refresh_new_agencies()
        monkeypatch.setattr(st, "stale_agencies", lambda: ["a"])
        monkeypatch.setattr(ingest_module, "refresh_counts", lambda store, ids: {})  # "a" has none left
        writer.refresh_new_agencies()  # "a" is not new: left to the end
        assert writer.cross == {"a": 3, "b": 2}
        writer.refresh_cross()
        assert writer.cross == {"a": 0, "b": 2}
