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
from gongkai.web import data as D
from gongkai.web.auth import Signer
from gongkai.web.middleware import guard, http_error
from gongkai.web.routes import ROUTERS
from gongkai.web.uploads import Blobs, Limits

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
    return env


def create_app(
    url: str | None = None,
    password: str | None = None,
    files_dir: str | Path | None = None,
    limits: Limits | None = None,
    store: Store | None = None,
) -> FastAPI:
    """The web app over the store at ``url``; ``password`` (or env ``GONGKAI_PASSWORD``) turns on login."""
    store = store or Store(url)
    password = password if password is not None else os.environ.get("GONGKAI_PASSWORD") or None
    app = FastAPI(title="gongkai", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    app.state.blobs = Blobs(Path(files_dir) if files_dir else default_files_dir(store.url))
    app.state.limits = limits or Limits()
    app.state.password = password
    app.state.signer = Signer()
    app.state.lock = Lock()  # one writer at a time (uploads)
    app.state.pages = OrderedDict()  # (sha256, page) → PNG, a small cache
    app.state.templates = templates_env()
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.middleware("http")(guard)
    app.add_exception_handler(HTTPException, http_error)
    for router in ROUTERS:
        app.include_router(router)
    return app


def serve(
    url: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    password: str | None = None,
    files_dir: str | None = None,
) -> None:
    """Run the app with uvicorn (blocking)."""
    import uvicorn

    try:
        app = create_app(url, password=password, files_dir=files_dir)
    except InputError:
        raise
    uvicorn.run(app, host=host, port=port, log_level="info")
