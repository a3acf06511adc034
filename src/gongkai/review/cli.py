"""The review campaign's commands (``gongkai roster``, ``review``, ``version``, ``score``, ``notice``,
``bulletin``, ``user``): thin shells over :mod:`gongkai.review`; ``register`` adds them to the main app."""

from __future__ import annotations

import json
from pathlib import Path

from gongkai.cli import Group, _echo, arg, command, opt
from gongkai.errors import GongkaiError

_DB_HELP = "Database URL (any SQLAlchemy URL) or SQLite file; default sqlite:///gongkai.db."
_YEAR_HELP = "Report year of the campaign; default the latest year stored."
DB = opt("--db", help=_DB_HELP)
YEAR = opt("--year", type=int, help=_YEAR_HELP)
FORMAT = opt("--format", "-f", default="table", help="table, csv or json.")
USER = opt("--user", help="Who does it (recorded in the activity log).")

roster_app = Group("名录：导入应发布年度报告的单位，匹配，覆盖情况（未发布）。", {})
review_app = Group("问题审核：列出、确认、驳回（按条件批量），导出审核表。", {})
version_app = Group("版本：同一单位同一年度的多个文件；当前版本、撤回、指定。", {})
user_app = Group("账号：管理员、审核员、只读用户。", {})
# ``score``, ``notice`` and ``bulletin``: top-level commands
TOP: dict = {}


def _fail(e: Exception, source: str = "--db") -> None:
    from gongkai.cli import _store_error

    _store_error(e, source)


def _rows(columns: list[str], rows: list[dict], format: str, title: str = "") -> None:
    from gongkai.cli import _check_format, _print_rows

    _check_format(format, ("table", "csv", "json"))
    _print_rows(columns, rows, format, title=title)


# ---------------------------------------------------------------------- roster


@roster_app.command(
    "import",
    arg("file", type=Path, help="CSV (UTF-8) or XLSX: 名称, 地区, 层级, 类型, 网址, 截止日期."),
    DB,
    USER,
)
def roster_import(file: Path, db: str | None, user: str | None) -> None:
    """Import the roster (replaces the previous one; all or nothing)."""
    from gongkai.review import import_roster

    try:
        result = import_roster(db, file, user=user)
    except GongkaiError as e:
        _fail(e, str(file))
    _echo(f"导入名录 imported {result.count} · 已匹配 matched {result.matched}", err=True)
    for name in result.unmatched:
        _echo(f"未匹配 unmatched: {name}", err=True)


@roster_app.command("show", DB, YEAR, FORMAT)
def roster_show(db: str | None, year: int | None, format: str) -> None:
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


@roster_app.command(
    "match",
    arg("name", help="The roster entry's name."),
    arg("agency_id", help="The store's agency id (see `gongkai coverage`); '-' clears."),
    DB,
    USER,
)
def roster_match(name: str, agency_id: str, db: str | None, user: str | None) -> None:
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


AGENCY = opt("--agency", help="Agency name (or part of it) or agency id.")
CODE = opt("--code", help="Rule code or prefix (T301, T3).")
SEVERITY = opt("--severity", help="error, warning or info.")
STATE = opt("--state", help="pending, confirmed or dismissed.")
REPORT = opt("--report", type=int, help="Report id.")
FINGERPRINT = opt("--finding", action="append", help="A finding's fingerprint (repeatable).")


@review_app.command("list", DB, AGENCY, YEAR, CODE, SEVERITY, STATE, REPORT, FORMAT)
def review_list(
    db: str | None,
    agency: str | None,
    year: int | None,
    code: str | None,
    severity: str | None,
    state: str | None,
    report: int | None,
    format: str,
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
        raise SystemExit(2)
    try:
        n = set_state(db, filters, state, comment=comment, reviewer=user)
    except GongkaiError as e:
        _fail(e)
    _echo(f"{STATE_LABELS[state]} {n} 条 ({state} {n})", err=True)


COMMENT = opt("--comment", help="审核意见.")


def _register_state_command(name: str, state: str, doc: str) -> None:
    """``gongkai review NAME``: set every finding the filter selects to ``state`` (one set of options for
    the three commands)."""

    def run(
        db: str | None,
        agency: str | None,
        year: int | None,
        code: str | None,
        severity: str | None,
        state_filter: str | None,
        report: int | None,
        finding: list[str] | None,
        comment: str | None,
        user: str | None,
    ) -> None:
        _set(state, db, agency, year, code, severity, state_filter, report, finding, comment, user)

    run.__doc__ = doc
    review_app.command(
        name,
        DB,
        AGENCY,
        YEAR,
        CODE,
        SEVERITY,
        opt(*STATE[0], dest="state_filter", **STATE[1]),
        REPORT,
        FINGERPRINT,
        COMMENT,
        USER,
    )(run)


_register_state_command("confirm", "confirmed", "Confirm (确认) every finding the filter selects.")
_register_state_command("dismiss", "dismissed", "Dismiss (驳回) every finding the filter selects.")
_register_state_command("reset", "pending", "Put the selected findings back to 待核 (pending).")


@review_app.command("compare", DB, YEAR, USER)
def review_compare(db: str | None, year: int | None, user: str | None) -> None:
    """与其他单位比对：当年各单位的当前版本互相比对，找出雷同文字（C104），供审核和评分。Compare every
    agency's current version of the year with the others' (text copied from other agencies)."""
    from gongkai.review.similar import compare_agencies

    try:
        n = compare_agencies(db, year=year, user=user)
    except GongkaiError as e:
        _fail(e)
    _echo(f"与其他单位雷同：{n} 条问题 (findings stored)")


@review_app.command(
    "sheet",
    opt("--to", type=Path, required=True, help="The XLSX file to write."),
    DB,
    YEAR,
    opt("--scheme", type=Path, help="Deduction scheme TOML."),
)
def review_sheet(to: Path, db: str | None, year: int | None, scheme: Path | None) -> None:
    """The campaign's review sheet (XLSX): findings with states, roster coverage, scores."""
    from gongkai.review import load_scheme
    from gongkai.review.documents import review_sheet_xlsx

    try:
        n = review_sheet_xlsx(db, to, year=year, scheme=load_scheme(scheme) if scheme else None)
    except GongkaiError as e:
        _fail(e, str(to))
    _echo(f"审核表 review sheet: {n} findings → {to}", err=True)


# ---------------------------------------------------------------------- versions


@version_app.command("list", DB, AGENCY, YEAR, FORMAT)
def version_list(db: str | None, agency: str | None, year: int | None, format: str) -> None:
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


REPORT_ARG = arg("report", type=int, help="Report id (see `gongkai version list`).")


@version_app.command("withdraw", REPORT_ARG, DB, USER)
def version_withdraw(report: int, db: str | None, user: str | None) -> None:
    """Withdraw a version: kept, but no longer current, exported or scored."""
    _version_action("withdraw", report, db, user)


@version_app.command("restore", REPORT_ARG, DB, USER)
def version_restore(report: int, db: str | None, user: str | None) -> None:
    """Bring a withdrawn version back."""
    _version_action("restore", report, db, user)


@version_app.command("pick", REPORT_ARG, DB, USER)
def version_pick(report: int, db: str | None, user: str | None) -> None:
    """Make a version the current one of its agency-year."""
    _version_action("pick", report, db, user)


# ---------------------------------------------------------------------- score, notice, bulletin


@command(
    "score",
    DB,
    opt("--scheme", type=Path, help="Deduction scheme TOML; default built in."),
    YEAR,
    FORMAT,
    USER,
    into=TOP,
)
def score(db: str | None, scheme: Path | None, year: int | None, format: str, user: str | None) -> None:
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
        _echo(json.dumps(run.to_json(), ensure_ascii=False, indent=1, default=str))
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


@command(
    "notice",
    opt("--agency", required=True, help="Agency name (or part of it) or agency id."),
    opt("--to", type=Path, required=True, help="x.docx or x.xlsx."),
    DB,
    YEAR,
    opt("--issuer", default="政务公开工作主管部门", help="Who sends it."),
    into=TOP,
)
def notice(agency: str, to: Path, db: str | None, year: int | None, issuer: str) -> None:
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
    _echo(f"整改通知 notice: {n} problems → {to}", err=True)


@command(
    "bulletin",
    opt("--to", type=Path, required=True, help="The DOCX file to write."),
    DB,
    YEAR,
    opt("--scheme", type=Path, help="Deduction scheme TOML."),
    opt("--issuer", default="政务公开工作主管部门", help="Who issues it."),
    into=TOP,
)
def bulletin(to: Path, db: str | None, year: int | None, scheme: Path | None, issuer: str) -> None:
    """The campaign's 通报: participation, on-time rate, common problems, ranking, examples."""
    from gongkai.review import load_scheme
    from gongkai.review.documents import bulletin_docx

    try:
        bulletin_docx(db, to, year=year, scheme=load_scheme(scheme) if scheme else None, issuer=issuer)
    except GongkaiError as e:
        _fail(e, str(to))
    _echo(f"通报 bulletin → {to}", err=True)


# ---------------------------------------------------------------------- users


def _password(given: str | None) -> str:
    import os

    if given or os.environ.get("GONGKAI_USER_PASSWORD"):
        return given or os.environ["GONGKAI_USER_PASSWORD"]
    from getpass import getpass

    return getpass("密码 password: ")


PASSWORD = opt("--password", help="Else $GONGKAI_USER_PASSWORD, else asked for.")
ROLE = opt("--role", default="reviewer", help="admin, reviewer or readonly.")


@user_app.command("add", arg("name", help="User name."), ROLE, PASSWORD, DB, USER)
def user_add(name: str, role: str, password: str | None, db: str | None, user: str | None) -> None:
    """Add a user (the password is stored as an argon2 hash)."""
    from gongkai.review.accounts import add_user

    try:
        add_user(db, name, _password(password), role, by=user)
    except GongkaiError as e:
        _fail(e, name)


@user_app.command("list", DB, FORMAT)
def user_list(db: str | None, format: str) -> None:
    """The users and their roles."""
    from gongkai.review.accounts import users

    try:
        rows = [
            {"name": u.name, "role": u.role_label, "active": "是" if u.active else "否"} for u in users(db)
        ]
    except GongkaiError as e:
        _fail(e)
    _rows(["name", "role", "active"], rows, format, title="用户 users")


@user_app.command(
    "role", arg("name", help="User name."), arg("role", help="admin, reviewer or readonly."), DB, USER
)
def user_role(name: str, role: str, db: str | None, user: str | None) -> None:
    """Change a user's role."""
    from gongkai.review.accounts import set_role

    try:
        set_role(db, name, role, by=user)
    except GongkaiError as e:
        _fail(e, name)


@user_app.command("password", arg("name", help="User name."), PASSWORD, DB, USER)
def user_password(name: str, password: str | None, db: str | None, user: str | None) -> None:
    """Set a user's password."""
    from gongkai.review.accounts import set_password

    try:
        set_password(db, name, _password(password), by=user)
    except GongkaiError as e:
        _fail(e, name)


@user_app.command(
    "disable",
    arg("name", help="User name."),
    opt("--enable", action="store_true", help="Enable again."),
    DB,
    USER,
)
def user_disable(name: str, enable: bool, db: str | None, user: str | None) -> None:
    """Disable a user (kept in the log; can no longer log in), or enable it again."""
    from gongkai.review.accounts import set_active

    try:
        set_active(db, name, enable, by=user)
    except GongkaiError as e:
        _fail(e, name)


def register(commands: dict) -> None:
    """Add the review campaign's commands to ``commands`` (the main command line's)."""
    commands.update(roster=roster_app, review=review_app, version=version_app, user=user_app, **TOP)
