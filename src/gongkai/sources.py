"""Which files are documents, and reading many of them: the one place that decides, for ``parse``, ``check``,
``ingest`` and the web upload alike.

A file named on its own is always read. A folder is walked recursively in name order, and a ``.zip`` archive
(recognised from its bytes, so a ``.docx`` is not one) is opened; inside those, a file is a document when
its name has a document extension and is not hidden, a README, a licence or an Office lock file (so truth
files such as ``*.expected.json`` beside the reports are left alone).

>>> sources, errors = discover(["corpus/", "batch.zip"])
>>> for item in parse_many(["corpus/"]):
...     print(item.source, item.report.meta["agency"] if item.report else item.error)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gongkai.model import Report

__all__ = [
    "DOCUMENT_EXTENSIONS",
    "Parsed",
    "Source",
    "archive_documents",
    "discover",
    "internal_error",
    "is_document_name",
    "member_name",
    "parse_many",
    "parse_source",
]

DOCUMENT_EXTENSIONS = (
    ".txt",
    ".md",
    ".html",
    ".htm",
    ".pdf",
    ".doc",
    ".docx",
    ".wps",
    ".png",
    ".jpg",
    ".jpeg",
    ".tif",
    ".tiff",
)
IGNORED_PREFIXES = (".", "~$", "readme", "license", "licence", "__macosx")
MAX_ARCHIVE_MEMBERS = 100_000
MISSING = "文件不存在 (no such file or directory)"


def is_document_name(name: str) -> bool:
    """Whether a file met in a folder or an archive (its base name) is a document to read."""
    low = name.lower()
    return low.endswith(DOCUMENT_EXTENSIONS) and not low.startswith(IGNORED_PREFIXES)


def member_name(info: zipfile.ZipInfo) -> str:
    """Archive member names from Windows are GBK bytes that zipfile decoded as cp437: undo that."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gbk")
    return name


def archive_documents(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The members of an archive that are documents, in name order (no folder of theirs is ignored)."""
    out = []
    for info in archive.infolist():
        if info.is_dir():
            continue
        parts = member_name(info).replace("\\", "/").split("/")
        if is_document_name(parts[-1]) and not any(
            p.lower().startswith(IGNORED_PREFIXES) for p in parts[:-1]
        ):
            out.append(info)
    return sorted(out, key=lambda i: i.filename)[:MAX_ARCHIVE_MEMBERS]


@dataclass(frozen=True)
class Source:
    """One document to read: a file, or a member of a .zip archive (``member`` set)."""

    path: str  # file on disk
    member: str | None = None

    @property
    def name(self) -> str:
        """The file name stored with the document (``archive.zip/dir/member.pdf`` for a member)."""
        base = Path(self.path).name
        return f"{base}/{self.member}" if self.member else base

    @property
    def display(self) -> str:
        """Where it is, for messages: the path, or ``path/to/archive.zip/member``."""
        return f"{self.path}/{self.member}" if self.member else self.path

    def read(self) -> bytes:
        """The bytes; a file that is not a regular file, or is too large, is an `InputError`."""
        from gongkai.read import load_file

        if self.member is None:
            return load_file(Path(self.path))
        with zipfile.ZipFile(self.path) as z:
            return z.read(self.member)


def is_zip_archive(path: Path) -> bool:
    """A .zip archive (not a .docx, which is a zip too): recognised from the bytes like every format."""
    from gongkai.read import sniff

    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return False  # a FIFO would block here; the reader refuses it with one line instead
        with path.open("rb") as f:
            head = f.read(65536)
    except OSError:
        return False
    return sniff(head) == "zip" and zipfile.is_zipfile(path)


def _archive(path: Path) -> Iterator[Source]:
    try:
        with zipfile.ZipFile(path) as z:
            infos = archive_documents(z)
    except (zipfile.BadZipFile, OSError):
        yield Source(str(path))  # read as it is: its reader says why it cannot be read
        return
    for info in infos:
        yield Source(str(path), info.filename)


def _folder(root: Path) -> Iterator[Source]:
    for here, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.lower().startswith(IGNORED_PREFIXES))
        for f in sorted(files):
            fp = Path(here) / f
            if f.lower().endswith(".zip") and is_zip_archive(fp):
                yield from _archive(fp)
            elif is_document_name(f):
                yield Source(str(fp))


def _sources(p: Path) -> Iterator[Source]:
    if p.is_dir():
        yield from _folder(p)
    elif is_zip_archive(p):
        yield from _archive(p)
    else:
        yield Source(str(p))


def discover(paths: Iterable[str | Path]) -> tuple[list[Source], list[tuple[str, str]]]:
    """The documents under ``paths`` (files as given, folders walked, .zip archives opened), each once, and
    ``(path, reason)`` for every path that does not exist."""
    found: list[Source] = []
    errors: list[tuple[str, str]] = []
    seen: set[tuple[Path, str | None]] = set()
    for p in map(Path, paths):
        if not p.exists():
            errors.append((str(p), MISSING))
            continue
        for src in _sources(p):
            key = (Path(src.path).resolve(), src.member)
            if key not in seen:
                seen.add(key)
                found.append(src)
    return found, errors


@dataclass(frozen=True)
class Parsed:
    """What reading one document gave: its report, or the one-line reason it could not be read."""

    source: str
    report: Report | None = None
    error: str | None = None
    sha256: str | None = None  # of the bytes read, when they could be read
    internal: bool = False  # the error is a bug in gongkai, not a problem of the document

    @property
    def ok(self) -> bool:
        return self.report is not None


def internal_error(e: BaseException) -> str:
    return f"内部错误 (internal error: {type(e).__name__}: {e})"


def _read(src: Source) -> bytes | str:
    """The bytes, or the reason they cannot be read."""
    from gongkai.errors import GongkaiError

    try:
        return src.read()
    except GongkaiError as e:
        return str(e)
    except (OSError, zipfile.BadZipFile, KeyError) as e:
        return f"无法读取文件 (cannot read: {getattr(e, 'strerror', None) or e})"


def parse_source(src: Source, **options: Any) -> Parsed:
    """Read one document; never raises for a bad document (``options`` go to ``gongkai.parse_bytes``)."""
    from gongkai import parse_bytes
    from gongkai.errors import GongkaiError

    data = _read(src)
    if isinstance(data, str):
        return Parsed(src.display, error=data)
    sha = hashlib.sha256(data).hexdigest()
    try:
        return Parsed(src.display, report=parse_bytes(data, src.display, **options), sha256=sha)
    except GongkaiError as e:
        return Parsed(src.display, error=str(e), sha256=sha)
    except Exception as e:
        return Parsed(src.display, error=internal_error(e), sha256=sha, internal=True)


def parse_many(paths: Iterable[str | Path], **options: Any) -> Iterator[Parsed]:
    """Every document under ``paths`` read in turn: first a `Parsed` error per path that does not exist,
    then a `Parsed` per document (a report or an error)."""
    sources, errors = discover(paths)
    for path, reason in errors:
        yield Parsed(path, error=reason)
    for src in sources:
        yield parse_source(src, **options)
