"""Punctuation-free views: the fast one of long texts is the plain one."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest

from gongkai.punct import punct_free, strip_punct
from tests.conftest import CORPUS


def test_word_characters_but_underscore_are_kept_by_strip_punct():
    """punct_free's shortcut: text made only of ``[^\\W_]`` characters is its own strip_punct."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    words = re.findall(r"[^\W_]", every)
    assert len(words) > 100_000
    dropped = [ch for ch in words if ch.isspace() or unicodedata.category(ch)[0] in "PZS"]
    assert dropped == []  # what strip_punct drops: whitespace, punctuation, separators, symbols


@pytest.mark.parametrize(
    "text",
    [
        "",
        "一、总体情况\n本机关　2024 年（含上年）共收到申请 12 件；办结 11 件。",
        "snake_case 与 ＡＢＣ１２３，全角：！？",
        "e\u0301 组合符号、零宽\u200b空格\ufeff、私用\ue000、表情😀、数学∑≥、箭头→、制表\t符",
        "结果维持\n结果纠正\x0b\x1c\x1f\u2028\u2029\u3000\u00a0·•…—–－",
        "_" * 5 + "٣٤ ⅷ ① ²",
    ],
)
def test_punct_free_is_strip_punct(text):
    assert punct_free(text) == strip_punct(text)


def test_punct_free_is_strip_punct_on_the_corpus_texts():
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(CORPUS.rglob("*.txt"))]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(CORPUS.rglob("*.html"))]
    assert texts
    for text in texts:
        assert punct_free(text) == strip_punct(text)
