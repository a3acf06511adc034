"""The web app's routers, one per area; ``create_app`` includes them all."""

from __future__ import annotations

from gongkai.web.routes import auth, collect, export, pages, upload

ROUTERS = (auth.router, upload.router, pages.router, export.router, collect.router)

__all__ = ["ROUTERS"]
