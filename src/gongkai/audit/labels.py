"""Official names of cells and rows for messages, derived from `gongkai.template` (never a second copy)."""

from __future__ import annotations

import re

from gongkai import template

TABLE_NAMES = template.table_names()
_TRAILING_NOTE = re.compile(r"（[^（）]{6,}）$")


def _layout_order(layout: str | None) -> list[str]:
    keys = template.layout_keys()
    return [layout, *(k for k in keys if k != layout)] if layout in keys else list(keys)


def _find_column(table_key: str, row_key: str, col_key: str, layout: str | None) -> template.Column | None:
    for lay in _layout_order(layout):
        t = template.layout(lay).table(table_key)
        try:
            cols = t.columns_of(t.row(row_key)) if table_key == "table2" else t.columns
        except KeyError:
            continue
        for c in cols:
            if c.key == col_key:
                return c
    return None


def row_label(table_key: str, row_key: str, layout: str | None = None, short: bool = True) -> str:
    """``（三）不予公开 1.属于国家秘密`` / ``（七）总计`` / ``行政规范性文件`` / ``行政诉讼·复议后起诉``."""
    if table_key == "table4":
        t4 = template.layout(_layout_order(layout)[0]).table4
        band = next(
            (
                h
                for h in t4.header_labels
                if h not in {lb for _k, lb in t4.groups} | {c.label for c in t4.columns}
            ),
            "",
        )
        for i, (key, label) in enumerate(t4.groups):
            if key == row_key:
                return label if i == 0 or not band else f"{band}·{label}"
        return row_key
    row = template.find_row(table_key, row_key, layout)
    if row is None:
        return row_key
    label = _TRAILING_NOTE.sub("", row.label) if short else row.label
    if row.group.startswith("（"):
        label = f"{row.group} {label}"
    return label


def column_label(table_key: str, row_key: str, col_key: str, layout: str | None = None) -> str:
    col = _find_column(table_key, row_key, col_key, layout)
    return col.label if col else col_key


def cell_label(path: str, layout: str | None = None) -> str:
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
