"""Services every reader shares: decoding bytes to text, traditional → simplified script, joining the
pieces of a cell or paragraph, and recognising OLE compound files (DOC, WPS, encrypted Office files).

Readers import from here, never from each other's internals, so the reading modules form no import cycle.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from dataclasses import replace
from functools import cache

from gongkai.errors import InputError
from gongkai.lazyre import lazy_compile
from gongkai.read.document import Document, Line

__all__ = [
    "OLE_MAGIC",
    "declared_encoding",
    "decode",
    "is_cjk",
    "is_cjk_punct",
    "is_ole",
    "join_lines",
    "looks_like_text",
    "ole_kind",
    "ole_streams",
    "simplify_document",
    "space_between",
    "to_simplified",
]

# ---------------------------------------------------------------- decoding

# Charset declarations are ASCII, so they can be found in the raw bytes before decoding.
_META_CHARSET = lazy_compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_XML_ENCODING = lazy_compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_GBK_LABEL = lazy_compile(r"gb|936|euc-?cn", re.IGNORECASE)  # gb2312, gbk, x-gbk, cp936, euc-cn, gb18030 …
# Chinese government pages that declare a Western single-byte charset are mislabelled: nearly every
# byte sequence decodes under these, so the declaration proves nothing and detection decides instead.
_WESTERN = frozenset({"iso8859-1", "cp1252", "ascii", "iso8859-15"})
_BINARY = "二进制文件，不是文本 (binary data, not a text document)"


def decode(data: bytes, *, markup: bool = False) -> tuple[str, str]:
    """Decode bytes to text; returns (text, encoding).

    BOM first; then, for ``markup`` (HTML/XML), the declared charset (a declaration that fails to decode
    is ignored: pages often lie); for plain text, UTF-16 without BOM. Then UTF-8, GB18030 and
    charset-normalizer. Plain text that is binary or undecodable raises `InputError`; markup falls back
    to GB18030 with replacement characters."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    if markup:
        found = _declared_guess(data)
        if found is not None:
            return found
    else:
        utf16 = _guess_utf16(data)
        if utf16:
            return data.decode(utf16, errors="replace"), utf16
        if b"\x00" in data[:8192]:
            raise InputError(_BINARY)
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        return str(best), best.encoding
    if not markup:
        raise InputError("无法识别文本编码 (cannot decode text)")
    return data.decode("gb18030", errors="replace"), "gb18030"


def decode_table(data: bytes) -> str | None:
    """A CSV file's text, in the encodings spreadsheet programs save (UTF-8 with or without a BOM, else
    GB18030); None when it is neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _declared_guess(data: bytes) -> tuple[str, str] | None:
    declared = declared_encoding(data[:16384])
    if declared and declared != "utf-8" and not data.isascii():
        # GBK decodes UTF-8 bytes without error (as mojibake), while GBK text is essentially never valid
        # UTF-8: a page that is valid UTF-8 is UTF-8 whatever a copied <meta> says.
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    if declared:
        try:
            return data.decode(declared), declared
        except UnicodeDecodeError:
            pass
    return None


def declared_encoding(head: bytes) -> str | None:
    """The charset an HTML/XML head declares, as a Python codec name (GBK family → gb18030)."""
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    if not match:
        return None
    label = match.group(1).decode("ascii").lower()
    if _GBK_LABEL.search(label):
        return "gb18030"  # superset: GB2312/GBK pages routinely contain characters outside their set
    if label.startswith(("utf-16", "utf-32", "unicode")):
        return "utf-8"  # an ASCII-readable declaration cannot sit in a UTF-16 file (HTML spec rule)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _WESTERN:
        return None
    return name


def _guess_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: CJK and ASCII text in UTF-16 has many NULs on one side of each code unit."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        sample = sample[: len(sample) - len(sample) % 2]
    even, odd = sample[0::2], sample[1::2]
    if not even or odd.count(0) + even.count(0) < len(sample) // 8:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data[: len(data) - len(data) % 2].decode(enc)
        except UnicodeDecodeError:
            continue
        if looks_like_text(text[:2000]):
            return enc
    return None


def _plausible(ch: str) -> bool:
    o = ord(ch)
    return (
        (32 <= o < 127)
        or ch in "\t\r\n\f"
        or 0x4E00 <= o <= 0x9FFF  # CJK ideographs
        or 0x3000 <= o <= 0x303F  # CJK punctuation
        or 0xFF00 <= o <= 0xFFEF  # full-width forms
        or 0x2000 <= o <= 0x206F  # general punctuation
        or o in (0xA0, 0xB7, 0xD7, 0xFEFF)
        or 0x3400 <= o <= 0x4DBF
        or 0x2460 <= o <= 0x24FF  # circled numbers
    )


# Runs of the characters `_plausible` accepts (the same ranges): counted in C, not one call a character.
_PLAUSIBLE_RUN = re.compile(
    "[\x20-\x7e\t\r\n\f\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2000-\u206f"
    "\xa0\xb7\xd7\ufeff\u3400-\u4dbf\u2460-\u24ff]+"
)


def looks_like_text(text: str) -> bool:
    """Mostly characters a Chinese report is written in (binary decoded as UTF-16 is not)."""
    if not text:
        return False
    good = sum(map(len, _PLAUSIBLE_RUN.findall(text)))
    return good / len(text) >= 0.85


# ---------------------------------------------------------------- traditional → simplified script

_NOT_CJK_IDEOGRAPHS = lazy_compile(r"[^\u4e00-\u9fff]+")
# A CJK ideograph GB2312 lacks, as ``backslashreplace`` writes it (``\u4e00`` … ``\u9fff``): found in the
# encoded bytes without compiling a CJK class (~0.7 ms) or looking at every character in Python. A text
# that prints such an escape itself only takes the longer way below.
_ESCAPED_IDEOGRAPH = lazy_compile(rb"\\u(?:4e|4f|[5-9][0-9a-f])[0-9a-f]{2}")


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def in_simplified_charset(cjk: str) -> bool:
    """Whether GB2312, the character set of simplified script, has every character of ``cjk``. Such text
    is not converted, and OpenCC need not even be loaded (its import and dictionaries take ~6 ms): OpenCC's
    t2s changes only 16 of GB2312's 6763 characters, rare ones such as 乾 and 麴, or 於 and 後 where a
    simplified text writes 于 and 后 (tests/read/test_services.py checks this against OpenCC's own tables),
    never the 3% that makes a text traditional. A traditional text always has characters beyond GB2312."""
    try:
        cjk.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def to_simplified(text: str) -> tuple[str, bool]:
    """Convert to simplified script when the text is written in traditional script."""
    head = text[:20000]
    if in_simplified_charset(head):  # the common case, in one call: then its ideographs are in GB2312 too
        return text, False
    if not _ESCAPED_IDEOGRAPH.search(head.encode("gb2312", errors="backslashreplace")):
        return text, False  # every ideograph is in GB2312 (or there is none): as the sample below says
    sample = _NOT_CJK_IDEOGRAPHS.sub("", head)
    changed = sum(a != b for a, b in zip(sample, _t2s().convert(sample), strict=False))
    if changed / len(sample) < 0.03:
        return text, False
    return _t2s().convert(text), True


def simplify_document(doc: Document) -> Document:
    """Every reader's last step: a document written in traditional script is converted to simplified
    (OpenCC ``t2s``), span by span, provenance kept, with a note."""
    sample = "".join(s.text for line in doc.lines for s in line.spans if s.text)[:20000]
    if not to_simplified(sample)[1]:
        return doc
    convert = _t2s().convert
    doc.lines = [
        Line(tuple(replace(s, text=convert(s.text)) for s in line.spans), is_table_row=line.is_table_row)
        for line in doc.lines
    ]
    doc.notes.append("converted from traditional to simplified script")
    return doc


# ---------------------------------------------------------------- joining lines


def join_lines(pieces: Iterable[str], *, glue_digits: bool = False) -> str:
    """Join the lines (or paragraphs) of one cell or paragraph: nothing where CJK meets CJK or where CJK
    punctuation is on either side, one space otherwise. ``glue_digits``: a number wrapped over two lines
    (PDF) is put back together."""
    out = ""
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        wrapped_number = glue_digits and out[-1:].isdigit() and piece[0].isdigit()
        if out and space_between(out[-1], piece[0]) and not wrapped_number:
            out += " "
        out += piece
    return out


def space_between(a: str, b: str) -> bool:
    """Whether a space may separate ``a`` and ``b``: not between CJK characters, not by CJK punctuation."""
    if is_cjk_punct(a) or is_cjk_punct(b):
        return False
    return not (is_cjk(a) and is_cjk(b))


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x3FFFF


def is_cjk_punct(ch: str) -> bool:
    o = ord(ch)
    return (
        0x3000 <= o <= 0x303F
        or 0xFE30 <= o <= 0xFE4F
        or 0xFF01 <= o <= 0xFF0F
        or 0xFF1A <= o <= 0xFF20
        or 0xFF3B <= o <= 0xFF40
        or 0xFF5B <= o <= 0xFF65
        or ch in "“”‘’…—·"
    )


# ---------------------------------------------------------------- OLE compound files

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def is_ole(data: bytes) -> bool:
    """An OLE compound file: legacy DOC, WPS, or an encrypted Office file."""
    return data.startswith(OLE_MAGIC)


def ole_kind(data: bytes) -> str:
    """``"doc"`` or ``"wps"`` for a word-processing OLE file; `InputError` for anything else it can tell."""
    if not is_ole(data):
        raise InputError("不是 DOC/WPS 文件 (not an OLE compound file: not DOC or WPS)")
    streams = ole_streams(data)
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        raise InputError("文件已加密，请先去除密码 (encrypted document: remove the password first)")
    if not streams:
        raise InputError("文件损坏 (corrupt OLE file: its directory cannot be read)")
    if "WordDocument" not in streams:
        for stream, what in (("Workbook", "Excel"), ("Book", "Excel"), ("PowerPoint Document", "PowerPoint")):
            if stream in streams:
                raise InputError(f"是 {what} 文件，不是 Word 文档 ({what} file, not a Word document)")
        raise InputError("不是 Word 文档 (OLE file without a WordDocument stream: not DOC or WPS)")
    if _fib_encrypted(data, streams["WordDocument"]):
        raise InputError("文件已加密，请先去除密码 (encrypted document: remove the password first)")
    # Only Kingsoft's own stream counts: the custom property ``KSOProductBuildVer`` survives re-saving
    # in other programs (the corpus .doc files, saved by LibreOffice from a WPS-made template, carry it).
    return "wps" if "WpsCustomData" in streams else "doc"


def ole_streams(data: bytes) -> dict[str, int]:
    """Names of the entries in an OLE compound file's directory, each with its first sector.

    A small reader of the [MS-CFB] header, sector allocation table and directory; a damaged file gives
    what could be read (possibly nothing), never an exception.
    """
    out: dict[str, int] = {}
    shift = int.from_bytes(data[30:32], "little")
    if shift not in (9, 12) or len(data) < 512:
        return out
    size = 1 << shift
    n_sectors = (len(data) - 512) // size + 1

    def sector(n: int) -> bytes:
        return data[512 + n * size : 512 + (n + 1) * size] if 0 <= n < n_sectors else b""

    difat = [int.from_bytes(data[76 + 4 * i : 80 + 4 * i], "little") for i in range(109)]
    nxt, seen = int.from_bytes(data[68:72], "little"), set()
    while 0 <= nxt < n_sectors and nxt not in seen:  # DIFAT sectors beyond the 109 in the header
        seen.add(nxt)
        block = sector(nxt)
        ids = [int.from_bytes(block[i : i + 4], "little") for i in range(0, len(block), 4)]
        difat.extend(ids[:-1])
        nxt = ids[-1] if ids else -1
    fat: list[int] = []
    for n in difat:
        if 0 <= n < n_sectors:
            block = sector(n)
            fat.extend(int.from_bytes(block[i : i + 4], "little") for i in range(0, len(block), 4))
    nxt, seen = int.from_bytes(data[48:52], "little"), set()
    while 0 <= nxt < n_sectors and nxt not in seen and len(seen) < 100_000:
        seen.add(nxt)
        block = sector(nxt)
        for e in range(0, len(block) - 127, 128):
            entry = block[e : e + 128]
            length = int.from_bytes(entry[64:66], "little")
            if entry[66] in (1, 2, 5) and 2 <= length <= 64:
                name = entry[: length - 2].decode("utf-16-le", errors="replace")
                out.setdefault(name, int.from_bytes(entry[116:120], "little"))
        nxt = fat[nxt] if nxt < len(fat) else -1
    return out


def _fib_encrypted(data: bytes, start: int) -> bool:
    """The ``fEncrypted`` flag of the Word file header (FIB), at the start of the ``WordDocument`` stream.

    That stream is always larger than the mini-stream cutoff, so it starts at a regular sector.
    """
    fib = (start + 1) << int.from_bytes(data[30:32], "little")
    return data[fib : fib + 2] == b"\xec\xa5" and len(data) > fib + 11 and bool(data[fib + 11] & 0x01)
