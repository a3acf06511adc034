"""HTTP middleware and error handlers: the login gate, security headers, errors as pages or JSON."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse

from gongkai.web.auth import COOKIE
from gongkai.web.common import render

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


async def guard(request: Request, call_next):
    """With a password set, everything but ``/static/`` and ``/login`` needs a valid session cookie."""
    state = request.app.state
    path = request.url.path
    open_path = path.startswith("/static/") or path == "/login"
    if state.password and not open_path and not state.signer.valid(request.cookies.get(COOKIE)):
        if path.startswith(("/api/", "/export/")) or request.method != "GET":
            return JSONResponse({"error": "需要登录 (login required)"}, status_code=401)
        return RedirectResponse(f"/login?next={quote(path)}", status_code=303)
    response = await call_next(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


async def http_error(request: Request, exc: HTTPException):
    """JSON under ``/api/``, an error page elsewhere."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
    return render(request, "error.html", status_code=exc.status_code, code=exc.status_code, detail=exc.detail)
