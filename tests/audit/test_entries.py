"""``check PATH`` and ``check --db`` give one JSON shape; ``--select``/``--ignore`` choose rules."""

from __future__ import annotations

import json

import pytest

from gongkai import Finding
from gongkai.audit.entries import ENTRY_KEYS, rule_codes
from gongkai.cli import app
from gongkai.errors import InputError
from tests.clirunner import CliRunner
from tests.conftest import CORPUS

SEED = CORPUS / "seeds" / "004_e99c3fa4f96ef56b.txt"
runner = CliRunner()


def test_rule_codes_by_prefix():
    assert rule_codes() is None
    t3 = rule_codes(["T3"])
    assert t3 and all(c.startswith("T3") for c in t3)
    assert rule_codes(["T3,X101"]) == t3 | {"X101"}
    assert "T301" not in rule_codes(ignore=["T301"])
    with pytest.raises(InputError):
        rule_codes(["Z999"])


def test_finding_round_trips_through_json():
    f = Finding("合计不等于各项之和", ["table3.total.total"], {"a": 1}, (3, 9), "T301", "error", "sum")
    assert Finding.from_json({**f.to_json(), "scope": "report"}) == f


def test_check_path_and_db_print_the_same_shape(corpus, tmp_path):
    db = tmp_path / "g.db"
    assert runner.invoke(app, ["ingest", str(SEED), "--db", str(db), "-q", "-w", "1"]).exit_code == 0
    by_path = json.loads(runner.invoke(app, ["check", str(SEED), "-f", "json"]).stdout)
    by_db = json.loads(runner.invoke(app, ["check", "--db", str(db), "-f", "json"]).stdout)
    assert set(by_path) == set(by_db) == {"reports", "errors"}
    a, b = by_path["reports"][0], by_db["reports"][0]
    assert tuple(a) == tuple(b) == ENTRY_KEYS
    assert a["sha256"] == b["sha256"] and a["year"] == b["year"]
    assert sorted(f["code"] for f in a["findings"]) == sorted(f["code"] for f in b["findings"])
    assert all(f["scope"] == "report" for f in a["findings"])


def test_select_and_ignore(corpus):
    every = json.loads(runner.invoke(app, ["check", str(SEED), "-f", "json"]).stdout)["reports"][0]
    codes = {f["code"] for f in every["findings"]}
    assert codes, "the seed has findings"
    one = sorted(codes)[0]
    r = runner.invoke(app, ["check", str(SEED), "-f", "json", "--select", one])
    assert {f["code"] for f in json.loads(r.stdout)["reports"][0]["findings"]} == {one}
    r = runner.invoke(app, ["check", str(SEED), "-f", "json", "--ignore", one])
    assert {f["code"] for f in json.loads(r.stdout)["reports"][0]["findings"]} == codes - {one}
    r = runner.invoke(app, ["check", str(SEED), "--select", "Z9"])
    assert r.exit_code == 2 and "错误/Error: --select/--ignore: Z9" in r.stderr
