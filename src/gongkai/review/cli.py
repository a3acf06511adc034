"""The review campaign's commands (``gongkai roster``, ``review``, ``version``, ``score``, ``notice``,
``bulletin``, ``user``): thin shells over :mod:`gongkai.review`; ``register`` adds them to the main app."""

from __future__ import annotations

import json
from pathlib import Path

from gongkai.cli import Group, _echo, arg, command, opt
from gongkai.errors import GongkaiError

_DB_HELP = "数据库地址（任何 SQLAlchemy URL）或 SQLite 文件；默认 sqlite:///gongkai.db (database)."
_YEAR_HELP = "审核的报告年度；默认库中最新年度 (report year of the campaign)."
DB = opt("--db", help=_DB_HELP)
YEAR = opt("--year", type=int, help=_YEAR_HELP)
FORMAT = opt("--format", "-f", default="table", help="输出格式：table、csv 或 json。")
USER = opt("--user", help="操作人（记入操作日志）(who does it).")

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
    """导入名录（替换原名录；全部成功或全部不变）。Import the roster (all or nothing)."""
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
    """对照名录的覆盖情况：已发布、未发布、名录外。Coverage against the roster."""
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
    arg("name", help="名录中的单位名称 (the roster entry's name)."),
    arg("agency_id", help="库中的机关编号（见 `gongkai coverage`）；'-' 清除 (the store's agency id)."),
    DB,
    USER,
)
def roster_match(name: str, agency_id: str, db: str | None, user: str | None) -> None:
    """手工将名录中的单位与库中的机关对应。Match a roster entry to a stored agency by hand."""
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


AGENCY = opt("--agency", help="机关名称（或其一部分）或机关编号 (agency name or id).")
CODE = opt("--code", help="规则代码或前缀，如 T301、T3 (rule code or prefix).")
SEVERITY = opt("--severity", help="级别：error、warning 或 info (severity).")
STATE = opt("--state", help="状态：pending（待核）、confirmed（确认）或 dismissed（驳回）。")
REPORT = opt("--report", type=int, help="报告编号 (report id).")
FINGERPRINT = opt("--finding", action="append", help="问题的指纹，可重复 (a finding's fingerprint).")


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
    """当前版本的问题及其审核状态（以及已整改、未整改）。The findings with their review state."""
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


_register_state_command(
    "confirm", "confirmed", "确认所筛选的全部问题。Confirm every finding the filter selects."
)
_register_state_command(
    "dismiss", "dismissed", "驳回所筛选的全部问题。Dismiss every finding the filter selects."
)
_register_state_command(
    "reset", "pending", "将所筛选的问题恢复为待核。Put the selected findings back to pending."
)


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
    opt("--to", type=Path, required=True, help="要写出的 XLSX 文件 (the XLSX file to write)."),
    DB,
    YEAR,
    opt("--scheme", type=Path, help="扣分方案（TOML）(deduction scheme)."),
)
def review_sheet(to: Path, db: str | None, year: int | None, scheme: Path | None) -> None:
    """审核表（XLSX）：问题及状态、名录覆盖、得分。The campaign's review sheet."""
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
    """各单位各年度的全部版本，标出当前版本。Every version of each agency-year."""
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


REPORT_ARG = arg("report", type=int, help="报告编号（见 `gongkai version list`）(report id).")


@version_app.command("withdraw", REPORT_ARG, DB, USER)
def version_withdraw(report: int, db: str | None, user: str | None) -> None:
    """撤回一个版本：保留，但不再作为当前版本，不导出、不评分。Withdraw a version."""
    _version_action("withdraw", report, db, user)


@version_app.command("restore", REPORT_ARG, DB, USER)
def version_restore(report: int, db: str | None, user: str | None) -> None:
    """恢复已撤回的版本。Bring a withdrawn version back."""
    _version_action("restore", report, db, user)


@version_app.command("pick", REPORT_ARG, DB, USER)
def version_pick(report: int, db: str | None, user: str | None) -> None:
    """指定某版本为该单位该年度的当前版本。Make a version the current one."""
    _version_action("pick", report, db, user)


# ---------------------------------------------------------------------- score, notice, bulletin


@command(
    "score",
    DB,
    opt("--scheme", type=Path, help="扣分方案（TOML）；默认内置方案 (deduction scheme)."),
    YEAR,
    FORMAT,
    USER,
    into=TOP,
)
def score(db: str | None, scheme: Path | None, year: int | None, format: str, user: str | None) -> None:
    """按扣分方案为名录各单位评分排名（记录方案及其版本）。Score and rank the roster."""
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
    opt("--agency", required=True, help="机关名称（或其一部分）或机关编号 (agency name or id)."),
    opt("--to", type=Path, required=True, help="输出文件：x.docx 或 x.xlsx (output file)."),
    DB,
    YEAR,
    opt("--issuer", default="政务公开工作主管部门", help="发文单位或人 (who sends it)."),
    into=TOP,
)
def notice(agency: str, to: Path, db: str | None, year: int | None, issuer: str) -> None:
    """一个单位的整改通知：每个已确认的问题、所在位置、如何整改。The notice to one agency."""
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
    opt("--to", type=Path, required=True, help="要写出的 DOCX 文件 (the DOCX file to write)."),
    DB,
    YEAR,
    opt("--scheme", type=Path, help="扣分方案（TOML）(deduction scheme)."),
    opt("--issuer", default="政务公开工作主管部门", help="发布单位 (who issues it)."),
    into=TOP,
)
def bulletin(to: Path, db: str | None, year: int | None, scheme: Path | None, issuer: str) -> None:
    """通报：发布情况、按时率、共性问题、排名、典型问题。The campaign's bulletin."""
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


PASSWORD = opt("--password", help="密码；否则取 $GONGKAI_USER_PASSWORD，再否则询问 (password).")
ROLE = opt(
    "--role", default="reviewer", help="角色：admin（管理员）、reviewer（审核员）或 readonly（只读）。"
)


@user_app.command("add", arg("name", help="用户名 (user name)."), ROLE, PASSWORD, DB, USER)
def user_add(name: str, role: str, password: str | None, db: str | None, user: str | None) -> None:
    """添加用户（密码以 argon2 散列保存）。Add a user."""
    from gongkai.review.accounts import add_user

    try:
        add_user(db, name, _password(password), role, by=user)
    except GongkaiError as e:
        _fail(e, name)


@user_app.command("list", DB, FORMAT)
def user_list(db: str | None, format: str) -> None:
    """用户及其角色。The users and their roles."""
    from gongkai.review.accounts import users

    try:
        rows = [
            {"name": u.name, "role": u.role_label, "active": "是" if u.active else "否"} for u in users(db)
        ]
    except GongkaiError as e:
        _fail(e)
    _rows(["name", "role", "active"], rows, format, title="用户 users")


@user_app.command(
    "role",
    arg("name", help="用户名 (user name)."),
    arg("role", help="角色：admin（管理员）、reviewer（审核员）或 readonly（只读）。"),
    DB,
    USER,
)
def user_role(name: str, role: str, db: str | None, user: str | None) -> None:
    """更改用户角色。Change a user's role."""
    from gongkai.review.accounts import set_role

    try:
        set_role(db, name, role, by=user)
    except GongkaiError as e:
        _fail(e, name)


@user_app.command("password", arg("name", help="用户名 (user name)."), PASSWORD, DB, USER)
def user_password(name: str, password: str | None, db: str | None, user: str | None) -> None:
    """设置用户密码。Set a user's password."""
    from gongkai.review.accounts import set_password

    try:
        set_password(db, name, _password(password), by=user)
    except GongkaiError as e:
        _fail(e, name)


@user_app.command(
    "disable",
    arg("name", help="用户名 (user name)."),
    opt("--enable", action="store_true", help="重新启用 (enable again)."),
    DB,
    USER,
)
def user_disable(name: str, enable: bool, db: str | None, user: str | None) -> None:
    """停用用户（日志保留，不能再登录），或重新启用。Disable a user, or enable it again."""
    from gongkai.review.accounts import set_active

    try:
        set_active(db, name, enable, by=user)
    except GongkaiError as e:
        _fail(e, name)


def register(commands: dict) -> None:
    """Add the review campaign's commands to ``commands`` (the main command line's)."""
    commands.update(roster=roster_app, review=review_app, version=version_app, user=user_app, **TOP)
