"""The home page (upload form and overview) and ``POST /api/upload``."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from gongkai.store import corpus
from gongkai.web.common import render, store_of
from gongkai.web.uploads import Limits, UploadRejected, members, safe_name, store_many
from gongkai.web.users import log_activity, require_role

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    store = store_of(request)
    return render(
        request,
        "index.html",
        nav="home",
        summary=corpus.store_summary(store),
        limits=request.app.state.limits,
        failed=corpus.failed_documents(store)[:50],
    )


async def _form(request: Request, lim: Limits):
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise HTTPException(411, "需要 Content-Length (length required)")
    if int(length) > lim.max_request_bytes:
        raise HTTPException(413, f"上传内容过大 (request larger than {lim.max_request_bytes // 2**20} MiB)")
    try:
        return await request.form(max_files=lim.max_files, max_fields=10)
    except StarletteHTTPException as e:
        if "Too many files" in str(e.detail):
            raise HTTPException(413, f"文件过多 (more than {lim.max_files} files)") from None
        raise HTTPException(400, f"上传格式不正确 (bad upload: {e.detail})") from None


@router.post("/api/upload")
async def upload(request: Request):
    user = require_role(request, "change")
    lim: Limits = request.app.state.limits
    form = await _form(request, lim)
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    if not files:
        raise HTTPException(400, "没有文件 (no files)")
    if len(files) > lim.max_files:
        raise HTTPException(413, f"文件过多 (more than {lim.max_files} files)")
    results: list[dict] = []
    docs: list[tuple[str, bytes]] = []
    for f in files:
        name = safe_name(f.filename)
        body = await f.read(lim.max_file_bytes + 1)
        await f.close()
        if len(body) > lim.max_file_bytes:
            error = f"文件过大 (larger than {lim.max_file_bytes // 2**20} MiB)"
            results.append({"name": name, "status": "rejected", "error": error})
            continue
        try:
            read, skipped = members(body, name, lim)
        except UploadRejected as e:
            results.append({"name": name, "status": "rejected", "error": str(e)})
            continue
        docs.extend(read)
        results.extend(skipped)
    if len(docs) > lim.max_files:
        raise HTTPException(413, f"文件过多 (more than {lim.max_files} files)")
    state = request.app.state

    def work() -> list[dict]:
        out = store_many(state.store, state.blobs, docs, state.lock, lim)
        with state.lock:
            state.store.refresh_cross()
        return out

    results.extend(await run_in_threadpool(work))
    stored = [r for r in results if r.get("status") != "rejected" and not r.get("duplicate")]
    log_activity(request, user, "upload", None, files=len(stored))
    return {"results": results}
