"""Official names of cells and rows for messages, derived from `gongkai.template` (never a second copy)."""

from __future__ import annotations

import re

from gongkai import template

TABLE_NAMES = {"table2": "表二", "table3": "表三", "table4": "表四"}
_TRAILING_NOTE = re.compile(r"（[^（）]{6,}）$")


def _find_row(table_key: str, row_key: str, layout: str) -> template.Row | None:
    order = (layout, "2021" if layout == "2019" else "2019")
    for lay in order:
        t = getattr(template.layout(lay), table_key)
        for r in t.rows:
            if r.key == row_key:
                return r
    return None


def _find_column(table_key: str, row_key: str, col_key: str, layout: str) -> template.Column | None:
    for lay in (layout, "2021" if layout == "2019" else "2019"):
        t = getattr(template.layout(lay), table_key)
        try:
            cols = t.columns_of(t.row(row_key)) if table_key == "table2" else t.columns
        except KeyError:
            continue
        for c in cols:
            if c.key == col_key:
                return c
    return None


def row_label(table_key: str, row_key: str, layout: str = "2021", short: bool = True) -> str:
    """``（三）不予公开 1.属于国家秘密`` / ``（七）总计`` / ``行政规范性文件`` / ``行政诉讼·复议后起诉``."""
    if table_key == "table4":
        for key, label in template.TABLE4_GROUPS:
            if key == row_key:
                return label if key == "review" else f"行政诉讼·{label}"
        return row_key
    row = _find_row(table_key, row_key, layout)
    if row is None:
        return row_key
    label = _TRAILING_NOTE.sub("", row.label) if short else row.label
    if row.group.startswith("（"):
        label = f"{row.group} {label}"
    return label


def column_label(table_key: str, row_key: str, col_key: str, layout: str = "2021") -> str:
    col = _find_column(table_key, row_key, col_key, layout)
    return col.label if col else col_key


def cell_label(path: str, layout: str = "2021") -> str:
    """``表三「（七）总计」行「自然人」列`` for ``table3.total.natural_person``."""
    parts = path.split(".")
    if len(parts) != 3:
        return path
    t, r, c = parts
    name = TABLE_NAMES.get(t, t)
    if t == "table4":
        return f"{name}「{row_label(t, r, layout)}」「{column_label(t, r, c, layout)}」"
    return f"{name}「{row_label(t, r, layout)}」行「{column_label(t, r, c, layout)}」列"


def section_heading(key: str) -> str:
    for s in template.SECTIONS:
        if s.key == key:
            return f"{s.number}、{s.title}"
    return key
