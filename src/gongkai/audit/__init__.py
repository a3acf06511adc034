"""Audit: every rule a careful reviewer applies, each finding pinned to a cell or a sentence.

>>> from gongkai.audit import check_report
>>> for f in check_report(report): print(f.code, f.severity, f.message)

Rules live in ``gongkai.audit.rules`` (one module per rule or small group) and register themselves with
stable codes; ``docs/rules.md`` is generated from the registry. Report rules see one report; pair rules
see a report and the same agency's report of the year before (``check_reports``); corpus rules see a report
and the other agencies' reports of the same year checked with it (``check_reports``, ``check_corpus``).
"""

from __future__ import annotations

from collections.abc import Iterable

from gongkai.audit.agency import normalise as normalise_agency
from gongkai.audit.finding import ERROR, INFO, SEVERITIES, WARNING, Finding, severity_rank
from gongkai.audit.memo import one_pass
from gongkai.audit.registry import CORPUS, PAIR, REPORT, Rule, all_rules
from gongkai.model import Report

__all__ = [
    "ERROR",
    "INFO",
    "INTERNAL_ERROR",
    "SEVERITIES",
    "WARNING",
    "Finding",
    "Rule",
    "all_rules",
    "check_corpus",
    "check_pair",
    "check_report",
    "check_reports",
    "normalise_agency",
    "severity_rank",
]


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-severity_rank(f.severity), f.code))


INTERNAL_ERROR = "Z000"  # not a rule: the code of the finding left when a rule fails on a report


def _run(rules: list[Rule], *reports: Report | list[Report]) -> list[Finding]:
    out: list[Finding] = []
    with one_pass():  # what several rules compute from a report is computed once
        for r in rules:
            try:
                out.extend(r.run(*reports))
            except Exception as e:  # a broken rule must not stop the run; the report says what went unchecked
                out.append(internal_error(r, e))
    return out


def internal_error(rule: Rule, error: Exception) -> Finding:
    """The finding that stands for rule ``rule`` failing on a report: the check was not done."""
    return Finding(
        f"内部错误：规则 {rule.code}（{rule.name}）核查本报告时出错，此项未能核查，请向 gongkai 报告"
        f"（internal error: {type(error).__name__}: {error}）。",
        evidence={"rule": rule.code, "error": f"{type(error).__name__}: {error}"},
        code=INTERNAL_ERROR,
        severity=WARNING,
        name="internal-error",
    )


def check_report(report: Report, select: Iterable[str] | None = None) -> list[Finding]:
    """Every single-report rule's findings for ``report``, errors first."""
    rules = [r for r in all_rules() if r.scope == REPORT and (select is None or r.code in set(select))]
    return _sorted(_run(rules, report))


def check_reports(
    reports: list[Report],
    select: Iterable[str] | None = None,
    own: list[list[Finding] | None] | None = None,
) -> list[list[Finding]]:
    """Findings per report (same order), including rules across consecutive years of the same agency.
    ``own``: per report, its ``check_report(report, select)`` when already computed on the report as it is
    now (None where not), so a caller that needs both does the single-report audit once."""
    chosen = set(select) if select is not None else None
    known = own if own is not None else [None] * len(reports)
    out = [list(f) if f is not None else check_report(r, chosen) for r, f in zip(reports, known, strict=True)]
    for i, cur in enumerate(reports):
        prev = previous_of(cur, reports)
        if prev is not None:
            out[i] = _sorted(out[i] + check_pair(cur, prev, chosen))
    for i, found in enumerate(check_corpus(reports, chosen)):
        if found:
            out[i] = _sorted(out[i] + found)
    return out


def check_pair(report: Report, previous: Report, select: Iterable[str] | None = None) -> list[Finding]:
    """The findings of the rules across consecutive years (``report`` and the same agency's ``previous``
    year), errors first: what ``check_reports`` adds to ``report`` for its year before."""
    chosen = set(select) if select is not None else None
    rules = [r for r in all_rules() if r.scope == PAIR and (chosen is None or r.code in chosen)]
    return _sorted(_run(rules, report, previous))


def check_corpus(reports: list[Report], select: Iterable[str] | None = None) -> list[list[Finding]]:
    """Findings of the rules across agencies (copied text …) per report: each report against the other
    agencies' reports of the same year among ``reports``."""
    chosen = set(select) if select is not None else None
    rules = [r for r in all_rules() if r.scope == CORPUS and (chosen is None or r.code in chosen)]
    out: list[list[Finding]] = [[] for _ in reports]
    if not rules:
        return out
    for i, cur in enumerate(reports):
        name = normalise_agency(cur.meta.get("agency"))
        others = [
            o
            for o in reports
            if o is not cur
            and cur.year is not None
            and o.year == cur.year
            and normalise_agency(o.meta.get("agency")) != name
        ]
        if others:
            out[i] = _run(rules, cur, others)
    return out


def previous_of(report: Report, reports: list[Report]) -> Report | None:
    """The same agency's report of the year before, if it is among ``reports``."""
    year = report.year
    name = normalise_agency(report.meta.get("agency"))
    if year is None or not name:
        return None
    for other in reports:
        if other is report or other.year != year - 1:
            continue
        if normalise_agency(other.meta.get("agency")) == name:
            return other
    return None
