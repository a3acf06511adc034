from __future__ import annotations

import hashlib
import importlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from gongkai.store import Store, ingest, process_bytes, walk
from gongkai.store import db as store_db
from gongkai.store import schema as S
from gongkai.store.ingest import WRITE_BATCH


def dump(url: str) -> dict:
    """Everything stored, keyed by sha256 instead of row ids, without ingest times."""
    with Store(url) as st, st.engine.connect() as c:
        sha = dict(c.execute(select(S.documents.c.id, S.documents.c.sha256)).all())
        out: dict = {}
        for t in S.metadata.sorted_tables:
            rows = []
            for m in c.execute(select(t)).mappings():
                row = dict(m)
                row.pop("ingested_at", None)
                if t.name == "findings":
                    row.pop("id")
                for k in ("id", "report_id", "cross_previous"):
                    if row.get(k) and t.name != "agencies":  # cross_previous 0: compared with no year
                        row[k] = sha[row[k]]
                rows.append(json.dumps(row, sort_keys=True, ensure_ascii=False, default=str))
            out[t.name] = sorted(rows)
        return out


def counts(url: str) -> dict:
    with Store(url) as st, st.engine.connect() as c:
        return {
            t: c.execute(text(f"select count(*) from {t}")).scalar()
            for t in ("documents", "reports", "cells", "sections", "findings")
        }


def test_walk_skips_truth_files_and_reads_zip_members(text_corpus, tmp_path):
    names = [s.name for s in walk([text_corpus])]
    assert names and not any(n.endswith(".json") or n == "README.md" for n in names)
    z = tmp_path / "batch.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in sorted(text_corpus.glob("seeds/*.txt"))[:2]:
            zf.write(p, f"reports/{p.name}")
        zf.writestr("reports/x.expected.json", "{}")
    members = list(walk([z]))
    assert [m.name for m in members] == [
        "batch.zip/reports/000_f01d4dbb51cf7cd1.txt",
        "batch.zip/reports/001_ba48e4a8cef8e57d.txt",
    ]
    assert members[0].read() == (text_corpus / "seeds/000_f01d4dbb51cf7cd1.txt").read_bytes()


def test_process_bytes_is_plain_data(text_corpus):
    p = text_corpus / "real/2021_pingtan_zhsyq.txt"
    out = process_bytes(p.read_bytes(), p.name)
    json.dumps(out, ensure_ascii=False)  # JSON-able: runs under any distributed engine
    assert out["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest()
    assert out["status"] in ("ok", "problems") and out["error"] is None
    assert out["identity"]["agency_id"] == "350128:平潭综合实验区"
    bad = process_bytes(b"\x00\x01binary", "junk.bin")
    assert bad["status"] == "failed" and bad["error"] and bad["report"] is None


def test_ingest_twice_gives_the_same_database(text_corpus, corpus_db, tmp_path):
    before = dump(corpus_db)
    again = ingest([text_corpus], corpus_db, workers=1)
    assert again.stored == 0 and again.counts["skipped"] == len(list(walk([text_corpus])))
    assert dump(corpus_db) == before


def test_parallel_ingest_stores_the_same(text_corpus, corpus_db, tmp_path):
    url = f"sqlite:///{tmp_path / 'par.db'}"
    ingest([text_corpus], url, workers=2)
    assert dump(url) == dump(corpus_db)


def test_stored_report_rebuilds_exactly(text_corpus, corpus_db):
    import gongkai

    with Store(corpus_db) as st:
        for r in st.stored_reports():
            if not r.name.endswith(".txt"):
                continue
            rebuilt = st.load_report(r.id)
            original = gongkai.parse_bytes(next(text_corpus.rglob(r.name)).read_bytes(), r.name)
            assert rebuilt.to_json() == original.to_json()
            assert list(rebuilt.cells) == list(original.cells)
            assert rebuilt.text == original.text


def test_bad_file_is_recorded_and_the_run_goes_on(tmp_path, text_corpus):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(text_corpus / "real/2021_pingtan_zhsyq.txt", src)
    (src / "broken.pdf").write_bytes(b"%PDF-1.4\n garbage that is no PDF")
    (src / "empty.txt").write_bytes(b"")
    url = f"sqlite:///{tmp_path / 'bad.db'}"
    result = ingest([src], url, workers=1)
    assert result.counts["failed"] == 2 and result.counts["ok"] + result.counts["problems"] == 1
    with Store(url) as st, st.engine.connect() as c:
        rows = c.execute(
            select(S.documents.c.name, S.documents.c.status, S.documents.c.error).order_by(S.documents.c.name)
        ).all()
        assert [(n, s) for n, s, _ in rows if s == "failed"] == [
            ("broken.pdf", "failed"),
            ("empty.txt", "failed"),
        ]
        assert all(e for n, s, e in rows if s == "failed")
        assert c.execute(select(func.count()).select_from(S.reports)).scalar() == 1
    # Failed documents are skipped on a rerun, read again with retry_failed.
    assert ingest([src], url, workers=1).counts["skipped"] == 3
    assert ingest([src], url, workers=1, retry_failed=True).counts["failed"] == 2


def test_failure_mid_transaction_leaves_nothing_half_written(tmp_path, text_corpus, monkeypatch):
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    real = store_db._execute_many
    calls = {"n": 0}

    def crash_in_second_batch(c, table, rows):
        if table is S.sections:
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt  # the writer dies after the third document's cells, before the commit
        real(c, table, rows)

    monkeypatch.setattr(store_db, "_execute_many", crash_in_second_batch)
    # the first two are committed together, the third in a transaction of its own
    ingest_module = importlib.import_module("gongkai.store.ingest")
    monkeypatch.setattr(ingest_module, "WRITE_BATCH", 2)
    monkeypatch.setattr(ingest_module, "WRITE_SECONDS", 3600.0)
    with pytest.raises(KeyboardInterrupt):
        ingest([text_corpus / "seeds"], url, workers=1)
    assert counts(url)["documents"] == 2 and counts(url)["reports"] == 2
    with Store(url) as st, st.engine.connect() as c:  # no cells without their report
        orphans = c.execute(
            text("select count(*) from cells where report_id not in (select id from reports)")
        )
        assert orphans.scalar() == 0
    monkeypatch.setattr(store_db, "_execute_many", real)
    result = ingest([text_corpus / "seeds"], url, workers=1)
    assert result.counts["skipped"] == 2 and result.stored == 3
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    ingest([text_corpus / "seeds"], fresh, workers=1)
    assert dump(url) == dump(fresh)


def _many_copies(src_dir: Path, dst: Path, copies: int) -> int:
    dst.mkdir()
    n = 0
    for p in sorted(src_dir.glob("*.txt")):
        for i in range(copies):
            (dst / f"{p.stem}.copy{i}.txt").write_bytes(p.read_bytes() + f"\n<!-- copy {i} -->\n".encode())
            n += 1
    return n


def test_killed_ingest_resumes_without_duplicates(tmp_path, text_corpus):
    src = tmp_path / "many"
    # several write batches' worth, so that the kill lands after the first batch and before the last
    copies = 3 * WRITE_BATCH // len(list((text_corpus / "seeds").glob("*.txt"))) + 1
    total = _many_copies(text_corpus / "seeds", src, copies=copies)
    db = tmp_path / "kill.db"
    url = f"sqlite:///{db}"
    Store(url).close()  # schema in place, so the poll below can count
    cmd = [
        sys.executable,
        "-c",
        "from gongkai.cli import main; main()",
        "ingest",
        str(src),
        "--db",
        str(db),
        "--workers",
        "1",
        "--quiet",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stored = 0
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            stored = counts(url)["documents"]
            if stored > 0:
                break
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert 0 < stored < total, "the ingest ended before it could be killed"
    before = counts(url)
    assert before["reports"] == before["documents"]  # killed between documents or mid-transaction: no partial
    result = ingest([src], url, workers=1)
    after = counts(url)
    assert after["documents"] == after["reports"] == total
    assert result.counts["skipped"] == before["documents"]
    with Store(url) as st, st.engine.connect() as c:
        per = c.execute(text("select count(*) from cells group by report_id")).all()
        assert len(per) == total and min(n for (n,) in per) > 100
        dup = c.execute(
            text("select count(*) from (select sha256 from documents group by sha256 having count(*) > 1) d")
        ).scalar()
        assert dup == 0


def test_zip_archive_ingest(tmp_path, text_corpus):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in sorted(text_corpus.glob("real/*pingtan*.txt")):
            zf.writestr(p.name, p.read_bytes())
    (tmp_path / "pingtan.zip").write_bytes(buf.getvalue())
    url = f"sqlite:///{tmp_path / 'zip.db'}"
    result = ingest([tmp_path / "pingtan.zip"], url, workers=1)
    assert result.stored == 7
    with Store(url) as st:
        names = sorted(r.name for r in st.stored_reports())
    assert names[0] == "pingtan.zip/2019_pingtan_zhsyq.txt"


def test_missing_path_is_an_input_error(tmp_path):
    from gongkai.errors import InputError

    with pytest.raises(InputError):
        ingest([tmp_path / "nope"], f"sqlite:///{tmp_path / 'x.db'}", workers=1)


def test_migrations_match_the_schema(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with Store(f"sqlite:///{tmp_path / 'm.db'}") as st, st.engine.connect() as c:
        assert st.revision() is not None
        diff = compare_metadata(MigrationContext.configure(c), S.metadata)
    assert diff == []


def test_a_new_database_has_16_kib_pages_and_an_old_one_keeps_its_own(tmp_path):
    import sqlite3

    from gongkai.store.db import SQLITE_PAGE_SIZE

    old = tmp_path / "old.db"
    with sqlite3.connect(old) as con:
        con.execute("CREATE TABLE t (x)")
    for path in (tmp_path / "new.db", old):
        Store(f"sqlite:///{path}").close()
    sizes = [sqlite3.connect(p).execute("PRAGMA page_size").fetchone()[0] for p in (tmp_path / "new.db", old)]
    assert sizes == [SQLITE_PAGE_SIZE, 4096]


def test_cli_ingest(tmp_path, text_corpus):
    from gongkai.cli import app
    from tests.clirunner import CliRunner

    db = tmp_path / "cli.db"
    res = CliRunner().invoke(app, ["ingest", str(text_corpus / "seeds"), "--db", str(db), "-q", "-w", "1"])
    assert res.exit_code == 0, res.output
    assert "ok" in res.output and "failed 0" in res.output
    assert counts(f"sqlite:///{db}")["reports"] == 5
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.txt").write_bytes(b"")
    res = CliRunner().invoke(app, ["ingest", str(bad), "--db", str(db), "-q", "-w", "1"])
    assert res.exit_code == 2 and "错误/Error" in res.output


def crashing_reader(data: bytes, name: str) -> dict:
    """A reader whose interpreter dies on one document (as a crashing native PDF library would)."""
    if "crash" in name:
        os._exit(1)
    return process_bytes(data, name)


def test_a_worker_that_dies_fails_only_its_document(tmp_path, text_corpus):
    src = tmp_path / "in"
    src.mkdir()
    for p in sorted(text_corpus.glob("seeds/*.txt")):
        shutil.copy(p, src)
    (src / "crash.txt").write_bytes(b"whatever")
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    result = ingest([src], url, workers=2, reader=crashing_reader)
    assert result.counts["failed"] == 1 and result.counts["ok"] + result.counts["problems"] == 5
    [(name, reason)] = result.errors
    assert name == str(src / "crash.txt")
    assert reason.startswith("内部错误 (internal error: worker process died")


def test_the_writers_json_is_json_dumps():
    import json

    from gongkai.store.db import _json_dumps

    values = [None, '引号"与\u2028换行', 1.5, 3, float("inf"), [1, 2.0, None], {"b": {"a": [True, "中"]}}]
    assert [_json_dumps(v) for v in values] == [json.dumps(v, ensure_ascii=False) for v in values]


def test_a_cells_provenance_json_is_what_its_to_json_gives(text_corpus):
    """The writer's provenance column, put together from a cell's fields (``_provenances``, cells of one
    line sharing their JSON), is the JSON of what ``Cell.to_json`` gives beyond the columns, for every cell
    of the corpus's text reports (ambiguous, inferred, noted, several places)."""
    import gongkai
    from gongkai.store.db import _CELL_COLUMNS, _json_dumps, _provenances

    seen = 0
    for doc in sorted(text_corpus.rglob("*.txt")):
        cells = list(gongkai.parse(doc).cells.values())
        for cell, made in zip(cells, _provenances(cells), strict=True):
            wanted = {
                k: v for k, v in cell.to_json().items() if k not in _CELL_COLUMNS and v not in (None, "", [])
            }
            assert made == _json_dumps(wanted or None), (doc.name, cell.path)
            seen += 1
    assert seen > 1000


def waits_for_its_flag(data: bytes, name: str, given: dict | None = None) -> dict:
    """A reader that, on a document named *slow*, waits until a file named like it plus ``.go`` exists."""
    if "slow" in name:
        flag = Path(os.environ["GONGKAI_TEST_FLAGS"]) / (name + ".go")
        deadline = time.monotonic() + 60
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    return process_bytes(data, name, given)


def test_a_read_document_is_committed_while_a_slow_one_is_still_read(tmp_path, text_corpus, monkeypatch):
    import threading

    ingest_module = importlib.import_module("gongkai.store.ingest")
    monkeypatch.setattr(ingest_module, "WRITE_BATCH", 1000)
    monkeypatch.setattr(ingest_module, "WRITE_SECONDS", 0.2)
    monkeypatch.setenv("GONGKAI_TEST_FLAGS", str(tmp_path))
    src = tmp_path / "in"
    src.mkdir()
    seed = sorted((text_corpus / "seeds").glob("*.txt"))[0].read_bytes()
    (src / "a.txt").write_bytes(seed)
    (src / "b_slow.txt").write_bytes(seed + b"\n")
    url = f"sqlite:///{tmp_path / 'w.db'}"
    Store(url).close()
    done: dict = {}
    run = threading.Thread(
        target=lambda: done.update(result=ingest([src], url, workers=2, reader=waits_for_its_flag))
    )
    run.start()
    try:
        deadline = time.monotonic() + 60
        while counts(url)["documents"] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert counts(url)["documents"] == 1 and run.is_alive()  # written while the other is still read
    finally:
        (tmp_path / "b_slow.txt.go").touch()
        run.join(60)
    assert done["result"].stored == 2 and counts(url)["documents"] == 2
