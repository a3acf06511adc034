"""Store, batch and compare: a database of reports (SQLite by default, any SQLAlchemy 2 URL), filled by an
idempotent, resumable, parallel ingest; exports, coverage, ready summaries and cross-year audit on top.

>>> from gongkai import store
>>> store.ingest(["corpus/"], "sqlite:///gongkai.db")
>>> store.export("sqlite:///gongkai.db", "reports.xlsx")
>>> store.query("sqlite:///gongkai.db", "applications")

Needs the ``store`` extra (SQLAlchemy, Alembic, openpyxl, pyarrow).
"""

from __future__ import annotations

from gongkai.store.db import DEFAULT_URL, Store, open_store, resolve_url
from gongkai.store.export import export, to_pandas
from gongkai.store.ingest import IngestResult, ingest, walk
from gongkai.store.process import process_bytes
from gongkai.store.publication import Publication
from gongkai.store.regions import Overrides, identify
from gongkai.store.summaries import QUERIES, check_store, coverage, query

__all__ = [
    "DEFAULT_URL",
    "QUERIES",
    "IngestResult",
    "Overrides",
    "Publication",
    "Store",
    "check_store",
    "coverage",
    "export",
    "identify",
    "ingest",
    "open_store",
    "process_bytes",
    "query",
    "resolve_url",
    "to_pandas",
    "walk",
]
