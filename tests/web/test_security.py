"""Web on a network: CSRF (token and Origin/Referer) on every state-changing route, the Host allow-list,
server-side sessions (logout and a password change revoke them), the login throttle, blank passwords
refused, no-store on authenticated pages, 404 for absurd ids, originals only from the stored copy."""

from __future__ import annotations

import pytest

from gongkai.errors import InputError
from gongkai.web import create_app
from gongkai.web.auth import COOKIE
from gongkai.web.routes import ROUTERS
from gongkai.web.security import LoginThrottle, default_allowed_hosts
from tests.clirunner import CliRunner
from tests.web.conftest import CsrfClient, TestClient

STATE_CHANGING_ROUTES = [
    (r.path, method)
    for router in ROUTERS
    for r in router.routes
    for method in sorted(getattr(r, "methods", None) or ())
    if method in ("POST", "PUT", "PATCH", "DELETE")
]


def make_app(tmp_path, **kw):
    return create_app(f"sqlite:///{tmp_path / 'web.db'}", files_dir=tmp_path / "files", **kw)


def upload(client: TestClient, data: bytes, **kw):
    return client.post("/api/upload", files=[("files", ("r.txt", data))], **kw)


def test_every_state_changing_route_needs_the_token(tmp_path):
    assert {("/api/upload", "POST"), ("/login", "POST")} <= set(STATE_CHANGING_ROUTES)
    client = TestClient(make_app(tmp_path))
    client.get("/")  # the browser has the CSRF cookie, but the request does not carry the token
    for path, method in STATE_CHANGING_ROUTES:
        r = client.request(method, path.replace("{", "").replace("}", ""), data={"x": "1"})
        assert r.status_code == 403, path
        assert "CSRF" in r.json()["error"]


def test_upload_with_token_header_or_form_field(tmp_path, seed_bytes):
    client = CsrfClient(make_app(tmp_path))
    assert upload(client, seed_bytes).status_code == 200
    token = client.csrf_token()
    plain = TestClient(client.app, cookies=client.cookies)
    r = plain.post(
        "/api/upload", data={"csrf_token": token}, files=[("files", ("a.txt", seed_bytes + b"\n"))]
    )
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["status"] in ("ok", "problems")
    assert upload(plain, seed_bytes, headers={"X-CSRF-Token": "0" * 64}).status_code == 403


def test_token_of_another_browser_is_refused(tmp_path, seed_bytes):
    app = make_app(tmp_path)
    mine, theirs = CsrfClient(app), CsrfClient(app)
    token = theirs.csrf_token()
    mine.get("/")
    assert upload(mine, seed_bytes, headers={"X-CSRF-Token": token}).status_code == 403


def test_cross_origin_refused_even_with_token(tmp_path, seed_bytes):
    client = CsrfClient(make_app(tmp_path))
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Referer": "http://evil.example/x"},
    ):
        r = upload(client, seed_bytes, headers=headers)
        assert r.status_code == 403 and "跨站" in r.json()["error"], headers
    assert upload(client, seed_bytes, headers={"Origin": "http://testserver"}).status_code == 200


def test_host_allow_list(tmp_path):
    client = CsrfClient(make_app(tmp_path, allowed_hosts=["127.0.0.1", "localhost"]))
    assert client.get("/").status_code == 400  # TestClient says Host: testserver, as a rebinding page would
    assert client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/", headers={"Host": "localhost"}).status_code == 200
    assert client.get("/", headers={"Host": "attacker.example:8000"}).status_code == 400
    assert {"127.0.0.1", "localhost"} <= default_allowed_hosts("127.0.0.1")
    assert default_allowed_hosts("192.0.2.7") == {"192.0.2.7"}


def login(client: CsrfClient, password: str):
    return client.post("/login", data={"password": password, "next": "/reports"}, follow_redirects=False)


def test_logout_revokes_the_session_server_side(tmp_path):
    client = CsrfClient(make_app(tmp_path, password="s3cret"))
    assert login(client, "s3cret").status_code == 303
    stolen = client.cookies.get(COOKIE)
    assert client.get("/reports").status_code == 200
    r = client.get("/reports")
    assert r.headers["cache-control"] == "no-store"
    assert client.post("/logout", follow_redirects=False).status_code == 303
    replay = TestClient(client.app, cookies={COOKIE: stolen})
    assert replay.get("/reports", follow_redirects=False).status_code == 303


def test_password_change_invalidates_old_sessions(tmp_path):
    client = CsrfClient(make_app(tmp_path, password="old-pw"))
    assert login(client, "old-pw").status_code == 303
    cookie = client.cookies.get(COOKIE)
    same = TestClient(make_app(tmp_path, password="old-pw"), cookies={COOKIE: cookie})
    assert same.get("/reports", follow_redirects=False).status_code == 200  # a restart keeps sessions
    changed = TestClient(make_app(tmp_path, password="new-pw"), cookies={COOKIE: cookie})
    assert changed.get("/reports", follow_redirects=False).status_code == 303


def test_login_throttled_with_back_off(tmp_path):
    client = CsrfClient(make_app(tmp_path, password="s3cret"))
    for _ in range(5):
        assert login(client, "wrong").status_code == 401
    r = login(client, "s3cret")  # even the right password must wait now
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1


def test_throttle_doubles_and_forgets():
    now = [0.0]
    t = LoginThrottle(free=2, max_wait=60, clock=lambda: now[0])
    for _ in range(2):
        assert t.wait("a") == 0
        t.failed("a")
    t.failed("a")
    assert t.wait("a") == 2.0 and t.wait("b") == 0
    now[0] = 2.0
    assert t.wait("a") == 0
    t.failed("a")
    assert t.wait("a") == 4.0
    for _ in range(20):
        t.failed("a")
    assert t.wait("a") == 60
    t.succeeded("a")
    assert t.wait("a") == 0


def test_blank_passwords_refused(tmp_path):
    with pytest.raises(InputError):
        make_app(tmp_path, password="   ")
    client = CsrfClient(make_app(tmp_path, password="s3cret"))
    assert login(client, "").status_code == 401
    assert login(client, "   ").status_code == 401


def test_serve_refuses_unsafe_setups():
    from gongkai.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["serve", "--password", "  "])
    assert r.exit_code == 2 and "密码不能为空" in r.stderr
    r = runner.invoke(app, ["serve", "--host", "0.0.0.0"])
    assert r.exit_code == 2 and "--insecure" in r.stderr


def test_huge_report_number_is_404(tmp_path):
    client = CsrfClient(make_app(tmp_path))
    for path in (
        "/report/99999999999999999999999",
        "/report/0",
        "/report/-1",
        "/report/9223372036854775808/original",
    ):
        assert client.get(path).status_code == 404, path
    assert client.get("/report/99999999999999999999999/page/1.png").status_code == 404


def test_original_only_from_the_stored_copy(tmp_path, seed_bytes):
    from gongkai.store import ingest

    doc = tmp_path / "on-disk.txt"
    doc.write_bytes(seed_bytes)
    ingest([doc], f"sqlite:///{tmp_path / 'web.db'}", workers=1)
    client = CsrfClient(make_app(tmp_path))
    assert client.get("/report/1/original").status_code == 404  # the recorded disk path is not served
    assert upload(client, seed_bytes).status_code == 200  # the same bytes uploaded: now there is a copy
    assert client.get("/report/1/original").content == seed_bytes


def test_reports_list_is_paginated(tmp_path, seed_bytes):
    client = CsrfClient(make_app(tmp_path))
    for i in range(3):
        assert upload(client, seed_bytes + f"\n第{i}份。\n".encode()).status_code == 200
    from gongkai.web.routes import review

    page = client.get("/reports")
    assert page.status_code == 200 and "共 3 份报告" in page.text
    old = review.PAGE_SIZE
    try:
        review.PAGE_SIZE = 2
        review.paginate.__defaults__ = (2,)
        first, second = client.get("/reports"), client.get("/reports?page=2")
    finally:
        review.PAGE_SIZE = old
        review.paginate.__defaults__ = (old,)
    assert first.text.count('href="/report/') == 2 and "第 1 / 2 页" in first.text
    assert second.text.count('href="/report/') == 1
