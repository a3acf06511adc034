"""The FastAPI application: server-rendered pages (Jinja2, autoescaped) over a gongkai store.

>>> app = create_app("sqlite:///gongkai.db", password=None)
>>> uvicorn.run(app, host="127.0.0.1", port=8000)

Pages: ``/`` upload and overview, ``/reports`` reports and the batch problem list, ``/report/{id}``,
``/coverage`` (agency × year), ``/charts``, ``/compare``; ``/export/{view}.{csv|xlsx}`` exports the rows of
view with the same query string. Nothing is fetched from the network: ECharts ships in ``static/vendor``.
"""

from __future__ import annotations

import csv
import io
import os
from collections import OrderedDict
from pathlib import Path
from threading import Lock
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import select
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from gongkai import template
from gongkai.errors import InputError
from gongkai.model import STATUSES, Report
from gongkai.read import sniff
from gongkai.render.html import CSS as TABLE_CSS
from gongkai.render.html import STATUS_LABELS as CELL_STATUS_LABELS
from gongkai.render.html import format_value, tables_html
from gongkai.store import schema as S
from gongkai.store.db import Store, resolve_url
from gongkai.web import data as D
from gongkai.web.auth import COOKIE, Signer, password_ok
from gongkai.web.pages import pdf_page_png, problem_anchor, sections_html
from gongkai.web.uploads import Blobs, Limits, UploadRejected, members, safe_name, store_one

HERE = Path(__file__).parent
EXPORT_VIEWS = ("reports", "problems", "coverage", "charts", "report", "compare")
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
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def default_files_dir(url: str) -> Path:
    """Where originals go: beside an SQLite file (``gongkai.db`` → ``gongkai-files/``), else
    ``./gongkai-files``."""
    url = resolve_url(url)
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        db = Path(url[len("sqlite:///") :])
        return db.with_name(db.stem + "-files")
    return Path("gongkai-files")


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(("html", "xml"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = format_value
    env.globals["SEVERITY"] = D.SEVERITY_LABELS
    env.globals["DOC_STATUS"] = D.STATUS_LABELS
    env.globals["table_css"] = Markup(TABLE_CSS)
    return env


def create_app(
    url: str | None = None,
    password: str | None = None,
    files_dir: str | Path | None = None,
    limits: Limits | None = None,
    store: Store | None = None,
) -> FastAPI:
    """The web app over the store at ``url``; ``password`` (or env ``GONGKAI_PASSWORD``) turns on login."""
    store = store or Store(url)
    password = password if password is not None else os.environ.get("GONGKAI_PASSWORD") or None
    app = FastAPI(title="gongkai", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    app.state.blobs = Blobs(Path(files_dir) if files_dir else default_files_dir(store.url))
    app.state.limits = limits or Limits()
    app.state.password = password
    app.state.signer = Signer()
    app.state.lock = Lock()  # one writer at a time (uploads)
    app.state.pages = OrderedDict()  # (sha256, page) → PNG, a small cache
    env = _env()
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def render(request: Request, name: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.setdefault("nav", "")
        ctx["login"] = bool(app.state.password)
        html = env.get_template(name).render(request=request, **ctx)
        return HTMLResponse(html, status_code=status_code)

    # ------------------------------------------------------------------ middleware

    @app.middleware("http")
    async def guard(request: Request, call_next):
        path = request.url.path
        open_path = path.startswith("/static/") or path == "/login"
        if app.state.password and not open_path and not app.state.signer.valid(request.cookies.get(COOKIE)):
            if path.startswith(("/api/", "/export/")) or request.method != "GET":
                return JSONResponse({"error": "需要登录 (login required)"}, status_code=401)
            return RedirectResponse(f"/login?next={quote(path)}", status_code=303)
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        return render(
            request, "error.html", status_code=exc.status_code, code=exc.status_code, detail=exc.detail
        )

    # ------------------------------------------------------------------ login

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/"):
        return render(request, "login.html", next=_local(next), failed=False)

    @app.post("/login")
    async def login(request: Request):
        form = await request.form(max_files=0, max_fields=4)
        given = str(form.get("password") or "")
        target = _local(str(form.get("next") or "/"))
        if not app.state.password or not password_ok(given, app.state.password):
            return render(request, "login.html", status_code=401, next=target, failed=True)
        resp = RedirectResponse(target, status_code=303)
        resp.set_cookie(
            COOKIE,
            app.state.signer.issue(),
            max_age=app.state.signer.max_age,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return resp

    @app.post("/logout")
    def logout():
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(COOKIE)
        return resp

    # ------------------------------------------------------------------ upload

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request):
        return render(
            request,
            "index.html",
            nav="home",
            summary=D.summary(store),
            limits=app.state.limits,
            failed=D.failed_documents(store)[:50],
        )

    @app.post("/api/upload")
    async def upload(request: Request):
        lim: Limits = app.state.limits
        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            raise HTTPException(411, "需要 Content-Length (length required)")
        if int(length) > lim.max_request_bytes:
            raise HTTPException(
                413, f"上传内容过大 (request larger than {lim.max_request_bytes // 2**20} MiB)"
            )
        try:
            form = await request.form(max_files=lim.max_files, max_fields=10)
        except StarletteHTTPException as e:
            if "Too many files" in str(e.detail):
                raise HTTPException(413, f"文件过多 (more than {lim.max_files} files)") from None
            raise HTTPException(400, f"上传格式不正确 (bad upload: {e.detail})") from None
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
                results.append(
                    {
                        "name": name,
                        "status": "rejected",
                        "error": f"文件过大 (larger than {lim.max_file_bytes // 2**20} MiB)",
                    }
                )
                continue
            try:
                docs.extend(members(body, name, lim))
            except UploadRejected as e:
                results.append({"name": name, "status": "rejected", "error": str(e)})
        if len(docs) > lim.max_files:
            raise HTTPException(413, f"文件过多 (more than {lim.max_files} files)")

        def work() -> list[dict]:
            out = []
            with app.state.lock:
                for name, body in docs:
                    out.append(store_one(store, app.state.blobs, body, name))
                store.refresh_cross()
            return out

        from starlette.concurrency import run_in_threadpool

        results.extend(await run_in_threadpool(work))
        return {"results": results}

    # ------------------------------------------------------------------ reports and problems

    @app.get("/reports", response_class=HTMLResponse)
    def reports_page(request: Request):
        f = D.Filters.from_query(dict(request.query_params))
        probs = D.problems(store, f)
        rows = D.reports(store, f)
        return render(
            request,
            "reports.html",
            nav="reports",
            f=f,
            rows=rows,
            kinds=probs["kinds"],
            regions=D.regions(store),
            qs=f.query_string(),
            with_problems=len(probs["reports"]),
        )

    @app.get("/report/{report_id}", response_class=HTMLResponse)
    def report_page(request: Request, report_id: int):
        report, doc = _report(report_id)
        found = store.findings([report_id]).get(report_id, [])
        found.sort(key=lambda f: (-{"error": 2, "warning": 1}.get(f.get("severity"), 0), f.get("code", "")))
        sections = sections_html(report, found)
        for f in found:
            f["_anchor"] = problem_anchor(f, report)
        cells = {p: {"where": c.where, "status": c.status, "raw": c.raw} for p, c in report.cells.items()}
        counts = {s: sum(1 for c in report.cells.values() if c.status == s) for s in STATUSES}
        years = D.agency_reports(store, doc["agency_id"]) if doc["agency_id"] else []
        prev = next(
            (r for r in reversed(years) if r["year"] and report.year and r["year"] < report.year), None
        )
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
            has_original=app.state.blobs.get(doc["sha256"]) is not None or _disk_original(doc) is not None,
            is_pdf=doc["format"] == "pdf",
            prev=prev,
            cell_status=CELL_STATUS_LABELS,
        )

    @app.get("/report/{report_id}/original")
    def original(report_id: int):
        doc = _doc(report_id)
        body = _original_bytes(doc)
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

    @app.get("/report/{report_id}/page/{page}.png")
    def page_image(report_id: int, page: int):
        doc = _doc(report_id)
        key = (doc["sha256"], page)
        cache: OrderedDict = app.state.pages
        png = cache.get(key)
        if png is None:
            body = _original_bytes(doc)
            if body is None or sniff(body) != "pdf" or not 1 <= page <= 2000:
                raise HTTPException(404, "没有该页 (no such page)")
            png = pdf_page_png(body, page)
            if png is None:
                raise HTTPException(404, "没有该页 (no such page)")
            cache[key] = png
            while len(cache) > 32:
                cache.popitem(last=False)
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    # ------------------------------------------------------------------ corpus pages

    @app.get("/coverage", response_class=HTMLResponse)
    def coverage_page(request: Request):
        f = D.Filters.from_query(dict(request.query_params))
        cov = D.coverage(store, f)
        return render(
            request,
            "coverage.html",
            nav="coverage",
            f=f,
            cov=cov,
            regions=D.regions(store),
            qs=f.query_string(),
        )

    @app.get("/charts", response_class=HTMLResponse)
    def charts_page(request: Request):
        f = D.Filters.from_query(dict(request.query_params))
        return render(
            request,
            "charts.html",
            nav="charts",
            f=f,
            data=D.charts(store, f),
            regions=D.regions(store),
            qs=f.query_string(),
        )

    @app.get("/api/charts")
    def charts_api(request: Request):
        return D.charts(store, D.Filters.from_query(dict(request.query_params)))

    @app.get("/compare", response_class=HTMLResponse)
    def compare_page(request: Request, agency: str = "", a: int | None = None, b: int | None = None):
        ctx = _compare(agency, a, b)
        return render(request, "compare.html", nav="compare", **ctx)

    # ------------------------------------------------------------------ exports

    @app.get("/export/{view}.{fmt}")
    def export(request: Request, view: str, fmt: str):
        if view not in EXPORT_VIEWS or fmt not in ("csv", "xlsx"):
            raise HTTPException(404, "没有这种导出 (no such export)")
        params = dict(request.query_params)
        rows = _export_rows(view, params)
        name = f"gongkai-{view}.{fmt}"
        if fmt == "csv":
            body = _csv(rows)
            media = "text/csv; charset=utf-8"
        else:
            body = _xlsx(rows, view)
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(
            body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )

    # ------------------------------------------------------------------ helpers

    def _doc(report_id: int) -> dict:
        d, r = S.documents, S.reports
        q = (
            select(
                d.c.id,
                d.c.sha256,
                d.c.name,
                d.c.path,
                d.c.format,
                d.c.size,
                d.c.status,
                d.c.error,
                r.c.agency_id,
                r.c.province,
                r.c.city,
                r.c.county,
            )
            .outerjoin(r, r.c.id == d.c.id)
            .where(d.c.id == report_id)
        )
        with store.engine.connect() as c:
            row = c.execute(q).mappings().first()
        if row is None:
            raise HTTPException(404, "没有这份报告 (no such report)")
        out = dict(row)
        out["region"] = "/".join(D._dedup((out["province"], out["city"], out["county"])))
        return out

    def _report(report_id: int) -> tuple[Report, dict]:
        doc = _doc(report_id)
        with store.engine.connect() as c:
            exists = c.execute(select(S.reports.c.id).where(S.reports.c.id == report_id)).first()
        if exists is None:
            raise HTTPException(404, "这份文件没有读出报告 (no report was read from this document)")
        return store.load_report(report_id), doc

    def _disk_original(doc: dict) -> Path | None:
        """A document ingested from disk by the CLI: its path as the store recorded it (never from a user)."""
        p = doc.get("path")
        if not p:
            return None
        path = Path(str(p))
        return path if path.is_file() else None

    def _original_bytes(doc: dict) -> bytes | None:
        body = app.state.blobs.get(doc["sha256"])
        if body is not None:
            return body
        p = _disk_original(doc)
        if p is None:
            return None
        try:
            data = p.read_bytes()
        except OSError:
            return None
        import hashlib

        return data if hashlib.sha256(data).hexdigest() == doc["sha256"] else None

    def _compare(agency: str, a: int | None, b: int | None) -> dict:
        agencies = store.agencies()
        ctx: dict[str, Any] = {"agencies": agencies, "agency": agency, "a": a, "b": b, "ready": False}
        if not agency:
            return ctx
        years = D.agency_reports(store, agency)
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
            labels={c["path"]: D.cell_labels(c["path"], rb.layout) for c in changes},
        )
        return ctx

    def _export_rows(view: str, params: dict[str, str]) -> list[dict]:
        f = D.Filters.from_query(params)
        if view == "reports":
            return [
                {
                    "报告编号": r["id"],
                    "机关": r["agency"],
                    "机关标识": r["agency_id"],
                    "年度": r["year"],
                    "地区": r["region"],
                    "模板": r["layout"],
                    "文件": r["name"],
                    "格式": r["format"],
                    "状态": D.STATUS_LABELS.get(r["status"], r["status"]),
                    "错误": r["errors"],
                    "警告": r["warnings"],
                    "不确定单元格": r["uncertain"],
                    "问题代码": " ".join(f"{k}×{v}" for k, v in r["codes"].items()),
                }
                for r in D.reports(store, f)
            ]
        if view == "problems":
            rows = D.reports(store, f)
            by_id = {r["id"]: r for r in rows}
            out = []
            for rid, found in store.findings(list(by_id)).items():
                r = by_id[rid]
                for x in found:
                    out.append(
                        {
                            "报告编号": rid,
                            "机关": r["agency"],
                            "年度": r["year"],
                            "地区": r["region"],
                            "代码": x.get("code"),
                            "级别": D.SEVERITY_LABELS.get(x.get("severity"), ""),
                            "范围": "跨年度" if x.get("scope") == "cross" else "本报告",
                            "位置": " ".join(x.get("where") or []),
                            "说明": x.get("message"),
                        }
                    )
            return sorted(out, key=lambda x: (x["报告编号"], x["代码"] or ""))
        if view == "coverage":
            return D.coverage(store, f).table()
        if view == "charts":
            return D.chart_table(D.charts(store, f))
        if view == "report":
            rid = params.get("id", "")
            if not rid.isdigit():
                raise HTTPException(404, "没有这份报告 (no such report)")
            report, _ = _report(int(rid))
            return [
                {
                    "路径": p,
                    **dict(zip(("表", "行", "列"), D.cell_labels(p, report.layout), strict=True)),
                    "数值": c.value,
                    "原文": c.raw,
                    "状态": c.status,
                }
                for p, c in report.cells.items()
            ]
        # compare
        b_raw, a_raw = params.get("b", ""), params.get("a", "")
        ctx = _compare(
            params.get("agency", ""),
            int(a_raw) if a_raw.isdigit() else None,
            int(b_raw) if b_raw.isdigit() else None,
        )
        if not ctx.get("ready"):
            raise HTTPException(404, "没有可对比的两个年度 (no two years to compare)")
        return [
            {
                "路径": c["path"],
                **dict(zip(("表", "行", "列"), ctx["labels"][c["path"]], strict=True)),
                str(ctx["a"]): c["a"],
                str(ctx["b"]): c["b"],
                "变化": c["delta"],
            }
            for c in ctx["changes"]
        ]

    return app


def _local(target: str) -> str:
    """Only same-site paths as redirect targets."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def _cell_text(v: Any) -> Any:
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v  # never a formula in a spreadsheet
    return v


def _csv(rows: list[dict]) -> bytes:
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]))
        w.writeheader()
        for r in rows:
            w.writerow({k: _cell_text(v) for k, v in r.items()})
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _xlsx(rows: list[dict], title: str) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    if rows:
        ws.append(list(rows[0]))
        for r in rows:
            ws.append([_cell_text(v) for v in r.values()])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def serve(
    url: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    password: str | None = None,
    files_dir: str | None = None,
) -> None:
    """Run the app with uvicorn (blocking)."""
    import uvicorn

    try:
        app = create_app(url, password=password, files_dir=files_dir)
    except InputError:
        raise
    uvicorn.run(app, host=host, port=port, log_level="info")
