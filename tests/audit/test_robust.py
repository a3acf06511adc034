"""A rule that fails on one report leaves an internal-error finding for it and the run goes on; the
cross-year stock rule on blank and digit-less 表二 rows (which used to crash) now answers."""

from __future__ import annotations

from gongkai.audit import INTERNAL_ERROR, _run, check_reports
from gongkai.audit.registry import REPORT, Rule
from gongkai.extract.tables import row_readings
from tests.audit.build import build

COLUMNS = ("issued", "repealed", "in_force")


def test_failing_rule_becomes_internal_error_finding():
    def broken(report):
        yield from ()
        raise ZeroDivisionError("boom")

    def fine(report):
        from gongkai.audit.finding import Finding

        yield Finding("ok")

    report = build({})
    findings = _run(
        [Rule("Z998", "broken", "error", REPORT, broken), Rule("Z999", "fine", "info", REPORT, fine)], report
    )
    assert [f.code for f in findings] == [INTERNAL_ERROR, "Z999"]
    assert "Z998" in findings[0].message and "ZeroDivisionError" in findings[0].message
    assert findings[0].severity == "warning"


def test_stock_rule_with_blank_previous_row_and_open_current_row():
    previous = build({"meta": {"year": 2023}, "table2": {"rules": dict.fromkeys(COLUMNS)}})
    current = build(
        {
            "meta": {"year": 2024},
            "status": {f"table2.rules.{c}": {"status": "ambiguous", "raw": "1 2 3"} for c in COLUMNS},
        }
    )
    results = check_reports([current, previous])
    assert all(f.code != INTERNAL_ERROR for fs in results for f in fs)


def test_open_row_without_digits_has_no_reading():
    report = build({"status": {"table2.rules.issued": {"status": "ambiguous", "raw": None}}})
    assert row_readings(report, "table2", "rules") == []
    previous = build({"meta": {"year": 2023}})
    results = check_reports([report, previous])
    assert all(f.code != INTERNAL_ERROR for fs in results for f in fs)


def test_blank_row_reads_as_zeros():
    report = build({"table2": {"rules": dict.fromkeys(COLUMNS)}})
    assert row_readings(report, "table2", "rules") == [(0, 0, 0)]
