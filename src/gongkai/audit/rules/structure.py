"""Table structure: rows and columns of the official layout removed, added or reordered by the agency."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

from gongkai import template
from gongkai.audit.cellindex import row_index, row_keys, status_paths, table_paths
from gongkai.audit.finding import ERROR, INFO, Finding
from gongkai.audit.labels import TABLE_NAMES, column_label, row_label
from gongkai.audit.memo import per_report
from gongkai.audit.registry import rule
from gongkai.extract.added import CJK, ENUMERATOR, added_row_label, foreign, split_row, vocabulary
from gongkai.model import MISSING, Cell, Report
from gongkai.punct import punct_free, strip_punct

_TABLE_SECTION = {"table2": "s2", "table3": "s3", "table4": "s4"}
_DIGIT = re.compile(r"\d")


def _first_line(cells: dict[str, Cell], paths: list[str]) -> tuple[int, int] | None:
    """The earliest (page, line) where a found cell among ``paths`` was printed (None: no line known)."""
    first = None
    for p in paths:
        c = cells.get(p)
        if c is None or c.status == MISSING or not c.where:
            continue
        for w in c.where:
            if isinstance(w, dict):
                line = w.get("line")
                if isinstance(line, int):
                    page = w.get("page")
                    at = (int(page) if page else 0, line)
                    if first is None or at < first:
                        first = at
    return first


@per_report
def missing_rows_and_columns(report: Report) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Whole rows and whole columns that were not found while the rest of their table was:
    ([(table, row)], [(table, column)]). Shared within an audit pass: do not change the lists."""
    rows: list[tuple[str, str]] = []
    cols: list[tuple[str, str]] = []
    if MISSING not in status_paths(report):
        return rows, cols  # every cell found (most reports): no row or column can be missing
    for t in template.TABLE_KEYS:
        paths = table_paths(report, t)
        missing = {p for p in paths if report.cells[p].status == MISSING}
        if not missing or len(missing) == len(paths):
            continue  # nothing missing (no row or column can be), or the whole table is
        by_row: dict[str, list[str]] = {}
        by_col: dict[str, list[str]] = {}
        for p in paths:
            _t, r, col = p.split(".")
            by_row.setdefault(r, []).append(p)
            by_col.setdefault(col, []).append(p)
        gone_rows = {r for r, ps in by_row.items() if len(ps) > 1 and missing.issuperset(ps)}
        gone_cols = {
            c for c, ps in by_col.items() if t != "table2" and len(ps) > 1 and missing.issuperset(ps)
        }
        if len(gone_rows) < len(by_row):
            rows += [(t, r) for r in by_row if r in gone_rows]
        if len(gone_cols) < len(by_col):
            cols += [(t, c) for c in by_col if c in gone_cols]
    return rows, cols


def _row_order(report: Report, t: str) -> list[str]:
    """Rows printed before a row that the official layout puts above them."""
    cells = report.cells
    rows = row_index(report)
    seen_max = (-1, -1)
    out = []
    for r in row_keys(report, t):
        first = _first_line(cells, rows.get((t, r), []))
        if first is None:
            continue
        if first < seen_max:
            out.append(r)
        elif first > seen_max:
            seen_max = first
    return out


def _column_order(report: Report, t: str) -> list[str] | None:
    """The printed order of the table's column labels when it differs from the official one."""
    sec = report.sections.get(_TABLE_SECTION[t])
    if sec is None:
        return None
    m = _DIGIT.search(sec.text)
    header = punct_free(sec.text[: m.start()] if m else sec.text)  # no digit is punctuation
    labels = _ordered_labels(report.layout, t)
    pos = {lbl: header.find(lbl) for lbl in labels}
    if any(v < 0 for v in pos.values()) or len(labels) < 3:
        return None
    printed = sorted(labels, key=lambda lbl: pos[lbl])
    return printed if printed != labels else None


@functools.cache
def _ordered_labels(layout_key: str, t: str) -> list[str]:
    """The column labels of table ``t`` whose printed order is checked (three characters or more, not
    总计), in the official order. Shared: do not change the list."""
    columns = getattr(template.layout(layout_key), t).columns
    return [c.label for c in columns if len(c.label) >= 3 and c.label != "总计"]


@functools.cache
def _column_bodies(layout_key: str, t: str) -> tuple[str, ...]:
    """The column labels of table ``t`` without punctuation."""
    return tuple(strip_punct(c.label) for c in getattr(template.layout(layout_key), t).columns)


@per_report
def _none_found(report: Report, t: str) -> bool:
    """No cell of table ``t`` was found (shared by the added rows and columns of a pass)."""
    if MISSING not in status_paths(report):
        return not table_paths(report, t)  # every cell found: only a table without cells has none found
    return all(report.cells[p].status == MISSING for p in table_paths(report, t))


_NEAR = 0.75  # similarity above which a label is a misprint of an official one (as rule L103)


def added_columns(report: Report, t: str) -> list[str]:
    """Column labels printed in the header of table ``t`` (三 or 四) that the official layout lacks."""
    sec = report.sections.get(_TABLE_SECTION[t])
    if sec is None or _none_found(report, t):
        return []
    table = getattr(template.layout(report.layout), t)
    text = sec.text
    starts = [i for i in (text.find(lbl) for lbl in table.header_labels) if i >= 0]
    if not starts:
        return []
    text = text[min(starts) :]
    m = _DIGIT.search(text)
    header = text[: m.start()] if m else ""
    compact = punct_free(header)
    if sum(body in compact for body in _column_bodies(report.layout, t)) < 3:
        return []  # not the table's header (a sentence before the table, or a header lost in extraction)
    if _explained(header, report.layout, t):
        return []
    words = [strip_punct(w) for w in header.split()]
    quoted = [
        next((w for w in words if piece in w), piece)
        for piece in foreign(header, vocabulary(report.layout, t))
    ]
    return list(dict.fromkeys(quoted))  # the printed label around the unexplained piece


@dataclass(frozen=True)
class AddedRow:
    """A printed row of a table that the official layout does not have."""

    label: str  # as printed, punctuation removed
    printed: str  # the whole line as printed (label and values)
    line: int | None  # 1-based line in Report.text
    doubt: str = ""  # why it may be an extraction artefact rather than a changed layout ("": none)


def _line_number(report: Report, sec_start: int | None, line: str) -> int | None:
    at = report.text.find(line, sec_start or 0) if line else -1
    return report.text.count("\n", 0, at) + 1 if at >= 0 else None


def added_rows(report: Report, t: str) -> list[AddedRow]:
    """Rows printed in table ``t`` (a label, then as many values as a row of the table has) whose label
    no official text of the table explains (wrapped labels, variants, headers and sub-totals the template
    knows are explained), within the printed table: from its first official text to its last official
    row, and rows that follow that row directly. Notes (注：…) and sentences are not rows."""
    sec = report.sections.get(_TABLE_SECTION[t])
    if sec is None or _none_found(report, t):
        return []
    layout_key = report.layout
    kinds: list[tuple[str, AddedRow | None]] = []  # ("official" | "row" | "candidate" | "other", row)
    started = False  # an official text or row seen: from then on, texts that are not rows are all alike
    for line in sec.text.splitlines():
        if not line.strip():
            continue
        row = split_row(line)
        if row is None:
            official = not started and _explained(ENUMERATOR.sub("", line.strip()), layout_key, t)
            kinds.append(("official" if official else "other", None))
            started = started or official
        elif not CJK.search(row[0]) or _explained(row[0], layout_key, t):  # ``is_row``, the line split once
            kinds.append(("row", None))
            started = True
        else:
            label = added_row_label(line, report.layout, t)
            found = _candidate(report, t, sec.start, line, label) if label else None
            kinds.append(("candidate" if found else "other", found))
    first = next((i for i, (k, _r) in enumerate(kinds) if k in ("official", "row")), None)
    last = max((i for i, (k, _r) in enumerate(kinds) if k == "row"), default=None)
    if first is None or last is None:
        return []
    out = [r for k, r in kinds[first:last] if k == "candidate" and r is not None]
    for k, r in kinds[last + 1 :]:
        if k != "candidate":
            break
        if r is not None:
            out.append(r)
    return out


@functools.lru_cache(maxsize=4096)
def _explained(text: str, layout_key: str, t: str) -> bool:
    """No run of ``text`` is foreign to table ``t`` (``foreign``): remembered, as the same official labels
    and headers are printed in report after report."""
    return not foreign(text, vocabulary(layout_key, t))


def _candidate(report: Report, t: str, sec_start: int | None, line: str, text: str) -> AddedRow | None:
    """The added row labelled ``text``, with the reason where it may be an extraction artefact; None
    where it is the official row printed under another label (a misprint: rule L103)."""
    doubt = ""
    near = _near_official(report, t, text)
    if near is not None:
        row_key, official = near
        if all(c.status == MISSING for p, c in report.cells.items() if p.startswith(f"{t}.{row_key}.")):
            return None
        doubt = f"与国家格式的「{official}」相近，可能是该行重复印出或标签识别有误"
    elif _read_by_ocr(report, t):
        doubt = "该表由文字识别（OCR）读出，标签可能识别有误"
    return AddedRow(text, " ".join(line.split()), _line_number(report, sec_start, line), doubt)


def _near_official(report: Report, t: str, text: str) -> tuple[str, str] | None:
    """The official row whose label ``text`` is a near-miss of (similarity ≥ 0.75), if any."""
    table = getattr(template.layout(report.layout), t)
    for r in table.rows:
        official = strip_punct(r.label.removeprefix(r.enumerator))
        if difflib.SequenceMatcher(None, text, official, autojunk=False).ratio() >= _NEAR:
            return r.key, r.label
    return None


def _read_by_ocr(report: Report, t: str) -> bool:
    return any(
        isinstance(w, dict) and w.get("confidence") is not None
        for p, c in report.cells.items()
        if p.startswith(t + ".")
        for w in c.where or ()
    )


@rule("L104", "table-structure", "warning")
def structure(report: Report):
    """The tables keep the official structure: no row or column removed, added or moved.

    A row or column of the official layout that is not in the source while the rest of its table is, a row
    or column label printed that the layout does not have, and rows or column labels printed in another
    order, are reported once per table (not once per cell). Rows are aligned by their labels: a printed
    row (a label, then the values of a row of that table) whose label no official text of the table
    explains is an added row, an error: evaluators deduct for a changed layout. Labels broken by line
    wraps, known variants, headers, sub-totals the template knows, notes and sentences are not rows; an
    added row that may be an extraction artefact (a near-miss of an official label, a table read by OCR)
    is an info note with the reason.

    Anti-pattern:
        表三删去「科研机构」「社会公益组织」两列；表四把「结果纠正」列放在「结果维持」之前。
        表三增加「个体工商户」列、「（八）移送有关机关办理」行；表四增加「部分纠正」列。
        表二在「行政强制」行后增加「行政确认 7」行；表四在数据行下增加「其中：信息公开类 0 1 0 0 1 …」行。
    Best practice:
        表二、表三、表四按国家格式保留全部行列，顺序不变（没有数据的格填 0）；其他情况在正文中说明。
    """
    rows, cols = missing_rows_and_columns(report)
    for t in template.TABLE_KEYS:
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
        yield from _added(report, t)
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


def _added(report: Report, t: str):
    rows = added_rows(report, t)
    new_cols = added_columns(report, t) if t != "table2" else []
    changed = [r for r in rows if not r.doubt]
    if changed:
        yield Finding(
            f"{TABLE_NAMES[t]}增加了国家格式中没有的行「" + "」「".join(r.label for r in changed) + "」"
            f"（原文：「{'」「'.join(r.printed for r in changed)}」）；请按国家格式填报，"
            "其他情况在正文中说明，不要增加行。",
            where=[t],
            evidence={"added_rows": [r.label for r in changed], "lines": [r.line for r in changed]},
            severity=ERROR,
        )
    for r in rows:
        if r.doubt:
            yield Finding(
                f"提取说明：{TABLE_NAMES[t]}中印有国家格式没有的行「{r.printed}」，但{r.doubt}；请对照原件核对。",
                where=[t],
                evidence={"printed": r.printed, "line": r.line, "reason": r.doubt},
                severity=INFO,
            )
    if new_cols:
        yield Finding(
            f"{TABLE_NAMES[t]}增加了国家格式中没有的列「" + "」「".join(new_cols) + "」；请按国家格式填报，"
            "其他情况在正文中说明，不要增加列。",
            where=[t],
            evidence={"added_columns": new_cols},
        )
