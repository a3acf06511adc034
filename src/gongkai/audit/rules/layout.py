"""Layout rules: the template matches the report year, and the printed labels are the official ones."""

from __future__ import annotations

import difflib
import functools
import re
from collections import Counter

from gongkai import template
from gongkai.audit.cellindex import row_index, row_keys, row_paths, status_paths
from gongkai.audit.finding import INFO, Finding
from gongkai.audit.labels import TABLE_NAMES
from gongkai.audit.registry import rule
from gongkai.model import MISSING, Report
from gongkai.punct import is_text_char, punct_free, strip_punct


def _region(report: Report, keys: tuple[str, ...]) -> str:
    parts = []
    for k in keys:
        s = report.sections.get(k)
        if s is not None:
            parts.append(s.text)
    return "\n".join(parts)


@rule("L101", "layout-for-year", "error")
def layout_for_year(report: Report):
    """The tables use the layout of the report year: 2019 trial layout for 2019–2020, 2021 layout after.

    Anti-pattern:
        2022 年度报告的表二仍印「本年新制作数量」「本年新公开数量」「对外公开总数量」（2019 试行格式）。
    Best practice:
        2022 年度报告的表二印「本年制发件数」「本年废止件数」「现行有效件数」
        （国办公开办函〔2021〕30号格式）。
    """
    year = report.year
    printed = report.meta.get("template")
    if year is None or printed is None:
        return
    expected = template.layout_for_year(year)
    if printed == expected:
        return
    region = _region(report, ("s2", "s3", "s4")) or report.text
    markers = [m for m in template.layout(printed).markers if m in region.replace(" ", "")]
    yield Finding(
        f"{year} 年度报告的表格使用了{template.layout(printed).title}"
        + (f"（印有「{'」「'.join(markers[:3])}」）" if markers else "")
        + f"，应使用{template.layout(expected).title}。",
        where=["table2", "table3"],
        evidence={"year": year, "printed_layout": printed, "expected_layout": expected, "markers": markers},
    )


_NUMERALS = "一二三四五六七八九十"
_LEADING_YEAR = re.compile(r"^\d+\s*年")  # 2019 年试行格式 → 试行格式


def _printed(report: Report, key: str) -> bool:
    cells = report.cells
    return any(cells[p].status != MISSING for p in row_paths(report, "table3", key))


def _count(rows: list[template.Row]) -> str:
    return _NUMERALS[len(rows) - 1] if len(rows) <= len(_NUMERALS) else str(len(rows))


def _other_rows_message(expected: template.Layout, printed: template.Layout, have: list[template.Row]) -> str:
    """表三按 2021 年格式应将「（六）其他处理」分为三行（…），原文只印了 2019 年试行格式的单独一行「…」."""
    t3 = expected.table3.short_name
    want = [expected.table3.row(k) for k in expected.other_rows]
    if len(want) == 1:
        first, last = template.years(expected.key)
        span = f"{first}–{last}" if first and last and first != last else f"{first or last or ''}"
        return (
            f"{span} 年度报告的{t3}按{_LEADING_YEAR.sub('', expected.name)}只有一行「{want[0].label}」，"
            f"原文印了 {printed.name}的{_count(have)}行。"
        )
    group = want[0].group or want[0].label
    have_text = f"单独一行「{have[0].label}」" if len(have) == 1 else f"{_count(have)}行"
    return (
        f"{t3}按 {expected.name}应将「{group}」分为{_count(want)}行（"
        + "；".join(r.label for r in want)
        + f"），原文只印了 {printed.name}的{have_text}；请按现行格式分项填报。"
    )


@rule("L102", "other-rows-layout", "warning")
def other_rows(report: Report):
    """Table 三's （六）其他处理 rows follow the layout: three rows since 2021, one row in 2019–2020.

    Anti-pattern:
        2023 年度报告表三印单独一行「（六）其他处理 0 0 0 0 0 0 0」。
    Best practice:
        2023 年度报告表三印「（六）其他处理 1.申请人无正当理由逾期不补正…」
        「2.申请人逾期未按收费通知要求缴纳费用…」「3.其他」三行。
    """
    expected = template.layout(template.layout_for_year(report.year) if report.year else report.layout)
    present = [k for k in template.all_other_rows() if _printed(report, k)]
    if not present or any(k in expected.other_rows for k in present):
        return
    printed = next((lay for lay in template.layouts() if present[0] in lay.other_rows), None)
    if printed is None:
        return
    have = [printed.table3.row(k) for k in present if k in printed.other_rows]
    yield Finding(
        _other_rows_message(expected, printed, have),
        where=[f"table3.{k}" for k in present] + [p for k in present for p in row_paths(report, "table3", k)],
        evidence={"printed_rows": present, "expected_rows": list(expected.other_rows)},
    )


# ------------------------------------------------------------------ printed labels


def _offsets(text: str, count: int) -> list[int]:
    """The position in ``text`` of each of the first ``count`` characters of ``strip_punct(text)``."""
    offs: list[int] = []
    if count <= 0:
        return offs
    for i, ch in enumerate(text):
        if is_text_char(ch):
            offs.append(i)
            if len(offs) == count:
                break
    return offs


def _norm_label(label: str) -> str:
    return strip_punct(label)


_Label = tuple[str, str, str, tuple[str, ...]]  # (table, label, label without punctuation, cell paths)


def _digit_free(region: str, a: int, most: int) -> int:
    """How many characters of ``region`` from ``a`` on (at most ``most``) come before a digit or the end:
    the longest window starting at ``a`` that holds no digit."""
    ahead = region[a : a + most]
    if ahead.isalpha():  # letters are never digits: the common case, checked at C speed
        return len(ahead)
    return next((i for i, ch in enumerate(ahead) if ch.isdigit()), len(ahead))


def _near(region: str, label: str, others: set[str]) -> tuple[int, int, float] | None:
    """The best window of ``region`` that looks like a misprint of ``label`` (start, end, ratio)."""
    n = len(label)
    starts: set[int] = set()
    for probe in {label[:2], label[:3]}:
        i = region.find(probe)
        while i >= 0:
            starts.add(i)
            i = region.find(probe, i + 1)
    for probe in {label[-2:], label[-3:]}:
        i = region.find(probe)
        while i >= 0:
            for length in range(n - 3, n + 4):
                starts.add(i + len(probe) - length)
            i = region.find(probe, i + 1)
    best = None
    matcher = difflib.SequenceMatcher(None, "", label, autojunk=False)  # the label analysed once
    counts = dict(Counter(label))
    shortest, most = max(2, n - 3), n + 3
    for a in starts:
        if a < 0:
            continue
        # Each window region[a : a + length] free of digits, with the upper bound of its ratio() that
        # SequenceMatcher.quick_ratio() gives (characters shared with the label), counted as the window
        # grows instead of anew for each window.
        avail = counts.copy()
        shared = 0
        for length in range(1, min(most, _digit_free(region, a, most)) + 1):
            ch = region[a + length - 1]
            if avail.get(ch, 0) > 0:
                avail[ch] -= 1
                shared += 1
            if length < shortest:
                continue
            bound = 2.0 * shared / (length + n)
            if bound < 0.75 or (best is not None and bound <= best[2]):
                continue  # too far apart, or cannot beat the best window found
            w = region[a : a + length]
            if any(w in o or (len(o) >= 4 and o in w) for o in others):
                continue
            matcher.set_seq1(w)
            r = matcher.ratio()
            if r >= 0.75 and (best is None or r > best[2]):
                best = (a, a + length, r)
    return best


@functools.cache
def _template_labels(layout_key: str) -> tuple[tuple[_Label, ...], tuple[str, ...], tuple[_Label, ...]]:
    """The labels of tables 二 and 四 worth checking and table 三's column labels without punctuation,
    which depend on the layout only (worked out once)."""
    lay = template.layout(layout_key)
    table2: list[_Label] = []
    seen: set[str] = set()
    t2 = lay.table2
    for row in t2.rows:
        for col in row.columns:
            if col.label in seen:
                continue
            seen.add(col.label)
            where = tuple(
                f"table2.{r.key}.{col.key}"
                for r in t2.rows
                if any(c.key == col.key and c.label == col.label for c in r.columns)
            )
            table2.append(("table2", col.label, _norm_label(col.label), where))
    table2 += [("table2", row.label, _norm_label(row.label), (f"table2.{row.key}",)) for row in t2.rows]
    table4 = tuple(
        (
            "table4",
            col.label,
            _norm_label(col.label),
            tuple(f"table4.{g}.{col.key}" for g, _ in lay.table4.groups),
        )
        for col in lay.table4.columns
    )
    return tuple(table2), tuple(_norm_label(col.label) for col in lay.table3.columns), table4


def _labels(report: Report) -> tuple[_Label, ...]:
    """(table, label, label without punctuation, where) for every printed label worth checking, from the
    template."""
    present = tuple(row_keys(report, "table3"))
    missing = set(status_paths(report).get(MISSING, ()))
    rows = row_index(report)
    found = tuple(k for k in present if not missing.issuperset(rows.get(("table3", k), [])))
    return _labels_of(report.layout, present, found)


@functools.lru_cache(maxsize=64)
def _labels_of(layout_key: str, present: tuple[str, ...], found: tuple[str, ...]) -> tuple[_Label, ...]:
    """``_labels`` of a report of layout ``layout_key`` whose table 三 has the rows ``present``, of which
    the rows ``found`` have a cell found (the others are not checked)."""
    table2, _table3_columns, table4 = _template_labels(layout_key)
    out = list(table2)
    for key in found:
        label = _table3_row_label(layout_key, key)
        if label is not None:
            out.append(("table3", *label, (f"table3.{key}",)))
    return (*out, *_table3_column_labels(layout_key, present), *table4)


@functools.lru_cache(maxsize=64)
def _table3_column_labels(layout_key: str, present: tuple[str, ...]) -> tuple[_Label, ...]:
    """Table 三's column labels, each with its cells in the rows ``present`` (most reports: every row)."""
    lay = template.layout(layout_key)
    _table2, table3_columns, _table4 = _template_labels(layout_key)
    return tuple(
        ("table3", col.label, body, tuple(f"table3.{k}.{col.key}" for k in present))
        for col, body in zip(lay.table3.columns, table3_columns, strict=True)
    )


@functools.cache
def _table3_row_label(layout_key: str, key: str) -> tuple[str, str] | None:
    """The label of table 三's row ``key`` as printed (without enumerator) and without punctuation."""
    r = template.find_row("table3", key, layout_key)
    if r is None:
        return None
    label = r.label.removeprefix(r.enumerator)
    return label, _norm_label(label)


@rule("L103", "table-label", "warning")
def labels(report: Report):
    """Table labels are printed as in the official template; a near-miss label is a misprint.

    Short labels (under four characters) are not checked. The label must be close to the official one
    (similarity ≥ 0.75) and not itself another official label. A label broken by a line wrap (it spans a
    line break, or only lacks characters and starts or ends a line: 「结维持」, 「社会公益」) is an extraction
    note (info), not a misprint.

    Anti-pattern:
        信息内容 本年制发件数 本年度止件数 现行有效件数
    Best practice:
        信息内容 本年制发件数 本年废止件数 现行有效件数
    """
    regions = {"table2": ("s2",), "table3": ("s3",), "table4": ("s4",)}
    raw = {t: _region(report, keys) for t, keys in regions.items()}
    texts: dict[str, str] = {}  # strip_punct(raw[t]), as _offsets counts, made for the tables that need it
    checked = _labels(report)
    all_labels = {body for _t, _lbl, body, _w in checked}
    for t, label, body, paths in checked:
        if len(body) < 4 or body in raw[t]:
            continue  # printed as is (a label has no punctuation, so it is in texts[t] as well)
        region = texts.get(t)
        if region is None:
            region = texts[t] = punct_free(raw[t])
        if not region or body in region:
            continue
        others = {o for o in all_labels if o != body and len(o) >= 2}
        near = _near(region, body, others)
        if near is None:
            continue
        a, b, ratio = near
        raw_region = raw[t]
        offs = _offsets(raw_region, b)
        printed = raw_region[offs[a] : offs[b - 1] + 1]
        if "|" in printed or "\t" in printed or printed.count("\n") > 1:
            continue  # the label is interleaved with other cells: a garbled layout, not a misprint
        a0, b0 = offs[a], offs[b - 1] + 1
        where = list(paths)
        if _wrapped(printed, body, raw_region, a0, b0):
            shown = printed.replace("\n", "⏎")
            yield Finding(
                f"提取说明：{TABLE_NAMES[t]}的标签「{label}」在原文中被换行断开（提取为「{shown}」），"
                "疑为排版或提取造成，不是标签印错；无需更正。",
                where=where,
                evidence={"printed": printed, "official": label, "similarity": round(ratio, 2)},
                severity=INFO,
            )
            continue
        yield Finding(
            f"{TABLE_NAMES[t]}的标签印为「{printed}」，国家格式为「{label}」；请更正。",
            where=where,
            evidence={"printed": printed, "official": label, "similarity": round(ratio, 2)},
        )


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _wrapped(printed: str, label: str, raw: str, a: int, b: int) -> bool:
    """The near-miss is a label broken by a line wrap: it spans a line break, or it only lacks characters
    (「结维持」 for 结果维持, 「社会公益」 for 社会公益组织) and starts or ends a line."""
    if "\n" in printed:
        return True
    if not _subsequence(_norm_label(printed), label):
        return False
    before = raw[:a].rstrip(" \u3000")
    after = raw[b:].lstrip(" \u3000")
    return not before or before.endswith("\n") or not after or after.startswith("\n")
