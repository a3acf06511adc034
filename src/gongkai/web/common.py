"""What the routers share: the page renderer, the store of the running app, and report/document look-ups
that answer 404 in Chinese when a thing is not there."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from gongkai import template
from gongkai.fields import cell_labels
from gongkai.model import Report
from gongkai.render.html import tables_html
from gongkai.store import corpus
from gongkai.store.db import Store
from gongkai.web import data as D
from gongkai.web.uploads import Blobs


def store_of(request: Request) -> Store:
    return request.app.state.store


def blobs_of(request: Request) -> Blobs:
    return request.app.state.blobs


def render(request: Request, name: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    """A page from ``templates/`` with the context every layout needs."""
    ctx.setdefault("nav", "")
    ctx["login"] = bool(request.app.state.password)
    html = request.app.state.templates.get_template(name).render(request=request, **ctx)
    return HTMLResponse(html, status_code=status_code)


def local_target(target: str) -> str:
    """Only same-site paths as redirect targets."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


MAX_ID = 2**63 - 1  # larger numbers in a URL are no row of any database (and would overflow SQLite)


def document(store: Store, report_id: int) -> dict:
    if not 0 < report_id <= MAX_ID:
        raise HTTPException(404, "没有这份报告 (no such report)")
    doc = corpus.document_row(store, report_id)
    if doc is None:
        raise HTTPException(404, "没有这份报告 (no such report)")
    return doc


def report_and_document(store: Store, report_id: int) -> tuple[Report, dict]:
    doc = document(store, report_id)
    if not corpus.has_report(store, report_id):
        raise HTTPException(404, "这份文件没有读出报告 (no report was read from this document)")
    return store.load_report(report_id), doc


def original_bytes(blobs: Blobs, doc: dict) -> bytes | None:
    """The stored copy of a document's bytes (kept at upload), never a file at a recorded disk path."""
    return blobs.get(doc["sha256"])


AGENCY_CHOICES = 200  # agencies listed in the picker; more are found by name


def compare_context(store: Store, agency: str, a: int | None, b: int | None, find: str = "") -> dict:
    """Two years of one agency side by side: the cells that changed, cross-year findings, text reuse.
    The agency picker lists ``AGENCY_CHOICES`` agencies at most (those whose name contains ``find``)."""
    agencies, matched = corpus.agency_choices(store, find, agency, AGENCY_CHOICES)
    ctx: dict[str, Any] = {
        "agencies": agencies,
        "matched": matched,
        "find": find,
        "limit": AGENCY_CHOICES,
        "agency": agency,
        "a": a,
        "b": b,
        "ready": False,
    }
    if not agency:
        return ctx
    years = corpus.agency_reports(store, agency)
    ctx["years"] = years
    if not years:
        raise HTTPException(404, "没有这个机关的报告 (no reports for this agency)")
    by_year = {r["year"]: r for r in years}
    if b is None or b not in by_year:
        b = years[-1]["year"]
    if a is None or a not in by_year or a == b:
        earlier = [y for y in by_year if y < b]
        a = max(earlier) if earlier else None
    ctx.update(a=a, b=b)
    if a is None:
        return ctx
    ra, rb = store.load_report(by_year[a]["id"]), store.load_report(by_year[b]["id"])
    changes = D.cell_changes(ra, rb)
    fb = store.findings([by_year[b]["id"]]).get(by_year[b]["id"], [])
    cross = [f for f in fb if f.get("scope") == "cross"]
    reuse = []
    for s in template.SECTIONS:
        sa, sb = ra.sections.get(s.key), rb.sections.get(s.key)
        share = D.text_reuse(sa.text if sa else "", sb.text if sb else "") if sb else None
        reuse.append({"key": s.key, "heading": f"{s.number}、{s.title}", "share": share})
    whole = D.text_reuse(ra.text, rb.text)
    changed = [c for c in changes if c["a"] != c["b"]]
    ctx.update(
        ready=True,
        ra=ra,
        rb=rb,
        ida=by_year[a]["id"],
        idb=by_year[b]["id"],
        tables=Markup(tables_html(rb, cross)),
        changes=changes,
        changed=changed,
        deltas={c["path"]: c for c in changes},
        cross=cross,
        reuse=reuse,
        whole=whole,
        labels={c["path"]: cell_labels(c["path"], rb.layout) for c in changes},
    )
    return ctx
