"""Scanned PDFs and images: OCR into text lines and table rows, offline.

Pipeline for one page (a PDF page rendered at ``dpi``, or a decoded image, in grey):

1. **Deskew.** The skew is the angle that makes the horizontal ink profile sharpest (searched within ±5° on
   a quarter-size copy); the page is rotated back before anything is measured.
2. **Ruling lines.** On the binarised page (local threshold, light shading counts as background),
   openings with long thin kernels keep horizontal and vertical strokes. Short ones count only when both
   ends touch a rule of the other direction, so that a ``1`` or an ``一`` is never taken for a rule.
3. **Grid.** Each connected set of rules with at least two cells is a table. Its clustered rule positions
   give the expanded grid; a grid unit merges with its neighbour wherever the rule between them is
   missing, so a merged cell comes out once, in its top row, with the grid column of its left edge as
   ``cell``. Empty cells are kept (text ``""``) so that column positions stay explicit.
4. **Cell text.** Inside a cell the ink (rules and specks ignored) is cut into text lines by its row
   profile and each line crop goes straight to the recogniser: no detector, so every glyph stays in its
   cell (measured on the corpus scans: faster and more exact than detecting text boxes on the whole page
   and assigning them to cells, which also picks up rule fragments as ``[`` or ``J``). Text outside the
   tables goes through the detector, band by band, and comes out as one line per visual line.
5. **Digits.** A cell whose reading looks numeric is decoded again with the alphabet restricted to digits
   and number punctuation (the blank/character segmentation of the CTC output is kept, only the character
   changes), so ``O``/``l`` lookalikes cannot appear; its confidence is the weakest character's
   probability. Below ``OcrSettings.recheck_below`` the cell is re-read from other crops of the same ink
   (wider padding, denoised, binarised, upsampled); when the readings disagree the best-supported one is
   kept, its confidence is capped at ``OcrSettings.disagree_cap`` and the alternatives go to the notes.

Coordinates are PDF points (top-left origin) for PDFs and pixels of the original image for images, mapped
back through the deskew rotation; a table cell's box is the cell, a text line's box its text. The
recogniser is rapidocr's default Chinese model, shipped inside the wheel: nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import logging
import math
import os
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from gongkai.errors import ConversionError, InputError
from gongkai.read.document import Document, Line, Span
from gongkai.read.pdfium_lock import PDFIUM_LOCK, capped_scale
from gongkai.read.services import simplify_document
from gongkai.settings import OcrSettings

# OpenCV refuses to decode images above this many pixels (its default is 2^30): a 10 MB PNG declaring
# 60000 × 60000 pixels must not allocate gigabytes. A page scanned at 600 dpi is 35 million.
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(64 * 1024 * 1024))
# OCR does no linear algebra, but the OpenBLAS bundled with OpenCV and numpy reserves ~90 MB of address
# space per thread when it loads: one thread keeps a page's OCR within 1 GiB (onnxruntime has its own).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
OCR_MAX_PIXELS = 9_000_000  # a page is OCRed at most this large (A4 at 300 dpi is 8.7 million)

try:
    import cv2
    import numpy as np
except ImportError:  # the [ocr] extra is not installed: every entry point says so
    cv2 = np = None  # type: ignore[assignment]

__all__ = ["DEFAULT_DPI", "DEFAULT_TIMEOUT", "ocr_pdf_pages", "read"]

DEFAULT_TIMEOUT = OcrSettings.timeout  # seconds per file
DEFAULT_DPI = OcrSettings.dpi  # rendering resolution for PDF pages
MAX_SIDE = 3600  # larger page images are scaled down first (300 dpi A4 is 3508 px high)
MIN_REC_WIDTH = 96  # recogniser input width floor (its height is 48): a lone glyph needs context (0 vs O)
REC_BATCH_PIXELS = 1600  # widest recogniser batch in input columns: wide lines run faster alone
DET_GLYPH = 12.0  # the detector sees a page scaled so that a typical glyph is about this high (px)
# the detector's memory grows by ~250 bytes per input pixel (2048 × 2048 takes 1 GB): a taller band is
# detected in overlapping strips of at most this many input pixels each
DET_MAX_PIXELS = 1_000_000

_NOT_INSTALLED = "未安装 OCR 组件 (OCR not installed: pip install 'gongkai[ocr]')"
_NUMERIC_CHARS = "0123456789.,%-"
_ZERO_LIKE = set("OoDQ〇口ОоΟοθ")  # Latin, CJK, Cyrillic and Greek rounds
_LOOKALIKES = _ZERO_LIKE | set("lI|!iZzSsBbGgq，．-—－")

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in working pixels


# --------------------------------------------------------------------------------------------------------
# public API


def read(
    data: bytes,
    source: str,
    *,
    settings: OcrSettings | None = None,
    timeout: float | None = None,
    dpi: int | None = None,
) -> Document:
    """OCR a scanned PDF or a PNG/JPEG/TIFF image into a `Document` of text lines and table rows.

    ``settings``: resolution, time limit and the digit re-reading thresholds (`OcrSettings`; ``timeout``
    and ``dpi`` given on their own take precedence). Raises `ConversionError` when OCR is not installed
    or the file takes longer than the time limit, `InputError` when the bytes are not a readable image
    or PDF.
    """
    settings = settings or OcrSettings()
    dpi = settings.dpi if dpi is None else dpi
    deadline = _Deadline(settings.timeout if timeout is None else timeout, settings)
    if data[:1024].find(b"%PDF-") >= 0:
        fmt = "pdf"
    elif data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        fmt = "image"
    else:
        raise InputError("不是图像或 PDF (not an image or a PDF)")
    if cv2 is None:
        raise ConversionError(_NOT_INSTALLED)
    doc = Document(source=source, format=fmt)
    if fmt == "pdf":
        engine = _engine()
        pdf = _open_pdf(data)
        try:
            with PDFIUM_LOCK:
                doc.pages = len(pdf)
            pages = [(i + 1, _renderer(pdf, i, dpi)) for i in range(doc.pages)]
            _ocr_pages(engine, pages, doc.lines, doc.notes, deadline, first_line=1)
        finally:
            with PDFIUM_LOCK:
                pdf.close()
        doc.notes.append(
            f"OCR: 扫描 PDF，{doc.pages} 页按 {dpi} dpi 识别 (scanned PDF, {doc.pages} pages at {dpi} dpi)"
        )
    else:
        # one frame in memory at a time; the first is decoded before the engine loads (a frame of 64 million
        # pixels takes twice its size while it is decoded)
        for number, image in enumerate(_decode_image(data), start=1):
            lines = doc.lines
            _ocr_pages(_engine(), [(number, _given(image))], lines, doc.notes, deadline, len(lines) + 1)
            doc.pages = number
        doc.notes.append(f"OCR: 图像 {doc.pages} 页 (image, {doc.pages} page(s))")
    return simplify_document(doc)


def ocr_pdf_pages(
    data: bytes,
    pages: list[int],
    *,
    settings: OcrSettings | None = None,
    timeout: float | None = None,
    dpi: int | None = None,
    first_line: int = 1,
    notes: list[str] | None = None,
) -> list[Line]:
    """OCR the given 1-based pages of a PDF (for pages without a usable text layer).

    Lines come in page order, numbered from ``first_line``; notes on uncertain digits are appended to
    ``notes`` when it is given. Pages out of range are ignored. ``settings``, ``timeout``, ``dpi``: as
    for `read`.
    """
    settings = settings or OcrSettings()
    dpi = settings.dpi if dpi is None else dpi
    deadline = _Deadline(settings.timeout if timeout is None else timeout, settings)
    engine = _engine()
    pdf = _open_pdf(data)
    out: list[Line] = []
    try:
        with PDFIUM_LOCK:
            count = len(pdf)
        wanted = sorted({p for p in pages if 1 <= p <= count})
        todo = [(p, _renderer(pdf, p - 1, dpi)) for p in wanted]
        _ocr_pages(engine, todo, out, notes if notes is not None else [], deadline, first_line=first_line)
    finally:
        with PDFIUM_LOCK:
            pdf.close()
    return out


# --------------------------------------------------------------------------------------------------------
# time limit and engine


class _Deadline:
    """One OCR run's time limit, and its settings (which travel with it)."""

    def __init__(self, seconds: float, settings: OcrSettings | None = None):
        self.seconds = seconds
        self.settings = settings or OcrSettings()
        self.start = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def check(self) -> None:
        if self.elapsed() > self.seconds:
            raise ConversionError(f"OCR 超时 (OCR timed out after {self.seconds:g} s)")


_ENGINE: _Engine | None = None
_ENGINE_LOCK = threading.Lock()


def _engine() -> _Engine:
    global _ENGINE
    if _ENGINE is None:
        with _ENGINE_LOCK:
            if _ENGINE is None:
                _ENGINE = _Engine()
    return _ENGINE


def _few_malloc_arenas() -> None:
    """glibc gives each new thread its own malloc arena, up to 8 per core, each reserving 64 MB or more of
    address space that stays mapped: onnxruntime's threads would take hundreds of MB of a process run under
    an address-space cap (``ulimit -v``). Two arenas serve them as fast (they mostly wait on the GIL)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL(None).mallopt(-8, 2)  # M_ARENA_MAX


class _Engine:
    """rapidocr's detector and recogniser sessions, driven directly: own resizing, batching and decoding."""

    def __init__(self):
        if cv2 is None:
            raise ConversionError(_NOT_INSTALLED)
        try:
            from rapidocr import RapidOCR
        except ImportError:
            raise ConversionError(_NOT_INSTALLED) from None
        _few_malloc_arenas()
        affinity = getattr(os, "sched_getaffinity", None)
        threads = max(1, len(affinity(0))) if affinity else -1
        params = {
            "Global.log_level": "error",
            # one thread per usable core: oversubscribing a pinned core costs ~40 %
            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        }
        try:
            ocr = RapidOCR(params=params)
            det = ocr._load_det_model()
            rec = ocr._load_rec_model()
            self._det_session = det.session
            self._det_post = det.postprocess_op
            self._rec_session = rec.session
            self.chars = list(rec.postprocess_op.character)
        except ImportError:
            raise ConversionError(_NOT_INSTALLED) from None
        except Exception as e:  # a model missing from the wheel, an incompatible rapidocr …
            raise ConversionError(
                f"OCR 组件无法加载 (OCR engine failed to load: {type(e).__name__})"
            ) from None
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        self.numeric_idx = np.array(
            [i for i, c in enumerate(self.chars) if c in _NUMERIC_CHARS], dtype=np.int64
        )
        self.lock = threading.Lock()  # the sessions are thread-safe, rapidocr's post-processing is not

    def detect(self, gray, scale: float, overlap: int = 0) -> list[Box]:
        """Axis-aligned boxes of text lines in a grey image, detected on a copy scaled by ``scale``, in
        strips of at most `DET_MAX_PIXELS` input pixels that overlap by ``overlap`` source rows (more
        than a text line is high): a box is kept by the strip whose middle part holds its centre."""
        h, w = gray.shape[:2]
        overlap = max(overlap, math.ceil(64 / scale))
        tile = max(2 * overlap + math.ceil(32 / scale), int(DET_MAX_PIXELS / max(1.0, w * scale) / scale))
        if h <= tile:
            return self._detect(gray, scale)
        out = []
        step = tile - overlap
        for start in range(0, h - overlap, step):
            low = start + overlap / 2 if start else 0
            high = start + tile - overlap / 2 if start + tile < h else h
            for x0, y0, x1, y1 in self._detect(gray[start : start + tile], scale):
                if low <= start + (y0 + y1) / 2 < high:
                    out.append((x0, y0 + start, x1, y1 + start))
        return out

    def _detect(self, gray, scale: float) -> list[Box]:
        h, w = gray.shape[:2]
        rh = max(32, round(h * scale / 32) * 32)
        rw = max(32, round(w * scale / 32) * 32)
        small = cv2.resize(gray, (rw, rh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
        x = np.repeat((small.astype(np.float32) / 127.5 - 1.0)[None, None], 3, axis=1)
        del small
        with self.lock:
            preds = self._det_session(x)
            del x
            quads, _scores = self._det_post(preds, (h, w))
        out = []
        for quad in quads:
            q = np.asarray(quad)
            x0, y0 = q.min(axis=0)
            x1, y1 = q.max(axis=0)
            if x1 - x0 >= 2 and y1 - y0 >= 2:
                out.append((int(x0), int(y0), int(x1), int(y1)))
        return out

    def recognize(self, crops: list, deadline: _Deadline, cells: list[bool] | None = None) -> list[_Reading]:
        """Read grey line crops, batching similar widths.

        Crops flagged in ``cells`` are table-cell content: a numeric-looking reading is re-decoded with
        the digit alphabet.
        """
        height = 48
        prepared = []
        for crop in crops:
            h, w = crop.shape[:2]
            tw = min(max(8, math.ceil(height * w / max(h, 1))), height * 60)
            interp = cv2.INTER_AREA if h > height else cv2.INTER_LINEAR
            prepared.append(cv2.resize(crop, (tw, height), interpolation=interp))
        order = sorted(range(len(prepared)), key=lambda i: prepared[i].shape[1])
        results: list[_Reading] = [_Reading("", 0.0)] * len(prepared)
        k = 0
        while k < len(order):
            batch = [order[k]]
            w0 = prepared[order[k]].shape[1]
            k += 1
            while (
                k < len(order)
                and len(batch) < 16
                and prepared[order[k]].shape[1] <= w0 * 1.25 + 16
                and (len(batch) + 1) * max(MIN_REC_WIDTH, prepared[order[k]].shape[1]) <= REC_BATCH_PIXELS
            ):
                batch.append(order[k])
                k += 1
            # padded with 0 after normalisation: the neutral grey the model was trained with
            wmax = max(MIN_REC_WIDTH, *(prepared[i].shape[1] for i in batch))
            x = np.zeros((len(batch), 3, height, wmax), dtype=np.float32)
            for j, i in enumerate(batch):
                im = prepared[i].astype(np.float32) / 127.5 - 1.0
                x[j, :, :, : im.shape[1]] = im[None]
            with self.lock:
                preds = self._rec_session(x)
            for j, i in enumerate(batch):
                numeric = cells is not None and cells[i]
                results[i] = self._decode(preds[j], numeric, deadline.settings.recheck_below)
            deadline.check()
        return results

    def _decode(self, probs, numeric: bool, recheck_below: float) -> _Reading:
        """Greedy CTC decoding; each character's confidence is its best frame's probability."""
        idx = probs.argmax(axis=1)
        runs: list[list[int]] = []  # [start, end) frames of each emitted character
        prev = 0
        for t, c in enumerate(idx):
            if c != 0 and c == prev:
                runs[-1][1] = t + 1
            elif c != 0:
                runs.append([t, t + 1])
            prev = c
        chars, confs = [], []
        for s, e in runs:
            c = int(idx[s])
            chars.append(self.chars[c] if c < len(self.chars) else "")
            confs.append(float(probs[s:e, c].max()))
        text = "".join(chars)
        reading = _Reading(text.strip(), float(np.mean(confs)) if confs else 0.0)
        if numeric and _looks_numeric(text):
            kept = [r for r, ch in zip(runs, chars, strict=True) if not ch.isspace()]
            self._numeric(probs, kept, reading, recheck_below)
        return reading

    def _numeric(self, probs, runs: list[list[int]], reading: _Reading, recheck_below: float) -> None:
        """Decode again with the digit alphabet, keeping where the characters are; the characters read
        with less than ``recheck_below`` give alternatives."""
        allowed = self.numeric_idx
        chars, confs, seconds = [], [], []
        for s, e in runs:
            p = probs[s:e][:, allowed].max(axis=0)
            best, second = (int(v) for v in np.argsort(-p)[:2])
            chars.append(self.chars[int(allowed[best])])
            confs.append(float(p[best]))
            seconds.append((self.chars[int(allowed[second])], float(p[second])))
        # a speck beside a number reads as a leading or trailing point: never part of the value
        while chars and chars[-1] in ".,":
            chars.pop(), confs.pop(), seconds.pop()
        while chars and chars[0] in ".,":
            chars.pop(0), confs.pop(0), seconds.pop(0)
        text = "".join(chars)
        reading.text = text
        reading.numeric = True
        reading.confidence = min(confs) if confs else 0.0
        reading.alternatives = [
            text[:pos] + alt + text[pos + 1 :]
            for pos, (alt, p) in enumerate(seconds)
            if p >= 0.05 and confs[pos] < recheck_below
        ]


@dataclass
class _Reading:
    text: str
    confidence: float
    numeric: bool = False
    alternatives: list[str] = field(default_factory=list)


def _looks_numeric(text: str) -> bool:
    """Digits, number punctuation and the letters digits are misread as (accents stripped: ó is o)."""
    t = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    t = unicodedata.normalize("NFKC", t).replace(" ", "")
    if not t or len(t) > 24:
        return False
    if not any(ch.isdigit() or ch in _ZERO_LIKE for ch in t):
        return False
    return all(ch in _NUMERIC_CHARS or ch in _LOOKALIKES for ch in t)


# --------------------------------------------------------------------------------------------------------
# inputs


def _open_pdf(data: bytes):
    try:
        import pypdfium2 as pdfium
    except ImportError:
        raise ConversionError(_NOT_INSTALLED) from None
    try:
        with PDFIUM_LOCK:
            return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise InputError("PDF 已加密 (encrypted PDF)") from None
        raise InputError("PDF 文件损坏，无法打开 (corrupt PDF)") from None


def _renderer(pdf, index: int, dpi: int) -> Callable[[], tuple]:
    """A page in grey at ``dpi`` with its scale: (image, pixels per PDF point)."""

    def render():
        with PDFIUM_LOCK:
            page = pdf[index]
            try:
                width, height = page.get_size()
                scale = capped_scale(width, height, dpi / 72, OCR_MAX_PIXELS)
                arr = np.array(page.render(scale=scale, grayscale=True).to_numpy(), copy=True)
            finally:
                page.close()
        if arr.ndim == 3:
            arr = arr[:, :, 0] if arr.shape[2] == 1 else cv2.cvtColor(arr[:, :, :3], cv2.COLOR_BGR2GRAY)
        return arr, scale

    return render


def _given(image) -> Callable[[], tuple]:
    return lambda: (image, 1.0)


def _decode_image(data: bytes) -> Iterator:
    """The frames of an image one at a time (a multi-page TIFF is never decoded whole), each scaled to at
    most `OCR_MAX_PIXELS` and made grey before anything else is done with it."""
    buf = np.frombuffer(data, dtype=np.uint8)
    tiff = data.startswith((b"II*\x00", b"MM\x00*"))
    for index in itertools.count():
        frame = _decode_frame(buf, tiff, index)
        if frame is None:
            if not index:
                raise InputError("图像无法解码 (cannot decode image)")
            return
        gray = _to_gray(_within_pixels(frame))
        del frame  # the full-size frame is not kept while the page is read
        yield gray


def _decode_frame(buf, tiff: bool, index: int):
    """Frame ``index`` of an image as decoded (None past the last)."""
    try:
        if tiff:
            ok, frames = cv2.imdecodemulti(buf, cv2.IMREAD_UNCHANGED, None, (index, index + 1))
            return frames[0] if ok and frames else None
        if index:
            return None
        im = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
        if im is not None and not (im.ndim == 3 and im.shape[2] == 4):
            del im  # freed before decoding again
            im = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)  # this one applies the EXIF orientation
        return im
    except cv2.error:  # above OPENCV_IO_MAX_IMAGE_PIXELS, or damaged
        raise InputError("图像过大或已损坏 (image too large or damaged)") from None


def _within_pixels(gray):
    """A page image (grey or colour) scaled down to at most `OCR_MAX_PIXELS` (the OCR passes keep several
    copies)."""
    h, w = gray.shape[:2]
    if h * w <= OCR_MAX_PIXELS:
        return gray
    f = math.sqrt(OCR_MAX_PIXELS / (h * w))
    return cv2.resize(gray, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)


def _to_gray(im):
    if im.dtype != np.uint8:
        im = cv2.convertScaleAbs(im, alpha=255.0 / max(float(im.max()), 1.0))
    if im.ndim == 2:
        return im
    if im.shape[2] == 4:  # transparency: composite on white
        alpha = im[:, :, 3:4].astype(np.float32) / 255
        rgb = im[:, :, :3].astype(np.float32) * alpha + 255 * (1 - alpha)
        return cv2.cvtColor(rgb.astype(np.uint8), cv2.COLOR_BGR2GRAY)
    if im.shape[2] == 1:
        return im[:, :, 0]
    return cv2.cvtColor(im[:, :, :3], cv2.COLOR_BGR2GRAY)


# --------------------------------------------------------------------------------------------------------
# page geometry


@dataclass
class _Page:
    number: int
    gray: np.ndarray  # deskewed grey image
    fg: np.ndarray  # binarised ink, uint8 0/1
    inverse: np.ndarray  # 2x3 affine: working pixels -> source pixels
    per_unit: float  # source pixels per output unit (PDF point, or 1 for images)
    unit: float  # typical glyph height in working pixels

    def bbox(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        pts = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=np.float64)
        src = pts @ self.inverse.T / self.per_unit
        return (
            round(float(src[:, 0].min()), 1),
            round(float(src[:, 1].min()), 1),
            round(float(src[:, 0].max()), 1),
            round(float(src[:, 1].max()), 1),
        )


def _prepare(number: int, gray, per_unit: float) -> _Page:
    h, w = gray.shape
    scale = 1.0
    if max(h, w) > MAX_SIDE:
        scale = MAX_SIDE / max(h, w)
        gray = cv2.resize(gray, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
        h, w = gray.shape
    to_source = np.array([[1 / scale, 0.0, 0.0], [0.0, 1 / scale, 0.0]])
    angle = _skew_angle(gray)
    if abs(angle) >= 0.05:
        rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        gray = cv2.warpAffine(gray, rot, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
        back = np.vstack([cv2.invertAffineTransform(rot), [0.0, 0.0, 1.0]])
        to_source = to_source @ back
    fg = _binarise(gray)
    return _Page(number, gray, fg, to_source, per_unit, _glyph_unit(fg))


def _skew_angle(gray) -> float:
    """Rotation (degrees, OpenCV sense) that makes the horizontal ink profile sharpest."""
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    t, _ = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = (small < t).astype(np.float32)
    if ink.sum() < 50 or min(ink.shape) < 16:
        return 0.0
    h, w = ink.shape
    center = (w / 2, h / 2)

    def sharpness(a: float) -> float:
        r = cv2.warpAffine(
            ink, cv2.getRotationMatrix2D(center, float(a), 1.0), (w, h), flags=cv2.INTER_LINEAR
        )
        d = np.diff(r.sum(axis=1))
        return float((d * d).sum())

    best = max(np.arange(-5.0, 5.01, 0.25), key=sharpness)
    best = max(np.arange(best - 0.25, best + 0.251, 0.05), key=sharpness)
    return float(best)


def _binarise(gray):
    t, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    block = max(15, (min(gray.shape) // 40) | 1)
    local = cv2.adaptiveThreshold(gray, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 12)
    limit = min(220.0, float(t) + (255.0 - float(t)) * 0.25)  # light shading is background
    return (local & (gray < limit)).astype(np.uint8)


def _glyph_unit(fg) -> float:
    """Median height of glyph-sized ink components (20 px when there are too few)."""
    _n, _labels, stats, _c = cv2.connectedComponentsWithStats(fg, connectivity=8)
    hs = stats[1:, cv2.CC_STAT_HEIGHT]
    ws = stats[1:, cv2.CC_STAT_WIDTH]
    sel = hs[(hs >= 8) & (hs <= 150) & (ws >= 3) & (ws <= 150)]
    if len(sel) < 10:
        return 20.0
    return float(np.clip(np.median(sel), 10, 80))


def _speck(unit: float) -> int:
    """Ink smaller than this (longest side, pixels) is scanner noise, not a glyph, a dash or a dot."""
    return max(4, round(unit * 0.3))


# --------------------------------------------------------------------------------------------------------
# tables


@dataclass
class _Cell:
    row: int
    col: int
    x0: int
    y0: int
    x1: int
    y1: int
    crops: list[int] = field(default_factory=list)  # indices into the page's crop list


def _rules(page: _Page):
    """Horizontal and vertical rule masks (uint8 0/1)."""
    fg, u = page.fg, page.unit
    hk = max(12, round(u * 1.2))
    vk = max(10, round(u * 0.8))
    hmask = cv2.morphologyEx(fg, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (hk, 1)))
    vmask = cv2.morphologyEx(fg, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, vk)))
    bridge = max(3, round(u * 0.2))  # close small breaks along a rule
    hmask = cv2.morphologyEx(hmask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (bridge, 1)))
    vmask = cv2.morphologyEx(vmask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, bridge)))
    tol = max(3, round(u * 0.3))
    grow = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * tol + 1, 2 * tol + 1))

    def keep(mask, other, long_len: float, horizontal: bool):
        n, labels, stats, _c = cv2.connectedComponentsWithStats(mask, connectivity=8)
        near = cv2.dilate(other, grow)
        good = np.zeros(n, dtype=bool)
        for i in range(1, n):
            x, y, w, h, _a = (int(v) for v in stats[i])
            if (w if horizontal else h) >= long_len:
                good[i] = True
                continue
            if horizontal:  # both ends must touch a vertical rule
                a = np.nonzero(labels[y : y + h, x] == i)[0]
                b = np.nonzero(labels[y : y + h, x + w - 1] == i)[0]
                good[i] = bool(
                    len(a) and len(b) and near[y + int(a.mean()), x] and near[y + int(b.mean()), x + w - 1]
                )
            else:
                a = np.nonzero(labels[y, x : x + w] == i)[0]
                b = np.nonzero(labels[y + h - 1, x : x + w] == i)[0]
                good[i] = bool(
                    len(a) and len(b) and near[y, x + int(a.mean())] and near[y + h - 1, x + int(b.mean())]
                )
        return good[labels].astype(np.uint8)

    vmask = keep(vmask, hmask, u * 3, horizontal=False)
    hmask = keep(hmask, vmask, u * 4, horizontal=True)
    return hmask, vmask


def _cluster(values: list[float], tol: float) -> list[float]:
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]


def _find_tables(page: _Page, hmask, vmask) -> list[list[_Cell]]:
    """Tables (lists of cells, absolute coordinates), top to bottom."""
    u = page.unit
    tol = max(3, round(u * 0.35))
    both = cv2.dilate(hmask | vmask, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    n, labels, stats, _c = cv2.connectedComponentsWithStats(both, connectivity=8)
    tables: list[tuple[int, int, list[_Cell]]] = []
    for i in range(1, n):
        x, y, w, h, _a = (int(v) for v in stats[i])
        if w < 3 * u or h < 1.2 * u:
            continue
        region = (labels[y : y + h, x : x + w] == i).astype(np.uint8)
        hm = hmask[y : y + h, x : x + w] & region
        vm = vmask[y : y + h, x : x + w] & region
        ys = _cluster(_positions(hm, horizontal=True, min_len=max(8.0, u * 0.8)), tol)
        xs = _cluster(_positions(vm, horizontal=False, min_len=max(8.0, u * 0.6)), tol)
        if len(ys) < 2 or len(xs) < 2:
            continue
        cells = _grid_cells(hm, vm, ys, xs, tol)
        if len(cells) < 2:
            continue
        for c in cells:
            c.x0, c.x1, c.y0, c.y1 = c.x0 + x, c.x1 + x, c.y0 + y, c.y1 + y
        tables.append((y, x, cells))
    tables.sort(key=lambda t: (t[0], t[1]))
    return [t[2] for t in tables]


def _positions(mask, horizontal: bool, min_len: float) -> list[float]:
    """Centre lines of the rule segments in a mask."""
    _n, _labels, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if horizontal:
        return [float(c[1]) for s, c in zip(stats[1:], centroids[1:], strict=True) if s[2] >= min_len]
    return [float(c[0]) for s, c in zip(stats[1:], centroids[1:], strict=True) if s[3] >= min_len]


def _grid_cells(hm, vm, ys: list[float], xs: list[float], tol: int) -> list[_Cell]:
    """Cells of the expanded grid, grid units merged where the rule between them is missing."""
    nr, nc = len(ys) - 1, len(xs) - 1
    yi = [round(v) for v in ys]
    xi = [round(v) for v in xs]
    H, W = hm.shape

    def vertical_rule(xc: int, y0: int, y1: int) -> bool:
        m = max(1, (y1 - y0) // 6)
        band = vm[max(0, y0 + m) : min(H, y1 - m), max(0, xc - tol) : min(W, xc + tol + 1)]
        return band.size > 0 and float(band.any(axis=1).mean()) >= 0.6

    def horizontal_rule(yc: int, x0: int, x1: int) -> bool:
        m = max(1, (x1 - x0) // 6)
        band = hm[max(0, yc - tol) : min(H, yc + tol + 1), max(0, x0 + m) : min(W, x1 - m)]
        return band.size > 0 and float(band.any(axis=0).mean()) >= 0.6

    parent = list(range(nr * nc))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not vertical_rule(xi[c + 1], yi[r], yi[r + 1]):
                parent[find(r * nc + c + 1)] = find(r * nc + c)
            if r + 1 < nr and not horizontal_rule(yi[r + 1], xi[c], xi[c + 1]):
                parent[find((r + 1) * nc + c)] = find(r * nc + c)
    groups: dict[int, list[int]] = {}
    for k in range(nr * nc):
        groups.setdefault(find(k), []).append(k)
    cells = []
    for members in groups.values():
        rows = [k // nc for k in members]
        cols = [k % nc for k in members]
        r0, r1, c0, c1 = min(rows), max(rows), min(cols), max(cols)
        cells.append(_Cell(r0, c0, xi[c0], yi[r0], xi[c1 + 1], yi[r1 + 1]))
    cells.sort(key=lambda c: (c.row, c.col))
    return cells


# --------------------------------------------------------------------------------------------------------
# text lines inside a region


def _ink_lines(page: _Page, clean, x0: int, y0: int, x1: int, y1: int) -> list[Box]:
    """Text-line boxes of the ink inside a rectangle (absolute coordinates), top to bottom."""
    region = clean[y0:y1, x0:x1]
    if region.size == 0 or not region.any():
        return []
    _n, labels, stats, _c = cv2.connectedComponentsWithStats(region, connectivity=8)
    keep = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) >= _speck(page.unit)
    keep[0] = False
    if not keep.any():
        return []
    ink = keep[labels]
    rows = ink.any(axis=1)
    gap = max(2, round(page.unit * 0.15))
    bands: list[list[int]] = []
    y = 0
    while y < len(rows):
        if not rows[y]:
            y += 1
            continue
        start = y
        while y < len(rows) and rows[y]:
            y += 1
        if bands and start - bands[-1][1] < gap:
            bands[-1][1] = y
        else:
            bands.append([start, y])
    # a thin band (a stroke of 二, a dot, an underline) belongs to its nearest neighbour
    while len(bands) > 1:
        thin = [k for k, (a, b) in enumerate(bands) if b - a < page.unit * 0.45]
        if not thin:
            break
        k = thin[0]
        a, b = bands[k]
        if k == 0:
            j = 1
        elif k == len(bands) - 1:
            j = k - 1
        else:
            j = k - 1 if a - bands[k - 1][1] <= bands[k + 1][0] - b else k + 1
        merged = [min(bands[j][0], a), max(bands[j][1], b)]
        bands[min(j, k)] = merged
        del bands[max(j, k)]
    out = []
    for a, b in bands:
        xs = np.nonzero(ink[a:b].any(axis=0))[0]
        out.append((x0 + int(xs[0]), y0 + a, x0 + int(xs[-1]) + 1, y0 + b))
    return out


def _crop(gray, box: Box, pad_x: int, pad_y: int, limit: Box | None = None):
    """Grey crop of ``box`` padded with white; never reads outside ``limit``."""
    x0, y0, x1, y1 = box
    H, W = gray.shape
    lx0, ly0, lx1, ly1 = limit if limit is not None else (0, 0, W, H)
    cx0, cy0 = max(lx0, x0 - pad_x, 0), max(ly0, y0 - pad_y, 0)
    cx1, cy1 = min(lx1, x1 + pad_x, W), min(ly1, y1 + pad_y, H)
    return cv2.copyMakeBorder(
        gray[cy0:cy1, cx0:cx1],
        max(0, cy0 - (y0 - pad_y)),
        max(0, (y1 + pad_y) - cy1),
        max(0, cx0 - (x0 - pad_x)),
        max(0, (x1 + pad_x) - cx1),
        cv2.BORDER_CONSTANT,
        value=255,
    )


# --------------------------------------------------------------------------------------------------------
# pages


@dataclass
class _Item:
    top: float
    left: float
    is_table_row: bool
    spans: list[dict]


def _ocr_pages(
    engine: _Engine,
    pages: Iterable[tuple[int, Callable[[], tuple]]],
    out: list[Line],
    notes: list[str],
    deadline: _Deadline,
    first_line: int,
) -> None:
    line_no = first_line
    for number, get in pages:
        deadline.check()
        gray, per_unit = get()
        if min(gray.shape[:2]) < 8:
            continue
        for item in _ocr_page(engine, _prepare(number, gray, per_unit), notes, deadline):
            spans = tuple(Span(line=line_no, page=number, **s) for s in item.spans)
            out.append(Line(spans=spans, is_table_row=item.is_table_row))
            line_no += 1


@dataclass
class _Crops:
    """Everything a page sends to the recogniser, with where each crop came from."""

    images: list = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    limits: list[Box | None] = field(default_factory=list)  # the cell interior for cell crops

    def add(self, image, box: Box, limit: Box | None) -> int:
        self.images.append(image)
        self.boxes.append(box)
        self.limits.append(limit)
        return len(self.images) - 1


def _ocr_page(engine: _Engine, page: _Page, notes: list[str], deadline: _Deadline) -> list[_Item]:
    u = page.unit
    hmask, vmask = _rules(page)
    tables = _find_tables(page, hmask, vmask)
    cells = [c for t in tables for c in t]

    # rules are painted out only along the grids: a bold 四 or 口 elsewhere keeps its strokes
    reach = max(3, round(u * 0.35))
    near_grid = np.zeros_like(hmask)
    in_cells = np.zeros_like(hmask)
    for c in cells:
        cv2.rectangle(near_grid, (c.x0, c.y0), (c.x1, c.y1), 1, thickness=2 * reach + 1)
        in_cells[max(0, c.y0 - reach) : c.y1 + reach + 1, max(0, c.x0 - reach) : c.x1 + reach + 1] = 1
    rules = cv2.dilate(hmask | vmask, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))) & near_grid
    clean = page.fg & (1 - rules)
    white = page.gray.copy()
    white[rules.astype(bool)] = 255

    crops = _Crops()
    pad = max(2, round(u * 0.25))
    inset = max(2, round(u * 0.12))
    for c in cells:
        limit = (c.x0 + inset, c.y0 + inset, c.x1 - inset, c.y1 - inset)
        if limit[2] > limit[0] and limit[3] > limit[1]:
            for box in _ink_lines(page, clean, *limit):
                c.crops.append(crops.add(_crop(white, box, pad + 2, pad, limit), box, limit))

    # text outside the tables: the detector, on horizontal bands of ink, cells painted out
    outside = page.gray.copy()
    outside[in_cells.astype(bool)] = 255
    text_crops: list[int] = []
    scale = min(1.0, max(0.25, DET_GLYPH / u))
    for y0, y1 in _bands(clean & (1 - in_cells), u):
        deadline.check()
        b0, b1 = max(0, round(y0 - u)), min(page.gray.shape[0], round(y1 + u))
        for bx0, by0, bx1, by1 in engine.detect(outside[b0:b1], scale, overlap=math.ceil(4 * u)):
            box = (bx0, by0 + b0, bx1, by1 + b0)
            text_crops.append(crops.add(_crop(outside, box, 2, 2), box, None))

    deadline.check()
    in_cell = [limit is not None for limit in crops.limits]
    readings = engine.recognize(crops.images, deadline, in_cell) if crops.images else []
    _recheck(engine, page, white, readings, crops, notes, deadline)

    items: list[_Item] = []
    for table in tables:
        rows: dict[int, list[_Cell]] = {}
        for c in table:
            rows.setdefault(c.row, []).append(c)
        for r in sorted(rows):
            spans = []
            for c in sorted(rows[r], key=lambda c: c.col):
                parts = [readings[i] for i in c.crops]
                read_parts = [p for p in parts if p.text]
                conf: float
                if not parts:
                    conf = 1.0  # no ink: a blank cell
                elif not read_parts:
                    conf = 0.0  # ink that reads as nothing
                else:
                    conf = min(p.confidence for p in read_parts)
                x0, top, x1, bottom = page.bbox(c.x0, c.y0, c.x1, c.y1)
                text = "".join(p.text for p in read_parts)
                spans.append(
                    dict(
                        text=text, cell=c.col, x0=x0, top=top, x1=x1, bottom=bottom, confidence=round(conf, 4)
                    )
                )
            first = min(rows[r], key=lambda c: c.col)
            items.append(_Item(first.y0, first.x0, True, spans))
    items.extend(_text_lines(page, [(crops.boxes[i], readings[i]) for i in text_crops]))
    items.sort(key=lambda it: (it.top, it.left))
    return items


def _bands(ink, u: float) -> list[tuple[int, int]]:
    """Vertical extents of ink, split where a blank gap of two glyph heights separates them."""
    _n, _labels, stats, _c = cv2.connectedComponentsWithStats(ink, connectivity=8)
    rows = np.zeros(ink.shape[0], dtype=bool)
    big = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) >= _speck(u)
    for i in np.nonzero(big)[0]:
        if i == 0:
            continue
        y, h = stats[i, cv2.CC_STAT_TOP], stats[i, cv2.CC_STAT_HEIGHT]
        rows[y : y + h] = True
    out: list[list[int]] = []
    for y in np.nonzero(rows)[0]:
        if out and y - out[-1][1] <= 2 * u:
            out[-1][1] = int(y) + 1
        else:
            out.append([int(y), int(y) + 1])
    return [(a, b) for a, b in out if b - a >= u * 0.4]


def _text_lines(page: _Page, found: list[tuple[Box, _Reading]]) -> list[_Item]:
    """Detected boxes grouped into visual lines, each read left to right."""
    found = sorted(((b, r) for b, r in found if r.text), key=lambda br: (br[0][1] + br[0][3]) / 2)
    lines: list[list[tuple[Box, _Reading]]] = []
    for b, r in found:
        for line in reversed(lines[-3:]):
            ly0 = min(x[0][1] for x in line)
            ly1 = max(x[0][3] for x in line)
            if min(ly1, b[3]) - max(ly0, b[1]) > 0.5 * min(ly1 - ly0, b[3] - b[1]):
                line.append((b, r))
                break
        else:
            lines.append([(b, r)])
    items = []
    for line in lines:
        line.sort(key=lambda br: br[0][0])
        text = line[0][1].text
        for (pb, _pr), (b, r) in itertools.pairwise(line):
            text += (" " if b[0] - pb[2] > 0.8 * min(pb[3] - pb[1], b[3] - b[1]) else "") + r.text
        x0 = min(b[0] for b, _ in line)
        y0 = min(b[1] for b, _ in line)
        x1 = max(b[2] for b, _ in line)
        y1 = max(b[3] for b, _ in line)
        bx0, top, bx1, bottom = page.bbox(x0, y0, x1, y1)
        conf = min(r.confidence for _, r in line)
        items.append(
            _Item(
                y0,
                x0,
                False,
                [dict(text=text, x0=bx0, top=top, x1=bx1, bottom=bottom, confidence=round(conf, 4))],
            )
        )
    return items


def _recheck(
    engine: _Engine, page: _Page, white, readings: list[_Reading], crops: _Crops, notes, deadline
) -> None:
    """Re-read weak numeric cell crops from other crops of the same ink; settle on the best-supported."""
    recheck_below = deadline.settings.recheck_below
    weak = [i for i, r in enumerate(readings) if r.numeric and r.confidence < recheck_below]
    if not weak:
        return
    pad = max(2, round(page.unit * 0.25))
    denoised = cv2.medianBlur(white, 3)
    variants, owners = [], []
    for i in weak:
        box, limit = crops.boxes[i], crops.limits[i]
        plain = _crop(white, box, pad + 2, pad, limit)
        _t, binarised = cv2.threshold(plain, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        big = cv2.resize(plain, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        sharp = cv2.addWeighted(big, 1.5, cv2.GaussianBlur(big, (0, 0), 2), -0.5, 0)
        for v in (
            _crop(white, box, 2 * pad + 4, 2 * pad, limit),
            _crop(denoised, box, pad + 2, pad, limit),
            binarised,
            sharp,
        ):
            variants.append(v)
            owners.append(i)
    deadline.check()
    again = engine.recognize(variants, deadline, [True] * len(variants))
    by_owner: dict[int, list[_Reading]] = {}
    for i, r in zip(owners, again, strict=True):
        by_owner.setdefault(i, []).append(r)
    for i, others in by_owner.items():
        first = readings[i]
        candidates = [first, *others]
        support: dict[str, float] = {}
        for c in candidates:
            support[c.text] = support.get(c.text, 0.0) + (c.confidence if c.numeric or not c.text else 0.0)
        best_text = max(support, key=lambda t: support[t])
        best = max((c for c in candidates if c.text == best_text), key=lambda c: c.confidence)
        x0, top, x1, bottom = page.bbox(*crops.boxes[i])
        where = f"第 {page.number} 页 [{x0:g}, {top:g}, {x1:g}, {bottom:g}]"
        alternatives = sorted({c.text for c in candidates} - {best_text})
        alternatives += [a for a in first.alternatives if a != best_text and a not in alternatives]
        first.text = best_text
        if len(support) == 1:
            first.confidence = best.confidence
        else:
            first.confidence = min(best.confidence, deadline.settings.disagree_cap)
        if alternatives and first.confidence < recheck_below:
            shown = ", ".join(repr(a) for a in alternatives)
            notes.append(
                f"OCR 数字不确定 {where}: 读作 {best_text!r}，也可能是 {shown} "
                f"(uncertain digits: read {best_text!r}, could be {shown})"
            )
