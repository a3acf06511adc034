"""The 「采集」 page: start a collection from a local CMS-like site on 127.0.0.1 in a real browser, follow it
to the end, and see every collected report with its URL and 发布日期; private addresses refused by default."""

from __future__ import annotations

import re
import time

import pytest

pytest.importorskip("httpx")
pytest.importorskip("protego")

from gongkai.collect import FetchSettings
from gongkai.web import create_app
from tests.collect.site import DOC, PDF, Server, build_site
from tests.web.conftest import running

FAST = FetchSettings(timeout=2.0, interval=0.0, retries=0, backoff=0.0)

if not (PDF.exists() and DOC.exists()):
    pytest.skip("shared corpus not available", allow_module_level=True)


def _site():
    site = build_site()
    del site.routes["/ndbg/slow.html"]  # the slow page and the DOC conversion are covered in tests/collect
    del site.routes["/download.jsp"]
    return site


def _csrf(html: str) -> dict:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return {"csrf_token": m.group(1)} if m else {}


def test_collect_page_in_the_browser(tmp_path, open_page):
    app = create_app(f"sqlite:///{tmp_path / 'web.db'}", files_dir=tmp_path / "files", password="")
    app.state.collect_settings = FAST  # the test site is on 127.0.0.1, which the app refuses by default
    with running(app) as base, Server(_site()) as site:
        page = open_page()
        page.goto(f"{base}/collect")
        assert page.locator("nav a.on").inner_text() == "采集"
        assert "还没有采集的文件" in page.inner_text("main")
        page.fill("#collect-urls", site.url("/ndbg/index.html"))
        page.click("#collect-start")
        page.wait_for_selector("#collect-job h2:text('采集完成')", timeout=120_000)
        rows = page.locator("#collected tbody tr")
        assert rows.count() == 4
        shown = {
            rows.nth(i).locator("td.url").inner_text().removeprefix(site.base): rows.nth(i)
            .locator("td.published")
            .inner_text()
            for i in range(rows.count())
        }
        assert shown == {
            "/ndbg/2024/t1.html": "2024-01-20",
            "/files/hz2023.pdf": "2024-01-22",
            "/ndbg/2023/t4.html": "2023-01-24",
            "/ndbg/2022/t5.html": "2022-01-25",
        }
        errors = page.locator("#collect-errors tbody tr")
        assert errors.count() == 4
        assert "robots.txt 禁止" in page.inner_text("#collect-errors")
        page.locator("#collected tbody tr a", has_text="测试县人民政府").click()
        page.wait_for_url(re.compile(r"/report/\d+$"))
        assert "测试县人民政府" in page.inner_text("main")
        original = page.request.get(page.url + "/original")
        assert original.ok and "测试县人民政府".encode("gbk") in original.body()


def test_the_app_refuses_private_addresses_by_default(tmp_path):
    from fastapi.testclient import TestClient

    app = create_app(f"sqlite:///{tmp_path / 'web.db'}", files_dir=tmp_path / "files", password="")
    with Server(_site()) as site, TestClient(app) as client:
        token = _csrf(client.get("/collect").text)
        resp = client.post("/collect", data={"urls": site.url("/ndbg/index.html"), **token})
        assert resp.status_code == 200 and resp.url.path == "/collect"
        deadline = time.monotonic() + 30
        while app.state.collect_job.running and time.monotonic() < deadline:
            time.sleep(0.05)
        assert site.requests == []  # nothing was asked of the local site
    job = app.state.collect_job
    assert [reason for _, reason in job.errors] == [
        "不采集本机或内网地址（loopback or private address refused）"
    ]
    assert client.post("/collect", data={"urls": "ftp://x", **token}).status_code == 400


def test_collected_list_is_paginated(tmp_path):
    import datetime as dt

    from fastapi.testclient import TestClient

    from gongkai.store import Publication
    from gongkai.store.process import FAILED

    app = create_app(f"sqlite:///{tmp_path / 'web.db'}", files_dir=tmp_path / "files", password="")
    store = app.state.store
    for i in range(60):
        out = {"sha256": f"{i:064x}", "name": f"f{i}.pdf", "size": 1, "status": FAILED, "report": None}
        pub = Publication(source_url=f"http://127.0.0.1/{i}.pdf", fetched_at=dt.datetime(2024, 1, 1, 0, i))
        store.write(out, publication=pub)
    client = TestClient(app)
    first = client.get("/collect").text
    assert first.count("<tr>") == 51 and "第 1 / 2 页" in first and "http://127.0.0.1/59.pdf" in first
    second = client.get("/collect?page=2").text
    assert second.count("<tr>") == 11 and "http://127.0.0.1/0.pdf" in second
