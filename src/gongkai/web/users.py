"""Who is asking, and may they: the user and role of a request, on the server-side sessions of
``gongkai.store.sessions`` (the middleware loads ``request.state.session``; it also checks every
state-changing request's CSRF token, so the review routes check only the role).

Modes, simplest first: no password and no users (a local install: everyone is admin); the single shared
password (its session has no user and acts as admin); users with roles (``gongkai user add``), logged in at
``/account/login`` (their session carries the user id; the role is read from the users table, so a change
takes effect at once). Someone not logged in where users exist may read, not change.
"""

from __future__ import annotations

from fastapi import HTTPException, Request

from gongkai.review.accounts import ADMIN, READONLY, can, user_by_id, user_count

SHARED = "共享密码"
LOCAL = "本机"


def current_user(request: Request) -> tuple[str | None, str]:
    """``(name, role)`` of the request; ``(None, "readonly")`` for someone not logged in where users exist."""
    state = request.app.state
    session = getattr(request.state, "session", None)
    if session:
        if session.get("user_id") is None:
            return SHARED, ADMIN
        user = user_by_id(state.store, session["user_id"])
        if user is not None and user.active:
            return user.name, user.role
    if not state.password and not user_count(state.store):
        return LOCAL, ADMIN
    return None, READONLY


def install(templates) -> None:
    templates.globals["current_user"] = current_user


def require_role(request: Request, right: str) -> str | None:
    """Refuse (403) a request whose user lacks ``right``; returns the user's name for the activity log."""
    name, role = current_user(request)
    if not can(role, right):
        raise HTTPException(403, "没有权限 (not allowed for this account)")
    return name


async def require(request: Request, right: str) -> str | None:
    return require_role(request, right)


def log_activity(request: Request, user: str | None, action: str, target: str | None = None, **detail):
    from gongkai.review.common import log

    with request.app.state.store.engine.begin() as c:
        log(c, user, action, target, **detail)
