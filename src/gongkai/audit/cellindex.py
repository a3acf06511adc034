"""The report's cell paths grouped by table and by row, and its row keys, built once per audit pass
(``memo.per_report``) instead of every rule scanning all of a report's cells for each row it looks at."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from gongkai import model, template
from gongkai.audit.memo import per_report
from gongkai.model import Report

__all__ = ["row_index", "row_keys", "row_paths", "status_paths", "table_paths", "unread_paths"]


_Index = tuple[dict[str, list[str]], dict[tuple[str, str], list[str]], dict[str, set[str]]]


@per_report
def _index(report: Report) -> _Index:
    """(paths by table, paths by (table, row), row keys by table) of the report's cells."""
    if report.layout in template.LAYOUTS:
        paths, index = _layout_index(report.layout)
        if tuple(report.cells) == paths:
            return index  # the layout's cells in the layout's order, as most reports have them
    return _grouped(report.cells)


@functools.cache
def _layout_index(layout_key: str) -> tuple[tuple[str, ...], _Index]:
    """The cell paths of a layout (``template.cell_paths``) and their index, worked out once."""
    paths = template.cell_paths(layout_key)
    return paths, _grouped(paths)


def _grouped(paths: Iterable[str]) -> _Index:
    tables: dict[str, list[str]] = {}
    rows: dict[tuple[str, str], list[str]] = {}
    keys: dict[str, set[str]] = {}
    for p in paths:
        parts = p.split(".", 2)
        tables.setdefault(parts[0], []).append(p)
        if len(parts) > 1:
            keys.setdefault(parts[0], set()).add(parts[1])
        if len(parts) == 3:
            rows.setdefault((parts[0], parts[1]), []).append(p)
    return tables, rows, keys


@per_report
def unread_paths(report: Report) -> list[str]:
    """Paths of the cells whose status is not ``read`` (blank, inferred, ambiguous, unreadable, missing),
    in the report's cell order: the few cells most rules about statuses look at. Shared: do not change
    the list."""
    return [p for p, c in report.cells.items() if c.status != model.READ]


@per_report
def status_paths(report: Report) -> dict[str, list[str]]:
    """``unread_paths`` by status, each list in the report's cell order. Shared: do not change them."""
    out: dict[str, list[str]] = {}
    for p in unread_paths(report):
        out.setdefault(report.cells[p].status, []).append(p)
    return out


def table_paths(report: Report, t: str) -> list[str]:
    """Paths of the cells of table ``t`` (``p.startswith(t + ".")``), in the report's cell order.
    Shared: do not change the list."""
    return _index(report)[0].get(t, [])


def row_index(report: Report) -> dict[tuple[str, str], list[str]]:
    """``row_paths`` of every row at once, by (table, row): for a caller that looks at many rows.
    Shared: do not change it or its lists."""
    return _index(report)[1]


def row_paths(report: Report, t: str, r: str) -> list[str]:
    """Paths of the cells of row ``r`` of table ``t`` (``p.startswith(f"{t}.{r}.")``), in the report's
    cell order. Shared: do not change the list."""
    return _index(report)[1].get((t, r), [])


@per_report
def row_keys(report: Report, table_key: str) -> list[str]:
    """``gongkai.model.row_keys``, once per audit pass. Shared: do not change the list."""
    return model.ordered_row_keys(report.layout, table_key, _index(report)[2].get(table_key, set()))
