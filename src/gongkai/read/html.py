"""HTML pages, including Word/WPS/LibreOffice exports, read into a `Document`.

Text outside tables becomes one line per paragraph (block element or ``<br>``-separated run) with the
element path as provenance. Each table row becomes one table-row line whose spans are its cells, one span
per ``<td>``/``<th>``, carrying the cell's column in the fully expanded grid (rowspan and colspan of
earlier cells honoured), so a number lands under the header it sits under on screen.

Page layout is told apart from data: a row whose cells hold nested tables or several paragraphs of prose,
and a table that never has two cells side by side, are read as ordinary blocks, so the inner tables' rows
come out as rows of their own and an article wrapped in a frame table comes out as paragraphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.html
from lxml import etree

from gongkai.errors import InputError
from gongkai.read.document import Document, Line, Span
from gongkai.read.services import declared_encoding, decode, join_lines, simplify_document

__all__ = ["grid", "read", "read_text"]

# Elements whose content is never visible text.
_DROP = frozenset(
    [
        "head",
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "svg",
        "math",
        "select",
        "xml",
        "meta",
        "link",
        "base",
    ]
)
# Elements that start and end a paragraph.
_BLOCK = frozenset(
    [
        "html",
        "body",
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "dir",
        "menu",
        "blockquote",
        "pre",
        "center",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "main",
        "figure",
        "figcaption",
        "address",
        "form",
        "fieldset",
        "legend",
        "details",
        "summary",
        "hr",
        "caption",
        "td",
        "th",
        "tr",
        "thead",
        "tbody",
        "tfoot",
    ]
)
_CELLS = ("td", "th")
_SECTIONS = ("thead", "tbody", "tfoot")
# Spans clamped to what a report table can have (table 四 is the widest with 15 value columns, table 三
# the longest with about 35 rows), and a budget for the expanded grid: a crafted page cannot make it huge.
_MAX_COLSPAN = 64
_MAX_ROWSPAN = 512
_MAX_GRID_CELLS = 2_000_000
# A cell with at least this many paragraphs and characters holds page content, not a value.
_PROSE_PARAGRAPHS = 3
_PROSE_CHARS = 150

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACE = re.compile(r"\s+")
# CJK characters and the punctuation Chinese text sets between them (curly quotes, dashes, ellipsis).
_CJK = re.compile(
    "[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u2014\u2018\u2019\u201c\u201d\u2026\u00b7]"
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all", re.IGNORECASE)

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


# --- public API


def read(data: bytes, source: str) -> Document:
    """Read HTML bytes into a `Document`; raises `InputError` when the page has no text."""
    text, encoding = decode(data, markup=True)
    doc = read_text(text, source)
    declared = declared_encoding(data[:16384])
    if declared and declared != encoding and not encoding.startswith(("utf-8-sig", "utf-16")):
        doc.notes.insert(0, f"declared charset {declared} does not fit; decoded as {encoding}")
    elif encoding not in ("utf-8", "utf-8-sig"):
        doc.notes.insert(0, f"decoded as {encoding}")
    return doc


def read_text(text: str, source: str) -> Document:
    """Read already-decoded HTML into a `Document`; raises `InputError` when the page has no text."""
    root = _parse(text)
    walker = _Walker(root.getroottree())
    walker.title(root)
    before = len(walker.lines)
    body = root.find("body")
    walker.block(body if body is not None else root)
    if len(walker.lines) == before:
        raise InputError("网页没有文字内容 (page has no text)")
    doc = simplify_document(Document(source=source, format="html", lines=walker.lines))
    published = _meta_published(root)
    if published:
        doc.info.update(published=published, published_source="html_meta")
    return doc


# <meta> names content management systems give a page's publication date under.
_PUBDATE_NAMES = (
    "pubdate",
    "publishdate",
    "publish_date",
    "publishtime",
    "firstpublishedtime",
    "article:published_time",
    "dcterms.issued",
    "dc.date.issued",
    "dc.date",
    "date",
)
_ISO_DATE = re.compile(r"(20[0-3]\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def _meta_published(root: etree._Element) -> str | None:
    """The publication date a page's ``<meta>`` tags give (PubDate and the like), as an ISO date."""
    found: dict[str, str] = {}
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or el.get("itemprop") or "").strip().lower()
        if key in _PUBDATE_NAMES and key not in found:
            found[key] = el.get("content") or ""
    for key in _PUBDATE_NAMES:
        m = _ISO_DATE.search(found.get(key, ""))
        if m and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31:
            return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return None


def grid(table: etree._Element) -> list[list[str]]:
    """The table fully expanded: a merged cell's text in its top-left slot, "" in the slots it covers.

    Rows of nested tables are not part of the grid; a cell's text leaves them out.
    """
    rows = _rows(table)
    placed = _layout(rows)
    width = max((col + colspan for row in placed for _, col, colspan in row), default=0)
    if width * len(rows) > _MAX_GRID_CELLS:
        raise InputError(f"网页表格过大 (HTML table too large: {len(rows)} × {width} cells)")
    out = [[""] * width for _ in rows]
    for r, row in enumerate(placed):
        for cell, col, _ in row:
            out[r][col] = _cell_text(cell)
    return out


# --- parsing


def _parse(text: str) -> etree._Element:
    text = _XML_DECL.sub("", text, count=1).replace("\x00", "")
    if not text.strip():
        raise InputError("网页没有文字内容 (page has no text)")
    # Parse UTF-8 bytes with the encoding forced, so a stale <meta charset> in the text cannot re-decode it.
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", errors="replace"), parser=parser)
    except (etree.ParserError, ValueError) as e:
        raise InputError(f"无法解析网页 (cannot parse HTML: {e})") from None
    if root is None:
        raise InputError("网页没有文字内容 (page has no text)")
    return root


def _tag(el: etree._Element) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def _hidden(el: etree._Element) -> bool:
    style = el.get("style")
    return bool(style) and _HIDDEN_STYLE.search(style) is not None


# --- text


def _is_cjk(ch: str) -> bool:
    return bool(ch) and _CJK.match(ch) is not None


def _collapse(raw: str) -> str:
    """Collapse whitespace the way a browser shows it; a line break between two CJK characters vanishes."""
    raw = _INVISIBLE.sub("", raw)

    def space(m: re.Match[str]) -> str:
        run = m.group()
        if "\n" in run or "\r" in run:
            start, end = m.start(), m.end()
            if start and end < len(raw) and _is_cjk(raw[start - 1]) and _is_cjk(raw[end]):
                return ""
        return " "

    return _SPACE.sub(space, raw).strip()


def _inline(el: etree._Element) -> Iterator[str | None]:
    """Text of ``el``'s content as pieces; ``None`` marks a paragraph boundary. Nested tables are skipped."""
    if el.text:
        yield el.text
    for child in el:
        tag = _tag(child)
        if tag and tag not in _DROP and tag != "table" and not _hidden(child):
            if tag == "br":
                yield None
            elif tag in _BLOCK:
                yield None
                yield from _inline(child)
                yield None
            else:
                yield from _inline(child)
        if child.tail:
            yield child.tail


def _cell_parts(cell: etree._Element) -> list[str]:
    """The cell's paragraphs (split at blocks and ``<br>``), whitespace collapsed, empty ones dropped."""
    parts: list[str] = []
    current: list[str] = []
    for piece in _inline(cell):
        if piece is None:
            parts.append(_collapse("".join(current)))
            current = []
        else:
            current.append(piece)
    parts.append(_collapse("".join(current)))
    return [part for part in parts if part]


def _cell_text(cell: etree._Element) -> str:
    return join_lines(_cell_parts(cell))


# --- tables


def _rows(table: etree._Element) -> list[etree._Element]:
    """The table's own rows in document order (not those of nested tables)."""
    rows: list[etree._Element] = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in _SECTIONS:
            rows.extend(tr for tr in child if _tag(tr) == "tr")
    return rows


def _span_attr(cell: etree._Element, name: str, limit: int) -> int:
    digits = re.match(r"\s*(\d+)", cell.get(name) or "")
    if not digits:
        return 1
    value = int(digits.group(1))
    if value == 0 and name == "rowspan":
        return limit  # rowspan="0": to the end of the table
    return max(1, min(value, limit))


def _layout(rows: list[etree._Element]) -> list[list[tuple[etree._Element, int, int]]]:
    """Place each row's cells in the expanded grid: (cell, first column, colspan) per cell."""
    covered: dict[int, set[int]] = {}  # row index -> columns taken by rowspans from above
    budget = _MAX_GRID_CELLS  # slots rowspans may still cover
    placed: list[list[tuple[etree._Element, int, int]]] = []
    for r, tr in enumerate(rows):
        taken = covered.pop(r, set())
        col = 0
        row: list[tuple[etree._Element, int, int]] = []
        for cell in tr:
            if _tag(cell) not in _CELLS:
                continue
            while col in taken:
                col += 1
            colspan = _span_attr(cell, "colspan", _MAX_COLSPAN)
            rowspan = _span_attr(cell, "rowspan", min(_MAX_ROWSPAN, len(rows) - r))
            if (rowspan - 1) * colspan > budget:
                rowspan = 1
            budget -= (rowspan - 1) * colspan
            for below in range(r + 1, r + rowspan):
                covered.setdefault(below, set()).update(range(col, col + colspan))
            row.append((cell, col, colspan))
            col += colspan
        placed.append(row)
    return placed


def _has_table(cell: etree._Element) -> bool:
    return any(True for _ in cell.iterdescendants("table"))


def _is_ghost(tr: etree._Element) -> bool:
    """Word's zero-height row of empty cells that only carries column widths (``<tr height=0>``)."""
    height = (tr.get("height") or "").strip()
    style = (tr.get("style") or "").replace(" ", "").lower()
    return height in ("0", "0px") or "height:0;" in style + ";" or "height:0pt" in style


def _is_prose(parts: list[str]) -> bool:
    """Several paragraphs of running text: a page-layout cell (article body), not a table value."""
    return len(parts) >= _PROSE_PARAGRAPHS and sum(map(len, parts)) >= _PROSE_CHARS


# --- walker


class _Walker:
    """Walks the body in document order, emitting paragraph lines and table-row lines."""

    def __init__(self, tree: etree._ElementTree) -> None:
        self.tree = tree
        self.lines: list[Line] = []
        self.tables = 0
        self._buffer: list[str] = []
        self._owner: etree._Element | None = None  # the block element the buffered paragraph started in

    def title(self, root: etree._Element) -> None:
        title = root.find("head/title")
        if title is not None:
            text = _collapse(title.text_content())
            if text:
                self._emit((Span(text, self._next(), path=self._path(title)),))

    def block(self, el: etree._Element) -> None:
        """Read a block element: its content is one or more paragraphs of its own."""
        self.flush()
        self._content(el)
        self.flush()

    def flush(self) -> None:
        if self._buffer:
            text = _collapse("".join(self._buffer))
            if text:
                path = self._path(self._owner) if self._owner is not None else None
                self._emit((Span(text, self._next(), path=path),))
        self._buffer = []
        self._owner = None

    def _content(self, el: etree._Element) -> None:
        self._add(el.text, el)
        for child in el:
            tag = _tag(child)
            if tag and tag not in _DROP and not _hidden(child):
                if tag == "table":
                    self.flush()
                    self._table(child)
                elif tag == "br":
                    self.flush()
                elif tag == "pre":
                    self._pre(child)
                elif tag in _BLOCK:
                    self.block(child)
                else:
                    self._content(child)
            self._add(child.tail, el)

    def _add(self, text: str | None, owner: etree._Element) -> None:
        if not text:
            return
        if not self._buffer:
            # The paragraph belongs to the nearest block element around its first text.
            while owner is not None and _tag(owner) not in _BLOCK:
                owner = owner.getparent()
            self._owner = owner
        self._buffer.append(text)

    def _pre(self, el: etree._Element) -> None:
        self.flush()
        path = self._path(el)
        for raw in el.text_content().splitlines():
            text = _collapse(raw)
            if text:
                self._emit((Span(text, self._next(), path=path),))

    def _table(self, table: etree._Element) -> None:
        self.tables += 1
        number = self.tables
        for child in table:
            if _tag(child) == "caption":
                self.block(child)
        rows = _rows(table)
        placed_rows = _layout(rows)
        # A table that never has two cells side by side is a frame around content, not data.
        framing = all(len(placed) <= 1 for placed in placed_rows)
        for r, (tr, placed) in enumerate(zip(rows, placed_rows, strict=True), start=1):
            cells = [cell for cell, _, _ in placed]
            if not cells:
                continue
            if framing or any(map(_has_table, cells)):
                self._blocks(cells)
                continue
            parts = [_cell_parts(cell) for cell in cells]
            if any(map(_is_prose, parts)):
                self._blocks(cells)
                continue
            if _is_ghost(tr) and not any(parts):
                continue
            line = self._next()
            spans = tuple(
                Span(join_lines(p), line, cell=col, path=f"table[{number}]/tr[{r}]/{_tag(cell)}[{i}]")
                for i, ((cell, col, _), p) in enumerate(zip(placed, parts, strict=True), start=1)
            )
            self._emit(spans, is_table_row=True)

    def _blocks(self, cells: list[etree._Element]) -> None:
        """Read the cells of a layout row as ordinary blocks (nested tables become rows of their own)."""
        for cell in cells:
            self.block(cell)

    def _next(self) -> int:
        return len(self.lines) + 1

    def _emit(self, spans: tuple[Span, ...], is_table_row: bool = False) -> None:
        self.lines.append(Line(spans, is_table_row=is_table_row))

    def _path(self, el: etree._Element) -> str:
        return self.tree.getpath(el).lstrip("/")
