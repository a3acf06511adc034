"""Login and logout for the optional shared password: server-side sessions (revoked at logout), failed
attempts throttled per client with back-off."""

from __future__ import annotations

import math

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from gongkai.store.sessions import open_session, revoke_session
from gongkai.web.auth import COOKIE, password_ok
from gongkai.web.common import local_target, render
from gongkai.web.security import CSRF_COOKIE, new_seed

router = APIRouter()


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/"):
    return render(request, "login.html", next=local_target(next), failed=False)


@router.post("/login")
async def login(request: Request):
    state = request.app.state
    form = await request.form(max_files=0, max_fields=4)
    given = str(form.get("password") or "")
    target = local_target(str(form.get("next") or "/"))
    client = _client(request)
    wait = state.login_throttle.wait(client)
    if wait > 0:
        resp = render(request, "login.html", status_code=429, next=target, failed=False, wait=math.ceil(wait))
        resp.headers["Retry-After"] = str(math.ceil(wait))
        return resp
    if not state.password or not given.strip() or not password_ok(given, state.password):
        state.login_throttle.failed(client)
        return render(request, "login.html", status_code=401, next=target, failed=True)
    state.login_throttle.succeeded(client)
    old = request.cookies.get(COOKIE)
    if old:
        await run_in_threadpool(revoke_session, state.store, old)
    token = await run_in_threadpool(open_session, state.store, state.signer.max_age, client=client)
    redirect = RedirectResponse(target, status_code=303)
    secure = request.url.scheme == "https"
    max_age = state.signer.max_age
    redirect.set_cookie(COOKIE, token, max_age=max_age, httponly=True, samesite="strict", secure=secure)
    # a new CSRF seed after login: a token planted before it cannot be used afterwards
    redirect.set_cookie(CSRF_COOKIE, new_seed(), httponly=True, samesite="strict", secure=secure)
    return redirect


@router.post("/logout")
async def logout(request: Request):
    await run_in_threadpool(revoke_session, request.app.state.store, request.cookies.get(COOKIE))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp
