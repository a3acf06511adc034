"""A document as one normalised string, with a map back to every character's source span.

``text`` keeps separators: ``\\t`` between the cells of a table row, ``\\n`` between lines, `` `` for any
other white space. ``compact`` drops all of them, so labels broken over lines or cells still match;
``cmap[i]`` is the position in ``text`` of ``compact[i]``. Normalisation is NFKC (full-width digits and
punctuation become ASCII), so ``（一）`` reads as ``(一)``.
"""

from __future__ import annotations

import re
import unicodedata
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
    return unicodedata.normalize("NFKC", text).translate(_FOLD)


@dataclass
class Stream:
    """A document's text normalised for matching, with maps back to its spans and original offsets."""

    text: str  # normalised, with separators
    origin: list[int]  # text index -> index into spans (-1 for separators)
    orig_offset: list[int]  # text index -> offset in the document's original text
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
        chars: list[str] = []
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
        sid = self.origin[tpos] if 0 <= tpos < len(self.origin) else -1
        if sid < 0:
            return {}
        found = self._wheres.get(sid)
        if found is None:
            found = self._wheres[sid] = self.spans[sid][2].where()
        return found

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


def _append_normalized(
    raw: str, sid: int, offset: int, chars: list[str], origin: list[int], orig_offset: list[int]
) -> None:
    norm = normalize(raw)
    if len(norm) == len(raw):
        chars.extend(norm)
        origin.extend([sid] * len(norm))
        orig_offset.extend(range(offset, offset + len(raw)))
        return
    for k, ch in enumerate(raw):  # rare: NFKC changed the length; map character by character
        for out in normalize(ch):
            chars.append(out)
            origin.append(sid)
            orig_offset.append(offset + k)
