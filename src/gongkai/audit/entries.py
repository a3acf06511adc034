"""One shape for a checked report, whether it was read from files (``gongkai check PATH``) or from the store
(``gongkai check --db``), and the ``--select``/``--ignore`` choice of rules.

>>> entry("a.pdf", report.meta, [f.to_json() for f in findings], sha256="…")
{'source': 'a.pdf', 'sha256': '…', 'agency': '…', 'agency_id': None, 'year': 2023, 'meta': {…},
 'findings': [{'code': 'T301', …, 'scope': 'report'}], 'problems': 1}
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from gongkai.audit.finding import PROBLEM_SEVERITIES
from gongkai.audit.registry import PAIR, all_rules
from gongkai.errors import InputError

__all__ = ["ENTRY_KEYS", "entry", "rule_codes"]

ENTRY_KEYS = ("source", "sha256", "agency", "agency_id", "year", "meta", "findings", "problems")


def _scopes() -> dict[str, str]:
    return {r.code: "cross" if r.scope == PAIR else "report" for r in all_rules()}


def entry(
    source: str,
    meta: dict[str, Any],
    findings: list[dict],
    sha256: str | None = None,
    agency_id: str | None = None,
    codes: set[str] | None = None,
) -> dict[str, Any]:
    """A checked report as JSON-able data: its findings (each with ``scope``: report or cross, and only the
    rules in ``codes`` when given) and how many are problems (errors and warnings)."""
    scopes = _scopes()
    kept = [
        {**f, "scope": f.get("scope") or scopes.get(str(f.get("code")), "report")}
        for f in findings
        if codes is None or f.get("code") in codes
    ]
    return {
        "source": source,
        "sha256": sha256,
        "agency": meta.get("agency"),
        "agency_id": agency_id,
        "year": meta.get("year"),
        "meta": meta,
        "findings": kept,
        "problems": sum(1 for f in kept if str(f.get("severity")).lower() in PROBLEM_SEVERITIES),
    }


def _split(values: Iterable[str] | None) -> list[str]:
    return [c.strip().upper() for v in values or [] for c in re.split(r"[,\s]+", v) if c.strip()]


def rule_codes(select: Iterable[str] | None = None, ignore: Iterable[str] | None = None) -> set[str] | None:
    """The rules to run: those whose code starts with one of ``select`` (all when none given), less those
    starting with one of ``ignore``; ``None`` when neither is given. ``T3`` stands for T301, T302 …;
    values may be comma-separated. A code that matches no rule is an `InputError`."""
    chosen, dropped = _split(select), _split(ignore)
    if not chosen and not dropped:
        return None
    codes = sorted(r.code for r in all_rules())
    for c in (*chosen, *dropped):
        if not any(code.startswith(c) for code in codes):
            raise InputError(f"{c}: 没有这条规则 (no rule code starts with {c!r}; see `gongkai rules`)")
    out = {code for code in codes if not chosen or any(code.startswith(c) for c in chosen)}
    return {code for code in out if not any(code.startswith(c) for c in dropped)}
