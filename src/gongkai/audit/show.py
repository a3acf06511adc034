"""A readable, grouped problem list for the terminal (rich): per report, errors first."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from gongkai import template
from gongkai.audit.finding import Finding, severity_rank
from gongkai.audit.labels import cell_label, section_heading
from gongkai.render.terminal import make_console

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_NAME = {"error": "错误 error", "warning": "警告 warning", "info": "提示 info"}


def _place(f: Finding, layout: str) -> str:
    if not f.where:
        return ""
    w = f.where[0]
    if w.count(".") == 2:
        return cell_label(w, layout)
    if w.startswith("s") and w[1:].isdigit():
        return section_heading(w)
    return {"meta": "标题/元数据", **template.table_names()}.get(w, w)


def print_results(results: list[tuple[str, dict, list[Finding]]], console: Console | None = None) -> None:
    """``results``: (source, meta, findings) per report."""
    console = console or make_console()
    for source, meta, findings in results:
        title = meta.get("title") or meta.get("agency") or ""
        counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
        console.rule(f"[bold]{escape(source)}[/]")
        if title:
            console.print(
                f"{escape(title)}（{meta.get('year') or '?'} 年度，{meta.get('template') or '?'} 格式）"
            )
        console.print(
            f"[bold red]{counts['error']} 错误[/] · [yellow]{counts['warning']} 警告[/] · "
            f"[cyan]{counts['info']} 提示[/]"
        )
        for sev in ("error", "warning", "info"):
            group = [f for f in findings if f.severity == sev]
            if not group:
                continue
            console.print(f"[{_STYLE[sev]}]{_NAME[sev]}[/]")
            for f in sorted(group, key=lambda f: (f.code, f.where[:1])):
                place = _place(f, meta.get("template") or template.default_layout())
                console.print(
                    f"  [{_STYLE[sev]}]{f.code}[/] [dim]{escape(f.name)}[/] "
                    f"[bold]{escape(place)}[/]\n    {escape(f.message)}",
                    highlight=False,
                )
        if not findings:
            console.print("[green]未发现问题 no findings[/]")


def worst(findings: list[Finding]) -> int:
    return max((severity_rank(f.severity) for f in findings), default=-1)
