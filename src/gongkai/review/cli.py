"""The review campaign's commands (``gongkai roster``, ``review``, ``version``, ``score``, ``notice``,
``bulletin``, ``user``): thin shells over :mod:`gongkai.review`; ``register`` adds them to the main app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from gongkai.errors import GongkaiError

_DB_HELP = "Database URL (any SQLAlchemy URL) or SQLite file; default sqlite:///gongkai.db."
_YEAR_HELP = "Report year of the campaign; default the latest year stored."
Db = Annotated[str | None, typer.Option("--db", help=_DB_HELP)]
Year = Annotated[int | None, typer.Option("--year", help=_YEAR_HELP)]
Format = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]
User = Annotated[str | None, typer.Option("--user", help="Who does it (recorded in the activity log).")]

roster_app = typer.Typer(
    help="名录：导入应发布年度报告的单位，匹配，覆盖情况（未发布）。", no_args_is_help=True
)
review_app = typer.Typer(help="问题审核：列出、确认、驳回（按条件批量），导出审核表。", no_args_is_help=True)
version_app = typer.Typer(
    help="版本：同一单位同一年度的多个文件；当前版本、撤回、指定。", no_args_is_help=True
)
user_app = typer.Typer(help="账号：管理员、审核员、只读用户。", no_args_is_help=True)


def _fail(e: Exception, source: str = "--db") -> None:
    from gongkai.cli import _store_error

    _store_error(e, source)


def _rows(columns: list[str], rows: list[dict], format: str, title: str = "") -> None:
    from gongkai.cli import _check_format, _print_rows

    _check_format(format, ("table", "csv", "json"))
    _print_rows(columns, rows, format, title=title)


# ---------------------------------------------------------------------- roster


@roster_app.command("import")
def roster_import(
    file: Annotated[
        Path, typer.Argument(help="CSV (UTF-8) or XLSX: 名称, 地区, 层级, 类型, 网址, 截止日期.")
    ],
    db: Db = None,
    user: User = None,
) -> None:
    """Import the roster (replaces the previous one; all or nothing)."""
    from gongkai.review import import_roster

    try:
        result = import_roster(db, file, user=user)
    except GongkaiError as e:
        _fail(e, str(file))
    typer.echo(f"导入名录 imported {result.count} · 已匹配 matched {result.matched}", err=True)
    for name in result.unmatched:
        typer.echo(f"未匹配 unmatched: {name}", err=True)


@roster_app.command("show")
def roster_show(db: Db = None, year: Year = None, format: Format = "table") -> None:
    """Coverage against the roster: 已发布, 未发布, and reports of agencies not on it (名录外)."""
    from gongkai.review import roster_coverage

    try:
        rows = roster_coverage(db, year)
    except GongkaiError as e:
        _fail(e)
    out = [
        {
            "name": r.name,
            "region": r.region,
            "kind": r.kind_label,
            "status": r.status_label,
            "due": r.due,
            "published": r.published,
            "report": r.report_id,
            "agency_id": r.agency_id,
        }
        for r in rows
    ]
    _rows(list(out[0]) if out else ["name"], out, format, title="名录覆盖 roster coverage")


@roster_app.command("match")
def roster_match(
    name: Annotated[str, typer.Argument(help="The roster entry's name.")],
    agency_id: Annotated[
        str, typer.Argument(help="The store's agency id (see `gongkai coverage`); '-' clears.")
    ],
    db: Db = None,
    user: User = None,
) -> None:
    """Match a roster entry to a stored agency by hand."""
    from gongkai.review import set_match

    try:
        set_match(db, name, None if agency_id == "-" else agency_id, user=user)
    except GongkaiError as e:
        _fail(e)


# ---------------------------------------------------------------------- review


def _filter(agency, year, code, severity, state, report, fingerprint):
    from gongkai.review import ReviewFilter

    return ReviewFilter(
        agency=agency,
        year=year,
        code=code,
        severity=severity,
        state=state,
        report_id=report,
        fingerprints=tuple(fingerprint or ()),
    )


Agency = Annotated[str | None, typer.Option("--agency", help="Agency name (or part of it) or agency id.")]
Code = Annotated[str | None, typer.Option("--code", help="Rule code or prefix (T301, T3).")]
Severity = Annotated[str | None, typer.Option("--severity", help="error, warning or info.")]
State = Annotated[str | None, typer.Option("--state", help="pending, confirmed or dismissed.")]
Report = Annotated[int | None, typer.Option("--report", help="Report id.")]
Fingerprint = Annotated[
    list[str] | None, typer.Option("--finding", help="A finding's fingerprint (repeatable).")
]


@review_app.command("list")
def review_list(
    db: Db = None,
    agency: Agency = None,
    year: Year = None,
    code: Code = None,
    severity: Severity = None,
    state: State = None,
    report: Report = None,
    format: Format = "table",
) -> None:
    """The findings of the current versions with their review state (and 已整改 / 未整改)."""
    from gongkai.review import RECTIFICATION_LABELS, findings_for_review

    try:
        found = findings_for_review(db, _filter(agency, year, code, severity, state, report, None))
    except GongkaiError as e:
        _fail(e)
    rows = [
        {
            "finding": f.fingerprint,
            "report": f.report_id,
            "agency": f.agency,
            "year": f.year,
            "code": f.code,
            "severity": f.severity_label,
            "state": f.state_label,
            "rectification": RECTIFICATION_LABELS.get(f.rectification or "", ""),
            "message": f.message,
            "comment": f.comment,
            "reviewer": f.reviewer,
        }
        for f in found
    ]
    columns = ["finding", "report", "agency", "year", "code", "severity", "state", "rectification", "message"]
    _rows(columns + (["comment", "reviewer"] if format != "table" else []), rows, format, title="问题审核")


def _set(state: str, db, agency, year, code, severity, state_filter, report, fingerprint, comment, user):
    from gongkai.review import STATE_LABELS, set_state

    filters = _filter(agency, year, code, severity, state_filter, report, fingerprint)
    if not any(v not in (None, (), "") for v in vars(filters).values()):
        from gongkai.cli import _error

        _error(
            "review", "请给出筛选条件，例如 --agency 或 --code (give a filter; refusing to change everything)"
        )
        raise typer.Exit(2)
    try:
        n = set_state(db, filters, state, comment=comment, reviewer=user)
    except GongkaiError as e:
        _fail(e)
    typer.echo(f"{STATE_LABELS[state]} {n} 条 ({state} {n})", err=True)


Comment = Annotated[str | None, typer.Option("--comment", help="审核意见.")]


def _register_state_command(name: str, state: str, doc: str) -> None:
    """``gongkai review NAME``: set every finding the filter selects to ``state`` (one signature for the
    three commands; typer reads the options from it)."""

    def command(
        db: Db = None,
        agency: Agency = None,
        year: Year = None,
        code: Code = None,
        severity: Severity = None,
        state_filter: State = None,
        report: Report = None,
        finding: Fingerprint = None,
        comment: Comment = None,
        user: User = None,
    ) -> None:
        _set(state, db, agency, year, code, severity, state_filter, report, finding, comment, user)

    command.__doc__ = doc
    command.__name__ = f"review_{name}"
    review_app.command(name)(command)


_register_state_command("confirm", "confirmed", "Confirm (确认) every finding the filter selects.")
_register_state_command("dismiss", "dismissed", "Dismiss (驳回) every finding the filter selects.")
_register_state_command("reset", "pending", "Put the selected findings back to 待核 (pending).")


@review_app.command("compare")
def review_compare(db: Db = None, year: Year = None, user: User = None) -> None:
    """与其他单位比对：当年各单位的当前版本互相比对，找出雷同文字（C104），供审核和评分。Compare every
    agency's current version of the year with the others' (text copied from other agencies)."""
    from gongkai.review.similar import compare_agencies

    try:
        n = compare_agencies(db, year=year, user=user)
    except GongkaiError as e:
        _fail(e)
    typer.echo(f"与其他单位雷同：{n} 条问题 (findings stored)")


@review_app.command("sheet")
def review_sheet(
    to: Annotated[Path, typer.Option("--to", help="The XLSX file to write.")],
    db: Db = None,
    year: Year = None,
    scheme: Annotated[Path | None, typer.Option("--scheme", help="Deduction scheme TOML.")] = None,
) -> None:
    """The campaign's review sheet (XLSX): findings with states, roster coverage, scores."""
    from gongkai.review import load_scheme
    from gongkai.review.documents import review_sheet_xlsx

    try:
        n = review_sheet_xlsx(db, to, year=year, scheme=load_scheme(scheme) if scheme else None)
    except GongkaiError as e:
        _fail(e, str(to))
    typer.echo(f"审核表 review sheet: {n} findings → {to}", err=True)


# ---------------------------------------------------------------------- versions


@version_app.command("list")
def version_list(
    db: Db = None,
    agency: Agency = None,
    year: Year = None,
    format: Format = "table",
) -> None:
    """Every version of each agency-year; the current one marked."""
    from gongkai.review import versions

    try:
        rows = versions(db, year=year)
    except GongkaiError as e:
        _fail(e)
    out = [
        {
            "report": v.report_id,
            "agency": v.agency or ("（空白模板）" if v.blank else ""),
            "year": v.year,
            "file": v.name,
            "ingested": v.ingested_at.strftime("%Y-%m-%d %H:%M:%S") if v.ingested_at else "",
            "current": "当前" if v.current else "",
            "withdrawn": "已撤回" if v.withdrawn else "",
        }
        for v in rows
        if not agency or agency == v.subject or agency in (v.agency or "")
    ]
    _rows(
        ["report", "agency", "year", "file", "ingested", "current", "withdrawn"], out, format, "版本 versions"
    )


def _version_action(action: str, report: int, db, user) -> None:
    from gongkai.review import pick, withdraw

    try:
        if action == "pick":
            pick(db, report, user=user)
        else:
            withdraw(db, report, user=user, undo=action == "restore")
    except GongkaiError as e:
        _fail(e)


ReportArg = Annotated[int, typer.Argument(help="Report id (see `gongkai version list`).")]


@version_app.command("withdraw")
def version_withdraw(report: ReportArg, db: Db = None, user: User = None) -> None:
    """Withdraw a version: kept, but no longer current, exported or scored."""
    _version_action("withdraw", report, db, user)


@version_app.command("restore")
def version_restore(report: ReportArg, db: Db = None, user: User = None) -> None:
    """Bring a withdrawn version back."""
    _version_action("restore", report, db, user)


@version_app.command("pick")
def version_pick(report: ReportArg, db: Db = None, user: User = None) -> None:
    """Make a version the current one of its agency-year."""
    _version_action("pick", report, db, user)


# ---------------------------------------------------------------------- score, notice, bulletin


def score(
    db: Db = None,
    scheme: Annotated[
        Path | None, typer.Option("--scheme", help="Deduction scheme TOML; default built in.")
    ] = None,
    year: Year = None,
    format: Format = "table",
    user: User = None,
) -> None:
    """Score and rank the roster by a deduction scheme (recorded with the scheme and its version)."""
    from gongkai.review import load_scheme
    from gongkai.review import score as run_score

    try:
        loaded = load_scheme(scheme)
    except GongkaiError as e:
        _fail(e, str(scheme))
    try:
        run = run_score(db, loaded, year=year, user=user)
    except GongkaiError as e:
        _fail(e)
    if format == "json":
        typer.echo(json.dumps(run.to_json(), ensure_ascii=False, indent=1, default=str))
        return
    rows = [
        {
            "region": a.region,
            "kind": _kind_label(a.kind),
            "rank": a.rank,
            "agency": a.name,
            "score": a.score,
            "list": a.list_label,
            "deductions": "；".join(
                f"{d['label']}×{d['count']} -{d['points']}" for d in a.deductions.values()
            ),
        }
        for a in run.agencies
    ]
    title = f"评分 {run.scheme.name} v{run.scheme.version} · {run.year}"
    _rows(["region", "kind", "rank", "agency", "score", "list", "deductions"], rows, format, title=title)


def _kind_label(kind: str | None) -> str:
    from gongkai.audit import kinds

    return kinds.label(kind) if kind else ""


def notice(
    agency: Annotated[str, typer.Option("--agency", help="Agency name (or part of it) or agency id.")],
    to: Annotated[Path, typer.Option("--to", help="x.docx or x.xlsx.")],
    db: Db = None,
    year: Year = None,
    issuer: Annotated[str, typer.Option("--issuer", help="Who sends it.")] = "政务公开工作主管部门",
) -> None:
    """The 整改通知 of one agency: each confirmed problem, where it is, what to fix."""
    from gongkai.review.documents import notice_docx, notice_xlsx

    suffix = to.suffix.lower()
    if suffix not in (".docx", ".xlsx"):
        _fail(GongkaiError("通知应为 .docx 或 .xlsx (the notice is written as .docx or .xlsx)"), str(to))
    try:
        n = (
            notice_docx(db, agency, to, year, issuer)
            if suffix == ".docx"
            else notice_xlsx(db, agency, to, year)
        )
    except GongkaiError as e:
        _fail(e, agency)
    typer.echo(f"整改通知 notice: {n} problems → {to}", err=True)


def bulletin(
    to: Annotated[Path, typer.Option("--to", help="The DOCX file to write.")],
    db: Db = None,
    year: Year = None,
    scheme: Annotated[Path | None, typer.Option("--scheme", help="Deduction scheme TOML.")] = None,
    issuer: Annotated[str, typer.Option("--issuer", help="Who issues it.")] = "政务公开工作主管部门",
) -> None:
    """The campaign's 通报: participation, on-time rate, common problems, ranking, examples."""
    from gongkai.review import load_scheme
    from gongkai.review.documents import bulletin_docx

    try:
        bulletin_docx(db, to, year=year, scheme=load_scheme(scheme) if scheme else None, issuer=issuer)
    except GongkaiError as e:
        _fail(e, str(to))
    typer.echo(f"通报 bulletin → {to}", err=True)


# ---------------------------------------------------------------------- users


def _password(given: str | None) -> str:
    import os

    return given or os.environ.get("GONGKAI_USER_PASSWORD") or typer.prompt("密码 password", hide_input=True)


Password = Annotated[
    str | None, typer.Option("--password", help="Else $GONGKAI_USER_PASSWORD, else asked for.")
]
Role = Annotated[str, typer.Option("--role", help="admin, reviewer or readonly.")]


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Role = "reviewer",
    password: Password = None,
    db: Db = None,
    user: User = None,
) -> None:
    """Add a user (the password is stored as an argon2 hash)."""
    from gongkai.review.accounts import add_user

    try:
        add_user(db, name, _password(password), role, by=user)
    except GongkaiError as e:
        _fail(e, name)


@user_app.command("list")
def user_list(db: Db = None, format: Format = "table") -> None:
    """The users and their roles."""
    from gongkai.review.accounts import users

    try:
        rows = [
            {"name": u.name, "role": u.role_label, "active": "是" if u.active else "否"} for u in users(db)
        ]
    except GongkaiError as e:
        _fail(e)
    _rows(["name", "role", "active"], rows, format, title="用户 users")


@user_app.command("role")
def user_role(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Argument(help="admin, reviewer or readonly.")],
    db: Db = None,
    user: User = None,
) -> None:
    """Change a user's role."""
    from gongkai.review.accounts import set_role

    try:
        set_role(db, name, role, by=user)
    except GongkaiError as e:
        _fail(e, name)


@user_app.command("password")
def user_password(
    name: Annotated[str, typer.Argument(help="User name.")],
    password: Password = None,
    db: Db = None,
    user: User = None,
) -> None:
    """Set a user's password."""
    from gongkai.review.accounts import set_password

    try:
        set_password(db, name, _password(password), by=user)
    except GongkaiError as e:
        _fail(e, name)


@user_app.command("disable")
def user_disable(
    name: Annotated[str, typer.Argument(help="User name.")],
    enable: Annotated[bool, typer.Option("--enable", help="Enable again.")] = False,
    db: Db = None,
    user: User = None,
) -> None:
    """Disable a user (kept in the log; can no longer log in), or enable it again."""
    from gongkai.review.accounts import set_active

    try:
        set_active(db, name, enable, by=user)
    except GongkaiError as e:
        _fail(e, name)


def register(app: typer.Typer) -> None:
    app.add_typer(roster_app, name="roster")
    app.add_typer(review_app, name="review")
    app.add_typer(version_app, name="version")
    app.add_typer(user_app, name="user")
    app.command("score")(score)
    app.command("notice")(notice)
    app.command("bulletin")(bulletin)
