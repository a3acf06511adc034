"""Text helpers for rules that read the narrative: compact views with offsets, sentences, edit distance."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from gongkai.audit.memo import per_report
from gongkai.model import Report
from gongkai.punct import strip_punct

# translate() walks Chinese text slowly: only when it changes the text
_FULLWIDTH_CHARS = "０１２３４５６７８９．％"
_FULLWIDTH = str.maketrans(_FULLWIDTH_CHARS, "0123456789.%")
CJK_NUM = "〇一二三四五六七八九十"
_INK = re.compile(r"[^\s\u200b\ufeff]+")  # runs of what Compact keeps (``\s`` is ``str.isspace``)


@dataclass(frozen=True)
class Compact:
    """``text`` without whitespace, full-width digits made ASCII; ``offsets[i]`` is the position of
    ``text[i]`` in the report's text (so findings can give spans in the original). The offsets are worked
    out the first time a span is asked for: most texts are searched and never cited."""

    text: str
    source: str = field(repr=False, compare=False)  # what ``text`` was made from
    start: int  # the position of ``source`` in the report's text
    base_len: int

    @classmethod
    def of(cls, source: str, start: int = 0) -> Compact:
        text = "".join(source.split())  # what _INK keeps, found faster: ``str.split`` drops ``isspace`` too
        if "\u200b" in text or "\ufeff" in text:
            text = text.replace("\u200b", "").replace("\ufeff", "")
        if any(ch in text for ch in _FULLWIDTH_CHARS):
            text = text.translate(_FULLWIDTH)
        return cls(text, source, start, start + len(source))

    @functools.cached_property
    def offsets(self) -> tuple[int, ...]:
        kept: list[int] = []
        start = self.start
        for m in _INK.finditer(self.source):
            kept.extend(range(m.start() + start, m.end() + start))
        return tuple(kept)

    def span(self, a: int, b: int) -> tuple[int, int]:
        """Span in the original text of compact characters ``a:b``."""
        if not self.offsets:
            return (self.base_len, self.base_len)
        a = min(max(a, 0), len(self.offsets) - 1)
        b = min(max(b, 1), len(self.offsets))
        return (self.offsets[a], self.offsets[b - 1] + 1)


@per_report
def section_compact(report: Report, key: str) -> Compact | None:
    s = report.sections.get(key)
    if s is None:
        return None
    if s.start is not None and s.end is not None and report.text:
        return Compact.of(report.text[s.start : s.end], s.start)
    return Compact.of(s.text, 0)


_SENT_END = re.compile(r"[。！？!?；;]")


def sentences(c: Compact) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a compact text (ends kept with the sentence)."""
    out, start = [], 0
    for m in _SENT_END.finditer(c.text):
        out.append((start, m.end()))
        start = m.end()
    if start < len(c.text):
        out.append((start, len(c.text)))
    return [(a, b) for a, b in out if b > a]


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def cjk_int(s: str) -> int | None:
    """一 … 九十九 as an int (None if not a Chinese numeral)."""
    if not s or any(ch not in CJK_NUM for ch in s):
        return None
    if "十" not in s:
        return CJK_NUM.index(s) if len(s) == 1 else None
    tens, _, ones = s.partition("十")
    t = CJK_NUM.index(tens) if tens else 1
    o = CJK_NUM.index(ones) if ones else 0
    return t * 10 + o


@functools.cache
def table_labels() -> tuple[str, ...]:
    """Every printed table label of both layouts (four characters or more), without enumerators."""
    from gongkai import template

    out: set[str] = set()
    for key in template.LAYOUTS:
        for t in template.layout(key).tables:
            out.update(t.header_labels)
            out.update(c.label for c in t.columns)
            out.update(label for _k, label in t.groups)
            for r in t.rows:
                out.add(r.label.removeprefix(r.enumerator))
                out.add(r.group)
                out.update(c.label for c in r.columns)
    return tuple(sorted(strip_punct(x) for x in out if len(strip_punct(x)) >= 4))


_SENTENCE_PUNCT = re.compile(r"[，,。；;！？]")


def is_table_text(text: str) -> bool:
    """Table header or row text that ended up in a section (no sentence punctuation, two table labels or
    more): not a sentence the agency wrote, so no narrative rule checks it."""
    if _SENTENCE_PUNCT.search(text):
        return False
    flat = strip_punct(text)
    return sum(1 for label in table_labels() if label in flat) >= 2
