"""The 依申请公开 ledger (台账): one row per application → table 三 of the report year.

Columns (Chinese headers, any order; CSV in UTF-8 or GB18030, or XLSX): 序号, 收到日期, 申请人类型 (a table 三
column: 自然人, 商业企业 …), 申请人, 申请内容, 办理结果 (a result row of table 三, e.g. 予以公开,
不予公开：属于国家秘密, 无法提供：本机关不掌握相关政府信息), 答复日期, 备注. `ledger_template` writes an
empty one with drop-down lists. Every label comes from `gongkai.template`.

For report year Y an application counts as
* 一、本年新收 when received in Y; 二、上年结转 when received before Y and not answered before Y;
* in its 办理结果 row when answered in Y; 四、结转下年度 when not answered by 12月31日 (no 答复日期, or a
  later one);
and a row is refused, with its spreadsheet row number and column, when a date is not a date or lies outside
what the year can hold (received after Y, answered before Y), the answer precedes the receipt, the applicant
type or result category is not an official one, or an answered application has no result.

>>> result = table3_from_ledger(open("台账.xlsx", "rb").read(), year=2025)
>>> result.values["table3.new.total"], [e.text() for e in result.errors]
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from gongkai import template
from gongkai.errors import InputError
from gongkai.read.services import decode_table

__all__ = [
    "COLUMNS",
    "LedgerError",
    "LedgerResult",
    "ledger_template",
    "official_results",
    "result_categories",
    "table3_from_ledger",
]

RECEIVED, KIND, RESULT, ANSWERED = "收到日期", "申请人类型", "办理结果", "答复日期"
COLUMNS = ("序号", RECEIVED, KIND, "申请人", "申请内容", RESULT, ANSWERED, "备注")
_REQUIRED = (RECEIVED, KIND, RESULT, ANSWERED)
_ENUM = re.compile(r"^(?:[（(][一二三四五六七八九十]+[)）]|\d+[.．、]|[一二三四五六七八九十]+、)")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+.*)?$")


@dataclass
class LedgerError:
    row: int  # the spreadsheet's row number (the header is row 1)
    column: str  # the header of the column at fault
    message: str

    def text(self) -> str:
        return f"第 {self.row} 行「{self.column}」：{self.message}"


@dataclass
class LedgerResult:
    values: dict[str, int] = field(default_factory=dict)  # table 三 key path → count
    errors: list[LedgerError] = field(default_factory=list)
    rows: int = 0  # applications read (rows with errors included)


def _bare(label: str) -> str:
    """「1.属于国家秘密」 → 「属于国家秘密」; 「（二）部分公开（区分处理的…）」 → 「部分公开」."""
    text = _ENUM.sub("", label).strip()
    return re.sub(r"[（(][^）)]*[)）]$", "", text).strip() or text


def official_results(layout_key: str) -> dict[str, str]:
    """The official result categories of a layout → table 三 row key
    (「予以公开」, 「不予公开：属于国家秘密」 …)."""
    lay = template.layout(layout_key)
    out: dict[str, str] = {}
    for key in template.result_rows(lay):
        row = lay.table3.row(key)
        name = _bare(row.label)
        out[f"{_bare(row.group)}：{name}" if row.group.startswith("（") else name] = key
    return out


def result_categories(layout_key: str) -> dict[str, str]:
    """What a ledger's 办理结果 may say → row key: the official category, and the item name, row label or
    key where it names one row only."""
    lay = template.layout(layout_key)
    names = official_results(layout_key)
    loose: dict[str, list[str]] = {}
    for key in template.result_rows(lay):
        row = lay.table3.row(key)
        for alias in (_bare(row.label), row.label, key):
            loose.setdefault(alias, []).append(key)
    return names | {a: keys[0] for a, keys in loose.items() if len(keys) == 1 and a not in names}


def applicant_types() -> dict[str, str]:
    """申请人类型 → table 三 column key (自然人, 商业企业 …; 其他 means 其他法人或其他组织)."""
    cols = template.layout(template.default_layout()).table3.columns
    parts = [c for c in cols if c.key != "total"]
    return {name: c.key for c in parts for name in (c.label, *c.variants, c.key)}


# ---------------------------------------------------------------- reading rows


def _rows(data: bytes) -> Iterator[list[Any]]:
    if data.startswith(b"PK\x03\x04"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
        except Exception as e:  # openpyxl raises many kinds on a broken file
            raise InputError(f"无法读取台账 (cannot read the ledger workbook: {type(e).__name__})") from None
        yield from (list(r) for r in wb.worksheets[0].iter_rows(values_only=True))
        return
    text = decode_table(data)
    if text is None:
        raise InputError("台账编码无法识别 (ledger is neither UTF-8 nor GB18030)")
    yield from csv.reader(io.StringIO(text))


def _date(v: Any) -> date | str | None:
    """A date, None for an empty cell, or the text that is not a date."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    m = _DATE.match(str(v).strip())
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    return str(v)


def _text(v: Any) -> str:
    return "" if v is None else re.sub(r"\s+", "", str(v))


# ---------------------------------------------------------------- table 三


def table3_from_ledger(data: bytes, year: int, layout_key: str | None = None) -> LedgerResult:
    """Table 三 of ``year`` from a ledger's bytes (CSV or XLSX); rows with errors are left out and listed."""
    layout_key = layout_key or template.layout_for_year(year)
    lay = template.layout(layout_key)
    results, kinds = result_categories(layout_key), applicant_types()
    rows = _rows(data)
    header: list[str] = []
    line = 0
    for raw in rows:
        line += 1
        if any(_text(c) == RECEIVED for c in raw):
            header = [_text(c) for c in raw]
            break
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise InputError(f"台账缺少列 (ledger lacks columns): {'、'.join(missing)}")
    at = {name: header.index(name) for name in _REQUIRED}
    out = LedgerResult(
        values={f"table3.{r.key}.{c.key}": 0 for r in lay.table3.rows for c in lay.table3.columns}
    )
    start, end = date(year, 1, 1), date(year, 12, 31)
    for raw in rows:
        line += 1
        cells = {name: raw[i] if i < len(raw) else None for name, i in at.items()}
        if all(_text(v) == "" for v in raw):
            continue
        out.rows += 1
        counted = _classify(line, cells, results, kinds, start, end, out.errors)
        for row_key, col in counted:
            out.values[f"table3.{row_key}.{col}"] += 1
            out.values[f"table3.{row_key}.total"] += 1
    for c in lay.table3.columns:
        out.values[f"table3.total.{c.key}"] = sum(
            out.values[f"table3.{r}.{c.key}"] for r in template.result_rows(lay)
        )
    return out


def _classify(
    line: int,
    cells: dict[str, Any],
    results: dict[str, str],
    kinds: dict[str, str],
    start: date,
    end: date,
    errors: list[LedgerError],
) -> list[tuple[str, str]]:
    """The table 三 rows an application counts in (with its applicant column), or [] with its errors."""
    before = len(errors)
    received, answered = _date(cells[RECEIVED]), _date(cells[ANSWERED])
    kind = kinds.get(_text(cells[KIND]))
    result_text = _text(cells[RESULT])
    result = results.get(result_text)

    def err(column: str, message: str) -> None:
        errors.append(LedgerError(line, column, message))

    for column, value in ((RECEIVED, received), (ANSWERED, answered)):
        if isinstance(value, str):
            err(column, f"「{value}」不是日期（请写作 {start.year}-03-15）")
    if received is None:
        err(RECEIVED, "缺少收到日期")
    if kind is None:
        err(
            KIND,
            f"「{_text(cells[KIND])}」不是申请人类型之一（{'、'.join(k for k in kinds if not k.isascii())}）",
        )
    if isinstance(received, date) and received > end:
        err(RECEIVED, f"收到日期 {received} 在 {end.year} 年之后，不属于本年度")
    if isinstance(answered, date):
        if isinstance(received, date) and answered < received:
            err(ANSWERED, f"答复日期 {answered} 早于收到日期 {received}")
        if answered < start:
            err(ANSWERED, f"答复日期 {answered} 在 {start.year} 年之前，不属于本年度")
    closed = isinstance(answered, date) and answered <= end
    if closed and result is None:
        what = f"「{result_text}」不是办理结果的分类之一" if result_text else "已答复但缺少办理结果"
        err(RESULT, what)
    if len(errors) > before or kind is None or not isinstance(received, date):
        return []
    counted = [("new" if received >= start else "carried_over", kind)]
    counted.append((result, kind) if closed and result else ("carried_forward", kind))
    return counted


# ---------------------------------------------------------------- template


def ledger_template(fmt: str = "xlsx", year: int | None = None) -> bytes:
    """An empty ledger: the headers, and for XLSX drop-down lists of the official categories."""
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf).writerow(COLUMNS)
        return buf.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    layout_key = template.layout_for_year(year)
    wb = Workbook()
    ws = wb.active
    ws.title = "依申请公开台账"
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    lists = wb.create_sheet("分类")
    kinds = [c.label for c in template.layout(layout_key).table3.columns if c.key != "total"]
    cats = list(official_results(layout_key))
    for i, k in enumerate(kinds, 1):
        lists.cell(i, 1, k)
    for i, k in enumerate(cats, 1):
        lists.cell(i, 2, k)
    lists.sheet_state = "hidden"
    col = {name: chr(ord("A") + i) for i, name in enumerate(COLUMNS)}
    for name, formula in ((KIND, f"分类!$A$1:$A${len(kinds)}"), (RESULT, f"分类!$B$1:$B${len(cats)}")):
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
        dv.error = "请从下拉列表中选择"
        ws.add_data_validation(dv)
        dv.add(f"{col[name]}2:{col[name]}5000")
    dates = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
    ws.add_data_validation(dates)
    dates.add(f"{col[RECEIVED]}2:{col[RECEIVED]}5000")
    dates.add(f"{col[ANSWERED]}2:{col[ANSWERED]}5000")
    for name, width in zip(COLUMNS, (6, 12, 14, 16, 40, 36, 12, 20), strict=True):
        ws.column_dimensions[col[name]].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
