"""The `gongkai` command: a thin shell over the library. Exit 0 clean, 1 findings at or above the
threshold, 2 usage or input error, 3 internal error (a bug in gongkai, or out of memory). Errors are one
line: ``错误/Error: <file>: <reason>``, never a traceback."""

from __future__ import annotations

import itertools
import json
import re
import sys
from pathlib import Path

from gongkai.errors import GongkaiError

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (~3 ms of a short command)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from typing import Any

    from gongkai.model import Report
    from gongkai.sources import Parsed

EXIT_INTERNAL = 3  # a crash: distinct from 1 (findings) and 2 (bad input), so scripts can tell them apart

_ROOT_HELP = "gongkai — 政府信息公开工作年度报告：读取、核查、发布。Read, check and publish annual reports."


# ---------------------------------------------------------------- the command line (argparse)
# Each command is a function with its arguments declared once beside it (``arg``/``opt`` take what
# ``argparse.ArgumentParser.add_argument`` takes); only the parser of the command that runs is built.


def opt(*flags: str, **kw: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    """An option or a positional argument of a command: ``add_argument``'s arguments, kept until used."""
    return flags, kw


arg = opt


class Command:
    """A command: its function and its parameters (``opt``/``arg``)."""

    __slots__ = ("params", "run")

    def __init__(self, run: Callable[..., None], params: tuple[tuple[tuple[str, ...], dict[str, Any]], ...]):
        self.run = run
        self.params = params

    @property
    def help(self) -> str:
        return _unwrap(self.run.__doc__ or "")


class Group:
    """Commands under one name (``gongkai roster import``)."""

    __slots__ = ("commands", "help")

    def __init__(self, help_text: str, commands: dict[str, Command]):
        self.help = help_text
        self.commands = commands

    def command(self, name: str | None = None, *params: tuple) -> Callable:
        return command(name, *params, into=self.commands)


COMMANDS: dict[str, Command | Group] = {}


def command(name: str | None = None, *params: tuple, into: dict | None = None) -> Callable:
    """Register the decorated function as the command ``name`` (default: its name, ``_`` as ``-``)."""

    def register(fn: Callable[..., None]) -> Callable[..., None]:
        (COMMANDS if into is None else into)[name or fn.__name__.replace("_", "-")] = Command(fn, params)
        return fn

    return register


def _commands(name: str | None) -> dict[str, Command | Group]:
    """The commands, with the review campaign's when ``name`` is not a core command: they load on first use
    (their package pulls SQLAlchemy in), so that a plain `gongkai parse` starts fast."""
    if name not in COMMANDS:
        from gongkai.review.cli import register

        register(COMMANDS)
    return COMMANDS


def _unwrap(doc: str) -> str:
    """A docstring with each paragraph's lines joined: a Chinese line runs on without a space (a space
    there reads as a gap in Chinese text), any other line joins with one."""
    paragraphs = []
    for paragraph in doc.strip().split("\n\n"):
        text = ""
        for line in filter(None, (line.strip() for line in paragraph.splitlines())):
            text += line if not text or not text[-1].isascii() else " " + line
        paragraphs.append(text)
    return "\n\n".join(paragraphs)


def _summary(text: str) -> str:
    return " ".join(text.split("\n\n")[0].split())


def _parser(prog: str, description: str) -> argparse.ArgumentParser:
    import argparse

    class OneLineParser(argparse.ArgumentParser):
        def error(self, message: str) -> None:  # type: ignore[override]
            _error(self.prog, f"{message}（{self.prog} --help 查看用法 see --help)")
            raise SystemExit(2)

    class DefaultsShown(argparse.HelpFormatter):
        def __init__(self, prog: str, **kw: Any) -> None:
            # argparse builds a formatter for every argument it adds, and its own asks shutil for the
            # terminal's width (importing shutil, bz2 and lzma: ~2 ms of a short run)
            super().__init__(prog, width=kw.pop("width", None) or _columns() - 2, **kw)

        def _get_help_string(self, action: argparse.Action) -> str | None:
            text = action.help or ""
            if action.default not in (None, False, [], argparse.SUPPRESS) and action.option_strings:
                text += " [默认 default: %(default)s]"
            return text

    return OneLineParser(
        prog=prog, description=description, formatter_class=DefaultsShown, allow_abbrev=False
    )


def _columns() -> int:
    """The terminal's width, as ``shutil.get_terminal_size`` gives it ($COLUMNS first, 80 when unknown)."""
    import os

    try:
        if (columns := int(os.environ["COLUMNS"])) > 0:
            return columns
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


def _listing(prog: str, description: str, commands: Mapping[str, Command | Group]) -> str:
    """``prog --help`` for a list of commands."""
    width = max(map(len, commands)) + 2
    lines = [
        f"用法 usage: {prog} COMMAND [ARGS]... ({prog} COMMAND --help)",
        "",
        description,
        "",
        "命令 commands:",
    ]
    lines += [f"  {name:<{width}}{_summary(c.help)}" for name, c in commands.items()]
    return "\n".join(lines)


def _run(prog: str, commands: Mapping[str, Command | Group], argv: list[str], description: str) -> None:
    """Run the command named by ``argv[0]`` among ``commands``; a listing for ``--help`` or nothing."""
    if not argv or argv[0] in ("-h", "--help"):
        print(_listing(prog, description, commands), file=sys.stdout if argv else sys.stderr)
        raise SystemExit(0 if argv else 2)
    name, rest = argv[0], argv[1:]
    found = commands.get(name)
    if found is None:
        _error(prog, f"没有命令 no such command {name!r}（{prog} --help 查看命令 see --help)")
        raise SystemExit(2)
    if isinstance(found, Group):
        _run(f"{prog} {name}", found.commands, rest, found.help)
        return
    parser = _parser(f"{prog} {name}", found.help)
    for flags, kw in found.params:
        parser.add_argument(*flags, **kw)
    found.run(**vars(parser.parse_intermixed_args(rest)))


def app(argv: Sequence[str]) -> int:
    """Run ``gongkai *argv`` in this process; the exit code. Whatever escapes a command becomes one
    ``错误/Error`` line: exit 2 for the input or the environment (database, disk, permissions), 3 for a bug
    in gongkai."""
    argv = list(argv)
    try:
        _run("gongkai", _commands(argv[0] if argv else None), argv, _ROOT_HELP)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError as e:
        if _stdout_closed():  # `gongkai ... | head`: the reader has what it wanted, not an error to report
            return EXIT_PIPE_CLOSED
        source, reason, code = describe_failure(e, argv)
        _error(source, reason)
        return code
    except Exception as e:
        source, reason, code = describe_failure(e, argv)
        _error(source, reason)
        return code
    return 0


EXIT_PIPE_CLOSED = 141  # what a shell reports for a writer whose reader went away (128 + SIGPIPE)


def _stdout_closed() -> bool:
    """Whether stdout is a pipe whose reader has gone; if so, stdout is pointed at /dev/null so that the
    flush at exit does not fail once more."""
    import os
    import select

    try:
        fd = sys.stdout.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        if not any(events & select.POLLERR for _, events in poller.poll(0)):
            return False
        os.dup2(os.open(os.devnull, os.O_WRONLY), fd)
    except (OSError, ValueError, AttributeError):  # not a real file (tests capture it): not ours to judge
        return False
    return True


def describe_failure(e: BaseException, argv: Sequence[str] = ()) -> tuple[str, str, int]:
    """(source, one-line reason, exit code) for an exception no command handled."""
    where = argv[0] if argv else "gongkai"
    if isinstance(e, GongkaiError):
        return where, str(e), 2
    if isinstance(e, MemoryError):
        return where, "内存不足 (out of memory)", EXIT_INTERNAL
    if isinstance(e, OSError):
        name = e.filename if e.filename is not None else where
        return escape_name(str(name)), f"{os_reason(e)}", 2
    db_reason = database_reason(e)
    if db_reason:
        return _option_value(argv, "--db") or "--db", db_reason, 2
    return where, _unexpected(e), EXIT_INTERNAL


def _option_value(argv: Sequence[str], option: str) -> str | None:
    """The value given to ``option`` on the command line of the failed command."""
    for i, a in enumerate(argv):
        if a == option and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith(option + "="):
            return a.split("=", 1)[1]
    return None


def os_reason(e: OSError) -> str:
    import errno

    words = {
        errno.ENOSPC: "磁盘已满",
        errno.EACCES: "没有权限",
        errno.EROFS: "只读文件系统",
        errno.ENOENT: "不存在",
        errno.EFBIG: "文件过大",
        errno.EMFILE: "打开的文件过多",
        errno.EAGAIN: "资源暂时不可用",
    }
    detail = e.strerror or type(e).__name__
    return f"{words.get(e.errno or 0, '系统错误')} ({detail})"


def database_reason(e: BaseException) -> str | None:
    """A database error (SQLAlchemy/DBAPI) in words, or None when ``e`` is not one."""
    try:
        from sqlalchemy.exc import DBAPIError
    except ImportError:  # pragma: no cover - the store extra is missing
        return None
    if not isinstance(e, DBAPIError):
        return None
    text = str(e.orig if e.orig is not None else e).splitlines()[0]
    low = text.lower()
    if "readonly" in low or "read-only" in low:
        return f"数据库只读 (read-only database: {text})"
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return f"数据库损坏或不是数据库 (corrupt or not a database: {text})"
    if "disk" in low and "full" in low:
        return f"磁盘已满 (disk full: {text})"
    if "locked" in low:
        return f"数据库被占用 (database is locked: {text})"
    return f"数据库错误 (database error: {text})"


def escape_name(name: str) -> str:
    """A file name safe on one terminal line: control characters shown as escapes."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in name)


def _write_atomic(path: Path, data: bytes) -> None:
    from gongkai.atomic import write_bytes_atomic

    write_bytes_atomic(path, data)


def _error(source: str, reason: str) -> None:
    print(f"错误/Error: {escape_name(source)}: {escape_name(reason)}", file=sys.stderr, flush=True)


def _echo(message: str, err: bool = False) -> None:
    print(message, file=sys.stderr if err else sys.stdout, flush=True)


def _unexpected(e: BaseException) -> str:
    return f"内部错误 (internal error: {type(e).__name__}: {e})"


_DEFAULT_LIMIT = 300.0  # gongkai.workers.DEFAULT_TIME_LIMIT (not imported here: the CLI starts lean)
_TIME_LIMIT_HELP = (
    "每个文件最多读取的秒数，超时即放弃并记为失败，其余继续；0 为不限 (seconds per file in a worker process, "
    "then abandoned as failed; 0: no limit, read in this process)。"
)


def _limit(seconds: float) -> float | None:
    return seconds if seconds > 0 else None


def _exit_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C (exit 143), so worker processes are ended on the way out."""
    import _signal  # what ``signal`` wraps in enums: importing those costs ~1 ms of a short run
    import contextlib

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    with contextlib.suppress(ValueError):  # not the main thread (tests): leave the handler alone
        _signal.signal(_signal.SIGTERM, stop)


_PATHS_HELP = "报告文件、文件夹（遍历）或 .zip 压缩包 (report files, folders walked, .zip archives)."
_SETTINGS_HELP = "读取设置文件（TOML，含 pdf、ocr、extract 各节，见 gongkai.settings）。"
SETTINGS = opt("--settings", dest="settings_file", type=Path, help=_SETTINGS_HELP)
TIME_LIMIT = opt("--time-limit", type=float, default=_DEFAULT_LIMIT, help=_TIME_LIMIT_HELP)
QUIET = opt("--quiet", "-q", action="store_true", help="不显示进度条。")


def _load_settings(path: Path | None):
    """The settings in ``path`` (None: the defaults); a bad file or key is one line and exit 2."""
    if path is None:
        return None
    from gongkai.settings import load

    try:
        return load(path)
    except GongkaiError as e:
        _error(str(path), str(e))
        raise SystemExit(2) from None


@command(
    "parse",
    arg("paths", nargs="+", type=Path, help=_PATHS_HELP),
    opt("--format", "-f", default="table", help="输出格式：table（表格）或 json。"),
    opt("--debug", action="store_true", help="同时显示在何处匹配到了什么 (debug trace)。"),
    TIME_LIMIT,
    SETTINGS,
)
def parse(paths: list[Path], format: str, debug: bool, time_limit: float, settings_file: Path | None) -> None:
    """读取报告，填入全国统一模板：基本信息、六个部分、表二/三/四。Read reports into the national template."""
    from gongkai.sources import discover, parse_many

    if format not in ("table", "json"):
        _error("--format", f"unknown format {format!r} (table|json)")
        raise SystemExit(2)
    settings = _load_settings(settings_file)
    _exit_on_sigterm()
    sources, errors = discover(paths)
    for source, reason in errors:
        _error(source, reason)
    failed = bool(errors)
    crashed = False
    for item in parse_many(sources, time_limit=_limit(time_limit), debug=debug, settings=settings):
        if item.report is None:
            _error(item.source, item.error or "")
            failed = True
            crashed = crashed or item.internal
            continue
        if format == "json":
            indent = 1 if len(sources) == 1 else None
            _echo(json.dumps(item.report.to_json(), ensure_ascii=False, indent=indent))
        else:
            from gongkai.render.terminal import print_report, print_trace

            print_report(item.report)
            if debug:
                print_trace(item.report)
    if crashed:
        raise SystemExit(EXIT_INTERNAL)
    if not sources and not errors:
        _error(" ".join(map(str, paths)), "没有找到报告文件 (no report files found)")
    if failed or not sources:
        raise SystemExit(2)


_CODES_HELP = "规则代码或前缀，逗号分隔，如 T3,X101 (rule codes or prefixes, comma-separated)."
_SELECT_HELP = "只运行这些规则。" + _CODES_HELP
_IGNORE_HELP = "不运行这些规则。" + _CODES_HELP


@command(
    "check",
    arg("paths", nargs="*", type=Path, help=_PATHS_HELP),
    opt("--format", "-f", default="text", help="输出格式：text（问题清单）或 json。"),
    opt("--fail-on", default="error", help="达到此级别即以 1 退出：error 或 warning。"),
    opt("--db", help="核查此数据库中已入库的报告 (database URL or SQLite file)。"),
    QUIET,
    opt("--select", action="append", help=_SELECT_HELP),
    opt("--ignore", action="append", help=_IGNORE_HELP),
    TIME_LIMIT,
    opt("--published", help="报告的发布日期 YYYY-MM-DD（只用于一个文件；供按时公开规则 M103）。"),
    opt(
        "--deadline",
        action="append",
        help="按机关类别的公开截止日期 KIND=MM-DD，可重复，如 department=01-31（KIND: "
        "department|government|township|other）。",
    ),
    opt("--workers", "-w", type=int, help="与 --db 同用：并行核查的进程数（默认为 CPU 核数）。"),
    SETTINGS,
)
def check(
    paths: list[Path],
    format: str,
    fail_on: str,
    db: str | None,
    quiet: bool,
    select: list[str] | None,
    ignore: list[str] | None,
    time_limit: float,
    published: str | None,
    deadline: list[str] | None,
    workers: int | None,
    settings_file: Path | None,
) -> None:
    """核查报告：逐条应用审核规则（见 `gongkai rules`），同一机关相邻年度的报告互相对照。Audit reports with
    every rule a careful reviewer applies; consecutive years of one agency are also checked together."""
    from gongkai.audit.entries import rule_codes

    if format not in ("text", "json"):
        _error("--format", f"unknown format {format!r} (text|json)")
        raise SystemExit(2)
    if fail_on not in ("error", "warning"):
        _error("--fail-on", f"unknown level {fail_on!r} (error|warning)")
        raise SystemExit(2)
    try:
        codes = rule_codes(select, ignore)
    except GongkaiError as e:
        _error("--select/--ignore", str(e))
        raise SystemExit(2) from None
    given = _timeliness_given(published, deadline, db)
    crashed = False
    if db is not None:
        if _show_checked_stream(_check_db(db, codes, given.get("deadlines"), workers), format, fail_on):
            raise SystemExit(1)
        return
    if paths:
        _exit_on_sigterm()
        settings = _load_settings(settings_file)
        entries, errors, crashed = _check_paths(paths, codes, quiet, _limit(time_limit), given, settings)
    else:
        _error("check", "no report files given (or --db URL)")
        raise SystemExit(2)
    _show_checked(entries, errors, format)
    if crashed:
        raise SystemExit(EXIT_INTERNAL)
    if db is None and (errors or not entries):
        raise SystemExit(2)
    _exit_on_findings(entries, fail_on)


def _timeliness_given(published: str | None, deadline: list[str] | None, db: str | None) -> dict:
    """``--published`` and ``--deadline`` checked, as report meta (``published``, ``deadlines``)."""
    from gongkai.audit.kinds import KINDS
    from gongkai.audit.rules.timeliness import parse_date

    given: dict = {}
    if published is not None:
        when = parse_date(published)
        if when is None or not re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", published.strip()):
            _error("--published", f"不是日期 YYYY-MM-DD (not a date): {published!r}")
            raise SystemExit(2)
        if db is not None:
            _error("--published", "与 --db 一起使用时发布日期取自数据库 (with --db the dates are stored)")
            raise SystemExit(2)
        given["published"] = when.isoformat()
    deadlines: dict[str, str] = {}
    for item in deadline or []:
        kind, _, mmdd = item.partition("=")
        kind = kind.strip()
        if kind not in KINDS or not _valid_month_day(mmdd):
            _error("--deadline", f"应为 KIND=MM-DD，KIND 为 {'|'.join(KINDS)}: {item!r}")
            raise SystemExit(2)
        deadlines[kind] = mmdd.strip()
    if deadlines:
        given["deadlines"] = deadlines
    return given


def _valid_month_day(mmdd: str) -> bool:
    from datetime import date

    m = re.fullmatch(r"(\d{1,2})-(\d{1,2})", mmdd.strip())
    if not m:
        return False
    try:
        date(2024, int(m.group(1)), int(m.group(2)))  # a leap year: 02-29 is a possible deadline
    except ValueError:
        return False
    return True


def _apply_timeliness_given(report: Report, given: dict) -> None:
    """The caller's date (source ``given``, which the M103 finding names) and deadlines on the report."""
    if "published" in given:
        report.meta["published"] = given["published"]
        sources = report.meta.get("sources")
        report.meta["sources"] = {**(sources if isinstance(sources, dict) else {}), "published": "given"}
    if "deadlines" in given:
        report.meta["deadlines"] = dict(given["deadlines"])


def _check_paths(
    paths: list[Path],
    codes: set[str] | None,
    quiet: bool,
    time_limit: float | None,
    given: dict | None = None,
    settings=None,
) -> tuple[list[dict], list[tuple[str, str]], bool]:
    """``check PATH``: the documents under ``paths`` read and audited together (consecutive years too);
    (entries, errors, whether reading crashed). ``given``: ``--published``/``--deadline`` as meta."""
    from gongkai.audit import check_reports
    from gongkai.audit.entries import entry
    from gongkai.sources import discover, parse_many

    given = given or {}
    sources, errors = discover(paths)
    for source, reason in errors:
        _error(source, reason)
    if "published" in given and len(sources) + len(errors) > 1:
        _error("--published", f"发布日期只能用于一个文件，这里有 {len(sources) + len(errors)} 个")
        raise SystemExit(2)
    parsed: list[tuple[Parsed, Report]] = []
    crashed = False
    items = parse_many(sources, time_limit=time_limit, settings=settings)
    for item in _with_progress(items, "读取 reading", quiet, total=len(sources)):
        if item.report is None:
            errors.append((item.source, item.error or ""))
            _error(item.source, item.error or "")
            crashed = crashed or item.internal
        else:
            _apply_timeliness_given(item.report, given)
            parsed.append((item, item.report))
    results = check_reports([report for _, report in parsed], select=codes)
    entries = [
        entry(
            p.source,
            report.meta,
            [f.to_json() for f in fs],
            sha256=p.sha256,
            agency_id=_agency_id(report),
        )
        for (p, report), fs in zip(parsed, results, strict=True)
    ]
    return entries, errors, crashed


def _agency_id(report) -> str | None:
    """The agency key the store would give (None where the store's extra is not installed)."""
    try:
        from gongkai.store.regions import identify
    except ImportError:
        return None
    return identify(report.meta.get("agency"), report.text).agency_id


def _show_checked(entries: list[dict], errors: list[tuple[str, str]], format: str) -> None:
    """``check``'s output, the same for files and for ``--db``."""
    if format == "json":
        out = {"reports": entries, "errors": [{"source": s, "error": r} for s, r in errors]}
        _echo(json.dumps(out, ensure_ascii=False, indent=1 if len(entries) == 1 else None))
        return
    from gongkai.audit import Finding
    from gongkai.audit.show import print_results

    print_results([(e["source"], e["meta"], [Finding.from_json(f) for f in e["findings"]]) for e in entries])


def _show_checked_stream(entries: Iterator[dict], format: str, fail_on: str) -> bool:
    """``_show_checked`` for entries that come one at a time (``check --db``), the same output; returns
    whether a finding reached ``fail_on``."""
    from gongkai.audit import severity_rank

    threshold = severity_rank(fail_on)
    failed = False

    def seen(e: dict) -> dict:
        nonlocal failed
        failed = failed or any(severity_rank(f.get("severity") or "info") >= threshold for f in e["findings"])
        return e

    head = [seen(e) for e in itertools.islice(entries, 2)]
    if len(head) < 2:
        _show_checked(head, [], format)
        return failed
    if format == "json":
        out = sys.stdout
        out.write('{"reports": [')
        for i, e in enumerate(itertools.chain(head, map(seen, entries))):
            out.write((", " if i else "") + json.dumps(e, ensure_ascii=False))
        out.write('], "errors": []}\n')
        out.flush()
        return failed
    from gongkai.audit import Finding
    from gongkai.audit.show import print_results
    from gongkai.render.terminal import make_console

    console = make_console()
    for e in itertools.chain(head, map(seen, entries)):
        print_results([(e["source"], e["meta"], [Finding.from_json(f) for f in e["findings"]])], console)
    return failed


def _exit_on_findings(entries: list[dict], fail_on: str) -> None:
    from gongkai.audit import severity_rank

    threshold = severity_rank(fail_on)
    if any(severity_rank(f.get("severity") or "info") >= threshold for e in entries for f in e["findings"]):
        raise SystemExit(1)


@command("rules", opt("--format", "-f", default="text", help="输出格式：text 或 json。"))
def rules(format: str) -> None:
    """审核规则目录：每条规则的代码、级别、名称和说明。The audit rule catalogue."""
    from gongkai.audit import all_rules
    from gongkai.audit.titles import title

    catalogue = all_rules()
    if format == "json":
        _echo(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "title": title(r.code),
                        "name": r.name,
                        "severity": r.severity,
                        "scope": r.scope,
                        "summary": r.summary,
                    }
                    for r in catalogue
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    for r in catalogue:
        cross = "（跨年度）" if r.scope == "pair" else ""
        _echo(f"{r.code}  {_SEVERITY_CN.get(r.severity, r.severity)}  {title(r.code)}{cross}  ({r.name})")


_SEVERITY_CN = {"error": "错误", "warning": "警告", "info": "提示"}


# ---------------------------------------------------------------- store: ingest, export, coverage, query

_DB_HELP = "数据库 URL（任何 SQLAlchemy URL）或 SQLite 文件，默认 sqlite:///gongkai.db。"
DB = opt("--db", help=_DB_HELP)


def _store_error(e: Exception, source: str = "--db") -> None:
    _error(source, str(e) if isinstance(e, GongkaiError) else _unexpected(e))
    raise SystemExit(2 if isinstance(e, GongkaiError) else EXIT_INTERNAL) from None


# Table headers of `coverage` and `query` (CSV and JSON keep the keys).
_HEADERS = {
    "region": "地区",
    "province": "省份",
    "agency": "机关",
    "agency_id": "机关标识",
    "years": "已有年度",
    "missing": "缺少年度",
    "documents": "文件数",
    "year": "年度",
    "published": "发布日期",
    "source_url": "来源网址",
    "name": "文件名",
    "source": "文件名",
    "status": "状态",
    "reports": "报告数",
    "applications": "新收申请",
    "answered": "办理结果合计",
    "granted_share": "予以公开占比",
    "partially_granted_share": "部分公开占比",
    "denied_share": "不予公开占比",
    "unable_share": "无法提供占比",
    "not_processed_share": "不予处理占比",
    "other_share": "其他处理占比",
    "errors": "错误",
    "warnings": "警告",
    "findings": "问题数",
    **{
        f"{group}_{k}": f"{label}{what}"
        for group, label in (("review", "行政复议"), ("litigation", "行政诉讼"))
        for k, what in (
            ("cases", "案件"),
            ("decided", "已审结"),
            ("corrected", "结果纠正"),
            ("correction_rate", "纠错率"),
        )
    },
}


def _print_rows(columns: list[str], rows: list[dict], format: str, title: str = "") -> None:
    """A list of records as a rich table, CSV or JSON on stdout."""
    if format == "json":
        _echo(json.dumps(rows, ensure_ascii=False, indent=1))
    elif format == "csv":
        import csv

        from gongkai.store.export import spreadsheet_safe

        w = csv.writer(sys.stdout)
        w.writerow(columns)
        for r in rows:
            w.writerow(["" if r.get(c) is None else spreadsheet_safe(r.get(c)) for c in columns])
    else:
        from rich.table import Table

        from gongkai.render.terminal import make_console

        table = Table(title=title or None, show_lines=False)
        for c in columns:
            table.add_column(_HEADERS.get(c, c))
        for r in rows:
            table.add_row(*("" if r.get(c) is None else str(r.get(c)) for c in columns))
        make_console().print(table)


def _with_progress(items: Iterable, description: str, quiet: bool, total: int | None = None):
    """``items``, with a progress bar on stderr when there are several and stderr is a terminal."""
    count = total if total is not None else len(items)  # type: ignore[arg-type]
    if quiet or count < 2:
        return items
    from rich.progress import track

    from gongkai.render.terminal import make_console

    console = make_console(stderr=True)
    return track(items, description=description, total=count, console=console, transient=True)


def _check_format(format: str, allowed: tuple[str, ...]) -> None:
    if format not in allowed:
        _error("--format", f"unknown format {format!r} ({'|'.join(allowed)})")
        raise SystemExit(2)


def _check_db(
    db: str, codes: set[str] | None, deadlines: dict[str, str] | None = None, workers: int | None = None
) -> Iterator[dict]:
    """``check --db``: the stored corpus audited again, each agency's consecutive years compared, in
    ``workers`` processes (default: the usable cores); the entries come one at a time (memory stays flat
    at any corpus size)."""
    from gongkai.store.summaries import iter_check_store
    from gongkai.workers import usable_cores

    try:
        entries = iter_check_store(db, codes=codes, deadlines=deadlines, workers=workers or usable_cores())
        first = list(itertools.islice(entries, 2))  # opens the store: a bad URL fails here
    except GongkaiError as e:
        _store_error(e)
        raise
    yield from first
    yield from entries


@command(
    "ingest",
    arg("paths", nargs="+", type=Path, help=_PATHS_HELP),
    DB,
    opt("--workers", "-w", type=int, help="并行进程数（默认为 CPU 核数）。"),
    opt("--regions", type=Path, help="机关与地区更正表 (CSV of agency/region overrides)。"),
    opt("--retry-failed", action="store_true", help="重新读取此前读取失败的文件。"),
    QUIET,
    TIME_LIMIT,
    SETTINGS,
)
def ingest(
    paths: list[Path],
    db: str | None,
    workers: int | None,
    regions: Path | None,
    retry_failed: bool,
    quiet: bool,
    time_limit: float,
    settings_file: Path | None,
) -> None:
    """读取、核查并入库 PATHS 下的每份报告。已入库的文件（sha256 相同）跳过，中断后重跑即可续上；读不出的文件
    记为失败。Read, audit and store every report; stored documents are skipped."""
    from functools import partial

    from gongkai.store import Overrides
    from gongkai.store import ingest as run_ingest
    from gongkai.store.db import resolve_url
    from gongkai.store.process import process_bytes
    from gongkai.store.progress import IngestProgress

    settings = _load_settings(settings_file)
    _exit_on_sigterm()
    try:
        overrides = Overrides.load(regions) if regions else None
        with IngestProgress(enabled=not quiet) as progress:
            result = run_ingest(
                paths,
                db,
                workers=workers,
                overrides=overrides,
                progress=progress,
                retry_failed=retry_failed,
                time_limit=_limit(time_limit),
                reader=partial(process_bytes, settings=settings) if settings else None,
            )
    except GongkaiError as e:
        _store_error(e, str(regions) if regions and "覆盖文件" in str(e) else "ingest")
    for source, reason in result.errors:
        _error(source, reason)
    c = result.counts
    _echo(
        f"入库 ingested {result.stored} · ok {c['ok']} · problems {c['problems']}"
        f" · failed {c['failed']} · skipped {c['skipped']} · unreadable {c['unreadable']}"
        f" · cross-year findings {result.cross_findings}"
        f" · {result.seconds:.1f}s → {resolve_url(db)}"
    )
    if result.errors:
        raise SystemExit(2)


@command(
    "export",
    opt("--to", type=Path, required=True, help="输出文件：.csv、.xlsx（中文表头）或 .parquet。"),
    DB,
    opt("--long", action="store_true", help="long：每个单元格一行。"),
    opt("--wide", dest="long", action="store_false", help="wide：每份报告一行（默认）。"),
    opt("--agency", action="append", help="机关标识或机关名称的一部分。"),
    opt("--year", type=int, action="append", help="报告年度（可重复）。"),
)
def export(to: Path, db: str | None, long: bool, agency: list[str] | None, year: list[int] | None) -> None:
    """导出已入库的报告：宽表（每份报告一行、每个字段一列）或长表（每个单元格一行）。Export stored reports."""
    from gongkai.store import export as run_export

    _exit_on_sigterm()  # a killed export unwinds, so its half-written temporary file is removed
    try:
        n = run_export(db, to, long=long, agencies=agency, years=year)
    except GongkaiError as e:
        _store_error(e, str(to))
    _echo(f"导出 exported {n} rows → {to}", err=True)


def _region(a: dict) -> str:
    return "/".join(dict.fromkeys(x for x in (a["province"], a["city"], a["county"]) if x))


@command(
    "coverage",
    DB,
    opt("--format", "-f", default="table", help="输出格式：table、csv 或 json。"),
    opt("--reports", action="store_true", help="每份已入库报告一行，含来源网址和发布日期。"),
)
def coverage(db: str | None, format: str, reports: bool) -> None:
    """覆盖情况：各机关有哪些年度的报告、缺哪些年度，按地区汇总。Which agencies have which years."""
    from gongkai.store import coverage as run_coverage

    _check_format(format, ("table", "csv", "json"))
    try:
        cov = run_coverage(db)
    except GongkaiError as e:
        _store_error(e)
    if format == "json":
        _echo(json.dumps(cov, ensure_ascii=False, indent=1))
        return
    if reports:
        _print_rows(
            ["region", "agency", "year", "published", "source_url", "name", "status"],
            [
                {**r, "region": _region(a), "agency": a["agency"]}
                for a in cov["agencies"]
                for r in a["reports"]
            ],
            format,
            title="覆盖 coverage: 报告 reports",
        )
        return
    rows = [
        {
            **a,
            "region": _region(a),
            "years": " ".join(map(str, a["years"])),
            "missing": " ".join(map(str, a["missing"])),
        }
        for a in cov["agencies"]
    ]
    span = f"{cov['years'][0]}–{cov['years'][-1]}" if cov["years"] else "—"
    _print_rows(
        ["region", "agency", "agency_id", "years", "missing", "documents"],
        rows,
        format,
        title=f"覆盖 coverage {span}",
    )


@command(
    "collect",
    arg("urls", nargs="*", help="年报栏目、报告页面或附件的网址 (column, report page or attachment URLs)."),
    opt("--from", dest="from_file", type=Path, help="网址列表文件，每行一个 (a file of URLs, one a line)."),
    opt("--roster", action="store_true", help="采集 --db 中名录（gongkai roster import）各单位的网址。"),
    opt(
        "--roster-csv",
        type=Path,
        help="名录 CSV，含 name 和 url 两列 (a roster CSV with name and url columns).",
    ),
    DB,
    opt(
        "--to",
        type=Path,
        default=Path("gongkai-collected"),
        help="原件和清单的存放目录 (folder for the originals and manifest).",
    ),
    opt(
        "--interval",
        type=float,
        default=1.0,
        help="同一网站两次请求之间的秒数 (seconds between requests to a host).",
    ),
    opt("--timeout", type=float, default=20.0, help="每次请求的超时秒数 (seconds per request)."),
    opt("--retries", type=int, default=2, help="超时或 5xx 后的重试次数 (retries after a timeout or 5xx)."),
    opt("--max-mb", type=float, default=50.0, help="下载文件的大小上限，单位 MB (largest file fetched)."),
    opt("--no-ingest", action="store_true", help="只下载保存，不入库 (only fetch and save)."),
    opt(
        "--ingest-only",
        action="store_true",
        help="不下载：把 --to 中已有的原件连同元数据入库 (ingest what --to holds).",
    ),
    opt("--quiet", "-q", action="store_true", help="不显示进度条 (no progress bar)."),
)
def collect(
    urls: list[str],
    from_file: Path | None,
    roster: bool,
    roster_csv: Path | None,
    db: str | None,
    to: Path,
    interval: float,
    timeout: float,
    retries: int,
    max_mb: float,
    no_ingest: bool,
    ingest_only: bool,
    quiet: bool,
) -> None:
    """从政府网站采集年度报告（遵守 robots.txt，逐站礼貌抓取），保存原件及其网址、抓取时间、HTTP 头、
    发布日期，然后入库；重跑只下载新的。Collect reports from government sites with their URL and 发布日期."""
    from gongkai.collect import FetchSettings, ingest_records, targets_from
    from gongkai.collect import collect as run_collect
    from gongkai.collect.archive import Archive
    from gongkai.collect.progress import CollectProgress
    from gongkai.store.progress import IngestProgress

    settings = FetchSettings(
        timeout=timeout, interval=interval, retries=retries, max_bytes=int(max_mb * 1024 * 1024)
    )
    errors: list[tuple[str, str]] = []
    try:
        if ingest_only:
            records = Archive(to).report_records()
        else:
            targets = targets_from(urls or [], from_file, roster_csv)
            if roster:
                targets += _stored_roster_targets(db, {t.url for t in targets})
            if not targets:
                _error("collect", "没有要采集的网址 (no URL given: URLs, --from, --roster or --roster-csv)")
                raise SystemExit(2)
            with CollectProgress(enabled=not quiet) as progress:
                result = run_collect(targets, db, to, settings, progress=progress, ingest=False)
            errors, records = result.errors, result.records
            for url, reason in errors:
                _error(url, reason)
            c = result.counts
            _echo(
                f"采集 collected: list pages {c['list_pages']} (unchanged {c['unchanged']})"
                f" · reports {c['reports']}"
                f" · new files {c['fetched']} · known {c['known']} · failed {c['failed']} → {to}"
            )
        if not no_ingest and records:
            with IngestProgress(enabled=not quiet) as bar:
                ingested = ingest_records(records, Archive(to), db, progress=bar)
            for source, reason in ingested.errors:
                _error(source, reason)
            n = ingested.counts
            _echo(
                f"入库 ingested {ingested.stored} · ok {n['ok']} · problems {n['problems']}"
                f" · failed {n['failed']} · skipped {n['skipped']}"
            )
    except GongkaiError as e:
        _store_error(e, "collect")
    if errors:
        raise SystemExit(2)


def _stored_roster_targets(db: str | None, known: set[str]) -> list:
    """``collect --roster``: the stored roster's web addresses (not already given)."""
    from gongkai.collect.targets import stored_roster

    if db is None:
        _error("--roster", "名录存放在数据库中，请给出 --db (the roster is read from --db)")
        raise SystemExit(2)
    found = [t for t in stored_roster(db) if t.url not in known]
    if not found:
        _error("--roster", "名录中没有单位网址 (no roster entry has a URL; gongkai roster import 名录.xlsx)")
        raise SystemExit(2)
    return found


@command(
    "query",
    arg("name", help="查询名称 (query name): applications | outcomes | corrections | problems"),
    DB,
    opt("--format", "-f", default="table", help="输出格式：table、csv 或 json。"),
)
def query(name: str, db: str | None, format: str) -> None:
    """现成的汇总查询（同一机关同一年度只计一次）。Ready summaries of the stored corpus."""
    from gongkai.store import query as run_query

    _check_format(format, ("table", "csv", "json"))
    try:
        out = run_query(db, name)
    except GongkaiError as e:
        _store_error(e, name if "查询" in str(e) else "--db")
    _print_rows(out["columns"], out["rows"], format, title=f"{name}: {out['description']}")


@command(
    "serve",
    DB,
    opt("--host", default="127.0.0.1", help="监听地址。"),
    opt("--port", type=int, default=8000, help="监听端口。"),
    opt("--password", help="登录所需的密码（或环境变量 GONGKAI_PASSWORD）。"),
    opt("--files", help="上传原件的存放目录（默认在数据库旁边）。"),
    opt(
        "--allowed-host",
        action="append",
        help="浏览器可使用的主机名，可重复；默认 --host (host names the browser may use).",
    ),
    opt(
        "--insecure",
        action="store_true",
        help="允许在没有 --password 时监听网络地址 (allow a network address without a password).",
    ),
)
def serve(
    db: str | None,
    host: str,
    port: int,
    password: str | None,
    files: str | None,
    allowed_host: list[str] | None,
    insecure: bool,
) -> None:
    """网页界面：在浏览器中上传、审阅报告和整个语料库。Web app."""
    import os

    if password is None:
        password = os.environ.get("GONGKAI_PASSWORD")
    try:
        from gongkai.web import serve as run
    except ImportError as e:
        _error("serve", f"网页界面需要安装 gongkai[web] (missing dependency: {e.name})")
        raise SystemExit(2) from None
    if not 0 < port < 65536:
        _error("--port", f"端口须在 1–65535 之间 (port must be 1–65535, not {port})")
        raise SystemExit(2)
    if password is not None and not password.strip():
        _error("--password", "密码不能为空 (the password must not be empty or blank)")
        raise SystemExit(2)
    if host not in ("127.0.0.1", "localhost", "::1") and not password:
        if not insecure:
            _error(
                "--host",
                "网络地址需要 --password 或 --insecure (a network address needs --password or --insecure)",
            )
            raise SystemExit(2)
        _echo(
            "警告/Warning: 没有设置密码，网络上的任何人都能访问 (no --password on a network address)",
            err=True,
        )
    try:
        run(db, host=host, port=port, password=password, files_dir=files, allowed_hosts=allowed_host)
    except GongkaiError as e:
        _error(db or "gongkai.db", str(e))
        raise SystemExit(2) from None


@command(
    "render",
    arg("file", type=Path, help="一份报告（gongkai 能读的任何格式，包括它自己写的 JSON）。"),
    opt(
        "--to",
        type=Path,
        required=True,
        help="输出文件 (output file): out.docx | out.pdf | out.html | out.json",
    ),
    opt("--force", action="store_true", help="强制发布：仍有错误时也写出 DOCX/PDF/HTML（记录在文件中）."),
)
def render(file: Path, to: Path, force: bool) -> None:
    """按官方版式发布报告（DOCX、PDF、HTML）或写出 JSON；仍有错误时拒绝发布（退出码 1），
    除非 --force（记录在文件中）。"""
    from gongkai import parse as parse_file
    from gongkai.render.publish import PublishRefused, publish

    try:
        report = parse_file(file)
        publish(report, to, override=force)
    except PublishRefused as e:
        _error(str(file), str(e))
        raise SystemExit(1) from None
    except GongkaiError as e:
        _error(str(file), str(e))
        raise SystemExit(2) from None
    if report.meta.get("publish_override"):
        from gongkai.author.prose import override_note

        _echo(override_note(report.meta["publish_override"]), err=True)
    _echo(f"已写出 wrote {to}", err=True)


@command(
    "template",
    opt("--to", type=Path, required=True, help="填报.xlsx (the tables) or 台账.xlsx|.csv with --ledger."),
    opt("--year", type=int, help="报告年度（决定版式）(report year; chooses the layout)."),
    opt("--agency", default="", help="机关名称."),
    opt(
        "--from",
        dest="from_report",
        type=Path,
        help="用一份报告预先填写（gongkai 能读的任何格式）(pre-fill from a report).",
    ),
    opt("--ledger", action="store_true", help="改为写出依申请公开台账模板 (the ledger template instead)."),
)
def template_command(to: Path, year: int | None, agency: str, from_report: Path | None, ledger: bool) -> None:
    """写出填报表：按官方版式的三张表格（XLSX，合计为公式、数值有校验，`gongkai parse` 可读回），或用
    --ledger 写出依申请公开台账。Write a form to fill in: the three tables as XLSX, or the ledger."""
    from gongkai import template as tmpl
    from gongkai.author.forms import form_xlsx
    from gongkai.author.ledger import ledger_template

    suffix = to.suffix.lower()
    try:
        if ledger:
            if suffix not in (".xlsx", ".csv"):
                raise GongkaiError(f"台账模板只能是 .xlsx 或 .csv (unsupported {suffix!r})")
            _write_atomic(to, ledger_template(suffix[1:], year))
        else:
            if suffix != ".xlsx":
                raise GongkaiError(f"填报表只能是 .xlsx (unsupported {suffix!r})")
            report = None
            if from_report is not None:
                from gongkai import parse as parse_file

                report = parse_file(from_report)
            fallback = report.layout if report else tmpl.default_layout()
            layout_key = tmpl.layout_for_year(year) if year else fallback
            _write_atomic(to, form_xlsx(layout_key, report, agency=agency, year=year))
    except GongkaiError as e:
        _error(str(from_report or to), str(e))
        raise SystemExit(2) from None
    except OSError as e:
        _error(str(to), f"无法写出 (cannot write: {e.strerror or e})")
        raise SystemExit(2) from None
    _echo(f"已写出 wrote {to}", err=True)


@command(
    "ledger",
    arg("file", type=Path, help="依申请公开台账 (CSV or XLSX with Chinese headers)."),
    opt("--year", type=int, required=True, help="报告年度 (report year)."),
    opt("--into", type=Path, help="A report JSON (a draft) whose table 三 is replaced."),
)
def ledger_command(file: Path, year: int, into: Path | None) -> None:
    """由依申请公开台账生成表三；有误的行按行号和列指出（退出码 1）并不计入。Table 三 from the ledger of
    applications; each bad row is named and left out."""
    from gongkai.author.ledger import table3_from_ledger
    from gongkai.read import load_file

    try:
        result = table3_from_ledger(load_file(file), year)
    except GongkaiError as e:
        _error(str(file), str(e))
        raise SystemExit(2) from None
    for row_error in result.errors:
        _error(str(file), row_error.text())
    report = _ledger_report(result.values, year, into)
    if into is not None:
        from gongkai.render.publish import publish

        publish(report, into)
        _echo(f"已写入表三 wrote table 三 into {into}", err=True)
    else:
        from gongkai.render.terminal import print_report

        print_report(report)
    _echo(f"台账 {result.rows} 件申请，{len(result.errors)} 个错误", err=True)
    if result.errors:
        raise SystemExit(1)


def _ledger_report(values: dict, year: int, into: Path | None):
    from gongkai import Report
    from gongkai import parse as parse_file
    from gongkai import template as tmpl
    from gongkai.model import READ, Cell

    if into is not None and into.exists():
        report = parse_file(into)
    else:
        report = Report(meta={"agency": None, "year": year, "template": tmpl.layout_for_year(year)})
    report.cells = {p: c for p, c in report.cells.items() if not p.startswith("table3.")}
    report.cells.update({p: Cell(p, v, READ, note="依申请公开台账") for p, v in values.items()})
    return report


@command(
    "new",
    opt("--year", type=int, required=True, help="报告年度 (report year)."),
    opt("--to", type=Path, required=True, help="draft.json (the draft) or 填报.xlsx (its tables)."),
    opt("--agency", help="机关名称 as in the title (default: the roster entry's)."),
    opt(
        "--from",
        dest="from_report",
        type=Path,
        help="上一年度的报告（gongkai 能读的任何格式）(last year's report).",
    ),
    opt(
        "--roster-entry",
        help="名录中的单位名称（从 --db 的名录取类型、地区、截止日期）; or roster fields as JSON, e.g. "
        '\'{"kind": "department"}\'.',
    ),
    opt("--db", help="在其名录中查找 --roster-entry 的数据库 (the database whose roster is used)."),
    opt("--tables", type=Path, help="A filled 填报.xlsx to take the tables from."),
    opt("--ledger", type=Path, help="依申请公开台账: table 三 from it."),
)
def new_command(
    year: int,
    to: Path,
    agency: str | None,
    from_report: Path | None,
    roster_entry: str | None,
    db: str | None,
    tables: Path | None,
    ledger: Path | None,
) -> None:
    """起草报告：按年度版式生成六个部分和三张表格，沿用上一年度报告（上年结转、现行有效件数、文字供参考），
    并给出二、三、四的汇总和尚缺内容。Start a report from last year's, with what is still needed."""
    from gongkai import parse as parse_file
    from gongkai.author import draft as drafting
    from gongkai.read import load_file

    source = str(from_report or tables or ledger or to)
    try:
        agency, meta = _roster_meta(roster_entry, db, agency, year)
        previous = parse_file(from_report) if from_report else None
        report = drafting.new_report(agency, year, previous=previous, meta=meta)
        if tables:
            drafting.fill_tables(report, parse_file(tables))
        errors = drafting.fill_from_ledger(report, load_file(ledger)).errors if ledger is not None else []
        drafting.refresh_summaries(report)
        if to.suffix.lower() == ".xlsx":
            from gongkai.author.forms import form_xlsx

            _write_atomic(to, form_xlsx(report.layout, report))
        else:
            from gongkai.render.publish import publish

            publish(report, to.with_suffix(".json") if to.suffix.lower() != ".json" else to)
    except (GongkaiError, ValueError) as e:
        _error(source, str(e))
        raise SystemExit(2) from None
    for row_error in errors:
        _error(str(ledger), row_error.text())
    for key, messages in sorted(drafting.guidance(drafting.check_draft(report, previous)).items()):
        for m in messages:
            _echo(f"待完善 {key}: {m}", err=True)
    _echo(f"已写出 wrote {to}", err=True)


def _roster_meta(entry: str | None, db: str | None, agency: str | None, year: int) -> tuple[str, dict]:
    """``new``'s agency and roster meta: ``--roster-entry`` as JSON fields, or a name looked up in the roster
    stored in ``--db``."""
    if entry and entry.lstrip().startswith("{"):
        try:
            meta = json.loads(entry)
        except json.JSONDecodeError as e:
            raise GongkaiError(f"--roster-entry 不是有效的 JSON (invalid JSON: {e})") from None
        if not isinstance(meta, dict):
            raise GongkaiError("--roster-entry 应为 JSON 对象 (must be a JSON object)")
    elif entry:
        from gongkai.review.roster import entry_meta, roster_entry

        if db is None:
            raise GongkaiError("--roster-entry 按名称查找需要 --db (the roster is in a database)")
        found = roster_entry(db, entry)
        agency = agency or found.name
        meta = entry_meta(found, year)
    else:
        meta = {}
    if not agency:
        raise GongkaiError("需要 --agency 或 --roster-entry (an agency is needed)")
    return agency, meta


def main() -> None:
    import gc

    # A command is a short process that makes many long-lived objects as it starts (modules, compiled
    # patterns, the template): the collector runs less often meanwhile, and what is alive at the end is not
    # walked once more before the process frees it all (together ~10 ms of a one-file `gongkai parse`).
    gc.set_threshold(_GC_YOUNG, *gc.get_threshold()[1:])
    code = app(sys.argv[1:])
    gc.freeze()
    sys.exit(code)


_GC_YOUNG = 10_000  # allocations between young collections (Python's default: 700)


if __name__ == "__main__":  # python -m gongkai.cli: run the module the review commands register into
    from gongkai.cli import main as run_main

    run_main()
