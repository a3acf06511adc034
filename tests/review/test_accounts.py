"""Accounts: argon2 hashes, roles and rights, the activity log."""

from __future__ import annotations

import pytest

from gongkai.errors import InputError
from gongkai.review.accounts import activity, add_user, authenticate, can, set_active, set_role, users


def test_users_roles_and_the_log(tmp_path):
    db = str(tmp_path / "u.db")
    add_user(db, "admin1", "correct horse", "admin")
    add_user(db, "rev", "battery staple", "reviewer", by="admin1")
    with pytest.raises(InputError):
        add_user(db, "rev", "another one!", "readonly")
    with pytest.raises(InputError, match="密码"):
        add_user(db, "short", "abc", "readonly")
    with pytest.raises(InputError, match="角色"):
        add_user(db, "x", "long enough", "boss")
    assert authenticate(db, "rev", "battery staple").role == "reviewer"
    assert authenticate(db, "rev", "wrong password") is None
    assert authenticate(db, "nobody", "battery staple") is None
    set_role(db, "rev", "readonly", by="admin1")
    set_active(db, "rev", False, by="admin1")
    assert authenticate(db, "rev", "battery staple") is None
    assert [(u.name, u.role, u.active) for u in users(db)] == [
        ("admin1", "admin", True),
        ("rev", "readonly", False),
    ]
    from gongkai.store import Store
    from gongkai.store import schema as S

    with Store(db) as store, store.engine.connect() as c:
        hashes = [h for (h,) in c.execute(S.users.select().with_only_columns(S.users.c.password_hash))]
    assert all(h.startswith("$argon2") for h in hashes)
    log, total = activity(db)
    assert total == 4 and log[0]["action"] == "user_active" and log[0]["user"] == "admin1"
    assert not can("readonly", "change") and can("reviewer", "change") and not can("reviewer", "manage_users")
    assert can("admin", "manage_users") and not can(None, "read")
