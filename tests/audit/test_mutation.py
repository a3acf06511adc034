"""Property: in a consistent real report, changing any one table 三/四 cell by a non-zero amount yields an
error finding whose ``where`` names that cell."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

import pytest

import gongkai
from gongkai import template
from gongkai.audit import all_rules, check_report

CORPUS = Path(__file__).parents[2].parent / "shared" / "corpus"
SEEDS = {"000": "000_f01d4dbb51cf7cd1.txt", "004": "004_e99c3fa4f96ef56b.txt"}
TABLE_RULES = [r.code for r in all_rules() if r.code.startswith("T")]  # rules that read the tables
PATHS = [p for p in template.cell_paths("2021") if p.startswith(("table3.", "table4."))]


@cache
def _report(seed: str):
    path = CORPUS / "seeds" / SEEDS[seed]
    if not path.exists():
        pytest.skip("shared corpus not available")
    return gongkai.parse(path)


def test_cell_count():
    assert len(PATHS) == 25 * 7 + 15


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_is_consistent(seed):
    errors = [f for f in check_report(_report(seed)) if f.severity == "error" and f.code.startswith("T")]
    assert not errors, [f.message for f in errors]


@pytest.mark.parametrize("seed", sorted(SEEDS))
@pytest.mark.parametrize("delta", [1, 7, -1])
def test_every_cell_change_is_pinned(seed, delta):
    base = _report(seed)
    missed = []
    for path in PATHS:
        report = copy.copy(base)
        report.cells = dict(base.cells)
        cell = copy.copy(base.cells[path])
        cell.value = (cell.value or 0) + delta
        report.cells[path] = cell
        errors = [f for f in check_report(report, TABLE_RULES) if f.severity == "error"]
        if not any(path in f.where for f in errors):
            missed.append(path)
    assert not missed, missed
