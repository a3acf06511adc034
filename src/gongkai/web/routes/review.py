"""The review campaign in the browser: roster coverage (未发布), finding review with bulk actions, versions,
scores and ranking, notices and the bulletin, publication metadata, users and the activity log. Thin shells
over :mod:`gongkai.review`; every change needs the right role and a CSRF token (``gongkai.web.users``)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from gongkai import review as R
from gongkai.errors import GongkaiError
from gongkai.review import accounts as A
from gongkai.review import documents as Docs
from gongkai.store.sessions import open_session, revoke_session
from gongkai.web.auth import COOKIE
from gongkai.web.common import blobs_of, local_target, render, store_of
from gongkai.web.security import CSRF_COOKIE, new_seed
from gongkai.web.users import current_user, log_activity, require

router = APIRouter()
PAGE_SIZE = 50
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Page:
    """One page of a list: its items, the page number, the number of pages, links keep the query."""

    items: list
    number: int
    pages: int
    total: int
    query: dict

    def link(self, number: int) -> str:
        return "?" + urlencode({**self.query, "page": number})


def paginate(items: list, request: Request, size: int = PAGE_SIZE) -> Page:
    page = page_of(len(items), request, size)
    page.items = items[(page.number - 1) * size : page.number * size]
    return page


def page_of(total: int, request: Request, size: int = PAGE_SIZE) -> Page:
    """The requested page of ``total`` items (its ``items`` still empty: the caller fetches that slice)."""
    try:
        number = max(1, int(request.query_params.get("page") or 1))
    except ValueError:
        number = 1
    pages = max(1, -(-total // size))
    number = min(number, pages)
    query = {k: v for k, v in request.query_params.items() if k != "page" and v}
    return Page([], number, pages, total, query)


def _year(request: Request) -> int | None:
    value = request.query_params.get("year") or ""
    return int(value) if value.isdigit() else None


def _page(request: Request, name: str, nav: str, **ctx) -> HTMLResponse:
    user, role = current_user(request)
    return render(request, name, nav=nav, user=user, role=role, can=A.can, **ctx)


async def _form(request: Request) -> dict:
    form = await request.form()
    return {k: form.getlist(k) if len(form.getlist(k)) > 1 else form.get(k) for k in form}


def _fail(e: Exception) -> HTTPException:
    return HTTPException(400, str(e))


# ---------------------------------------------------------------------- login with a user name


@router.get("/account/login", response_class=HTMLResponse)
def account_login_form(request: Request, next: str = "/campaign/roster"):
    return _page(request, "account_login.html", "", next=local_target(next), failed=False)


@router.post("/account/login")
async def account_login(request: Request):
    state = request.app.state
    form = await request.form(max_files=0, max_fields=5)
    target = local_target(str(form.get("next") or "/campaign/roster"))
    client = request.client.host if request.client else "unknown"
    wait = state.login_throttle.wait(client)
    if wait > 0:
        return _page(request, "account_login.html", "", status_code=429, next=target, failed=True)
    name, password = str(form.get("name") or ""), str(form.get("password") or "")
    user = await run_in_threadpool(A.authenticate, state.store, name, password)
    if user is None:
        state.login_throttle.failed(client)
        return _page(request, "account_login.html", "", status_code=401, next=target, failed=True)
    state.login_throttle.succeeded(client)
    old = request.cookies.get(COOKIE)
    if old:
        await run_in_threadpool(revoke_session, state.store, old)
    token = await run_in_threadpool(
        lambda: open_session(
            state.store, state.signer.max_age, user_id=user.id, role=user.role, client=client
        )
    )
    log_activity(request, user.name, "login")
    resp = RedirectResponse(target, status_code=303)
    secure = request.url.scheme == "https"
    resp.set_cookie(
        COOKIE, token, max_age=state.signer.max_age, httponly=True, samesite="strict", secure=secure
    )
    resp.set_cookie(CSRF_COOKIE, new_seed(), httponly=True, samesite="strict", secure=secure)
    return resp


@router.post("/account/logout")
async def account_logout(request: Request):
    await run_in_threadpool(revoke_session, request.app.state.store, request.cookies.get(COOKIE))
    resp = RedirectResponse("/account/login", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp


# ---------------------------------------------------------------------- roster and coverage


@router.get("/campaign/roster", response_class=HTMLResponse)
def roster_page(request: Request):
    from gongkai.review.roster import coverage_counts

    store = store_of(request)
    year = _year(request) or R.campaign_year(store)
    status = request.query_params.get("status") or ""
    counts = coverage_counts(store, year)
    total = counts.get(status) if status in counts else sum(counts.values())
    page = page_of(total or 0, request)
    page.items = R.roster_coverage(store, year, status, limit=PAGE_SIZE, offset=(page.number - 1) * PAGE_SIZE)
    return _page(
        request,
        "campaign_roster.html",
        "roster",
        page=page,
        year=year,
        counts=counts,
        status=status,
        agencies=_match_candidates(store) if any(r.status == "unpublished" for r in page.items) else [],
    )


def _match_candidates(store) -> list[dict]:
    """The agencies a roster entry can be matched to by hand: those no roster entry is matched to."""
    from sqlalchemy import select

    from gongkai.store import schema as S

    a = S.agencies
    listed = select(S.roster.c.agency_id).where(S.roster.c.agency_id.is_not(None))
    q = select(a.c.id, a.c.name).where(a.c.id.not_in(listed)).order_by(a.c.id)
    with store.engine.connect() as c:
        return [dict(m) for m in c.execute(q).mappings()]


@router.post("/campaign/roster/import")
async def roster_import(request: Request):
    user = await require(request, "change")
    form = await request.form(max_files=1, max_fields=4)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise HTTPException(400, "请选择名录文件 (choose a roster file)")
    data = await upload.read()
    name = Path(upload.filename or "roster").name
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            R.import_roster(store_of(request), path, user=user)
        except GongkaiError as e:
            raise HTTPException(400, f"{name}: {e}") from None
    return RedirectResponse("/campaign/roster", status_code=303)


@router.post("/campaign/roster/match")
async def roster_match(request: Request):
    user = await require(request, "change")
    form = await _form(request)
    try:
        R.set_match(
            store_of(request), str(form.get("name") or ""), str(form.get("agency_id") or "") or None, user
        )
    except GongkaiError as e:
        raise _fail(e) from None
    return RedirectResponse("/campaign/roster", status_code=303)


# ---------------------------------------------------------------------- finding review


def _filters(params) -> R.ReviewFilter:
    year = str(params.get("year") or "")
    return R.ReviewFilter(
        agency=str(params.get("agency") or "") or None,
        year=int(year) if year.isdigit() else None,
        code=str(params.get("code") or "") or None,
        severity=str(params.get("severity") or "") or None,
        state=str(params.get("state") or "") or None,
    )


@router.get("/campaign/review", response_class=HTMLResponse)
def review_page(request: Request):
    from gongkai.review.reviews import count_for_review

    store = store_of(request)
    filters = _filters(request.query_params)
    page = page_of(count_for_review(store, filters), request)
    page.items = R.findings_for_review(store, filters, limit=PAGE_SIZE, offset=(page.number - 1) * PAGE_SIZE)
    return _page(
        request,
        "campaign_review.html",
        "review",
        page=page,
        filters=filters,
        states=R.STATE_LABELS,
        rect=R.RECTIFICATION_LABELS,
    )


@router.post("/campaign/review")
async def review_action(request: Request):
    user = await require(request, "change")
    form = await _form(request)
    state = {"confirm": "confirmed", "dismiss": "dismissed", "reset": "pending"}.get(str(form.get("action")))
    if state is None:
        raise HTTPException(400, "未知的操作 (unknown action)")
    comment = str(form.get("comment") or "") or None
    store = store_of(request)
    n = 0
    if form.get("scope") == "filter":  # every finding the list's filter selects
        n = R.set_state(store, _filters(form), state, comment=comment, reviewer=user)
    else:
        items = form.get("item") or []
        by_report: dict[int, list[str]] = {}
        for item in [items] if isinstance(items, str) else items:
            rid, _, fp = str(item).partition(":")
            if rid.isdigit() and fp:
                by_report.setdefault(int(rid), []).append(fp)
        for report_id, fps in by_report.items():
            n += R.set_state(
                store, R.ReviewFilter(report_id=report_id, fingerprints=tuple(fps)), state, comment, user
            )
    back = local_target(str(form.get("back") or "/campaign/review"))
    return RedirectResponse(back, status_code=303, headers={"X-Changed": str(n)})


@router.post("/campaign/compare")
async def compare_action(request: Request):
    """Every agency's current version of the year against the others' (C104, 与其他单位雷同), then the
    review list of what it found."""
    from gongkai.review.similar import compare_agencies

    user = await require(request, "change")
    form = await _form(request)
    year = str(form.get("year") or "")
    store = store_of(request)
    try:
        n = await run_in_threadpool(compare_agencies, store, int(year) if year.isdigit() else None, user)
    except GongkaiError as e:
        raise _fail(e) from None
    query = urlencode({"code": "C104", **({"year": year} if year.isdigit() else {})})
    return RedirectResponse(f"/campaign/review?{query}", status_code=303, headers={"X-Changed": str(n)})


# ---------------------------------------------------------------------- versions and publication metadata


@router.get("/campaign/versions", response_class=HTMLResponse)
def versions_page(request: Request):
    from gongkai.review.publication import SOURCE_LABELS
    from gongkai.review.versions import count_versions

    store = store_of(request)
    agency = request.query_params.get("agency") or ""
    year = _year(request)
    page = page_of(count_versions(store, year=year, agency=agency), request)
    offset = (page.number - 1) * PAGE_SIZE
    page.items = R.versions(store, year=year, agency=agency, limit=PAGE_SIZE, offset=offset)
    return _page(
        request,
        "campaign_versions.html",
        "versions",
        page=page,
        agency=agency,
        sources=SOURCE_LABELS,
    )


@router.post("/campaign/versions/{report_id}/{action}")
async def version_action(request: Request, report_id: int, action: str):
    user = await require(request, "change")
    store = store_of(request)
    try:
        if action == "pick":
            R.pick(store, report_id, user=user)
        elif action in ("withdraw", "restore"):
            R.withdraw(store, report_id, user=user, undo=action == "restore")
        else:
            raise HTTPException(404, "未知的操作 (unknown action)")
    except GongkaiError as e:
        raise HTTPException(404, str(e)) from None
    return RedirectResponse("/campaign/versions", status_code=303)


@router.post("/campaign/publication/{report_id}")
async def publication_edit(request: Request, report_id: int):
    from gongkai.review.publication import edit_publication

    user = await require(request, "change")
    form = await _form(request)
    try:
        edit_publication(
            store_of(request),
            report_id,
            str(form.get("source_url") or "") or None,
            str(form.get("published") or "") or None,
            user=user,
        )
    except GongkaiError as e:
        raise _fail(e) from None
    return RedirectResponse("/campaign/versions", status_code=303)


# ---------------------------------------------------------------------- scores, notices, bulletin


def _chosen_scheme(store, value) -> tuple[str, R.Scheme]:
    """The scheme picked on the scores page: ``default`` or the id of a stored run whose scheme is reused."""
    from gongkai.review.scoring import run_scheme

    value = str(value or "default")
    if value == "default":
        return value, R.load_scheme()
    if not value.isdigit():
        raise HTTPException(400, "未知的评分方案 (unknown scheme)")
    try:
        return value, run_scheme(store, int(value))
    except GongkaiError as e:
        raise HTTPException(404, str(e)) from None


def _roster_size(store) -> int:
    from sqlalchemy import func, select

    from gongkai.store import schema as S

    with store.engine.connect() as c:
        return c.execute(select(func.count()).select_from(S.roster)).scalar() or 0


@router.get("/campaign/scores", response_class=HTMLResponse)
def scores_page(request: Request):
    from gongkai.review.scoring import score_page, score_runs, stored_schemes

    store = store_of(request)
    chosen, scheme = _chosen_scheme(store, request.query_params.get("scheme"))
    page = page_of(_roster_size(store), request)
    run, _total = score_page(store, scheme, _year(request), PAGE_SIZE, (page.number - 1) * PAGE_SIZE)
    page.items = run.agencies
    return _page(
        request,
        "campaign_scores.html",
        "scores",
        run=run,
        page=page,
        schemes=stored_schemes(store),
        chosen=chosen,
        runs=len(score_runs(store)),
    )


@router.post("/campaign/scores/run")
async def scores_run(request: Request):
    """Score with the chosen scheme (a stored one, the default, or an uploaded TOML) and store the run."""
    from gongkai.review.scoring import parse_scheme

    user = await require(request, "change")
    form = await request.form(max_files=1, max_fields=6)
    store = store_of(request)
    upload = form.get("scheme_file")
    data = await upload.read(1024 * 1024 + 1) if upload is not None and not isinstance(upload, str) else b""
    if len(data) > 1024 * 1024:
        raise HTTPException(413, "方案文件过大 (scheme file too large)")
    try:
        scheme = parse_scheme(data.decode("utf-8")) if data else _chosen_scheme(store, form.get("scheme"))[1]
    except UnicodeDecodeError:
        raise HTTPException(400, "方案文件应为 UTF-8 编码的 TOML (scheme must be UTF-8 TOML)") from None
    except GongkaiError as e:
        raise _fail(e) from None
    year = str(form.get("year") or "")
    run = R.score(store, scheme, year=int(year) if year.isdigit() else None, user=user)
    return RedirectResponse(f"/campaign/scores/runs/{run.id}", status_code=303)


@router.get("/campaign/scores/runs", response_class=HTMLResponse)
def score_runs_page(request: Request):
    from gongkai.review.scoring import score_runs

    runs = score_runs(store_of(request))
    return _page(request, "campaign_score_runs.html", "scores", page=paginate(runs, request))


@router.get("/campaign/scores/runs/{run_id}", response_class=HTMLResponse)
def score_run_page(request: Request, run_id: int):
    from gongkai.review.scoring import stored_run

    try:
        run = stored_run(store_of(request), run_id)
    except GongkaiError as e:
        raise HTTPException(404, str(e)) from None
    agencies = (run["results"] or {}).get("agencies") or []
    return _page(request, "campaign_score_run.html", "scores", run=run, page=paginate(agencies, request))


def _file(write, suffix: str, media: str, filename: str) -> Response:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"out{suffix}"
        try:
            write(path)
        except GongkaiError as e:
            raise HTTPException(404, str(e)) from None
        body = path.read_bytes()
    from urllib.parse import quote

    disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


@router.get("/campaign/notice/{report_id}.{fmt}")
def notice_download(request: Request, report_id: int, fmt: str):
    store = store_of(request)
    chosen = [v for v in R.current_versions(store) if v.report_id == report_id]
    if not chosen or fmt not in ("docx", "xlsx"):
        raise HTTPException(404, "没有这份当前版本的报告 (no such current report)")
    v = chosen[0]
    name = f"{v.agency or v.name}{v.year or ''}年报整改通知.{fmt}"
    if fmt == "docx":

        def original(version) -> bytes | None:  # the copy kept at upload, never a path on the server
            return blobs_of(request).get(version.sha256)

        write = lambda p: Docs.notice_docx(store, v.subject, p, v.year, original=original)  # noqa: E731
        return _file(write, ".docx", DOCX, name)
    return _file(lambda p: Docs.notice_xlsx(store, v.subject, p, v.year), ".xlsx", XLSX, name)


@router.get("/campaign/bulletin.docx")
def bulletin_download(request: Request):
    year = _year(request)
    return _file(
        lambda p: Docs.bulletin_docx(store_of(request), p, year=year), ".docx", DOCX, "评议通报.docx"
    )


@router.get("/campaign/sheet.xlsx")
def sheet_download(request: Request):
    year = _year(request)
    return _file(
        lambda p: Docs.review_sheet_xlsx(store_of(request), p, year=year), ".xlsx", XLSX, "审核表.xlsx"
    )


# ---------------------------------------------------------------------- users and the activity log


@router.get("/campaign/users", response_class=HTMLResponse)
def users_page(request: Request):
    _, role = current_user(request)
    if not A.can(role, "manage_users"):
        raise HTTPException(403, "没有权限 (not allowed for this account)")
    users = A.users(store_of(request))
    return _page(request, "campaign_users.html", "users", page=paginate(users, request), roles=A.ROLE_LABELS)


@router.post("/campaign/users")
async def users_action(request: Request):
    user = await require(request, "manage_users")
    form = await _form(request)
    store, name = store_of(request), str(form.get("name") or "")
    try:
        action = form.get("action")
        if action == "add":
            A.add_user(store, name, str(form.get("password") or ""), str(form.get("role") or ""), by=user)
        elif action == "role":
            A.set_role(store, name, str(form.get("role") or ""), by=user)
        elif action in ("disable", "enable"):
            A.set_active(store, name, action == "enable", by=user)
        elif action == "password":
            A.set_password(store, name, str(form.get("password") or ""), by=user)
        else:
            raise HTTPException(400, "未知的操作 (unknown action)")
    except GongkaiError as e:
        raise _fail(e) from None
    return RedirectResponse("/campaign/users", status_code=303)


@router.get("/campaign/activity", response_class=HTMLResponse)
def activity_page(request: Request):
    try:
        number = max(1, int(request.query_params.get("page") or 1))
    except ValueError:
        number = 1
    rows, total = A.activity(store_of(request), limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    return _page(request, "campaign_activity.html", "activity", page=Page(rows, number, pages, total, {}))
