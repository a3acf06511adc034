"""The polite fetcher, against the local site and httpx mock transports (no real network, no real waiting)."""

from __future__ import annotations

import httpx
import pytest

pytest.importorskip("protego")

from gongkai.collect.fetch import Fetcher, FetchError, FetchSettings


class Clock:
    """A fake clock: ``sleep`` advances it and records each pause."""

    def __init__(self):
        self.now = 100.0
        self.pauses: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(round(seconds, 6))
        self.now += seconds


def fetcher(handler, clock: Clock | None = None, **settings) -> Fetcher:
    clock = clock or Clock()
    return Fetcher(
        FetchSettings(**{"interval": 0.0, "backoff": 0.0, **settings}),
        sleep=clock.sleep,
        clock=clock,
        transport=httpx.MockTransport(handler),
    )


def site(pages: dict[str, httpx.Response], log: list[str] | None = None):
    def handler(request: httpx.Request) -> httpx.Response:
        if log is not None:
            log.append(request.url.path)
        return pages.get(request.url.path) or httpx.Response(404)

    return handler


def test_pauses_between_requests_to_one_host_honour_the_crawl_delay():
    clock = Clock()
    pages = {
        "/robots.txt": httpx.Response(200, text="User-agent: *\nCrawl-delay: 5\n"),
        "/a": httpx.Response(200, text="a"),
        "/b": httpx.Response(200, text="b"),
    }
    with fetcher(site(pages), clock, interval=2.0) as f:
        f.get("http://127.0.0.1/a")
        f.get("http://127.0.0.1/b")
    # robots.txt first (its delay not known yet: the interval), then /a after 2 s, /b after 5 s
    assert clock.pauses == [2.0, 5.0]


def test_transient_failures_are_retried_with_back_off():
    calls = []

    def handler(request):
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        calls.append(1)
        return httpx.Response(503) if len(calls) < 3 else httpx.Response(200, text="ok")

    clock = Clock()
    with fetcher(handler, clock, retries=2, backoff=1.0) as f:
        assert f.get("http://127.0.0.1/x").content == b"ok"
    assert len(calls) == 3 and clock.pauses == [1.0, 2.0]


def test_retries_run_out_with_a_chinese_reason():
    def handler(request):
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        raise httpx.ConnectError("refused")

    with fetcher(handler, retries=1) as f, pytest.raises(FetchError, match="连接失败"):
        f.get("http://127.0.0.1/x")


def test_size_limit():
    pages = {"/big.pdf": httpx.Response(200, content=b"x" * 5000)}
    with fetcher(site(pages), max_bytes=1000) as f, pytest.raises(FetchError, match="文件过大"):
        f.get("http://127.0.0.1/big.pdf")


def test_redirects_are_followed_and_each_hop_checked_against_robots():
    log: list[str] = []
    pages = {
        "/robots.txt": httpx.Response(200, text="User-agent: *\nDisallow: /secret/\n"),
        "/old": httpx.Response(302, headers={"Location": "/new"}),
        "/new": httpx.Response(200, text="new"),
        "/leak": httpx.Response(301, headers={"Location": "/secret/x"}),
        "/loop": httpx.Response(301, headers={"Location": "/loop"}),
    }
    with fetcher(site(pages, log)) as f:
        resp = f.get("http://127.0.0.1/old")
        assert resp.url == "http://127.0.0.1/new" and resp.redirects == ["http://127.0.0.1/old"]
        with pytest.raises(FetchError, match=r"robots\.txt"):
            f.get("http://127.0.0.1/leak")
        with pytest.raises(FetchError, match="重定向次数过多"):
            f.get("http://127.0.0.1/loop")
    assert "/secret/x" not in log


def test_an_unreachable_robots_txt_allows_nothing_and_a_missing_one_everything():
    pages = {"/robots.txt": httpx.Response(500), "/a": httpx.Response(200, text="a")}
    with fetcher(site(pages), retries=0) as f, pytest.raises(FetchError, match=r"robots\.txt"):
        f.get("http://127.0.0.1/a")
    pages = {"/a": httpx.Response(200, text="a")}
    with fetcher(site(pages)) as f:
        assert f.get("http://127.0.0.1/a").status == 200


def test_only_http_urls():
    with fetcher(site({})) as f, pytest.raises(FetchError, match="http"):
        f.get("file:///etc/passwd")


def test_private_addresses_can_be_refused():
    pages = {"/a": httpx.Response(200, text="a")}
    with fetcher(site(pages), allow_private=False) as f, pytest.raises(FetchError, match="内网"):
        f.get("http://127.0.0.1/a")
