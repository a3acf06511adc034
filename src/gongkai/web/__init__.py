"""The web app: review reports and a whole corpus in the browser (``gongkai serve``).

>>> from gongkai.web import create_app
>>> app = create_app("sqlite:///gongkai.db")        # a FastAPI app; run it with uvicorn
"""

from __future__ import annotations

from gongkai.web.app import create_app, serve

__all__ = ["create_app", "serve"]
