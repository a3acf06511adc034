"""An optional password for deployments on a network: a login form and an HMAC-signed session cookie.

The cookie is ``<issued-at>.<hex hmac-sha256>``; the key is random per server start unless
``GONGKAI_SECRET`` is set (then sessions survive a restart). No user names, no server-side sessions.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time

COOKIE = "gongkai_session"
MAX_AGE = 12 * 3600  # seconds a login lasts


class Signer:
    def __init__(self, secret: bytes | None = None, max_age: int = MAX_AGE):
        env = os.environ.get("GONGKAI_SECRET")
        self.key = secret or (env.encode() if env else secrets.token_bytes(32))
        self.max_age = max_age

    def _mac(self, payload: str) -> str:
        return hmac.new(self.key, payload.encode(), hashlib.sha256).hexdigest()

    def issue(self, now: float | None = None) -> str:
        ts = str(int(now if now is not None else time.time()))
        return f"{ts}.{self._mac(ts)}"

    def valid(self, token: str | None, now: float | None = None) -> bool:
        if not token or "." not in token:
            return False
        ts, mac = token.split(".", 1)
        if not ts.isdigit() or not hmac.compare_digest(mac, self._mac(ts)):
            return False
        age = (now if now is not None else time.time()) - int(ts)
        return 0 <= age <= self.max_age


def password_ok(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
