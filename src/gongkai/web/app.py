"""The FastAPI application: server-rendered pages (Jinja2, autoescaped) over a gongkai store.

>>> app = create_app("sqlite:///gongkai.db", password=None)
>>> uvicorn.run(app, host="127.0.0.1", port=8000)

Pages: ``/`` upload and overview, ``/reports`` reports and the batch problem list, ``/report/{id}``,
``/coverage`` (agency × year), ``/charts``, ``/compare``; ``/export/{view}.{csv|xlsx}`` exports the rows of
view with the same query string. Nothing is fetched from the network: ECharts ships in ``static/vendor``.

``create_app`` only wires things: the app state, the templates, the middleware and the routers in
``gongkai.web.routes`` (auth, upload, pages, export).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from threading import Lock

from fastapi import FastAPI, HTTPException
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from gongkai.errors import InputError
from gongkai.render.html import CSS as TABLE_CSS
from gongkai.render.html import format_value
from gongkai.store.db import Store, resolve_url
from gongkai.store.sessions import remember_password
from gongkai.web import data as D
from gongkai.web.auth import Signer
from gongkai.web.middleware import guard, http_error
from gongkai.web.routes import ROUTERS
from gongkai.web.security import LoginThrottle, csrf_token, default_allowed_hosts
from gongkai.web.uploads import Blobs, Limits
from gongkai.web.users import install as install_users

HERE = Path(__file__).parent


def default_files_dir(url: str) -> Path:
    """Where originals go: beside an SQLite file (``gongkai.db`` → ``gongkai-files/``), else
    ``./gongkai-files``."""
    url = resolve_url(url)
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        db = Path(url[len("sqlite:///") :])
        return db.with_name(db.stem + "-files")
    return Path("gongkai-files")


def templates_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(("html", "xml"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = format_value
    env.globals["SEVERITY"] = D.SEVERITY_LABELS
    env.globals["DOC_STATUS"] = D.STATUS_LABELS
    env.globals["table_css"] = Markup(TABLE_CSS)
    env.globals["csrf_token"] = csrf_token
    return env


def create_app(
    url: str | None = None,
    password: str | None = None,
    files_dir: str | Path | None = None,
    limits: Limits | None = None,
    store: Store | None = None,
    allowed_hosts: Iterable[str] | None = None,
) -> FastAPI:
    """The web app over the store at ``url``; ``password`` (or env ``GONGKAI_PASSWORD``) turns on login.
    ``allowed_hosts``: the names the Host header may carry (None: any; `serve` passes the bound address).
    A password changed since the last start revokes the sessions the old one opened."""
    password = password if password is not None else os.environ.get("GONGKAI_PASSWORD") or None
    if password and not password.strip():
        raise InputError("密码不能为空白 (the password must not be blank)")
    password = password or None  # "" turns login off (and keeps the environment's password out)
    store = store or Store(url)
    remember_password(store, password)
    app = FastAPI(title="gongkai", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    app.state.blobs = Blobs(Path(files_dir) if files_dir else default_files_dir(store.url))
    app.state.limits = limits or Limits()
    app.state.password = password
    app.state.signer = Signer()  # its key signs the CSRF tokens
    app.state.allowed_hosts = None if allowed_hosts is None else frozenset(h.lower() for h in allowed_hosts)
    app.state.login_throttle = LoginThrottle()
    app.state.lock = Lock()  # one writer at a time (uploads)
    app.state.pages = OrderedDict()  # (sha256, page) → PNG, a small cache
    app.state.templates = templates_env()
    install_users(app.state.templates)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.middleware("http")(guard)
    app.add_exception_handler(HTTPException, http_error)  # type: ignore[arg-type]  # Starlette's loose typing
    for router in ROUTERS:
        app.include_router(router)
    return app


def serve(
    url: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    password: str | None = None,
    files_dir: str | None = None,
    allowed_hosts: Iterable[str] | None = None,
) -> None:
    """Run the app with uvicorn (blocking). The Host header must name ``allowed_hosts`` (default: the
    bound address), so a DNS-rebinding page cannot talk to the server; no ``Server`` banner is sent."""
    import uvicorn

    hosts = list(allowed_hosts or []) or sorted(default_allowed_hosts(host))
    app = create_app(url, password=password, files_dir=files_dir, allowed_hosts=hosts)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
