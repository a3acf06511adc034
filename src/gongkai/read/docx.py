"""Word 2007+ documents (DOCX) read from their XML, in document order.

Paragraphs and tables are walked as they sit in the body, through content controls (``w:sdt``) and
custom-XML wrappers. Each paragraph is one `Line` (a soft line break ``w:br`` starts a new line with the
same path); each table row is one table-row `Line` whose spans are the row's *real* cells:

* ``cell`` is the cell's 0-based column in the table grid: the ``w:gridBefore`` of the row plus the
  ``w:gridSpan`` of every cell before it. A cell merged across three columns is one span at its first
  column, and the next cell's index jumps by three.
* a cell that continues a vertical merge (``w:vMerge`` without ``w:val="restart"``) is not emitted
  again: the value belongs to the row where the merge starts. (``python-docx``'s ``row.cells`` would
  repeat it, which is why it is not used.)
* a cell's text is its paragraphs joined, with no separator between CJK characters and one space
  otherwise.

Nested tables are flattened: their rows follow the row that holds them. Text boxes (``w:txbxContent``,
from the DrawingML choice of an ``mc:AlternateContent``, never also from its VML fallback) follow the
paragraph or row that anchors them. Deleted revisions, field instructions, ruby annotations and hidden
runs are not text a reader sees and are left out.

Paths: ``body/p[12]`` is the 12th body-level paragraph, ``table[2]/tr[5]/tc[3]`` the 3rd ``w:tc`` element
of the 5th row of the 2nd body-level table (element positions, 1-based, counting merged continuations);
nested and boxed content extends the path (``table[2]/tr[1]/tc[1]/table[1]/tr[3]/tc[2]``,
``body/p[4]/txbx[1]/p[2]``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from gongkai.errors import InputError
from gongkai.read.document import Document, Line, Span
from gongkai.read.services import is_ole, join_lines, ole_kind, simplify_document

__all__ = ["read"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

MAX_UNPACKED = 256 * 1024 * 1024  # a DOCX that unpacks to more than this is refused (zip bomb)
MAX_XML_PART = 48 * 1024 * 1024  # one XML part larger than this (parsed into memory many times over) too

# Wrappers that hold block content (paragraphs, tables, rows, cells) and are looked through.
_BLOCK_WRAPPERS = {_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins", _W + "moveTo"}
# Inline elements whose content is not text a reader sees.
_INLINE_SKIP = {
    _W + "pPr",
    _W + "rPr",
    _W + "sdtPr",
    _W + "sdtEndPr",
    _W + "del",
    _W + "moveFrom",
    _W + "delText",
    _W + "instrText",
    _W + "delInstrText",
    _W + "fldData",
    _W + "rt",  # ruby annotation (pinyin above the base text)
    _W + "customXmlPr",
    _W + "smartTagPr",
}
_BREAKS = {_W + "br", _W + "cr"}
_FALSE = {"0", "false", "off"}


@dataclass
class _State:
    lines: list[Line] = field(default_factory=list)
    hidden_runs: int = 0
    text_boxes: int = 0
    alt_chunks: int = 0

    def add(self, spans: list[tuple[str, int | None, str]], is_table_row: bool) -> None:
        number = len(self.lines) + 1
        self.lines.append(
            Line(tuple(Span(t, number, cell=c, path=p) for t, c, p in spans), is_table_row=is_table_row)
        )


def _created(data: bytes) -> str | None:
    """The document's core-properties creation date as an ISO date (none when the file has no
    core properties: python-docx would otherwise invent today's)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.package import OpcPackage

    try:
        package = OpcPackage.open(io.BytesIO(data))
        package.part_related_by(RT.CORE_PROPERTIES)
        created = package.core_properties.created
    except Exception:  # metadata is a bonus: a document that reads keeps its text
        return None
    return created.date().isoformat() if created is not None and created.year >= 2000 else None


def read(data: bytes, source: str) -> Document:
    """Read DOCX bytes; raises `InputError` for corrupt, encrypted or non-Word input."""
    body = _body(data)
    state = _State()
    _walk_blocks(body, state, top=True, prefix="")
    doc = Document(source=source, format="docx", lines=state.lines)
    created = _created(data)
    if created:
        doc.info.update(created=created, created_source="docx_metadata")
    simplify_document(doc)
    if state.text_boxes:
        doc.notes.append(f"read {state.text_boxes} text box(es)")
    if state.hidden_runs:
        doc.notes.append(f"left out {state.hidden_runs} hidden run(s)")
    if state.alt_chunks:
        doc.notes.append(f"{state.alt_chunks} embedded foreign chunk(s) (w:altChunk) not read")
    if not doc.lines:
        raise InputError("文件没有文字内容 (no text content)")
    return doc


# ---------------------------------------------------------------------------------------------------------
# opening


def _body(data: bytes) -> etree._Element:
    if is_ole(data):
        ole_kind(data)  # raises for encrypted (an encrypted DOCX is an OLE file) and non-Word files
        raise InputError("是旧版 DOC/WPS 文件，不是 DOCX (legacy DOC/WPS file, not DOCX)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        raise InputError("文件损坏或不是 Word 文档 (corrupt file: not a valid DOCX/zip)") from None
    # sizes from the headers, before anything is inflated (zipfile never inflates past a declared size)
    if sum(info.file_size for info in infos) > MAX_UNPACKED:
        raise InputError(f"解压后过大 (DOCX unpacks to more than {MAX_UNPACKED // 2**20} MiB)")
    xml = [i for i in infos if i.filename.lower().endswith((".xml", ".rels")) and i.file_size > MAX_XML_PART]
    if xml:
        raise InputError(f"XML 部件过大 (DOCX part {xml[0].filename} over {MAX_XML_PART // 2**20} MiB)")

    from docx.opc.exceptions import PackageNotFoundError
    from docx.opc.package import OpcPackage

    try:
        # Open the package rather than `docx.Document()`, which refuses macro-enabled documents and
        # templates (.docm, .dotx) whose body is the same WordprocessingML.
        part = OpcPackage.open(io.BytesIO(data)).main_document_part
    except (KeyError, PackageNotFoundError):
        raise InputError("不是 Word 文档 (zip file without a Word document part)") from None
    except etree.XMLSyntaxError as e:
        raise InputError(f"文件损坏 (corrupt DOCX: {_one_line(e)})") from None
    except Exception as e:  # python-docx raises assorted errors on malformed packages
        raise InputError(f"文件损坏或不是 Word 文档 (not a readable DOCX: {_one_line(e)})") from None
    if "wordprocessingml" not in part.content_type and "ms-word" not in part.content_type:
        raise InputError(f"不是 Word 文档 (not a Word document: {part.content_type})")
    root = getattr(part, "element", None)
    if root is None:
        try:
            root = etree.fromstring(part.blob, parser=etree.XMLParser(resolve_entities=False, huge_tree=True))
        except etree.XMLSyntaxError as e:
            raise InputError(f"文件损坏 (corrupt DOCX: {_one_line(e)})") from None
    body = root.find(_W + "body")
    if body is None:
        raise InputError("不是 Word 文档 (no w:body: strict OOXML or not a Word document)")
    return body


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())[:200] or type(e).__name__


# ---------------------------------------------------------------------------------------------------------
# blocks


def _children(el: etree._Element, tags: set[str]) -> Iterator[etree._Element]:
    """Children of ``el`` with one of ``tags``, looking through content controls and similar wrappers."""
    for child in el:
        if child.tag in tags:
            yield child
        elif child.tag in _BLOCK_WRAPPERS:
            yield from _children(child, tags)


_P, _TBL, _ALT_CHUNK = _W + "p", _W + "tbl", _W + "altChunk"


def _walk_blocks(container: etree._Element, state: _State, top: bool, prefix: str) -> None:
    """Paragraphs and tables of a body, text box or cell, in order. ``top``: the document body."""
    n_p = n_tbl = 0
    for el in _children(container, {_P, _TBL, _ALT_CHUNK}):
        if el.tag == _P:
            n_p += 1
            path = f"body/p[{n_p}]" if top else f"{prefix}p[{n_p}]"
            boxes: list[etree._Element] = []
            text = _paragraph_text(el, state, boxes)
            for piece in text.split("\n"):
                piece = piece.rstrip()
                if piece.strip():
                    state.add([(piece, None, path)], is_table_row=False)
            _walk_boxes(boxes, state, path)
        elif el.tag == _TBL:
            n_tbl += 1
            _walk_table(el, state, f"{prefix}table[{n_tbl}]")
        else:
            state.alt_chunks += 1


def _walk_boxes(boxes: list[etree._Element], state: _State, path: str) -> None:
    for i, box in enumerate(boxes, start=1):
        state.text_boxes += 1
        _walk_blocks(box, state, top=False, prefix=f"{path}/txbx[{i}]/")


def _walk_table(tbl: etree._Element, state: _State, path: str) -> None:
    for r, tr in enumerate(_children(tbl, {_W + "tr"}), start=1):
        tr_pr = tr.find(_W + "trPr")
        if tr_pr is not None and tr_pr.find(_W + "del") is not None:
            continue  # a row deleted with tracked changes
        row_path = f"{path}/tr[{r}]"
        column = _int_val(tr_pr.find(_W + "gridBefore") if tr_pr is not None else None, 0)
        spans: list[tuple[str, int | None, str]] = []
        nested: list[tuple[etree._Element, str]] = []
        boxes: list[etree._Element] = []
        for c, tc in enumerate(_children(tr, {_W + "tc"}), start=1):
            tc_pr = tc.find(_W + "tcPr")
            span = _int_val(tc_pr.find(_W + "gridSpan") if tc_pr is not None else None, 1)
            cell_path = f"{row_path}/tc[{c}]"
            if not _continues_merge(tc_pr):
                spans.append((_cell_text(tc, state, boxes), column, cell_path))
            for t, inner in enumerate(_children(tc, {_TBL}), start=1):
                nested.append((inner, f"{cell_path}/table[{t}]"))
            column += max(span, 1)
        if spans and (not nested or any(text for text, _, _ in spans)):
            state.add(spans, is_table_row=True)
        _walk_boxes(boxes, state, row_path)
        for inner, inner_path in nested:
            _walk_table(inner, state, inner_path)


def _continues_merge(tc_pr: etree._Element | None) -> bool:
    if tc_pr is None:
        return False
    for tag in ("vMerge", "hMerge"):  # hMerge: the legacy horizontal merge of Word 97 conversions
        merge = tc_pr.find(_W + tag)
        if merge is not None and merge.get(_W + "val", "continue") != "restart":
            return True
    return False


def _int_val(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return int(el.get(_W + "val", default))
    except ValueError:
        return default


def _cell_text(tc: etree._Element, state: _State, boxes: list[etree._Element]) -> str:
    """The cell's own paragraphs (nested tables are read as rows of their own)."""
    pieces: list[str] = []
    for p in _children(tc, {_P}):
        for piece in _paragraph_text(p, state, boxes).split("\n"):
            piece = " ".join(piece.split())
            if piece:
                pieces.append(piece)
    return join_lines(pieces)


# ---------------------------------------------------------------------------------------------------------
# inline text


def _paragraph_text(p: etree._Element, state: _State, boxes: list[etree._Element]) -> str:
    out: list[str] = []
    _inline(p, out, boxes, state)
    return "".join(out)


def _inline(el: etree._Element, out: list[str], boxes: list[etree._Element], state: _State) -> None:
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _INLINE_SKIP:
            continue  # comments, processing instructions, non-text
        if tag == _W + "t":
            out.append(child.text or "")
        elif tag == _W + "tab" or tag == _W + "ptab":
            out.append("\t")
        elif tag in _BREAKS:
            out.append("\n")
        elif tag == _W + "noBreakHyphen":
            out.append("-")
        elif tag == _W + "sym":
            out.append(_symbol(child))
        elif tag == _W + "r" and _hidden(child):
            state.hidden_runs += 1
        elif tag == _W + "txbxContent":
            boxes.append(child)
        elif tag == _MC + "AlternateContent":
            _alternate(child, out, boxes, state)
        else:  # runs, hyperlinks, fields, smart tags, insertions, content controls, drawings, ruby base …
            _inline(child, out, boxes, state)


def _alternate(el: etree._Element, out: list[str], boxes: list[etree._Element], state: _State) -> None:
    """Read one branch of an ``mc:AlternateContent``: the first choice with any text, else the fallback."""
    for branch in el:
        if branch.tag not in (_MC + "Choice", _MC + "Fallback"):
            continue
        o: list[str] = []
        b: list[etree._Element] = []
        _inline(branch, o, b, state)
        if "".join(o).strip() or b:
            out.extend(o)
            boxes.extend(b)
            return


def _hidden(run: etree._Element) -> bool:
    r_pr = run.find(_W + "rPr")
    if r_pr is None:
        return False
    vanish = r_pr.find(_W + "vanish")
    return vanish is not None and vanish.get(_W + "val", "true").lower() not in _FALSE


def _symbol(sym: etree._Element) -> str:
    try:
        code = int(sym.get(_W + "char", ""), 16)
    except ValueError:
        return ""
    if 0xF000 <= code <= 0xF0FF or code < 0x20:
        return ""  # a glyph of a symbol font (Wingdings …), not a character
    return chr(code)
