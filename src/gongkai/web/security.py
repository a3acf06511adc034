"""Safe on a network: CSRF tokens with an Origin/Referer check, a Host allow-list against DNS rebinding,
and a login throttle with back-off. The one middleware (`gongkai.web.middleware.guard`) applies them.

CSRF: every state-changing request (POST, PUT, PATCH, DELETE, uploads included) carries the token, in the
form field ``csrf_token`` or the header ``X-CSRF-Token``. Templates get it from the Jinja global
``csrf_token(request)``; scripts read ``<meta name="csrf-token">`` from the base layout. The token is an
HMAC of a random per-browser cookie (``gongkai_csrf``, HttpOnly, SameSite=Strict) under the server key, so
a page of another site can neither read nor forge it.
"""

from __future__ import annotations

import contextlib
import hmac
import secrets
import threading
import time
from hashlib import sha256
from urllib.parse import urlsplit

from starlette.requests import Request

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "STATE_CHANGING",
    "LoginThrottle",
    "csrf_token",
    "host_allowed",
    "same_origin",
]

CSRF_COOKIE = "gongkai_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SEED_LENGTH = 43  # secrets.token_urlsafe(32)


def new_seed() -> str:
    return secrets.token_urlsafe(32)


def valid_seed(seed: str | None) -> bool:
    return seed is not None and len(seed) == _SEED_LENGTH and seed.replace("-", "").replace("_", "").isalnum()


def token_for(key: bytes, seed: str) -> str:
    return hmac.new(key, b"csrf:" + seed.encode(), sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The CSRF token for forms and scripts on the page being rendered (set by the middleware)."""
    return getattr(request.state, "csrf_token", "")


async def given_token(request: Request, max_body: int) -> str | None:
    """The token the request carries: the header, else the ``csrf_token`` field of a form body (read here,
    cached by Starlette for the route; a body above ``max_body`` bytes is not read)."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return None
    length = request.headers.get("content-length", "")
    if not length.isdigit() or int(length) > max_body:
        return None
    await request.body()
    try:
        form = await request.form(max_fields=50)
    except Exception:  # a malformed body: the route answers it; here it simply carries no token
        return None
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else None


def same_origin(request: Request) -> bool:
    """The request comes from a page of this site: its Origin (else Referer) names the Host it was sent to.
    Requests with neither (scripts, curl) pass on the token alone."""
    host = request.headers.get("host", "")
    origin = request.headers.get("origin")
    if origin is not None:
        if origin == "null":
            return False
        return urlsplit(origin).netloc.lower() == host.lower()
    referer = request.headers.get("referer")
    if referer:
        return urlsplit(referer).netloc.lower() == host.lower()
    return True


def _host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):  # [::1]:8000
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_allowed(host_header: str | None, allowed: frozenset[str] | None) -> bool:
    """Whether the Host header names this server (``allowed`` None: any host)."""
    if allowed is None:
        return True
    if not host_header:
        return False
    return _host_name(host_header) in allowed or "*" in allowed


def default_allowed_hosts(bind: str) -> frozenset[str]:
    """The names a server bound to ``bind`` answers to when no ``--allowed-host`` is given: the bound
    address; for loopback also ``localhost``; for all interfaces the machine's names and addresses."""
    import socket

    bind = bind.strip("[]").lower()
    names = {bind}
    if bind in ("127.0.0.1", "localhost", "::1"):
        names |= {"127.0.0.1", "localhost", "::1"}
    elif bind in ("0.0.0.0", "::", ""):
        names |= {"127.0.0.1", "localhost", "::1"}
        hostname = socket.gethostname()
        names |= {hostname.lower(), socket.getfqdn().lower()}
        with contextlib.suppress(OSError):
            names |= {str(info[4][0]).lower() for info in socket.getaddrinfo(hostname, None)}
    return frozenset(n for n in names if n)


class LoginThrottle:
    """Failed logins per client: after ``free`` failures each further attempt waits twice as long as the
    one before (1 s, 2 s, 4 s … up to ``max_wait``); a success clears the count."""

    def __init__(self, free: int = 5, max_wait: float = 300.0, clock=time.monotonic):
        self.free = free
        self.max_wait = max_wait
        self.clock = clock
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def wait(self, client: str) -> float:
        """Seconds ``client`` must still wait before it may try again (0: now)."""
        with self._lock:
            count, last = self._failures.get(client, (0, 0.0))
        if count < self.free:
            return 0.0
        delay = min(2.0 ** (count - self.free), self.max_wait)
        return max(0.0, last + delay - self.clock())

    def failed(self, client: str) -> None:
        with self._lock:
            count, _ = self._failures.get(client, (0, 0.0))
            self._failures[client] = (count + 1, self.clock())
            if len(self._failures) > 10000:  # bounded memory under a flood of addresses
                oldest = sorted(self._failures.items(), key=lambda kv: kv[1][1])[:5000]
                for k, _ in oldest:
                    self._failures.pop(k, None)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)
