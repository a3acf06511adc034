"""OCR of scans and images: exact table digits on the corpus scans and on an image drawn here."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("rapidocr")
cv2 = pytest.importorskip("cv2")
np = pytest.importorskip("numpy")
pytest.importorskip("pypdfium2")

from gongkai import template  # noqa: E402
from gongkai.errors import ConversionError, InputError  # noqa: E402
from gongkai.read.document import Document, Line  # noqa: E402
from tests.conftest import CORPUS  # noqa: E402

SCANS = {
    "000": CORPUS / "variants" / "000_f01d4dbb51cf7cd1.scan.pdf",
    "004": CORPUS / "variants" / "004_e99c3fa4f96ef56b.scan.pdf",
}
FONTS = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
]
T3_COLUMNS = [c.key for c in template.APPLICANT_COLUMNS]
T4_GROUPS = [g for g, _ in template.TABLE4_GROUPS]
T4_COLUMNS = [c.key for c in template.TABLE4_COLUMNS]


@pytest.fixture(scope="module")
def ocr():
    """The module under test, imported here rather than at collection time.

    Other tests simulate a missing OCR extra by blocking ``gongkai.read.ocr`` in ``sys.modules``; that only
    works while the package has no ``ocr`` attribute yet, so it is removed again afterwards.
    """
    import gongkai.read
    from gongkai.read import ocr as module

    yield module
    if "ocr" in vars(gongkai.read):
        delattr(gongkai.read, "ocr")


def _truth(key: str) -> dict:
    return json.loads(SCANS[key].with_name(SCANS[key].name + ".expected.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def scans(ocr) -> dict[str, list[Line]]:
    """Both corpus scans, OCR'd once: 000 through `read`, 004 through `ocr_pdf_pages` (pages 2–4)."""
    if not all(p.exists() for p in SCANS.values()):
        pytest.skip("shared corpus not available")
    doc = ocr.read(SCANS["000"].read_bytes(), str(SCANS["000"]))
    assert isinstance(doc, Document) and doc.format == "pdf" and doc.pages == 4
    notes: list[str] = []
    lines = ocr.ocr_pdf_pages(SCANS["004"].read_bytes(), [2, 3, 4], notes=notes)
    return {"000": doc.lines, "004": lines}


def _numbers(line: Line) -> list[str]:
    return [s.text for s in line.spans if s.text.isdigit()]


@pytest.mark.parametrize("key", ["000", "004"])
def test_scan_table3_new_row_is_exact(scans, key):
    rows = [ln for ln in scans[key] if ln.is_table_row and ln.spans[0].text.startswith("一、本年新收")]
    assert len(rows) == 1
    row = rows[0]
    expected = [str(_truth(key)["table3"]["new"][c]) for c in T3_COLUMNS]
    values = row.spans[1:]
    assert [s.text for s in values] == expected
    assert all(s.confidence is not None and s.confidence >= 0.5 for s in values)
    # one span per real cell, each with its grid column, page and a box in PDF points
    cols = [s.cell for s in row.spans]
    assert cols == sorted(cols) and len(set(cols)) == len(cols)
    for s in row.spans:
        assert s.page is not None and 0 <= s.x0 < s.x1 <= 596 and 0 <= s.top < s.bottom <= 842


@pytest.mark.parametrize("key", ["000", "004"])
def test_scan_table4_row_is_exact(scans, key):
    rows = [ln for ln in scans[key] if ln.is_table_row and len(_numbers(ln)) == 15]
    assert len(rows) == 1
    truth = _truth(key)["table4"]
    expected = [str(truth[g][c]) for g in T4_GROUPS for c in T4_COLUMNS]
    assert [s.text for s in rows[0].spans] == expected
    assert [s.cell for s in rows[0].spans] == list(range(15))


def test_scan_text_lines_in_reading_order(scans):
    text = [ln.text for ln in scans["000"] if not ln.is_table_row]
    assert text[0].startswith("新乡高新技术产业开发区管理委员会2024年")
    assert any("3539900" in t for t in text)
    heads = [t for t in text if t[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")]
    assert [h[:2] for h in heads] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert [ln.spans[0].line for ln in scans["000"]] == list(range(1, len(scans["000"]) + 1))


# ---------------------------------------------------------------- an image drawn here

GRID = [["7", "42", "105"], ["0", "3861", "19"], ["250", "8", "66"]]


def _grid_png(angle: float = 0.8) -> bytes:
    pytest.importorskip("PIL")
    from PIL import Image, ImageDraw, ImageFont

    font_path = next((p for p in FONTS if p.exists()), None)
    if font_path is None:
        pytest.skip("DejaVu Sans not installed")
    font = ImageFont.truetype(str(font_path), 30)
    img = Image.new("L", (760, 420), 255)
    draw = ImageDraw.Draw(img)
    draw.text((60, 30), "Report 2024", font=font, fill=0)
    x0, y0, cw, ch = 60, 120, 200, 80
    for i in range(4):
        draw.line([(x0, y0 + i * ch), (x0 + 3 * cw, y0 + i * ch)], fill=0, width=3)
        draw.line([(x0 + i * cw, y0), (x0 + i * cw, y0 + 3 * ch)], fill=0, width=3)
    for r, row in enumerate(GRID):
        for c, value in enumerate(row):
            draw.text((x0 + c * cw + 20, y0 + r * ch + 22), value, font=font, fill=0)
    arr = np.array(img)
    rot = cv2.getRotationMatrix2D((arr.shape[1] / 2, arr.shape[0] / 2), angle, 1.0)
    arr = cv2.warpAffine(arr, rot, (arr.shape[1], arr.shape[0]), borderValue=255)
    noise = np.random.default_rng(7).random(arr.shape) < 0.002
    arr[noise] = 0
    ok, buf = cv2.imencode(".png", arr)
    assert ok
    return buf.tobytes()


def test_drawn_grid_reads_back_exactly(ocr):
    doc = ocr.read(_grid_png(), "grid.png")
    assert doc.format == "image" and doc.pages == 1
    rows = [ln for ln in doc.lines if ln.is_table_row]
    assert [[s.text for s in ln.spans] for ln in rows] == GRID
    for ln in rows:
        assert [s.cell for s in ln.spans] == [0, 1, 2]
        for s in ln.spans:
            assert s.confidence is not None and s.confidence > 0.5
            assert 0 <= s.x0 < s.x1 <= 760 and 0 <= s.top < s.bottom <= 420  # image pixels
    title = doc.lines[0]
    assert not title.is_table_row and "2024" in title.text


def test_drawn_grid_as_jpeg_and_through_read_bytes(ocr):
    from gongkai.read import read_bytes

    png = cv2.imdecode(np.frombuffer(_grid_png(angle=-1.2), np.uint8), cv2.IMREAD_GRAYSCALE)
    ok, jpg = cv2.imencode(".jpg", png, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    doc = read_bytes(jpg.tobytes(), "grid.jpg")
    assert [[s.text for s in ln.spans] for ln in doc.lines if ln.is_table_row] == GRID
    assert doc.sha256


# ---------------------------------------------------------------- failures


def test_time_limit(ocr):
    with pytest.raises(ConversionError, match="OCR 超时"):
        ocr.read(_grid_png(), "grid.png", timeout=0)


def test_missing_rapidocr(ocr, monkeypatch):
    monkeypatch.setattr(ocr, "_ENGINE", None)
    monkeypatch.setitem(sys.modules, "rapidocr", None)  # import fails
    with pytest.raises(ConversionError, match="未安装 OCR 组件"):
        ocr.read(_grid_png(), "grid.png")


def test_not_an_image(ocr):
    with pytest.raises(InputError):
        ocr.read(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "broken.png")
    with pytest.raises(InputError):
        ocr.read(b"hello", "hello.txt")


def test_blank_page_has_no_lines(ocr):
    ok, buf = cv2.imencode(".png", np.full((300, 200), 255, np.uint8))
    assert ok
    assert ocr.read(buf.tobytes(), "blank.png").lines == []


def test_recheck_thresholds_come_from_the_settings(ocr, monkeypatch):
    """``OcrSettings.recheck_below`` decides which numbers are read again (0: none, 1: every one)."""
    from gongkai.settings import OcrSettings

    calls: list[int] = []
    real = ocr._Engine.recognize

    def counting(self, crops, deadline, cells=None):
        calls.append(len(crops))
        return real(self, crops, deadline, cells)

    monkeypatch.setattr(ocr._Engine, "recognize", counting)
    never = ocr.read(_grid_png(), "grid.png", settings=OcrSettings(recheck_below=0.0))
    assert len(calls) == 1  # one pass over the crops, no re-reading
    calls.clear()
    always = ocr.read(_grid_png(), "grid.png", settings=OcrSettings(recheck_below=1.0))
    assert len(calls) == 2 and calls[1] >= 4  # every number read again from four other crops
    assert [ln.text for ln in never.lines] == [ln.text for ln in always.lines]
