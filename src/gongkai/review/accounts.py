"""Accounts: users with a role — admin (everything, users included), reviewer (reviews, versions, roster,
uploads, publication metadata), readonly (reads only) — with argon2 password hashes, and the activity log.

>>> add_user("sqlite:///gongkai.db", "zhang", "s3cret-pass", "reviewer")
>>> authenticate("sqlite:///gongkai.db", "zhang", "s3cret-pass").role
'reviewer'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update

from gongkai.errors import InputError
from gongkai.review.common import as_utc, log, now, opened
from gongkai.store import schema as S

__all__ = [
    "ROLES",
    "ROLE_LABELS",
    "User",
    "activity",
    "add_user",
    "authenticate",
    "can",
    "set_password",
    "set_role",
    "users",
]

ADMIN, REVIEWER, READONLY = "admin", "reviewer", "readonly"
ROLES = (ADMIN, REVIEWER, READONLY)
ROLE_LABELS = {ADMIN: "管理员", REVIEWER: "审核员", READONLY: "只读"}
MIN_PASSWORD = 8
# What each role may do; ``manage_users`` is the admin's alone.
_RIGHTS = {ADMIN: {"read", "change", "manage_users"}, REVIEWER: {"read", "change"}, READONLY: {"read"}}
ACTION_LABELS = {
    "confirmed": "确认问题",
    "dismissed": "驳回问题",
    "pending": "重置为待核",
    "withdraw": "撤回版本",
    "restore": "恢复版本",
    "pick": "指定当前版本",
    "upload": "上传",
    "collect": "采集",
    "roster_import": "导入名录",
    "roster_match": "手动匹配名录",
    "score": "评分",
    "compare": "与其他单位比对",
    "publication": "修改发布信息",
    "user_add": "添加用户",
    "user_role": "修改角色",
    "user_password": "修改密码",
    "user_active": "启用/停用用户",
    "login": "登录",
}


@dataclass
class User:
    id: int
    name: str
    role: str
    active: bool
    created_at: dt.datetime | None = None

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


def can(role: str | None, right: str) -> bool:
    """Whether a role has a right: ``read``, ``change`` or ``manage_users``."""
    return right in _RIGHTS.get(role or "", set())


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def _check(name: str, password: str | None, role: str | None) -> None:
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise InputError("用户名不能为空、不能含空格、不超过 64 个字符 (bad user name)")
    if password is not None and len(password) < MIN_PASSWORD:
        raise InputError(f"密码至少 {MIN_PASSWORD} 个字符 (password too short)")
    if role is not None and role not in ROLES:
        raise InputError(f"未知的角色 {role!r}，应为 {'、'.join(ROLES)} (unknown role)")


def add_user(url_or_store, name: str, password: str, role: str, by: str | None = None) -> User:
    _check(name, password, role)
    with opened(url_or_store) as store, store.engine.begin() as c:
        if c.execute(select(S.users.c.id).where(S.users.c.name == name)).first():
            raise InputError(f"用户「{name}」已存在 (user exists)")
        uid = c.execute(
            insert(S.users).values(
                name=name, password_hash=_hasher().hash(password), role=role, active=True, created_at=now()
            )
        ).inserted_primary_key[0]  # type: ignore[index]  # one row was inserted
        log(c, by, "user_add", name, role=role)
    return User(uid, name, role, True)


def users(url_or_store=None) -> list[User]:
    with opened(url_or_store) as store, store.engine.connect() as c:
        rows = c.execute(select(S.users).order_by(S.users.c.name)).mappings().all()
    return [User(r["id"], r["name"], r["role"], bool(r["active"]), as_utc(r["created_at"])) for r in rows]


def user_by_id(url_or_store, user_id: int) -> User | None:
    with opened(url_or_store) as store, store.engine.connect() as c:
        r = c.execute(select(S.users).where(S.users.c.id == user_id)).mappings().first()
    return (
        None if r is None else User(r["id"], r["name"], r["role"], bool(r["active"]), as_utc(r["created_at"]))
    )


def user_count(url_or_store=None) -> int:
    with opened(url_or_store) as store, store.engine.connect() as c:
        return c.execute(select(func.count()).select_from(S.users)).scalar() or 0


def authenticate(url_or_store, name: str, password: str) -> User | None:
    """The active user with this name and password, else None (one answer for a wrong name or password)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    with opened(url_or_store) as store:
        with store.engine.connect() as c:
            row = c.execute(select(S.users).where(S.users.c.name == name)).mappings().first()
        hasher = _hasher()
        if row is None:
            hasher.hash(password)  # same work for an unknown name: no timing hint that it does not exist
            return None
        try:
            hasher.verify(row["password_hash"], password)
        except (VerificationError, InvalidHashError):
            return None
        if not row["active"]:
            return None
        if hasher.check_needs_rehash(row["password_hash"]):
            with store.engine.begin() as c:
                c.execute(
                    update(S.users)
                    .where(S.users.c.id == row["id"])
                    .values(password_hash=hasher.hash(password))
                )
    return User(row["id"], row["name"], row["role"], True, as_utc(row["created_at"]))


def _update(url_or_store, name: str, by: str | None, action: str, revoke: bool = False, **values) -> None:
    """Change a user; ``revoke`` ends their open web sessions (a new password, a disabled account)."""
    with opened(url_or_store) as store:
        with store.engine.begin() as c:
            done = c.execute(update(S.users).where(S.users.c.name == name).values(**values))
            if not done.rowcount:
                raise InputError(f"没有用户「{name}」 (no such user)")
            log(c, by, action, name, **{k: v for k, v in values.items() if k != "password_hash"})
            uid = c.execute(select(S.users.c.id).where(S.users.c.name == name)).scalar()
        if revoke:
            from gongkai.store.sessions import revoke_sessions

            revoke_sessions(store, user_id=uid)


def set_password(url_or_store, name: str, password: str, by: str | None = None) -> None:
    _check(name, password, None)
    _update(url_or_store, name, by, "user_password", revoke=True, password_hash=_hasher().hash(password))


def set_role(url_or_store, name: str, role: str, by: str | None = None) -> None:
    _check(name, None, role)
    _update(url_or_store, name, by, "user_role", role=role)


def set_active(url_or_store, name: str, active: bool, by: str | None = None) -> None:
    _update(url_or_store, name, by, "user_active", revoke=not active, active=active)


def activity(url_or_store=None, limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """The activity log, newest first: a page of entries and the total count."""
    a = S.activity
    with opened(url_or_store) as store, store.engine.connect() as c:
        total = c.execute(select(func.count()).select_from(a)).scalar() or 0
        q = select(a).order_by(a.c.id.desc()).limit(limit).offset(offset)
        rows = [dict(r) for r in c.execute(q).mappings()]
    for r in rows:
        r["at"] = as_utc(r["at"])
        r["action_label"] = ACTION_LABELS.get(r["action"], r["action"])
    return rows, total
