from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

CORPUS = Path(__file__).parents[2].parent / "shared" / "corpus"
SEED = CORPUS / "seeds" / "000_f01d4dbb51cf7cd1.txt"


@pytest.fixture()
def seed_bytes() -> bytes:
    if not SEED.is_file():
        pytest.skip("shared corpus not available")
    return SEED.read_bytes()


_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class CsrfClient(TestClient):
    """A TestClient that sends the CSRF token with every state-changing request, as the pages' forms and
    scripts do (read from ``<meta name="csrf-token">``, bound to this client's cookie)."""

    def request(self, method: str, url, **kw):  # type: ignore[override]
        if method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
            headers = dict(kw.pop("headers", None) or {})
            headers.setdefault("X-CSRF-Token", self.csrf_token())
            kw["headers"] = headers
        return super().request(method, url, **kw)

    def csrf_token(self) -> str:
        page = super().request("GET", "/login")
        m = _TOKEN.search(page.text)
        assert m, "no csrf-token meta on the login page"
        return m.group(1)


# ---------------------------------------------------------------------- the real app in a real browser

CHROMIUM = Path("/usr/bin/chromium")  # Debian's chromium: Playwright never downloads a browser here
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(app) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    uvicorn = pytest.importorskip("uvicorn")
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{srv.config.port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's) through Playwright, one per test module; skipped where one is missing."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    pw = sync_api.sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
    except Exception as e:
        pw.stop()
        pytest.skip(f"chromium does not start: {e}")
    yield b
    b.close()
    pw.stop()


def log_in(page, base: str, name: str, password: str) -> None:
    """Log in with a user name (``/account/login``) and wait to be sent on."""
    page.goto(f"{base}/account/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("#account-login button[type=submit]")
    page.wait_for_url(lambda url: "/account/login" not in url)


@pytest.fixture()
def open_page(browser) -> Iterator[Callable[..., Any]]:
    """Opens pages, each in a fresh browser context (zh-CN, 1440×900, downloads allowed), closed after the
    test: ``open_page()``, or ``open_page(login=(base, name, password))`` for a page already logged in."""
    contexts = []

    def make(login: tuple[str, str, str] | None = None, timeout: float = 30_000, **context: Any):
        options = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN", "accept_downloads": True}
        ctx = browser.new_context(**(options | context))
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(timeout)
        if login is not None:
            log_in(page, *login)
        return page

    yield make
    for ctx in contexts:
        ctx.close()


DOCS_SHOTS = Path(__file__).parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Iterator[Path]:
    """A temporary folder for a module's screenshots, copied to docs/screenshots/ afterwards only when
    ``GONGKAI_SCREENSHOTS_TO_DOCS=1`` (tests never rewrite tracked files otherwise)."""
    folder = tmp_path_factory.mktemp("screenshots")
    yield folder
    if os.environ.get("GONGKAI_SCREENSHOTS_TO_DOCS") == "1":
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        for p in folder.glob("*.png"):
            shutil.copy(p, DOCS_SHOTS / p.name)
