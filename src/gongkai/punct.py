"""Punctuation-free views of text, shared by the extractor and the audit."""

from __future__ import annotations

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


__all__ = ["is_text_char", "strip_punct"]
