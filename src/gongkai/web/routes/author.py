"""编写年度报告: fill in, check and publish a report in the browser; correct a stored report as a new version.

``GET /author`` the page (``?report=ID`` opens a stored report for correction); ``GET /api/author/layout/K``
the layout as data; ``POST /api/author/new`` a draft (from last year's report when a file is sent);
``POST /api/author/import`` the draft with a filled 填报 XLSX and/or a 台账 ledger typed in (the ledger's row
errors in Chinese with row numbers); ``POST /api/author/check`` the server's check;
``POST /api/author/export/{fmt}`` the file (refused while errors remain unless ``override``);
``POST /api/author/save`` stores the draft as a new document through the normal ingest path (so it becomes
the newest version; the original stays).
"""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from gongkai import template
from gongkai.author import editor
from gongkai.author.draft import fill_from_ledger, fill_tables, new_report, refresh_summaries
from gongkai.author.prose import report_title
from gongkai.errors import GongkaiError
from gongkai.model import Report
from gongkai.render.html import tables_html
from gongkai.web.common import blobs_of, render, report_and_document, store_of
from gongkai.web.uploads import store_one
from gongkai.web.users import log_activity, require_role

router = APIRouter()

MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}
MAX_DRAFT_BYTES = 4 * 1024 * 1024


def _draft_json(report) -> dict:
    draft = report.to_json(detail=False)
    draft.pop("uncertain", None)
    return draft


@router.get("/author", response_class=HTMLResponse)
def author_page(request: Request, report: int | None = None, year: int | None = None):
    based_on = None
    doubts: dict = {}
    if report is not None:
        stored, doc = report_and_document(store_of(request), report)
        draft = editor.draft_from_json(stored.to_json(detail=False))
        draft.meta.update(stored.meta)
        based_on = {"id": doc["id"], "name": doc.get("name")}
        doubts = editor.doubts(stored)
    else:
        draft = new_report("", year or date.today().year - 1)  # reports are written early the next year
    refresh_summaries(draft)
    data = {
        "editor": editor.editor_data(draft.layout),
        "draft": _draft_json(draft),
        "based_on": based_on,
        "doubts": doubts,
    }
    return render(
        request,
        "author.html",
        nav="author",
        tables=Markup(tables_html(draft)),
        data=Markup(json.dumps(data, ensure_ascii=False).replace("</", "<\\/")),
        based_on=based_on,
        draft=draft,
    )


@router.get("/api/author/layout/{layout_key}")
def layout_data(layout_key: str):
    if layout_key not in template.LAYOUTS:
        raise HTTPException(404, "没有这种模板 (no such layout)")
    return editor.editor_data(layout_key)


async def _json_body(request: Request) -> dict:
    body = await request.body()
    if len(body) > MAX_DRAFT_BYTES:
        raise HTTPException(413, "草稿过大 (draft too large)")
    try:
        data = json.loads(body)
    except ValueError:
        raise HTTPException(400, "不是 JSON (not JSON)") from None
    if not isinstance(data, dict) or not isinstance(data.get("draft"), dict):
        raise HTTPException(400, "缺少草稿 (no draft)")
    return data


def _draft(data: dict):
    try:
        return editor.draft_from_json(data["draft"])
    except (ValueError, TypeError) as e:
        raise HTTPException(400, f"草稿有误 (bad draft: {e})") from None


@router.post("/api/author/new")
async def new_draft(request: Request):
    """A new draft: ``agency`` and ``year`` form fields, and optionally ``previous`` (last year's report)."""
    require_role(request, "change")  # writing a report is a change, like an upload
    form = await request.form(max_files=1, max_fields=10)
    agency = str(form.get("agency") or "").strip()
    try:
        year = int(str(form.get("year") or ""))
    except ValueError:
        raise HTTPException(400, "年度应为数字 (year must be a number)") from None
    previous = None
    upload = form.get("previous")
    if isinstance(upload, UploadFile):
        data = await upload.read(request.app.state.limits.max_file_bytes + 1)
        await upload.close()
        if len(data) > request.app.state.limits.max_file_bytes:
            raise HTTPException(413, "文件过大 (file too large)")
        if data:
            from gongkai import parse_bytes

            try:
                previous = await run_in_threadpool(parse_bytes, data, upload.filename or "previous")
            except GongkaiError as e:
                raise HTTPException(400, f"无法读取上年报告：{e}") from None
    agency = agency or (previous.meta.get("agency") if previous else "") or ""
    draft = new_report(agency, year, previous=previous)
    return {
        "editor": editor.editor_data(draft.layout),
        "draft": _draft_json(draft),
        "tables": tables_html(draft),
    }


async def _upload_bytes(request: Request, upload) -> bytes | None:
    if not isinstance(upload, UploadFile):
        return None
    limit = request.app.state.limits.max_file_bytes
    data = await upload.read(limit + 1)
    await upload.close()
    if len(data) > limit:
        raise HTTPException(413, "文件过大 (file too large)")
    return data or None


@router.post("/api/author/import")
async def import_files(request: Request):
    """The draft (a ``draft`` JSON part) with ``tables`` (a 填报 XLSX from ``gongkai template``) and/or
    ``ledger`` (a 依申请公开台账, CSV or XLSX: table 三 computed from it) typed in."""
    require_role(request, "change")
    form = await request.form(max_files=3, max_fields=5)
    raw = await _upload_bytes(request, form.get("draft"))
    if raw is None or len(raw) > MAX_DRAFT_BYTES:
        raise HTTPException(400, "缺少草稿 (no draft)")
    try:
        data = json.loads(raw)
    except ValueError:
        raise HTTPException(400, "不是 JSON (not JSON)") from None
    report = _draft({"draft": data})
    tables_data = await _upload_bytes(request, form.get("tables"))
    ledger_data = await _upload_bytes(request, form.get("ledger"))
    if tables_data is None and ledger_data is None:
        raise HTTPException(400, "请选择填报表或台账文件 (no file)")
    filled = ledger_rows = 0
    errors: list[str] = []
    if tables_data is not None:
        from gongkai import parse_bytes

        name = getattr(form.get("tables"), "filename", None) or "填报.xlsx"
        try:
            workbook = await run_in_threadpool(parse_bytes, tables_data, name)
        except GongkaiError as e:
            raise HTTPException(400, f"无法读取填报表：{e}") from None
        filled = fill_tables(report, workbook)
        if not report.meta.get("agency") and workbook.meta.get("agency"):
            report.meta["agency"] = workbook.meta["agency"]
            report.meta["title"] = report_title(workbook.meta["agency"], report.year)
    if ledger_data is not None:
        try:
            result = await run_in_threadpool(fill_from_ledger, report, ledger_data)
        except GongkaiError as e:
            raise HTTPException(400, f"无法读取台账：{e}") from None
        ledger_rows = result.rows
        errors = [e.text() for e in result.errors]
    refresh_summaries(report)
    return {
        "editor": editor.editor_data(report.layout),
        "draft": _draft_json(report),
        "tables": tables_html(report),
        "filled": filled,
        "ledger_rows": ledger_rows,
        "ledger_errors": errors,
    }


@router.post("/api/author/check")
async def check(request: Request):
    require_role(request, "change")
    data = await _json_body(request)
    try:
        return await run_in_threadpool(editor.check_json, data["draft"])
    except (ValueError, TypeError) as e:
        raise HTTPException(400, f"草稿有误 (bad draft: {e})") from None


@router.post("/api/author/export/{fmt}")
async def export(request: Request, fmt: str):
    from gongkai.render.publish import PublishRefused, render_bytes

    require_role(request, "change")
    if fmt not in MEDIA:
        raise HTTPException(404, "没有这种格式 (no such format)")
    data = await _json_body(request)
    report = _draft(data)
    refresh_summaries(report)
    try:
        body = await run_in_threadpool(render_bytes, report, f".{fmt}", None, bool(data.get("override")))
    except PublishRefused as e:
        return JSONResponse({"error": str(e), "refused": True}, status_code=409)
    except GongkaiError as e:
        raise HTTPException(500, f"导出失败：{e}") from None
    name = f"{report.meta.get('agency') or ''}{report.year or ''}年政府信息公开工作年度报告.{fmt}"
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _original(request: Request, based_on) -> Report | None:
    """The stored report a correction started from (None when the draft names none that exists)."""
    ident = based_on.get("id") if isinstance(based_on, dict) else None
    if not isinstance(ident, int):
        return None
    try:
        stored, _doc = report_and_document(store_of(request), ident)
    except HTTPException:
        return None
    return stored


@router.post("/api/author/save")
async def save(request: Request):
    """Store the draft as a new document (a new version of its agency-year); the original is kept."""
    user = require_role(request, "change")
    data = await _json_body(request)
    report = _draft(data)
    refresh_summaries(report)
    based_on = data.get("based_on")
    if based_on is not None:
        report.meta["edited_from"] = based_on
        original = _original(request, based_on)
        if original is not None:
            report.meta["editor_decisions"] = editor.apply_decisions(report, original)
    detail = report.to_json(detail=True)  # cell statuses kept: what stayed in doubt stays so
    detail.pop("uncertain", None)
    body = json.dumps(detail, ensure_ascii=False, indent=1).encode("utf-8")
    name = f"{report.meta.get('agency') or '报告'}{report.year or ''}-修订.json"
    state = request.app.state

    def work() -> dict:
        out = store_one(state.store, blobs_of(request), body, name, state.lock)  # read outside the lock
        with state.lock:
            state.store.refresh_cross()
        return out

    result = await run_in_threadpool(work)
    if result.get("status") == "rejected" or result.get("error"):
        raise HTTPException(400, result.get("error") or "保存失败 (not saved)")
    log_activity(
        request, user, "author_save", name, edited_from=(based_on or {}).get("id"), new=result.get("id")
    )
    return {**result, "url": f"/report/{result['id']}" if result.get("id") else None}
