"""Cell rules: what the source printed (blank, not printed, unreadable) and whether counts are counts."""

from __future__ import annotations

import functools
from collections import defaultdict

from gongkai import template
from gongkai.audit.cellindex import status_paths, table_paths, unread_paths
from gongkai.audit.finding import ERROR, Finding
from gongkai.audit.labels import TABLE_NAMES, cell_label, column_label, row_label
from gongkai.audit.memo import per_report
from gongkai.audit.registry import rule
from gongkai.audit.values import num_text
from gongkai.model import AMBIGUOUS, BLANK, INFERRED, MISSING, UNREADABLE, Report


def _by_row(report: Report, status: str, pred) -> dict[tuple[str, str], list[str]]:
    """Paths of the cells ``pred`` selects among those of ``status`` (not read), by (table, row)."""
    rows: dict[tuple[str, str], list[str]] = defaultdict(list)
    cells = report.cells
    for row, path in _rows_of_status(report, status):
        if pred(cells[path]):
            rows[row].append(path)
    return rows


@per_report
def _rows_of_status(report: Report, status: str) -> list[tuple[tuple[str, str], str]]:
    """((table, row), path) of each cell of ``status`` (not read), in the report's cell order; shared by
    the rules of a pass (the glued rows of a report leave most of its cells inferred)."""
    return [(_row_of(path), path) for path in status_paths(report).get(status, ())]


@functools.lru_cache(maxsize=4096)
def _row_of(path: str) -> tuple[str, str]:
    """(table, row) of a cell path (the template's paths: met again in every report)."""
    t, r, _c = path.split(".")
    return t, r


@per_report
def _inferred_by_row(
    report: Report,
) -> tuple[dict[tuple[str, str], list[str]], dict[tuple[str, str], list[str]]]:
    """The inferred cells by (table, row), in the report's cell order: those whose digits the source does
    not print (rule T102), and those printed glued together or out of line (rule T103). One pass over the
    inferred cells for both rules; shared: do not change them."""
    unprinted: dict[tuple[str, str], list[str]] = {}
    printed: dict[tuple[str, str], list[str]] = {}
    cells = report.cells
    for row, path in _rows_of_status(report, INFERRED):
        raw = cells[path].raw
        (printed if raw and raw.strip() else unprinted).setdefault(row, []).append(path)
    return unprinted, printed


def _cols(report: Report, paths: list[str]) -> str:
    return "、".join(_column(p, report.layout) for p in paths)


def _column(path: str, layout: str) -> str:
    t, r, c = path.split(".")
    return column_label(t, r, c, layout)


def _row_name(report: Report, t: str, r: str) -> str:
    return f"{TABLE_NAMES[t]}「{row_label(t, r, report.layout)}」"


@rule("T101", "blank-cell", "warning")
def blank_cells(report: Report):
    """Cells left blank where the template requires a number (0 when there is nothing to count).

    One finding per row, naming the blank columns, and one for a table left wholly blank. The identity
    rules count a blank as 0 and say so; when a blank total hides a non-zero sum they report an error of
    their own, and a blank cell they name as the one cause of several failures is not repeated here.

    Anti-pattern:
        表三「（三）不予公开 1.属于国家秘密」行：自然人 14，其余各列（含总计）空白。
    Best practice:
        表三「（三）不予公开 1.属于国家秘密」行：14 0 0 0 0 0 14（无数据的格填 0）。
    """
    from gongkai.audit.rules.identities import culprit_cells

    covered = culprit_cells(report)  # reported once by the identity rule that names the blank cell
    rows = _by_row(report, BLANK, lambda c: c.status == BLANK and c.path not in covered)
    for t in sorted({t for t, _r in rows}):
        in_table = table_paths(report, t)
        blank = [p for (tt, _r), paths in rows.items() if tt == t for p in paths]
        if len(in_table) > 1 and len(blank) == len(in_table):
            yield Finding(
                f"{TABLE_NAMES[t]}整表未填写数字（全部 {len(blank)} 格空白），"
                "没有数据时应填 0；核查时按 0 计算。",
                where=[t],
                evidence={"blank": blank},
            )
            for key in [k for k in rows if k[0] == t]:
                del rows[key]
    for (t, r), paths in rows.items():
        yield Finding(
            f"{_row_name(report, t, r)}行的「{_cols(report, paths)}」未填写数字（空白），"
            f"没有数据时应填 0；核查时按 0 计算。",
            where=paths,
            evidence={"blank": paths},
        )


@rule("T102", "cell-not-printed", "warning")
def not_printed(report: Report):
    """Cells the source does not print at all, whose value was inferred from the table's identities.

    The value is the only one that makes the totals add up; it is not what the report says. Checks do
    not treat such a cell as confirmed.

    Anti-pattern:
        （四）无法提供 1.本机关不掌握相关政府信息 行只印了六个数（七个格），缺的一格只能由勾稽关系推出。
    Best practice:
        每一行印满七个数：1 0 0 0 0 0 1。
    """

    for (t, r), paths in _inferred_by_row(report)[0].items():
        vals = "、".join(f"{_column(p, report.layout)}={num_text(report.value(p))}" for p in paths)
        yield Finding(
            f"{_row_name(report, t, r)}行原文缺少「{_cols(report, paths)}」格的数字，"
            f"按勾稽关系推算为 {vals}；请在报告中补印该格。",
            where=paths,
            evidence={p: report.value(p) for p in paths},
        )


@rule("T103", "cell-split-inferred", "info")
def split_inferred(report: Report):
    """Cells whose digits are printed but glued together or out of line; their split was inferred.

    The digits are the source's, the column each belongs to follows from the identities. Identity
    failures that involve such cells are reported as warnings, not errors.

    Anti-pattern:
        一、本年新收政府信息公开申请数量2000012 1（数字粘连，无分隔）。
    Best practice:
        一、本年新收政府信息公开申请数量 20 0 0 0 0 1 21（每格一个数字）。
    """

    by_table: dict[tuple[str, bool], list[str]] = defaultdict(list)
    cells = report.cells
    for (t, _r), paths in _inferred_by_row(report)[1].items():
        for p in paths:
            by_table[(t, "OCR" in cells[p].note)].append(p)
    for (t, ocr), paths in by_table.items():
        if ocr:
            message = (
                f"{TABLE_NAMES[t]}有 {len(paths)} 个单元格的识别结果（OCR）置信度低且与勾稽关系不符，"
                f"已按勾稽关系取值；请对照原件核对。"
            )
        else:
            message = (
                f"{TABLE_NAMES[t]}有 {len(paths)} 个单元格的数字在原文中粘连或错位，按勾稽关系拆分对齐；"
                f"请核对原文排版。"
            )
        yield Finding(
            message,
            where=paths,
            evidence={p: {"value": (c := cells[p]).value, "raw": c.raw} for p in paths},  # report.value(p)
        )


@rule("T104", "cell-unreadable", "warning")
def unreadable(report: Report):
    """Cells that could not be read: ambiguous digits, unreadable text, or a row or table not found.

    Identities involving these cells cannot be checked; they are reported here instead of being passed.
    Glued digits with several possible splits are one finding per row. Whole rows or columns not found
    while the rest of the table is are left to rule L104 (table structure).

    Anti-pattern:
        行政规范性文件77132470（三个格的数字粘连，有多种拆分都说得通）。
    Best practice:
        行政规范性文件 77 132 470。
    """
    missing_tables: dict[str, list[str]] = defaultdict(list)
    unread = unread_paths(report)
    by_status = status_paths(report)
    for path in by_status.get(MISSING, ()):
        missing_tables[path.split(".")[0]].append(path)
    whole = {t for t, paths in missing_tables.items() if len(paths) == len(table_paths(report, t))}
    for t in sorted(whole):
        yield Finding(f"未找到{TABLE_NAMES[t]}，无法核查其数据。", where=[t], evidence={"missing": t})
    from gongkai.audit.rules.structure import missing_rows_and_columns

    gone_rows, gone_cols = missing_rows_and_columns(report)  # rule L104 reports these once per table
    rows: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    if UNREADABLE not in by_status and MISSING not in by_status and AMBIGUOUS not in by_status:
        unread = []  # inferred or blank cells only: none of them is reported here
    for path in unread:  # cells read are neither unreadable nor missing
        cell = report.cells[path]
        if not (cell.status in (UNREADABLE, MISSING) or (cell.status == AMBIGUOUS and not cell.candidates)):
            continue  # inferred or blank (most unread cells), or glued with candidates (below)
        t, r, c = path.split(".")
        if t in whole or (t, r) in gone_rows or (t, c) in gone_cols:
            continue
        rows[(t, r, cell.status)].append(path)
    what = {UNREADABLE: "无法识别", MISSING: "在原文中未找到", AMBIGUOUS: "的数字无法确定"}
    for (t, r, status), paths in rows.items():
        raw = report.cells[paths[0]].raw
        yield Finding(
            f"{_row_name(report, t, r)}行的「{_cols(report, paths)}」{what[status]}"
            + (f"（原文「{raw}」）" if raw else "")
            + "；涉及这些格的核查无法进行。",
            where=paths,
            evidence={"status": status, "raw": raw},
        )
    glued = _by_row(report, AMBIGUOUS, lambda c: c.status == AMBIGUOUS and bool(c.candidates))
    for (t, r), paths in glued.items():
        if len(paths) == 1:
            cell = report.cells[paths[0]]
            cands = "、".join(num_text(c) for c in cell.candidates)
            yield Finding(
                f"{cell_label(paths[0], report.layout)}的数字无法确定（原文「{cell.raw or ''}」，"
                f"可能为 {cands}）；涉及该格的核查无法进行。",
                where=paths,
                evidence={"raw": cell.raw, "candidates": cell.candidates},
            )
            continue
        raws = list(dict.fromkeys(report.cells[p].raw or "" for p in paths))
        each = "；".join(
            f"{column_label(t, r, p.split('.')[2], report.layout)}可能为 "
            + "、".join(num_text(c) for c in report.cells[p].candidates)
            for p in paths
        )
        yield Finding(
            f"{_row_name(report, t, r)}行的数字粘连，有多种拆分都说得通（原文「{'」「'.join(raws)}」）："
            f"{each}；涉及这些格的核查无法进行。",
            where=paths,
            evidence={
                "raw": raws,
                "candidates": {p: report.cells[p].candidates for p in paths},
            },
        )


def _decimal_ok(path: str, layout: str) -> tuple[bool, bool]:
    t, r, c = path.split(".")
    tab = getattr(template.layout(layout), t)
    try:
        cols = tab.columns_of(tab.row(r))
    except KeyError:
        return False, False
    for col in cols:
        if col.key == c:
            return col.decimal, col.signed
    return False, False


@rule("T105", "count-not-natural", "error")
def counts(report: Report):
    """Counts must be non-negative integers; only money may carry decimals and only 本年增/减 a sign.

    Anti-pattern:
        表三「（一）予以公开」行「自然人」列为 -2 或 2.5。
    Best practice:
        表三「（一）予以公开」行「自然人」列为 2。
    """
    for path, cell in report.cells.items():
        v = cell.value
        if v is None or (type(v) is int and v >= 0):
            continue  # no value, or a natural number (the common case): right in any column
        if cell.status in (AMBIGUOUS, UNREADABLE, MISSING):
            continue
        if v >= 0 and not (isinstance(v, float) and not v.is_integer()):
            continue  # a natural number: right in any column
        decimal, signed = _decimal_ok(path, report.layout)
        if v < 0 and not signed:
            yield Finding(
                f"{cell_label(path, report.layout)}为负数 {num_text(v)}，件数不能为负；请更正。",
                where=[path],
                evidence={"value": v},
                severity=ERROR,
            )
        elif isinstance(v, float) and not v.is_integer() and not decimal:
            yield Finding(
                f"{cell_label(path, report.layout)}为 {num_text(v)}，件数应为整数；请更正。",
                where=[path],
                evidence={"value": v},
                severity=ERROR,
            )
