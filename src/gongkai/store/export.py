"""Export the stored corpus: wide (one row per report, one column per cell key path) or long (one row per
cell), as CSV, Excel (Chinese headers from the template) or Parquet.

>>> export("sqlite:///gongkai.db", "out.csv")             # wide
>>> export("sqlite:///gongkai.db", "cells.parquet", long=True, years=[2024])
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import IO, Any

from sqlalchemy import or_, select

from gongkai import template
from gongkai.atomic import atomic_target
from gongkai.errors import InputError
from gongkai.store import schema as S
from gongkai.store.corpus import current_report_ids
from gongkai.store.db import Store, _num, region_path

__all__ = [
    "FORMATS",
    "META_COLUMNS",
    "cell_label",
    "csv_bytes",
    "export",
    "rows_long",
    "rows_wide",
    "spreadsheet_safe",
    "to_pandas",
    "wide_paths",
    "write_csv",
    "xlsx_bytes",
]

FORMATS = ("csv", "xlsx", "parquet")
META_COLUMNS = (
    "source",
    "sha256",
    "agency",
    "agency_id",
    "year",
    "layout",
    "region",
    "region_code",
    "source_url",
    "published",
    "gongkai_version",
)
LONG_COLUMNS = (
    *META_COLUMNS[:5],
    "region",
    "gongkai_version",
    "table",
    "row",
    "column",
    "path",
    "value",
    "raw",
    "status",
)
META_LABELS = {
    "source": "文件名",
    "sha256": "SHA-256",
    "agency": "机关",
    "agency_id": "机关标识",
    "year": "年度",
    "layout": "模板",
    "region": "地区",
    "region_code": "行政区划代码",
    "source_url": "来源网址",
    "published": "发布日期",
    "gongkai_version": "读取所用 gongkai 版本",
    "table": "表",
    "row": "行",
    "column": "列",
    "path": "字段",
    "value": "数值",
    "raw": "原文",
    "status": "状态",
    "label": "项目",
}


def wide_paths() -> tuple[str, ...]:
    """Every cell column of the wide export: the first layout's paths, then those only later layouts have."""
    return _wide_paths(template.layouts())


@cache
def _wide_paths(layouts: tuple[template.Layout, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for lay in layouts for p in template.cell_paths(lay.key)))


def _columns() -> dict[str, tuple[str, template.Column]]:
    return _columns_of(template.layouts())


@cache
def _columns_of(layouts: tuple[template.Layout, ...]) -> dict[str, tuple[str, template.Column]]:
    out: dict[str, tuple[str, template.Column]] = {}
    for lay in reversed(layouts):  # the first layout's labels win where layouts share a path
        for t in lay.tables:
            for r in t.rows:
                for c in t.columns_of(r):
                    numbered_group = r.group.startswith("（") and not r.label.startswith(r.group)
                    row_label = f"{r.group} {r.label}" if numbered_group else r.label
                    out[f"{t.key}.{r.key}.{c.key}"] = (f"{t.short_name}｜{row_label}｜{c.label}", c)
    return out


def cell_label(path: str) -> str:
    """The Chinese header of a cell column: 表三｜一、本年新收政府信息公开申请数量｜自然人."""
    hit = _columns().get(path)
    return hit[0] if hit else path


def _is_decimal(path: str) -> bool:
    hit = _columns().get(path)
    return bool(hit and (hit[1].decimal or hit[1].signed))


def _reports(store: Store, agencies: Iterable[str] | None, years: Iterable[int] | None) -> list[dict]:
    d, r = S.documents, S.reports
    q = select(
        r.c.id,
        d.c.name.label("source"),
        d.c.sha256,
        r.c.agency,
        r.c.agency_id,
        r.c.year,
        r.c.layout,
        r.c.province,
        r.c.city,
        r.c.county,
        r.c.region_code,
        d.c.source_url,
        d.c.published,
        d.c.tool_version.label("gongkai_version"),
    ).join(d, d.c.id == r.c.id)
    agencies = [a for a in (agencies or []) if a]
    if agencies:
        q = q.where(or_(*(or_(r.c.agency_id == a, r.c.agency.contains(a)) for a in agencies)))
    years = [int(y) for y in (years or [])]
    if years:
        q = q.where(r.c.year.in_(years))
    with store.engine.connect() as c:
        rows = [dict(m) for m in c.execute(q.order_by(r.c.agency_id, r.c.year, d.c.name)).mappings()]
    current = current_report_ids(store)  # format copies and older versions of a report count once
    rows = [row for row in rows if row["id"] in current]
    for row in rows:
        row["region"] = region_path(row["province"], row["city"], row["county"])
    return rows


def _cells(store: Store, ids: list[int], long: bool) -> Iterator[dict]:
    cols = [S.cells.c.report_id, S.cells.c.path, S.cells.c.value]
    if long:
        cols += [
            S.cells.c.table_key,
            S.cells.c.row_key,
            S.cells.c.column_key,
            S.cells.c.raw,
            S.cells.c.status,
        ]
    with store.engine.connect() as c:
        for i in range(0, len(ids), 500):
            q = select(*cols).where(S.cells.c.report_id.in_(ids[i : i + 500]))
            q = q.order_by(S.cells.c.report_id, S.cells.c.seq)
            yield from (dict(m) for m in c.execute(q).mappings())


def rows_wide(store: Store, agencies=None, years=None) -> tuple[list[str], list[dict]]:
    reports = _reports(store, agencies, years)
    by_id = {r["id"]: {k: r[k] for k in META_COLUMNS} for r in reports}
    extra: set[str] = set()
    known = set(wide_paths())
    for cell in _cells(store, list(by_id), long=False):
        by_id[cell["report_id"]][cell["path"]] = _num(cell["value"])
        if cell["path"] not in known:
            extra.add(cell["path"])
    return [*META_COLUMNS, *wide_paths(), *sorted(extra)], list(by_id.values())


def rows_long(store: Store, agencies=None, years=None) -> tuple[list[str], list[dict]]:
    reports = {r["id"]: r for r in _reports(store, agencies, years)}
    out = []
    for cell in _cells(store, list(reports), long=True):
        rep = reports[cell["report_id"]]
        out.append(
            {
                **{k: rep[k] for k in LONG_COLUMNS[:7]},
                "table": cell["table_key"],
                "row": cell["row_key"],
                "column": cell["column_key"],
                "path": cell["path"],
                "value": _num(cell["value"]),
                "raw": cell["raw"],
                "status": cell["status"],
            }
        )
    return list(LONG_COLUMNS), out


def to_pandas(
    url_or_store: str | Store | None = None,
    long: bool = False,
    agencies: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
) -> Any:
    """The stored reports as a pandas DataFrame, the rows ``export`` writes: wide (a row per report, a column
    per key path) or long (a row per cell). Needs the ``pandas`` extra."""
    try:
        import pandas as pd
    except ImportError as e:
        raise ImportError("to_pandas needs pandas: pip install 'gongkai[pandas]'") from e
    store = url_or_store if isinstance(url_or_store, Store) else Store(url_or_store)
    try:
        columns, rows = (rows_long if long else rows_wide)(store, agencies, years)
    finally:
        if store is not url_or_store:
            store.close()
    return pd.DataFrame.from_records(rows, columns=columns)


def export(
    url_or_store: str | Store | None,
    to: str | Path,
    long: bool = False,
    agencies: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
) -> int:
    """Write the stored reports to ``to`` (.csv, .xlsx or .parquet, from the suffix); returns the rows."""
    to = Path(to)
    fmt = to.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError(
            f"{to}: 不支持的导出格式 (unsupported export format {to.suffix!r}; use .csv, .xlsx or .parquet)"
        )
    store = url_or_store if isinstance(url_or_store, Store) else Store(url_or_store)
    try:
        columns, rows = (rows_long if long else rows_wide)(store, agencies, years)
    finally:
        if store is not url_or_store:
            store.close()
    try:
        to.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(f"无法创建文件夹 (cannot create folder {to.parent}: {e.strerror or e})") from None
    with atomic_target(to) as tmp:
        {"csv": _csv, "xlsx": _xlsx, "parquet": _parquet}[fmt](tmp, columns, rows, long)
    return len(rows)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(v: Any) -> Any:
    """A text that a spreadsheet would take for a formula gets a leading apostrophe; anything else as is."""
    if isinstance(v, str) and v.startswith(_FORMULA_STARTS):
        return "'" + v
    return v


def _text(v: Any) -> str:
    return "" if v is None else str(spreadsheet_safe(v))


def write_csv(out: IO[str], columns: list[str], rows: Iterable[dict]) -> None:
    """Rows as CSV under a header of ``columns`` (texts made spreadsheet-safe)."""
    w = csv.writer(out)
    w.writerow(columns)
    for row in rows:
        w.writerow([_text(row.get(c)) for c in columns])


def csv_bytes(rows: list[dict]) -> bytes:
    """Rows (dicts of one shape) as UTF-8 CSV with a BOM, so Excel opens Chinese text correctly."""
    buf = io.StringIO()
    if rows:
        write_csv(buf, list(rows[0]), rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_bytes(rows: list[dict], sheet: str) -> bytes:
    """Rows (dicts of one shape) as one Excel sheet with their keys as the header."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    wb.properties.creator = f"gongkai {_version()}"
    ws = wb.create_sheet(sheet[:31])
    if rows:
        ws.append(list(rows[0]))
        for r in rows:
            ws.append([spreadsheet_safe(v) for v in r.values()])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _csv(to: Path, columns: list[str], rows: list[dict], long: bool) -> None:
    with to.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens Chinese CSV correctly
        write_csv(f, columns, rows)


def _version() -> str:
    from gongkai import __version__

    return __version__


def _header(col: str) -> str:
    return META_LABELS.get(col) or cell_label(col)


def _xlsx(to: Path, columns: list[str], rows: list[dict], long: bool) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("报告" if not long else "单元格")
    ws.freeze_panes = "B2" if not long else "A2"
    if long:
        ws.append([_header(c) for c in columns] + [META_LABELS["label"]])
        for row in rows:
            ws.append([spreadsheet_safe(row.get(c)) for c in columns] + [cell_label(row["path"])])
    else:
        ws.append([_header(c) for c in columns])
        for row in rows:
            ws.append([spreadsheet_safe(row.get(c)) for c in columns])
    fields = wb.create_sheet("字段 fields")
    fields.append(["字段 key", "名称 label"])
    fields.append(["", f"导出所用 gongkai 版本 (exported by gongkai) {_version()}"])
    for c in columns:
        fields.append([c, _header(c)])
    wb.save(to)


def _parquet(to: Path, columns: list[str], rows: list[dict], long: bool) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = {}
    for c in columns:
        vals = [row.get(c) for row in rows]
        if c == "year":
            typ = pa.int64()
        elif c == "value" or (not long and c not in META_COLUMNS):
            ints = all(v is None or isinstance(v, int) for v in vals)
            typ = pa.int64() if ints and (long or not _is_decimal(c)) else pa.float64()
        else:
            typ = pa.string()
            vals = [None if v is None else str(v) for v in vals]
        arrays[c] = pa.array(vals, type=typ)
    pq.write_table(pa.table(arrays), to)
