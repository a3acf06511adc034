"""Proofreading rules that need no language model: totals in the text, doubled words, broken enumerations."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from gongkai.audit.finding import Finding
from gongkai.audit.labels import section_heading
from gongkai.audit.registry import rule
from gongkai.audit.textutil import CJK_NUM, cjk_int, is_table_text, section_compact, sentences
from gongkai.model import Report

_SECTIONS = ("s1", "s2", "s3", "s4", "s5", "s6")
_UNITS = "条|件|个|篇|项|次|份|宗|起|家"
_NUM = re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?)(余|多)?({_UNITS})(?!数)")
_QIZHONG = re.compile(r"其中[:：]?")
_BRACKETED = re.compile(r"[（(][^（()）]*[）)]")
_DIGIT = re.compile(r"\d")
_TOTAL_WORD = re.compile(r"共|总|合计|累计|全年|全区|全县|全市")
_CATCH_ALL = re.compile(r"其他[^，,、；;]{0,14}\d")


def _narrative(report: Report):
    """(section key, compact text) for every section."""
    for k in _SECTIONS:
        c = section_compact(report, k)
        if c is not None and c.text:
            yield k, c


def _parts(text: str, start: int, end: int) -> list[tuple[int, str, int, int]]:
    """Numbers with units at parenthesis depth 0 in ``text[start:end]``: (value, unit, pos, end)."""
    out, depth, i = [], 0, start
    while i < end:
        ch = text[i]
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
        elif depth == 0 and ch.isdigit():
            m = _NUM.match(text, i)
            if m and m.end() <= end and (i == 0 or not text[i - 1].isdigit()):
                if not m.group(2):
                    out.append((float(m.group(1)), m.group(3), m.start(), m.end()))
                i = m.end()
                continue
            while i < end and (text[i].isdigit() or text[i] == "."):
                i += 1
            continue
        i += 1
    return out  # type: ignore[return-value]


def _clause_start(text: str, at: int, width: int = 24) -> int:
    """Where the total before 其中 at ``at`` may start: at most ``width`` characters back, never before the
    end of the previous sentence (a total is taken from its own sentence only)."""
    start = max(0, at - width)
    while start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
        start -= 1
    ends = [text.rfind(ch, start, at) for ch in "。；;！？!?"]
    return max([start, *(e + 1 for e in ends if e >= 0)])


def _inside_closed_bracket(head: str, at: int) -> bool:
    """The number ending at ``at`` sits in a parenthetical that closes before 其中
    (「1191件（含上年结转189件），其中」)."""
    depth = 0
    for ch in head[at:]:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
            if depth < 0:
                return True
    return False


def _outside_brackets(s: str) -> str:
    return _BRACKETED.sub("", s)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


@rule("P101", "text-total-vs-parts", "error")
def total_vs_parts(report: Report):
    """A total in the text equals the parts listed beside it (「共…N条，其中…」).

    The list must be complete to be checked: it ends with a catch-all 其他 item, or its parts already
    exceed the total. A list whose running sum reaches the total is fine. The total is the last number of
    the 其中's own sentence outside brackets: in 「办结1191件（含上年结转189件），其中…」 it is 1191.

    Anti-pattern:
        共公布政府信息2599条（其中机构职能类信息25条，……，其他应主动公开政府信息856条），各项之和为 2533。
    Best practice:
        共公布政府信息2533条（其中机构职能类信息25条，……，其他应主动公开政府信息856条）。
    """
    for key, c in _narrative(report):
        text = c.text
        for m in _QIZHONG.finditer(text):
            h0 = _clause_start(text, m.start())
            head = text[h0 : m.start()]
            totals = [t for t in _NUM.finditer(head) if not _inside_closed_bracket(head, t.end())]
            if not totals:
                continue
            t = totals[-1]
            if t.group(2) or _DIGIT.search(_outside_brackets(head[t.end() :])):
                continue
            total, unit = float(t.group(1)), t.group(3)
            t_start = h0 + t.start()
            if not _TOTAL_WORD.search(text[max(0, t_start - 30) : t_start]):
                continue
            in_paren = head[t.end() :].rstrip("，,：:").endswith(("(", "（"))
            if in_paren:
                depth, j = 1, m.end()
                while j < len(text) and depth:
                    depth += {"(": 1, "（": 1, ")": -1, "）": -1}.get(text[j], 0)
                    j += 1
                stop = j - 1
            else:
                e = text.find("。", m.end())
                stop = e if e >= 0 else len(text)
            parts = _parts(text, m.end(), stop)
            if len(parts) < 2 or any(p[1] != unit for p in parts[:2]):
                continue
            parts = [p for p in parts if p[1] == unit]
            running, reached = 0.0, False
            for p in parts:
                running += p[0]
                if abs(running - total) < 1e-6:
                    reached = True
                    break
            if reached:
                continue
            region = text[m.end() : stop]
            catch_all = bool(_CATCH_ALL.search(region))
            if not (catch_all or running > total):
                continue
            span = c.span(t_start, stop + (1 if in_paren else 0))
            quote = report.text[slice(*span)] if report.text else text[t_start:stop]
            listed = "+".join(_fmt(p[0]) for p in parts)
            yield Finding(
                f"{section_heading(key)}：文中称共{_fmt(total)}{unit}，但其后列出的各项之和为 "
                f"{_fmt(running)}{unit}（{listed} = {_fmt(running)}）；请核对总数或各项数字。",
                where=[key],
                span=span,
                evidence={"quote": quote, "total": total, "parts": [p[0] for p in parts], "sum": running},
            )


_DOUBLE = re.compile(r"([^\W\d_][\w]{1,39}?)\1")


def _cjk_count(s: str) -> int:
    return sum("\u4e00" <= ch <= "\u9fff" for ch in s)


@rule("P102", "doubled-words", "warning")
def doubled(report: Report):
    """A word or phrase printed twice in a row (审核审核) is a copy-editing slip.

    Only repeats of two or more Chinese characters are reported (AA reduplication such as 常常 is normal);
    sections 二–四 are skipped because their table headers repeat by design, and so is table header text
    that ended up in another section (「结果维持 结果纠正 … 结果维持 结果纠正 …」).

    Anti-pattern:
        二是规范审核审核发布机制。
    Best practice:
        二是规范审核发布机制。
    """
    for key, c in _narrative(report):
        if key in ("s2", "s3", "s4"):
            continue  # these sections hold the tables, whose headers repeat by design
        # A repeat is word characters only, so it never spans a sentence end: the section is scanned
        # once, and only the sentences a repeat falls in are looked at.
        found = list(_DOUBLE.finditer(c.text))
        bounds = sentences(c) if found else []
        starts = [a for a, _b in bounds]
        for m in found:
            unit = m.group(1)
            if _cjk_count(unit) < 2 or len(set(unit)) == 1:
                continue
            a, b = bounds[bisect.bisect_right(starts, m.start()) - 1]
            if is_table_text(c.text[a:b]):
                continue  # table header text that ended up in the section repeats by design
            span = c.span(m.start(), m.end())
            quote = report.text[slice(*span)] if report.text else m.group(0)
            yield Finding(
                f"{section_heading(key)}：「{unit}」连续重复出现（「{quote}」），疑为多余；请删去重复部分。",
                where=[key],
                span=span,
                evidence={"quote": quote, "repeated": unit},
            )


_ENUM = re.compile(rf"(?<![统唯第万单同之划专])([{CJK_NUM}]{{1,3}})是(?![否非])")


def _numeral_shi(text: str, pos: int) -> int:
    """Where the first 是 that follows a numeral (the 是 of 一是) is from ``pos`` on (-1: none), found
    by ``str.find`` (a pattern opening with a look-behind is tried at every position instead)."""
    i = text.find("是", pos)
    while i >= 0 and (i == 0 or text[i - 1] not in CJK_NUM):
        i = text.find("是", i + 1)
    return i


def _enumerators(text: str) -> Iterator[re.Match[str]]:
    """``_ENUM.finditer(text)``, each search started just before the next 是 that follows a numeral (a
    match ends with one, at most three numerals after its start), so the text between is not scanned."""
    pos = 0
    while (shi := _numeral_shi(text, pos)) >= 0:
        m = _ENUM.search(text, max(pos, shi - 3))
        if m is None:
            return
        yield m
        pos = m.end()


@rule("P103", "broken-enumeration", "warning")
def enumeration(report: Report):
    """Enumerations 一是…二是…三是… run in order, without gaps or repeats.

    Anti-pattern:
        一是部分单位信息发布属性界定还不够精确；三是开拓创新不够有力；三是政策解读的质量有待提高。
    Best practice:
        一是部分单位信息发布属性界定还不够精确；二是开拓创新不够有力；三是政策解读的质量有待提高。
    """
    for key, c in _narrative(report):
        seq: list[tuple[int, re.Match]] = []

        def flush(seq=seq, key=key, c=c):
            nums = [n for n, _ in seq]
            bad = [i for i in range(1, len(nums)) if nums[i] != nums[i - 1] + 1]
            if not bad:
                return None
            first, last = seq[0][1], seq[-1][1]
            span = c.span(first.start(), last.end())
            problems = []
            for i in bad:
                cur, prev = nums[i], nums[i - 1]
                label = f"{seq[i][1].group(1)}是"
                if cur == prev:
                    problems.append(f"「{label}」重复")
                elif cur > prev + 1:
                    missing = "、".join(f"{CJK_NUM[k]}是" for k in range(prev + 1, min(cur, 10)))
                    problems.append(f"「{label}」之前缺少「{missing}」")
                else:
                    problems.append(f"「{label}」出现在「{seq[i - 1][1].group(1)}是」之后")
            order = "、".join(f"{m.group(1)}是" for _, m in seq)
            return Finding(
                f"{section_heading(key)}：列举顺序有误（{order}）：{'；'.join(problems)}；请更正序号。",
                where=[key],
                span=span,
                evidence={
                    "sequence": [f"{m.group(1)}是" for _, m in seq],
                    "quote": report.text[slice(*span)][:300] if report.text else order,
                },
            )

        for m in _enumerators(c.text):
            n = cjk_int(m.group(1))
            if n is None or n == 0:
                continue
            if n == 1 and seq:
                f = flush()
                if f:
                    yield f
                seq.clear()
            if not seq and n != 1:
                continue  # a list whose 一是 is missing altogether is not judged
            seq.append((n, m))
        f = flush()
        if f:
            yield f
