"""What the review modules share: opening a store from a URL or a ``Store``, the clock, the activity log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, insert

from gongkai.store import schema as S
from gongkai.store.db import Store


@contextmanager
def opened(url_or_store: str | Store | None) -> Iterator[Store]:
    """The given ``Store`` as is, or one opened from a URL (and closed afterwards)."""
    if isinstance(url_or_store, Store):
        yield url_or_store
        return
    store = Store(url_or_store)
    try:
        yield store
    finally:
        store.close()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def log(c: Connection, user: str | None, action: str, target: str | None = None, **detail) -> None:
    """One line of the activity log (who did what, when), written in the caller's transaction."""
    c.execute(
        insert(S.activity).values(at=now(), user=user, action=action, target=target, detail=detail or None)
    )


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives naive datetimes back: they were stored as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)
