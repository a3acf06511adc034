"""Read bytes of any supported format into a `Document` (text lines and table rows with provenance).

The format is recognised from the bytes, never from the file name. Each format has its own module with a
``read(data: bytes, source: str) -> Document`` function; this module only sniffs and dispatches.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from gongkai.digest import sha256_hex
from gongkai.errors import InputError
from gongkai.read.document import Document, Line, Span
from gongkai.read.services import is_ole
from gongkai.settings import SettingsLike, resolve

__all__ = [
    "MAX_BYTES",
    "Document",
    "Line",
    "Span",
    "is_report_json",
    "load_file",
    "read_bytes",
    "read_path",
    "sniff",
]

MAX_BYTES = 200 * 1024 * 1024  # larger inputs are refused: no annual report is this big


def is_report_json(data: bytes) -> bool:
    """Whether ``data`` is a report as gongkai writes it (``Report.to_json``): an object with ``meta``
    and tables."""
    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return False
    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return False
    from gongkai.template import TABLE_KEYS

    return (
        isinstance(obj, dict)
        and isinstance(obj.get("meta"), dict)
        and any(isinstance(obj.get(t), dict) for t in TABLE_KEYS)
    )


def sniff(data: bytes) -> str:
    """The format of ``data``: pdf, docx, ole (DOC/WPS), zip, png, jpeg, tiff, html, json (a report as gongkai
    writes it) or text."""
    head = data[:4096]
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if is_ole(head):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or b"[Content_Types].xml" in data[:65536] else "zip"
    if head.startswith(b"\x89PNG"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with BOM; may still hold HTML, the text reader decodes first
    probe = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<!doctype html", b"<html", b"<?xml", b"<meta", b"<head", b"<body")) or (
        b"<table" in data[:200000].lower() and b"</td>" in data[:400000].lower()
    ):
        return "html"
    if is_report_json(data):
        return "json"
    return "text"


def read_bytes(data: bytes, source: str = "<bytes>", settings: SettingsLike = None) -> Document:
    """Read a document from bytes; raises `InputError` with a one-line reason when it cannot.
    ``settings``: see `gongkai.settings` (its ``pdf`` and ``ocr`` parts are used here)."""
    settings = resolve(settings)
    if not data:
        raise InputError("文件为空 (empty file)")
    if len(data) > MAX_BYTES:
        raise InputError(f"文件过大 (file too large: {len(data) // (1024 * 1024)} MiB)")
    kind = sniff(data)
    if kind == "text":
        from gongkai.read import text as reader
    elif kind == "html":
        from gongkai.read import html as reader  # type: ignore[no-redef]
    elif kind == "pdf":
        from gongkai.read import pdf as reader  # type: ignore[no-redef]
    elif kind == "docx":
        from gongkai.read import docx as reader  # type: ignore[no-redef]
    elif kind == "ole":
        from gongkai.read import convert as reader  # type: ignore[no-redef]
    elif kind in ("png", "jpeg", "tiff"):
        from gongkai.read import ocr as reader  # type: ignore[no-redef]
    elif kind == "json":
        raise InputError("是 gongkai 报告 JSON，不是待读取的文档 (a report JSON: use gongkai.parse_bytes)")
    else:
        raise InputError(f"不支持的文件格式 (unsupported format: {kind})")
    if kind == "pdf":
        doc = reader.read(data, source, settings=settings)  # type: ignore[call-arg]
    elif kind in ("png", "jpeg", "tiff"):
        doc = reader.read(data, source, settings=settings.ocr)  # type: ignore[call-arg]
    else:
        doc = reader.read(data, source)
    doc.sha256 = sha256_hex(data)
    return doc


def read_path(path: str | Path, settings: SettingsLike = None) -> Document:
    p = Path(path)
    return read_bytes(load_file(p), str(p), settings=settings)


def file_kind_problem(mode: int) -> str | None:
    """Why a file of this ``st_mode`` cannot be read as a document (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "是目录而不是文件 (is a directory)"
    kind = (
        "命名管道 (a FIFO)"
        if stat.S_ISFIFO(mode)
        else "套接字 (a socket)"
        if stat.S_ISSOCK(mode)
        else "设备 (a device)"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "特殊文件 (a special file)"
    )
    return f"不是普通文件：{kind} (not a regular file)"


def load_file(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file, refused (`InputError`) before reading when it is a FIFO, device, socket
    or folder, or larger than ``limit`` (default `MAX_BYTES`); read in bounded chunks so a file that grows
    or lies about its size cannot take more than the limit."""
    limit = MAX_BYTES if limit is None else limit
    try:
        st = os.stat(path)
    except OSError as e:
        raise InputError(f"无法读取文件 (cannot read: {e.strerror or e})") from None
    problem = file_kind_problem(st.st_mode)
    if problem:
        raise InputError(problem)
    if st.st_size > limit:
        raise InputError(
            f"文件过大 (file too large: {st.st_size // (1024 * 1024)} MiB > {limit // (1024 * 1024)} MiB)"
        )
    try:
        with open(path, "rb") as f:
            # read(n) allocates n bytes first: ask for the size stat gave, and more only if the file grew
            want = min(st.st_size, limit) + 1
            data = f.read(want)
            if len(data) == want and want <= limit:
                data += f.read(limit + 1 - want)
    except OSError as e:
        raise InputError(f"无法读取文件 (cannot read: {e.strerror or e})") from None
    if len(data) > limit:
        raise InputError(f"文件过大 (file too large: > {limit // (1024 * 1024)} MiB)")
    return data
