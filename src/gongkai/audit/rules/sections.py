"""Section rules: the six official sections, in order, with official headings and the required content."""

from __future__ import annotations

import re

from gongkai import template
from gongkai.audit.finding import ERROR, INFO, WARNING, Finding
from gongkai.audit.labels import TABLE_NAMES, section_heading
from gongkai.audit.registry import rule
from gongkai.audit.textutil import cjk_int, levenshtein
from gongkai.model import MISSING, Report
from gongkai.punct import punct_free, strip_punct

_LEAD = re.compile(r"^[#*>\s]*(?:第?([一二三四五六七八九十]+)\s*(?:部分)?\s*[、.．,，:：\s]\s*)?")


@rule("S101", "sections-complete", "error")
def complete(report: Report):
    """All six sections of the national format are present, in order 一 to 六.

    A heading that is not found while its content is there (table 三's numbers, the problems and
    measures, the 信息处理费 statement) is an extraction note (info): the heading was lost, not the section.
    A document that starts or ends midway (no title; text that stops inside a table or a sentence: a page
    excerpt) gets one warning for the sections it cannot show, not an error per section.

    Anti-pattern:
        一、总体情况 … 二、主动公开政府信息情况 … 三、收到和处理政府信息公开申请情况 …
        六、其他需要报告的事项（缺四、五）。
    Best practice:
        一、总体情况 二、主动公开政府信息情况 三、收到和处理政府信息公开申请情况
        四、政府信息公开行政复议、行政诉讼情况 五、存在的主要问题及改进情况 六、其他需要报告的事项
    """
    present = [s for s in template.SECTIONS if s.key in report.sections]
    if not present:
        yield Finding(
            "未找到任何一级标题（一至六部分），无法核对报告结构；请按国家格式设置六个部分。",
            where=["meta"],
            evidence={"found": []},
        )
        return
    cut = _cut_off(report, present)
    for keys, where_ in cut:
        names = "、".join(section_heading(k) for k in keys)
        yield Finding(
            f"文档似乎不完整（{where_}），未见{names}；无法核对这些部分。请提供完整的报告原文。",
            where=list(keys),
            evidence={"missing": list(keys), "incomplete": where_},
            severity=WARNING,
        )
    skipped = {k for keys, _w in cut for k in keys}
    for s in template.SECTIONS:
        if s.key not in report.sections and s.key not in skipped:
            content = _content_present(report, s.key)
            if content:
                yield Finding(
                    f"提取说明：未找到第{s.number}部分的标题「{section_heading(s.key)}」，但其内容（{content}）"
                    "在文中出现，疑为标题缺失或提取时丢失；请核对原文的标题。",
                    where=[s.key],
                    evidence={"missing_heading": s.key, "content": content},
                    severity=INFO,
                )
                continue
            yield Finding(
                f"缺少第{s.number}部分「{section_heading(s.key)}」；年度报告应包含全部六个部分。",
                where=[s.key],
                evidence={"missing": s.key},
            )
    starts = [(report.sections[s.key].start or 0, s) for s in present]
    order = [s.key for _, s in sorted(starts, key=lambda x: x[0])]
    expected = [s.key for s in present]
    if order != expected:
        yield Finding(
            "各部分顺序与国家格式不一致：原文顺序为 "
            + "、".join(section_heading(k) for k in order)
            + "；应按一至六排列。",
            where=[k for k, e in zip(order, expected, strict=True) if k != e],
            evidence={"order": order},
            severity=WARNING,
        )


_TABLE_OF = {"s2": "table2", "s3": "table3", "s4": "table4"}
_ENDS_SENTENCE = re.compile(
    r"(?:[。！？!?.）)」”]|\d{4}年\d{1,2}月\d{1,2}日|[一二〇○零]{4}年[^\n]{1,6}日)\s*$"
)
_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]")
_SPACES = re.compile(r"\s+")


def _narrative_before(report: Report, key: str) -> bool:
    """Whether the text before section ``key`` (after the first line) holds a paragraph of prose."""
    start = report.sections[key].start
    lead = report.text[:start] if start is not None else ""
    body = lead.split("\n", 1)[1] if "\n" in lead else ""
    return len(_NOT_CJK.sub("", body)) >= 60


def _cut_off(report: Report, present: list) -> list[tuple[tuple[str, ...], str]]:
    """Runs of missing sections explained by a document that starts or ends midway (a page excerpt, one
    page of a flipbook): the leading run when there is no title, the trailing run when the text stops
    inside a table or a sentence. [(section keys, where the document is cut)]"""
    keys = [s.key for s in template.SECTIONS]
    have = [s.key for s in present]
    out = []
    first, last = keys.index(have[0]), keys.index(have[-1])
    if first > 0 and (
        not report.meta.get("title") or (first >= 2 and not _narrative_before(report, have[0]))
    ):
        out.append((tuple(keys[:first]), "从中间开始"))
    if last < len(keys) - 1:
        table = _TABLE_OF.get(have[-1])
        cut_table = table is not None and any(
            c.status == MISSING for p, c in report.cells.items() if p.startswith(table + ".")
        )
        tail = report.text.rstrip()
        if out or cut_table or (tail and not _ENDS_SENTENCE.search(tail[-30:])):  # an excerpt: both ends
            out.append((tuple(keys[last + 1 :]), f"在{section_heading(have[-1])}中途结束"))
    return out


_PROBLEMS_AND_MEASURES = re.compile(
    r"(?:存在|主要)[^。]{0,10}(?:问题|不足)[\s\S]{0,600}?(?:改进|措施|下一步)"
)
_OTHER_MATTERS = re.compile(r"信息处理费|其他需要报告|人大代表建议|政协提案|政务公开工作要点")


def _content_present(report: Report, key: str) -> str:
    """What of a section whose heading was not found is present all the same ("" if nothing)."""
    table = _TABLE_OF.get(key)
    if table:
        read = [p for p, c in report.cells.items() if p.startswith(table + ".") and c.status != MISSING]
        return f"{TABLE_NAMES[table]}的 {len(read)} 个数字" if read else ""
    others = "\n".join(sec.text for sec in report.sections.values())
    if key == "s1":
        first = min((sec.start for sec in report.sections.values() if sec.start is not None), default=None)
        lead = report.text[:first] if first is not None else ""
        body = _NOT_CJK.sub("", lead.split("\n", 1)[1] if "\n" in lead else "")
        return "总体情况的叙述" if len(body) >= 60 else ""
    if key == "s5":
        m = _PROBLEMS_AND_MEASURES.search(others)
        return f"「{m.group(0)[:20]}…」" if m else ""
    if key == "s6":
        m = _OTHER_MATTERS.search(others)
        return f"「{m.group(0)}」" if m else ""
    return ""


def _norm(s: str) -> str:
    return strip_punct(s).replace("的", "")


@rule("S102", "section-heading", "warning")
def headings(report: Report):
    """Section headings use the official wording and numbering; a near-miss is a misprint.

    A heading one or two characters away from the official one is a warning (a typo such as 行政法复议);
    a documented variant wording is accepted; any other wording is noted (info).

    Anti-pattern:
        四、政府信息公开行政法复议、行政诉讼情况
    Best practice:
        四、政府信息公开行政复议、行政诉讼情况
    """
    for s in template.SECTIONS:
        sec = report.sections.get(s.key)
        if sec is None or not sec.heading:
            continue
        printed = sec.heading.strip()
        m = _LEAD.match(printed)
        number = m.group(1) if m else None
        body = printed[m.end() :] if m else printed
        body = body.strip().strip("#*").strip()
        if number is not None and cjk_int(number) != cjk_int(s.number):
            yield Finding(
                f"标题「{printed}」的序号应为「{s.number}」（{section_heading(s.key)}）；请更正。",
                where=[s.key],
                evidence={"heading": printed},
                span=_span(sec),
            )
        got, want = _norm(body), _norm(s.title)
        if got == want or (want in got and any(re.fullmatch(a, body) for a in s.anchors)):
            continue
        dist = levenshtein(got, want)
        if dist <= 2:
            yield Finding(
                f"标题「{printed}」与国家格式「{section_heading(s.key)}」不一致，疑为错字；请更正。",
                where=[s.key],
                evidence={"heading": printed, "official": section_heading(s.key)},
                span=_span(sec),
            )
        elif not any(re.fullmatch(a, body) for a in s.anchors):
            yield Finding(
                f"标题「{printed}」不是国家格式的标题「{section_heading(s.key)}」；建议使用统一标题。",
                where=[s.key],
                evidence={"heading": printed, "official": section_heading(s.key)},
                span=_span(sec),
                severity=INFO,
            )


def _span(sec) -> tuple[int, int] | None:
    if sec.start is None:
        return None
    return (max(0, sec.start - len(sec.heading) - 1), sec.start)


_PROBLEM = re.compile(
    r"问题|不足|短板|差距|薄弱|有待|不够|不到位|不及时|不高|不强|欠缺|滞后|不规范|不完善|不充分"
)
_MEASURE = re.compile(
    r"改进|措施|下一步|下步|今后|将(?:进一步|继续|持续|加强|着力|不断|切实|按照|认真|以)|"
    r"加强|提升|推进|完善|强化|加大|优化|健全"
)


@rule("S103", "problems-and-measures", "warning")
def problems_measures(report: Report):
    """Section 五 is not empty and names both the problems and the measures taken or planned.

    Anti-pattern:
        五、存在的主要问题及改进情况
        无。
    Best practice:
        五、存在的主要问题及改进情况
        存在问题：一是信息更新不够及时。改进措施：一是建立更新台账，加强督促检查。
    """
    sec = report.sections.get("s5")
    if sec is None:
        return
    body = punct_free(sec.text)
    if len(body) < 10:
        yield Finding(
            f"第五部分「{section_heading('s5')}」内容为空或过短（「{sec.text.strip()[:20]}」）；"
            "应写明存在的主要问题及改进情况。",
            where=["s5"],
            evidence={"text": sec.text.strip()},
            severity=ERROR,
        )
        return
    if not _PROBLEM.search(sec.text):
        yield Finding(
            "第五部分没有写明存在的问题；应如实列出工作中存在的主要问题。",
            where=["s5"],
            evidence={"text": sec.text.strip()[:200]},
        )
    if not _MEASURE.search(sec.text):
        yield Finding(
            "第五部分没有写明改进情况或措施；应说明针对问题采取或拟采取的改进措施。",
            where=["s5"],
            evidence={"text": sec.text.strip()[:200]},
        )


# 国办函〔2020〕109号 (2020-11-17) applies from 2021: 2019–2020 reports need not state the fee.
_FEE_RULE_FIRST_YEAR = 2021
_FEE_STATED = re.compile(
    r"信息处理费|信息公开处理费|处理费|未收取任何费用|(?:未|没有|不)(?:收取|产生|发生)(?:任何)?(?:相关)?费用"
    r"|(?:信息公开|依申请公开|公开申请)[^。；]{0,12}(?:收费|费用)|(?<!事业性)收费情况"
)


@rule("S104", "information-fee", "warning")
def information_fee(report: Report):
    """Section 六 states the 信息处理费 collected under 国办函〔2020〕109号 (even if none).

    The 行政事业性收费 of table 二 is a different thing and does not answer this item. Plain statements
    such as 「本年度未收取任何费用」 or 「未发生政府信息公开收费情况」 answer it. The requirement dates from
    2020-11-17 and is not applied to 2019–2020 reports.

    Anti-pattern:
        六、其他需要报告的事项
        无。
    Best practice:
        六、其他需要报告的事项
        本年度未收取政府信息公开信息处理费。
        本年度未发生政府信息公开收费情况。
    """
    if report.year is not None and report.year < _FEE_RULE_FIRST_YEAR:
        return
    sec = report.sections.get("s6")
    if sec is None:
        return
    text = sec.text
    if _FEE_STATED.search(_SPACES.sub("", text)):
        return
    fees = template.layout(report.layout).table2.row("fees").label
    if fees in text:
        yield Finding(
            f"第六部分提到的是{fees}（{template.table_names()['table2']}），没有说明信息处理费的收取情况；"
            "应写明本年度依申请公开信息处理费的收取情况（未收取也应说明）。",
            where=["s6"],
            evidence={"text": text.strip()[:200]},
        )
        return
    yield Finding(
        "第六部分没有说明信息处理费的收取情况；应写明本年度依申请公开信息处理费的收取情况"
        "（未收取也应说明）。",
        where=["s6"],
        evidence={"text": text.strip()[:200]},
    )
