"""Roster files: CSV and XLSX read, bad ones refused whole with the row and column; a blank template is no
agency."""

from __future__ import annotations

import shutil

import pytest

from gongkai.cli import app
from gongkai.review import import_roster, read_roster, roster, roster_coverage, versions
from tests.clirunner import CliRunner
from tests.conftest import CORPUS

runner = CliRunner()
HEADER = "名称,地区,层级,类型,网址,截止日期\n"


def _csv(tmp_path, body: str, name: str = "r.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode(encoding))
    return path


@pytest.mark.parametrize(
    ("body", "encoding", "where"),
    [
        ("甲局,某县,县级,部门,,2025-01-31\n乙局,某县,县级,单位,,\n", "utf-8", "第3行「类型」列"),
        ("甲局,某县,县级,部门,,\n乙局,某县,县级,部门,,\n甲局,某县,县级,部门,,\n", "utf-8", "第4行「名称」列"),
        ("甲局,某县,县级,部门,,2025-13-40\n", "utf-8", "第2行「截止日期」列"),
        ("甲局,,县级,部门,,\n", "utf-8", "第2行「地区」列"),
        ("甲局,某县,县级,部门,,\n乙局,某县,县级,部门,,\n", "gbk", "第1行"),
    ],
)
def test_a_bad_roster_is_refused_whole_with_row_and_column(tmp_path, body, encoding, where):
    db = str(tmp_path / "r.db")
    good = _csv(tmp_path, "丙局,某县,县级,部门,,\n", "good.csv")
    assert runner.invoke(app, ["roster", "import", str(good), "--db", db]).exit_code == 0
    bad = _csv(tmp_path, body, encoding=encoding)
    result = runner.invoke(app, ["roster", "import", str(bad), "--db", db])
    assert result.exit_code == 2
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"错误/Error: {bad}: ") and where in lines[0], lines
    assert "Traceback" not in result.output
    assert [e.name for e in roster(db)] == ["丙局"]  # nothing half-imported


def test_a_missing_column_is_named(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("名称,地区,类型\n甲局,某县,部门\n", encoding="utf-8")
    with pytest.raises(Exception, match="第1行：缺少「层级」列"):
        read_roster(path)


def test_xlsx_roster_with_english_headers_and_dates(tmp_path):
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["name", "region", "level", "kind", "url", "due"])
    sheet.append(
        ["平潭综合实验区", "福建省", "市级", "本级人民政府", "https://example.org", dt.datetime(2025, 1, 31)]
    )
    sheet.append(["城关镇人民政府", "某县", "乡镇", "township", None, "2025年1月20日"])
    path = tmp_path / "r.xlsx"
    book.save(path)
    entries = read_roster(path)
    assert [(e.name, e.kind, e.due) for e in entries] == [
        ("平潭综合实验区", "government", "2025-01-31"),
        ("城关镇人民政府", "township", "2025-01-20"),
    ]
    assert entries[1].kind_label == "乡镇街道"


def test_blank_official_template_is_no_agency(tmp_path):
    from gongkai.store import ingest

    template = CORPUS / "templates" / "official_blank_2021.docx"
    if not template.exists():
        pytest.skip("shared corpus not available")
    shutil.copy(template, tmp_path / template.name)
    db = f"sqlite:///{tmp_path / 't.db'}"
    ingest([tmp_path / template.name], db, workers=1)
    (v,) = versions(db)
    assert v.blank and not v.current
    from gongkai.review.versions import current_ids

    assert current_ids(db) == set()
    path = _csv(tmp_path, "甲局,某县,县级,部门,,\n")
    import_roster(db, path)
    assert [(r.name, r.status) for r in roster_coverage(db, 2024)] == [("甲局", "unpublished")]
