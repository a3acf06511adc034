import random
import sys
import unicodedata

from gongkai.extract import stream
from gongkai.extract.stream import is_inert, normalize


def reference(text: str) -> str:
    """What `normalize` means: NFKC of the whole string, then white space folded."""
    return unicodedata.normalize("NFKC", text).translate(stream._FOLD)


def test_no_inert_character_is_the_second_of_a_canonical_composition():
    # `normalize` translates character by character only when every character decomposes into inert ones:
    # that is exact as long as no composition can take an inert character as its second one.
    for code in range(sys.maxunicode + 1):
        mapping = unicodedata.decomposition(chr(code))
        if mapping and not mapping.startswith("<"):
            parts = mapping.split()
            assert len(parts) <= 2
            if len(parts) == 2:
                assert not is_inert(chr(int(parts[1], 16))), hex(code)


def test_inert_characters_are_starters():
    for a, b in stream._INERT_RANGES:
        for code in range(a, b + 1):
            if is_inert(chr(code)):
                assert unicodedata.combining(chr(code)) == 0


def test_normalize_is_nfkc_on_chinese_text_and_on_text_that_needs_the_whole_string():
    samples = [
        "（一）本年新收政府信息公开申请数量　８０１０００８１…２０２３年\u200b",
        "第二十条第（五）项①②㎡℃\xa0\u3000\t—“引号”《条例》",
        "café cafe\u0301 \uac00\u1100\u1161 ｶﾞ か\u3099 \u00a8",  # composed / composing: NFKC of the whole
    ]
    for text in samples:
        assert normalize(text) == reference(text)


def test_normalize_matches_nfkc_on_random_mixtures():
    rng = random.Random(12)
    alphabet = [chr(c) for c in (*range(0x20, 0x250), *range(0x2000, 0x2500), *range(0x3000, 0x3100))]
    alphabet += [chr(c) for c in (*range(0xFF00, 0xFFF0), 0x4E00, 0x9FA5, 0xAC00, 0x1100, 0x1161, 0x0301)]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        assert normalize(text) == reference(text), repr(text)
