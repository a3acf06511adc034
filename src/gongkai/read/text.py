"""Plain text in any encoding real reports come in: UTF-8, GBK/GB18030, UTF-16 (with or without BOM).

Traditional script is converted to simplified (OpenCC ``t2s``) when the text is mostly traditional.
Page furniture that PDF copy-paste leaves in the text (``- 3 -``, ``第 3 页``, form feeds) is dropped,
so that it never reads as a table value.
"""

from __future__ import annotations

from gongkai.errors import InputError
from gongkai.lazyre import lazy_compile
from gongkai.read.document import Document, Line, Span
from gongkai.read.services import looks_like_text, simplify_document

_PAGE_FURNITURE = lazy_compile(
    r"^\s*(?:[-—–－]+\s*\d{1,3}\s*[-—–－]+|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$"
)
_CJK = lazy_compile(r"[\u4e00-\u9fff]")


MAX_TEXT_BYTES = 32 * 1024 * 1024  # a plain-text annual report is well under 1 MB; larger is refused unread
_STRAY_NULS = 8  # more NUL bytes than this (outside UTF-16) make the file binary, fewer are damage
_DAMAGE_SHARE = 0.01  # at most this share of replaced characters still counts as a damaged text, not binary


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes to text; returns (text, encoding). Raises `InputError` for binary data."""
    text, encoding, _ = decode_counting(data)
    return text, encoding


def decode_counting(data: bytes) -> tuple[str, str, int]:
    """(text, encoding, damage): ``damage`` is how many undecodable bytes or stray NULs were replaced
    (U+FFFD) or dropped. UTF-16 with or without BOM, UTF-8 with a bad byte or a truncated last character,
    GB18030, else charset-normalizer's guess. Raises `InputError` for binary data."""
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(f"文本文件过大 (text file too large: > {MAX_TEXT_BYTES // (1024 * 1024)} MiB)")
    if data.startswith(b"\xef\xbb\xbf"):
        return _replacing(data[3:], "utf-8", "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        return _replacing(data[2:], enc, "utf-16")
    utf16 = _guess_utf16(data)
    if utf16:
        return _replacing(data, utf16, utf16)
    nuls = data.count(b"\x00")
    if nuls > _STRAY_NULS:
        raise InputError("二进制文件，不是文本 (binary data, not a text document)")
    body = data.replace(b"\x00", b"") if nuls else data
    try:
        return body.decode("utf-8"), "utf-8", nuls
    except UnicodeDecodeError:
        pass
    utf16 = _guess_utf16(data, need_nuls=False)
    if utf16:
        return _replacing(data, utf16, utf16)
    # a bad byte or a cut last character in UTF-8 (GB18030 would take such bytes for other characters)
    text, enc, damage = _replacing(body, "utf-8", "utf-8")
    if damage <= max(3, len(text) * _DAMAGE_SHARE):  # GBK read as UTF-8 is damaged almost everywhere
        return text, enc, damage + nuls
    text, enc, damage = _replacing(body, "gb18030", "gb18030")
    if damage <= max(3, len(text) * _DAMAGE_SHARE):  # GBK/GB18030, perhaps with a bad byte
        return text, enc, damage + nuls
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is None:
        raise InputError("无法识别文本编码 (cannot decode text)")
    text, enc, damage = _replacing(body, best.encoding, best.encoding)
    return text, enc, damage + nuls


def _replacing(data: bytes, codec: str, name: str) -> tuple[str, str, int]:
    """Decode with U+FFFD for what cannot be decoded; counts the replacements (not those in the source)."""
    text = data.decode(codec, errors="replace")
    damage = text.count("\ufffd") - _source_replacement_chars(data, codec)
    if codec.startswith("utf-16"):  # a stray NUL code unit: dropped and counted
        nul = text.count("\x00")
        if nul:
            text = text.replace("\x00", "")
            damage += nul
    return text, name, max(0, damage)


def _source_replacement_chars(data: bytes, codec: str) -> int:
    """U+FFFD characters the source itself contains (they are not damage)."""
    try:
        marker = "\ufffd".encode(codec)
    except (UnicodeEncodeError, LookupError):
        return 0
    return data.count(marker)


def _guess_utf16(data: bytes, need_nuls: bool = True) -> str | None:
    """UTF-16 without BOM. ASCII in UTF-16 puts its NUL bytes on one side of each code unit (odd offsets
    in little-endian); with ``need_nuls`` False (pure CJK has none) the decoded text alone must convince."""
    sample = data[: min(len(data), 8192) // 2 * 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if need_nuls and (even + odd < 2 or max(even, odd) < 0.7 * (even + odd)):
        return None
    for enc in ("utf-16-le", "utf-16-be") if odd >= even else ("utf-16-be", "utf-16-le"):
        if looks_like_text(sample.decode(enc, errors="replace")[:2000]):
            return enc
    return None


# A pinyin gloss after a character, as some mirror sites print traditional text: 經(jīng)濟(jì).
_PINYIN_GLOSS = lazy_compile(
    r"(?<=[\u4e00-\u9fff])\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7}\)"
)


_TONE_MARK = lazy_compile(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ]")  # every gloss has one: a cheap first look


def drop_pinyin_glosses(text: str) -> tuple[str, int]:
    """The text without pinyin glosses inside words (``項(xiàng)`` → ``項``), and how many there were."""
    if not _TONE_MARK.search(text):
        return text, 0
    return _PINYIN_GLOSS.subn("", text)


_PIPE_ROW = lazy_compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = lazy_compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*\|?\s*$")


def lines_of(text: str) -> list[Line]:
    """One `Line` per source line (1-based numbering kept), dropping page furniture. A Markdown pipe-table
    row is a table row whose cells sit where the source puts them; its ``|---|`` rule is dropped. Other
    ``|``-separated text (a crawler's output: ``label | 0 | | 0 |``, or one cell per line ending in ``|``)
    is read cell by cell: see `_PipeRows`."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: list[Line] = []
    pending = _PipeRows(out)
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.replace("\f", "").rstrip()
        bar = "|" in line  # (every pipe pattern needs one)
        if not line or _PAGE_FURNITURE.match(line) or (bar and _PIPE_RULE.match(line)):
            continue
        if bar and _PIPE_ROW.match(line) and line.count("|") >= 3:
            pending.flush()
            cells = line.strip()[1:-1].split("|")
            out.append(Line(tuple(Span(c.strip(), number, cell=i) for i, c in enumerate(cells)), True))
        elif bar and _pipe_cells(line):
            pending.add(line, number)
        else:
            pending.flush()
            out.append(Line((Span(line, number),)))
    pending.flush()
    return out


_VALUE_PIECE = lazy_compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*(?:万?元|件|条|个)?$")
_BLANK_PIECE = lazy_compile(r"^(?:[-—–－/／]{1,3}|无)?$")


def _pipe_cells(line: str) -> bool:
    """Whether a line with ``|`` in it holds table cells: it opens or closes with ``|``, or a piece after
    the first is a number or a blank (``普通段落 | 不是表格`` is text)."""
    stripped = line.strip()
    if stripped.startswith("|") or stripped.endswith("|"):
        return True
    pieces = [p.strip() for p in stripped.split("|")[1:]]
    return any(_VALUE_PIECE.match(p) or _BLANK_PIECE.match(p) for p in pieces)


class _PipeRows:
    """Rows of ``|``-separated text that is not a Markdown table: every ``|`` and every line end closes a
    cell, so ``label | 0 | | 0 |`` and one cell per line (``label |`` / ``0 |`` / ``|``) read alike. A cell
    with words in it (a label) starts a row; the numbers and blanks after it are that row's cells, in order.
    An empty cell stays an empty cell: its column is kept. A piece the text leaves open at its very end
    (no closing ``|``: a cut-off ``2`` or ``6.`` of the next label, or a cut number) is not a cell."""

    def __init__(self, out: list[Line]) -> None:
        self.out = out
        self.row: list[Span] = []

    def add(self, line: str, number: int) -> None:
        pieces = line.strip().split("|")
        closed = line.rstrip().endswith("|")
        if closed:
            pieces.pop()
        for i, piece in enumerate(pieces):
            cell = piece.strip()
            if not closed and i == len(pieces) - 1 and cell and not _CJK.search(cell):
                self.flush()  # an open piece: text, never a cell of the row before
                self.out.append(Line((Span(cell, number),)))
                continue
            if cell and not _VALUE_PIECE.match(cell) and not _BLANK_PIECE.match(cell):
                self.flush()
            self.row.append(Span(cell, number, cell=len(self.row)))

    def flush(self) -> None:
        if any(s.text for s in self.row):
            self.out.append(Line(tuple(self.row), True))
        self.row = []


def read(data: bytes, source: str) -> Document:
    text, encoding, damage = decode_counting(data)
    if not looks_like_text(text[:20000]):
        raise InputError("二进制文件，不是文本 (binary data, not a text document)")
    lowered = text[:4000].lower()
    if "<html" in lowered or ("<table" in text.lower() and "</td>" in text.lower()):
        from gongkai.read import html

        return html.read_text(text, source)
    text, glosses = drop_pinyin_glosses(text)
    doc = Document(source=source, format="text", lines=lines_of(text))
    if encoding not in ("utf-8", "utf-8-sig"):
        doc.notes.append(f"decoded as {encoding}")
    if damage:
        doc.notes.append(f"文本有损坏：{damage} 处无法解码，已替换或删除 (damaged text: {damage} replaced)")
    simplify_document(doc)
    if glosses:
        doc.notes.append(f"dropped {glosses} pinyin gloss(es) inside words")
    if not doc.lines:
        raise InputError("文件没有文字内容 (no text content)")
    return doc
