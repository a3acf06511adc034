"""Every rule has a Chinese title for the catalogue; ``gongkai rules`` speaks Chinese."""

from __future__ import annotations

from gongkai.audit import all_rules
from gongkai.audit.titles import TITLES
from gongkai.cli import app
from tests.clirunner import CliRunner


def test_every_rule_has_a_chinese_title():
    codes = {r.code for r in all_rules()}
    assert codes <= set(TITLES), f"add a title to gongkai/audit/titles.py for {sorted(codes - set(TITLES))}"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in TITLES.values())


def test_rules_catalogue_in_chinese():
    out = CliRunner().invoke(app, ["rules"]).stdout
    assert "T301  错误  表三" in out
