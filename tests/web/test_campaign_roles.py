"""Roles and CSRF on the review campaign's routes: a read-only user changes nothing, a reviewer cannot manage
users, a change without a CSRF token is refused; the shared password and a local install act as admin."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("argon2")
from fastapi.testclient import TestClient

from gongkai.review.accounts import add_user, users
from gongkai.web import create_app

LOGIN_ROUTES = ("/login", "/logout", "/account/login", "/account/logout")  # logging in or out changes no data
TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture()
def app(tmp_path, seed_bytes):
    from gongkai.store import ingest

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "seed.txt").write_bytes(seed_bytes)
    url = f"sqlite:///{tmp_path / 'w.db'}"
    ingest([tmp_path / "docs"], url, workers=1)
    for name, role in (("boss", "admin"), ("rev", "reviewer"), ("ro", "readonly")):
        add_user(url, name, f"{name}-password", role)
    return create_app(url, files_dir=tmp_path / "files", password="")


def token_of(html: str) -> str:
    return TOKEN.search(html).group(1)


def login(app, name: str) -> tuple[TestClient, str]:
    client = TestClient(app)
    token = token_of(client.get("/account/login").text)
    data = {"name": name, "password": f"{name}-password", "csrf_token": token}
    r = client.post("/account/login", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/campaign/versions")
    assert page.status_code == 200
    return client, token_of(page.text)


def _routes(routes):
    for route in routes:
        inner = getattr(route, "original_router", None) or getattr(route, "router", None)
        if inner is not None and hasattr(inner, "routes"):
            yield from _routes(inner.routes)
        else:
            yield route


def changing_routes(app) -> list[str]:
    out = []
    for route in _routes(app.routes):
        methods = getattr(route, "methods", set()) or set()
        if methods & {"POST", "PUT", "PATCH", "DELETE"} and route.path not in LOGIN_ROUTES:
            out.append(route.path)
    return out


def concrete(path: str) -> str:
    return path.replace("{report_id}", "1").replace("{action}", "withdraw")


def test_readonly_user_changes_nothing(app):
    client, good = login(app, "ro")  # a valid token: only the role refuses
    routes = changing_routes(app)
    assert "/campaign/review" in routes and "/campaign/users" in routes and "/api/upload" in routes
    for path in routes:
        r = client.post(
            concrete(path),
            data={"csrf_token": good, "action": "confirm", "code": "T"},
            headers={"X-CSRF-Token": good},
            follow_redirects=False,
        )
        assert r.status_code in (401, 403), (path, r.status_code)
    from gongkai.review import findings_for_review

    assert all(f.state == "pending" for f in findings_for_review(app.state.store))


def test_reviewer_reviews_but_cannot_manage_users(app):
    client, token = login(app, "rev")
    r = client.post(
        "/campaign/review",
        data={"csrf_token": token, "action": "confirm", "scope": "filter", "year": ""},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert client.get("/campaign/users").status_code == 403
    r = client.post(
        "/campaign/users",
        data={
            "csrf_token": token,
            "action": "add",
            "name": "eve",
            "password": "eve-password",
            "role": "admin",
        },
    )
    assert r.status_code == 403
    assert "eve" not in [u.name for u in users(app.state.store)]
    log = client.get("/campaign/activity").text
    assert "确认问题" in log and "rev" in log


def test_change_without_csrf_token_is_refused(app):
    client, token = login(app, "boss")
    r = client.post(
        "/campaign/users",
        data={"action": "add", "name": "eve", "password": "eve-password", "role": "reviewer"},
    )
    assert r.status_code == 403
    r = client.post(
        "/campaign/users",
        data={
            "csrf_token": "forged",
            "action": "add",
            "name": "eve",
            "password": "eve-password",
            "role": "reviewer",
        },
    )
    assert r.status_code == 403
    r = client.post(
        "/campaign/users",
        data={
            "csrf_token": token,
            "action": "add",
            "name": "eve",
            "password": "eve-password",
            "role": "reviewer",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and "eve" in [u.name for u in users(app.state.store)]


def test_shared_password_acts_as_admin(tmp_path, seed_bytes):
    app = create_app(f"sqlite:///{tmp_path / 's.db'}", files_dir=tmp_path / "f", password="team-secret")
    client = TestClient(app)
    token = token_of(client.get("/login").text)
    data = {"password": "team-secret", "next": "/", "csrf_token": token}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    page = client.get("/campaign/users")
    assert page.status_code == 200 and "共享密码" in page.text
    data = {
        "csrf_token": token_of(page.text),
        "action": "add",
        "name": "rev",
        "password": "rev-password",
        "role": "reviewer",
    }
    assert client.post("/campaign/users", data=data, follow_redirects=False).status_code == 303
    assert [u.name for u in users(app.state.store)] == ["rev"]


def test_disabling_a_user_ends_their_session(app):
    client, _ = login(app, "rev")
    boss, boss_token = login(app, "boss")
    data = {"csrf_token": boss_token, "action": "disable", "name": "rev"}
    assert boss.post("/campaign/users", data=data, follow_redirects=False).status_code == 303
    page = client.get("/campaign/review")
    assert "未登录" in page.text
