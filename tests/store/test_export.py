from __future__ import annotations

import csv
import sys

import pytest

import gongkai
from gongkai.store import export
from gongkai.store.export import cell_label, wide_paths
from tests.conftest import expected_cells
from tests.store.conftest import text_docs


def _parse_csv_value(s: str):
    if s == "":
        return None
    f = float(s)
    return int(f) if f.is_integer() and "." not in s else f


@pytest.fixture(scope="module")
def wide_csv(corpus_db, tmp_path_factory):
    to = tmp_path_factory.mktemp("export") / "wide.csv"
    n = export(corpus_db, to)
    with to.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert n == len(rows)
    return rows


def test_wide_columns(wide_csv):
    cols = list(wide_csv[0])
    assert cols[:6] == ["source", "sha256", "agency", "agency_id", "year", "layout"]
    assert "region" in cols and "table3.new.total" in cols and "table3.other.total" in cols
    assert cols[-len(wide_paths()) :] == list(wide_paths())


def test_wide_csv_round_trip(wide_csv):
    """Each document's row holds exactly what the reader extracted; where the reader reads the document
    exactly (its tables equal the hand-checked truth), that is exactly the truth."""
    by_name = {r["source"]: r for r in wide_csv}
    exact = 0
    for doc in text_docs():
        row = by_name[doc.name]
        report = gongkai.parse(doc)
        got = {p: _parse_csv_value(row[p]) for p in wide_paths() if row[p] != "" or p in report.cells}
        assert got == {p: c.value for p, c in report.cells.items()}, doc.name
        want = expected_cells(doc)
        if {p: c.value for p, c in report.cells.items()} == want:
            assert {p: v for p, v in got.items()} == want, doc.name
            exact += 1
        # blank = empty: paths the document does not have are empty cells
        assert all(row[p] == "" for p in wide_paths() if p not in report.cells)
    assert exact >= 5, "the seeds are read exactly"


def test_wide_meta_columns(wide_csv):
    pingtan = [r for r in wide_csv if "pingtan" in r["source"]]
    assert {r["agency_id"] for r in pingtan} == {"350128:平潭综合实验区"}
    assert {r["region"] for r in pingtan} == {"福建省/福州市/平潭县"}
    assert sorted(int(r["year"]) for r in pingtan) == list(range(2019, 2026))
    assert all(len(r["sha256"]) == 64 for r in wide_csv)


def test_filters_and_long(corpus_db, tmp_path):
    n = export(corpus_db, tmp_path / "p.csv", agencies=["平潭"], years=[2023, 2024])
    assert n == 2
    n = export(corpus_db, tmp_path / "long.csv", long=True, agencies=["350128:平潭综合实验区"], years=[2024])
    with (tmp_path / "long.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert n == len(rows) == 200
    new = next(r for r in rows if r["path"] == "table3.new.total")
    assert (new["table"], new["row"], new["column"]) == ("table3", "new", "total")
    assert new["status"] and new["value"] != ""


def test_xlsx_has_chinese_headers(corpus_db, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    export(corpus_db, tmp_path / "w.xlsx", years=[2024])
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx", read_only=True)
    head = [c.value for c in next(wb["报告"].iter_rows(max_row=1))]
    assert head[:5] == ["文件名", "SHA-256", "机关", "机关标识", "年度"]
    assert cell_label("table3.new.total") in head
    assert cell_label("table3.new.total") == "表三｜一、本年新收政府信息公开申请数量｜总计"
    assert cell_label("table4.review.corrected") == "表四｜行政复议｜结果纠正"
    fields = {r[0]: r[1] for r in wb["字段 fields"].iter_rows(min_row=2, values_only=True)}
    assert fields["table2.rules.issued"] == "表二｜规章｜本年制发件数"


def test_parquet(corpus_db, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    export(corpus_db, tmp_path / "w.parquet")
    t = pq.read_table(tmp_path / "w.parquet")
    assert str(t.schema.field("table3.new.total").type) == "int64"
    assert str(t.schema.field("table2.fees.amount").type) == "double"
    rows = t.to_pylist()
    p2019 = next(r for r in rows if r["source"] == "2019_pingtan_zhsyq.txt")
    want = expected_cells(next(d for d in text_docs() if d.name == "2019_pingtan_zhsyq.txt"))
    assert p2019["table3.new.total"] == want["table3.new.total"]


def test_bad_format(corpus_db, tmp_path):
    from gongkai.errors import InputError

    with pytest.raises(InputError):
        export(corpus_db, tmp_path / "x.json")


def test_cli_export(corpus_db, tmp_path):
    from gongkai.cli import app
    from tests.clirunner import CliRunner

    db = corpus_db.removeprefix("sqlite:///")
    res = CliRunner().invoke(app, ["export", "--db", db, "--to", str(tmp_path / "o.csv"), "--year", "2022"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "o.csv").read_text(encoding="utf-8-sig").count("\n") == 2
    res = CliRunner().invoke(app, ["export", "--db", db, "--to", str(tmp_path / "o.txt")])
    assert res.exit_code == 2 and "错误/Error" in res.output


def test_spreadsheet_writers_never_write_a_formula():
    import io

    from openpyxl import load_workbook

    from gongkai.store.export import csv_bytes, spreadsheet_safe, xlsx_bytes

    rows = [{"机关": '=HYPERLINK("x")', "数值": -3, "原文": "@SUM(A1)"}]
    assert spreadsheet_safe("+1") == "'+1" and spreadsheet_safe(-3) == -3
    text = csv_bytes(rows).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM" in text and ",-3," in text
    ws = load_workbook(io.BytesIO(xlsx_bytes(rows, "报告"))).active
    assert [c.value for c in ws[2]] == ['\'=HYPERLINK("x")', -3, "'@SUM(A1)"]


def test_corpus_as_a_dataframe(corpus_db):
    pytest.importorskip("pandas")
    from gongkai.store import to_pandas

    wide = to_pandas(corpus_db)
    assert {"source", "sha256", "table3.new.total"} <= set(wide.columns) and len(wide) > 0
    long = to_pandas(corpus_db, long=True)
    assert {"path", "value", "status"} <= set(long.columns) and len(long) > len(wide)


def test_an_xlsx_export_that_does_not_fit_one_sheet_is_refused_in_one_line(corpus_db, tmp_path, monkeypatch):
    """More rows than an Excel sheet holds: nothing written, one Chinese line that says what to do
    (the sheet limit lowered to what the small corpus reaches: 200 cells in one report)."""
    pytest.importorskip("openpyxl")
    from gongkai.cli import app
    from tests.clirunner import CliRunner

    export_module = sys.modules["gongkai.store.export"]  # the package's name `export` is the function

    one = ["--agency", "350128:平潭综合实验区", "--year", "2024"]
    db = corpus_db.removeprefix("sqlite:///")
    monkeypatch.setattr(export_module, "SHEET_ROWS", 201)  # the header and 200 cells: fits
    r = CliRunner().invoke(app, ["export", "--long", "--to", str(tmp_path / "fits.xlsx"), "--db", db, *one])
    assert r.exit_code == 0 and (tmp_path / "fits.xlsx").exists()
    monkeypatch.setattr(export_module, "SHEET_ROWS", 200)
    r = CliRunner().invoke(app, ["export", "--long", "--to", str(tmp_path / "l.xlsx"), "--db", db, *one])
    assert r.exit_code == 2 and not (tmp_path / "l.xlsx").exists()
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误/Error: ") and "长表超过 199 行" in lines[0]
    assert ".csv" in lines[0] and ".parquet" in lines[0]
    assert export(corpus_db, tmp_path / "l.csv", long=True, agencies=one[1:2], years=[2024]) == 200


def test_an_export_ended_by_sigterm_leaves_no_temporary_file(corpus_db, tmp_path, monkeypatch):
    """`kill` during an export: exit 143 like Ctrl-C, no half-written file beside the target."""
    import os
    import signal

    from gongkai.cli import app
    from tests.clirunner import CliRunner

    export_module = sys.modules["gongkai.store.export"]
    text = export_module._text

    def killed_while_writing(v):
        os.kill(os.getpid(), signal.SIGTERM)
        return text(v)

    def no_handler_installed(signum, frame):
        raise RuntimeError("export left SIGTERM to whoever handled it before")

    monkeypatch.setattr(export_module, "_text", killed_while_writing)
    before = signal.signal(signal.SIGTERM, no_handler_installed)
    try:
        db = corpus_db.removeprefix("sqlite:///")
        res = CliRunner().invoke(app, ["export", "--db", db, "--to", str(tmp_path / "o.csv")])
    finally:
        signal.signal(signal.SIGTERM, before)
    assert res.exit_code == 143
    assert list(tmp_path.iterdir()) == []
