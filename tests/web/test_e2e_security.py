"""In a real browser (headless Chromium): log in and out with the shared password, and a page of another
origin that posts a form to the app is refused (CSRF). Also the real `gongkai serve`: no Server banner,
the Host header checked."""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from gongkai.web import create_app
from tests.web.conftest import free_port, running


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("websec")
    app = create_app(f"sqlite:///{tmp / 'sec.db'}", files_dir=tmp / "files", password="s3cret-pw")
    with running(app) as url:
        yield url


@pytest.fixture(scope="module")
def evil_site(app_server):
    """Another origin (another port) whose page posts a logout and an upload to the app."""
    page = f"""<!doctype html><meta charset="utf-8"><body>
    <form id="f" method="post" action="{app_server}/logout"><input name="csrf_token" value="guess"></form>
    <form id="u" method="post" action="{app_server}/api/upload" enctype="multipart/form-data">
    <input name="csrf_token" value="guess"></form></body>""".encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


@pytest.fixture()
def page(open_page):
    return open_page()


def log_in(page, base: str, password: str):
    page.goto(base + "/reports")
    assert "/login" in page.url
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("section.login button[type=submit]")


def test_login_and_logout(page, app_server):
    log_in(page, app_server, "wrong")
    assert page.locator("text=密码不正确").is_visible()
    assert "/login" in page.url
    log_in(page, app_server, "s3cret-pw")
    page.wait_for_url(app_server + "/reports")
    response = page.goto(app_server + "/reports")
    assert response.status == 200 and response.headers["cache-control"] == "no-store"
    page.click("form.logout button")
    page.wait_for_url("**/login")
    page.goto(app_server + "/reports")
    assert "/login" in page.url


def test_cross_origin_form_refused(page, app_server, evil_site):
    log_in(page, app_server, "s3cret-pw")
    page.wait_for_url(app_server + "/reports")
    page.goto(evil_site)
    with page.expect_navigation():
        page.evaluate("document.getElementById('f').submit()")
    assert "跨站请求被拒绝" in page.content() or "CSRF" in page.content()
    page.goto(evil_site)
    with page.expect_navigation():
        page.evaluate("document.getElementById('u').submit()")
    assert "跨站请求被拒绝" in page.content() or "CSRF" in page.content()
    response = page.goto(app_server + "/reports")  # still logged in: the forged logout did nothing
    assert response.status == 200 and "/login" not in page.url


def test_upload_page_sends_the_token(page, app_server, tmp_path):
    log_in(page, app_server, "s3cret-pw")
    page.wait_for_url(app_server + "/reports")
    page.goto(app_server + "/")
    doc = tmp_path / "note.txt"
    doc.write_text("这不是年报。", encoding="utf-8")
    page.set_input_files("#file-input", [str(doc)])
    page.wait_for_selector("body[data-upload=done]")
    assert "安全令牌" not in page.content() and "HTTP 403" not in page.content()


def test_serve_has_no_banner_and_checks_host(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gongkai.cli", "serve", "--db", str(tmp_path / "s.db"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    assert r.status == 200 and r.headers.get("server") is None
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        req = urllib.request.Request(url, headers={"Host": "rebound.example"})
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=5)
        assert e.value.code == 400
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
