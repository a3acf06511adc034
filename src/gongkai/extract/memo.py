"""``functools.cache`` for functions of template objects, keyed by the objects' identity.

A template row, section or layout is a frozen dataclass: hashing one hashes every label, column and row
in it, on every call. The objects are built once and live as long as the process, so their identity is
key enough (the arguments are kept, so an identity is never reused for another object).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (~3 ms of a short command)
if TYPE_CHECKING:
    from typing import Any, TypeVar

    T = TypeVar("T")


def by_identity(build: Callable[..., T]) -> Callable[..., T]:
    memo: dict[tuple[int, ...], tuple[tuple[Any, ...], T]] = {}

    @functools.wraps(build)
    def get(*args: Any) -> T:
        key = tuple(map(id, args))
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = (args, build(*args))
        return hit[1]

    return _one_argument(build, get)


def _one_argument(build: Callable[..., T], general: Callable[..., T]) -> Callable[..., T]:
    """For a function of one argument, a lookup by that argument's identity alone (most template lookups
    are: a row's pattern, a table's paths); ``general`` otherwise."""
    code = getattr(build, "__code__", None)
    if code is None or getattr(build, "__defaults__", None) or code.co_kwonlyargcount:
        return general
    if code.co_argcount != 1 or code.co_flags & 0x0C:  # 0x0C: *args or **kwargs
        return general
    memo: dict[int, tuple[Any, T]] = {}

    @functools.wraps(build)
    def get(arg: Any) -> T:
        hit = memo.get(id(arg))
        if hit is None:
            hit = memo[id(arg)] = (arg, build(arg))
        return hit[1]

    return get
