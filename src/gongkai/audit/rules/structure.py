"""Table structure: rows and columns of the official layout removed or reordered by the agency."""

from __future__ import annotations

import re

from gongkai import template
from gongkai.audit.finding import Finding
from gongkai.audit.labels import TABLE_NAMES, column_label, row_label
from gongkai.audit.registry import rule
from gongkai.audit.textutil import strip_punct
from gongkai.model import MISSING, Report, row_keys

_TABLE_SECTION = {"table3": "s3", "table4": "s4"}


def _lines(report: Report, paths: list[str]) -> list[tuple[int, int]]:
    out = []
    for p in paths:
        c = report.cells.get(p)
        if c is None or c.status == MISSING:
            continue
        for w in c.where or ():
            if isinstance(w, dict) and isinstance(w.get("line"), int):
                out.append((int(w.get("page") or 0), w["line"]))
    return out


def missing_rows_and_columns(report: Report) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Whole rows and whole columns that were not found while the rest of their table was:
    ([(table, row)], [(table, column)])."""
    rows: list[tuple[str, str]] = []
    cols: list[tuple[str, str]] = []
    for t in ("table2", "table3", "table4"):
        cells = {p: c for p, c in report.cells.items() if p.startswith(t + ".")}
        if not cells or all(c.status == MISSING for c in cells.values()):
            continue
        by_row: dict[str, list[str]] = {}
        by_col: dict[str, list[str]] = {}
        for p in cells:
            _t, r, col = p.split(".")
            by_row.setdefault(r, []).append(p)
            by_col.setdefault(col, []).append(p)
        gone_rows = {
            r for r, ps in by_row.items() if len(ps) > 1 and all(cells[p].status == MISSING for p in ps)
        }
        gone_cols = {
            c
            for c, ps in by_col.items()
            if t != "table2" and len(ps) > 1 and all(cells[p].status == MISSING for p in ps)
        }
        if len(gone_rows) < len(by_row):
            rows += [(t, r) for r in by_row if r in gone_rows]
        if len(gone_cols) < len(by_col):
            cols += [(t, c) for c in by_col if c in gone_cols]
    return rows, cols


def _row_order(report: Report, t: str) -> list[str]:
    """Rows printed before a row that the official layout puts above them."""
    seen_max = (-1, -1)
    out = []
    for r in row_keys(report, t):
        lines = _lines(report, [p for p in report.cells if p.startswith(f"{t}.{r}.")])
        if not lines:
            continue
        first = min(lines)
        if first < seen_max:
            out.append(r)
        seen_max = max(seen_max, first)
    return out


def _column_order(report: Report, t: str) -> list[str] | None:
    """The printed order of the table's column labels when it differs from the official one."""
    sec = report.sections.get(_TABLE_SECTION[t])
    if sec is None:
        return None
    text = strip_punct(sec.text)
    m = re.search(r"\d", text)
    header = text[: m.start()] if m else text
    lay = template.layout(report.layout)
    labels = [c.label for c in getattr(lay, t).columns if len(c.label) >= 3 and c.label != "总计"]
    pos = {lbl: header.find(lbl) for lbl in labels}
    if any(v < 0 for v in pos.values()) or len(labels) < 3:
        return None
    printed = sorted(labels, key=lambda lbl: pos[lbl])
    return printed if printed != labels else None


@rule("L104", "table-structure", "warning")
def structure(report: Report):
    """The tables keep the official structure: no row or column removed, none moved.

    A row or column of the official layout that is not in the source while the rest of its table is, and
    rows or column labels printed in another order, are reported once per table (not once per cell).

    Anti-pattern:
        表三删去「科研机构」「社会公益组织」两列；表四把「结果纠正」列放在「结果维持」之前。
    Best practice:
        表三、表四按国家格式保留全部行列，顺序不变（没有数据的格填 0）。
    """
    rows, cols = missing_rows_and_columns(report)
    for t in ("table2", "table3", "table4"):
        gone_r = [r for tt, r in rows if tt == t]
        gone_c = [c for tt, c in cols if tt == t]
        if gone_r or gone_c:
            what = []
            if gone_r:
                what.append("行「" + "」「".join(row_label(t, r, report.layout) for r in gone_r) + "」")
            if gone_c:
                any_row = next(p.split(".")[1] for p in report.cells if p.startswith(t + "."))
                what.append(
                    "列「" + "」「".join(column_label(t, any_row, c, report.layout) for c in gone_c) + "」"
                )
            yield Finding(
                f"{TABLE_NAMES[t]}缺少国家格式中的{'，'.join(what)}（原文中未找到）；请按国家格式保留全部行列，"
                "没有数据的格填 0。",
                where=[f"{t}.{r}" for r in gone_r]
                + [p for p in report.cells if p.startswith(t + ".") and p.split(".")[2] in gone_c],
                evidence={"missing_rows": gone_r, "missing_columns": gone_c},
            )
        if t == "table2":
            continue
        moved = _row_order(report, t)
        if moved:
            yield Finding(
                f"{TABLE_NAMES[t]}的行顺序与国家格式不一致：「"
                + "」「".join(row_label(t, r, report.layout) for r in moved)
                + "」印在了国家格式中排在其前面的行之前；请按国家格式排列。",
                where=[f"{t}.{r}" for r in moved],
                evidence={"moved_rows": moved},
            )
        printed = _column_order(report, t)
        if printed:
            yield Finding(
                f"{TABLE_NAMES[t]}的列顺序与国家格式不一致：原文为「{'」「'.join(printed)}」；请按国家格式排列。",
                where=[t],
                evidence={"printed_columns": printed},
            )
