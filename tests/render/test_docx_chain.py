"""The generated-file chain: random valid values → `render_docx` → every reader → the same values.

DOCX (read from its XML), PDF exported by LibreOffice (text layer and ruling lines) and that PDF rasterised,
tilted and speckled into an image-only scan (OCR). DOCX and PDF must read back every cell exactly; the scan
must never read a wrong value (a cell listed as uncertain is acceptable there, and only there).
"""

from __future__ import annotations

import io
import random
import re
import shutil

import pytest

from gongkai import Report, parse_bytes, template
from gongkai.model import BLANK
from gongkai.render.docx import render_docx

AGENCY = "某某县人民政府办公室"
_DOCX_PATH = re.compile(r"^table\[\d+\]/tr\[\d+\]/tc\[\d+\]$")


def valid_values(rng: random.Random, layout_key: str) -> dict:
    """Cell values satisfying every identity of the layout: mostly one or two digits, a few larger."""
    lay = template.layout(layout_key)

    def count(big: int = 3000) -> int:
        r = rng.random()
        return rng.randint(0, 9) if r < 0.6 else rng.randint(10, 99) if r < 0.9 else rng.randint(100, big)

    values: dict = {}
    for row in lay.table2.rows:
        for c in row.columns:
            path = f"table2.{row.key}.{c.key}"
            if c.decimal:
                v = rng.randint(0, 99999) / rng.choice([1, 10, 100])
                values[path] = int(v) if float(v).is_integer() else v
            elif c.signed:
                values[path] = rng.randint(-30, 30)
            else:
                values[path] = count()
    cols = [c.key for c in lay.table3.columns]
    results = template.result_rows(lay)
    small = lambda: rng.choice([0, 0, count(300)])  # noqa: E731 - most result cells of a real report are 0
    matrix = {r: [small() for _ in range(6)] for r in results}
    matrix["total"] = [sum(matrix[r][i] for r in results) for i in range(6)]
    matrix["carried_forward"] = [rng.randint(0, 5) for _ in range(6)]
    matrix["carried_over"] = [
        min(rng.randint(0, 5), matrix["total"][i] + matrix["carried_forward"][i]) for i in range(6)
    ]
    matrix["new"] = [
        matrix["total"][i] + matrix["carried_forward"][i] - matrix["carried_over"][i] for i in range(6)
    ]
    for r, six in matrix.items():
        for key, v in zip(cols, [*six, sum(six)], strict=True):
            values[f"table3.{r}.{key}"] = v
    for g, _ in lay.table4.groups:
        four = [rng.choice([0, rng.randint(0, 12)]) for _ in range(4)]
        for c, v in zip(lay.table4.columns, [*four, sum(four)], strict=True):
            values[f"table4.{g}.{c.key}"] = v
    return values


def _satisfies_identities(values: dict, layout_key: str) -> bool:
    return all(
        sum(values[p] for p in i.left) == sum(values[p] for p in i.right)
        for i in template.identities(layout_key)
    )


def _assert_exact(report: Report, values: dict, layout_key: str, year: int, *, allow_uncertain=False) -> None:
    assert report.meta["template"] == layout_key
    assert report.meta["year"] == year
    assert report.meta["agency"] == AGENCY
    assert list(report.sections) == [s.key for s in template.SECTIONS]
    unsure = report.uncertain()
    assert set(report.cells) == set(values)
    wrong = {p: (report.value(p), v) for p, v in values.items() if p not in unsure and report.value(p) != v}
    assert not wrong, f"wrong values (got, want): {wrong}"
    if not allow_uncertain:
        assert not unsure, f"uncertain cells: {unsure}"


def _case(seed: int, layout_key: str = "2021") -> tuple[dict, int]:
    values = valid_values(random.Random(seed), layout_key)
    assert _satisfies_identities(values, layout_key)
    return values, 2020 if layout_key == "2019" else 2021 + seed % 4


# ---------------------------------------------------------------- DOCX


@pytest.mark.parametrize(("seed", "layout_key"), [(1, "2021"), (2, "2021"), (3, "2021"), (4, "2019")])
def test_docx_reads_back_exactly(seed, layout_key):
    values, year = _case(seed, layout_key)
    data = render_docx(values, layout_key, agency=AGENCY, year=year)
    report = parse_bytes(data, f"generated-{seed}.docx")
    _assert_exact(report, values, layout_key, year)
    for cell in report.cells.values():
        assert cell.where and all(_DOCX_PATH.match(w.get("path", "")) for w in cell.where), cell


def test_docx_from_a_report_keeps_its_values_and_texts():
    values, year = _case(5)
    first = parse_bytes(render_docx(values, agency=AGENCY, year=year), "first.docx")
    first.sections[
        "s1"
    ].text = "本年度，本机关认真贯彻落实《条例》。\n（一）主动公开\n全年主动公开信息 120 条。"
    first.cells["table2.rules.issued"].value = None  # a blank cell prints as an empty cell
    first.cells["table2.rules.issued"].status = BLANK
    again = parse_bytes(render_docx(first), "again.docx")
    assert again.meta["agency"] == AGENCY and again.meta["year"] == year
    assert again.value("table2.rules.issued") is None
    for path, want in values.items():
        if path != "table2.rules.issued":
            assert again.value(path) == want, path
    assert again.sections["s1"].text == first.sections["s1"].text
    assert [p["heading"] for p in again.sections["s1"].parts] == ["主动公开"]


def test_docx_layout_structure():
    """The official merged cells, borders on every cell and the CJK font on every run."""
    docx = pytest.importorskip("docx")
    from docx.oxml.ns import qn

    data = render_docx({}, "2021", agency=AGENCY, year=2024)
    doc = docx.Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[0] == f"{AGENCY}\n2024年政府信息公开工作年度报告"  # broken after the agency
    assert [f"{s.number}、{s.title}" for s in template.SECTIONS] == [t for t in texts if t[1:2] == "、"]
    t2, t3, t4 = (t._tbl for t in doc.tables)
    assert [len(t.findall(qn("w:tblGrid") + "/" + qn("w:gridCol"))) for t in (t2, t3, t4)] == [4, 10, 15]
    first_row = t3.findall(qn("w:tr"))[0]
    corner = first_row.findall(qn("w:tc"))[0]
    assert "".join(x.text for x in corner.iter(qn("w:t"))) == f"（{template.TABLE3_NOTE}）"
    assert corner.find(qn("w:tcPr") + "/" + qn("w:gridSpan")).get(qn("w:val")) == "3"
    assert corner.find(qn("w:tcPr") + "/" + qn("w:vMerge")).get(qn("w:val")) == "restart"
    for tbl in (t2, t3, t4):
        for tc in tbl.iter(qn("w:tc")):
            borders = tc.find(qn("w:tcPr") + "/" + qn("w:tcBorders"))
            assert [b.get(qn("w:val")) for b in borders] == ["single"] * 4
    from gongkai.render.docx import FONTS

    for r_fonts in doc.element.body.iter(qn("w:rFonts")):  # every run names a CJK font of the layout
        assert r_fonts.get(qn("w:eastAsia")) in set(FONTS.values())


# ---------------------------------------------------------------- PDF (LibreOffice)


def _need_soffice() -> None:
    from gongkai.read.convert import find_soffice

    if find_soffice() is None and not shutil.which("soffice"):
        pytest.skip("LibreOffice (soffice) not installed")


@pytest.fixture(scope="module")
def pdf_2021() -> tuple[bytes, dict, int]:
    _need_soffice()
    pytest.importorskip("pdfplumber")
    pytest.importorskip("pypdfium2")
    from gongkai.read.convert import convert_to_pdf

    values, year = _case(1)
    return convert_to_pdf(render_docx(values, agency=AGENCY, year=year)), values, year


def _assert_pdf_provenance(report: Report) -> None:
    for cell in report.cells.values():
        assert cell.where, cell
        for w in cell.where:
            assert w.get("page", 0) >= 1 and len(w.get("bbox", ())) == 4, cell


def test_pdf_reads_back_exactly(pdf_2021):
    data, values, year = pdf_2021
    report = parse_bytes(data, "generated.pdf")
    assert report.meta["format"] == "pdf"
    _assert_exact(report, values, "2021", year)
    _assert_pdf_provenance(report)
    # Table 三 runs over a page break (its header rows repeat on the next page).
    assert len({w["page"] for p, c in report.cells.items() if p.startswith("table3.") for w in c.where}) > 1


def test_pdf_2019_layout_reads_back_exactly():
    _need_soffice()
    pytest.importorskip("pdfplumber")
    from gongkai.read.convert import convert_to_pdf

    values, year = _case(4, "2019")
    data = convert_to_pdf(render_docx(values, "2019", agency=AGENCY, year=year))
    report = parse_bytes(data, "generated-2019.pdf")
    _assert_exact(report, values, "2019", year)
    _assert_pdf_provenance(report)


# ---------------------------------------------------------------- scan (rasterised PDF, OCR)


@pytest.fixture
def ocr_module():
    """OCR imported for this test only (other tests block ``gongkai.read.ocr`` to simulate it missing)."""
    pytest.importorskip("rapidocr")
    pytest.importorskip("cv2")
    import gongkai.read
    from gongkai.read import ocr

    yield ocr
    if "ocr" in vars(gongkai.read):
        delattr(gongkai.read, "ocr")


def _scan(pdf: bytes, dpi: int = 180, angle: float = 0.7, seed: int = 0) -> bytes:
    """An image-only PDF of ``pdf``'s pages: rendered, tilted by ``angle`` degrees, speckled, JPEG."""
    import cv2
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    rng = np.random.default_rng(seed)
    pages = []
    doc = pdfium.PdfDocument(pdf)
    try:
        for i in range(len(doc)):
            grey = np.asarray(doc[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
            h, w = grey.shape
            turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
            grey = cv2.warpAffine(grey, turn, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
            noisy = grey.astype(np.int16) + rng.normal(0, 8, grey.shape).astype(np.int16)
            specks = rng.random(grey.shape) < 0.0004
            noisy[specks] = rng.integers(0, 120, int(specks.sum()))
            pages.append(Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)))
    finally:
        doc.close()
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=dpi, quality=85)
    return out.getvalue()


def test_scan_never_reads_a_wrong_value(pdf_2021, ocr_module):
    data, values, year = pdf_2021
    scan = _scan(data)
    report = parse_bytes(scan, "generated.scan.pdf")
    _assert_exact(report, values, "2021", year, allow_uncertain=True)
    _assert_pdf_provenance(report)
    assert len(report.uncertain()) <= 3, report.uncertain()
