"""PDFium is not thread-safe: two threads in it at once (say two page images of a PDF whose fonts are not
embedded, so both substitute fonts) corrupt its heap and kill the process. Every PDFium call in gongkai
holds `PDFIUM_LOCK`; rendering is also capped in pixels, so a huge page cannot take gigabytes.
"""

from __future__ import annotations

import io
import math
import threading

__all__ = ["MAX_RENDER_PIXELS", "PDFIUM_LOCK", "capped_scale", "render_page_png"]

PDFIUM_LOCK = threading.RLock()  # re-entrant: a reader holding it may call helpers that take it again

MAX_RENDER_PIXELS = 24_000_000  # about 100 MB as RGBA; an A4 page at 300 dpi is 8.7 million pixels


def capped_scale(
    width_pt: float, height_pt: float, scale: float, max_pixels: int = MAX_RENDER_PIXELS
) -> float:
    """``scale`` (pixels per point), lowered so the page image has at most ``max_pixels`` pixels."""
    area = max(width_pt, 1.0) * max(height_pt, 1.0)
    if area * scale * scale <= max_pixels:
        return scale
    return math.sqrt(max_pixels / area)


def render_page_png(
    data: bytes, page: int, scale: float = 2.0, max_pixels: int = MAX_RENDER_PIXELS
) -> bytes | None:
    """Page ``page`` (1-based) of a PDF as PNG at ``scale`` × 72 dpi (lowered to stay within ``max_pixels``);
    ``None`` when there is no such page or PDFium cannot open the file."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            return None
        try:
            if not 1 <= page <= len(pdf):
                return None
            p = pdf[page - 1]
            try:
                width, height = p.get_size()
                bitmap = p.render(scale=capped_scale(width, height, scale, max_pixels))
                img = bitmap.to_pil().copy()  # detached from PDFium's buffer before the lock is released
                bitmap.close()
            finally:
                p.close()
        finally:
            pdf.close()
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
