"""PDFs with a text layer: paragraph lines and ruled-table rows, in reading order, with page geometry.

One parser, PDFium, and one pure-geometry library, pdfplumber's table finder:

* **pypdfium2** opens the file (fast, tolerant of damaged files, tells an encrypted file from a corrupt
  one), reads every page's characters with their boxes and classifies the page's drawing objects: does
  the page have ruling lines, images, anything at all? Everything is put in the page as displayed
  (`_Frame`: top-left origin, ``/Rotate`` applied), so rotated pages read upright.
* On pages with ruling lines, the painted paths that can be table borders become the line/rect/curve
  records pdfplumber would make of them (`_drawing`, pdfminer's classification), and **pdfplumber's
  table finder** (`TableFinder`, plain geometry over edge records; its quadratic cell search replaced by
  an indexed one with the same result, `_cells`) turns them into cells, which PDFium's characters fill.
  Fills behind text (WPS paints a white box behind every line) are not rulings; borders a producer
  leaves out at a page break are put back (`_closing_edges`). pdfminer never parses a page
  (that took ~75% of the time); it only explains why PDFium refused a file (`_diagnose`). No page falls
  back to it: PDFium's characters and paths carry everything the tables need, including the two places
  where PDFium's loose character boxes differ from pdfminer's (`_vertical_writing_box`, `_em_rows`).

Everything after that is plain geometry over small records (`_Char`, `_Cell`, `_Fragment`): grouping
characters into visual lines, dropping page furniture (page numbers, running headers and footers),
chaining table fragments that continue on the next page (merging a row or a merged cell that the page
break cut in two) and giving every cell its column index in the table's expanded grid.

Coordinates are PDF points with a top-left origin; ``page`` is 1-based. ``Span.line`` is the 1-based
index of the emitted line in ``Document.lines``.

Pages without a usable text layer (scans, ``(cid:N)`` glyphs, private-use garbage) are not emitted;
each gets a note ``"page N: no usable text layer"`` (see `pages_without_text`) so that OCR can fill them.
When no page has usable text, the whole file goes to `gongkai.read.ocr` if it is installed.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field

from gongkai.errors import InputError
from gongkai.read.document import Document, Line, Span
from gongkai.read.pdfium_lock import PDFIUM_LOCK
from gongkai.read.services import is_cjk, join_lines, simplify_document, space_between
from gongkai.settings import OcrSettings, PdfSettings, SettingsLike, resolve

__all__ = ["MAX_PAGES", "NO_TEXT_NOTE", "check_expanded_streams", "pages_without_text", "read"]

MAX_PAGES = PdfSettings.max_pages  # default; no annual report is longer
NO_TEXT_NOTE = "page {page}: no usable text layer"


# ---------------------------------------------------------------- tunables (points unless noted)
_RULE_THIN = 2.5  # a filled rectangle this thin (or thinner) is a drawn ruling line
_RULE_MIN_LEN = 8.0  # shorter strokes are not rulings (bullets, underline dots)
_MIN_RULINGS = 4  # a page needs this many ruling-like paths to be sent to the table finder
_GRID_TOL = 2.5  # column edges closer than this are one edge
_MARGIN = 0.12  # top/bottom fraction of the page where furniture lives
_GARBAGE_RATIO = 0.3  # share of unusable glyphs above which a page's text layer is garbage
_SCAN_MAX_CHARS = 20  # an image-covered page with fewer characters is a scan (stamp, watermark text)
_SCAN_COVER = 0.5  # share of the page an image must cover to make the page a scan
_BIG_GLYPH = 20.0  # a character box this wide or tall is checked against its font size
_LOOSE_BOX_SLACK = 2.5  # a loose box more than this many ems wide or tall is wrong (vertical writing)

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~·•\s]*\d{1,4}[-—–－~·•\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/、]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$",
    re.IGNORECASE,
)
_DASHED_NUMBER = re.compile(r"^[-—–－~·•]+\s*\d{1,4}\s*[-—–－~·•]+$|^第\s*\d{1,4}\s*页")
_ITEM_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[）)]|\d+\s*[.．、](?!\d)|[①-⑳])"
)
_NUMERIC = re.compile(r"^[\s\d.,，．+\-－%％]*\d[\s\d.,，．+\-－%％]*$")


# ---------------------------------------------------------------- plain records


@dataclass(slots=True, eq=False)
class _Char:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    upright: bool = True
    ccw: bool = False  # rotated text reading bottom-to-top
    cx: float = field(init=False)  # the centre, computed once: table cells test it for every character
    cy: float = field(init=False)

    def __post_init__(self) -> None:
        self.cx = (self.x0 + self.x1) / 2
        self.cy = (self.top + self.bottom) / 2


@dataclass(slots=True)
class _TextLine:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(slots=True)
class _Cell:
    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    page: int


@dataclass(slots=True)
class _Row:
    cells: list[_Cell]
    top: float
    dropped: bool = False


@dataclass(slots=True)
class _Fragment:
    """The part of one table that sits on one page."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    rows: list[_Row]
    used: set[int] = field(default_factory=set)  # id() of the characters placed in cells
    grid: list[float] = field(default_factory=list)  # column edges of the whole (chained) table


@dataclass(slots=True)
class _Page:
    number: int
    width: float
    height: float
    chars: list[_Char]
    usable: bool
    has_rulings: bool
    has_graphics: bool
    rotation: int = 0
    drawings: list[dict] = field(
        default_factory=list
    )  # paths that can be table borders (pdfplumber's records)
    lines: list[_TextLine] = field(default_factory=list)
    fragments: list[_Fragment] = field(default_factory=list)


# ---------------------------------------------------------------- entry points


_PDF_DATE = re.compile(r"^(?:D:)?(20[0-3]\d)(\d{2})(\d{2})")


def _creation_date(pdf) -> str | None:
    """The open PDF's CreationDate (``D:20240226144123``) as an ISO date, if it has a plausible one."""
    try:
        value = pdf.get_metadata_value("CreationDate")
    except Exception:  # metadata is a bonus: a PDF that reads but has odd metadata keeps its text
        return None
    m = _PDF_DATE.match(value.strip())
    if not m or not (1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31):
        return None
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"


def read(data: bytes, source: str, settings: SettingsLike = None) -> Document:
    """Read a text-layer PDF; raises `InputError` (one-line reason) for unusable files. ``settings``: see
    `gongkai.settings` (``pdf.max_pages``, ``pdf.ocr_missing_pages`` and the ``ocr`` part for scans)."""
    settings = resolve(settings)
    check_expanded_streams(data)
    pages, created = _read_pages(data, settings.pdf.max_pages)
    notes: list[str] = []
    if not any(p.usable for p in pages):
        if any(p.has_graphics for p in pages):
            try:
                from gongkai.read import ocr
            except ImportError:
                raise InputError(
                    "PDF 没有可用的文字层 (no usable text layer; install gongkai[ocr] for scans)"
                ) from None
            return ocr.read(data, source, settings=settings.ocr)
        raise InputError("PDF 没有文字内容 (PDF has no text)")

    ruled = [p for p in pages if p.usable and p.has_rulings]
    if ruled:
        _find_tables(ruled, notes)
    for page in pages:
        if not page.usable:
            if page.has_graphics or page.chars:
                notes.append(NO_TEXT_NOTE.format(page=page.number))
            continue
        used = set().union(*(f.used for f in page.fragments))
        free = [c for c in page.chars if id(c) not in used] if used else page.chars
        page.lines = [_text_line(group) for group in _group_lines(free)]
    _drop_furniture(pages)
    _chain_tables(pages)
    doc = Document(source=source, format="pdf", lines=_emit(pages), pages=len(pages), notes=notes)
    if created:
        doc.info.update(created=created, created_source="pdf_metadata")
    doc.sha256 = hashlib.sha256(data).hexdigest()
    if settings.pdf.ocr_missing_pages:
        _ocr_missing_pages(data, doc, settings.ocr)
    if not doc.lines:
        raise InputError("PDF 没有文字内容 (PDF has no text)")
    return simplify_document(doc)


def _ocr_missing_pages(data: bytes, doc: Document, ocr_settings: OcrSettings) -> None:
    """Pages without a usable text layer in an otherwise readable PDF are OCRed (grid kept, cell text
    recognised) and put back in page order, when the OCR extra is installed."""
    missing = pages_without_text(doc)
    if not missing:
        return
    try:
        from gongkai.read import ocr
    except ImportError:
        doc.notes.append("OCR not installed: pages without a text layer were left out")
        return
    ocr_lines = ocr.ocr_pdf_pages(
        data,
        missing,
        settings=ocr_settings,
        first_line=len(doc.lines) + 1,
        notes=doc.notes,
    )
    doc.notes.append("OCR: pages " + ", ".join(map(str, missing)))

    def page_of(line) -> int:
        return next((s.page for s in line.spans if s.page is not None), 0)

    doc.lines = sorted([*doc.lines, *ocr_lines], key=page_of)  # stable: each page keeps its own order


def pages_without_text(doc: Document) -> list[int]:
    """The 1-based pages this reader left out because they have no usable text layer (for OCR)."""
    pattern = re.compile(r"^page (\d+): no usable text layer$")
    return [int(m.group(1)) for note in doc.notes if (m := pattern.match(note))]


# ---------------------------------------------------------------- PDFium pass: open, chars, drawings


def _read_pages(data: bytes, max_pages: int = MAX_PAGES) -> tuple[list[_Page], str | None]:
    """Every page, and the file's creation date from its metadata (`_creation_date`), in one pass."""
    try:
        import pypdfium2 as pdfium
        import pypdfium2.raw as raw
    except ImportError:  # pragma: no cover - depends on the install
        raise InputError(
            "读取 PDF 需要 pypdfium2，请重新安装 gongkai (pypdfium2 is missing: pip install pypdfium2)"
        ) from None
    if not data:
        raise InputError("文件为空 (empty file)")
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as e:
            if e.err_code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY):
                raise InputError("PDF 已加密 (encrypted PDF)") from None
            raise _diagnose(data) from None
        try:
            count = len(pdf)
            if count == 0:
                raise InputError("PDF 没有页面 (PDF has no pages)")
            if count > max_pages:
                raise InputError(f"页数过多 (too many pages: {count} > {max_pages})")
            fast = _unchecked(raw)
            return [_pdfium_page(pdf, i, fast) for i in range(count)], _creation_date(pdf)
        finally:
            pdf.close()


MAX_EXPANDED_STREAMS = 256 * 1024 * 1024  # all non-image streams of one PDF, inflated
MAX_EXPANDED_STREAM = 64 * 1024 * 1024  # one of them
_STREAM = re.compile(rb"stream\r?\n")
_DEFLATE_MAX_RATIO = 1032  # deflate never inflates a byte to more than this many
_IMAGE = re.compile(rb"/Subtype\s*/Image")


def check_expanded_streams(data: bytes) -> None:
    """Refuse a PDF whose Flate-compressed content (page content, fonts, object streams; not images)
    inflates beyond `MAX_EXPANDED_STREAMS`, before any parser inflates it into memory. Measured in 1 MiB
    steps, nothing kept; a stream too short to reach a limit even at deflate's best ratio is not inflated."""
    streams = []
    for m in _STREAM.finditer(data):
        if data[max(0, m.start() - 3) : m.start()] == b"end":
            continue  # the end of the previous stream
        head = data[max(0, m.start() - 1024) : m.start()]
        head = head[head.rfind(b"obj") + 3 :] if b"obj" in head else head
        if b"FlateDecode" not in head or _IMAGE.search(head):
            continue
        end = data.find(b"endstream", m.end())
        streams.append((m.end(), end if end > 0 else len(data)))
    bounds = [_DEFLATE_MAX_RATIO * (end - start) + 1024 for start, end in streams]
    small_total = sum(bounds) <= MAX_EXPANDED_STREAMS
    total = 0
    for (start, end), bound in zip(streams, bounds, strict=True):
        if small_total and bound <= MAX_EXPANDED_STREAM:
            continue  # cannot reach either limit
        size = _inflated_size(data[start:end], MAX_EXPANDED_STREAM)
        if size > MAX_EXPANDED_STREAM:
            raise InputError(f"PDF 内容流过大 (a stream inflates to over {MAX_EXPANDED_STREAM >> 20} MiB)")
        total += size
        if total > MAX_EXPANDED_STREAMS:
            raise InputError(f"PDF 解压后过大 (streams inflate to over {MAX_EXPANDED_STREAMS >> 20} MiB)")


def _inflated_size(raw: bytes, limit: int) -> int:
    """Bytes ``raw`` inflates to (zlib), counting stops just past ``limit``; damaged data counts as read."""
    import zlib

    d = zlib.decompressobj()
    size = 0
    try:
        size += len(d.decompress(raw, 1 << 20))
        while d.unconsumed_tail and size <= limit:
            size += len(d.decompress(d.unconsumed_tail, 1 << 20))
    except zlib.error:
        pass
    return size


def _diagnose(data: bytes) -> InputError:
    """Why PDFium refused the file, in words: pdfminer tells an empty page tree from real damage."""
    try:
        from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
        from pdfminer.pdfpage import PDFPage
        from pdfminer.pdfparser import PDFParser

        document = PDFDocument(PDFParser(io.BytesIO(data)))
        if next(PDFPage.create_pages(document), None) is None:
            return InputError("PDF 没有页面 (PDF has no pages)")
    except (PDFPasswordIncorrect, PDFEncryptionError):
        return InputError("PDF 已加密 (encrypted PDF)")
    except Exception:  # pdfminer has no common base class for damage; any failure means corrupt
        pass
    return InputError("PDF 文件损坏 (corrupt PDF: not a readable PDF structure)")


class _Unchecked:
    """pypdfium2's raw PDFium module, its functions called without ctypes' argument checks.

    Those checks are half the cost of a call, and reading makes a few calls per character and per path
    segment. Callers pass C values as they are: ints, PDFium handles, and ``ctypes.byref`` of everything
    PDFium writes to (which the checked functions accept as well).
    """

    def __init__(self, raw) -> None:
        self._raw = raw

    def __getattr__(self, name: str):
        import ctypes
        from _ctypes import CFuncPtr

        value = getattr(self._raw, name)
        if name.startswith("FPDF") and isinstance(value, CFuncPtr):
            address = ctypes.cast(value, ctypes.c_void_p).value
            if address:
                unchecked = type(value)(address)  # the same function and calling convention
                unchecked.restype = value.restype
                value = unchecked
        setattr(self, name, value)  # made once
        return value


_UNCHECKED: list[_Unchecked] = []


def _unchecked(raw) -> _Unchecked:
    if not _UNCHECKED:
        _UNCHECKED.append(_Unchecked(raw))
    return _UNCHECKED[0]


@dataclass(frozen=True, slots=True)
class _Frame:
    """PDF user space -> the page as displayed: points, top-left origin, y down, ``/Rotate`` applied.

    The same frame pdfplumber (pdfminer) reports a page in, so rotated pages read upright.
    """

    left: float
    bottom: float
    right: float
    top: float
    rotation: int = 0  # degrees clockwise, as displayed

    @property
    def size(self) -> tuple[float, float]:
        width, height = self.right - self.left, self.top - self.bottom
        return (height, width) if self.rotation in (90, 270) else (width, height)

    def point(self, x: float, y: float) -> tuple[float, float]:
        if self.rotation == 90:
            return y - self.bottom, x - self.left
        if self.rotation == 180:
            return self.right - x, y - self.bottom
        if self.rotation == 270:
            return self.top - y, self.right - x
        return x - self.left, self.top - y

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """A user-space rectangle as (x0, top, x1, bottom) on the displayed page."""
        (ax, ay), (bx, by) = self.point(x0, y0), self.point(x1, y1)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)

    def orientation(self, a: float, b: float, c: float, d: float) -> tuple[bool, bool]:
        """(upright, reads bottom-to-top) of a glyph with user-space matrix ``a b c d``, as displayed."""
        ra, rb, rc, rd = _ROTATIONS.get(self.rotation, (1, 0, 0, 1))
        a, b, c, d = a * ra + b * rc, a * rb + b * rd, c * ra + d * rc, c * rb + d * rd
        return a * d > 0 and b * c <= 0, b > 0


# the linear part of the page rotation, bottom-up (as pdfminer applies /Rotate)
_ROTATIONS = {90: (0, -1, 1, 0), 180: (-1, 0, 0, -1), 270: (0, 1, -1, 0)}
_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _pdfium_page(pdf, index: int, raw) -> _Page:
    number = index + 1
    try:
        page = pdf[index]
    except Exception:  # PDFium refuses the page: treat it as having no text
        return _Page(number, 595.0, 842.0, [], usable=False, has_rulings=False, has_graphics=True)
    try:
        left, bottom, right, top = page.get_mediabox()
        frame = _Frame(left, bottom, right, top, page.get_rotation() % 360)
        width, height = frame.size
        scan = _scan_objects(page, raw, width * height)
        has_rulings = scan.rulings >= _MIN_RULINGS
        drawings = _drawings(raw, scan.paths, frame) if has_rulings else []
        textpage = page.get_textpage()
        try:
            chars, bad = _pdfium_chars(textpage, raw, frame, exact=has_rulings or frame.rotation != 0)
        finally:
            textpage.close()
    except Exception:
        return _Page(number, 595.0, 842.0, [], usable=False, has_rulings=False, has_graphics=True)
    finally:
        page.close()
    visible = sum(1 for c in chars if not c.text.isspace())
    usable = visible > 0 and bad / (visible + bad) <= _GARBAGE_RATIO
    if usable and visible < _SCAN_MAX_CHARS and scan.image_cover >= _SCAN_COVER:
        usable = False  # a scanned page with a stamp or a watermark line of text
    return _Page(
        number,
        width,
        height,
        chars if usable else [],
        usable=usable,
        has_rulings=has_rulings,
        has_graphics=scan.graphics > 0 or bad > 0,
        rotation=frame.rotation,
        drawings=drawings if usable else [],
    )


@dataclass(slots=True)
class _Scan:
    rulings: int = 0  # ruling-like paths (a page needs `_MIN_RULINGS` to be looked at for tables)
    graphics: int = 0  # drawing and image objects
    image_cover: float = 0.0  # the largest image's share of the page
    paths: list[tuple] = field(default_factory=list)  # (object, matrix of its form, filled, stroked)


def _scan_objects(page, raw, area: float) -> _Scan:
    """Classify the page's drawing objects (through forms); note the painted paths (valid while the page
    is open) for `_drawings`."""
    from ctypes import byref, c_float, c_int

    scan = _Scan()
    left, bottom, right, top = c_float(), c_float(), c_float(), c_float()
    box = byref(left), byref(bottom), byref(right), byref(top)
    fill_mode, stroke = c_int(), c_int()
    mode = byref(fill_mode), byref(stroke)
    matrix = raw.FS_MATRIX()

    type_of, form, drawing_kinds = raw.FPDFPageObj_GetType, raw.FPDF_PAGEOBJ_FORM, _drawing_kinds(raw)

    def visit(parent, count: int, get, outer: tuple[float, ...]) -> None:
        for i in range(count):
            obj = get(parent, i)
            kind = type_of(obj)
            if kind not in drawing_kinds:
                continue  # text: by far the most objects
            if kind == form:
                inner = _times(_object_matrix(raw, obj, matrix), outer)
                visit(obj, raw.FPDFFormObj_CountObjects(obj), raw.FPDFFormObj_GetObject, inner)
                continue
            scan.graphics += 1
            if kind == raw.FPDF_PAGEOBJ_PATH:
                drawn = raw.FPDFPath_GetDrawMode(obj, *mode)
                filled, stroked = bool(drawn and fill_mode.value), bool(drawn and stroke.value)
                if filled or stroked:
                    scan.paths.append((obj, outer, filled, stroked))
            if not raw.FPDFPageObj_GetBounds(obj, *box):
                continue
            w, h = right.value - left.value, top.value - bottom.value
            if kind == raw.FPDF_PAGEOBJ_IMAGE:
                scan.image_cover = max(scan.image_cover, w * h / area if area > 0 else 0.0)
            elif kind == raw.FPDF_PAGEOBJ_PATH:
                if max(w, h) < _RULE_MIN_LEN:
                    continue
                if stroked:  # a whole grid may be one path
                    scan.rulings += max(1, raw.FPDFPath_CountSegments(obj) // 2)
                elif min(w, h) <= _RULE_THIN:
                    scan.rulings += 1

    handle = page.raw
    visit(handle, raw.FPDFPage_CountObjects(handle), raw.FPDFPage_GetObject, _IDENTITY)
    return scan


def _drawing_kinds(raw) -> frozenset[int]:
    return frozenset(
        (raw.FPDF_PAGEOBJ_FORM, raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_SHADING)
    )


def _object_matrix(raw, obj, buf) -> tuple[float, ...]:
    import ctypes

    if not raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(buf)):
        return _IDENTITY
    return (buf.a, buf.b, buf.c, buf.d, buf.e, buf.f)


def _times(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    """The matrix that applies ``m`` then ``n`` (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    na, nb, nc, nd, ne, nf = n
    return (
        a * na + b * nc,
        a * nb + b * nd,
        c * na + d * nc,
        c * nb + d * nd,
        e * na + f * nc + ne,
        e * nb + f * nd + nf,
    )


def _color(getter, obj) -> tuple[float, ...] | None:
    import ctypes

    r, g, b, a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    if not getter(obj, ctypes.byref(r), ctypes.byref(g), ctypes.byref(b), ctypes.byref(a)):
        return None
    return (r.value / 255, g.value / 255, b.value / 255)


def _drawings(raw, paths: list[tuple], frame: _Frame) -> list[dict]:
    """The subpaths of painted paths that can be table borders, as pdfplumber's records (`_drawing`)."""
    matrix = raw.FS_MATRIX()
    return [
        d
        for obj, outer, filled, stroked in paths
        for d in _path_drawings(raw, obj, frame, outer, matrix, filled, stroked)
    ]


def _path_drawings(raw, obj, frame: _Frame, outer, buf, filled: bool, stroked: bool) -> list[dict]:
    """The path's subpaths as the line/rect/curve records pdfplumber makes of them (in the page frame),
    those that can be table borders (`_is_ruling`, its colour tests made once for the whole path)."""
    import ctypes

    non_stroking = _color(raw.FPDFPageObj_GetFillColor, obj)
    dark_fill = filled and not _is_white(non_stroking)
    if not (dark_fill or stroked or _has_short_subpath(raw, obj)):
        return []  # a white box behind text: only lines could be rulings, and it has none
    stroking = _color(raw.FPDFPageObj_GetStrokeColor, obj)
    visible_stroke = not _is_white(stroking)
    shapes_pass = dark_fill or (stroked and visible_stroke)
    if not shapes_pass and (not visible_stroke or not _has_short_subpath(raw, obj)):
        return []  # no subpath can be a ruling: only lines pass, and it has none
    style = {
        "stroke": stroked,
        "fill": filled,
        "stroking_color": stroking,
        "non_stroking_color": non_stroking,
    }
    a, b, c, d, e, f = _times(_object_matrix(raw, obj, buf), outer)
    x, y = ctypes.c_float(), ctypes.c_float()
    point_refs = ctypes.byref(x), ctypes.byref(y)
    subpaths: list[tuple[str, list[tuple[float, float]]]] = []
    ops = ""  # the subpath being read: pdfminer's operators ("m", "l", "c", "h") and its points
    pts: list[tuple[float, float]] = []
    bezier = 0
    for i in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, i)
        if not seg or not raw.FPDFPathSegment_GetPoint(seg, *point_refs):
            continue
        kind = raw.FPDFPathSegment_GetType(seg)
        point = frame.point(a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        if kind == raw.FPDF_SEGMENT_MOVETO or not ops:
            subpaths.append((ops, pts))
            ops, pts, bezier = "m", [point], 0
        elif kind == raw.FPDF_SEGMENT_BEZIERTO:
            bezier += 1
            if bezier % 3:
                continue  # control points; a curve segment ends at its third point
            ops += "c"
            pts.append(point)
        else:
            ops += "l"
            pts.append(point)
        if raw.FPDFPathSegment_GetClose(seg):
            ops += "h"
            pts.append(pts[0])
    subpaths.append((ops, pts))
    out = []
    for shape, points in subpaths:
        if len(shape) < 2 or (drawing := _drawing(shape, points, style)) is None:
            continue
        kind, width, height = drawing["object_type"], drawing["width"], drawing["height"]
        if _ruling(kind, width, height, stroked, visible_stroke, dark_fill):
            out.append(drawing)
    return out


def _has_short_subpath(raw, obj) -> bool:
    """Whether a subpath has at most two straight segments (what pdfminer can take for a line)."""
    run = 3  # segments since the last move; more than 2 at the start means no move yet
    for i in range(raw.FPDFPath_CountSegments(obj)):
        kind = raw.FPDFPathSegment_GetType(raw.FPDFPath_GetPathSegment(obj, i))
        if kind == raw.FPDF_SEGMENT_MOVETO:
            if 1 <= run <= 2:
                return True
            run = 0
        else:
            run += 1 if kind == raw.FPDF_SEGMENT_LINETO else 3
    return 1 <= run <= 2


def _drawing(shape: str, pts: list[tuple[float, float]], style: dict) -> dict | None:
    """One subpath as pdfminer classifies it: a single segment is a line, a closed axis-aligned
    four-sided path a rect, anything else a curve through its points."""
    if len(shape) > 3 and shape.endswith("lh") and pts[-2] == pts[0]:
        shape, pts = shape[:-2] + "h", pts[:-1]  # a redundant segment back to the start
    if shape in ("ml", "mlh"):
        kind, pts = "line", pts[:2]
    elif shape in ("mlllh", "mllll"):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
            y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
        )
        kind = "rect" if pts[0] == pts[4] and square else "curve"
    else:
        kind = "curve"
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    x0, top, x1, bottom = min(xs), min(ys), max(xs), max(ys)
    return {
        "object_type": kind,
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "y0": -bottom,  # pdfplumber's bottom-up y; only carried along by its edge helpers
        "y1": -top,
        "width": x1 - x0,
        "height": bottom - top,
        "pts": pts,
        **style,
    }


def _pdfium_chars(textpage, raw, frame: _Frame, exact: bool) -> tuple[list[_Char], int]:
    """The page's characters (generated spaces and line breaks left out) and how many are garbage.
    ``exact`` (pages with tables, rotated pages): also which way each glyph is set (for sideways text in
    table cells), and boxes where PDFium's loose box is not the em box pdfminer gives (`_em_rows`,
    `_turned_glyph_box`); other pages keep PDFium's loose boxes, as they always did.
    The hot loop of reading: the page's text in one call, raw calls on the raw handle, one reused box."""
    import ctypes

    handle = textpage.raw
    count = raw.FPDFText_CountChars(handle)
    codes = _page_codes(raw, handle, count)
    map_error, loose_box, rect = raw.FPDFText_HasUnicodeMapError, raw.FPDFText_GetLooseCharBox, raw.FS_RECTF()
    glyph_matrix, is_generated, new_char = raw.FPDFText_GetMatrix, raw.FPDFText_IsGenerated, _Char
    matrix, origin_x, origin_y = raw.FS_MATRIX(), ctypes.c_double(), ctypes.c_double()
    origin = origin_x, origin_y, ctypes.byref(origin_x), ctypes.byref(origin_y)
    rect_ref, matrix_ref = ctypes.byref(rect), ctypes.byref(matrix)
    left, top, upright_page = frame.left, frame.top, frame.rotation == 0
    em_height = -1.0  # the last loose box height found to be one em tall
    chars: list[_Char] = []
    bad = 0
    for i, code in enumerate(codes):
        if code in (10, 13) or (code == 32 and is_generated(handle, i) == 1):
            continue  # PDFium's own line breaks and word spaces (only these are ever generated)
        ch = chr(code) if 0 < code < 0x110000 else "\ufffd"
        if ((code < 32 or code >= 0xD800) and _is_garbage(ch)) or map_error(handle, i) == 1:
            bad += 1
            continue
        if not loose_box(handle, i, rect_ref):
            continue
        x0, y0, x1, y1 = rect.left, rect.bottom, rect.right, rect.top
        if x1 - x0 > _BIG_GLYPH or y1 - y0 > _BIG_GLYPH:
            x0, y0, x1, y1 = _vertical_writing_box(handle, raw, i, matrix, (x0, y0, x1, y1))
        upright, ccw = True, False
        if exact and glyph_matrix(handle, i, matrix_ref):
            a, b, c, d = matrix.a, matrix.b, matrix.c, matrix.d
            if b or c or not upright_page:
                upright, ccw = frame.orientation(a, b, c, d)
            else:
                upright = a * d > 0
            if b or c or a < 0 or d < 0:
                x0, y0, x1, y1 = _turned_glyph_box(handle, raw, i, (a, b, c, d), (x0, y0, x1, y1))
            elif y1 - y0 != em_height:
                y0, y1 = _em_rows(handle, raw, i, a, y0, y1, origin)
                if (y1 - y0) == rect.top - rect.bottom:
                    em_height = y1 - y0  # PDFium's loose box was the em box: the next ones likely too
        if upright_page:
            chars.append(new_char(ch, x0 - left, top - y1, x1 - left, top - y0, upright, ccw))
        else:
            chars.append(new_char(ch, *frame.box(x0, y0, x1, y1), upright, ccw))
    return chars, bad


def _turned_glyph_box(handle, raw, index: int, matrix, box) -> tuple[float, float, float, float]:
    """A turned glyph's box (user space: left, bottom, right, top). PDFium lays its loose box out as if
    the glyph were upright, so it is rebuilt like pdfminer's turned em box: along the writing direction
    from the origin to the end of the ink, across it one em around the ink's middle."""
    import ctypes

    a, b, c, d = matrix
    em = raw.FPDFText_GetFontSize(handle, index) * abs(a * d - b * c) ** 0.5
    left, right, bottom, top = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    if (
        em <= 0
        or not raw.FPDFText_GetCharBox(handle, index, *map(ctypes.byref, (left, right, bottom, top)))
        or not raw.FPDFText_GetCharOrigin(handle, index, ctypes.byref(ox), ctypes.byref(oy))
        or (right.value <= left.value and top.value <= bottom.value)  # no ink (a space)
    ):
        return box
    along, across = math.hypot(a, b), math.hypot(c, d)
    if along == 0 or across == 0:
        return box
    u, v = (a / along, b / along), (c / across, d / across)
    corners = [
        (x - ox.value, y - oy.value) for x in (left.value, right.value) for y in (bottom.value, top.value)
    ]
    end = max(max(x * u[0] + y * u[1] for x, y in corners), 0.0)
    middle = sum(x * v[0] + y * v[1] for x, y in corners) / 4
    points = [
        (ox.value + s * u[0] + t * v[0], oy.value + s * u[1] + t * v[1])
        for s in (0.0, end)
        for t in (middle - em / 2, middle + em / 2)
    ]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _em_rows(handle, raw, index: int, scale: float, y0: float, y1: float, origin) -> tuple[float, float]:
    """The bottom and top of an upright glyph's em box, as pdfminer sets them (one font size tall, from
    the baseline plus the font's descent). PDFium's loose box is exactly that, unless the font declares
    no ascent and descent (LibreOffice writes 0 and 0): then PDFium gives the ink box instead, which puts
    a full stop below its digits; pdfminer's box then stands on the baseline."""
    em = raw.FPDFText_GetFontSize(handle, index) * abs(scale)
    if em <= 0 or abs((y1 - y0) - em) <= 0.01 * em:
        return y0, y1
    _, y, x_ref, y_ref = origin  # two doubles and their references, made once per page
    if not raw.FPDFText_GetCharOrigin(handle, index, x_ref, y_ref):
        return y0, y1
    return y.value, y.value + em


def _page_codes(raw, handle, count: int) -> list[int]:
    """Every character's code point: the page text in one call when it lines up with the characters
    (one UTF-16 unit each), else one call per character."""
    import ctypes

    buf = (ctypes.c_ushort * (count + 1))()
    written = raw.FPDFText_GetText(handle, 0, count, buf) if count else 1
    codes = list(buf[:count])
    if written == count + 1 and not any(0xD800 <= c <= 0xDFFF for c in codes):
        return codes
    return [raw.FPDFText_GetUnicode(handle, i) for i in range(count)]


def _vertical_writing_box(handle, raw, index: int, matrix, box) -> tuple[float, float, float, float]:
    """A big character box (user space: left, bottom, right, top) checked against the font size: PDFium
    scales the loose box of a vertical-writing font's glyph wrongly (twenty times too big under a 0.05
    text matrix); such a glyph gets the em square above its origin, where pdfminer places it."""
    x0, y0, x1, y1 = box
    em = raw.FPDFText_GetFontSize(handle, index)
    import ctypes

    if raw.FPDFText_GetMatrix(handle, index, ctypes.byref(matrix)):
        em *= abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
    if em <= 0 or max(x1 - x0, y1 - y0) <= _LOOSE_BOX_SLACK * em:
        return box
    x, y = ctypes.c_double(), ctypes.c_double()
    if not raw.FPDFText_GetCharOrigin(handle, index, ctypes.byref(x), ctypes.byref(y)):
        return box
    return x.value, y.value, x.value + em, y.value + em


def _is_garbage(ch: str) -> bool:
    """Control characters, private-use code points, surrogates and replacement characters."""
    o = ord(ch)
    if o < 32:
        return ch != "\t"
    return 0xE000 <= o <= 0xF8FF or o >= 0xF0000 or 0xD800 <= o <= 0xDFFF or ch in "\ufffd\ufffe\uffff"


# ---------------------------------------------------------------- ruled tables: pdfplumber's geometry


def _find_tables(pages: list[_Page], notes: list[str]) -> None:
    """Fill ``page.fragments`` for pages with rulings: pdfplumber's table finder (pure geometry over edge
    records) runs on the borders PDFium drew, and PDFium's characters fill the cells. No page falls back to
    pdfminer: its page parse took three quarters of the reading time and adds nothing PDFium lacks."""
    try:
        finder = _table_finder()
        from pdfplumber.utils import obj_to_edges
    except ImportError:  # pragma: no cover - depends on the install
        notes.append("tables not read: pdfplumber is not installed")
        return
    settings = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
    for page in pages:
        edges = [e for d in page.drawings for e in obj_to_edges(d)]
        tables = finder(
            _Geometry(edges, (0.0, 0.0, page.width, page.height)),  # duck-typed pdfplumber page
            {**settings, "explicit_horizontal_lines": _closing_edges(edges)},
        ).tables
        page.fragments = [f for t in tables if (f := _fragment(t, page.chars, page.number)) is not None]
        page.drawings = []


_FINDER: list[type] = []  # the finder class, made once (pdfplumber is imported on first use)


def _table_finder() -> type:
    """pdfplumber's `TableFinder`, its cell search done by `_cells` instead of `intersections_to_cells`."""
    if _FINDER:
        return _FINDER[0]
    from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections

    class Finder(TableFinder):
        def __init__(self, page, settings) -> None:  # TableFinder's steps, one of them replaced
            self.page = page
            self.settings = TableSettings.resolve(settings)
            self.edges = self.get_edges()
            self.intersections = edges_to_intersections(
                self.edges, self.settings.intersection_x_tolerance, self.settings.intersection_y_tolerance
            )
            self.cells = _cells(self.intersections)
            self.tables = [Table(self.page, group) for group in cells_to_tables(self.cells)]

    _FINDER.append(Finder)
    return Finder


_Point = tuple[float, float]


def _cells(crossings: dict[_Point, dict[str, list[dict]]]) -> list[tuple[float, float, float, float]]:
    """The cells pdfplumber's `intersections_to_cells` finds, in its order, without its quadratic scan.

    For each crossing of rulings (by x, then y): the nearest crossing below joined to it by a vertical
    edge, then the nearest to its right joined by a horizontal edge, whose fourth corner exists and is
    joined to both; "joined" means the two crossings share an edge (the same box). pdfplumber looks for
    the candidates among all later crossings (most of the reading time of a table page); they are only
    those of the same column and the same row, so these are indexed once.
    """

    def boxes(kind: str) -> dict[_Point, set[tuple]]:
        return {p: {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in d[kind]} for p, d in crossings.items()}

    v, h = boxes("v"), boxes("h")  # "joined" in a column: not v[p].isdisjoint(v[q]); in a row: with h
    points = sorted(crossings)
    columns: dict[float, list[_Point]] = {}
    rows: dict[float, list[_Point]] = {}
    for p in points:  # sorted: a column's crossings top to bottom, a row's left to right
        columns.setdefault(p[0], []).append(p)
        rows.setdefault(p[1], []).append(p)
    down = {p: i + 1 for line in columns.values() for i, p in enumerate(line)}
    across = {p: j + 1 for line in rows.values() for j, p in enumerate(line)}
    cells = []
    for p in points:
        corner = None
        for b in columns[p[0]][down[p] :]:
            if v[p].isdisjoint(v[b]):
                continue
            for r in rows[p[1]][across[p] :]:
                if h[p].isdisjoint(h[r]):
                    continue
                c = (r[0], b[1])
                if c in crossings and not v[c].isdisjoint(v[r]) and not h[c].isdisjoint(h[b]):
                    corner = c
                    break
            if corner is not None:
                cells.append((p[0], p[1], corner[0], corner[1]))
                break
    return cells


@dataclass(slots=True)
class _Geometry:
    """What pdfplumber's table finder reads of a page with the "lines" strategies: its edges and box."""

    edges: list[dict]
    bbox: tuple[float, float, float, float]


def _closing_edges(edges: list[dict]) -> list[dict]:
    """Horizontal borders a producer left out where vertical rulings end together.

    WPS does not draw a table's bottom border at a page break, nor the top border of the piece on the next
    page; without them the last (first) row has no cell. Where two or more vertical rulings end at the same
    height, a horizontal edge joining them is added (harmless where a real one exists: they merge).
    """
    verticals = [e for e in edges if e["orientation"] == "v" and e["bottom"] - e["top"] >= _RULE_MIN_LEN]
    out: list[dict] = []
    for end in ("top", "bottom"):
        group: list[dict] = []
        for e in [*sorted(verticals, key=lambda e: e[end]), None]:
            if e is not None and group and e[end] - group[0][end] <= _GRID_TOL:
                group.append(e)
                continue
            xs = sorted(g["x0"] for g in group)
            if len(xs) >= 2 and xs[-1] - xs[0] > _RULE_MIN_LEN:
                y = group[0][end]
                out.append(
                    {
                        "object_type": "closing_edge",
                        "orientation": "h",
                        "x0": xs[0],
                        "x1": xs[-1],
                        "top": y,
                        "bottom": y,
                        "width": xs[-1] - xs[0],
                        "height": 0.0,
                    }
                )
            group = [e] if e is not None else []
    return out


def _is_ruling(obj: dict) -> bool:
    """Keep characters and the graphics that can be table borders; drop fills behind text."""
    kind = obj.get("object_type")
    if kind == "char":
        return True
    if kind not in ("line", "rect", "curve"):
        return False
    visible_stroke = not _is_white(obj.get("stroking_color"))
    dark_fill = bool(obj.get("fill")) and not _is_white(obj.get("non_stroking_color"))
    width, height = obj["x1"] - obj["x0"], obj["bottom"] - obj["top"]
    return _ruling(kind, width, height, bool(obj.get("stroke")), visible_stroke, dark_fill)


def _ruling(
    kind: str, width: float, height: float, stroked: bool, visible_stroke: bool, dark_fill: bool
) -> bool:
    """A line if its stroke is not white; other shapes if stroked in a visible colour, or thin and dark."""
    if kind == "line":
        return visible_stroke
    return (stroked and visible_stroke) or (min(width, height) <= _RULE_THIN and dark_fill)


def _is_white(color) -> bool:
    if not isinstance(color, (tuple, list)) or not color:
        return False
    try:
        values = [float(v) for v in color]
    except (TypeError, ValueError):
        return False
    if len(values) == 4:  # CMYK
        return all(v <= 0.05 for v in values)
    return all(v >= 0.95 for v in values)


def _fragment(table, chars: list[_Char], page: int) -> _Fragment | None:
    x0, top, x1, bottom = table.bbox
    inside = sorted((c for c in chars if x0 <= c.cx <= x1 and top <= c.cy <= bottom), key=lambda c: c.cy)
    keys = [c.cy for c in inside]
    rows: list[_Row] = []
    edges: set[float] = set()
    used: set[int] = set()
    for row in table.rows:
        cells = []
        for cell in row.cells:
            if cell is None:
                continue
            cx0, ctop, cx1, cbottom = cell
            lo, hi = bisect_left(keys, ctop), bisect_right(keys, cbottom)
            mine = [c for c in inside[lo:hi] if cx0 <= c.cx <= cx1 and id(c) not in used]
            used.update(id(c) for c in mine)
            cells.append(_Cell(cx0, ctop, cx1, cbottom, _cell_text(mine), page))
            edges.update((round(cx0, 1), round(cx1, 1)))
        if cells:
            rows.append(_Row(cells, min(c.top for c in cells)))
    if not rows or len(_cluster(sorted(edges))) < 3:  # one column: a framed paragraph, not a table
        return None
    return _Fragment(page, x0, top, x1, bottom, rows, used)


# ---------------------------------------------------------------- characters -> text


def _group_lines(chars: list[_Char]) -> list[list[_Char]]:
    """Visual lines: characters whose vertical centres fall in each other's band, left to right."""
    lines: list[list[_Char]] = []
    ref: _Char | None = None
    for c in sorted(chars, key=lambda c: c.cy):
        if ref is not None and ref.top <= c.cy <= ref.bottom and c.top <= ref.cy <= c.bottom:
            lines[-1].append(c)
        else:
            lines.append([c])
            ref = c
    for line in lines:
        line.sort(key=lambda c: c.x0)
    lines.sort(key=lambda line: min(c.top for c in line))
    return lines


def _text_line(chars: list[_Char]) -> _TextLine:
    return _TextLine(
        _join_chars(chars),
        min(c.x0 for c in chars),
        min(c.top for c in chars),
        max(c.x1 for c in chars),
        max(c.bottom for c in chars),
    )


def _join_chars(chars: list[_Char]) -> str:
    """One visual line's text: a space where there is a gap or a space glyph, except around CJK."""
    out: list[str] = []
    prev: _Char | None = None
    pending = False
    em = _em(chars) if len(chars) > 1 else 0.0  # only compared between two characters
    for c in chars:
        if c.text.isspace():
            pending = bool(out)
            continue
        if prev is not None:
            width = max(prev.x1 - prev.x0, 0.5)
            if c.text == prev.text and abs(c.x0 - prev.x0) < 0.3 * width and abs(c.top - prev.top) < 0.3 * em:
                continue  # the same glyph drawn twice, slightly offset (fake bold)
            if c.x0 - prev.x1 > max(1.0, 0.15 * em):
                pending = True
            if pending and space_between(out[-1][-1], c.text[0]):
                out.append(" ")
        out.append(c.text)
        prev = c
        pending = False
    return "".join(out).strip()


def _em(chars: list[_Char]) -> float:
    """The line's font size: the advance of its full-width characters, else its glyph height.

    Character widths agree between PDFium and pdfminer while their box heights do not, so widths come first.
    """
    wide = sorted(c.x1 - c.x0 for c in chars if is_cjk(c.text[0]))
    if wide:
        return max(wide[len(wide) // 2], 1.0)
    tall = sorted(c.bottom - c.top for c in chars)
    return max(tall[len(tall) // 2] * 0.8, 1.0) if tall else 10.0


def _cell_text(chars: list[_Char]) -> str:
    """A cell's words in reading order, wrapped lines joined (no space between CJK characters)."""
    if not chars:
        return ""
    if len(chars) == 1:  # most cells (a digit): what the general path below makes of one glyph
        return chars[0].text.strip()
    if sum(not c.upright for c in chars) > len(chars) / 2:
        return _rotated_text(chars)
    return join_lines((_join_chars(line) for line in _group_lines(chars)), glue_digits=True)


def _rotated_text(chars: list[_Char]) -> str:
    """Text set sideways (rotated header cells): columns of glyphs read along their direction."""
    ccw = sum(c.ccw for c in chars) > len(chars) / 2
    columns: list[list[_Char]] = []
    for c in sorted(chars, key=lambda c: c.cx):
        if columns and abs(columns[-1][0].cx - c.cx) <= (c.x1 - c.x0) / 2:
            columns[-1].append(c)
        else:
            columns.append([c])
    if not ccw:
        columns.reverse()  # clockwise text: the first line is the rightmost column
    parts = ["".join(c.text for c in sorted(col, key=lambda c: c.cy, reverse=ccw)) for col in columns]
    return join_lines(parts, glue_digits=True)


# ---------------------------------------------------------------- page furniture


def _drop_furniture(pages: list[_Page]) -> None:
    """Remove page numbers and running headers/footers from the text lines (never from table rows)."""
    live = [p for p in pages if p.lines]

    def in_margin(page: _Page, line: _TextLine) -> bool:
        return line.bottom <= page.height * _MARGIN or line.top >= page.height * (1 - _MARGIN)

    def key(text: str) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))

    repeats: Counter[str] = Counter()
    for page in live:
        repeats.update({key(line.text) for line in page.lines if in_margin(page, line)})
    threshold = max(2, (len(live) * 2 + 4) // 5)  # on at least two pages and about 40 % of them
    running = {k for k, n in repeats.items() if n >= threshold and len(live) >= 2}

    for page in live:
        keep: list[_TextLine] = []
        for i, line in enumerate(page.lines):
            text = line.text.strip()
            if in_margin(page, line):
                if key(text) in running or _DASHED_NUMBER.match(text):
                    continue
                if _PAGE_NUMBER.match(text) and _is_outermost(page, i):
                    continue
            keep.append(line)
        page.lines = keep


def _is_outermost(page: _Page, i: int) -> bool:
    """The line is the first or last thing on the page, set apart from the body by a gap."""
    line = page.lines[i]
    tops = [f.top for f in page.fragments]
    bottoms = [f.bottom for f in page.fragments]
    above = [o.bottom for o in page.lines[:i]] + [b for b in bottoms if b <= line.top]
    below = [o.top for o in page.lines[i + 1 :]] + [t for t in tops if t >= line.bottom]
    gap = max(line.bottom - line.top, 1.0) * 0.8
    return (not below and (not above or line.top - max(above) >= gap)) or (
        not above and (not below or min(below) - line.bottom >= gap)
    )


# ---------------------------------------------------------------- tables across pages


def _chain_tables(pages: list[_Page]) -> None:
    """Link table fragments that continue on the next page, merge what the break cut, build grids."""
    chains: list[list[_Fragment]] = []
    prev_tail: _Fragment | None = None
    prev_number = 0
    for page in pages:
        items = sorted(
            [(f.top, 1, f) for f in page.fragments] + [(ln.top, 0, ln) for ln in page.lines],
            key=lambda x: (x[0], x[1]),
        )
        head = items[0][2] if items else None
        if (
            prev_tail is not None
            and page.number == prev_number + 1
            and isinstance(head, _Fragment)
            and abs(head.x0 - prev_tail.x0) <= 3 * _GRID_TOL
            and abs(head.x1 - prev_tail.x1) <= 3 * _GRID_TOL
        ):
            chains[-1].append(head)
            _merge_break(prev_tail, head)
            rest = [f for f in page.fragments if f is not head]
        else:
            rest = page.fragments
        chains.extend([f] for f in sorted(rest, key=lambda f: f.top))
        tail = items[-1][2] if items else None
        prev_tail = tail if isinstance(tail, _Fragment) else None
        prev_number = page.number
    for chain in chains:
        edges = sorted(e for f in chain for row in f.rows for c in row.cells for e in (c.x0, c.x1))
        grid = _cluster(edges)
        for f in chain:
            f.grid = grid


def _merge_break(above: _Fragment, below: _Fragment) -> None:
    """Join the pieces of cells and rows that a page break cut in two (``above`` ends page n)."""
    live = [r for r in above.rows if not r.dropped]
    if not live or not below.rows:
        return
    last, first = live[-1], below.rows[0]
    touching = [c for r in live for c in r.cells if abs(c.bottom - above.bottom) <= _GRID_TOL]
    last_has_values = any(_is_value(c.text) for c in last.cells)
    first_has_values = any(_is_value(c.text) for c in first.cells)

    def partner(cell: _Cell) -> _Cell | None:
        for c in touching:
            if abs(c.x0 - cell.x0) <= _GRID_TOL and abs(c.x1 - cell.x1) <= _GRID_TOL:
                return c
        return None

    # 1. Merged (row-spanning) label cells cut by the break: their lower piece joins the upper one.
    value_start = next((c.x0 for c in first.cells if _is_value(c.text)), float("inf"))
    labels = [c for c in first.cells if c.x1 <= value_start + _GRID_TOL]
    if first_has_values or not last_has_values:
        for k, cell in enumerate(labels):
            upper = partner(cell)
            if upper is None or _is_value(upper.text) or _ITEM_START.match(cell.text):
                continue
            spans_rows = upper.top < last.top - _GRID_TOL
            leads = any(c.text for c in labels[k + 1 :])  # a group label: the row's own label is to its right
            if spans_rows or leads:
                upper.text = join_lines([upper.text, cell.text], glue_digits=True)
                first.cells.remove(cell)

    # 2. A row cut in two: the continuation has no label of its own and its cells line up.
    rest = first.cells
    pairs = [(c, partner(c)) for c in rest]
    if any(p is None and c.text for c, p in pairs):
        return
    label = next((c.text for c in rest if c.text and not _is_value(c.text)), "")
    if label and _ITEM_START.match(label):
        return
    for c, p in pairs:
        if p is not None and c.text and p.text and (_is_value(c.text) or _is_value(p.text)):
            return  # a value under a filled cell: two complete rows
    for c, p in pairs:
        if p is None or not c.text:
            continue
        if not p.text:
            p.x0, p.top, p.x1, p.bottom, p.text, p.page = c.x0, c.top, c.x1, c.bottom, c.text, c.page
        else:
            p.text = join_lines([p.text, c.text], glue_digits=True)
    first.dropped = True


def _is_value(text: str) -> bool:
    return bool(text) and _NUMERIC.match(text) is not None


def _cluster(edges: list[float]) -> list[float]:
    """Sorted edges with near-duplicates merged (each cluster represented by its first edge)."""
    out: list[float] = []
    for e in edges:
        if not out or e - out[-1] > _GRID_TOL:
            out.append(e)
    return out


# ---------------------------------------------------------------- emission


def _emit(pages: list[_Page]) -> list[Line]:
    lines: list[Line] = []
    for page in pages:
        items = sorted(
            [(f.top, 1, f) for f in page.fragments] + [(ln.top, 0, ln) for ln in page.lines],
            key=lambda x: (x[0], x[1]),
        )
        for _, _, item in items:
            if isinstance(item, _TextLine):
                n = len(lines) + 1
                span = Span(
                    item.text, n, page=page.number, x0=item.x0, top=item.top, x1=item.x1, bottom=item.bottom
                )
                lines.append(Line((span,)))
                continue
            for row in item.rows:
                if row.dropped or not row.cells:
                    continue
                n = len(lines) + 1
                spans = tuple(
                    Span(
                        c.text,
                        n,
                        cell=_column(item.grid, c.x0),
                        page=c.page,
                        x0=c.x0,
                        top=c.top,
                        x1=c.x1,
                        bottom=c.bottom,
                    )
                    for c in sorted(row.cells, key=lambda c: c.x0)
                )
                lines.append(Line(spans, is_table_row=True))
    return lines


def _column(grid: list[float], x: float) -> int:
    i = bisect_left(grid, x - _GRID_TOL)
    return min(i, max(len(grid) - 2, 0))
