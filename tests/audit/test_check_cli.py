"""`gongkai check` and `gongkai rules`: exit codes, JSON shape, text output, directories, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import gongkai
from gongkai.cli import app
from tests.clirunner import CliRunner

CORPUS = Path(__file__).parents[2].parent / "shared" / "corpus"
SEED_000 = CORPUS / "seeds" / "000_f01d4dbb51cf7cd1.txt"
SEED_004 = CORPUS / "seeds" / "004_e99c3fa4f96ef56b.txt"
runner = CliRunner()

pytestmark = pytest.mark.skipif(not SEED_000.exists(), reason="shared corpus not available")


def test_clean_report_exits_0():
    r = runner.invoke(app, ["check", str(SEED_000), "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["errors"] == []
    assert out["reports"][0]["source"].endswith(SEED_000.name)
    assert out["reports"][0]["meta"]["year"] == 2024
    assert all(f["severity"] != "error" for f in out["reports"][0]["findings"])


def test_errors_exit_1_and_quote_the_numbers():
    r = runner.invoke(app, ["check", str(SEED_004), "--format", "json"])
    assert r.exit_code == 1
    findings = json.loads(r.stdout)["reports"][0]["findings"]
    x = [f for f in findings if f["code"] == "X101"]
    assert any("s1" in f["where"] and "21" in f["message"] for f in x)


def test_fail_on_warning(tmp_path):
    r = runner.invoke(app, ["check", str(SEED_000), "--fail-on", "warning", "--format", "json"])
    findings = json.loads(r.stdout)["reports"][0]["findings"]
    assert r.exit_code == (1 if any(f["severity"] in ("warning", "error") for f in findings) else 0)


def test_text_output_groups_errors_first():
    r = runner.invoke(app, ["check", str(SEED_004)])
    assert r.exit_code == 1
    assert "X101" in r.stdout and "错误" in r.stdout
    assert (
        r.stdout.index("错误 error") < r.stdout.index("警告 warning") if "警告 warning" in r.stdout else True
    )


def test_directory_walk_skips_truth_and_reports_bad_files(tmp_path):
    (tmp_path / "a.txt").write_text(SEED_000.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "a.expected.json").write_text("{}", encoding="utf-8")
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "notes.csv").write_text("x", encoding="utf-8")
    r = runner.invoke(app, ["check", str(tmp_path), "--format", "json"])
    assert r.exit_code == 2
    out = json.loads(r.stdout)
    assert [Path(x["source"]).name for x in out["reports"]] == ["a.txt"]
    assert [Path(x["source"]).name for x in out["errors"]] == ["empty.pdf"]
    assert "错误/Error: " in r.stderr and "empty.pdf" in r.stderr


def test_missing_path_exits_2():
    r = runner.invoke(app, ["check", "/nonexistent/report.txt"])
    assert r.exit_code == 2
    assert "错误/Error: /nonexistent/report.txt" in r.stderr


def test_rules_command_lists_the_catalogue():
    r = runner.invoke(app, ["rules"])
    assert r.exit_code == 0
    assert "T301" in r.stdout and "X101" in r.stdout and "C101" in r.stdout
    data = json.loads(runner.invoke(app, ["rules", "--format", "json"]).stdout)
    assert len({d["code"] for d in data}) == len(data)


def test_library_check():
    findings = gongkai.check(SEED_004)
    assert any(f.code == "X101" for f in findings)
    per_report = gongkai.check([SEED_000, SEED_004])
    assert len(per_report) == 2


def _timeliness(args: list[str], target: Path = SEED_004) -> list[dict]:
    r = runner.invoke(app, ["check", str(target), "--format", "json", *args])
    assert r.exit_code in (0, 1), r.output
    return [f for f in json.loads(r.stdout)["reports"][0]["findings"] if f["code"] == "M103"]


def test_published_date_given_on_the_command_line():
    late = _timeliness(["--published", "2025-02-18"])
    assert len(late) == 1 and late[0]["severity"] == "error"
    assert "2025年2月18日" in late[0]["message"] and "调用方指定" in late[0]["message"]
    assert late[0]["evidence"]["published_source"] == "given"
    assert _timeliness(["--published", "2025-01-20"]) == []
    unknown = _timeliness([])
    assert len(unknown) == 1 and unknown[0]["severity"] == "info"


def test_deadline_by_kind_is_configurable():
    assert _timeliness(["--published", "2025-02-18", "--deadline", "department=03-31"]) == []
    earlier = _timeliness(["--published", "2025-01-20", "--deadline", "department=01-15"])
    assert len(earlier) == 1 and earlier[0]["evidence"]["deadline"] == "2025-01-15"
    # another kind's deadline leaves this department's alone
    assert len(_timeliness(["--published", "2025-02-18", "--deadline", "government=06-30"])) == 1


def test_bad_timeliness_options_are_one_line_errors(tmp_path):
    for args in (
        ["--published", "2025-13-01"],
        ["--published", "yesterday"],
        ["--deadline", "ministry=01-31"],
        ["--deadline", "department=Jan"],
        ["--deadline", "department=02-30"],
        ["--published", "2025-01-20", "--db", str(tmp_path / "x.db")],
    ):
        r = runner.invoke(app, ["check", str(SEED_004), *args])
        assert r.exit_code == 2, args
        assert "错误/Error:" in r.output and "Traceback" not in r.output


def test_published_date_is_for_one_file_only():
    r = runner.invoke(app, ["check", str(SEED_000), str(SEED_004), "--published", "2025-01-20"])
    assert r.exit_code == 2
    assert "错误/Error: --published:" in r.output


def test_deadline_applies_to_the_stored_reports(tmp_path):
    pytest.importorskip("sqlalchemy")
    db = str(tmp_path / "g.db")
    assert runner.invoke(app, ["ingest", str(SEED_004), "--db", db]).exit_code == 0
    from gongkai.store import Store

    with Store(db) as store:
        (doc,) = [r.id for r in store.stored_reports()]
        from gongkai.store.publication import Publication

        store.set_publication(doc, Publication(published="2025-02-18"))

    def stored(args: list[str]) -> list[dict]:
        r = runner.invoke(app, ["check", "--db", db, "--format", "json", *args])
        assert r.exit_code in (0, 1), r.output
        return [f for f in json.loads(r.stdout)["reports"][0]["findings"] if f["code"] == "M103"]

    late = stored([])
    assert len(late) == 1 and late[0]["evidence"]["published_source"] == "given"
    assert stored(["--deadline", "department=03-31"]) == []
