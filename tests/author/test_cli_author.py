"""The authoring commands: `template` (填报 workbook, ledger template) and `ledger`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from gongkai.cli import app

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
