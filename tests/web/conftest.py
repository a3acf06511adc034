from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

CORPUS = Path(__file__).parents[2].parent / "shared" / "corpus"
SEED = CORPUS / "seeds" / "000_f01d4dbb51cf7cd1.txt"


@pytest.fixture()
def seed_bytes() -> bytes:
    if not SEED.is_file():
        pytest.skip("shared corpus not available")
    return SEED.read_bytes()


_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class CsrfClient(TestClient):
    """A TestClient that sends the CSRF token with every state-changing request, as the pages' forms and
    scripts do (read from ``<meta name="csrf-token">``, bound to this client's cookie)."""

    def request(self, method: str, url, **kw):  # type: ignore[override]
        if method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
            headers = dict(kw.pop("headers", None) or {})
            headers.setdefault("X-CSRF-Token", self.csrf_token())
            kw["headers"] = headers
        return super().request(method, url, **kw)

    def csrf_token(self) -> str:
        page = super().request("GET", "/login")
        m = _TOKEN.search(page.text)
        assert m, "no csrf-token meta on the login page"
        return m.group(1)
