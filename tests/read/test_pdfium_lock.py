"""PDFium under one lock: page images of a PDF with non-embedded fonts rendered at once, in a child process
(a crash there fails this test instead of killing the run); huge pages capped in pixels under a memory cap."""

from __future__ import annotations

import pytest

pytest.importorskip("pypdfium2")

from gongkai.read.pdfium_lock import capped_scale, render_page_png
from tests.hostile import cjk_pdf, pdf_bytes, run_capped


def test_two_page_images_at_once():
    result = run_capped(
        """
        import threading
        from gongkai.read.pdfium_lock import render_page_png
        from tests.hostile import cjk_pdf
        data = cjk_pdf(2)
        images = {}
        def render(page):
            for _ in range(3):
                images[page] = render_page_png(data, page)
        threads = [threading.Thread(target=render, args=(p,)) for p in (1, 2)]
        for t in threads: t.start()
        for t in threads: t.join()
        assert all(images[p] and images[p].startswith(b"\\x89PNG") for p in (1, 2))
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


def test_missing_page_and_garbage():
    data = cjk_pdf(1)
    assert render_page_png(data, 2) is None
    assert render_page_png(data, 0) is None
    assert render_page_png(b"%PDF-1.4 not really", 1) is None


def test_huge_page_capped_in_pixels():
    assert capped_scale(595, 842, 2.0) == 2.0
    scale = capped_scale(14400, 14400, 2.0, max_pixels=1_000_000)
    assert 14400 * scale <= 1001
    result = run_capped(
        """
        from gongkai.read.pdfium_lock import render_page_png
        from tests.hostile import pdf_bytes
        png = render_page_png(pdf_bytes(["0 0 m 14400 14400 l S\\n"], box=(0, 0, 14400, 14400)), 1)
        assert png.startswith(b"\\x89PNG")
        print("ok")
        """,
        memory_mb=1024,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_huge_page_is_small_image():
    png = render_page_png(
        pdf_bytes(["0 0 m 14400 14400 l S\n"], box=(0, 0, 14400, 14400)), 1, max_pixels=250_000
    )
    assert png is not None and len(png) < 2_000_000
