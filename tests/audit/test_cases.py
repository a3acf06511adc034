"""Every rule's named pass/fail cases (``tests/audit/cases/<CODE>.py``), run through one parametrised test."""

from __future__ import annotations

import importlib

import pytest

from gongkai.audit import all_rules, check_reports
from gongkai.audit.registry import CORPUS, PAIR
from tests.audit.build import build

RULES = {r.code: r for r in all_rules()}


def _cases():
    out = []
    for code in RULES:
        mod = importlib.import_module(f"tests.audit.cases.{code}")
        for case in mod.CASES:
            out.append(pytest.param(code, case, id=f"{code}-{case['expect']}-{case['name']}"))
    return out


def test_every_rule_has_pass_and_fail_cases():
    for code in RULES:
        mod = importlib.import_module(f"tests.audit.cases.{code}")
        kinds = {c["expect"] for c in mod.CASES}
        assert kinds == {"pass", "fail"}, f"{code} needs at least one pass and one fail case"


def _related(a: str, b: str) -> bool:
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


@pytest.mark.parametrize(("code", "case"), _cases())
def test_case(code, case):
    rule = RULES[code]
    report = build(case["report"])
    if rule.scope == PAIR:
        previous = build(case.get("previous", {"meta": {"year": report.year - 1}}))
        previous.meta.setdefault("agency", report.meta["agency"])
        if "agency" not in case.get("previous", {}).get("meta", {}):
            previous.meta["agency"] = report.meta["agency"]
        findings = check_reports([previous, report], select=[code])[1]
    elif rule.scope == CORPUS:
        others = [build(o) for o in case.get("others", [])]
        findings = check_reports([report, *others], select=[code])[0]
    else:
        findings = check_reports([report], select=[code])[0]
    mine = [f for f in findings if f.code == code]
    if case["expect"] == "pass":
        assert not mine, [f.message for f in mine]
        return
    assert mine, f"{code} should fire on {case['name']}"
    if "where" in case:
        assert any(any(_related(w, case["where"]) for w in f.where) for f in mine), [f.where for f in mine]
    if "severity" in case:
        assert any(f.severity == case["severity"] for f in mine), [f.severity for f in mine]
    for f in mine:
        assert f.message and f.where and f.severity in ("error", "warning", "info")
