"""The web app's routers, one per area; ``create_app`` includes them all."""

from __future__ import annotations

from gongkai.web.routes import auth, author, collect, export, pages, review, upload

ROUTERS = (
    auth.router,
    upload.router,
    pages.router,
    export.router,
    collect.router,
    review.router,
    author.router,
)

__all__ = ["ROUTERS"]
