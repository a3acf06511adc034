"""Work shared by several rules on one report, done once per audit pass instead of once per rule.

A function decorated with ``per_report`` remembers its result for a report (and its other arguments)
while a pass is open (``one_pass``, opened by ``gongkai.audit`` around each run of rules); outside a pass it
simply computes. The memo ends with the pass, so a report changed between two checks is never judged on
stale work. Memoised results are shared: callers must not change them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

__all__ = ["one_pass", "per_report"]

_MEMO: ContextVar[dict | None] = ContextVar("gongkai_audit_memo", default=None)
F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def one_pass() -> Iterator[None]:
    """Open a memo for the rules run inside (a pass already open is kept)."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def per_report(fn: F) -> F:
    """Remember ``fn(report, *args)`` for the open pass (``args`` hashable)."""

    @functools.wraps(fn)
    def remembered(report: Any, *args: Any) -> Any:
        memo = _MEMO.get()
        if memo is None:
            return fn(report, *args)
        key = (fn, id(report), args)
        hit = memo.get(key)
        if hit is not None and hit[0] is report:  # the memo holds the report, so its id is not reused
            return hit[1]
        value = fn(report, *args)
        memo[key] = (report, value)
        return value

    return remembered  # type: ignore[return-value]
