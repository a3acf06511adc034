import random

from gongkai import template
from gongkai.extract import locate
from gongkai.extract.stream import Stream
from gongkai.read import read_path
from gongkai.read.document import Document, Line, Span
from tests.conftest import corpus_docs


def _streams() -> list[Stream]:
    docs = corpus_docs("seeds", "real", "noisy", "pages")[::3]
    forms = ("第{}部分", "({})")
    headings = [f"文字{f.format(s.number)}{s.title}" for s in template.SECTIONS for f in forms]
    made = Document("headings", "text", [Line((Span(h, i),)) for i, h in enumerate(headings, 1)])
    return [Stream.of(read_path(p)) for p in docs] + [Stream.of(made)]


def test_a_label_searched_from_its_anchor_is_the_label_searched_everywhere():
    # `search_row` and the numbered section search skip to the first anchor: the same match as the
    # pattern's own search, for every row and section of every layout, over windows of real reports
    rng = random.Random(3)
    tables = [t for lay in template.layouts() for t in (lay.table2, lay.table3, lay.table4)]
    rows = {id(r): r for t in tables for r in t.rows}
    for stream in _streams():
        n = len(stream.compact)
        windows = [(0, n)] + [tuple(sorted(rng.sample(range(n + 1), 2))) for _ in range(6)]
        for start, end in windows:
            for row in rows.values():
                want = stream.search(locate.row_pattern(row), start, end)
                got = locate.search_row(stream, row, start, end)
                assert (got and got.span()) == (want and want.span()), (row.key, start, end)
            for section in template.SECTIONS:
                own = locate.section_pattern(section, "own")
                want = stream.search(own, start, end)
                got = locate._search_by_anchor(stream, own, *locate._section_anchors(section), start, end)
                assert (got and got.span()) == (want and want.span()), (section.key, start, end)
