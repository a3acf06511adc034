"""A document as one normalised string, with a map back to every character's source span.

``text`` keeps separators: ``\\t`` between the cells of a table row, ``\\n`` between lines, `` `` for any
other white space. ``compact`` drops all of them, so labels broken over lines or cells still match;
``cmap[i]`` is the position in ``text`` of ``compact[i]``. Normalisation is NFKC (full-width digits and
punctuation become ASCII), so ``（一）`` reads as ``(一)``.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from gongkai.lazyre import lazy_compile
from gongkai.read.document import Document, Span
from gongkai.settings import OCR_TRUST

_SPACE = {" ", "\u3000", "\xa0", "\u2002", "\u2003", "\u2009", "\u200a", "\u202f", "\t", "\r", "\f", "\v"}
_DROP = {"\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad"}
_SEPARATORS = " \t\n"


_FOLD = str.maketrans({**{ch: " " for ch in _SPACE}, **{ch: None for ch in _DROP}})
_INK = re.compile(f"[^{re.escape(_SEPARATORS)}]+")  # runs of what ``compact`` keeps
# a Latin-1 byte -> 1 if ``compact`` keeps its character, 0 for a separator
_INK_BYTES = bytes(0 if chr(b) in _SEPARATORS else 1 for b in range(256))


def normalize(text: str) -> str:
    """NFKC with white space folded to plain spaces and invisible characters dropped."""
    try:
        return text.translate(_FORMS)
    except _NotInert:
        return unicodedata.normalize("NFKC", text).translate(_FOLD)


# NFKC character by character, as a translation table. NFKC of a string is the concatenation of its
# characters' NFKC whenever each character decomposes (NFKD) into *inert* characters only: starters that
# never combine with a character before them, so nothing is reordered or composed across characters.
# Text in Chinese is nearly always made of those (ASCII, CJK ideographs and punctuation, full-width forms):
# it is translated at a fraction of what ``unicodedata.normalize`` costs; any other text is normalised
# whole, as before. tests/extract/test_stream.py checks the inert ranges against the Unicode database.
_INERT_RANGES = (
    (0x00, 0x7F),  # ASCII
    (0xA0, 0xBF),  # Latin-1 signs (· « » ° ±), never part of a letter
    (0xD7, 0xD7),  # ×
    (0xF7, 0xF7),  # ÷
    (0x2000, 0x206F),  # general punctuation (— … “ ” ‰ and the invisible spaces)
    (0x2100, 0x214F),  # letterlike symbols (℃ №)
    (0x2190, 0x23FF),  # arrows, mathematical and technical symbols
    (0x2460, 0x27BF),  # enclosed numbers, box drawing, shapes, dingbats
    (0x3000, 0x3029),  # CJK punctuation (、。〈〉《》「」【】〔〕) up to the combining tone marks
    (0x3030, 0x303F),
    (0x3400, 0x4DBF),  # CJK ideographs, extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
)
_NOT_INERT: set[str] = set()  # characters whose NFKC depends on their neighbours


class _NotInert(Exception):
    """A character of the text is not inert: the text is normalised whole."""


def is_inert(ch: str) -> bool:
    """A starter that no Unicode composition takes as its second character (see `normalize`)."""
    code = ord(ch)
    return any(a <= code <= b for a, b in _INERT_RANGES) and unicodedata.combining(ch) == 0


class _Forms(dict[int, int | str | None]):
    """Code point -> its folded NFKC form, for ``str.translate``: learnt the first time a character is
    met; a character that is not inert stops the translation (`_NotInert`)."""

    def __missing__(self, code: int) -> int | str | None:
        ch = chr(code)
        if ch in _NOT_INERT or not all(is_inert(x) for x in unicodedata.normalize("NFKD", ch)):
            _NOT_INERT.add(ch)
            raise _NotInert
        form = unicodedata.normalize("NFKC", ch).translate(_FOLD)
        value = self[code] = ord(form) if len(form) == 1 else form or None
        return value


_FORMS = _Forms()

# Characters `normalize` keeps as they are (inert, their own NFKC, neither folded nor dropped): most of a
# Chinese text. tests/extract/test_stream.py checks every one of them against the Unicode database.
_KEPT_RANGES = (
    (0x0A, 0x0A),  # line feed
    (0x1E, 0x1E),  # the cell joiner `_CELL`
    (0x20, 0x7E),  # printable ASCII
    (0xB7, 0xB7),  # ·
    (0xD7, 0xD7),  # ×
    (0x2010, 0x2010),  # hyphen
    (0x2012, 0x2016),  # dashes (—)
    (0x2018, 0x2023),  # quotes (“ ”), daggers, bullet
    (0x2030, 0x2032),  # ‰ ′
    (0x2190, 0x222B),  # arrows, mathematical operators
    (0x24EB, 0x27BF),  # box drawing, shapes (■ ○), dingbats
    (0x3001, 0x3029),  # CJK punctuation (、。《》「」【】〔〕)
    (0x3400, 0x4DBF),  # CJK ideographs, extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
)
_MAY_CHANGE = lazy_compile("[^" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in _KEPT_RANGES) + "]")
# Compiling that class takes about 2 ms, what translating some 15 reports costs: a process normalises its
# first documents span by span (a one-report command never compiles it), then finds what changes by it.
_SPAN_BY_SPAN_FIRST = 16
_streams = 0
_CELL = "\x1e"  # joins a table row's cells while the text is normalised whole (then a tab)


def _worth_the_pattern() -> bool:
    """Whether `normalized_in_place` is worth its pattern in this process yet (see `_SPAN_BY_SPAN_FIRST`)."""
    global _streams
    if _streams >= _SPAN_BY_SPAN_FIRST:
        return True
    _streams += 1
    return False


def normalized_in_place(text: str) -> str | None:
    """`normalize` of ``text`` when every character of it keeps its length (the same result: each
    character is replaced by its form, as ``str.translate`` does, but only the few that change are looked
    at), else None: a character is not inert, or its form is empty or longer."""
    search = _MAY_CHANGE.search
    m = search(text)
    while m is not None:
        ch = m.group()
        try:
            form = _FORMS[ord(ch)]
        except _NotInert:
            return None
        if not isinstance(form, int):  # dropped (None) or expanded (a string)
            return None
        if form != ord(ch):  # every occurrence at once; a form is its own form, never replaced again
            text = text.replace(ch, chr(form))
        m = search(text, m.start() + 1)
    return text


@dataclass
class Stream:
    """A document's text normalised for matching, with maps back to its spans and original offsets."""

    text: str  # normalised, with separators
    origin: list[int]  # text index -> index into spans (-1 for separators)
    orig_offset: Sequence[int]  # text index -> offset in the document's original text
    spans: list[tuple[int, int, Span]]  # (line index, cell index within the line, span)
    compact: str
    cmap: list[int]
    is_grid: list[bool]  # per line: a table row whose cells are reliably positioned
    ocr_trust: float = OCR_TRUST  # OCR digits read with less confidence are confirmed by the identities
    # span index -> its provenance dict, made once: the cells of a glued row all come from one span.
    # Shared by the cells that cite it (read-only; ``Cell.to_json`` copies it).
    _wheres: dict[int, dict] = field(default_factory=dict, repr=False)
    # ``doc.text`` when `of` joined it on the way (None: ask the document)
    doc_text: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, doc: Document) -> Stream:
        # The whole text normalised at once (`normalized_in_place`), its cells joined by a character no
        # span holds and made tabs after; else span by span (`_of_spans`).
        if not _worth_the_pattern():
            return cls._of_spans(doc)
        lines = doc.lines
        raw = "\n".join(
            [(_CELL.join if line.is_table_row else "".join)([s.text for s in line.spans]) for line in lines]
        )
        cells = sum(len(line.spans) - 1 for line in lines if line.is_table_row)
        text = normalized_in_place(raw) if raw.count(_CELL) == cells else None
        if text is None:
            return cls._of_spans(doc)
        if cells:
            text = text.replace(_CELL, "\t")
            raw = raw.replace(_CELL, "\t")
        origin: list[int] = []
        spans: list[tuple[int, int, Span]] = []
        for li, line in enumerate(lines):
            if li:
                origin.append(-1)
            sep = line.is_table_row
            for si, span in enumerate(line.spans):
                if si and sep:
                    origin.append(-1)
                origin += [len(spans)] * len(span.text)
                spans.append((li, si, span))
        # The text index of every character that is not a separator: one byte a character (any beyond
        # Latin-1 a "?"), separators made 0 and the rest 1, pick the indices.
        ink = text.encode("latin-1", "replace").translate(_INK_BYTES)
        return cls._lengths_kept(
            doc, text, origin, spans, list(itertools.compress(range(len(text)), ink)), raw
        )

    @classmethod
    def _lengths_kept(
        cls,
        doc: Document,
        text: str,
        origin: list[int],
        spans: list,
        cmap: list[int],
        doc_text: str | None = None,
    ) -> Stream:
        """The stream of a document every span of which kept its length when normalised: a text index is
        its offset in ``doc.text`` (a separator stands for one character of it)."""
        return cls(
            text=text,
            origin=origin,
            orig_offset=range(len(text)),
            spans=spans,
            compact=text.replace(" ", "").replace("\t", "").replace("\n", ""),
            cmap=cmap,
            is_grid=[line.is_table_row for line in doc.lines],
            doc_text=doc_text,
        )

    @classmethod
    def _of_spans(cls, doc: Document) -> Stream:
        """`of` normalising span by span: a span holds the cell separator, or a character of the text is
        not inert or changes length."""
        chars: list[str] = []  # pieces of the text, joined at the end
        origin: list[int] = []
        spans: list[tuple[int, int, Span]] = []
        cmap: list[int] = []
        at = 0  # length of the text so far
        for li, line in enumerate(doc.lines):
            if li:
                chars.append("\n")
                origin.append(-1)
                at += 1
            sep = line.is_table_row
            for si, span in enumerate(line.spans):
                if si and sep:
                    chars.append("\t")
                    origin.append(-1)
                    at += 1
                norm = normalize(span.text)
                n = len(norm)
                if n != len(span.text):  # rare: NFKC changed a length, offsets need mapping
                    return cls._of_mapped(doc)
                origin += [len(spans)] * n
                spans.append((li, si, span))
                chars.append(norm)
                if " " in norm or "\n" in norm:  # (tabs are folded to spaces by `normalize`)
                    for m in _INK.finditer(norm):
                        cmap += range(at + m.start(), at + m.end())
                else:
                    cmap += range(at, at + n)
                at += n
        return cls._lengths_kept(doc, "".join(chars), origin, spans, cmap)

    @classmethod
    def _of_mapped(cls, doc: Document) -> Stream:
        """`of` for a document some of whose characters NFKC expands or drops: each text index is mapped
        to its offset in the original text."""
        chars: list[str] = []  # pieces of the text, joined at the end
        origin: list[int] = []
        orig_offset: list[int] = []
        spans: list[tuple[int, int, Span]] = []
        offset = 0  # offset in doc.text
        for li, line in enumerate(doc.lines):
            if li:
                chars.append("\n")
                origin.append(-1)
                orig_offset.append(offset)
                offset += 1
            for si, span in enumerate(line.spans):
                if si and line.is_table_row:
                    chars.append("\t")
                    origin.append(-1)
                    orig_offset.append(offset)
                    offset += 1
                sid = len(spans)
                spans.append((li, si, span))
                _append_normalized(span.text, sid, offset, chars, origin, orig_offset)
                offset += len(span.text)
        text = "".join(chars)
        cmap: list[int] = []
        for m in _INK.finditer(text):
            cmap.extend(range(m.start(), m.end()))
        return cls(
            text=text,
            origin=origin,
            orig_offset=orig_offset,
            spans=spans,
            compact="".join(_INK.findall(text)),
            cmap=cmap,
            is_grid=[line.is_table_row for line in doc.lines],
        )

    # ------------------------------------------------------------------ positions

    def to_text(self, cpos: int) -> int:
        """Text index of compact index ``cpos`` (``len(compact)`` maps to ``len(text)``)."""
        return self.cmap[cpos] if cpos < len(self.cmap) else len(self.text)

    def span_at(self, tpos: int) -> tuple[int, int, Span] | None:
        sid = self.origin[tpos] if 0 <= tpos < len(self.origin) else -1
        return self.spans[sid] if sid >= 0 else None

    def where_at(self, tpos: int) -> dict:
        """Provenance (`Span.where`) of the span holding text index ``tpos``; ``{}`` for a separator."""
        return self.wheres_at((tpos,))[0]

    def wheres_at(self, positions: Iterable[int]) -> list[dict]:
        """`where_at` of each of ``positions`` (a span's provenance made once, and shared)."""
        origin, n, made = self.origin, len(self.origin), self._wheres
        out: list[dict] = []
        for tpos in positions:
            sid = origin[tpos] if 0 <= tpos < n else -1
            if sid < 0:
                out.append({})
                continue
            found = made.get(sid)
            if found is None:
                found = made[sid] = self.spans[sid][2].where()
            out.append(found)
        return out

    def search(self, pattern: re.Pattern[str], start: int, end: int) -> re.Match[str] | None:
        """First match of ``pattern`` in ``compact[start:end]`` (compact indices)."""
        return pattern.search(self.compact, start, end)

    def original_slice(self, tstart: int, tend: int, source: str) -> str:
        """The document's original text between two text indices."""
        if tstart >= len(self.orig_offset):
            return ""
        a = self.orig_offset[tstart]
        b = self.orig_offset[tend] if tend < len(self.orig_offset) else len(source)
        return source[a:b]


_CHAR_FORMS: dict[str, str] = {}  # a character -> `normalize` of it alone (empty, one or several characters)


def _char_forms(raw: str) -> dict[str, str]:
    """Each distinct character of ``raw`` -> its normal form on its own (worked out once per character)."""
    out = {}
    for ch in set(raw):
        form = _CHAR_FORMS.get(ch)
        if form is None:
            form = _CHAR_FORMS[ch] = normalize(ch)
        out[ch] = form
    return out


def _append_normalized(
    raw: str, sid: int, offset: int, chars: list[str], origin: list[int], orig_offset: list[int]
) -> None:
    norm = normalize(raw)
    if len(norm) == len(raw):
        chars.append(norm)
        origin.extend([sid] * len(norm))
        orig_offset.extend(range(offset, offset + len(raw)))
        return
    # Rare: NFKC changed the length. Each character is normalised on its own, so every output character
    # maps back to the one it came from; only the characters whose form is not one character need care.
    forms = _char_forms(raw)
    text = raw.translate({ord(ch): form for ch, form in forms.items() if form != ch})
    odd = [ch for ch, form in forms.items() if len(form) != 1]
    done = 0
    for k in sorted(k for ch in odd for k in _positions(raw, ch)):
        orig_offset.extend(range(offset + done, offset + k))
        orig_offset.extend([offset + k] * len(forms[raw[k]]))
        done = k + 1
    orig_offset.extend(range(offset + done, offset + len(raw)))
    chars.append(text)
    origin.extend([sid] * len(text))


def _positions(text: str, ch: str) -> list[int]:
    out = []
    k = text.find(ch)
    while k >= 0:
        out.append(k)
        k = text.find(ch, k + 1)
    return out
