"""The data dictionary, from the template: every cell's key path with its official Chinese labels, its type
and the layouts that have it; a report as records (one per cell) for analysis.

>>> cell_labels("table3.new.natural_person")
('三、收到和处理政府信息公开申请情况', '一、本年新收政府信息公开申请数量', '自然人')
>>> python -m gongkai.fields > docs/fields.md      # the data dictionary as Markdown
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from gongkai import template
from gongkai.lazyre import lazy_compile

if TYPE_CHECKING:
    from gongkai.model import Report

__all__ = ["RECORD_KEYS", "cell_labels", "field_rows", "fields_markdown", "known_paths", "records"]

RECORD_KEYS = ("path", "table", "row", "column", "value", "status", "raw", "where")
_LONG_NOTE = lazy_compile(r"（[^（）]{6,}）$")  # a long parenthetical note closing a row label


def _row_label(row: template.Row) -> str:
    label = _LONG_NOTE.sub("", row.label)
    return f"{row.group} {label}" if row.group.startswith("（") else label


def _table_title(table: template.Table) -> str:
    sec = next((s for s in template.SECTIONS if s.title == table.title), None)
    return f"{sec.number}、{table.title}" if sec else table.title


def _labels_in(lay: template.Layout, t: str, r: str, c: str) -> tuple[str, str, str] | None:
    table = getattr(lay, t, None)
    if not isinstance(table, template.Table):
        return None
    row_obj = next((x for x in table.rows if x.key == r), None)
    if row_obj is not None:
        col = next((x.label for x in table.columns_of(row_obj) if x.key == c), None)
        return None if col is None else (_table_title(table), _row_label(row_obj), col)
    group = dict(table.groups).get(r)
    if group is None:
        return None
    return (_table_title(table), group, next((x.label for x in table.columns if x.key == c), c))


@cache
def cell_labels(path: str, layout_key: str | None = None) -> tuple[str, str, str]:
    """(table, row, column) official labels of a key path, from ``layout_key``'s template first, then the
    other layouts'; the key parts themselves for a path no layout has."""
    t, r, c = [*path.split("."), "", ""][:3]
    order = [layout_key] if layout_key in template.LAYOUTS else []
    for key in (*order, *template.LAYOUTS):
        found = _labels_in(template.layout(key), t, r, c)
        if found is not None:
            return found
    return (t, r, c)


@cache
def known_paths() -> frozenset[str]:
    """Every key path some layout of the template defines."""
    return frozenset(p for key in template.LAYOUTS for p in template.cell_paths(key))


def records(report: Report) -> list[dict[str, Any]]:
    """One record per cell of ``report``, in template order: key path, Chinese labels, value, status, the raw
    source text and where it was read (provenance)."""
    out = []
    for path, cell in report.cells.items():
        table, row, column = cell_labels(path, report.layout)
        out.append(
            {
                "path": path,
                "table": table,
                "row": row,
                "column": column,
                "value": cell.value,
                "status": cell.status,
                "raw": cell.raw,
                "where": cell.where,
            }
        )
    return out


def _type(col: template.Column) -> str:
    if col.signed:
        return "signed decimal"
    return "decimal" if col.decimal else "integer"


def field_rows() -> list[dict[str, str]]:
    """Every key path of every layout (first layout's order, then paths only later layouts have): labels,
    type and the layouts that have it."""
    rows: dict[str, dict[str, str]] = {}
    for key in template.LAYOUTS:
        lay = template.layout(key)
        for t in lay.tables:
            for r in t.rows:
                for c in t.columns_of(r):
                    path = f"{t.key}.{r.key}.{c.key}"
                    if path in rows:
                        rows[path]["layouts"] += f", {key}"
                        continue
                    table, row, column = cell_labels(path, key)
                    rows[path] = {
                        "path": path,
                        "table": table,
                        "row": row,
                        "column": column,
                        "type": _type(c),
                        "layouts": key,
                    }
    return list(rows.values())


def fields_markdown() -> str:
    """``docs/fields.md``: the data dictionary as a Markdown table."""
    lines = [
        "# 字段说明 Data dictionary",
        "",
        "Generated from the template (`python -m gongkai.fields > docs/fields.md`); do not edit by hand.",
        "Every table cell a report can have: its key path (the column name in exports and",
        "`Report.records()`), the official Chinese labels, its type and the layouts (templates) that have",
        "it. Exports add each report's source file name, sha256 and the gongkai version.",
        "",
        "| key path | 表 table | 行 row | 列 column | type | layouts |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for f in field_rows():
        cells = [f"`{f['path']}`", f["table"], f["row"], f["column"], f["type"], f["layouts"]]
        lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(fields_markdown(), end="")
