"""Documents of another province cited as the agency's own (a 福建 agency forwarding 《江苏省…规范》)."""

from __future__ import annotations

import re

from gongkai.audit.finding import Finding
from gongkai.audit.labels import section_heading
from gongkai.audit.registry import rule
from gongkai.audit.textutil import section_compact
from gongkai.divisions import divisions
from gongkai.model import Report

_BOOK = re.compile(r"《([^《》]{2,80})》")
# A provincial document is named by its issuer at the start: 《江苏省政府信息公开…规范》.
_NATIONAL_WORDS = re.compile(r"^(?:中华人民共和国|国务院|全国|国家)")


def _province_of_agency(report: Report):
    """The agency's province from its name, else from the places the title names; None if unknown."""
    divs = divisions()
    for text in (report.meta.get("agency") or "", report.meta.get("title") or ""):
        for _a, _b, cands in divs.find(text):
            provinces = {divs.chain(d)[0] for d in cands}
            if len(provinces) == 1:
                return provinces.pop()
    return None


def _province_named(title: str):
    """The province whose full name (or its short form) opens a document title, if exactly one does."""
    divs = divisions()
    hits = divs.find(title[:12])
    if not hits or hits[0][0] != 0:
        return None
    _a, b, cands = hits[0]
    # a province by its short name (江苏), a city or county only by its full name (南京市):
    # never 平安 for 平安区
    cands = [d for d in cands if d.level == "province" or d.name == title[:b]]
    provinces = {divs.chain(d)[0] for d in cands}
    return provinces.pop() if len(provinces) == 1 else None


@rule("P104", "other-province-document", "warning")
def other_province(report: Report):
    """Documents of another province cited as if they were the agency's own: a copy-paste slip.

    The agency's province comes from its name (the bundled division list); a cited 《…》 whose title opens
    with another province's name (「江苏省」「江苏」) is reported with the sentence.

    Anti-pattern:
        福建省某县政务服务中心：转发《江苏省政务公开标准化规范》，组织全体人员学习。
    Best practice:
        福建省某县政务服务中心：转发《福建省政务公开标准化规范》，组织全体人员学习。
    """
    cited = [
        (key, c, m)
        for key in ("s1", "s2", "s5", "s6")
        if (c := section_compact(report, key)) is not None
        for m in _BOOK.finditer(c.text)
        if not _NATIONAL_WORDS.match(m.group(1))
    ]
    home = _province_of_agency(report) if cited else None  # the agency's province only when needed
    if home is None:
        return
    for key, c, m in cited:
        title = m.group(1)
        p = _province_named(title)
        if p is None or p.code == home.code:
            continue
        a = max(c.text.rfind(ch, 0, m.start()) for ch in "。；;！？") + 1
        ends = [j for j in (c.text.find(ch, m.end()) for ch in "。；;！？") if j >= 0]
        b = min(ends) + 1 if ends else len(c.text)
        span = c.span(a, b)
        quote = report.text[slice(*span)] if report.text else c.text[a:b]
        yield Finding(
            f"{section_heading(key)}：文中「{quote.strip()[:120]}」引用了{p.name}的文件《{title}》，"
            f"而报告机关属于{home.name}；疑为照搬其他地方的材料，请核对。",
            where=[key],
            span=span,
            evidence={"quote": quote, "document": title, "province": p.name, "home": home.name},
        )
