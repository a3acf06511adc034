from __future__ import annotations

import json

import pytest

import gongkai
from gongkai.cli import app
from gongkai.store import Store, check_store, coverage, query
from tests.clirunner import CliRunner
from tests.conftest import CORPUS
from tests.store.conftest import hongze_pdfs


def test_pingtan_is_one_agency_over_seven_years(corpus_db):
    cov = coverage(corpus_db)
    pingtan = [a for a in cov["agencies"] if a["agency_id"] == "350128:平潭综合实验区"]
    assert len(pingtan) == 1
    assert pingtan[0]["years"] == list(range(2019, 2026)) and pingtan[0]["missing"] == []
    assert pingtan[0]["province"] == "福建省"
    assert cov["years"][0] == 2019 and cov["years"][-1] == 2025


def test_hongze_is_one_agency(corpus_db):
    if not hongze_pdfs():
        pytest.skip("PDF reader not installed")
    hongze = [a for a in coverage(corpus_db)["agencies"] if "洪泽" in (a["agency"] or "")]
    assert len(hongze) == 1
    assert hongze[0]["agency_id"] == "320813:洪泽区人民政府"
    assert hongze[0]["years"] == [2023, 2024]
    assert hongze[0]["agency"] == "淮安市洪泽区人民政府"  # the latest year's name
    assert (hongze[0]["province"], hongze[0]["city"], hongze[0]["county"]) == ("江苏省", "淮安市", "洪泽区")


def _known_cross_year():
    out = []
    for truth in sorted((CORPUS / "real").glob("*.expected.json")):
        data = json.loads(truth.read_text(encoding="utf-8"))
        for p in data.get("known_problems", []):
            if p.get("kind") == "cross-year":
                out.append((truth.name.replace(".expected.json", ""), p["where"], data["meta"]["year"]))
    return out


def test_check_db_reports_the_known_cross_year_problems(corpus_db):
    """Every cross-year problem of the shared corpus is found by auditing the stored corpus (a glued row
    whose cells stay ambiguous is tested reading by reading)."""
    pytest.importorskip("gongkai.audit")
    results = {r["source"]: r for r in check_store(corpus_db)}
    known = _known_cross_year()
    assert len(known) >= 4
    for source, where, _year in known:
        name = next(n for n in results if n.rsplit(".", 1)[0] == source)
        hits = [f for f in results[name]["findings"] if f["scope"] == "cross" and where in f["where"]]
        assert hits, (source, where)


def test_check_db_in_worker_processes_gives_the_same_entries(corpus_db):
    """Agencies checked side by side in two worker processes: the same entries in the same order."""
    pytest.importorskip("gongkai.audit")
    alone = check_store(corpus_db)
    assert check_store(corpus_db, workers=2) == alone
    assert len(alone) == len({e["sha256"] for e in alone})


def test_cross_check_reusing_each_reports_own_findings_is_unchanged():
    """``check_reports(own=...)``: the single-report findings passed in instead of computed again."""
    audit = pytest.importorskip("gongkai.audit")
    reports = [gongkai.parse(d) for d in sorted((CORPUS / "real").glob("*_pingtan_zhsyq.txt"))]
    own = [audit.check_report(r) for r in reports]
    reused = audit.check_reports(reports, own=own)
    assert [[f.to_json() for f in x] for x in reused] == [
        [f.to_json() for f in x] for x in audit.check_reports(reports)
    ]


def test_stored_cross_findings_match_the_in_memory_audit(corpus_db):
    audit = pytest.importorskip("gongkai.audit")
    with Store(corpus_db) as st:
        reps = [r for r in st.stored_reports() if "pingtan" in r.name]
        stored = st.findings([r.id for r in reps])
    docs = sorted((CORPUS / "real").glob("*_pingtan_zhsyq.txt"))
    results = audit.check_reports([gongkai.parse(d) for d in docs])
    for d, found in zip(docs, results, strict=True):
        rid = next(r.id for r in reps if r.name == d.name)
        want = sorted((f.code, tuple(f.where), f.message) for f in found)
        got = sorted((f["code"], tuple(f["where"]), f["message"]) for f in stored.get(rid, []))
        assert got == want, d.name


def test_queries(corpus_db):
    apps = query(corpus_db, "applications")
    row = next(r for r in apps["rows"] if r["year"] == 2019 and r["province"] == "福建省")
    assert row == {"year": 2019, "province": "福建省", "reports": 1, "applications": 23}
    out = query(corpus_db, "outcomes")
    assert {"year", "granted_share", "denied_share"} <= set(out["rows"][0])
    corr = query(corpus_db, "corrections")
    assert all(0 <= (r["review_correction_rate"] or 0) <= 1 for r in corr["rows"])
    probs = query(corpus_db, "problems")
    assert probs["rows"] and probs["rows"][0]["errors"] >= probs["rows"][-1]["errors"]
    from gongkai.errors import InputError

    with pytest.raises(InputError):
        query(corpus_db, "nope")


def test_cli_coverage_query_check(corpus_db):
    db = corpus_db.removeprefix("sqlite:///")
    r = CliRunner().invoke(app, ["coverage", "--db", db, "--format", "json"])
    assert r.exit_code == 0 and "350128:平潭综合实验区" in r.output
    r = CliRunner().invoke(app, ["coverage", "--db", db, "--format", "csv"])
    assert r.exit_code == 0 and r.output.startswith("region,agency,agency_id,years,missing,documents")
    r = CliRunner().invoke(app, ["query", "applications", "--db", db, "-f", "csv"])
    assert r.exit_code == 0 and "2019,福建省,1,23" in r.output
    r = CliRunner().invoke(app, ["query", "nope", "--db", db])
    assert r.exit_code == 2
    r = CliRunner().invoke(app, ["check", "--db", db, "--format", "json"])
    assert r.exit_code == 1  # the corpus has errors
    data = json.loads(r.output)
    assert any(f["scope"] == "cross" for rep in data["reports"] for f in rep["findings"])
    r = CliRunner().invoke(app, ["check", "--db", db])
    assert r.exit_code == 1 and "C102" in r.output


def test_regions_override_file_merges_and_places_agencies(tmp_path, text_corpus):
    from gongkai.store import ingest

    url = f"sqlite:///{tmp_path / 'o.db'}"
    ingest([text_corpus / "seeds"], url, workers=1)
    before = {a["agency_id"] for a in coverage(url)["agencies"]}
    assert "410700:新乡经济技术开发区人民政府" in before
    f = tmp_path / "regions.csv"
    f.write_text(
        "agency,agency_id,code\n新乡经济技术开发区人民政府,410700:新乡经开区,410700\n", encoding="utf-8"
    )
    r = CliRunner().invoke(
        app, ["ingest", str(text_corpus / "seeds"), "--db", url, "--regions", str(f), "-q"]
    )
    assert r.exit_code == 0, r.output
    after = {a["agency_id"]: a for a in coverage(url)["agencies"]}
    assert "410700:新乡经济技术开发区人民政府" not in after
    assert after["410700:新乡经开区"]["city"] == "新乡市" and after["410700:新乡经开区"]["years"] == [2021]
    with Store(url) as st:
        assert {a["id"] for a in st.agencies()} == set(after)  # no orphan agency left behind
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nx\n", encoding="utf-8")
    r = CliRunner().invoke(
        app, ["ingest", str(text_corpus / "seeds"), "--db", url, "--regions", str(bad), "-q"]
    )
    assert r.exit_code == 2 and "agency" in r.output


def test_query_outcomes_and_the_charts_agree(corpus_db):
    from collections import Counter

    from gongkai.store import Store, corpus

    rows = {r["year"]: r for r in query(corpus_db, "outcomes")["rows"]}
    with Store(corpus_db) as store:
        charts = corpus.chart_series(store)
    assert charts["years"] == sorted(rows)
    for o in charts["outcomes"]:
        for y, pct in zip(charts["years"], o["data"], strict=True):
            share = rows[y][f"{o['key']}_share"]
            assert abs(pct - (0 if share is None else 100 * share)) <= 0.051, (y, o["key"])  # 1 vs 4 decimals
    # a report that leaves its result rows blank adds nothing to either side of a share
    answered, shares = corpus.outcome_shares(Counter({"granted": 7, "denied": 3}))
    assert answered == 10 and shares["granted"] == 0.7 and shares["other"] == 0
    assert corpus.outcome_shares(Counter())[1]["granted"] is None
