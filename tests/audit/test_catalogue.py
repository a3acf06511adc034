"""The registry: stable unique codes, documented rules, and ``docs/rules.md`` generated from it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gongkai.audit import all_rules
from gongkai.audit.docs import render
from gongkai.audit.finding import Finding
from gongkai.audit.registry import RegistryError, Rule, register

DOCS = Path(__file__).parents[2] / "docs" / "rules.md"


def test_every_rule_documented():
    rules = all_rules()
    assert len(rules) >= 25
    for r in rules:
        assert r.summary, f"{r.code} lacks a one-line summary"
        assert len(r.summary) <= 110, f"{r.code} summary is not one line"
        assert r.example("Anti-pattern"), f"{r.code} lacks an Anti-pattern example"
        assert r.example("Best practice"), f"{r.code} lacks a Best practice example"


def test_docs_are_fresh():
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/rules.md is stale: run `python -m gongkai.audit.docs > docs/rules.md`"
    )


def test_duplicate_code_refused():
    existing = all_rules()[0]
    with pytest.raises(RegistryError, match="duplicate"):
        register(Rule(existing.code, "again", "error", "report", existing.func))


def test_bad_code_and_severity_refused():
    with pytest.raises(RegistryError):
        register(Rule("X1", "bad", "error", "report", lambda r: []))
    with pytest.raises(RegistryError):
        register(Rule("Z999", "bad", "fatal", "report", lambda r: []))


def test_finding_json():
    f = Finding(
        "表三「（七）总计」行「自然人」列为 5",
        where=["table3.total.natural_person"],
        evidence={"a": 1},
        span=(3, 9),
        code="T302",
        severity="error",
        name="table3-results-total",
    )
    assert f.to_json() == {
        "code": "T302",
        "name": "table3-results-total",
        "severity": "error",
        "message": "表三「（七）总计」行「自然人」列为 5",
        "where": ["table3.total.natural_person"],
        "span": [3, 9],
        "evidence": {"a": 1},
    }


def test_run_copies_every_field_of_a_finding():
    """Rule.run builds its copies field by field: every field of Finding is carried (or set) by it."""
    made = Finding("消息", where=["s1"], evidence={"quote": "某"}, span=(1, 4), severity="info")
    rule = Rule("Z998", "probe", "warning", "report", lambda report: [made])
    (got,) = rule.run(None)
    assert got == dataclasses.replace(made, code="Z998", name="probe", severity="info")
    assert got is not made and made.code == ""
    assert [f.name for f in dataclasses.fields(Finding)] == [
        "message",
        "where",
        "evidence",
        "span",
        "code",
        "severity",
        "name",
    ]
