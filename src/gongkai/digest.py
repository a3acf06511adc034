"""SHA-256 of a document's bytes: the key a document is known by in every stage.

``hashlib`` loads OpenSSL, about 3 ms of a short `gongkai parse`; CPython's own SHA-256 loads at once and
is as fast for a text report's few kilobytes (the same digest, by definition). Large files, where OpenSSL's
speed tells, still go through ``hashlib``.
"""

from __future__ import annotations

from collections.abc import Callable

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (~3 ms of a short command)
if TYPE_CHECKING:
    from typing import Any

SMALL = 256 * 1024  # bytes hashed without loading OpenSSL


def _builtin_sha256() -> Callable[[bytes], Any]:
    try:
        from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]  # CPython 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]  # 3.12 on
        except ImportError:
            from hashlib import sha256  # another Python: the public one
    return sha256


_SMALL_SHA256 = _builtin_sha256()


def sha256_hex(data: bytes) -> str:
    """``hashlib.sha256(data).hexdigest()``."""
    if len(data) <= SMALL:
        return _SMALL_SHA256(data).hexdigest()
    import hashlib

    return hashlib.sha256(data).hexdigest()
