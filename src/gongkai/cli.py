"""The `gongkai` command: a thin shell over the library. Exit 0 clean, 1 findings at or above the
threshold, 2 usage or input error. Errors are one line: ``错误/Error: <file>: <reason>``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from gongkai.errors import GongkaiError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="gongkai — 政府信息公开工作年度报告：读取、核查、发布。Read, check and publish annual reports.",
)


@app.callback()
def _root() -> None:
    """gongkai — 政府信息公开工作年度报告：读取、核查、发布。"""


def _error(source: str, reason: str) -> None:
    typer.echo(f"错误/Error: {source}: {reason}", err=True)


def _unexpected(e: Exception) -> str:
    return f"内部错误 (internal error: {type(e).__name__}: {e})"


@app.command()
def parse(
    files: Annotated[list[Path], typer.Argument(help="Report files (text, HTML, PDF, Word, images).")],
    format: Annotated[str, typer.Option("--format", "-f", help="table (readable view) or json.")] = "table",
) -> None:
    """Read reports into the national template: meta, sections, tables 二/三/四."""
    from gongkai import parse as parse_file

    if format not in ("table", "json"):
        _error("--format", f"unknown format {format!r} (table|json)")
        raise typer.Exit(2)
    failed = False
    for path in files:
        try:
            report = parse_file(path)
        except GongkaiError as e:
            _error(str(path), str(e))
            failed = True
            continue
        except Exception as e:
            _error(str(path), _unexpected(e))
            failed = True
            continue
        if format == "json":
            indent = 1 if len(files) == 1 else None
            typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=indent))
        else:
            from gongkai.render.terminal import print_report

            print_report(report)
    if failed:
        raise typer.Exit(2)


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Report files or directories (walked).")],
    format: Annotated[str, typer.Option("--format", "-f", help="text (problem list) or json.")] = "text",
    fail_on: Annotated[str, typer.Option("--fail-on", help="Exit 1 at or above: error|warning.")] = "error",
) -> None:
    """Audit reports: every rule a careful reviewer applies (see `gongkai rules`). Reports of one agency in
    consecutive years are also checked against each other."""
    from gongkai import parse as parse_file
    from gongkai.audit import check_reports, severity_rank
    from gongkai.audit.files import report_files

    if format not in ("text", "json"):
        _error("--format", f"unknown format {format!r} (text|json)")
        raise typer.Exit(2)
    if fail_on not in ("error", "warning"):
        _error("--fail-on", f"unknown level {fail_on!r} (error|warning)")
        raise typer.Exit(2)
    files, errors = report_files(paths)
    for source, reason in errors:
        _error(source, reason)
    reports, sources = [], []
    for path in files:
        try:
            reports.append(parse_file(path))
            sources.append(str(path))
        except GongkaiError as e:
            errors.append((str(path), str(e)))
            _error(str(path), str(e))
        except Exception as e:
            errors.append((str(path), _unexpected(e)))
            _error(str(path), _unexpected(e))
    results = check_reports(reports)
    if format == "json":
        out = {
            "reports": [
                {"source": src, "meta": rep.meta, "findings": [f.to_json() for f in fs]}
                for src, rep, fs in zip(sources, reports, results, strict=True)
            ],
            "errors": [{"source": s, "error": r} for s, r in errors],
        }
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1 if len(reports) == 1 else None))
    else:
        from gongkai.audit.show import print_results

        print_results([(src, rep.meta, fs) for src, rep, fs in zip(sources, reports, results, strict=True)])
    if errors or not (reports or errors):
        raise typer.Exit(2)
    threshold = severity_rank(fail_on)
    if any(severity_rank(f.severity) >= threshold for fs in results for f in fs):
        raise typer.Exit(1)


@app.command()
def rules(
    format: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """The audit rule catalogue: code, severity, name and summary of every rule."""
    from gongkai.audit import all_rules

    catalogue = all_rules()
    if format == "json":
        typer.echo(json.dumps([{"code": r.code, "name": r.name, "severity": r.severity, "scope": r.scope,
                                "summary": r.summary} for r in catalogue], ensure_ascii=False, indent=1))
        return
    for r in catalogue:
        typer.echo(f"{r.code}  {r.severity:<7}  {r.name:<32}  {r.summary}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
