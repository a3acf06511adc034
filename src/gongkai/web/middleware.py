"""HTTP middleware and error handlers: the one guard every request passes (Host allow-list, login gate,
CSRF check, security headers), and errors as pages or JSON."""

from __future__ import annotations

import hmac
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from gongkai.store.sessions import session_of
from gongkai.web.auth import COOKIE
from gongkai.web.common import render
from gongkai.web.security import (
    CSRF_COOKIE,
    STATE_CHANGING,
    given_token,
    host_allowed,
    new_seed,
    same_origin,
    token_for,
    valid_seed,
)

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
_FORM_TOKEN_MAX_BODY = 64 * 1024 * 1024  # a form whose token is in the body is read here up to this size


async def guard(request: Request, call_next):
    """Host allow-list; with a password, a live server-side session for everything but ``/static/`` and
    ``/login``; a CSRF token and same-origin check on every state-changing request; security headers."""
    state = request.app.state
    if not host_allowed(request.headers.get("host"), state.allowed_hosts):
        return PlainTextResponse("主机名不被允许 (host not allowed)", status_code=400)
    path = request.url.path
    seed = request.cookies.get(CSRF_COOKIE)
    fresh_seed = None if seed is not None and valid_seed(seed) else new_seed()
    request.state.csrf_token = token_for(state.signer.key, fresh_seed or seed or "")
    request.state.session = None
    token = request.cookies.get(COOKIE)
    if token and not path.startswith("/static/"):  # the shared password's session, or a user's
        request.state.session = await run_in_threadpool(session_of, state.store, token)
    open_path = path.startswith("/static/") or path == "/login"
    if state.password and not open_path and request.state.session is None:
        if path.startswith(("/api/", "/export/")) or request.method != "GET":
            return JSONResponse({"error": "需要登录 (login required)"}, status_code=401)
        return RedirectResponse(f"/login?next={quote(path)}", status_code=303)
    if request.method in STATE_CHANGING:
        refused = await _csrf_refusal(request, fresh_seed is None)
        if refused:
            return refused
    response = await call_next(request)
    if fresh_seed:
        response.set_cookie(
            CSRF_COOKIE, fresh_seed, httponly=True, samesite="strict", secure=request.url.scheme == "https"
        )
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if state.password and not path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


async def _csrf_refusal(request: Request, had_seed: bool) -> JSONResponse | None:
    if not same_origin(request):
        return JSONResponse({"error": "跨站请求被拒绝 (cross-site request refused)"}, status_code=403)
    given = await given_token(request, _FORM_TOKEN_MAX_BODY)
    if not had_seed or not given or not hmac.compare_digest(given, request.state.csrf_token):
        return JSONResponse(
            {"error": "安全令牌无效，请刷新页面后重试 (missing or invalid CSRF token)"}, status_code=403
        )
    return None


async def http_error(request: Request, exc: HTTPException):
    """JSON under ``/api/``, an error page elsewhere."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
    return render(request, "error.html", status_code=exc.status_code, code=exc.status_code, detail=exc.detail)
