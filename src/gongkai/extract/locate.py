"""Find the six sections and the table rows in a `Stream`, by their labels (template anchors).

Everything here works on ``stream.compact`` (no white space), so labels wrapped over lines or cells still
match. A row label may be preceded by its enumerator (``2.``) glued to the previous row's digits
(``00000002.其他法律…``): the enumerator is matched as part of the label, never read as a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gongkai import template
from gongkai.extract.memo import by_identity
from gongkai.extract.stream import Stream, normalize
from gongkai.lazyre import lazy_compile

_CN_NUMERALS = "一二三四五六七八九十"
_LABEL_GAP = 24
_MASK_MARGIN = 80  # non-digit characters allowed between a row's enumerator/group text and its anchor


@dataclass(frozen=True)
class Found:
    """A template label (or heading) found in the compact text: where it starts and where its anchor ends."""

    key: str
    start: int  # compact index where the label starts
    end: int  # compact index just after the anchor
    heading: str = ""


def _compact(label: str) -> str:
    return re.sub(r"\s+", "", normalize(label))


@by_identity
def section_pattern(section: template.Section, numbering: str) -> re.Pattern[str]:
    """``own``: the section's own number (二、); ``any``: any outline number (a mis-numbered outline);
    ``none``: the bare heading words."""
    anchors = "|".join(section.anchors)
    if numbering == "none":
        return re.compile(rf"(?:{anchors})")
    cn = section.number if numbering == "own" else f"[{_CN_NUMERALS}]"
    ar = str(_CN_NUMERALS.index(section.number) + 1) if numbering == "own" else r"\d"
    enum = rf"(?:第{cn}部分|(?:{cn}|{ar})[、.,:．]|\((?:{cn}|{ar})\))"
    return re.compile(rf"{enum}(?:{anchors})")


@by_identity
def _section_anchors(section: template.Section) -> tuple[re.Pattern[str], int]:
    """The section's anchors alone, and how far before them its numbered heading starts (第二部分)."""
    return section_pattern(section, "none"), 3 + max(len(section.number), 1)


def find_sections(stream: Stream) -> list[Found]:
    """Section headings in order. A heading normally carries its own number (二、…); failing that, any
    outline number (a mis-numbered outline), and failing that the bare words at the start of a line."""
    found: list[Found] = []
    pos = 0
    for section in template.SECTIONS:
        own = section_pattern(section, "own")
        m = _search_by_anchor(stream, own, *_section_anchors(section), pos, len(stream.compact))
        if m is None:
            m = _line_start_match(stream, section_pattern(section, "any"), pos)
        if m is None:
            m = _line_start_match(stream, section_pattern(section, "none"), pos)
        if m is None:
            continue
        found.append(Found(section.key, m.start(), m.end(), m.group(0)))
        pos = m.end()
    return found


def _line_start_match(stream: Stream, pattern: re.Pattern[str], pos: int) -> re.Match[str] | None:
    for m in pattern.finditer(stream.compact, pos):
        t = stream.to_text(m.start())
        before = stream.text[:t].rstrip(" ")
        if not before or before.endswith("\n"):
            return m
    return None


# ---------------------------------------------------------------- rows


def _enumerator_regex(enum: str) -> str:
    enum = normalize(enum).strip()
    if not enum:
        return ""
    if enum[0].isdigit():
        return (
            rf"{re.escape(enum[:-1])}[.、,:]"  # "2." — the dot is required, so "…0 0 2其他" is no enumerator
        )
    if enum.startswith("("):
        return rf"\({re.escape(enum[1:-1])}\)"
    return rf"{re.escape(enum[:-1])}[、.,]"


@by_identity
def row_pattern(row: template.Row) -> re.Pattern[str]:
    anchors = "|".join(row.anchors)
    enum = _enumerator_regex(row.enumerator)
    prefix = rf"(?:{enum}[^\d]{{0,{_LABEL_GAP}}}?)?" if enum else ""
    return re.compile(rf"{prefix}(?:{anchors})")


@by_identity
def _row_anchors(row: template.Row) -> tuple[re.Pattern[str], int]:
    """The row's anchors alone, and how far before its anchor a label can start: the enumerator (an
    `_enumerator_regex` match is as long as the enumerator) and the gap after it."""
    enum = normalize(row.enumerator).strip()
    return re.compile(f"(?:{'|'.join(row.anchors)})"), len(enum) + _LABEL_GAP if enum else 0


def search_row(stream: Stream, row: template.Row, start: int, end: int) -> re.Match[str] | None:
    """``stream.search(row_pattern(row), start, end)`` (see `_search_by_anchor`)."""
    return _search_by_anchor(stream, row_pattern(row), *_row_anchors(row), start, end)


def _search_by_anchor(
    stream: Stream, pattern: re.Pattern[str], anchors: re.Pattern[str], reach: int, start: int, end: int
) -> re.Match[str] | None:
    """``stream.search(pattern, start, end)`` for a pattern made of an enumerator and ``anchors``, sooner.
    The enumerator leaves the pattern no first character to look for (it is tried at every position);
    the anchors have one. A match holds an anchor at most ``reach`` characters after its start, so none
    starts before the first anchor less ``reach``: the pattern is searched from there (the same match)."""
    if reach:
        first = stream.search(anchors, start, end)
        if first is None:
            return None
        start = max(start, first.start() - reach)
    return stream.search(pattern, start, end)


def find_rows(stream: Stream, rows: tuple[template.Row, ...], start: int, end: int) -> dict[str, Found]:
    """Each row's label, searched in template order within ``compact[start:end]``."""
    found: dict[str, Found] = {}
    pos = start
    for row in rows:
        m = search_row(stream, row, pos, end)
        if m is None:
            continue
        found[row.key] = Found(row.key, m.start(), m.end())
        pos = m.end()
    return _last_repeats(stream, rows, found, end)


@by_identity
def _full_label_pattern(row: template.Row) -> re.Pattern[str]:
    label = _compact(row.label)
    enum = _compact(row.enumerator)
    if enum and label.startswith(enum):
        label = label[len(enum) :]
    return re.compile(re.escape(label))


def _last_repeats(
    stream: Stream, rows: tuple[template.Row, ...], found: dict[str, Found], end: int
) -> dict[str, Found]:
    """A label printed twice before the next row (a heading, then the table row under it) reads from
    its last occurrence: what lies between the two is heading text, not values."""
    order = [r for r in rows if r.key in found]
    for i, row in enumerate(order):
        f = found[row.key]
        limit = found[order[i + 1].key].start if i + 1 < len(order) else end
        last = None
        for m in _full_label_pattern(row).finditer(stream.compact, f.end, limit):
            last = m
        if last is not None:  # the row's values follow the last label; the previous row ends at the first
            found[row.key] = Found(row.key, f.start, last.end())
    return found


# ---------------------------------------------------------------- masks


@by_identity
def _header_pattern(labels: tuple[str, ...]) -> tuple[re.Pattern[str], int]:
    """The pattern of the header labels, and the longest match it can make (the longest label)."""
    parts = sorted({re.escape(_compact(label)) for label in labels if label}, key=len, reverse=True)
    return re.compile("|".join(parts)), max((len(_compact(label)) for label in labels), default=0)


_PARENTHESISED = lazy_compile(r"\([^()]{0,121}\)")


def _holds_text(m: re.Match[str]) -> bool:
    r"""Whether a match of `_PARENTHESISED` is one of ``\([^()]{0,60}?[\u4e00-\u9fff][^()]{0,60}?\)``:
    parentheses around text with a CJK ideograph at most 60 characters from each end. Told without
    compiling a CJK class (Python's regex compiler walks every code point of its range: ~0.7 ms of a
    short `gongkai parse`)."""
    inner = m.group()[1:-1]
    return any("\u4e00" <= ch <= "\u9fff" for ch in inner[max(0, len(inner) - 61) : 61])


_ARTICLE = lazy_compile(r"第[一二三四五六七八九十\d]+条(?:第\(?[一二三四五六七八九十\d]+\)?项)?")
_UNIT = lazy_compile(r"(?:单位:)?(?:万?元|件|条|次|个|人次)(?=[^\u4e00-\u9fff]|$)")


# Notes in parentheses and article references: each pattern, what tells its matches apart (or None), and
# the character every match of it starts with.
_NOTES = ((_PARENTHESISED, _holds_text, "("), (_ARTICLE, None, "第"))


def masked_spans(stream: Stream, labels: tuple[str, ...], start: int, end: int) -> list[tuple[int, int]]:
    """Compact intervals in ``[start, end)`` that are printed header text, never values: column labels,
    parenthesised notes (``（单位：万元，保留4位小数）``) and article references (``第二十条第（五）项``)."""
    out: list[tuple[int, int]] = []
    # Look a little beyond the interval: a note may start before it and end inside. A match starting at
    # ``end`` or later is outside the interval: the search stops there.
    compact = stream.compact
    lo, hi = max(0, start - _MASK_MARGIN), min(len(compact), end + _MASK_MARGIN)
    if labels:
        # A label starting before ``end`` ends by ``end + longest``: the search need not look further.
        pattern, longest = _header_pattern(labels)
        for m in pattern.finditer(compact, lo, min(hi, end + longest)):
            if m.start() >= end:
                break
            a, b = max(m.start(), start), min(m.end(), end)
            if a < b:
                out.append((a, b))
    # A parenthesised note is told from other parentheses only when it reaches into the interval. Every
    # match of these starts with the character given: without one in ``[lo, end)``, none is searched.
    for pattern, holds_text, first in _NOTES:
        if compact.find(first, lo, end) < 0:
            continue
        for m in pattern.finditer(compact, lo, hi):
            if m.start() >= end:
                break
            a, b = max(m.start(), start), min(m.end(), end)
            if a < b and (holds_text is None or holds_text(m)):
                out.append((a, b))
    return out
