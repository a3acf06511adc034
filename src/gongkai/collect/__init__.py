"""Collect annual reports from government sites, politely: robots.txt honoured, a per-host pause, retries
with back-off, timeouts and size limits. Every original is kept with its URL, fetch time, HTTP headers and
发布日期, then ingested into the store with that publication metadata (what the timeliness rule reads).

>>> from gongkai.collect import collect, targets_from
>>> result = collect(targets_from(["https://www.example.gov.cn/zfxxgk/ndbg/"]), "sqlite:///gongkai.db")
>>> result.counts
{'list_pages': 3, 'reports': 6, 'fetched': 9, 'known': 0, 'failed': 0}

Needs the ``collect`` extra (httpx, lxml, Protego, tenacity) and the ``store`` extra to ingest.
"""

from __future__ import annotations

from gongkai.collect.fetch import Fetcher, FetchError, FetchSettings
from gongkai.collect.run import DEFAULT_FOLDER, CollectResult, collect, ingest_records
from gongkai.collect.targets import Target, read_roster, read_url_file, targets_from

__all__ = [
    "DEFAULT_FOLDER",
    "CollectResult",
    "FetchError",
    "FetchSettings",
    "Fetcher",
    "Target",
    "collect",
    "ingest_records",
    "read_roster",
    "read_url_file",
    "targets_from",
]
