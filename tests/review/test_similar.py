"""Text shared with other agencies (C104) over a campaign's store: `gongkai review compare` stores it, a
reviewer confirms it, and the default scheme deducts it under 与其他单位雷同 (hand-computed)."""

from __future__ import annotations

import json
from pathlib import Path

from gongkai.cli import app
from gongkai.review import ReviewFilter, findings_for_review, set_state
from tests.clirunner import CliRunner
from tests.review.conftest import write_roster

runner = CliRunner()
SEED = Path(__file__).parents[2].parent / "shared" / "corpus" / "seeds" / "000_f01d4dbb51cf7cd1.txt"
ORIGINAL = "新乡高新技术产业开发区管理委员会"
COPIER = "新乡经济技术开发区管理委员会"


def cli(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_copied_text_across_agencies_is_found_confirmed_and_scored(tmp_path):
    import pytest

    if not SEED.exists():
        pytest.skip("shared corpus not available")
    docs = tmp_path / "docs"
    docs.mkdir()
    text = SEED.read_text(encoding="utf-8")
    (docs / "a.txt").write_text(text, encoding="utf-8")
    (docs / "b.txt").write_text(text.replace(ORIGINAL, COPIER), encoding="utf-8")
    db = str(tmp_path / "g.db")
    cli("ingest", str(docs), "--db", db)
    roster = write_roster(
        tmp_path / "roster.csv", [(n, "新乡市", "市级", "其他") for n in (ORIGINAL, COPIER)]
    )
    cli("roster", "import", str(roster), "--db", db)
    assert not [f for f in findings_for_review(db) if f.code == "C104"]  # not before the comparison

    out = cli("review", "compare", "--db", db, "--year", "2024", "--user", "张三").stdout
    copied = [f for f in findings_for_review(db) if f.code == "C104"]
    assert {f.agency for f in copied} == {ORIGINAL, COPIER}
    assert f"{len(copied)} 条" in out
    again = cli("review", "compare", "--db", db, "--year", "2024").stdout  # replaces, never doubles
    assert f"{len(copied)} 条" in again and len(
        [f for f in findings_for_review(db) if f.code == "C104"]
    ) == len(copied)

    one = next(f for f in copied if f.agency == COPIER)
    set_state(db, ReviewFilter(fingerprints=(one.fingerprint,)), "confirmed", reviewer="张三")
    scores = json.loads(cli("score", "--db", db, "--year", "2024", "-f", "json").stdout)
    got = {a["name"]: (a["score"], a["deductions"]) for a in scores["agencies"]}
    # default scheme: 100 − 10 for 与其他单位雷同 (one confirmed C104, cap 10); nothing else confirmed
    assert got[COPIER] == (90, {"similar_others": {"label": "与其他单位雷同", "count": 1, "points": 10}})
    assert got[ORIGINAL] == (100, {})
