"""OCR of huge pages stays within 1 GiB: each generated input is read in a child process whose address space
is capped at 1 GiB (``RLIMIT_AS``); it must give text (a document with lines), never a memory error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile import assemble_pdf, run_capped

pytest.importorskip("rapidocr")
cv2 = pytest.importorskip("cv2")
np = pytest.importorskip("numpy")

TEN_MB = 10 * 1024 * 1024


def page(width: int, height: int, channels: int = 1, size: float = 1.5):
    """A white page with a line of digits every few glyph heights down its whole height (one band of
    ink as tall as the page: the detector cannot take it in one piece)."""
    im = np.full((height, width, 3), 255, np.uint8)
    step = round(47 * size)
    for y in range(2 * step, height - step, step):
        cv2.putText(im, "1234", (60, y), cv2.FONT_HERSHEY_SIMPLEX, size, (0, 0, 0), round(2 * size))
    if channels == 1:
        return cv2.cvtColor(im, cv2.COLOR_BGR2GRAY)
    if channels == 4:
        return cv2.cvtColor(im, cv2.COLOR_BGR2BGRA)
    return im


def encode(ext: str, image) -> bytes:
    ok, buf = cv2.imencode(ext, image)
    assert ok
    return buf.tobytes()


def scanned_pdf(side_pt: int, image) -> bytes:
    """A one-page PDF of ``side_pt`` × ``side_pt`` points holding only a JPEG (a scan: no text layer)."""
    jpeg = encode(".jpg", image)
    h, w = image.shape[:2]
    content = b"q %d 0 0 %d 0 0 cm /Im1 Do Q" % (side_pt, side_pt)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /XObject << /Im1 5 0 R >> >> "
        b"/Contents 4 0 R >>" % (side_pt, side_pt),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n"
        % (w, h, len(jpeg))
        + jpeg
        + b"\nendstream",
    ]
    return assemble_pdf(objects)


def tiff_frames(n: int, side: int) -> bytes:
    ok, buf = cv2.imencodemulti(".tiff", [page(side, side, size=3)] * n)
    assert ok
    return bytes(buf)


CASES = {
    "pdf-14400pt-scan": lambda: scanned_pdf(14400, page(3000, 3000)),
    "png-8000-rgba": lambda: encode(".png", page(8000, 8000, 4, size=4)),  # 64 million pixels
    "tiff-3-frames-5000": lambda: tiff_frames(3, 5000),
}


@pytest.mark.parametrize("name", list(CASES))
def test_ocr_of_a_huge_page_stays_under_one_gib(name, tmp_path):
    data = CASES[name]()
    assert len(data) < TEN_MB
    path = Path(tmp_path / f"input.{name.split('-')[0]}")
    path.write_bytes(data)
    out = run_capped(
        f"""
        from gongkai.read import read_path
        doc = read_path({str(path)!r})
        digits = sum(line.text.count("1234") for line in doc.lines)
        print("pages", doc.pages, "digits", digits)
        """,
        memory_mb=1024,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    pages, digits = int(out.stdout.split()[1]), int(out.stdout.split()[3])
    assert pages == (3 if name.startswith("tiff") else 1)
    assert digits >= 10 * pages, out.stdout  # the lines were read, not just survived


def test_tall_band_detected_in_strips_finds_the_same_lines(monkeypatch):
    from gongkai.read import ocr

    image = encode(".png", page(1200, 1400))
    whole = [line.text for line in ocr.read(image, "page.png").lines]
    monkeypatch.setattr(ocr, "DET_MAX_PIXELS", 60_000)  # strips of 400 rows: lines on every seam
    strips = [line.text for line in ocr.read(image, "page.png").lines]
    assert len(whole) >= 15 and strips == whole
