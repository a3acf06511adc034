"""Rules across reports: the same agency's consecutive years must agree, and text should not be recycled."""

from __future__ import annotations

import re

from gongkai import template
from gongkai.audit.finding import Finding
from gongkai.audit.labels import cell_label, section_heading
from gongkai.audit.registry import PAIR, rule
from gongkai.audit.textutil import Compact
from gongkai.audit.values import num_text, val
from gongkai.model import Report


@rule("C101", "carried-over-matches-last-year", "error", scope=PAIR)
def carried_over(report: Report, previous: Report):
    """二、上年结转 of year y equals 四、结转下年度继续办理 of year y−1, column by column.

    Anti-pattern:
        2022 年度报告「二、上年结转」总计 3；2021 年度报告「四、结转下年度继续办理」总计 1。
    Best practice:
        2022 年度报告「二、上年结转」总计 1；2021 年度报告「四、结转下年度继续办理」总计 1。
    """
    from gongkai import template

    for col in template.APPLICANT_COLUMNS:
        cur = val(report, f"table3.carried_over.{col.key}")
        prev = val(previous, f"table3.carried_forward.{col.key}")
        if not (cur.known and prev.known) or cur.value == prev.value:
            continue
        path = f"table3.carried_over.{col.key}"
        yield Finding(
            f"{cell_label(path, report.layout)}为 {num_text(cur.value)}，但 {previous.year} 年度报告"
            f"{cell_label(f'table3.carried_forward.{col.key}', previous.layout)}为 {num_text(prev.value)}；"
            f"本年的上年结转应等于上年的结转下年度继续办理，请核对。",
            where=[path],
            evidence={
                "this_year": cur.value,
                "previous_year": prev.value,
                "previous_source": previous.meta.get("source"),
            },
            severity="warning" if cur.inferred or prev.inferred else "",
        )


@rule("C102", "document-stock", "warning", scope=PAIR)
def stock(report: Report, previous: Report):
    """Document stock carries over: 现行有效件数(y) = 现行有效件数(y−1) + 本年制发件数(y) − 本年废止件数(y).

    In the 2019 trial layout: 对外公开总数量(y) = 对外公开总数量(y−1) + 本年新公开数量(y). A warning,
    because documents also expire or are re-counted.

    Anti-pattern:
        2023 年 现行有效 698，2024 年 制发 77、废止 132、现行有效 470（698 + 77 − 132 = 643）。
    Best practice:
        2023 年 现行有效 698，2024 年 制发 77、废止 132、现行有效 643。
    """
    stock_rule = template.layout(report.layout).stock
    if report.layout != previous.layout or stock_rule is None:
        return
    stock_col, plus, minus = stock_rule.stock, stock_rule.added, stock_rule.removed
    for row in stock_rule.rows:
        cur = val(report, f"table2.{row}.{stock_col}")
        prev = val(previous, f"table2.{row}.{stock_col}")
        add = val(report, f"table2.{row}.{plus}")
        sub = val(report, f"table2.{row}.{minus}") if minus else None
        vals = [cur, prev, add] + ([sub] if sub else [])
        if not all(v.known for v in vals):
            yield from _stock_of_open_readings(report, previous, row, stock_col, plus, minus)
            continue
        expected = (prev.value or 0) + (add.value or 0) - ((sub.value or 0) if sub else 0)
        if abs(expected - (cur.value or 0)) < 1e-9:
            continue
        path = f"table2.{row}.{stock_col}"
        formula = (
            f"{num_text(prev.value)} + {num_text(add.value)}"
            + (f" − {num_text(sub.value)}" if sub else "")
            + f" = {num_text(expected)}"
        )
        yield Finding(
            f"{cell_label(path, report.layout)}为 {num_text(cur.value)}，但按 {previous.year} 年度的 "
            f"{num_text(prev.value)} 推算：{formula}；相差 {num_text((cur.value or 0) - expected)}，"
            f"请核对或说明（文件失效、清理等）。",
            where=[path, f"table2.{row}.{plus}"] + ([f"table2.{row}.{minus}"] if minus else []),
            evidence={
                "this_year": cur.value,
                "previous_year": prev.value,
                "added": add.value,
                "removed": sub.value if sub else None,
                "expected": expected,
            },
        )


def _stock_of_open_readings(report: Report, previous: Report, row: str, stock_col: str, plus: str, minus):
    """Where glued digits leave table 二 open, the stock rule still speaks if no reading satisfies it."""
    from gongkai.extract.tables import row_readings

    table = {t.key: t for t in template.layout(report.layout).tables}["table2"]
    keys = [c.key for c in table.row(row).columns]
    now, before = row_readings(report, "table2", row), row_readings(previous, "table2", row)
    if not now or not before:
        return
    at = {k: i for i, k in enumerate(keys)}
    needed = [at[k] for k in (stock_col, plus, minus) if k]
    now = [r for r in now if all(r[i] is not None for i in needed)]
    stocks = {r[at[stock_col]] for r in before if r[at[stock_col]] is not None}
    if not now or not stocks:
        return
    for r in now:
        removed = r[at[minus]] if minus else 0
        if None in (r[at[stock_col]], r[at[plus]], removed) or None in stocks:
            return  # a blank cell (a draft being filled in): nothing can be said
        if any(r[at[stock_col]] == s + r[at[plus]] - removed for s in stocks):  # type: ignore[operator]
            return  # some reading satisfies the rule: nothing can be said
    path = f"table2.{row}.{stock_col}"
    raw = next((c.raw for k in keys if (c := report.cells.get(f"table2.{row}.{k}")) and c.raw), "")
    label = {c.key: c.label for c in table.row(row).columns}
    rule_text = f"本年{label[stock_col]} = 上年{label[stock_col]} + {label[plus]}" + (
        f" − {label[minus]}" if minus else ""
    )
    yield Finding(
        f"{cell_label(path, report.layout)}所在行的数字在原文中粘连（「{raw}」），无法确定各格；"
        f"但其任何一种读法都不满足「{rule_text}」（上年 {previous.year} 年度可能为 "
        f"{'、'.join(num_text(s) for s in sorted(stocks))}）；请核对或说明（文件失效、清理等）。",  # type: ignore[type-var]
        where=[path, f"table2.{row}.{plus}"] + ([f"table2.{row}.{minus}"] if minus else []),
        evidence={"raw": raw, "readings": [list(r) for r in now], "previous_stock": sorted(stocks)},
    )


_SPLIT = re.compile(r"[。！？!?；;]")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


def _sentence_set(report: Report, key: str) -> list[str]:
    s = report.sections.get(key)
    if s is None:
        return []
    text = Compact.of(s.text).text
    out = []
    for piece in _SPLIT.split(text):
        if len(piece) >= 15 and not re.fullmatch(r"[\d.%\-|]+", piece):
            out.append(_DIGITS.sub("#", piece))
    return out


COPY_THRESHOLD = 0.5


@rule("C103", "text-copied-from-last-year", "warning", scope=PAIR)
def copied(report: Report, previous: Report):
    """The narrative is written for the year: over half of a section's sentences reused from last year warns.

    Sentences are compared with their numbers masked, so a copied sentence with new figures still counts.

    Anti-pattern:
        2024 年度报告第五部分的存在问题与改进措施与 2023 年度报告逐句相同。
    Best practice:
        第五部分写明本年度发现的问题和针对性的改进措施。
    """
    total_cur = total_same = 0
    worst = []
    for key in ("s1", "s5"):
        cur = _sentence_set(report, key)
        prev = set(_sentence_set(previous, key))
        if len(cur) < 3 or not prev:
            continue
        same = sum(1 for s in cur if s in prev)
        total_cur += len(cur)
        total_same += same
        if same / len(cur) > COPY_THRESHOLD:
            worst.append((key, same, len(cur)))
    for key, same, n in worst:
        yield Finding(
            f"{section_heading(key)}的 {n} 句中有 {same} 句（{same / n:.0%}）与 {previous.year} 年度报告相同"
            f"（不计数字）；年度报告应反映本年度情况，请更新内容。",
            where=[key],
            evidence={
                "reused": same,
                "sentences": n,
                "share": round(same / n, 3),
                "previous_source": previous.meta.get("source"),
            },
        )
