"""Polite HTTP fetching: robots.txt honoured (Protego), a per-host pause between requests (at least the
robots.txt Crawl-delay), retries with exponential back-off (tenacity) on timeouts, connection errors, 429
and 5xx, a timeout per request, a size limit, redirects followed hop by hop (each hop checked against its
host's robots.txt). Failures are ``FetchError`` with one Chinese reason.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx
from protego import Protego
from tenacity import RetryError, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from gongkai.errors import GongkaiError

__all__ = ["FetchError", "FetchSettings", "Fetcher", "Response"]

RETRY_STATUSES = {429, 500, 502, 503, 504}


class FetchError(GongkaiError):
    """A URL that could not be fetched; the message is one Chinese line with the reason."""


class _Transient(Exception):
    """A failure worth another try (timeout, connection error, 429, 5xx)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = "gongkai-collect/1 (government information disclosure annual reports)"  # ASCII only
    timeout: float = 20.0  # seconds, per request (connect, read, write, pool)
    interval: float = 1.0  # seconds between two requests to one host, at least
    retries: int = 2  # further tries after a transient failure
    backoff: float = 1.0  # seconds; doubles on each retry
    max_bytes: int = 50 * 1024 * 1024
    max_redirects: int = 5
    respect_robots: bool = True
    # Loopback, private and link-local addresses: allowed from the command line; the web app refuses them,
    # so a form cannot make the server fetch from its own network.
    allow_private: bool = True


@dataclass
class Response:
    url: str  # the final URL, after redirects
    status: int
    headers: dict[str, str]
    content: bytes
    fetched_at: dt.datetime
    redirects: list[str] = field(default_factory=list)  # the URLs redirected from, in order

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class Fetcher:
    """One HTTP client for a whole collection run (``with Fetcher(settings) as f: f.get(url)``).

    ``sleep`` and ``clock`` are injectable so tests never wait on real time."""

    def __init__(
        self,
        settings: FetchSettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
    ):
        self.settings = settings or FetchSettings()
        self.sleep = sleep
        self.clock = clock
        self.client = httpx.Client(
            headers={"User-Agent": self.settings.user_agent},
            timeout=self.settings.timeout,
            follow_redirects=False,
            transport=transport,
        )
        self._robots: dict[str, Protego | None] = {}
        self._next: dict[str, float] = {}  # host → earliest time of its next request

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ public

    def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """GET ``url`` following redirects; raises ``FetchError`` (robots.txt, HTTP error, timeout, size)."""
        chain: list[str] = []
        current = url
        for _ in range(self.settings.max_redirects + 1):
            self._check_url(current)
            self._check_robots(current)
            resp = self._get_retrying(current, headers)
            if resp.status in (301, 302, 303, 307, 308) and "location" in resp.headers:
                chain.append(current)
                current = urljoin(current, resp.headers["location"])
                continue
            if resp.status == 304:
                resp.redirects = chain
                return resp
            if resp.status >= 400:
                raise FetchError(_http_reason(resp.status))
            resp.redirects = chain
            return resp
        raise FetchError(f"重定向次数过多（超过 {self.settings.max_redirects} 次）")

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets this client fetch ``url``."""
        if not self.settings.respect_robots:
            return True
        rules = self._rules(url)
        return rules is not None and rules.can_fetch(url, self.settings.user_agent)

    # ------------------------------------------------------------------ robots.txt

    def _check_url(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"不是 http(s) 地址（not an http(s) URL: {url}）")
        if not self.settings.allow_private and _private_host(parts.hostname, parts.port):
            raise FetchError("不采集本机或内网地址（loopback or private address refused）")

    def _check_robots(self, url: str) -> None:
        if not self.settings.respect_robots:
            return
        rules = self._rules(url)
        if rules is None:
            raise FetchError("无法获取该网站的 robots.txt，按规定不抓取（robots.txt unreachable）")
        if not rules.can_fetch(url, self.settings.user_agent):
            raise FetchError("robots.txt 禁止抓取此地址（disallowed by robots.txt）")

    def _rules(self, url: str) -> Protego | None:
        """The site's robots.txt rules; an absent one (4xx) allows everything, an unreachable one (5xx,
        network error) allows nothing (RFC 9309)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            rules: Protego | None
            try:
                resp = self._get_retrying(origin + "/robots.txt", None)
            except FetchError:
                rules = None
            else:
                if resp.status >= 500:
                    rules = None
                elif resp.status >= 400 or resp.status in (301, 302, 303, 307, 308):
                    rules = Protego.parse("")
                else:
                    rules = Protego.parse(resp.content.decode("utf-8", errors="replace"))
            self._robots[origin] = rules
        return self._robots[origin]

    # ------------------------------------------------------------------ one request

    def _get_retrying(self, url: str, headers: dict[str, str] | None) -> Response:
        s = self.settings
        retrying = Retrying(
            stop=stop_after_attempt(s.retries + 1),
            wait=wait_exponential(multiplier=s.backoff, max=60),
            retry=retry_if_exception_type(_Transient),
            sleep=self.sleep,
            reraise=False,
        )
        try:
            return retrying(self._get_once, url, headers)
        except RetryError as e:
            reason = e.last_attempt.exception()
            raise FetchError(getattr(reason, "reason", str(reason))) from None

    def _get_once(self, url: str, headers: dict[str, str] | None) -> Response:
        self._wait_turn(url)
        try:
            with self.client.stream("GET", url, headers=headers) as resp:
                if resp.status_code in RETRY_STATUSES:
                    raise _Transient(_http_reason(resp.status_code))
                content = self._body(resp)
                return Response(
                    url=url,
                    status=resp.status_code,
                    headers={k.lower(): v for k, v in resp.headers.items()},
                    content=content,
                    fetched_at=dt.datetime.now(dt.UTC),
                )
        except httpx.TimeoutException:
            raise _Transient(f"超时（{self.settings.timeout:g} 秒内无响应；timed out）") from None
        except (httpx.TransportError, httpx.DecodingError) as e:
            raise _Transient(f"连接失败（connection failed: {type(e).__name__}: {e}）") from None

    def _body(self, resp: httpx.Response) -> bytes:
        limit = self.settings.max_bytes
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchError(_too_big(limit))
        chunks, size = [], 0
        for chunk in resp.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise FetchError(_too_big(limit))
            chunks.append(chunk)
        return b"".join(chunks)

    def _wait_turn(self, url: str) -> None:
        """Keep at least ``interval`` (or the robots.txt Crawl-delay) between two requests to one host."""
        host = urlsplit(url).netloc
        now = self.clock()
        due = self._next.get(host, now)
        if due > now:
            self.sleep(due - now)
            now = due
        self._next[host] = now + self._interval(url)

    def _interval(self, url: str) -> float:
        interval = self.settings.interval
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        rules = self._robots.get(origin)
        delay = rules.crawl_delay(self.settings.user_agent) if rules is not None else None
        return max(interval, float(delay or 0))


def _private_host(host: str, port: int | None) -> bool:
    """Whether ``host`` is or resolves to a loopback, private, link-local or reserved address."""
    import ipaddress
    import socket

    try:
        infos = socket.getaddrinfo(host, port or 80, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return False  # unresolvable: the request fails on its own
    for info in infos:
        addr = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved or addr.is_multicast:
            return True
    return False


def _http_reason(status: int) -> str:
    known = {404: "页面不存在", 403: "禁止访问", 410: "页面已删除", 429: "请求过于频繁", 500: "服务器错误"}
    label = known.get(status, "服务器错误" if status >= 500 else "请求失败")
    return f"HTTP {status} {label}"


def _too_big(limit: int) -> str:
    return f"文件过大（超过 {limit / 1024 / 1024:g} MB；size limit）"
