"""「采集」: collect reports from government sites in the background (the same ``gongkai.collect``
functions as ``gongkai collect``), follow the run, and list the collected documents with their URL and
发布日期, a page at a time.

The web app refuses loopback and private addresses (``FetchSettings.allow_private``) unless the app's
``collect_settings`` say otherwise, so the form cannot make the server fetch from its own network.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from gongkai.store.publication import collected_count, collected_documents
from gongkai.web.common import render, store_of
from gongkai.web.users import log_activity, require_role

router = APIRouter()

PER_PAGE = 50
MAX_TARGETS = 200
MAX_FORM_BYTES = 64 * 1024
_START_LOCK = threading.Lock()  # one background collection at a time


@dataclass
class Job:
    """One background collection run, as the page shows it."""

    targets: int
    started: float = field(default_factory=time.time)
    finished: float | None = None
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)
    ingested: dict[str, int] | None = None
    current: str = ""
    failure: str | None = None

    @property
    def running(self) -> bool:
        return self.finished is None

    def progress(self, event: str, result) -> None:
        kind, _, value = event.partition(":")
        if kind == "fetch":
            self.current = value
        self.counts = dict(result.counts)
        self.errors = list(result.errors)


def _settings(state):
    from gongkai.collect import FetchSettings

    return getattr(state, "collect_settings", None) or FetchSettings(allow_private=False)


def _folder(state) -> Path:
    return getattr(state, "collect_dir", None) or Path(state.blobs.root) / "collected"


def _run(state, job: Job, targets) -> None:
    from gongkai.collect import collect, ingest_records
    from gongkai.collect.archive import Archive

    try:
        folder = _folder(state)
        result = collect(
            targets, folder=folder, settings=_settings(state), progress=job.progress, ingest=False
        )
        job.counts, job.errors = dict(result.counts), list(result.errors)
        if result.records:
            job.current = "入库 ingest"
            archive = Archive(folder)
            for rec in result.records:  # the app serves originals from its own copies
                if rec.report:
                    state.blobs.put(archive.path(rec).read_bytes())
            with state.lock:  # one writer at a time, as for uploads
                ingested = ingest_records(result.records, archive, None, store=state.store)
            job.ingested = dict(ingested.counts)
            job.errors += ingested.errors
    except Exception as e:  # the page must say what happened, whatever it was
        job.failure = f"{type(e).__name__}: {e}"
    finally:
        job.current = ""
        job.finished = time.time()


@router.get("/collect", response_class=HTMLResponse)
def collect_page(request: Request, page: int = 1):
    store = store_of(request)
    total = collected_count(store)
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    return render(
        request,
        "collect.html",
        nav="collect",
        job=getattr(request.app.state, "collect_job", None),
        rows=collected_documents(store, (page - 1) * PER_PAGE, PER_PAGE),
        total=total,
        page=page,
        pages=pages,
    )


@router.post("/collect")
async def start_collect(request: Request):
    from gongkai.collect import targets_from

    user = require_role(request, "change")

    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_FORM_BYTES:
        raise HTTPException(413, "内容过多 (form too large)")
    form = await request.form(max_files=0, max_fields=5)
    lines = str(form.get("urls") or "").splitlines()
    targets = targets_from(line for line in lines if line.strip() and not line.strip().startswith("#"))
    bad = [t.url for t in targets if not t.url.lower().startswith(("http://", "https://"))]
    if not targets or bad:
        reason = f"不是网址：{bad[0]}" if bad else "请输入至少一个网址"
        raise HTTPException(400, f"{reason} (one http(s) URL a line)")
    if len(targets) > MAX_TARGETS:
        raise HTTPException(413, f"网址过多（最多 {MAX_TARGETS} 个）")
    state = request.app.state
    with _START_LOCK:
        job = getattr(state, "collect_job", None)
        if job is not None and job.running:
            raise HTTPException(409, "已有采集任务在运行 (a collection is running)")
        state.collect_job = Job(targets=len(targets))
    threading.Thread(target=_run, args=(state, state.collect_job, targets), daemon=True).start()
    log_activity(request, user, "collect", None, targets=len(targets))
    return RedirectResponse("/collect", status_code=303)


__all__ = ["Job", "router"]
