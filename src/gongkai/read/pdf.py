"""PDFs with a text layer: paragraph lines and ruled-table rows, in reading order, with page geometry.

Two engines, each where it is strong:

* **pypdfium2** opens the file (fast, tolerant of damaged files, tells an encrypted file from a corrupt
  one), reads every page's characters with their boxes, and classifies the page's drawing objects: does
  the page have ruling lines, images, anything at all?
* **pdfplumber** runs only on pages with ruling lines (and on rotated pages, which it reports upright):
  its table finder turns the lines into cells, and the page's characters (from the same parser, so in the
  same geometry as the cells) fill them. Fills behind text (WPS paints a white box behind every line) are
  not rulings; borders a producer leaves out at a page break are put back (`_closing_edges`).

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


@dataclass(frozen=True, slots=True)
class _Char:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    upright: bool = True
    ccw: bool = False  # rotated text reading bottom-to-top

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


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
    lines: list[_TextLine] = field(default_factory=list)
    fragments: list[_Fragment] = field(default_factory=list)


# ---------------------------------------------------------------- entry points


_PDF_DATE = re.compile(r"^(?:D:)?(20[0-3]\d)(\d{2})(\d{2})")


def _creation_date(data: bytes) -> str | None:
    """The PDF's CreationDate (``D:20240226144123``) as an ISO date, if it has a plausible one."""
    try:
        import pypdfium2 as pdfium

        with PDFIUM_LOCK:
            pdf = pdfium.PdfDocument(data)
            try:
                value = pdf.get_metadata_dict().get("CreationDate") or ""
            finally:
                pdf.close()
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
    pages = _read_pages(data, settings.pdf.max_pages)
    notes: list[str] = []
    if not any(p.usable for p in pages):
        if any(p.has_graphics for p in pages):
            try:
                from gongkai.read import ocr
            except ImportError:
                raise InputError(
                    "PDF 没有可用的文字层 (no usable text layer; install gongkai[ocr] for scans)"
                ) from None
            return ocr.read(data, source, timeout=settings.ocr.timeout, dpi=settings.ocr.dpi)
        raise InputError("PDF 没有文字内容 (PDF has no text)")

    # pdfplumber reads pages with rulings (tables) and rotated pages (it reports them as seen, upright)
    ruled = [p for p in pages if p.usable and (p.has_rulings or p.rotation)]
    if ruled:
        _find_tables(data, ruled, notes)
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
    created = _creation_date(data)
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
        timeout=ocr_settings.timeout,
        dpi=ocr_settings.dpi,
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


def _read_pages(data: bytes, max_pages: int = MAX_PAGES) -> list[_Page]:
    try:
        import pypdfium2 as pdfium
        import pypdfium2.raw as raw
    except ImportError:  # pragma: no cover - depends on the install
        raise InputError("读取 PDF 需要 gongkai[pdf] (install gongkai[pdf] to read PDF files)") from None
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
            return [_pdfium_page(pdf, i, raw) for i in range(count)]
        finally:
            pdf.close()


MAX_EXPANDED_STREAMS = 256 * 1024 * 1024  # all non-image streams of one PDF, inflated
MAX_EXPANDED_STREAM = 64 * 1024 * 1024  # one of them
_STREAM = re.compile(rb"stream\r?\n")
_IMAGE = re.compile(rb"/Subtype\s*/Image")


def check_expanded_streams(data: bytes) -> None:
    """Refuse a PDF whose Flate-compressed content (page content, fonts, object streams; not images)
    inflates beyond `MAX_EXPANDED_STREAMS`, before any parser inflates it into memory. Measured in 1 MiB
    steps, nothing kept."""
    total = 0
    for m in _STREAM.finditer(data):
        head = data[max(0, m.start() - 1024) : m.start()]
        head = head[head.rfind(b"obj") + 3 :] if b"obj" in head else head
        if b"FlateDecode" not in head or _IMAGE.search(head):
            continue
        end = data.find(b"endstream", m.end())
        size = _inflated_size(data[m.end() : end if end > 0 else len(data)], MAX_EXPANDED_STREAM)
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


def _pdfium_page(pdf, index: int, raw) -> _Page:
    number = index + 1
    try:
        page = pdf[index]
    except Exception:  # PDFium refuses the page: treat it as having no text
        return _Page(number, 595.0, 842.0, [], usable=False, has_rulings=False, has_graphics=True)
    try:
        left, bottom, right, top = page.get_mediabox()
        width, height = right - left, top - bottom
        rotation = page.get_rotation()
        rulings, graphics, image_cover = _scan_objects(page, raw, width * height)
        textpage = page.get_textpage()
        try:
            chars, bad = _pdfium_chars(textpage, raw, left, top)
        finally:
            textpage.close()
    except Exception:
        return _Page(number, 595.0, 842.0, [], usable=False, has_rulings=False, has_graphics=True)
    finally:
        page.close()
    visible = sum(1 for c in chars if not c.text.isspace())
    usable = visible > 0 and bad / (visible + bad) <= _GARBAGE_RATIO
    if usable and visible < _SCAN_MAX_CHARS and image_cover >= _SCAN_COVER:
        usable = False  # a scanned page with a stamp or a watermark line of text
    return _Page(
        number,
        width,
        height,
        chars if usable else [],
        usable=usable,
        has_rulings=rulings >= _MIN_RULINGS,
        has_graphics=graphics > 0 or bad > 0,
        rotation=rotation,
    )


def _scan_objects(page, raw, area: float) -> tuple[int, int, float]:
    """(ruling-like paths, drawing/image objects, largest image's share of the page) via the raw API."""
    import ctypes

    rulings = graphics = 0
    cover = 0.0
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()

    def visit(count: int, get) -> None:
        nonlocal rulings, graphics, cover
        for i in range(count):
            obj = get(i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_FORM:
                visit(raw.FPDFFormObj_CountObjects(obj), lambda k, o=obj: raw.FPDFFormObj_GetObject(o, k))
                continue
            if kind not in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_SHADING):
                continue
            graphics += 1
            if not raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
                continue
            w, h = right.value - left.value, top.value - bottom.value
            if kind == raw.FPDF_PAGEOBJ_IMAGE:
                cover = max(cover, w * h / area if area > 0 else 0.0)
            elif kind == raw.FPDF_PAGEOBJ_PATH:
                if max(w, h) < _RULE_MIN_LEN:
                    continue
                if raw.FPDFPath_GetDrawMode(obj, fill_mode, stroke) and stroke.value:
                    rulings += max(1, raw.FPDFPath_CountSegments(obj) // 2)  # a whole grid may be one path
                elif min(w, h) <= _RULE_THIN:
                    rulings += 1

    visit(raw.FPDFPage_CountObjects(page), lambda k: raw.FPDFPage_GetObject(page, k))
    return rulings, graphics, cover


def _pdfium_chars(textpage, raw, left: float, top: float) -> tuple[list[_Char], int]:
    """The page's characters (generated spaces and line breaks left out) and how many are garbage."""
    chars: list[_Char] = []
    bad = 0
    for i in range(textpage.count_chars()):
        if raw.FPDFText_IsGenerated(textpage, i) == 1:
            continue
        code = raw.FPDFText_GetUnicode(textpage, i)
        if code in (10, 13):
            continue
        ch = chr(code) if 0 < code < 0x110000 else "\ufffd"
        if _is_garbage(ch) or raw.FPDFText_HasUnicodeMapError(textpage, i) == 1:
            bad += 1
            continue
        x0, y0, x1, y1 = textpage.get_charbox(i, loose=True)
        chars.append(_Char(ch, x0 - left, top - y1, x1 - left, top - y0))
    return chars, bad


def _is_garbage(ch: str) -> bool:
    """Control characters, private-use code points, surrogates and replacement characters."""
    o = ord(ch)
    if o < 32:
        return ch != "\t"
    return 0xE000 <= o <= 0xF8FF or o >= 0xF0000 or 0xD800 <= o <= 0xDFFF or ch in "\ufffd\ufffe\uffff"


# ---------------------------------------------------------------- pdfplumber pass: ruled tables


def _find_tables(data: bytes, pages: list[_Page], notes: list[str]) -> None:
    """Fill ``page.fragments`` (and replace ``page.chars`` by pdfplumber's) for pages with rulings."""
    try:
        import pdfplumber
    except ImportError:  # pragma: no cover - depends on the install
        notes.append("tables not read: pdfplumber is not installed")
        return
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as e:  # pdfminer raises many kinds; PDFium read the file, so keep its text
        notes.append(f"tables not read: {type(e).__name__}")
        return
    with pdf:
        for page in pages:
            try:
                _plumber_page(pdf.pages[page.number - 1], page)
            except Exception as e:  # a page pdfminer cannot interpret keeps its PDFium text
                notes.append(f"page {page.number}: tables not read ({type(e).__name__})")
            finally:
                pdf.pages[page.number - 1].close()


def _plumber_page(ppage, page: _Page) -> None:
    # pdfplumber's frame is offset by the media box origin; shift to the page's top-left corner
    ox, oy = ppage.bbox[0], ppage.bbox[1]
    chars: list[_Char] = []
    bad = 0
    for c in ppage.chars:
        text = c["text"]
        if text.startswith("(cid:") or any(_is_garbage(ch) for ch in text):
            bad += 1
            continue
        m = c.get("matrix") or (1, 0, 0, 1, 0, 0)
        box = (c["x0"] - ox, c["top"] - oy, c["x1"] - ox, c["bottom"] - oy)
        chars.append(_Char(text, *box, upright=c.get("upright", True), ccw=m[1] > 0))
    visible = sum(1 for c in chars if not c.text.isspace())
    if visible == 0 or bad / (visible + bad) > _GARBAGE_RATIO:
        if page.rotation:
            return  # PDFium's characters are in the unrotated frame: keep them as plain text
        chars = page.chars  # pdfminer decodes worse than PDFium here: fill the cells with PDFium's text
    ruled = ppage.filter(_is_ruling)
    settings = {
        "vertical_strategy": "lines",
        "horizontal_strategy": "lines",
        "explicit_horizontal_lines": _closing_edges(ruled.edges),
    }
    tables = ruled.find_tables(settings) if page.has_rulings else []
    page.chars = chars
    page.width, page.height = float(ppage.width), float(ppage.height)
    page.fragments = [f for t in tables if (f := _fragment(t, chars, page.number, ox, oy)) is not None]


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
    w, h = obj["x1"] - obj["x0"], obj["bottom"] - obj["top"]
    stroked = obj.get("stroke") and not _is_white(obj.get("stroking_color"))
    if kind == "line":
        return not _is_white(obj.get("stroking_color"))
    thin = min(w, h) <= _RULE_THIN
    filled = obj.get("fill") and not _is_white(obj.get("non_stroking_color"))
    return bool(stroked or (thin and filled))


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


def _fragment(table, chars: list[_Char], page: int, ox: float, oy: float) -> _Fragment | None:
    x0, top, x1, bottom = bbox = _moved(table.bbox, ox, oy)
    inside = sorted((c for c in chars if _contains(bbox, c)), key=lambda c: c.cy)
    keys = [c.cy for c in inside]
    rows: list[_Row] = []
    edges: set[float] = set()
    used: set[int] = set()
    for row in table.rows:
        cells = []
        for cell in row.cells:
            if cell is None:
                continue
            cx0, ctop, cx1, cbottom = _moved(cell, ox, oy)
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


def _moved(bbox, dx: float, dy: float) -> tuple[float, float, float, float]:
    x0, top, x1, bottom = bbox
    return (x0 - dx, top - dy, x1 - dx, bottom - dy)


def _contains(bbox, c: _Char) -> bool:
    x0, top, x1, bottom = bbox
    return x0 <= c.cx <= x1 and top <= c.cy <= bottom


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
    em = _em(chars)
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
