"""Login and logout for the optional shared password."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from gongkai.web.auth import COOKIE, password_ok
from gongkai.web.common import local_target, render

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/"):
    return render(request, "login.html", next=local_target(next), failed=False)


@router.post("/login")
async def login(request: Request):
    state = request.app.state
    form = await request.form(max_files=0, max_fields=4)
    given = str(form.get("password") or "")
    target = local_target(str(form.get("next") or "/"))
    if not state.password or not password_ok(given, state.password):
        return render(request, "login.html", status_code=401, next=target, failed=True)
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(
        COOKIE,
        state.signer.issue(),
        max_age=state.signer.max_age,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return resp


@router.post("/logout")
def logout():
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp
