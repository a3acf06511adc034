"""A review campaign on the shared corpus, through the CLI: roster and 未发布, review states, a corrected
version seen as 已整改, scores against a hand-computed table, and the notice read back with python-docx."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gongkai.cli import app
from gongkai.review import (
    ReviewFilter,
    current_versions,
    findings_for_review,
    load_scheme,
    set_state,
    versions,
)
from gongkai.store import ingest
from tests.clirunner import CliRunner
from tests.review.conftest import NEVER, YEAR

runner = CliRunner()
KEY_PATH = re.compile(r"table[234]\.[a-z_]+|\bs[1-6]\b")


def cli(*args: str, ok: bool = True):
    result = runner.invoke(app, list(args))
    if ok:
        assert result.exit_code == 0, result.output
    return result


def test_coverage_lists_the_agencies_that_never_publish(campaign):
    cli("roster", "import", str(campaign["roster"]), "--db", campaign["db"])
    out = cli("roster", "show", "--db", campaign["db"], "--year", str(YEAR), "--format", "json").stdout
    rows = {r["name"]: r for r in json.loads(out)}
    assert {n for n, r in rows.items() if r["status"] == "未发布"} == {n for n, *_ in NEVER}
    assert all(rows[a]["status"] == "已发布" for a in campaign["agencies"])


def test_review_states_survive_reingest_and_a_corrected_version_shows_rectified(campaign, tmp_path):
    db = campaign["db"]
    found = findings_for_review(db, ReviewFilter(year=YEAR))
    quoted = next(f for f in found if _quote_in_source(f, campaign["docs"]))
    others = [f for f in found if f.subject == quoted.subject and f.fingerprint != quoted.fingerprint]
    cli("review", "confirm", "--db", db, "--agency", quoted.subject, "--year", str(YEAR), "--user", "张三")
    dismissed = next((f for f in found if f.subject != quoted.subject), None)
    if dismissed:
        cli(
            "review",
            "dismiss",
            "--db",
            db,
            "--finding",
            dismissed.fingerprint,
            "--year",
            str(YEAR),
            "--comment",
            "误报",
        )

    # a re-ingest of the same files keeps every state
    from gongkai.store import Store

    with Store(db) as store:
        store.forget([v.sha256 for v in versions(store)])
    ingest([campaign["docs"]], db, workers=1)
    states = {f.fingerprint: f.state for f in findings_for_review(db, ReviewFilter(year=YEAR))}
    assert states[quoted.fingerprint] == "confirmed"
    if dismissed:
        assert states[dismissed.fingerprint] == "dismissed"

    # the corrected version drops the quoted sentence: that finding is 已整改, the others 未整改
    source = _source_of(quoted, campaign["docs"])
    corrected = tmp_path / f"corrected{source.suffix}"
    corrected.write_text(source.read_text("utf-8").replace(_quote(quoted), "", 1), encoding="utf-8")
    ingest([corrected], db, workers=1)
    now = {f.fingerprint: f for f in findings_for_review(db, ReviewFilter(agency=quoted.subject, year=YEAR))}
    assert now[quoted.fingerprint].rectification == "rectified"
    listed = json.loads(
        cli(
            "review", "list", "--db", db, "--agency", quoted.subject, "--year", str(YEAR), "-f", "json"
        ).stdout
    )
    assert {r["finding"]: r["rectification"] for r in listed}[quoted.fingerprint] == "已整改"
    still = {
        f.fingerprint
        for f in findings_for_review(
            db, ReviewFilter(agency=quoted.subject, year=YEAR), include_rectified=False
        )
    }
    for f in others:
        assert now[f.fingerprint].rectification == ("unrectified" if f.fingerprint in still else "rectified")
    if dismissed:  # another agency's confirmed finding, still in its only version: 未整改
        cli("review", "confirm", "--db", db, "--finding", dismissed.fingerprint, "--year", str(YEAR))
        again = findings_for_review(db, ReviewFilter(year=YEAR, fingerprints=(dismissed.fingerprint,)))
        assert [f.rectification for f in again] == ["unrectified"]
    current = [v for v in versions(db, subject=quoted.subject, year=YEAR) if v.current]
    assert current[0].name == corrected.name


def _quote(f) -> str | None:
    e = f.evidence
    q = e.get("quote") if isinstance(e, dict) else None
    return q if isinstance(q, str) and len(q) > 8 else None


def _source_of(f, docs: Path) -> Path:
    for p in docs.rglob("*"):
        if (
            p.suffix in (".txt", ".html")
            and _quote(f)
            and _quote(f) in p.read_text("utf-8", errors="replace")
        ):
            return p
    raise AssertionError("no source")


def _quote_in_source(f, docs: Path) -> bool:
    q = _quote(f)
    return bool(q) and any(
        p.suffix in (".txt", ".html") and q in p.read_text("utf-8", errors="replace") for p in docs.rglob("*")
    )


def _pick_agencies(db: str):
    """An agency with at least two errors and another with at least one warning (2024's current versions)."""
    found = findings_for_review(db, ReviewFilter(year=YEAR))
    by: dict[str, dict[str, list]] = {}
    for f in found:
        by.setdefault(f.agency, {}).setdefault(f.severity, []).append(f)
    a = next(name for name, s in sorted(by.items()) if len(s.get("error", [])) >= 2)
    b = next(name for name, s in sorted(by.items()) if name != a and s.get("warning"))
    return (
        by[a]["error"][:2],
        by[b]["warning"][:1],
        [f for f in found if f.agency == b and f.severity == "error"],
    )


def _confirm(db: str, items) -> None:
    set_state(db, ReviewFilter(year=YEAR, fingerprints=tuple(f.fingerprint for f in items)), "confirmed")


def test_scores_equal_a_hand_computed_table(campaign, tmp_path):
    db = campaign["db"]
    cli("roster", "import", str(campaign["roster"]), "--db", db)
    errors_a, warning_b, errors_b = _pick_agencies(db)
    _confirm(db, errors_a + warning_b)
    if errors_b:
        set_state(db, ReviewFilter(year=YEAR, fingerprints=(errors_b[0].fingerprint,)), "dismissed")
    a, b = errors_a[0].agency, warning_b[0].agency
    # publication dates as a reviewer corrects them: all on time (due 2025-01-31) but b's
    from gongkai.review.publication import edit_publication

    for v in current_versions(db, year=YEAR):
        late = v.agency == b
        edit_publication(db, v.report_id, None, "2025-02-10" if late else "2025-01-20", user="王五")
    import pytest

    from gongkai.errors import InputError

    with pytest.raises(InputError, match="来源网址"):
        edit_publication(db, current_versions(db)[0].report_id, "javascript:alert(1)", None)
    edited = next(v for v in current_versions(db, year=YEAR) if v.agency == b)
    assert edited.published == "2025-02-10" and edited.published_source == "given"
    # default scheme: 100 − 2 per confirmed error − 1 per confirmed warning − 10 late; not published: −100
    expected = {name: 100 for name in campaign["agencies"]}
    expected |= {a: 96, b: 89, NEVER[0][0]: 0, NEVER[1][0]: 0}
    out = json.loads(cli("score", "--db", db, "--year", str(YEAR), "-f", "json").stdout)
    assert {x["name"]: x["score"] for x in out["agencies"]} == expected
    assert out["scheme"]["version"] == load_scheme().version
    lists = {x["name"]: x["list"] for x in out["agencies"]}
    assert lists[NEVER[0][0]] == "red" and lists[a] is None

    # a scheme of one's own, with caps: errors 7 each capped at 10, warnings 3 each
    scheme = tmp_path / "scheme.toml"
    scheme.write_text(
        '[scheme]\nname = "测试方案"\nversion = "t1"\nfull = 100\nred = 95\nyellow = 99\n'
        '[[items]]\nkey = "not_published"\nlabel = "未发布"\npoints = 50\n'
        '[[items]]\nkey = "error"\nlabel = "错误"\nseverity = "error"\npoints = 7\ncap = 10\n'
        '[[items]]\nkey = "warning"\nlabel = "警告"\nseverity = "warning"\npoints = 3\n',
        encoding="utf-8",
    )
    run = json.loads(
        cli("score", "--db", db, "--scheme", str(scheme), "--year", str(YEAR), "-f", "json").stdout
    )
    got = {x["name"]: (x["score"], x["list"]) for x in run["agencies"]}
    assert got[a] == (90, "red") and got[b] == (97, "yellow") and got[NEVER[1][0]] == (50, "red")
    from gongkai.store import Store
    from gongkai.store import schema as S

    with Store(db) as store, store.engine.connect() as c:
        stored = c.execute(S.score_runs.select().order_by(S.score_runs.c.id)).mappings().all()
    assert [(r["scheme_name"], r["scheme_version"]) for r in stored][-1] == ("测试方案", "t1")
    assert "points = 7" in stored[-1]["scheme"]


def test_notice_lists_exactly_the_confirmed_problems_with_chinese_labels(campaign, tmp_path):
    import docx
    from openpyxl import load_workbook

    db = campaign["db"]
    errors_a, _warning_b, _ = _pick_agencies(db)
    agency = errors_a[0].agency
    everything = [f for f in findings_for_review(db, ReviewFilter(year=YEAR)) if f.agency == agency]
    _confirm(db, errors_a[:1])
    to = tmp_path / "notice.docx"
    cli("notice", "--agency", agency, "--to", str(to), "--db", db, "--year", str(YEAR))
    document = docx.Document(str(to))
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["序号", "问题类型", "位置", "问题说明", "整改要求"]
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert [r[3] for r in rows] == [errors_a[0].message]
    assert len(everything) > 1  # the pending ones are left out
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(c for r in rows for c in r)
    assert agency in text and not KEY_PATH.search(text)
    assert any(label in rows[0][2] for label in ("表二", "表三", "表四", "、")), rows[0][2]

    xlsx = tmp_path / "notice.xlsx"
    cli("notice", "--agency", agency, "--to", str(xlsx), "--db", db, "--year", str(YEAR))
    sheet = load_workbook(xlsx).active
    assert [r[3] for r in sheet.iter_rows(min_row=2, values_only=True)] == [errors_a[0].message]


def test_bulletin_and_review_sheet(campaign, tmp_path):
    import docx
    from openpyxl import load_workbook

    db = campaign["db"]
    cli("roster", "import", str(campaign["roster"]), "--db", db)
    errors_a, _, _ = _pick_agencies(db)
    _confirm(db, errors_a)
    to = tmp_path / "bulletin.docx"
    cli("bulletin", "--to", str(to), "--db", db, "--year", str(YEAR))
    document = docx.Document(str(to))
    text = "\n".join(p.text for p in document.paragraphs)
    assert all(name in text for name, *_ in NEVER)
    n = len(campaign["agencies"])
    assert f"已发布 {n} 家" in text
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert str(len(errors_a)) in cells and not KEY_PATH.search(text + "".join(cells))
    sheet = tmp_path / "sheet.xlsx"
    cli("review", "sheet", "--to", str(sheet), "--db", db, "--year", str(YEAR))
    book = load_workbook(sheet)
    assert book.sheetnames == ["问题审核", "名录覆盖", "评分排名"]
    states = [r[7] for r in book["问题审核"].iter_rows(min_row=2, values_only=True)]
    assert states.count("确认") == len(errors_a) and "待核" in states


def test_versions_withdraw_and_pick(campaign, tmp_path):
    from gongkai.review import withdraw

    db = campaign["db"]
    first = current_versions(db, year=YEAR)[0]
    copy = tmp_path / f"copy{Path(first.name).suffix}"
    source = next(p for p in campaign["docs"].rglob(first.name))
    copy.write_bytes(source.read_bytes() + b"\n")
    ingest([copy], db, workers=1)
    group = versions(db, subject=first.subject, year=YEAR)
    assert [v.name for v in group if v.current] == [copy.name] and len(group) == 2
    # exports and summaries count the current version only
    from gongkai.store import export, query

    n = export(db, tmp_path / "wide.csv")
    assert n == len([v for v in current_versions(db) if v.year is not None or v.agency_id])
    assert copy.name in (tmp_path / "wide.csv").read_text("utf-8-sig")
    assert first.name not in (tmp_path / "wide.csv").read_text("utf-8-sig")
    reports = sum(r["reports"] for r in query(db, "applications")["rows"] if r["year"] == YEAR)
    assert reports == len(current_versions(db, year=YEAR))
    withdraw(db, group[0].report_id, user="李四")
    assert [v.name for v in versions(db, subject=first.subject, year=YEAR) if v.current] == [first.name]
    cli("version", "restore", str(group[0].report_id), "--db", db)
    cli("version", "pick", str(first.report_id), "--db", db)
    assert [v.name for v in versions(db, subject=first.subject, year=YEAR) if v.current] == [first.name]
    assert len([v for v in current_versions(db) if v.subject == first.subject and v.year == YEAR]) == 1
    from gongkai.review.versions import current_ids

    assert current_ids(db) == {v.report_id for v in current_versions(db)}  # the lean computation agrees
    listed = cli("version", "list", "--db", db, "--agency", first.subject, "-f", "json").stdout
    assert sum(1 for r in json.loads(listed) if r["current"]) >= 1
