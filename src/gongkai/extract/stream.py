"""A document as one normalised string, with a map back to every character's source span.

``text`` keeps separators: ``\\t`` between the cells of a table row, ``\\n`` between lines, `` `` for any
other white space. ``compact`` drops all of them, so labels broken over lines or cells still match;
``cmap[i]`` is the position in ``text`` of ``compact[i]``. Normalisation is NFKC (full-width digits and
punctuation become ASCII), so ``（一）`` reads as ``(一)``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from gongkai.read.document import Document, Span
from gongkai.settings import OCR_TRUST

_SPACE = {" ", "\u3000", "\xa0", "\u2002", "\u2003", "\u2009", "\u200a", "\u202f", "\t", "\r", "\f", "\v"}
_DROP = {"\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad"}
_SEPARATORS = " \t\n"


_FOLD = str.maketrans({**{ch: " " for ch in _SPACE}, **{ch: None for ch in _DROP}})
_INK = re.compile(f"[^{re.escape(_SEPARATORS)}]+")  # runs of what ``compact`` keeps


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

    @classmethod
    def of(cls, doc: Document) -> Stream:
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
        text = "".join(chars)
        return cls(
            text=text,
            origin=origin,
            # Every span kept its length, and a separator stands for one character of ``doc.text``.
            orig_offset=range(len(text)),
            spans=spans,
            compact=text.replace(" ", "").replace("\t", "").replace("\n", ""),
            cmap=cmap,
            is_grid=[line.is_table_row for line in doc.lines],
        )

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
