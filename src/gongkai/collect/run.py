"""Collect annual reports from government sites: for each target (a 年报 column, a report page or an
attachment URL) walk the column's list pages, open each year's report page, fetch its attachments, save every
original with its URL, fetch time, HTTP headers and 发布日期, then ingest them into the store with that
metadata. Resumable: what the archive's manifest holds is not fetched again (list pages always are, to find
what is new).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from gongkai.collect.archive import Archive, Record
from gongkai.collect.fetch import Fetcher, FetchError, FetchSettings, Response
from gongkai.collect.page import Link, Page, attachment_suffix, decode_page, parse_page
from gongkai.collect.targets import Target

if TYPE_CHECKING:
    from gongkai.store.ingest import IngestResult
    from gongkai.store.publication import Publication

__all__ = ["DEFAULT_FOLDER", "CollectResult", "collect"]

DEFAULT_FOLDER = "gongkai-collected"
MAX_LIST_PAGES = 100


@dataclass
class CollectResult:
    counts: dict[str, int] = field(
        default_factory=lambda: {
            "list_pages": 0,
            "unchanged": 0,  # list pages the server said were not modified since the last run
            "reports": 0,
            "fetched": 0,
            "known": 0,
            "failed": 0,
        }
    )
    errors: list[tuple[str, str]] = field(default_factory=list)  # (url, Chinese reason)
    records: list[Record] = field(default_factory=list)  # every report file of this run, new or known
    ingest: IngestResult | None = None  # when ingested
    seconds: float = 0.0

    def to_json(self) -> dict:
        from dataclasses import asdict

        return {
            "counts": self.counts,
            "errors": [{"url": u, "error": e} for u, e in self.errors],
            "records": [asdict(r) for r in self.records],
            "ingest": self.ingest.to_json() if self.ingest is not None else None,
            "seconds": round(self.seconds, 3),
        }


Progress = Callable[[str, CollectResult], None]  # events: targets:N, target:URL, fetch:URL, done:URL


def collect(
    targets: Iterable[Target | str],
    db: str | None = None,
    folder: str | Path = DEFAULT_FOLDER,
    settings: FetchSettings | None = None,
    progress: Progress | None = None,
    ingest: bool = True,
    workers: int | None = 1,
    fetcher: Fetcher | None = None,
) -> CollectResult:
    """Collect every target's reports into ``folder`` and (``ingest``) the store at ``db``."""
    started = time.monotonic()
    result = CollectResult()
    todo = [t if isinstance(t, Target) else Target(t) for t in targets]
    archive = Archive(folder)
    own = fetcher is None
    fetcher = fetcher or Fetcher(settings)
    try:
        if progress:
            progress(f"targets:{len(todo)}", result)
        for target in todo:
            if progress:
                progress(f"target:{target.url}", result)
            _Run(target, fetcher, archive, result, progress).run()
            if progress:
                progress(f"done:{target.url}", result)
    finally:
        if own:
            fetcher.close()
    if ingest:
        result.ingest = ingest_records(result.records, archive, db, workers)
    result.seconds = time.monotonic() - started
    return result


def ingest_records(
    records: list[Record],
    archive: Archive,
    db: str | None,
    workers: int | None = 1,
    progress=None,
    store=None,
):
    """Ingest the report files of ``records`` with their publication metadata (a store ``IngestResult``);
    into ``store`` when given (an open ``Store``), else the database at ``db``."""
    from gongkai.store import ingest

    files: dict[str | Path, Publication] = {archive.path(r): r.publication() for r in records if r.report}
    return ingest(list(files), db, workers=workers, publications=files, progress=progress, store=store)


@dataclass
class _Run:
    """One target's collection."""

    target: Target
    fetcher: Fetcher
    archive: Archive
    result: CollectResult
    progress: Progress | None

    def run(self) -> None:
        url = self.target.url
        if attachment_suffix(url):
            self.attachment(Link(url, ""), page_url=None, published=(None, None))
            return
        first = self.fetch_list(url)
        if first is None:
            return
        if "html" not in first.content_type and first.content.lstrip()[:1] != b"<":
            self.save_attachment(url, first, None, (None, None), "")
            return
        reports = self.walk_list(first)
        if not reports:  # no list of reports: the URL is a report page itself
            self.result.counts["reports"] += 1
            known = self.archive.known(url)
            if known is not None and known.sha256 == hashlib.sha256(first.content).hexdigest():
                self.reuse(url, known)
            else:
                self.report_page(Link(url, ""), first)
            return
        for link in reports:
            self.report(link)

    # ------------------------------------------------------------------ list pages

    def walk_list(self, first: Response) -> list[Link]:
        """The report links of every list page of the column, in the order found, each URL once."""
        column = first.url
        queue: list[tuple[str, Response | None]] = [(column, first)]
        seen = {self.target.url, column}
        reports: dict[str, Link] = {}
        walked = 0
        while queue and walked < MAX_LIST_PAGES:
            url, resp = queue.pop(0)
            resp = resp or self.fetch_list(url)
            if resp is None:
                continue
            walked += 1
            self.result.counts["list_pages"] += 1
            page = self.parse(resp)
            for link in page.report_links():
                if not link.date and attachment_suffix(link.url, link.text):
                    # a report page's own attachment: the page's date is the attachment's
                    link = replace(link, date=page.published()[0], date_source=page.published()[1])
                reports.setdefault(link.url, link)
            for nxt in page.pagination(column):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append((nxt, None))
        return list(reports.values())

    # ------------------------------------------------------------------ report pages and attachments

    def report(self, link: Link) -> None:
        self.result.counts["reports"] += 1
        if attachment_suffix(link.url, link.text):
            self.attachment(link, None, (link.date, link.date_source))
            return
        known = self.archive.known(link.url)
        if known is not None:
            self.reuse(link.url, known)
            return
        resp = self.fetch(link.url)
        if resp is not None:
            self.report_page(link, resp)

    def reuse(self, url: str, known: Record) -> None:
        """A report page fetched completely before: its records again, nothing fetched."""
        self.result.counts["known"] += 1
        if known.report:
            self.result.records.append(known)
        self.result.records.extend(self.archive.attachments_of(url))

    def report_page(self, link: Link, resp: Response) -> None:
        page = self.parse(resp)
        published = page.published()
        if published[0] is None and link.date:
            published = (link.date, link.date_source)
        attachments = page.attachments()
        failures = sum(not self.attachment(a, link.url, published) for a in attachments)
        holds = _holds_report(resp.content, resp.url)
        if not attachments and not holds:
            self.fail(
                link.url, "页面中未找到年报正文或附件（no report text, table or attachment on the page）"
            )
        rec = self.archive.save(
            link.url,
            resp,
            "page",
            ".html",
            published=published[0],
            published_source=published[1],
            title=link.text or page.title,
            agency=self.target.name,
            report=holds,
            complete=failures == 0 and bool(attachments or holds),  # else tried again next run
        )
        self.result.counts["fetched"] += 1
        if holds:
            self.result.records.append(rec)

    def attachment(self, link: Link, page_url: str | None, published: tuple) -> bool:
        """Fetch and save one attachment (unless known); returns whether it is there."""
        known = self.archive.known(link.url)
        if known is not None:
            self.result.counts["known"] += 1
            self.result.records.append(known)
            return True
        resp = self.fetch(link.url)
        if resp is None:
            return False
        self.save_attachment(link.url, resp, page_url, published, link.text)
        return True

    def save_attachment(
        self, url: str, resp: Response, page_url: str | None, published: tuple, text: str
    ) -> None:
        rec = self.archive.save(
            url,
            resp,
            "attachment",
            attachment_suffix(resp.url, text),
            published=published[0],
            published_source=published[1],
            page_url=page_url,
            title=text or None,
            agency=self.target.name,
        )
        self.result.counts["fetched"] += 1
        self.result.records.append(rec)

    # ------------------------------------------------------------------ helpers

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Response | None:
        if self.progress:
            self.progress(f"fetch:{url}", self.result)
        try:
            return self.fetcher.get(url, headers)
        except FetchError as e:
            self.fail(url, str(e))
            return None

    def fetch_list(self, url: str) -> Response | None:
        """A list page (or a target URL), asked conditionally when a copy was saved: on 304 Not Modified the
        saved copy is used, so an unchanged column costs the site only its validators."""
        saved = self.archive.saved_list(url)
        resp = self.fetch(url, _validators(saved) if saved else None)
        if resp is None:
            return None
        if resp.status == 304 and saved is not None:
            self.result.counts["unchanged"] += 1
            return replace(
                resp,
                url=saved.final_url,
                status=200,
                content=self.archive.path(saved).read_bytes(),
                headers={**saved.http_headers, **resp.headers},
            )
        if resp.status == 304:  # not asked conditionally: a server error; fetch it plainly
            resp = self.fetch(url)
            if resp is None or resp.status == 304:
                return None
        if resp.headers.get("etag") or resp.headers.get("last-modified"):
            self.archive.save(url, resp, "list", ".html", report=False)
        return resp

    def fail(self, url: str, reason: str) -> None:
        self.result.counts["failed"] += 1
        self.result.errors.append((url, reason))

    @staticmethod
    def parse(resp: Response) -> Page:
        return parse_page(decode_page(resp.content, resp.headers), resp.url)


def _validators(saved: Record) -> dict[str, str]:
    headers = {}
    if saved.http_headers.get("etag"):
        headers["If-None-Match"] = saved.http_headers["etag"]
    if saved.http_headers.get("last-modified"):
        headers["If-Modified-Since"] = saved.http_headers["last-modified"]
    return headers


def _holds_report(content: bytes, name: str) -> bool:
    """Whether an HTML page holds a report itself (gongkai reads table cells from it), rather than only
    linking to its attachments."""
    from gongkai.errors import GongkaiError
    from gongkai.extract import extract
    from gongkai.model import READ
    from gongkai.read import read_bytes

    try:
        report = extract(read_bytes(content, name))
    except GongkaiError:
        return False
    return any(cell.status == READ for cell in report.cells.values())
