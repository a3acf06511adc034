from __future__ import annotations

import json
import subprocess
import sys

from gongkai.cli import app
from tests.clirunner import CliRunner

runner = CliRunner()


def test_parse_json_follows_the_spec(corpus):
    result = runner.invoke(
        app, ["parse", str(corpus / "seeds" / "004_e99c3fa4f96ef56b.txt"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"meta", "table2", "table3", "table4", "sections", "uncertain"}
    assert data["meta"]["year"] == 2024 and data["meta"]["template"] == "2021"
    assert data["table3"]["new"]["total"] == 16
    assert data["table4"]["review"]["total"] == 5
    assert data["uncertain"] == {}
    assert data["cells"]["table3.new.total"]["where"] == [{"line": 95}]


def test_parse_several_files_gives_json_lines(corpus):
    files = [str(corpus / "seeds" / n) for n in ("000_f01d4dbb51cf7cd1.txt", "001_ba48e4a8cef8e57d.txt")]
    result = runner.invoke(app, ["parse", *files, "--format", "json"])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert [json.loads(line)["meta"]["year"] for line in lines] == [2024, 2024]


def test_parse_table_view(corpus):
    result = runner.invoke(app, ["parse", str(corpus / "real" / "2021_pingtan_zhsyq.txt")])
    assert result.exit_code == 0
    assert "收到和处理政府信息公开申请情况" in result.stdout
    assert "不确定" in result.stdout  # the glued table-二 row is flagged


def test_bad_files_are_one_line_errors_and_the_batch_goes_on(tmp_path, corpus):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 10)
    good = corpus / "seeds" / "000_f01d4dbb51cf7cd1.txt"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "gongkai.cli",
            "parse",
            str(empty),
            str(binary),
            str(tmp_path / "nope.txt"),
            str(good),
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 3 and all(line.startswith("错误/Error: ") for line in errors)
    assert "Traceback" not in proc.stderr
    assert json.loads(proc.stdout)["meta"]["year"] == 2024


def test_render_official_layout_round_trips(tmp_path, corpus):
    source = corpus / "seeds" / "004_e99c3fa4f96ef56b.txt"
    out = tmp_path / "report.docx"
    refused = runner.invoke(app, ["render", str(source), "--to", str(out)])
    assert refused.exit_code == 1 and "X101" in refused.output and not out.exists()
    result = runner.invoke(app, ["render", str(source), "--to", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert "强制发布" in result.output
    again = json.loads(runner.invoke(app, ["parse", str(out), "-f", "json"]).stdout)
    first = json.loads(runner.invoke(app, ["parse", str(source), "-f", "json"]).stdout)
    assert {t: again[t] for t in ("table2", "table3", "table4")} == {
        t: first[t] for t in ("table2", "table3", "table4")
    }
    assert again["uncertain"] == {}


def test_render_refuses_unknown_formats(tmp_path, corpus):
    result = runner.invoke(
        app, ["render", str(corpus / "seeds" / "000_f01d4dbb51cf7cd1.txt"), "--to", "x.odt"]
    )
    assert result.exit_code == 2
    assert "unsupported output format" in result.output


def test_parse_debug_shows_what_was_matched_where(corpus):
    path = str(corpus / "seeds" / "004_e99c3fa4f96ef56b.txt")
    data = json.loads(runner.invoke(app, ["parse", path, "-f", "json", "--debug"]).stdout)
    rows = {(e["table"], e["row"]): e for e in data["trace"] if "row" in e}
    new = rows[("table3", "new")]
    assert (
        new["line"] == 95
        and new["mode"] == "tokens"
        and new["tokens"] == ["16", "0", "0", "0", "0", "0", "16"]
    )
    assert any(e.get("section") == "s5" for e in data["trace"])
    assert "trace" not in json.loads(runner.invoke(app, ["parse", path, "-f", "json"]).stdout)
    assert "匹配记录" in runner.invoke(app, ["parse", path, "--debug"]).stdout


def test_help_joins_wrapped_chinese_lines_without_a_space():
    from gongkai.cli import _unwrap

    doc = """读取报告，填入
    全国统一模板。Read reports into
    the national template.

    第二段。"""
    assert _unwrap(doc) == "读取报告，填入全国统一模板。Read reports into the national template.\n\n第二段。"
