"""The folder of collected originals: each fetched file as received, and ``manifest.jsonl`` (one JSON record
a line, appended as files are saved) with its URL, fetch time, HTTP headers and 发布日期. The manifest makes a
run resumable: a URL recorded there is not fetched again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gongkai.collect.fetch import Response
from gongkai.store.publication import Publication

__all__ = ["Archive", "Record"]

MANIFEST = "manifest.jsonl"


@dataclass
class Record:
    url: str  # as linked
    final_url: str  # after redirects
    kind: str  # page | attachment | list (a list page, kept for its validators: ETag, Last-Modified)
    file: str  # relative to the archive folder
    sha256: str
    size: int
    fetched_at: str  # ISO, UTC
    http_headers: dict[str, str]
    published: str | None = None
    published_source: str | None = None
    page_url: str | None = None  # the report page an attachment was linked from
    title: str | None = None
    agency: str | None = None  # from the roster
    report: bool = True  # holds a report (ingested); a page that only links to its attachments does not
    complete: bool = True  # a page whose attachments were all fetched
    redirects: list[str] = field(default_factory=list)

    def publication(self) -> Publication:
        return Publication(
            source_url=self.final_url,
            published=self.published,
            published_source=self.published_source,
            fetched_at=dt.datetime.fromisoformat(self.fetched_at),
            http_headers=self.http_headers,
        )


class Archive:
    """The originals folder (created when needed) and its manifest."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.records: dict[str, Record] = {}  # report pages and attachments by URL
        self.lists: dict[str, Record] = {}  # list pages by URL
        manifest = self.folder / MANIFEST
        if manifest.exists():
            for line in manifest.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    self._keep(Record(**json.loads(line)))  # the latest record of a URL wins

    def known(self, url: str) -> Record | None:
        """The record of ``url`` when its file is still there (a complete page, or any attachment)."""
        rec = self.records.get(url)
        if rec is None or not (self.folder / rec.file).exists() or not rec.complete:
            return None
        return rec

    def report_records(self) -> list[Record]:
        """Every saved file that holds a report (what a collection ingests), in manifest order."""
        return [r for r in self.records.values() if r.report and (self.folder / r.file).exists()]

    def attachments_of(self, page_url: str) -> list[Record]:
        return [r for r in self.records.values() if r.kind == "attachment" and r.page_url == page_url]

    def save(self, url: str, resp: Response, kind: str, suffix: str | None = None, **fields) -> Record:
        sha = hashlib.sha256(resp.content).hexdigest()
        relative = Path(_safe(urlsplit(resp.url).netloc)) / f"{sha[:12]}_{_file_name(resp.url, suffix)}"
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            tmp = target.with_name(target.name + ".part")
            tmp.write_bytes(resp.content)
            tmp.replace(target)
        rec = Record(
            url=url,
            final_url=resp.url,
            kind=kind,
            file=relative.as_posix(),
            sha256=sha,
            size=len(resp.content),
            fetched_at=resp.fetched_at.isoformat(),
            http_headers=resp.headers,
            redirects=resp.redirects,
            **fields,
        )
        self.write(rec)
        return rec

    def write(self, rec: Record) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / MANIFEST).open("a", encoding="utf-8") as f:
            f.write(json.dumps(asdict(rec), ensure_ascii=False) + "\n")
        self._keep(rec)

    def _keep(self, rec: Record) -> None:
        (self.lists if rec.kind == "list" else self.records)[rec.url] = rec

    def saved_list(self, url: str) -> Record | None:
        """The last saved copy of a list page, when its file is still there."""
        rec = self.lists.get(url)
        return rec if rec is not None and (self.folder / rec.file).exists() else None

    def path(self, rec: Record) -> Path:
        return self.folder / rec.file


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("._") or "file"


def _file_name(url: str, suffix: str | None) -> str:
    """A readable file name from the URL's last path segment, with ``suffix`` when it lacks it."""
    base = _safe(unquote(urlsplit(url).path.rsplit("/", 1)[-1]))[-80:] or "index"
    if suffix and not base.lower().endswith(suffix):
        base += suffix
    return base
