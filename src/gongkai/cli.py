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


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
