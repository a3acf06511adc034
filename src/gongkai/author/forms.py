"""The 填报 workbook: the three tables as an XLSX in the official layout, to fill in and read back.

``gongkai template --to 填报.xlsx`` writes it: a sheet 基本信息 (agency, year) and one sheet per table with
the merged cells of the Word template, formulas for the totals (a row's 总计, table 三's （七）总计, table
四's 总计), data validation (counts are non-negative integers; 收费金额 a non-negative number; 2019's
本年增/减 any integer) and every value cell named after its key path (defined name ``table3.new.total``),
so reading it back needs no cell positions: `read_form` gives exactly the values typed (a formula cell
gives the value Excel or WPS cached, else the formula evaluated here).

>>> data = form_xlsx(template.default_layout(), report=last_year_draft)     # pre-filled from a report
>>> report = read_form(data)
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from typing import Any

from gongkai import template
from gongkai.errors import InputError
from gongkai.model import BLANK, READ, Cell, Report

__all__ = ["form_xlsx", "is_form", "read_form"]

_META_SHEET = "基本信息"
_SHEETS = {"table2": "表二 主动公开", "table3": "表三 依申请公开", "table4": "表四 复议诉讼"}
_NAME_PREFIX = ("table2.", "table3.", "table4.")
_SUM = re.compile(r"^=SUM\(([^)]*)\)$", re.I)


# ---------------------------------------------------------------- layout: a grid of cells per table


class _Grid:
    """Cells placed on a sheet: text labels, value cells (key path), merges and formulas."""

    def __init__(self) -> None:
        self.labels: dict[tuple[int, int], str] = {}
        self.values: dict[str, tuple[int, int]] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.formulas: dict[str, list[str]] = {}  # key path → key paths it sums

    def label(self, row: int, col: int, text: str, rows: int = 1, cols: int = 1) -> None:
        self.labels[(row, col)] = text
        if rows > 1 or cols > 1:
            self.merges.append((row, col, row + rows - 1, col + cols - 1))

    def value(self, row: int, col: int, path: str, cols: int = 1) -> None:
        self.values[path] = (row, col)
        if cols > 1:
            self.merges.append((row, col, row, col + cols - 1))


def _grid2(lay: template.Layout) -> _Grid:
    g, t = _Grid(), lay.table2
    width = max(len(r.columns) for r in t.rows)
    content = next(h for h in t.header_labels if h == "信息内容")
    row, prev = 1, None
    for r in t.rows:
        cols = tuple(c.key for c in r.columns)
        spans = [1] * (len(r.columns) - 1) + [width - len(r.columns) + 1]
        if prev != (r.section, cols):
            g.label(row, 1, r.section, cols=1 + width)
            g.label(row + 1, 1, content)
            at = 2
            for c, span in zip(r.columns, spans, strict=True):
                g.label(row + 1, at, c.label, cols=span)
                at += span
            row, prev = row + 2, (r.section, cols)
        g.label(row, 1, r.label)
        at = 2
        for c, span in zip(r.columns, spans, strict=True):
            g.value(row, at, f"table2.{r.key}.{c.key}", cols=span)
            at += span
        row += 1
    return g


def _grid3(lay: template.Layout) -> _Grid:
    g, t = _Grid(), lay.table3
    cols = t.columns
    col_labels = {c.label for c in cols}
    applicant, legal = [h for h in t.header_labels if h != template.TABLE3_NOTE and h not in col_labels][:2]
    g.label(1, 1, f"（{template.TABLE3_NOTE}）", rows=3, cols=3)
    g.label(1, 4, applicant, cols=len(cols))
    g.label(2, 4, cols[0].label, rows=2)
    g.label(2, 5, legal, cols=len(cols) - 2)
    g.label(2, 3 + len(cols), cols[-1].label, rows=2)
    for i, c in enumerate(cols[1:-1]):
        g.label(3, 5 + i, c.label)
    rows = list(t.rows)
    first = 4
    results = [i for i, r in enumerate(rows) if r.group]
    outer = next(r.group for r in rows if r.group and not r.group.startswith("（"))
    g.label(first + results[0], 1, outer, rows=len(results))
    i = 0
    while i < len(rows):
        r = rows[i]
        if r.group.startswith("（"):
            n = 1
            while i + n < len(rows) and rows[i + n].group == r.group:
                n += 1
            g.label(first + i, 2, r.group, rows=n)
            for k in range(n):
                g.label(first + i + k, 3, rows[i + k].label)
            i += n
            continue
        if r.group:
            g.label(first + i, 2, r.label, cols=2)
        else:
            g.label(first + i, 1, r.label, cols=3)
        i += 1
    part_keys = [c.key for c in cols[:-1]]
    result_keys = template.result_rows(lay)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            path = f"table3.{r.key}.{c.key}"
            g.value(first + i, 4 + j, path)
            if c.key == "total":
                g.formulas[path] = [f"table3.{r.key}.{k}" for k in part_keys]
            elif r.key == "total":
                g.formulas[path] = [f"table3.{k}.{c.key}" for k in result_keys]
    return g


def _grid4(lay: template.Layout) -> _Grid:
    g, t = _Grid(), lay.table4
    groups, cols = t.groups, t.columns
    group_labels = {label for _k, label in groups}
    col_labels = {c.label for c in cols}
    litigation = next(h for h in t.header_labels if h not in group_labels and h not in col_labels)
    n = len(cols)
    g.label(1, 1, groups[0][1], cols=n)
    g.label(1, 1 + n, litigation, cols=n * (len(groups) - 1))
    for j, c in enumerate(cols):
        g.label(2, 1 + j, c.label, rows=2)
    for k, (_g, label) in enumerate(groups[1:]):
        g.label(2, 1 + n * (k + 1), label, cols=n)
        for j, c in enumerate(cols):
            g.label(3, 1 + n * (k + 1) + j, c.label)
    for k, (gk, _label) in enumerate(groups):
        for j, c in enumerate(cols):
            path = f"table4.{gk}.{c.key}"
            g.value(4, 1 + n * k + j, path)
            if c.key == "total":
                g.formulas[path] = [f"table4.{gk}.{x.key}" for x in cols[:-1]]
    return g


_GRIDS = {"table2": _grid2, "table3": _grid3, "table4": _grid4}


# ---------------------------------------------------------------- writing


def _column_of(lay: template.Layout, path: str) -> template.Column:
    t, r, c = path.split(".")
    table = {x.key: x for x in lay.tables}[t]
    return next(col for col in table.columns_of(table.row(r)) if col.key == c)


def form_xlsx(
    layout_key: str | None = None, report: Report | None = None, agency: str = "", year: int | None = None
) -> bytes:
    """The 填报 workbook of a layout (default: the latest), pre-filled with ``report``'s values (formula cells
    stay formulas)."""
    layout_key = layout_key or template.default_layout()
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    lay = template.layout(layout_key)
    values = {p: c.value for p, c in report.cells.items()} if report else {}
    meta = report.meta if report else {}
    wb = Workbook()
    info = wb.active
    info.title = _META_SHEET
    info.append(["项目", "内容"])
    info.append(["机关名称", agency or meta.get("agency") or ""])
    info.append(["年度", year or meta.get("year") or ""])
    info.append(["模板", layout_key])
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 12, 40
    for key, cell in (("meta.agency", "B2"), ("meta.year", "B3"), ("meta.template", "B4")):
        wb.defined_names[key] = DefinedName(key, attr_text=f"'{_META_SHEET}'!${cell[0]}${cell[1:]}")

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    left = Alignment(wrap_text=True, vertical="center", horizontal="left")
    formula_fill = PatternFill("solid", fgColor="EEF3FA")
    for table in lay.tables:
        grid = _GRIDS[table.key](lay)
        ws = wb.create_sheet(_SHEETS[table.key])
        validations = {
            "count": DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0"),
            "decimal": DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0"),
            "signed": DataValidation(
                type="whole", operator="between", formula1="-999999999", formula2="999999999"
            ),
        }
        for dv in validations.values():
            dv.error, dv.errorTitle = "请填写非负整数（收费金额可含小数；本年增/减可为负）", "数值无效"
            dv.showErrorMessage = True
            ws.add_data_validation(dv)
        max_row = max([r for r, _c in grid.labels] + [r for r, _c in grid.values.values()])
        max_col = max([c for _r, c in grid.labels] + [c for _r, c in grid.values.values()])
        for r in range(1, max_row + 1):
            for c in range(1, max_col + 1):
                ws.cell(r, c).border = border
                ws.cell(r, c).font = Font(name="宋体", size=10)
        for (r, c), text in grid.labels.items():
            ws.cell(r, c, text).alignment = left if c <= 3 and table.key != "table4" else wrap
        for path, (r, c) in grid.values.items():
            cell = ws.cell(r, c)
            cell.alignment = wrap
            ref = f"{get_column_letter(c)}{r}"
            if path in grid.formulas:
                parts = [grid.values[p] for p in grid.formulas[path]]
                cell.value = "=SUM(" + ",".join(f"{get_column_letter(pc)}{pr}" for pr, pc in parts) + ")"
                cell.fill = formula_fill
            else:
                v = values.get(path)
                cell.value = v
                col = _column_of(lay, path)
                kind = "decimal" if col.decimal else "signed" if col.signed else "count"
                validations[kind].add(ref)
            wb.defined_names[path] = DefinedName(path, attr_text=f"'{ws.title}'!${get_column_letter(c)}${r}")
        for r1, c1, r2, c2 in grid.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        widths = {"table2": [26, 16, 16, 16], "table3": [7, 9, 30], "table4": []}[table.key]
        for c in range(1, max_col + 1):
            ws.column_dimensions[get_column_letter(c)].width = widths[c - 1] if c <= len(widths) else 9
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- reading


def is_form(data: bytes) -> bool:
    """Whether ``data`` is an XLSX workbook with gongkai's named value cells (a 填报 workbook)."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            book = z.read("xl/workbook.xml")
    except (zipfile.BadZipFile, KeyError, OSError):
        return False
    return b"table3.new.total" in book


def _named_cells(wb: Any) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    names: Iterable[Any] = wb.defined_names.values()
    for dn in names:
        for sheet, ref in dn.destinations:
            out[dn.name] = (sheet, ref.replace("$", ""))
    return out


def _number(raw: Any, path: str) -> int | float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise InputError(f"{path}: 不是数字 (not a number: {raw!r})")
    if isinstance(raw, (int, float)):
        return int(raw) if float(raw).is_integer() else float(raw)
    text = str(raw).strip().replace(",", "")
    try:
        v = float(text)
    except ValueError:
        raise InputError(f"{path}: 不是数字 (not a number: {raw!r})") from None
    return int(v) if v.is_integer() else v


def read_form(data: bytes, source: str = "<bytes>") -> Report:
    """The report a 填报 workbook holds: meta from 基本信息, each named cell's value (typed or computed)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), data_only=False)
        cached = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as e:  # openpyxl raises many kinds on a broken file
        raise InputError(f"无法读取填报表 (cannot read the workbook: {type(e).__name__})") from None
    named = _named_cells(wb)
    sheet, ref = named["meta.template"]
    layout_key = str(wb[sheet][ref].value or template.default_layout())
    if layout_key not in template.LAYOUTS:
        raise InputError(f"未知的模板 (unknown layout {layout_key!r})")

    def raw(path: str) -> Any:
        sheet, ref = named[path]
        return wb[sheet][ref].value

    formulas = {p: raw(p) for p in named if p.startswith(_NAME_PREFIX) and _is_formula(raw(p))}
    values: dict[str, int | float | None] = {}
    for path in template.cell_paths(layout_key):
        if path not in named or path in formulas:
            continue
        values[path] = _number(raw(path), path)
    for path, formula in formulas.items():
        sheet, ref = named[path]
        value = cached[sheet][ref].value
        values[path] = (
            _number(value, path) if value is not None else _evaluate(formula, sheet, wb, values, named)
        )
    year = _number(raw("meta.year"), "meta.year")
    meta = {
        "agency": str(raw("meta.agency") or "").strip() or None,
        "year": int(year) if year is not None else None,
        "template": layout_key,
        "source": source,
        "format": "xlsx",
    }
    cells = {
        p: Cell(
            p,
            v,
            READ if v is not None else BLANK,
            raw=None if v is None else str(v),
            where=[{"cell": named[p][1]}],
        )
        for p, v in values.items()
    }
    return Report(meta=meta, cells=cells)


def _is_formula(v: Any) -> bool:
    return isinstance(v, str) and v.startswith("=")


def _evaluate(
    formula: str, sheet: str, wb: Any, values: Mapping[str, Any], named: dict
) -> int | float | None:
    """A ``=SUM(A1,B2,…)`` or ``=SUM(A1:F1)`` the workbook has no cached value for, from the typed values."""
    from openpyxl.utils.cell import range_boundaries

    m = _SUM.match(formula.replace(" ", ""))
    if not m:
        raise InputError(f"不支持的公式 (unsupported formula {formula!r})")
    by_ref = {ref: p for p, (s, ref) in named.items() if s == sheet}
    total: int | float = 0
    seen = False
    for part in m.group(1).split(","):
        c1, r1, c2, r2 = range_boundaries(part)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                ref = f"{_letter(c)}{r}"
                v = values.get(by_ref.get(ref, ""), wb[sheet][ref].value)
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    total += v
                    seen = True
    return total if seen else None


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)
