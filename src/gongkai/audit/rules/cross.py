"""Rules across reports: the same agency's consecutive years must agree, and text should not be recycled
(from last year, or from other agencies' reports of the same year)."""

from __future__ import annotations

import re

from gongkai import template
from gongkai.audit.finding import Finding
from gongkai.audit.labels import cell_label, section_heading
from gongkai.audit.pair_reads import PAIR_SECTIONS
from gongkai.audit.registry import CORPUS, PAIR, rule
from gongkai.audit.textutil import Compact, is_table_text
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
    now = row_readings(report, "table2", row)
    before = row_readings(previous, "table2", row) if now else []
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
_FIGURES_ONLY = re.compile(r"[\d.%\-|]+")
COPY_SECTIONS = PAIR_SECTIONS
COPY_THRESHOLD = 0.5  # share of a section's sentences
NEAR = (
    85  # rapidfuzz ratio (0–100) at or above which two sentences are the same text with a few words changed
)


def _sentence_set(report: Report, key: str) -> list[tuple[str, str]]:
    """(number-masked sentence, sentence as printed) for the section's sentences of 15 characters or more."""
    s = report.sections.get(key)
    if s is None:
        return []
    text = Compact.of(s.text).text
    # masked once: a number never spans a sentence's end, so the pieces of both split alike
    masked = _SPLIT.split(_DIGITS.sub("#", text))
    out = []
    for piece, masked_piece in zip(_SPLIT.split(text), masked, strict=True):
        if len(piece) >= 15 and not _FIGURES_ONLY.fullmatch(piece) and not is_table_text(piece):
            out.append((masked_piece, piece))
    return out


def near_duplicates(cur: list[str], other: list[str], cutoff: int = NEAR) -> list[tuple[int, int, float]]:
    """(i, j, score) for each sentence ``cur[i]`` whose closest sentence in ``other`` scores ≥ cutoff.

    rapidfuzz's normalised Indel similarity on characters; without rapidfuzz only identical sentences count.
    A sentence found as it is in ``other`` scores 100 with its first occurrence (as the first best of the
    scores would), without being scored against the others."""
    if not cur or not other:
        return []
    first: dict[str, int] = {}
    for j, s in enumerate(other):
        first.setdefault(s, j)
    found = {i: (first[s], 100.0) for i, s in enumerate(cur) if s in first}
    rest = [i for i in range(len(cur)) if i not in found]
    try:
        from rapidfuzz import fuzz, process
    except ImportError:  # the audit extra is not installed: identical sentences only
        rest = []
    if rest:
        rows = [cur[i] for i in rest]
        scores = process.cdist(rows, other, scorer=fuzz.ratio, score_cutoff=cutoff, workers=1)
        closest = scores.argmax(axis=1).tolist()  # the first best of each row, for all rows at once
        best = scores.max(axis=1).tolist()
        found.update((i, (j, float(s))) for i, j, s in zip(rest, closest, best, strict=True) if s >= cutoff)
    return [(i, *found[i]) for i in sorted(found)]


def _copied_sections(report: Report, others: list[Report]) -> list[dict]:
    out = []
    for key in COPY_SECTIONS:
        cur = _sentence_set(report, key)
        if len(cur) < 3:
            continue
        pool: list[tuple[str, str, Report]] = []
        for o in others:
            pool += [(m, p, o) for m, p in _sentence_set(o, key)]
        hits = near_duplicates([m for m, _p in cur], [m for m, _p, _o in pool])
        if len(hits) / len(cur) <= COPY_THRESHOLD:
            continue
        out.append(
            {
                "key": key,
                "sentences": len(cur),
                "copied": len(hits),
                "passages": [
                    {
                        "sentence": cur[i][1],
                        "like": pool[j][1],
                        "source": pool[j][2].meta.get("agency") or pool[j][2].meta.get("source"),
                        "year": pool[j][2].year,
                        "similarity": round(score / 100, 2),
                    }
                    for i, j, score in hits
                ],
            }
        )
    return out


def _copy_message(hit: dict, against: str) -> str:
    n, same = hit["sentences"], hit["copied"]
    first = hit["passages"][0]
    return (
        f"{section_heading(hit['key'])}的 {n} 句中有 {same} 句（{same / n:.0%}）与{against}相同或近似"
        "（不计数字，"
        f"个别字词不同也算），例如「{first['sentence'][:60]}」与「{first['like'][:60]}」；"
        "年度报告应反映本机关本年度的情况，请据实撰写。"
    )


@rule("C103", "text-copied-from-last-year", "warning", scope=PAIR)
def copied(report: Report, previous: Report):
    """The narrative is written for the year: over half of a section's sentences copied from last year warns.

    Sections 一, 五 and 六 are compared sentence by sentence with numbers masked; near-duplicates count
    (a few words swapped is still a copy; rapidfuzz similarity ≥ 0.85). The finding gives the share and the
    passages.

    Anti-pattern:
        2024 年度报告第五部分的存在问题与改进措施与 2023 年度报告逐句相同，或只改了个别字词。
    Best practice:
        第五部分写明本年度发现的问题和针对性的改进措施。
    """
    for hit in _copied_sections(report, [previous]):
        yield Finding(
            _copy_message(hit, f" {previous.year} 年度报告"),
            where=[hit["key"]],
            evidence={
                "copied": hit["copied"],
                "sentences": hit["sentences"],
                "share": round(hit["copied"] / hit["sentences"], 3),
                "passages": hit["passages"][:10],
                "previous_source": previous.meta.get("source"),
            },
        )


@rule("C104", "text-copied-from-other-agencies", "warning", scope=CORPUS)
def copied_from_others(report: Report, others: list[Report]):
    """Over half of a section's sentences shared with other agencies' reports of the same year warns.

    Over a set of reports checked together (a database): evaluators deduct for 「与其他单位雷同」. Sections
    一, 五 and 六, numbers masked, near-duplicates counted as in C103.

    Anti-pattern:
        甲局与乙局 2024 年度报告的第五部分只有机关名称不同。
    Best practice:
        各机关写明本机关本年度的问题与改进措施。
    """
    for hit in _copied_sections(report, others):
        names = sorted({str(p["source"]) for p in hit["passages"] if p["source"]})
        yield Finding(
            _copy_message(
                hit, f"其他机关同年度的报告（{'、'.join(names[:3])}{'等' if len(names) > 3 else ''}）"
            ),
            where=[hit["key"]],
            evidence={
                "copied": hit["copied"],
                "sentences": hit["sentences"],
                "share": round(hit["copied"] / hit["sentences"], 3),
                "passages": hit["passages"][:10],
            },
        )
