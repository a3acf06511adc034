"""A PDF whose pages mix a text layer and scanned images: the image pages are OCRed in place."""

from __future__ import annotations

import importlib.util
import io

import pytest

import gongkai
from tests.conftest import expected_cells

pytest.importorskip("pypdf")
if importlib.util.find_spec("rapidocr") is None:
    pytest.skip("OCR extra not installed", allow_module_level=True)


def test_scanned_page_inside_a_text_pdf_is_ocred(corpus):
    from pypdf import PdfReader, PdfWriter

    text_pdf = corpus / "variants" / "004_e99c3fa4f96ef56b.pdf"
    scan_pdf = corpus / "variants" / "004_e99c3fa4f96ef56b.scan.pdf"
    text, scan = PdfReader(text_pdf), PdfReader(scan_pdf)
    writer = PdfWriter()
    for i, page in enumerate(text.pages):
        writer.add_page(scan.pages[i] if i == 2 else page)  # page 3 (most of table 三) as an image
    buf = io.BytesIO()
    writer.write(buf)

    report = gongkai.parse_bytes(buf.getvalue(), "mixed.pdf")
    assert "OCR: pages 3" in report.notes
    want = expected_cells(text_pdf)
    assert {p: report.value(p) for p in want} == want
    assert report.uncertain() == {}
    pages = {w.get("page") for c in report.cells.values() for w in c.where}
    assert {2, 3} <= pages
