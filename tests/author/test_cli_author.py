"""The authoring commands: `template` (填报 workbook, ledger template) and `ledger`."""

from __future__ import annotations

import json

from gongkai.cli import app
from tests.clirunner import CliRunner

runner = CliRunner()


def test_template_prefilled_from_a_report_reads_back(tmp_path, corpus):
    out = tmp_path / "填报.xlsx"
    source = corpus / "seeds" / "000_f01d4dbb51cf7cd1.txt"
    result = runner.invoke(app, ["template", "--to", str(out), "--from", str(source)])
    assert result.exit_code == 0, result.output
    again = json.loads(runner.invoke(app, ["parse", str(out), "-f", "json"]).stdout)
    first = json.loads(runner.invoke(app, ["parse", str(source), "-f", "json"]).stdout)
    assert again["table2"] == first["table2"] and again["table4"] == first["table4"]
    assert again["meta"]["agency"] == first["meta"]["agency"]


def test_ledger_into_a_draft_and_bad_rows(tmp_path):
    ledger = tmp_path / "台账.csv"
    assert runner.invoke(app, ["template", "--ledger", "--to", str(ledger)]).exit_code == 0
    with ledger.open("a", encoding="utf-8") as f:
        f.write("1,2025-03-01,自然人,张三,某文件,予以公开,2025-03-10,\n")
        f.write("2,2025-12-20,商业企业,某公司,某数据,,,\n")
        f.write("3,2025-04-01,自然人,李四,某信息,随便,2025-04-09,\n")
    draft = tmp_path / "draft.json"
    result = runner.invoke(app, ["ledger", str(ledger), "--year", "2025", "--into", str(draft)])
    assert result.exit_code == 1
    assert "第 4 行「办理结果」" in result.output
    table3 = json.loads(draft.read_text(encoding="utf-8"))["table3"]
    assert table3["new"]["total"] == 2 and table3["granted"]["natural_person"] == 1
    assert table3["carried_forward"]["commercial_enterprise"] == 1


def test_new_from_last_year_with_a_ledger(tmp_path, corpus):
    last = corpus / "seeds" / "000_f01d4dbb51cf7cd1.txt"
    ledger = tmp_path / "台账.csv"
    ledger.write_text(
        "收到日期,申请人类型,办理结果,答复日期\n2025-02-01,自然人,予以公开,2025-02-10\n", encoding="utf-8"
    )
    out = tmp_path / "draft.json"
    args = ["new", "--agency", "新乡高新技术产业开发区管理委员会", "--year", "2025", "--from", str(last)]
    result = runner.invoke(app, [*args, "--ledger", str(ledger), "--to", str(out)])
    assert result.exit_code == 0, result.output
    assert "待完善 s5" in result.output
    draft = json.loads(runner.invoke(app, ["parse", str(out), "-f", "json"]).stdout)
    first = json.loads(runner.invoke(app, ["parse", str(last), "-f", "json"]).stdout)
    assert draft["table3"]["granted"]["natural_person"] == 1
    # the ledger decides table 三 (its own carried-over rows: none); table 二 still starts from last year
    assert draft["table3"]["new"]["total"] == 1 and draft["table3"]["carried_over"]["total"] == 0
    assert draft["table2"]["rules"]["in_force"] == first["table2"]["rules"]["in_force"]
    assert "共收到政府信息公开申请1件" in draft["sections"]["s3"]["text"]


def test_new_takes_the_agency_from_the_stored_roster(tmp_path):
    import pytest

    pytest.importorskip("sqlalchemy")
    roster = tmp_path / "名录.csv"
    roster.write_text(
        "名称,地区,层级,类型,网址,截止日期\n某某县交通运输局,某某县,县级,部门,,2026-01-31\n"
        "某某县人民政府,某某县,县级,本级人民政府,,2026-03-31\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "g.db")
    assert runner.invoke(app, ["roster", "import", str(roster), "--db", db]).exit_code == 0
    out = tmp_path / "draft.json"
    result = runner.invoke(
        app, ["new", "--roster-entry", "某某县人民政府", "--db", db, "--year", "2025", "--to", str(out)]
    )
    assert result.exit_code == 0, result.output
    meta = json.loads(out.read_text(encoding="utf-8"))["meta"]
    assert meta["agency"] == "某某县人民政府" and meta["title"].startswith("某某县人民政府2025年")
    assert meta["kind"] == "government" and meta["region"] == "某某县"
    assert meta["deadlines"] == {"government": "03-31"}
    # JSON fields still work; a name not on the roster, or no --db, is one clear line
    result = runner.invoke(
        app,
        [
            "new",
            "--agency",
            "某局",
            "--roster-entry",
            '{"kind": "department"}',
            "--year",
            "2025",
            "--to",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["meta"]["kind"] == "department"
    for args in (["--roster-entry", "某某县财政局", "--db", db], ["--roster-entry", "某某县人民政府"], []):
        result = runner.invoke(app, ["new", *args, "--year", "2025", "--to", str(out)])
        assert result.exit_code == 2 and "错误/Error:" in result.output and "Traceback" not in result.output
