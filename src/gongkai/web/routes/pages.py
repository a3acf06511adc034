"""The reading pages: reports and problems, one report (with its original and page images), coverage,
charts and the year-on-year comparison."""

from __future__ import annotations

from collections import OrderedDict

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from gongkai.model import STATUSES
from gongkai.read import sniff
from gongkai.render.html import STATUS_LABELS as CELL_STATUS_LABELS
from gongkai.render.html import tables_html
from gongkai.store import corpus
from gongkai.web.common import (
    blobs_of,
    compare_context,
    document,
    original_bytes,
    render,
    report_and_document,
    store_of,
)
from gongkai.web.pages import pdf_page_png, problem_anchor, sections_html

router = APIRouter()

MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "ole": "application/msword",
    "html": "text/html",
    "text": "text/plain",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
}
EXT = {
    "pdf": "pdf",
    "docx": "docx",
    "ole": "doc",
    "html": "html",
    "text": "txt",
    "png": "png",
    "jpeg": "jpg",
    "tiff": "tif",
}
PAGE_CACHE = 32  # rendered PDF pages kept per app


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request):
    store = store_of(request)
    from gongkai.web.routes.review import PAGE_SIZE, page_of

    f = corpus.Filters.from_query(dict(request.query_params))
    total, with_problems = corpus.report_counts(store, f)
    page = page_of(total, request, PAGE_SIZE)
    page.items = corpus.report_rows(store, f, limit=PAGE_SIZE, offset=(page.number - 1) * PAGE_SIZE)
    kinds = corpus.problem_kinds(store, f)
    return render(
        request,
        "reports.html",
        nav="reports",
        f=f,
        rows=page.items,
        page=page,
        kinds=kinds,
        regions=corpus.regions(store),
        qs=f.query_string(),
        with_problems=with_problems,
    )


@router.get("/report/{report_id}", response_class=HTMLResponse)
def report_page(request: Request, report_id: int):
    store = store_of(request)
    report, doc = report_and_document(store, report_id)
    found = store.findings([report_id]).get(report_id, [])
    found.sort(key=lambda f: (-{"error": 2, "warning": 1}.get(str(f.get("severity")), 0), f.get("code", "")))
    sections = sections_html(report, found)
    for f in found:
        f["_anchor"] = problem_anchor(f, report)
    cells = {p: {"where": c.where, "status": c.status, "raw": c.raw} for p, c in report.cells.items()}
    counts = {s: sum(1 for c in report.cells.values() if c.status == s) for s in STATUSES}
    years = corpus.agency_reports(store, doc["agency_id"]) if doc["agency_id"] else []
    prev = next((r for r in reversed(years) if r["year"] and report.year and r["year"] < report.year), None)
    has_original = blobs_of(request).has(doc["sha256"])
    return render(
        request,
        "report.html",
        nav="reports",
        report=report,
        doc=doc,
        findings=found,
        tables=Markup(tables_html(report, found)),
        sections=sections,
        cells=cells,
        counts=counts,
        has_original=has_original,
        is_pdf=doc["format"] == "pdf",
        prev=prev,
        cell_status=CELL_STATUS_LABELS,
    )


@router.get("/report/{report_id}/original")
def original(request: Request, report_id: int):
    doc = document(store_of(request), report_id)
    body = original_bytes(blobs_of(request), doc)
    if body is None:
        raise HTTPException(404, "原件不在服务器上 (original not kept)")
    kind = sniff(body)
    filename = f"report-{report_id}.{EXT.get(kind, 'bin')}"
    disposition = "inline" if kind == "pdf" else "attachment"
    return Response(
        body,
        media_type=MEDIA.get(kind, "application/octet-stream"),
        headers={
            "Content-Disposition": f'{disposition}; filename="{filename}"',
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


@router.get("/report/{report_id}/page/{page}.png")
def page_image(request: Request, report_id: int, page: int):
    doc = document(store_of(request), report_id)
    key = (doc["sha256"], page)
    cache: OrderedDict = request.app.state.pages
    png = cache.get(key)
    if png is None:
        body = original_bytes(blobs_of(request), doc)
        if body is None or sniff(body) != "pdf" or not 1 <= page <= 2000:
            raise HTTPException(404, "没有该页 (no such page)")
        png = pdf_page_png(body, page)
        if png is None:
            raise HTTPException(404, "没有该页 (no such page)")
        cache[key] = png
        while len(cache) > PAGE_CACHE:
            cache.popitem(last=False)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


def _roster_year(store) -> int | None:
    """The year the roster's due dates are for (its 未发布 column); None without the review module."""
    try:
        from gongkai.review.roster import roster_year
    except ImportError:
        return None
    return roster_year(store) or 0  # 0: no agreed year, the last year shown


@router.get("/coverage", response_class=HTMLResponse)
def coverage_page(request: Request):
    store = store_of(request)
    from gongkai.web.routes.review import PAGE_SIZE, page_of

    f = corpus.Filters.from_query(dict(request.query_params))
    year = _roster_year(store)
    wanted = page_of(10**9, request, PAGE_SIZE).number
    cov = corpus.coverage_matrix(store, f, PAGE_SIZE, (wanted - 1) * PAGE_SIZE, year)
    page = page_of(cov.agencies, request, PAGE_SIZE)  # past the end, both give the last page
    page.items = cov.rows
    return render(
        request,
        "coverage.html",
        nav="coverage",
        f=f,
        cov=cov,
        page=page,
        unpublished=cov.unpublished,
        regions=corpus.regions(store),
        qs=f.query_string(),
    )


@router.get("/charts", response_class=HTMLResponse)
def charts_page(request: Request):
    store = store_of(request)
    f = corpus.Filters.from_query(dict(request.query_params))
    return render(
        request,
        "charts.html",
        nav="charts",
        f=f,
        data=corpus.chart_series(store, f),
        regions=corpus.regions(store),
        qs=f.query_string(),
    )


@router.get("/api/charts")
def charts_api(request: Request):
    return corpus.chart_series(store_of(request), corpus.Filters.from_query(dict(request.query_params)))


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request, agency: str = "", a: int | None = None, b: int | None = None, find: str = ""
):
    ctx = compare_context(store_of(request), agency, a, b, find[:100])
    return render(request, "compare.html", nav="compare", **ctx)
