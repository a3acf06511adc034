"""A readable terminal view of a report's three tables; uncertain cells are highlighted."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from gongkai import template
from gongkai.model import AMBIGUOUS, BLANK, INFERRED, MISSING, UNREADABLE, Report, row_keys

_STYLE = {INFERRED: "cyan", AMBIGUOUS: "bold yellow", UNREADABLE: "bold red", MISSING: "red", BLANK: "dim"}
_LEGEND = " ".join(
    f"[{_STYLE[s]}]{zh} {s}[/]"
    for s, zh in ((INFERRED, "推算"), (AMBIGUOUS, "歧义"), (UNREADABLE, "无法识别"), (MISSING, "缺失"))
)


def _show(report: Report, path: str) -> str:
    cell = report.cells.get(path)
    if cell is None:
        return ""
    if cell.value is None:
        text = "/".join(str(c) for c in cell.candidates) + "?" if cell.candidates else "—"
    else:
        text = str(cell.value)
    style = _STYLE.get(cell.status)
    return f"[{style}]{text}[/]" if style else text


def _row_label(table: template.Table, key: str) -> str:
    """The official label, prefixed by its group's number for numbered sub-rows: （三）1.属于国家秘密."""
    r = next((r for r in table.rows if r.key == key), None) or template.find_row(table.key, key)
    if r is None:
        return key
    group = r.group.split("）")[0] + "）" if r.group.startswith("（") else ""
    return group + r.label


def _heading(key: str) -> str:
    """``二、主动公开政府信息情况``: a section's official heading."""
    section = next(s for s in template.SECTIONS if s.key == key)
    return f"{section.number}、{section.title}"


def make_console(stderr: bool = False) -> Console:
    """A console for gongkai's output: when it goes to a file or a pipe, lines are not hard-wrapped at
    80 columns (Chinese messages broken mid-word are hard to grep) and tables get room."""
    console = Console(stderr=stderr)
    if console.is_terminal:
        return console
    return Console(stderr=stderr, soft_wrap=True, width=max(console.width, 140))


def print_report(report: Report, console: Console | None = None) -> None:
    console = console or make_console()
    lay = template.layout(report.layout)
    m = report.meta
    console.print(f"[bold]{m.get('title') or m.get('source')}[/]")
    console.print(f"机关 {m.get('agency') or '?'} · 年度 {m.get('year') or '?'} · 模板 {m.get('template')}")
    t2 = Table(title=_heading("s2"), show_lines=False)
    t2.add_column("信息内容")
    t2.add_column("数值")
    for row in lay.table2.rows:
        parts = [f"{c.label} {_show(report, f'table2.{row.key}.{c.key}')}" for c in row.columns]
        t2.add_row(row.label, " · ".join(parts))
    console.print(t2)
    t3 = Table(title=_heading("s3"))
    t3.add_column("", no_wrap=True, max_width=26, overflow="ellipsis")
    for c in lay.table3.columns:
        t3.add_column(c.label, justify="right", min_width=4)
    for key in row_keys(report, "table3"):
        t3.add_row(
            _row_label(lay.table3, key), *(_show(report, f"table3.{key}.{c.key}") for c in lay.table3.columns)
        )
    console.print(t3)
    t4 = Table(title=_heading("s4"))
    t4.add_column("")
    for c in lay.table4.columns:
        t4.add_column(c.label, justify="right")
    for g, label in lay.table4.groups:
        t4.add_row(label, *(_show(report, f"table4.{g}.{c.key}") for c in lay.table4.columns))
    console.print(t4)
    uncertain = report.uncertain()
    if uncertain:
        console.print(f"不确定的单元格 {len(uncertain)} 个。 {_LEGEND}")


def print_trace(report: Report, console: Console | None = None) -> None:
    """The match trace (``parse --debug``): sections, table regions, each row's label and tokens."""
    console = console or make_console()
    t = Table(title="匹配记录 trace")
    for col in ("what", "line", "matched", "read as"):
        t.add_column(col)
    for e in report.trace:
        if "section" in e:
            t.add_row(e["section"], str(e["line"]), e["heading"], "")
        elif "region" in e:
            t.add_row(e["region"], f"{e['from_line']}–{e['to_line']}", "", "")
        elif not e["found"]:
            t.add_row(f"{e['table']}.{e['row']}", "", "[red]未找到 not found[/]", "")
        else:
            t.add_row(
                f"{e['table']}.{e['row']}",
                str(e["line"]),
                e["label"],
                f"{e['mode']}: {' '.join(e['tokens'])}",
            )
    console.print(t)
