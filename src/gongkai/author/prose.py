"""Section text as paragraphs: undo the hard line breaks of a PDF copy-paste, keep real paragraph ends.

A report read from text copied out of a PDF has one line per printed line. A line is joined to the next
when it runs to the full printed width (within a few characters of the widest line) and does not end a
sentence; a line ends its paragraph when it is shorter than that, ends a sentence, or the next line starts
a numbered item (（一） 一、 1. 第一 …). Text whose lines are already paragraphs (DOCX, HTML) comes out
unchanged, since its lines do not share one printed width.

>>> paragraphs("全面提升政务公开质量和水平，以公开促\\n落实、促规范。\\n（一）主动公开：…")
['全面提升政务公开质量和水平，以公开促落实、促规范。', '（一）主动公开：…']
"""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise

from gongkai import template

__all__ = ["item_heading", "narrative", "override_note", "paragraphs", "report_title", "tidy_spaces", "width"]

_SENTENCE_END = tuple("。！？；：…”’）)」』")
_ITEM_START = re.compile(
    r"^\s*(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[、.．](?!\d)|第[一二三四五六七八九十]{1,3}[，,、])"
)
_MARKUP = re.compile(r"^(?:#{1,6}\s*|[*>]+\s+)")  # Markdown heading and quote marks at a line start
_FULL = 0.88  # a line at least this share of the widest line's width runs to the printed margin
_CJK = r"\u3000-\u303f\u3400-\u9fff\uf900-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0\u3000]+(?=[{_CJK}])")


def width(line: str) -> int:
    """Printed width in half-width units (a CJK character counts two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def tidy_spaces(text: str) -> str:
    """Drop the spaces a PDF's text layer leaves between two CJK characters: 「新政办、 新政办文」 →
    「新政办、新政办文」. Spaces next to digits or Latin letters (「2024 年」) are the author's and stay."""
    return _SPACE_NEAR_CJK.sub("", text.strip())


def _printed_width(lines: list[str]) -> int:
    """The width most lines run to: the 80th percentile, so one overlong line does not set it."""
    widths = sorted(width(ln) for ln in lines)
    return widths[min(len(widths) - 1, int(len(widths) * 0.8))]


def _joins(line: str, nxt: str, full: float, wrapped: bool) -> bool:
    if not wrapped or _ITEM_START.match(nxt):
        return False
    return width(line) >= full and not line.rstrip().endswith(_SENTENCE_END)


def _glue(a: str, b: str) -> str:
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return f"{a} {b}"
    return a + b


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a section body (blank lines always end a paragraph), spaces tidied."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text or ""):
        lines = [tidy_spaces(_MARKUP.sub("", ln.strip())) for ln in block.splitlines()]
        lines = [ln for ln in lines if ln]
        if not lines:
            continue
        full = _printed_width(lines) * _FULL
        wrapped = sum(1 for ln in lines[:-1] if width(ln) >= full and not ln.endswith(_SENTENCE_END)) >= 1
        current = lines[0]
        for prev, line in pairwise(lines):
            if _joins(prev, line, full, wrapped):
                current = _glue(current, line)
            else:
                out.append(current)
                current = line
        out.append(current)
    return [p for p in out if p]


# Table-only labels: where a section's narrative ends and the table as read begins (see `narrative`).
_TABLE_MARKERS = {  # header runs only a printed table has (prose may say 结果维持, never 结果维持 结果纠正)
    "s2": ("信息内容", "本年制发件数", "本年新制作数量"),
    "s3": (template.TABLE3_NOTE[:6], "申请人情况"),
    "s4": ("结果维持结果纠正",),
}


_ITEM_HEAD = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[)）][^。：:；;，,]{1,24}?(?:[：:。]|$)")


def item_heading(para: str) -> tuple[str, str]:
    """An item heading （一）主动公开： at the start of a paragraph, and the rest (``("", para)`` if none)."""
    m = _ITEM_HEAD.match(para)
    return (m.group(0), para[m.end() :]) if m else ("", para)


def report_title(agency: str | None, year: int | None) -> str:
    """「<agency><year>年政府信息公开工作年度报告」, leaving out what is not known."""
    return f"{agency or ''}{f'{year}年' if year else ''}政府信息公开工作年度报告"


def narrative(key: str, text: str) -> str:
    """A section's prose: for 二、三、四 the text before its table (a report read from a document has the
    table as read in the section's text; the document prints the table itself). The table starts at the
    line of its first table-only label, or earlier where the lines before hold nothing but header labels."""
    markers = _TABLE_MARKERS.get(key)
    if not markers or not text:
        return text or ""
    found = [m.start() for m in (re.search(r"\s*".join(map(re.escape, k)), text) for k in markers) if m]
    if not found:
        return text.strip()
    at = min(found)
    lines = text[:at].split("\n")
    lines[-1] = ""  # the marker's own line belongs to the table
    table = template.layout(template.default_layout()).tables[int(key[1]) - 2]
    labels = sorted(
        {*table.header_labels, *(r.section for r in table.rows if r.section)}, key=len, reverse=True
    )
    while lines and not _without(lines[-1], labels):
        lines.pop()
    return "\n".join(lines).strip()


def _without(line: str, labels: list[str]) -> str:
    for label in labels:
        line = line.replace(label, "")
    return re.sub(r"[\s()（）|｜:：,，、\-]+", "", line)


def override_note(override: dict) -> str:
    """The record a report published despite its errors carries (``meta["publish_override"]``)."""
    codes = "、".join(override.get("errors") or [])
    return f"强制发布：发布时仍有错误 {codes}（{override.get('at', '')}）"
