"""PDF reader: table rows and cell indices on the shared corpus, tables across pages, furniture, bad input."""

from __future__ import annotations

import json
import sys
from functools import cache

import pytest

pytest.importorskip("pdfplumber")
pytest.importorskip("pypdfium2")

import gongkai.read
from gongkai import template
from gongkai.errors import InputError
from gongkai.read import pdf
from gongkai.read.document import Document
from tests.conftest import CORPUS

TABLE3_COLUMNS = [c.key for c in template.APPLICANT_COLUMNS]
TABLE4_GROUPS = [g for g, _ in template.TABLE4_GROUPS]
TABLE4_COLUMNS = [c.key for c in template.TABLE4_COLUMNS]
DOCS = [
    "real/2023_huaian_hongzequ.pdf",
    "real/2024_huaian_hongzequ.pdf",
    "variants/000_f01d4dbb51cf7cd1.pdf",
    "variants/004_e99c3fa4f96ef56b.pdf",
]


# ---------------------------------------------------------------- hand-made PDFs


def make_pdf(pages: list[str], *, encrypt: bool = False, box=(0, 0, 595, 842), page_extra: str = "") -> bytes:
    """A minimal PDF: one content stream per page, Helvetica as /F1."""
    objects: list[bytes] = [b"", b""]  # 1 catalog, 2 page tree (filled below)
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")  # 3
    kids = []
    for content in pages:
        body = content.encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream")
        content_ref = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [%d %d %d %d] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R %s>>" % (*box, content_ref, page_extra.encode())
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    trailer_extra = b""
    if encrypt:  # RC4 40-bit with O/U entries no empty password matches: a user password is required
        objects.append(
            b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> /P -4 >>"
        )
        trailer_extra = b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (len(objects), b"01" * 16, b"01" * 16)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer_extra,
        xref,
    )
    return bytes(out)


def text(x: float, y_top: float, s: str, size: int = 11, height: int = 842) -> str:
    return f"BT /F1 {size} Tf {x} {height - y_top - size} Td ({s}) Tj ET\n"


def grid(xs: list[float], ys_top: list[float], height: int = 842, one_path: bool = False) -> str:
    """Ruling lines of a table with column edges ``xs`` and row edges ``ys_top`` (top-left origin)."""
    segs = [(x, ys_top[0], x, ys_top[-1]) for x in xs] + [(xs[0], y, xs[-1], y) for y in ys_top]
    path = "".join(
        f"{a} {height - b} m {c} {height - d} l " + ("" if one_path else "S\n") for a, b, c, d in segs
    )
    return "0.8 w " + path + ("S\n" if one_path else "")


def table_rows(doc: Document) -> list[list[tuple[int | None, str]]]:
    return [[(s.cell, s.text) for s in ln.spans] for ln in doc.lines if ln.is_table_row]


def texts(doc: Document) -> list[str]:
    return [ln.text for ln in doc.lines if not ln.is_table_row]


# ---------------------------------------------------------------- the shared corpus


def _corpus_doc(name: str) -> tuple[Document, dict]:
    if not (CORPUS / name).exists():
        pytest.skip("shared corpus not available")
    return _read_corpus(name)


@cache
def _read_corpus(name: str) -> tuple[Document, dict]:
    path = CORPUS / name
    if not path.exists():
        pytest.skip("shared corpus not available")
    truth = path.with_name(path.name + ".expected.json")
    if not truth.exists():
        truth = path.with_suffix(".expected.json")
    return pdf.read(path.read_bytes(), str(path)), json.loads(truth.read_text(encoding="utf-8"))


def _value_rows(doc: Document, n: int) -> list[list]:
    """Table rows whose value cells are exactly ``n`` numbers (table 三: 7, table 四: 15)."""
    out = []
    for ln in doc.lines:
        if not ln.is_table_row:
            continue
        values = [s for s in ln.spans if s.text.replace(".", "").isdigit()]
        if len(values) == n and values == list(ln.spans[-n:]):
            out.append(values)
    return out


@pytest.mark.parametrize("name", DOCS)
def test_table3_values_land_in_their_columns(name):
    doc, truth = _corpus_doc(name)
    rows = _value_rows(doc, 7)
    expected = list(truth["table3"].values())
    assert len(rows) == len(expected)
    first = rows[0][0].cell
    headers: dict[str, int | None] = {}
    for ln in doc.lines:
        if ln.is_table_row:
            for s in ln.spans:
                headers.setdefault(s.text, s.cell)  # the first 总计 is table 三's
    assert headers["自然人"] == first
    assert headers["总计"] == first + 6
    for spans, want in zip(rows, expected, strict=True):
        assert [s.cell for s in spans] == list(range(first, first + 7))
        assert [int(s.text) for s in spans] == [want[c] for c in TABLE3_COLUMNS]
        assert all(s.page and s.x0 < s.x1 and s.top < s.bottom for s in spans)


@pytest.mark.parametrize("name", DOCS)
def test_table4_header_and_numbers(name):
    doc, truth = _corpus_doc(name)
    rows = _value_rows(doc, 15)
    assert len(rows) == 1
    assert [s.cell for s in rows[0]] == list(range(15))
    want = [truth["table4"][g][c] for g in TABLE4_GROUPS for c in TABLE4_COLUMNS]
    assert [int(s.text) for s in rows[0]] == want


@pytest.mark.parametrize("name", DOCS)
def test_page_furniture_is_gone(name):
    doc, _ = _corpus_doc(name)
    for line in texts(doc):
        assert not pdf._PAGE_NUMBER.match(line.strip()), line
    assert not doc.notes


def test_labels_wrapped_in_cells_are_joined_without_spaces():
    doc, _ = _corpus_doc("real/2023_huaian_hongzequ.pdf")
    cells = [s.text for ln in doc.lines if ln.is_table_row for s in ln.spans]
    assert "三、本年度办理结果" in cells  # one glyph per line in a narrow merged cell
    assert "（二）部分公开（区分处理的，只计这一情形，不计其他情形）" in cells
    assert "（六）其他处理" in cells  # the single 2019-style row
    assert "社会公益组织" in cells


def test_merged_label_cell_cut_by_the_page_break_is_read_once():
    doc, _ = _corpus_doc("variants/004_e99c3fa4f96ef56b.pdf")
    cells = [s.text for ln in doc.lines if ln.is_table_row for s in ln.spans]
    assert "三、本年度办理结果" in cells
    assert not any(c.startswith("年度办") for c in cells)


def test_table4_header_split_over_pages_is_joined():
    doc, _ = _corpus_doc("variants/000_f01d4dbb51cf7cd1.pdf")
    rows = table_rows(doc)
    header = next(r for r in rows if (0, "结果维持") in r)
    assert header[:5] == [(0, "结果维持"), (1, "结果纠正"), (2, "其他结果"), (3, "尚未审结"), (4, "总计")]
    pages = {ln.spans[0].page for ln in doc.lines if ln.is_table_row and "结果维持" in ln.text}
    assert pages == {3, 4}  # the header's two pieces: top part on page 3, sub-columns on page 4


def test_text_comes_in_reading_order_around_tables():
    doc, _ = _corpus_doc("real/2023_huaian_hongzequ.pdf")
    joined = [ln.text for ln in doc.lines]
    heading3 = joined.index("三、收到和处理政府信息公开申请情况")
    heading4 = joined.index("四、政府信息公开行政复议、行政诉讼情况")
    new_row = next(i for i, t in enumerate(joined) if t.startswith("一、本年新收"))
    assert heading3 < new_row < heading4
    assert [ln.spans[0].line for ln in doc.lines] == list(range(1, len(doc.lines) + 1))
    assert "2023 年，洪泽区人民政府坚持以习近平新时代中国特色社会" in joined


def test_scanned_pdf_is_not_read_as_text(monkeypatch):
    path = CORPUS / "variants/000_f01d4dbb51cf7cd1.scan.pdf"
    if not path.exists():
        pytest.skip("shared corpus not available")
    monkeypatch.setitem(sys.modules, "gongkai.read.ocr", None)  # as if OCR were not installed
    monkeypatch.delattr(gongkai.read, "ocr", raising=False)  # also when another test imported it already
    with pytest.raises(InputError, match="no usable text layer"):
        pdf.read(path.read_bytes(), str(path))


def test_scanned_pdf_goes_to_ocr_when_available(monkeypatch):
    import types

    path = CORPUS / "variants/004_e99c3fa4f96ef56b.scan.pdf"
    if not path.exists():
        pytest.skip("shared corpus not available")
    fake = types.ModuleType("gongkai.read.ocr")
    fake.read = lambda data, source, **_settings: Document(source=source, format="pdf", notes=["ocr"])
    monkeypatch.setitem(sys.modules, "gongkai.read.ocr", fake)
    import gongkai.read

    monkeypatch.setattr(gongkai.read, "ocr", fake, raising=False)
    assert pdf.read(path.read_bytes(), "scan").notes == ["ocr"]


# ---------------------------------------------------------------- hand-made documents


def _two_page_table(one_path: bool) -> bytes:
    """Running header, page numbers, a ruled table whose third row is cut by the page break."""
    xs = [72, 250, 350, 450]
    page1 = (
        text(72, 40, "Annual Report Running Header")
        + text(72, 100, "Intro paragraph line")
        + grid(xs, [700, 720, 740, 760], one_path=one_path)
        + text(76, 704, "Item")
        + text(254, 704, "A")
        + text(354, 704, "B")
        + text(76, 724, "Alpha")
        + text(254, 724, "1")
        + text(354, 724, "2")
        + text(76, 744, "Beta first")
        + text(254, 744, "3")
        + text(354, 744, "4")
        + text(290, 800, "- 1 -")
    )
    page2 = (
        text(72, 40, "Annual Report Running Header")
        + grid(xs, [80, 100, 120], one_path=one_path)
        + text(76, 84, "part")
        + text(76, 104, "2. Gamma")
        + text(254, 104, "5")
        + text(354, 104, "6")
        + text(72, 160, "After the table")
        + text(290, 800, "- 2 -")
    )
    return make_pdf([page1, page2])


@pytest.mark.parametrize("one_path", [False, True])
def test_table_across_pages_with_a_cut_row(one_path):
    doc = pdf.read(_two_page_table(one_path), "made.pdf")
    assert [ln.text for ln in doc.lines] == [
        "Intro paragraph line",
        "Item\tA\tB",
        "Alpha\t1\t2",
        "Beta first part\t3\t4",
        "2. Gamma\t5\t6",
        "After the table",
    ]
    rows = table_rows(doc)
    assert rows[2] == [(0, "Beta first part"), (1, "3"), (2, "4")]
    gamma = doc.lines[4].spans
    assert [s.page for s in gamma] == [2, 2, 2]
    assert gamma[1].x0 == pytest.approx(250, abs=1) and gamma[1].top == pytest.approx(100, abs=1)
    assert doc.pages == 2 and not doc.notes


def test_rotated_page_reads_upright():
    content = "".join(f"BT /F1 12 Tf 0 1 -1 0 {x} 72 Tm (Line {n}) Tj ET\n" for n, x in ((1, 100), (2, 120)))
    doc = pdf.read(make_pdf([content], page_extra="/Rotate 90 "), "landscape.pdf")
    assert texts(doc) == ["Line 1", "Line 2"]
    assert doc.lines[0].spans[0].x0 == pytest.approx(72, abs=1)


def _landscape_table(height: int) -> str:
    """A small ruled table on a landscape page (842 x 595) as seen upright."""
    content = text(72, 60, "Landscape heading", height=height)
    content += grid([72, 300, 420, 540], [100, 120, 140], height=height)
    for y, row in ((104, ("Label", "1", "2")), (124, ("Other", "3", "4"))):
        for x, s in zip((76, 304, 424), row, strict=True):
            content += text(x, y, s, height=height)
    return content


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_rotated_page_with_a_table_reads_as_displayed(rotate):
    upright = pdf.read(make_pdf([_landscape_table(595)], box=(0, 0, 842, 595)), "upright.pdf")
    # the same page drawn in a rotated frame (portrait media box for 90/270), shown upright by /Rotate
    width, height = (595, 842) if rotate in (90, 270) else (842, 595)
    placement = {90: f"0 1 -1 0 {width} 0", 180: f"-1 0 0 -1 {width} {height}", 270: f"0 -1 1 0 0 {height}"}
    content = f"q {placement[rotate]} cm\n" + _landscape_table(595) + "Q\n"
    turned = make_pdf([content], box=(0, 0, width, height), page_extra=f"/Rotate {rotate} ")
    doc = pdf.read(turned, "turned.pdf")
    assert [ln.text for ln in doc.lines] == [ln.text for ln in upright.lines]
    assert table_rows(doc) == [[(0, "Label"), (1, "1"), (2, "2")], [(0, "Other"), (1, "3"), (2, "4")]]
    label = doc.lines[1].spans[0]
    assert (label.x0, label.top, label.x1, label.bottom) == pytest.approx((72, 100, 300, 120), abs=0.5)


def test_sideways_label_in_a_merged_cell():
    """A row-spanning label set sideways (reading bottom to top), as a word processor's text direction."""
    columns = [(x, 100, x, 190) for x in (72, 120, 300, 400)]
    rows = [
        (72, 100, 400, 100),
        (72, 190, 400, 190),
        (120, 130, 400, 130),
        (120, 160, 400, 160),
    ]  # label spans
    content = "0.8 w " + "".join(f"{a} {842 - b} m {c} {842 - d} l S\n" for a, b, c, d in columns + rows)
    content += "BT /F1 11 Tf 0 1 -1 0 100 680 Tm (Sideways) Tj ET\n"
    for y, (label, value) in zip((104, 134, 164), (("One", "1"), ("Two", "2"), ("Three", "3")), strict=True):
        content += text(124, y, label) + text(304, y, value)
    doc = pdf.read(make_pdf([content]), "sideways.pdf")
    assert table_rows(doc)[0] == [(0, "Sideways"), (1, "One"), (2, "1")]
    assert [ln.text for ln in doc.lines[1:]] == ["Two\t2", "Three\t3"]


def test_offset_media_box_keeps_one_frame_for_text_and_tables():
    def at(x, y, s):
        return text(x + 100, y, s, height=892)

    page1 = at(72, 100, "Offset text")
    page2 = at(72, 100, "Above") + grid([172, 350, 450], [200, 220, 240], height=892)
    page2 += at(76, 204, "Label") + at(254, 204, "7") + at(76, 224, "Other") + at(254, 224, "8")
    doc = pdf.read(make_pdf([page1, page2], box=(100, 50, 695, 892)), "offset.pdf")
    assert [ln.text for ln in doc.lines] == ["Offset text", "Above", "Label\t7", "Other\t8"]
    first, label = doc.lines[0].spans[0], doc.lines[2].spans[0]
    assert first.x0 == pytest.approx(72, abs=0.5) and first.top == pytest.approx(100, abs=3)
    assert (label.x0, label.top, label.x1, label.bottom) == pytest.approx((72, 200, 250, 220), abs=0.5)


def test_image_only_page_is_noted_for_ocr():
    image_page = "q 595 0 0 842 0 0 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x80\x40\x20\x10 EI Q\n"
    data = make_pdf([text(72, 100, "Text on page one"), image_page])
    doc = pdf.read(data, "mixed.pdf")
    assert [ln.text for ln in doc.lines] == ["Text on page one"]  # the blank image yields no OCR text
    assert doc.notes[0] == "page 2: no usable text layer"
    assert pdf.pages_without_text(doc) == [2]


def test_lone_number_in_the_body_is_kept_but_page_foot_number_dropped():
    data = make_pdf(
        [text(72, 100, "Total") + text(72, 115, "42") + text(72, 130, "end") + text(290, 790, "7")]
    )
    assert texts(pdf.read(data, "n.pdf")) == ["Total", "42", "end"]


def test_encrypted_pdf():
    with pytest.raises(InputError, match="encrypted"):
        pdf.read(make_pdf([text(72, 100, "secret")], encrypt=True), "enc.pdf")


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-128"])
def test_owner_password_only_pdf_is_read(algorithm):
    import io

    pypdf = pytest.importorskip("pypdf")
    path = CORPUS / "variants/000_f01d4dbb51cf7cd1.pdf"
    if not path.exists():
        pytest.skip("shared corpus not available")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(path.read_bytes())))
    writer.encrypt(user_password="", owner_password="owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    plain, _ = _corpus_doc("variants/000_f01d4dbb51cf7cd1.pdf")
    assert pdf.read(out.getvalue(), "protected.pdf").text == plain.text


def test_pdf_with_a_user_password_is_refused():
    import io

    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf([text(72, 100, "secret")]))))
    writer.encrypt(user_password="pw", owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(InputError, match="encrypted"):
        pdf.read(out.getvalue(), "locked.pdf")


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"%PDF-1.4\nnot really", "corrupt"),
        (make_pdf([text(72, 100, "x")])[:120], "corrupt"),
        (make_pdf([]), "no pages"),
        (make_pdf([""]), "no text"),
    ],
    ids=["empty", "junk", "truncated", "zero-pages", "blank-page"],
)
def test_bad_input_is_an_input_error(data, reason):
    with pytest.raises(InputError, match=reason):
        pdf.read(data, "bad.pdf")


def test_truncated_corpus_pdf_is_an_input_error():
    path = CORPUS / "real/2023_huaian_hongzequ.pdf"
    if not path.exists():
        pytest.skip("shared corpus not available")
    data = path.read_bytes()
    for cut in (len(data) // 10, len(data) // 2, len(data) - 200):
        try:
            doc = pdf.read(data[:cut], "cut.pdf")
        except InputError:
            continue
        assert isinstance(doc, Document)


def test_too_many_pages():
    with pytest.raises(InputError, match="页数过多"):
        pdf.read(make_pdf([""] * (pdf.MAX_PAGES + 1)), "long.pdf")


# ---------------------------------------------------------------- pure geometry


def C(text: str, x0: float, top: float, w: float = 10, h: float = 10, upright: bool = True):
    return pdf._Char(text, x0, top, x0 + w, top + h, upright)


def test_join_chars_spaces():
    line = [C("2", 0, 0, 5), C("0", 5, 0, 5), C("2", 10, 0, 5), C("3", 15, 0, 5), C("年", 23, 0)]
    assert pdf._join_chars(line) == "2023 年"
    spaced = [C("邮", 0, 0), C("编", 14, 0), C("：", 28, 0), C("1", 42, 0, 5)]
    assert pdf._join_chars(spaced) == "邮编：1"  # justification gaps between CJK are not spaces
    bold = [C("总", 0, 0), C("总", 0.4, 0), C("计", 10, 0)]
    assert pdf._join_chars(bold) == "总计"
    double_f = [C("O", 0, 0, 8), C("f", 8, 0, 3), C("f", 11, 0, 3), C("s", 14, 0, 5)]
    assert pdf._join_chars(double_f) == "Offs"


def test_cell_text_joins_wrapped_and_stacked_lines():
    stacked = [C(ch, 0, 12 * i) for i, ch in enumerate("三、本年度")]
    assert pdf._cell_text(stacked) == "三、本年度"
    wrapped = [C("结", 0, 0), C("果", 10, 0), C("维", 0, 12), C("持", 10, 12)]
    assert pdf._cell_text(wrapped) == "结果维持"
    english = [C("a", 0, 0, 5), C("b", 0, 12, 5)]
    assert pdf._cell_text(english) == "a b"


def _cell(text, x0, x1, top, bottom, page=1):
    return pdf._Cell(x0, top, x1, bottom, text, page)


def _frag(page, rows, top, bottom):
    return pdf._Fragment(page, 0, top, 100, bottom, [pdf._Row(r, r[0].top) for r in rows])


def test_merge_break_joins_a_row_cut_in_two():
    above = _frag(
        1, [[_cell("（二）部分公开（区分", 0, 60, 700, 760), _cell("4", 60, 100, 700, 760)]], 700, 760
    )
    below = _frag(2, [[_cell("处理的）", 0, 60, 80, 100, 2), _cell("", 60, 100, 80, 100, 2)]], 80, 100)
    pdf._merge_break(above, below)
    assert above.rows[0].cells[0].text == "（二）部分公开（区分处理的）"
    assert below.rows[0].dropped


def test_merge_break_keeps_a_new_row_and_joins_a_cut_merged_cell():
    group = _cell("三、本", 0, 20, 740, 760)
    above = _frag(
        1, [[group, _cell("（一）予以公开", 20, 60, 740, 760), _cell("9", 60, 100, 740, 760)]], 700, 760
    )
    rest = _cell("年度办理结果", 0, 20, 80, 200, 2)
    first = [rest, _cell("（二）部分公开", 20, 60, 80, 100, 2), _cell("0", 60, 100, 80, 100, 2)]
    below = _frag(2, [first], 80, 200)
    pdf._merge_break(above, below)
    assert group.text == "三、本年度办理结果"
    assert not below.rows[0].dropped
    assert [c.text for c in below.rows[0].cells] == ["（二）部分公开", "0"]


def test_merge_break_does_not_join_two_complete_rows():
    above = _frag(1, [[_cell("规章", 0, 60, 740, 760), _cell("0", 60, 100, 740, 760)]], 700, 760)
    below = _frag(2, [[_cell("行政规范性文件", 0, 60, 80, 100, 2), _cell("5", 60, 100, 80, 100, 2)]], 80, 100)
    pdf._merge_break(above, below)
    assert not below.rows[0].dropped and above.rows[0].cells[0].text == "规章"


def test_furniture_rules():
    page = pdf._Page(1, 595, 842, [], usable=True, has_rulings=False, has_graphics=False)
    page.lines = [
        pdf._TextLine("正文第一行", 72, 100, 300, 112),
        pdf._TextLine("— 3 —", 280, 800, 310, 812),
    ]
    pdf._drop_furniture([page])
    assert [ln.text for ln in page.lines] == ["正文第一行"]
    for s in ("- 3 -", "— 12 —", "第3页", "第 3 页 共 9 页", "3/9", "12"):
        assert pdf._PAGE_NUMBER.match(s), s


def test_only_borders_count_as_rulings():
    def rect(w, h, **kw):
        return {"object_type": "rect", "x0": 0, "x1": w, "top": 0, "bottom": h, **kw}

    white_fill = rect(444, 27, fill=True, stroke=False, non_stroking_color=(1.0, 1.0, 1.0))
    shading = rect(440, 35, fill=True, stroke=False, non_stroking_color=(0.78, 0.85, 0.95))
    thin_black = rect(400, 0.5, fill=True, stroke=False, non_stroking_color=(0,))
    framed = rect(100, 20, fill=False, stroke=True, stroking_color=(0, 0, 0))
    assert not pdf._is_ruling(white_fill) and not pdf._is_ruling(shading)
    assert pdf._is_ruling(thin_black) and pdf._is_ruling(framed)
    assert pdf._is_ruling({"object_type": "char"})


def test_closing_edges_close_a_table_left_open_at_the_page_break():
    verticals = [
        {"orientation": "v", "x0": x, "x1": x, "top": 600.0, "bottom": 778.4} for x in (77.0, 309.9, 515.8)
    ]
    edges = pdf._closing_edges(verticals)
    ys = sorted(e["top"] for e in edges)
    assert ys == [600.0, 778.4]
    assert all(e["x0"] == 77.0 and e["x1"] == 515.8 for e in edges)


def test_cell_search_finds_what_pdfplumber_finds():
    """`_cells` replaces pdfplumber's quadratic `intersections_to_cells`: same cells, same order, on grids
    with missing, broken and doubled rulings."""
    import random

    from pdfplumber.table import edges_to_intersections, intersections_to_cells

    def edge(orientation: str, at: float, start: float, end: float) -> dict:
        if orientation == "v":
            return {"orientation": "v", "x0": at, "x1": at, "top": start, "bottom": end}
        return {"orientation": "h", "x0": start, "x1": end, "top": at, "bottom": at}

    rnd = random.Random(12)
    for _ in range(300):
        xs = sorted(rnd.sample(range(0, 400, 10), rnd.randint(2, 9)))
        ys = sorted(rnd.sample(range(0, 400, 10), rnd.randint(2, 9)))
        edges = []
        for orientation, at_values, span in (("v", xs, ys), ("h", ys, xs)):
            for at in at_values:
                for _ in range(rnd.choice((1, 1, 2))):  # some rulings broken in two or drawn twice
                    start, end = sorted(rnd.sample(span, 2))
                    edges.append(edge(orientation, at, start, end))
        crossings = edges_to_intersections(edges, 1, 1)
        assert pdf._cells(crossings) == intersections_to_cells(crossings)
