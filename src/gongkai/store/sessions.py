"""Server-side web sessions: opened at login, checked on every request, revoked at logout and when the
password changes. The cookie carries a random token; the database keeps only its sha256.

``user_id`` and ``role`` stay empty for the shared password (it acts as admin); account support attaches
them with `attach_user`, and revokes a user's sessions with ``revoke_sessions(store, user_id=...)``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select, update

from gongkai.store import schema as S
from gongkai.store.db import Store

__all__ = [
    "attach_user",
    "open_session",
    "remember_password",
    "revoke_session",
    "revoke_sessions",
    "session_of",
]

_TOUCH_EVERY = timedelta(minutes=1)  # last_seen is written at most this often per session


def _now() -> datetime:
    return datetime.now(UTC)


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(t: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: they were stored as UTC."""
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


def open_session(
    store: Store, max_age: int, *, user_id: int | None = None, role: str | None = None, client: str = ""
) -> str:
    """A new session lasting ``max_age`` seconds; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = _now()
    with store.engine.begin() as c:
        c.execute(
            insert(S.sessions).values(
                id=_key(token),
                user_id=user_id,
                role=role,
                created_at=now,
                last_seen=now,
                expires_at=now + timedelta(seconds=max_age),
                client=(client or "")[:64],
            )
        )
        c.execute(delete(S.sessions).where(S.sessions.c.expires_at < now - timedelta(days=30)))
    return token


def session_of(store: Store, token: str | None) -> dict | None:
    """The live session of ``token`` (id, user_id, role, created_at …), or None when unknown, expired or
    revoked."""
    if not token or len(token) > 200:
        return None
    now = _now()
    with store.engine.connect() as c:
        row = c.execute(select(S.sessions).where(S.sessions.c.id == _key(token))).mappings().first()
    expires, last_seen = _aware(row["expires_at"]) if row else None, _aware(row["last_seen"]) if row else None
    if row is None or row["revoked_at"] is not None or expires is None or expires <= now:
        return None
    if last_seen is None or now - last_seen > _TOUCH_EVERY:
        with store.engine.begin() as c:
            c.execute(update(S.sessions).where(S.sessions.c.id == row["id"]).values(last_seen=now))
    return dict(row)


def revoke_session(store: Store, token: str | None) -> None:
    if not token:
        return
    with store.engine.begin() as c:
        c.execute(
            update(S.sessions)
            .where(S.sessions.c.id == _key(token), S.sessions.c.revoked_at.is_(None))
            .values(revoked_at=_now())
        )


def revoke_sessions(store: Store, *, user_id: int | None = None) -> int:
    """Revoke the sessions of ``user_id``, or those of the shared password when it is None; returns how
    many."""
    cond = S.sessions.c.user_id.is_(None) if user_id is None else S.sessions.c.user_id == user_id
    with store.engine.begin() as c:
        res = c.execute(
            update(S.sessions).where(cond, S.sessions.c.revoked_at.is_(None)).values(revoked_at=_now())
        )
    return res.rowcount or 0


def attach_user(store: Store, token: str, user_id: int, role: str) -> None:
    """Mark a session as a user's (for account logins)."""
    with store.engine.begin() as c:
        c.execute(update(S.sessions).where(S.sessions.c.id == _key(token)).values(user_id=user_id, role=role))


# ---------------------------------------------------------------- the shared password


def _verifier(password: str, salt: bytes) -> str:
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def _matches(password: str, stored: str) -> bool:
    try:
        kind, salt, _ = stored.split("$")
    except ValueError:
        return False
    return kind == "scrypt" and hmac.compare_digest(_verifier(password, bytes.fromhex(salt)), stored)


def remember_password(store: Store, password: str | None) -> bool:
    """Record the shared password the server runs with (as a salted scrypt verifier). When it differs from
    the one recorded before, every session it opened is revoked. Returns True when sessions were revoked."""
    if not password:
        return False
    with store.engine.connect() as c:
        stored = c.execute(
            select(S.app_settings.c.value).where(S.app_settings.c.key == "shared_password")
        ).scalar()
    if stored is not None and _matches(password, stored):
        return False
    value = _verifier(password, secrets.token_bytes(16))
    with store.engine.begin() as c:
        c.execute(delete(S.app_settings).where(S.app_settings.c.key == "shared_password"))
        c.execute(insert(S.app_settings).values(key="shared_password", value=value))
    return stored is not None and revoke_sessions(store) >= 0
