"""Collecting from a local CMS-like site on 127.0.0.1: list pages and pagination, report pages with tables,
PDF and DOC attachments, a GBK page, a redirect, a 404, a slow page, robots.txt; then ingest and coverage."""

from __future__ import annotations

import json
import shutil

import pytest

pytest.importorskip("httpx")
pytest.importorskip("protego")
pytest.importorskip("sqlalchemy")

from gongkai.collect import FetchSettings, Target, collect
from tests.collect.site import DOC, PDF, Server, build_site

FAST = FetchSettings(timeout=1.0, interval=0.0, retries=1, backoff=0.0)
HAS_SOFFICE = shutil.which("soffice") is not None

if not (PDF.exists() and DOC.exists()):
    pytest.skip("shared corpus not available", allow_module_level=True)


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """The column collected once into a fresh archive and database; then a second run."""
    tmp = tmp_path_factory.mktemp("collect")
    site = build_site()
    with Server(site) as s:
        column = s.url("/ndbg/index.html")
        first = collect([Target(column, "测试名录机关")], str(tmp / "c.db"), tmp / "files", FAST)
        asked_first = list(s.requests)
        s.requests.clear()
        second = collect([column], str(tmp / "c.db"), tmp / "files", FAST)
        asked_second = list(s.requests)
    return {
        "site": site,
        "tmp": tmp,
        "first": first,
        "second": second,
        "asked_first": asked_first,
        "asked_second": asked_second,
    }


def by_path(result, site) -> dict:
    return {r.url.removeprefix(site.base): r for r in result.records}


def test_every_report_is_found_through_the_pagination(collected):
    first, site = collected["first"], collected["site"]
    assert set(by_path(first, site)) == {
        "/ndbg/2024/t1.html",  # an HTML report with its tables
        "/files/hz2023.pdf",  # a PDF attachment of a report page
        "/download.jsp?id=3",  # a DOC attachment (named by its link text)
        "/ndbg/2023/t4.html",  # a GBK page
        "/ndbg/old/t5.html",  # reached through a redirect
    }
    assert first.counts["list_pages"] == 3
    assert first.counts["reports"] == 8


def test_each_original_keeps_its_url_headers_and_publication_date(collected):
    first, site, tmp = collected["first"], collected["site"], collected["tmp"]
    recs = by_path(first, site)
    dates = {p: (r.published, r.published_source) for p, r in recs.items()}
    assert dates == {
        "/ndbg/2024/t1.html": ("2024-01-20", "html_meta"),
        "/files/hz2023.pdf": ("2024-01-22", "page_text"),
        "/download.jsp?id=3": ("2023-01-23", "list_page"),
        "/ndbg/2023/t4.html": ("2023-01-24", "page_text"),
        "/ndbg/old/t5.html": ("2022-01-25", "page_text"),
    }
    pdf = recs["/files/hz2023.pdf"]
    assert (tmp / "files" / pdf.file).read_bytes() == PDF.read_bytes()
    assert pdf.http_headers["content-type"] == "application/pdf"
    assert pdf.page_url == site.url("/ndbg/2024/t2.html") and pdf.fetched_at
    assert recs["/download.jsp?id=3"].file.endswith(".doc")
    moved = recs["/ndbg/old/t5.html"]
    assert moved.final_url == site.url("/ndbg/2022/t5.html")
    assert moved.redirects == [site.url("/ndbg/old/t5.html")]
    assert all(r.agency == "测试名录机关" for r in recs.values())
    manifest = [
        json.loads(line) for line in (tmp / "files" / "manifest.jsonl").read_text("utf-8").splitlines()
    ]
    assert {m["url"] for m in manifest} >= {r.url for r in recs.values()}


def test_failures_are_one_chinese_line_each(collected):
    first, site = collected["first"], collected["site"]
    errors = {u.removeprefix(site.base): e for u, e in first.errors}
    assert set(errors) == {"/ndbg/gone.html", "/ndbg/slow.html", "/private/t9.html"}
    assert errors["/ndbg/gone.html"] == "HTTP 404 页面不存在"
    assert "超时" in errors["/ndbg/slow.html"]
    assert "robots.txt 禁止" in errors["/private/t9.html"]
    assert all("\n" not in e for e in errors.values())
    assert not any(p.startswith("/private/") for p in collected["asked_first"])  # never asked
    assert collected["asked_first"][0] == "/robots.txt"


def test_the_collected_reports_are_ingested_with_their_metadata(collected):
    from gongkai.store import Store

    first, site = collected["first"], collected["site"]
    counts = first.ingest.counts
    assert counts["ok"] + counts["problems"] + counts["failed"] == 5
    with Store(str(collected["tmp"] / "c.db")) as st:
        pubs = {p.source_url.removeprefix(site.base): p for p in st.publications().values()}
        reports = {r.sha256: r for r in st.stored_reports(load=True)}
        assert {p: pub.published for p, pub in pubs.items()} == {
            "/ndbg/2024/t1.html": "2024-01-20",
            "/files/hz2023.pdf": "2024-01-22",
            "/download.jsp?id=3": "2023-01-23",
            "/ndbg/2023/t4.html": "2023-01-24",
            "/ndbg/2022/t5.html": "2022-01-25",
        }
        by_url = {p.source_url.removeprefix(site.base): sha for sha, p in st.publications().items()}
    gbk = reports[by_url["/ndbg/2023/t4.html"]].report
    assert gbk.meta["agency"] == "测试县人民政府" and gbk.meta["year"] == 2022
    assert gbk.meta["published"] == "2023-01-24"
    html = reports[by_url["/ndbg/2024/t1.html"]].report
    assert html.meta["year"] == 2023 and not html.uncertain()
    assert reports[by_url["/files/hz2023.pdf"]].report.meta["year"] == 2023
    if HAS_SOFFICE:
        assert reports[by_url["/download.jsp?id=3"]].report.meta["year"] is not None


def test_a_second_run_fetches_only_the_list_pages(collected):
    second = collected["second"]
    asked = set(collected["asked_second"])
    assert asked <= {
        "/robots.txt",
        "/ndbg/index.html",
        "/ndbg/index_1.html",
        "/ndbg/index_2.html",
        "/ndbg/gone.html",
        "/ndbg/slow.html",
    }  # the failures are tried again
    assert second.counts["fetched"] == 0 and second.counts["known"] == 5
    assert second.counts["list_pages"] == 3 and second.counts["unchanged"] == 3  # 304 Not Modified
    assert second.ingest.stored == 0 and second.ingest.counts["skipped"] == 5


def test_cli_collect_then_coverage_shows_every_report_with_url_and_date(tmp_path):
    from gongkai.cli import app
    from tests.clirunner import CliRunner

    site = build_site()
    del site.routes["/ndbg/slow.html"]  # keep this run short: now a 404; the slow page is covered above
    roster = tmp_path / "roster.csv"
    db = str(tmp_path / "c.db")
    runner = CliRunner()
    with Server(site) as s:
        roster.write_text(
            f"name,url\n测试名录机关,{s.url('/ndbg/index.html')}\n无网址机关,\n", encoding="utf-8"
        )
        out = runner.invoke(
            app,
            [
                "collect",
                "--roster-csv",
                str(roster),
                "--db",
                db,
                "--to",
                str(tmp_path / "files"),
                "--interval",
                "0",
                "--timeout",
                "2",
                "--retries",
                "0",
                "--quiet",
            ],
        )
    assert out.exit_code == 2, out.output  # some URLs failed (404, robots.txt)
    lines = [line for line in out.output.splitlines() if line.startswith("错误/Error:")]
    assert len(lines) == 3 and sum("HTTP 404 页面不存在" in line for line in lines) == 2
    cov = runner.invoke(app, ["coverage", "--db", db, "--reports", "-f", "json"])
    assert cov.exit_code == 0, cov.output
    reports = [r for a in json.loads(cov.output)["agencies"] for r in a["reports"]]
    shown = {r["source_url"].removeprefix(site.base): r["published"] for r in reports}
    assert shown == {
        "/ndbg/2024/t1.html": "2024-01-20",
        "/files/hz2023.pdf": "2024-01-22",
        "/download.jsp?id=3": "2023-01-23",
        "/ndbg/2023/t4.html": "2023-01-24",
        "/ndbg/2022/t5.html": "2022-01-25",
    }
    table = runner.invoke(app, ["coverage", "--db", db, "--reports", "-f", "csv"])
    assert table.output.count(site.base) == 5
    # the saved originals ingested again into another database, offline, with the same metadata
    other = str(tmp_path / "other.db")
    again = runner.invoke(
        app, ["collect", "--ingest-only", "--to", str(tmp_path / "files"), "--db", other, "-q"]
    )
    assert again.exit_code == 0, again.output
    cov = json.loads(runner.invoke(app, ["coverage", "--db", other, "--reports", "-f", "json"]).output)
    assert {
        r["source_url"].removeprefix(site.base): r["published"] for a in cov["agencies"] for r in a["reports"]
    } == shown


def test_a_target_may_be_a_report_page_or_an_attachment(tmp_path):
    with Server(build_site()) as s:
        targets = [s.url("/ndbg/2024/t2.html"), s.url("/files/hz2023.pdf")]
        first = collect(targets, folder=tmp_path, settings=FAST, ingest=False)
        again = collect(targets, folder=tmp_path, settings=FAST, ingest=False)
    assert [r.url.removeprefix(s.base) for r in first.records] == ["/files/hz2023.pdf"] * 2
    # the page's own attachment gets the page's date; the second target is the same file, known by then
    assert [r.published for r in first.records] == ["2024-01-22"] * 2
    assert first.counts["fetched"] == 1 and first.counts["known"] == 1 and first.errors == []
    assert again.counts["fetched"] == 0 and again.counts["known"] == 2


def test_a_new_report_on_the_column_is_all_a_rerun_fetches(tmp_path):
    from tests.collect.site import list_page, page, report_html

    site = build_site()
    del site.routes["/ndbg/slow.html"]
    with Server(site) as s:
        column = s.url("/ndbg/index.html")
        collect([column], folder=tmp_path, settings=FAST, ingest=False)
        site.routes["/ndbg/index.html"] = page(
            list_page(
                [("2025/t0.html", "测试市教育局2024年政府信息公开工作年度报告", "2025-01-15")],
                '<script>createPageHTML(3, 0, "index", "html");</script>',
            )
        )
        site.routes["/ndbg/2025/t0.html"] = page(
            report_html(5, "测试市教育局", 2024, "<p>发布日期：2025-01-15</p>")
        )
        s.requests.clear()
        again = collect([column], folder=tmp_path, settings=FAST, ingest=False)
    assert again.counts["fetched"] == 1 and again.counts["unchanged"] == 2
    new = [r for r in again.records if r.url.endswith("/2025/t0.html")]
    assert [r.published for r in new] == ["2025-01-15"]
    assert "/ndbg/2025/t0.html" in s.requests and "/ndbg/2024/t1.html" not in s.requests


def test_cli_collect_from_the_stored_roster(tmp_path):
    """``collect --roster`` takes the web addresses of the roster imported into the database, and names each
    collected report after its roster entry."""
    from gongkai.cli import app
    from tests.clirunner import CliRunner

    site = build_site()
    del site.routes["/ndbg/slow.html"]
    db = str(tmp_path / "c.db")
    runner = CliRunner()
    no_roster = runner.invoke(app, ["collect", "--roster", "--db", db, "-q"])
    assert no_roster.exit_code == 2 and "错误/Error: --roster:" in no_roster.output
    with Server(site) as s:
        roster = tmp_path / "名录.csv"
        roster.write_text(
            "名称,地区,层级,类型,网址,截止日期\n"
            f"测试名录机关,某县,县级,部门,{s.url('/ndbg/index.html')},2025-01-31\n"
            "无网址机关,某县,县级,部门,,2025-01-31\n",
            encoding="utf-8",
        )
        assert runner.invoke(app, ["roster", "import", str(roster), "--db", db]).exit_code == 0
        args = ["--to", str(tmp_path / "files"), "--interval", "0", "--timeout", "2", "--retries", "0", "-q"]
        out = runner.invoke(app, ["collect", "--roster", "--db", db, "--no-ingest", *args])
    assert "采集 collected: list pages" in out.output, out.output
    assert "reports 0" not in out.output
    manifest = (tmp_path / "files" / "manifest.jsonl").read_text(encoding="utf-8")
    assert "测试名录机关" in manifest and "无网址机关" not in manifest
