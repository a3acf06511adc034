import random
import sys
import unicodedata

from gongkai.extract import stream
from gongkai.extract.stream import is_inert, normalize
from gongkai.read.document import Document, Line, Span


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


def test_kept_characters_are_left_as_they_are():
    # what `normalized_in_place` never looks at must be what `normalize` leaves alone
    for a, b in stream._KEPT_RANGES:
        for code in range(a, b + 1):
            ch = chr(code)
            assert is_inert(ch) and normalize(ch) == ch, hex(code)
            assert not stream._MAY_CHANGE.search(ch), hex(code)


def test_normalized_in_place_is_normalize_when_every_character_keeps_its_length():
    rng = random.Random(7)
    alphabet = [chr(c) for c in (*range(0x09, 0x250), *range(0x2000, 0x2500), *range(0x3000, 0x3100))]
    alphabet += [chr(c) for c in (*range(0xFF00, 0xFFF0), 0x4E00, 0x9FA5, 0xAC00, 0x1100, 0x1161, 0x0301)]
    alphabet += ["（一）本年新收申请数量，", "\u3000", "\t", "\u200b", "…"]
    kept = 0
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
        out = stream.normalized_in_place(text)
        if out is not None:
            kept += 1
            assert out == normalize(text) and len(out) == len(text), repr(text)
        else:
            # a character not translated alone (`normalize`), or one whose form is empty or longer
            alone = all(all(map(is_inert, unicodedata.normalize("NFKD", x))) for x in text)
            assert not alone or any(len(normalize(x)) != 1 for x in text), repr(text)
    assert kept > 200


def _row(number: int, *cells: str) -> Line:
    return Line(tuple(Span(text, number, cell=i) for i, text in enumerate(cells)), True)


def _documents() -> list[Document]:
    rows = [
        Line((Span("（一）本年新收\t政府信息公开申请数量", 1),)),
        _row(2, "项目", "８０", "", "1 2"),
        Line((Span("第一段", 3), Span("　第二段\u3000接着", 3))),
        _row(4, "a\nb", "3"),
        Line((Span("温度 ±5°C × 2·3\u3000元", 5),)),  # Latin-1 signs, kept by the whole-text path
    ]
    odd = [
        Line((Span("省略……以下", 5),)),  # NFKC makes it longer
        Line((Span("零宽\u200b字符", 6),)),  # dropped
        Line((Span("cafe\u0301", 7),)),  # not inert
        _row(8, "单元\x1e分隔", "1"),  # holds the cell joiner
        Line((Span("ｶﾞ　１２", 9),)),
    ]
    docs = [Document("x", "text", rows)]
    docs += [Document("x", "text", [*rows, line]) for line in odd]
    docs.append(Document("x", "text", []))
    return docs


def test_a_stream_normalised_whole_is_the_one_normalised_span_by_span(monkeypatch):
    monkeypatch.setattr(stream, "_streams", stream._SPAN_BY_SPAN_FIRST)
    for doc in _documents():
        whole, by_span = stream.Stream.of(doc), stream.Stream._of_spans(doc)
        assert whole == by_span
        assert list(whole.orig_offset) == list(by_span.orig_offset)
        assert whole.doc_text in (None, doc.text)
