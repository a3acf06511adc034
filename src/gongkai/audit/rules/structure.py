"""Table structure: rows and columns of the official layout removed, added or reordered by the agency."""

from __future__ import annotations

import re
from functools import cache

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


# Printed text of a table that is neither a label nor a value: units and the like.
_TABLE_NOISE = ("单位", "件", "数量", "序号", "项目", "类别", "内容", "情况", "备注")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ENUMERATOR = re.compile(r"^(?:[（(]?[一二三四五六七八九十]+[）)、.．]?|[（(]?\d{1,2}[）).．、]?)")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


@cache
def _vocabulary(layout_key: str, t: str) -> tuple[str, ...]:
    """Every text the official layout prints in table ``t`` (labels, groups, header, title), punctuation
    removed, longest first."""
    table = getattr(template.layout(layout_key), t)
    texts = [table.title, table.short_name, *table.header_labels, *(g for _k, g in table.groups)]
    for c in table.columns:
        texts += [c.label, *c.variants]
    for r in table.rows:
        texts += [r.label, r.group, r.short, *(c.label for c in r.columns)]
    words = {strip_punct(x) for x in (*texts, *_TABLE_NOISE)}
    return tuple(sorted((w for w in words if w), key=len, reverse=True))


def _foreign(text: str, vocabulary: tuple[str, ...]) -> list[str]:
    """The runs of ``text`` (punctuation removed) that no official text explains: whole labels are taken
    out first, then any piece of two or more characters of a label (a label broken by a line wrap, or two
    wrapped labels interleaved), so only text the layout never prints is left. Runs of two or more Chinese
    characters only."""
    rest = strip_punct(text)
    for word in vocabulary:
        rest = rest.replace(word, " ")
    out = []
    for run in rest.split():
        for piece in _unexplained(run, vocabulary).split():
            if len(_CJK.findall(piece)) >= 2:
                out.append(piece)
    return out


def _unexplained(run: str, vocabulary: tuple[str, ...]) -> str:
    """``run`` with every stretch of two or more characters that occurs in an official text blanked out."""
    keep = [True] * len(run)
    for i in range(len(run)):
        j = i + 2
        while j <= len(run) and any(run[i:j] in w for w in vocabulary):
            j += 1
        if j - 1 - i >= 2:
            for k in range(i, j - 1):
                keep[k] = False
    return "".join(ch if keep[i] else " " for i, ch in enumerate(run))


def added_columns(report: Report, t: str) -> list[str]:
    """Column labels printed in the header of table ``t`` (三 or 四) that the official layout lacks."""
    sec = report.sections.get(_TABLE_SECTION[t])
    if sec is None or all(c.status == MISSING for p, c in report.cells.items() if p.startswith(t + ".")):
        return []
    table = getattr(template.layout(report.layout), t)
    text = sec.text
    starts = [i for i in (text.find(lbl) for lbl in table.header_labels) if i >= 0]
    if not starts:
        return []
    text = text[min(starts) :]
    m = re.search(r"\d", text)
    header = text[: m.start()] if m else ""
    compact = strip_punct(header)
    if sum(strip_punct(c.label) in compact for c in table.columns) < 3:
        return []  # not the table's header (a sentence before the table, or a header lost in extraction)
    words = [strip_punct(w) for w in header.split()]
    quoted = [
        next((w for w in words if piece in w), piece)
        for piece in _foreign(header, _vocabulary(report.layout, t))
    ]
    return list(dict.fromkeys(quoted))  # the printed label around the unexplained piece


def added_rows(report: Report, t: str = "table3") -> list[str]:
    """Labels of printed rows of table ``t`` (a label, then one number per column) that the official
    layout does not have."""
    sec = report.sections.get(_TABLE_SECTION[t])
    if sec is None:
        return []
    ncols = len(getattr(template.layout(report.layout), t).columns)
    vocabulary = _vocabulary(report.layout, t)
    out = []
    for line in sec.text.splitlines():
        tokens = line.split()
        k = len(tokens)
        while k > 0 and _NUMBER.match(tokens[k - 1]):
            k -= 1
        if len(tokens) - k != ncols or k == 0:
            continue
        label = _ENUMERATOR.sub("", "".join(tokens[:k]))
        if _foreign(label, vocabulary):
            out.append(strip_punct(label))
    return out


@rule("L104", "table-structure", "warning")
def structure(report: Report):
    """The tables keep the official structure: no row or column removed, added or moved.

    A row or column of the official layout that is not in the source while the rest of its table is, a row
    or column label printed that the layout does not have, and rows or column labels printed in another
    order, are reported once per table (not once per cell).

    Anti-pattern:
        表三删去「科研机构」「社会公益组织」两列；表四把「结果纠正」列放在「结果维持」之前。
        表三增加「个体工商户」列、「（八）移送有关机关办理」行；表四增加「部分纠正」列。
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
        yield from _added(report, t)
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
    new_rows = added_rows(report, t) if t == "table3" else []
    new_cols = added_columns(report, t)
    if not new_rows and not new_cols:
        return
    what = []
    if new_rows:
        what.append("行「" + "」「".join(new_rows) + "」")
    if new_cols:
        what.append("列「" + "」「".join(new_cols) + "」")
    yield Finding(
        f"{TABLE_NAMES[t]}增加了国家格式中没有的{'，'.join(what)}；请按国家格式填报，"
        "其他情况在正文中说明，不要增加行列。",
        where=[t],
        evidence={"added_rows": new_rows, "added_columns": new_cols},
    )
