"""Where and when a stored document was published: the URL its bytes came from, the publication date
(发布日期, ISO ``YYYY-MM-DD``) and how that date was found, when it was fetched and the HTTP headers of the
response. The collector fills it; ``ingest`` accepts it per file; the timeliness rule reads the date.

>>> pub = Publication(source_url="https://example.gov.cn/a.pdf", published="2024-01-20",
...                   published_source="page_text")
>>> store.set_publication(sha256, pub)
>>> store.publication(sha256).published
'2024-01-20'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gongkai.store.db import Store

__all__ = ["PUBLICATION_COLUMNS", "Publication", "collected_count", "collected_documents", "iso_date"]

PUBLICATION_COLUMNS = ("source_url", "published", "published_source", "fetched_at", "http_headers")


def iso_date(value: Any) -> str | None:
    """A date as ISO ``YYYY-MM-DD`` (from a date, a datetime or a string such as ``2024-1-20``,
    ``2024/01/20``, ``2024年1月20日``); ``None`` when it is not a real date."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    m = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*", str(value))
    if not m:
        return None
    try:
        return dt.date(*map(int, m.groups())).isoformat()
    except ValueError:
        return None


def _aware(value: Any) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise TypeError(f"fetched_at: a datetime, not {type(value).__name__}")
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Publication:
    """A document's publication metadata; every field optional."""

    source_url: str | None = None
    published: str | None = None  # ISO date
    published_source: str | None = None  # page_text | html_meta | list_page | given | …
    fetched_at: dt.datetime | None = None  # timezone-aware (UTC when given naive)
    http_headers: dict[str, str] | None = None

    def __post_init__(self) -> None:
        published = iso_date(self.published)
        if self.published not in (None, "") and published is None:
            raise ValueError(f"published: not a date: {self.published!r}")
        object.__setattr__(self, "published", published)
        object.__setattr__(self, "fetched_at", _aware(self.fetched_at))
        if self.http_headers is not None:
            object.__setattr__(self, "http_headers", {str(k): str(v) for k, v in self.http_headers.items()})

    @classmethod
    def from_row(cls, row: Any) -> Publication:
        """From a mapping with (some of) the documents table's publication columns."""
        return cls(**{f.name: row.get(f.name) for f in fields(cls)})

    @classmethod
    def from_json(cls, data: dict) -> Publication:
        return cls(**{f.name: data.get(f.name) for f in fields(cls)})

    def to_json(self) -> dict:
        out = asdict(self)
        out["fetched_at"] = self.fetched_at.isoformat() if self.fetched_at else None
        return out

    def columns(self) -> dict[str, Any]:
        """The documents table's values for this publication."""
        return {name: getattr(self, name) for name in PUBLICATION_COLUMNS}

    def filled_from(self, other: Publication) -> Publication:
        """This publication with its empty fields taken from ``other``."""
        return replace(self, **{k: v for k, v in other.columns().items() if getattr(self, k) in (None, {})})

    def is_empty(self) -> bool:
        return all(v in (None, {}) for v in self.columns().values())


def collected_count(store: Store) -> int:
    """How many stored documents have a source URL."""
    from sqlalchemy import func, select

    from gongkai.store import schema as S

    d = S.documents
    with store.engine.connect() as c:
        return c.execute(select(func.count()).where(d.c.source_url.is_not(None))).scalar() or 0


def collected_documents(store: Store, offset: int, limit: int) -> list[dict]:
    """Documents with a source URL, latest fetched first: file, status, agency, year, URL, 发布日期."""
    from sqlalchemy import select

    from gongkai.store import schema as S

    d, r = S.documents, S.reports
    q = (
        select(
            d.c.id,
            d.c.name,
            d.c.status,
            d.c.error,
            d.c.source_url,
            d.c.published,
            d.c.published_source,
            d.c.fetched_at,
            r.c.id.label("report_id"),
            r.c.agency,
            r.c.year,
        )
        .select_from(d.outerjoin(r, r.c.id == d.c.id))
        .where(d.c.source_url.is_not(None))
        .order_by(d.c.fetched_at.desc(), d.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    with store.engine.connect() as c:
        return [dict(m) for m in c.execute(q).mappings()]
