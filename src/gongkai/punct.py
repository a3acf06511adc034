"""Punctuation-free views of text, shared by the extractor and the audit."""

from __future__ import annotations

import functools
import re
import unicodedata


class _PunctTable(dict):
    """A ``str.translate`` table dropping whitespace, punctuation, separators and symbols (Unicode
    categories P, Z, S), each character's entry worked out the first time it is met."""

    def __missing__(self, code: int) -> int | None:
        ch = chr(code)
        keep = not (ch.isspace() or unicodedata.category(ch).startswith(("P", "Z", "S")))
        self[code] = code if keep else None
        return self[code]


_PUNCT = _PunctTable()


def is_text_char(ch: str) -> bool:
    """Whether ``strip_punct`` keeps ``ch`` (not whitespace, punctuation, a separator or a symbol)."""
    return _PUNCT[ord(ch)] is not None


def strip_punct(s: str) -> str:
    return s.translate(_PUNCT)


# The blocks most of the punctuation and spacing of a report comes from: ASCII, Latin-1, General
# Punctuation, CJK Symbols and Punctuation, the full-width forms.
_PUNCT_BLOCKS = ((0x00, 0x100), (0x2000, 0x2070), (0x3000, 0x3040), (0xFF00, 0xFF66))
_NOT_WORD = re.compile(r"[\W_]")


@functools.cache
def _common_punct() -> re.Pattern[str]:
    """Runs of the characters of ``_PUNCT_BLOCKS`` that ``strip_punct`` drops (built on first use)."""
    dropped = [chr(c) for a, b in _PUNCT_BLOCKS for c in range(a, b) if _PUNCT[c] is None]
    return re.compile("[" + "".join(re.escape(ch) for ch in dropped) + "]+")


def punct_free(text: str) -> str:
    """``strip_punct(text)``, for long texts (a section): ``str.translate`` looks up every character of
    Chinese text in a dict, a pattern of the usual punctuation drops it at C speed. What is left is
    ``strip_punct``'s already when it holds only word characters other than ``_`` (letters and numbers,
    which ``strip_punct`` keeps); anything else goes through ``strip_punct`` too."""
    rest = _common_punct().sub("", text)
    return strip_punct(rest) if _NOT_WORD.search(rest) else rest


__all__ = ["is_text_char", "punct_free", "strip_punct"]
