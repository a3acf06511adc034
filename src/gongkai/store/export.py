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

from sqlalchemy import func, or_, select

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


def _report_query(agencies: Iterable[str] | None, years: Iterable[int] | None):
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
    return q.order_by(r.c.agency_id, r.c.year, d.c.name)


def _report_chunks(store: Store, agencies, years) -> Iterator[list[dict]]:
    """The exported reports (the current version of each agency-year: format copies and older versions
    count once) in export order, ``_CHUNK`` at a time."""
    current = current_report_ids(store)
    q = _report_query(agencies, years).execution_options(stream_results=True, yield_per=_CHUNK)
    with store.engine.connect() as c:
        for part in c.execute(q).mappings().partitions(_CHUNK):
            rows = [dict(m) for m in part if m["id"] in current]
            for row in rows:
                row["region"] = region_path(row["province"], row["city"], row["county"])
            if rows:
                yield rows


_CHUNK = 500


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
        for i in range(0, len(ids), _CHUNK):
            q = select(*cols).where(S.cells.c.report_id.in_(ids[i : i + _CHUNK]))
            q = q.order_by(S.cells.c.report_id, S.cells.c.seq)
            yield from (dict(m) for m in c.execute(q).mappings())


def _extra_paths(store: Store, agencies, years) -> list[str]:
    """Cell paths of the exported reports that no layout has (columns after the template's)."""
    known = set(wide_paths())
    extra: set[str] = set()
    with store.engine.connect() as c:
        for chunk in _report_chunks(store, agencies, years):
            q = select(S.cells.c.path).where(S.cells.c.report_id.in_([r["id"] for r in chunk])).distinct()
            extra.update(p for (p,) in c.execute(q) if p not in known)
    return sorted(extra)


def wide_columns(store: Store, agencies=None, years=None) -> list[str]:
    """The wide export's columns for these reports: meta, every template path, then any other path."""
    return [*META_COLUMNS, *wide_paths(), *_extra_paths(store, agencies, years)]


def iter_wide(store: Store, agencies=None, years=None) -> Iterator[dict]:
    """The wide export's rows, one per report, a chunk of reports in memory at a time."""
    for chunk in _report_chunks(store, agencies, years):
        by_id = {r["id"]: {k: r[k] for k in META_COLUMNS} for r in chunk}
        for cell in _cells(store, list(by_id), long=False):
            by_id[cell["report_id"]][cell["path"]] = _num(cell["value"])
        yield from by_id.values()


def iter_long(store: Store, agencies=None, years=None) -> Iterator[dict]:
    """The long export's rows, one per cell, a chunk of reports in memory at a time."""
    for chunk in _report_chunks(store, agencies, years):
        reports = {r["id"]: r for r in chunk}
        for cell in _cells(store, list(reports), long=True):
            rep = reports[cell["report_id"]]
            yield {
                **{k: rep[k] for k in LONG_COLUMNS[:7]},
                "table": cell["table_key"],
                "row": cell["row_key"],
                "column": cell["column_key"],
                "path": cell["path"],
                "value": _num(cell["value"]),
                "raw": cell["raw"],
                "status": cell["status"],
            }


def rows_wide(store: Store, agencies=None, years=None) -> tuple[list[str], list[dict]]:
    return wide_columns(store, agencies, years), list(iter_wide(store, agencies, years))


def rows_long(store: Store, agencies=None, years=None) -> tuple[list[str], list[dict]]:
    return list(LONG_COLUMNS), list(iter_long(store, agencies, years))


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
        try:
            to.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            msg = f"无法创建文件夹 (cannot create folder {to.parent}: {e.strerror or e})"
            raise InputError(msg) from None
        if fmt == "xlsx":
            _fits_one_sheet(store, to, long, agencies, years)
        if long:
            columns, rows = list(LONG_COLUMNS), iter_long(store, agencies, years)
        else:
            columns, rows = wide_columns(store, agencies, years), iter_wide(store, agencies, years)
        with atomic_target(to) as tmp:
            return {"csv": _csv, "xlsx": _xlsx, "parquet": _parquet}[fmt](tmp, columns, rows, long)
    finally:
        if store is not url_or_store:
            store.close()


SHEET_ROWS = 1_048_576  # rows of one Excel worksheet, the header row included


def _fits_one_sheet(store: Store, to: Path, long: bool, agencies, years) -> None:
    """An Excel export is one sheet of rows: refused, before anything is written, when the rows would not
    fit (a long export of more than about 5,000 reports). Split over several sheets it would still be a
    file Excel cannot open comfortably, and writing it takes openpyxl an hour at 100,000 reports: CSV and
    Parquet have no such limit, and ``--agency``/``--year`` export a part."""
    limit = SHEET_ROWS - 1
    n = 0
    with store.engine.connect() as c:
        for chunk in _report_chunks(store, agencies, years):
            if long:
                ids = [r["id"] for r in chunk]
                n += c.execute(select(func.count()).where(S.cells.c.report_id.in_(ids))).scalar_one()
            else:
                n += len(chunk)
            if n > limit:
                kind = "长表" if long else "宽表"
                raise InputError(
                    f"{to}: {kind}超过 {limit:,} 行，放不进 Excel 的一个工作表"
                    f"（上限 {SHEET_ROWS:,} 行，含表头），"
                    "请导出为 .csv 或 .parquet，或用 --agency/--year 分批导出 "
                    f"(more than {limit:,} rows do not fit one Excel sheet: use .csv or .parquet, or "
                    "--agency/--year)"
                )


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


class _Counted:
    """An iterator that counts what passed through it."""

    def __init__(self, rows: Iterable[dict]):
        self.rows = iter(rows)
        self.n = 0

    def __iter__(self) -> Iterator[dict]:
        for row in self.rows:
            self.n += 1
            yield row


def _csv(to: Path, columns: list[str], rows: Iterable[dict], long: bool) -> int:
    counted = _Counted(rows)
    with to.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens Chinese CSV correctly
        write_csv(f, columns, counted)
    return counted.n


def _version() -> str:
    from gongkai import __version__

    return __version__


def _header(col: str) -> str:
    return META_LABELS.get(col) or cell_label(col)


def _xlsx(to: Path, columns: list[str], rows: Iterable[dict], long: bool) -> int:
    """Excel in openpyxl's write-only mode: rows go to a temporary file as they come."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("报告" if not long else "单元格")
    ws.freeze_panes = "B2" if not long else "A2"
    n = 0
    if long:
        ws.append([_header(c) for c in columns] + [META_LABELS["label"]])
        for row in rows:
            ws.append([spreadsheet_safe(row.get(c)) for c in columns] + [cell_label(row["path"])])
            n += 1
    else:
        ws.append([_header(c) for c in columns])
        for row in rows:
            ws.append([spreadsheet_safe(row.get(c)) for c in columns])
            n += 1
    fields = wb.create_sheet("字段 fields")
    fields.append(["字段 key", "名称 label"])
    fields.append(["", f"导出所用 gongkai 版本 (exported by gongkai) {_version()}"])
    for c in columns:
        fields.append([c, _header(c)])
    wb.save(to)
    return n


_BATCH = 2000  # rows per Parquet record batch
_ROW_GROUP = 128_000  # rows per Parquet row group: few groups, so the file's metadata stays small


def _number_columns(columns: list[str], long: bool) -> list[str]:
    return [c for c in columns if c == "value" or (not long and c not in META_COLUMNS and c != "year")]


def _parquet(to: Path, columns: list[str], rows: Iterable[dict], long: bool) -> int:
    """Parquet in record batches. A number column is int64 when every value is whole (and, wide, the
    template does not give it decimals), else float64: known only at the end, so the batches go to a
    temporary file with float64 numbers first and are rewritten with the final types."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    numbers = _number_columns(columns, long)
    fractional: set[str] = set() if long else {c for c in numbers if _is_decimal(c)}
    draft = pa.schema(
        [(c, pa.int64() if c == "year" else pa.float64() if c in numbers else pa.string()) for c in columns]
    )
    tmp = to.with_name(to.name + ".draft")
    n = 0
    try:
        with pq.ParquetWriter(tmp, draft) as draft_writer:
            w = _Grouped(draft_writer, draft)
            for batch in _batches(rows, _BATCH):
                arrays = []
                for c in columns:
                    vals = [row.get(c) for row in batch]
                    if c in numbers:
                        if c not in fractional and any(
                            v is not None and not isinstance(v, int) for v in vals
                        ):
                            fractional.add(c)
                    elif c != "year":
                        vals = [None if v is None else str(v) for v in vals]
                    arrays.append(pa.array(vals, type=draft.field(c).type))
                w.add(pa.record_batch(arrays, schema=draft))
                n += len(batch)
            w.flush()
        final = pa.schema(
            [
                (c, pa.int64() if c in numbers and c not in fractional else draft.field(c).type)
                for c in columns
            ]
        )
        with pq.ParquetWriter(to, final) as final_writer:
            source = pq.ParquetFile(tmp)
            out = _Grouped(final_writer, final)
            for batch in source.iter_batches(batch_size=_BATCH):
                out.add(batch.cast(final))
            out.flush()
            if not n:
                final_writer.write_table(final.empty_table())
    finally:
        tmp.unlink(missing_ok=True)
    return n


class _Grouped:
    """Record batches written ``_ROW_GROUP`` rows at a time, each write one row group."""

    def __init__(self, writer: Any, schema: Any):
        self.writer, self.schema = writer, schema
        self.pending: list = []
        self.rows = 0

    def add(self, batch: Any) -> None:
        self.pending.append(batch)
        self.rows += batch.num_rows
        if self.rows >= _ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            import pyarrow as pa

            self.writer.write_table(pa.Table.from_batches(self.pending, schema=self.schema))
        self.pending, self.rows = [], 0


def _batches(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
