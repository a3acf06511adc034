"""A document cut off inside a table (a crawled excerpt, a truncated download): say so, never complete it.

The last piece of a cut document may be the start of a number (``| 0 | 1`` of ``12``) or of the next row's
label (``2``, ``6.``): it is no cell. The row the cut falls in keeps the cells its grid shows, in their
columns; the rest of it is missing (never inferred from the identities), and a note names the first row
the document lacks: 「文档不完整：表三自「…」行起缺失」.
"""

from __future__ import annotations

import bisect

from gongkai import template
from gongkai.extract import locate
from gongkai.extract.stream import Stream
from gongkai.extract.tables import _positional_row, positional_cells, table3_layout
from gongkai.lazyre import lazy_compile
from gongkai.model import BLANK, INFERRED, MISSING, READ, Cell

# What a text that stops in the middle ends with: a bare number or enumerator, no closing "|".
_OPEN_NUMBER = lazy_compile(r"(?<![\d.,])\d[\d,]*(?:\.\d*)?[、.]?\s*$")
_CLOSED = lazy_compile(r"[|。！？；”」)）]\s*$")
CUT_NOTE = "文档在此截断，原文缺此格"

Region = tuple[int, int]


def cut_piece(stream: Stream) -> int | None:
    """Compact index of an open number at the very end of the document (a cut value or enumerator)."""
    tail = stream.text.rstrip()
    if not tail or _CLOSED.search(tail, len(tail) - 1):  # the text's last character
        return None
    m = _OPEN_NUMBER.search(tail, _last_run_start(tail, len(tail) - _TAIL))
    if m is None:
        return None
    at = bisect.bisect_left(stream.cmap, m.start())  # the first compact character from there on
    return at if at < len(stream.cmap) else None


_TAIL = 64  # characters searched for an open number at the end: more only if a run of digits goes on


def _last_run_start(text: str, start: int) -> int:
    """``start``, moved back to the beginning of the run of digits, commas and points it falls in (an
    open number is such a run, so the search from there finds what a search of the whole text would)."""
    start = max(0, start)
    while start > 0 and (text[start - 1].isdecimal() or text[start - 1] in ".,"):
        start -= 1
    return start


def clip(regions: dict[str, Region], cut_at: int | None) -> dict[str, Region]:
    if cut_at is None:
        return regions
    return {k: (min(a, cut_at), min(b, cut_at)) for k, (a, b) in regions.items()}


def mark_cut(
    stream: Stream,
    lay: template.Layout,
    regions: dict[str, Region],
    cells: dict[str, Cell],
    cut_at: int | None,
) -> str | None:
    """When the document ends inside table 二 or 三: the note saying from which row it is missing, and the
    row the cut falls in reduced to what its grid shows (``cells`` is updated)."""
    end = cut_at if cut_at is not None else len(stream.compact)
    for key in ("table3", "table2"):
        a, b = regions[key]
        if b < end or a >= b:
            continue
        table = lay.table3 if key == "table3" else lay.table2
        rows = table3_layout(stream, lay, a, b).table3.rows if key == "table3" else table.rows
        found = locate.find_rows(stream, rows, a, b)
        if not found:
            if a == 0:  # no heading began this table: the document does not end in it
                continue
            return f"文档不完整：{table.short_name}自「{rows[0].label}」行起缺失"
        order = [r for r in rows if r.key in found]
        last = order[-1]
        columns = table.columns_of(last)
        complete = positional_cells(stream, found[last.key].end, len(columns)) is not None
        if cut_at is not None and not complete:
            cells.update(_cut_row(stream, key, last, columns, found[last.key].end))
            first_missing: template.Row | None = last
        else:
            first_missing = next((r for r in rows if not _has_values(cells, key, r, table)), None)
        if first_missing is None:
            return None
        return f"文档不完整：{table.short_name}自「{first_missing.label}」行起缺失"
    return None


def _has_values(cells: dict[str, Cell], key: str, row: template.Row, table: template.Table) -> bool:
    paths = [f"{key}.{row.key}.{c.key}" for c in table.columns_of(row)]
    return any(cells[p].status in (READ, BLANK, INFERRED) for p in paths if p in cells)


def _cut_row(stream: Stream, key: str, row: template.Row, columns, label_end: int) -> dict[str, Cell]:
    """The cells of the row a cut falls in: those its grid shows by position, the rest missing."""
    prefix = f"{key}.{row.key}"
    widths = range(len(columns) - 1, 0, -1)
    shown = next((c for k in widths if (c := positional_cells(stream, label_end, k)) is not None), [])
    out = _positional_row(stream, prefix, columns[: len(shown)], shown) if shown else {}
    for col in columns[len(shown) :]:
        path = f"{prefix}.{col.key}"
        out[path] = Cell(path, None, MISSING, note=CUT_NOTE)
    return out
