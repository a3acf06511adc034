"""Which files are documents, and reading many of them: the one place that decides, for ``parse``, ``check``,
``ingest`` and the web upload alike.

A file named on its own is always read. A folder is walked recursively in name order, and a ``.zip`` archive
(recognised from its bytes, so a ``.docx`` is not one) is opened; inside those, a file is a document when
its name has a document extension and is not hidden, a README, a licence or an Office lock file (so truth
files such as ``*.expected.json`` beside the reports are left alone).

Nothing is dropped silently: a file the walk will not read is still a `Source`, with the reason in
``problem`` (reading it raises `InputError` with that reason), so every command reports it on its own line.
Such files are: a symbolic link that leads out of the folder given (links inside it are followed; a link
named on the command line is followed), a dangling link, a linked folder (never followed), a folder that
cannot be listed, an archive member whose path has ``..`` or is absolute, and the members beyond
`MAX_ARCHIVE_MEMBERS`. An archive is opened once to list it and stays open while its members are read one
after another (linear in its members); each member's size is checked from its header before inflating and
it is read in bounded chunks.

>>> sources, errors = discover(["corpus/", "batch.zip"])
>>> for item in parse_many(["corpus/"]):
...     print(item.source, item.report.meta["agency"] if item.report else item.error)
"""

from __future__ import annotations

import _thread
import contextlib
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from gongkai.digest import sha256_hex
from gongkai.workers import DEFAULT_TIME_LIMIT

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (~3 ms of a short command)
if TYPE_CHECKING:
    import zipfile
    from typing import Any

    from gongkai.model import Report
    from gongkai.workers import Outcome

__all__ = [
    "DOCUMENT_EXTENSIONS",
    "BytesSource",
    "Parsed",
    "Source",
    "archive_documents",
    "close_archives",
    "discover",
    "internal_error",
    "is_document_name",
    "list_archive",
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
# One plain-text document up to this size is read in the calling process, with no worker to start (the common
# `gongkai parse report.txt`): reading and extracting text is linear in its size (a 1 MiB text file takes
# about a second), so it cannot hang. Every other format, and every batch, is read in killable workers.
IN_PROCESS_TEXT_BYTES = 1024 * 1024


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


UNSAFE_MEMBER = "压缩包成员路径不安全，未读 (unsafe member path: '..' or absolute, not read)"


def unsafe_member(name: str) -> bool:
    """A member path that would leave the archive's folder when unpacked (``..``, absolute, a drive)."""
    name = name.replace("\\", "/")
    return name.startswith("/") or ".." in name.split("/") or (len(name) > 1 and name[1] == ":")


@dataclass(frozen=True)
class ArchiveListing:
    """What an archive holds: its documents (name order, at most `MAX_ARCHIVE_MEMBERS`), the document
    members with an unsafe path, and how many documents are beyond the limit."""

    documents: list[zipfile.ZipInfo]
    unsafe: list[zipfile.ZipInfo]
    beyond: int


def list_archive(archive: zipfile.ZipFile) -> ArchiveListing:
    """The members of an archive that are documents, sorted out (no folder of theirs is ignored)."""
    documents, unsafe = [], []
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        if info.is_dir():
            continue
        name = member_name(info).replace("\\", "/")
        parts = name.split("/")
        if not is_document_name(parts[-1]):
            continue
        if unsafe_member(name):
            unsafe.append(info)
        elif not any(p.lower().startswith(IGNORED_PREFIXES) for p in parts[:-1]):
            documents.append(info)
    beyond = max(0, len(documents) - MAX_ARCHIVE_MEMBERS)
    return ArchiveListing(documents[:MAX_ARCHIVE_MEMBERS], unsafe, beyond)


def archive_documents(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The members of an archive that are documents to read, in name order (see `list_archive`)."""
    return list_archive(archive).documents


class _OpenArchive(_thread._local):  # threading.local itself, without importing threading (~1 ms)
    """The archive last read from in this thread, kept open: members read one after another (as
    `discover` lists them) open it once, not once per member."""

    key: tuple | None = None
    zip: zipfile.ZipFile | None = None

    def get(self, path: str) -> zipfile.ZipFile:
        st = os.stat(path)
        key = (os.path.abspath(path), st.st_ino, st.st_size, st.st_mtime_ns)
        if self.zip is None or self.key != key:
            import zipfile

            self.close()
            self.zip, self.key = zipfile.ZipFile(path), key
        return self.zip

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()
        self.zip = self.key = None


_OPEN = _OpenArchive()


def close_archives() -> None:
    """Close the archive this thread keeps open for reading members (`parse_many` does it when done)."""
    _OPEN.close()


def read_member(archive: zipfile.ZipFile, member: str, limit: int) -> bytes:
    """A member's bytes: refused from its header's size before inflating, and read in bounded chunks (a
    header that lies cannot make it take more than ``limit``)."""
    from gongkai.errors import InputError

    info = archive.getinfo(member)
    too_large = f"文件过大 (file too large: > {limit // (1024 * 1024)} MiB)"
    if info.file_size > limit:
        raise InputError(too_large)
    chunks, total = [], 0
    with archive.open(info) as f:
        while chunk := f.read(1 << 20):
            total += len(chunk)
            if total > limit:
                raise InputError(too_large)
            chunks.append(chunk)
    return b"".join(chunks)


@dataclass(frozen=True)
class Source:
    """One document to read: a file, or a member of a .zip archive (``member`` set)."""

    path: str  # file on disk
    member: str | None = None
    problem: str | None = None  # why it is not read (reported as its error), see the module's docstring

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
        """The bytes; a file that is not a regular file, or is too large, or has a ``problem``, is an
        `InputError`."""
        from gongkai.errors import InputError
        from gongkai.read import MAX_BYTES, load_file

        if self.problem:
            raise InputError(self.problem)
        if self.member is None:
            return load_file(Path(self.path))
        return read_member(_OPEN.get(self.path), self.member, MAX_BYTES)


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
    if sniff(head) != "zip":
        return False
    import zipfile  # here, not at the top: a run without archives never needs it

    return zipfile.is_zipfile(path)


def _archive(path: Path) -> Iterator[Source]:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            listing = list_archive(z)
    except (zipfile.BadZipFile, OSError):
        yield Source(str(path))  # read as it is: its reader says why it cannot be read
        return
    for info in listing.documents:
        yield Source(str(path), info.filename)
    for info in listing.unsafe:
        yield Source(str(path), info.filename, UNSAFE_MEMBER)
    if listing.beyond:
        yield Source(
            str(path),
            problem=f"压缩包文档超过 {MAX_ARCHIVE_MEMBERS} 份，其余 {listing.beyond} 份未读"
            f" ({listing.beyond} members beyond the limit of {MAX_ARCHIVE_MEMBERS} not read)",
        )


LINK_OUTSIDE = "符号链接指向所给文件夹之外，未跟随 (symlink out of the folder given, not followed)"
LINK_DANGLING = "符号链接的目标不存在 (dangling symlink)"
LINK_FOLDER = "文件夹的符号链接，未跟随 (symlinked folder, not followed)"


def _link_problem(path: Path, root: Path) -> str | None:
    """Why the symbolic link ``path``, met in a folder walk, is not followed (None: it stays inside the
    folder ``root``, and is followed)."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return LINK_DANGLING
    return None if target.is_relative_to(root) else LINK_OUTSIDE


def _folder(top: Path) -> Iterator[tuple[Source, str | None]]:
    """The sources under the folder ``top``, each with its resolved path when the walk knows it: a file
    that is not a link, under folders that are not links (a linked folder is not followed), is the
    resolved folder joined with the same names, so no file needs a ``realpath`` of its own."""
    root = top.resolve()
    unlisted: list[OSError] = []
    prefix = len(os.path.join(str(top), ""))
    for here, dirs, files in os.walk(top, onerror=unlisted.append):
        while unlisted:
            e = unlisted.pop()
            yield _unlisted(e, here), None
        dirs[:] = sorted(d for d in dirs if not d.lower().startswith(IGNORED_PREFIXES))
        for d in [d for d in dirs if os.path.islink(os.path.join(here, d))]:
            dirs.remove(d)
            yield Source(os.path.join(here, d), problem=LINK_FOLDER), None
        resolved_here = os.path.join(root, here[prefix:]) if len(here) >= prefix else str(root)
        for f in sorted(files):
            yield from _file_in_folder(Path(here) / f, root, os.path.join(resolved_here, f))
    for e in unlisted:  # the top folder itself
        yield _unlisted(e, str(top)), None


def _unlisted(e: OSError, where: str) -> Source:
    return Source(str(e.filename or where), problem=f"无法列出文件夹 (cannot list folder: {e.strerror or e})")


def _file_in_folder(fp: Path, root: Path, resolved: str) -> Iterator[tuple[Source, str | None]]:
    """The sources of a file met in a folder walk; ``resolved``: its path with its folders resolved (its
    own resolved path, unless it is a link)."""
    is_zip = fp.name.lower().endswith(".zip")
    if not (is_zip or is_document_name(fp.name)):
        return
    link = fp.is_symlink()
    problem = _link_problem(fp, root) if link else None
    if problem:
        yield Source(str(fp), problem=problem), None
    elif is_zip and is_zip_archive(fp):
        yield from ((src, None) for src in _archive(fp))
    elif is_document_name(fp.name):
        yield Source(str(fp)), None if link else resolved


def _sources(p: Path) -> Iterator[tuple[Source, str | None]]:
    """The sources of one path given, each with its resolved path where it is known already."""
    if p.is_dir():
        yield from _folder(p)
    elif is_zip_archive(p):
        yield from ((src, None) for src in _archive(p))
    else:
        yield Source(str(p)), None


def discover(paths: Iterable[str | Path]) -> tuple[list[Source], list[tuple[str, str]]]:
    """The documents under ``paths`` (files as given, folders walked, .zip archives opened), each once, and
    ``(path, reason)`` for every path that does not exist. A file met in a walk but not read is a `Source`
    with its ``problem`` (see the module's docstring)."""
    found: list[Source] = []
    errors: list[tuple[str, str]] = []
    seen: set[tuple[str, str | None]] = set()
    for p in map(Path, paths):
        if not p.exists():
            errors.append((str(p), LINK_DANGLING if p.is_symlink() else MISSING))
            continue
        for src, resolved in _sources(p):
            if resolved is None:
                where = Path(src.path)  # a link not followed is not its target
                resolved = str(where.absolute() if src.problem else where.resolve())
            key = (resolved, src.member)
            if key not in seen:
                seen.add(key)
                found.append(src)
    return found, errors


@dataclass(frozen=True)
class Parsed:
    """What reading one document gave: its report, or the one-line reason it could not be read.

    With ``parse_many(..., record=True)`` the report comes as the store's record instead (``record``: the
    ``store.process.process_bytes`` dict, with the audit's findings and the agency identity), and a
    document skipped by ``skip`` has ``skipped`` set and neither."""

    source: str
    report: Report | None = None
    error: str | None = None
    sha256: str | None = None  # of the bytes read, when they could be read
    internal: bool = False  # the error is a bug in gongkai, not a problem of the document
    record: dict | None = None
    skipped: bool = False
    origin: Source | BytesSource | None = field(default=None, compare=False, repr=False)
    unreadable: bool = False  # the bytes could not be had (missing path, permissions, bad archive member)
    size: int | None = None  # of the bytes read

    @property
    def ok(self) -> bool:
        return self.report is not None or (self.record is not None and self.error is None)


@dataclass(frozen=True)
class BytesSource:
    """A document already in memory (an upload): ``name`` is what the reader and the messages see."""

    name: str
    data: bytes = field(repr=False)

    @property
    def display(self) -> str:
        return self.name

    def read(self) -> bytes:
        return self.data


def internal_error(e: BaseException) -> str:
    return f"内部错误 (internal error: {type(e).__name__}: {e})"


def _bad_zip_file() -> type[Exception]:
    import zipfile

    return zipfile.BadZipFile


def _read(src: Source | BytesSource) -> bytes | str:
    """The bytes, or the reason they cannot be read."""
    from gongkai.errors import GongkaiError

    try:
        return src.read()
    except GongkaiError as e:
        return str(e)
    except (OSError, KeyError, _bad_zip_file()) as e:  # evaluated only when something was raised
        return f"无法读取文件 (cannot read: {getattr(e, 'strerror', None) or e})"


def parse_source(src: Source | BytesSource, **options: Any) -> Parsed:
    """Read one document in this process; never raises for a bad document (``options`` go to
    ``gongkai.parse_bytes``). No time limit: `parse_many` has one."""
    data = _read(src)
    if isinstance(data, str):
        return Parsed(src.display, error=data, origin=src, unreadable=True)
    sha = sha256_hex(data)
    report, error, internal = _parse_bytes(data, src.display, options)
    return Parsed(src.display, report=report, error=error, sha256=sha, internal=internal, origin=src)


def _parse_bytes(data: bytes, name: str, options: dict) -> tuple[Report | None, str | None, bool]:
    """(report, error, internal): what a worker sends back for one document."""
    from gongkai import parse_bytes
    from gongkai.errors import GongkaiError

    try:
        return parse_bytes(data, name, **options), None, False
    except GongkaiError as e:
        return None, str(e), False
    except Exception as e:
        return None, internal_error(e), True


def parse_many(
    paths: Iterable[str | Path | Source | BytesSource],
    *,
    workers: int = 1,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    ordered: bool = True,
    record: bool = False,
    skip: Callable[[str], bool] | None = None,
    given: Callable[[Source | BytesSource], dict | None] | None = None,
    reader: Callable[..., dict] | None = None,
    executor: Any = None,
    **options: Any,
) -> Iterator[Parsed]:
    """Every document under ``paths`` read: first a `Parsed` error per path that does not exist, then a
    `Parsed` per document (a report or an error). The one way `parse`, `check`, `ingest` and the web's
    upload read documents.

    ``paths`` may also hold `Source` items (found already by `discover`) and `BytesSource` items (in memory).
    Each document is read in a worker process that is killed after ``time_limit`` seconds (None: no limit;
    with no limit and one worker, in this process): the document is then an error, and the batch goes on.
    A single plain-text document of at most `IN_PROCESS_TEXT_BYTES` is read in this process (it cannot hang).
    ``workers``: processes reading at once (capped at the cores). ``ordered``: results in the order found
    (else as they finish, so one slow file holds nothing up). ``record``: the worker also audits and
    identifies, and returns the store's record (``Parsed.record``) instead of a `Report`. ``skip``: given
    a document's sha256, whether to leave it (``Parsed.skipped``, not read). ``given``: the meta values a
    caller knows for a source (``record`` only). ``reader``: the bytes → record function (``record`` only;
    default ``process_bytes``; picklable: it runs in the workers). ``executor``: a futures engine such as
    ``distributed.RayExecutor`` instead of local workers. ``options`` go to ``gongkai.parse_bytes``."""
    from gongkai.workers import run_tasks

    given_paths = list(paths)
    items = [p for p in given_paths if isinstance(p, Source | BytesSource)]
    sources, errors = discover([p for p in given_paths if not isinstance(p, Source | BytesSource)])
    for path, reason in errors:
        yield Parsed(path, error=reason, unreadable=True)
    if record and reader is None:
        from gongkai.store.process import process_bytes as reader
    todo = [*items, *sources]
    if len(todo) == 1 and not record and executor is None and _small_text(todo[0]):
        workers, time_limit = 1, None  # read here (see IN_PROCESS_TEXT_BYTES)
    tasks = _tasks(todo, reader if record else None, skip, given, options)
    try:
        for (src, sha, size), out in run_tasks(
            tasks, workers, time_limit, ordered=ordered, executor=executor
        ):
            yield _parsed(src, sha, size, out, record)
    finally:
        close_archives()  # the archive its members were read from, kept open while they were


def _small_text(src: Source | BytesSource) -> bool:
    """A plain-text document (by its bytes, like every format) of at most `IN_PROCESS_TEXT_BYTES`."""
    from gongkai.read import sniff

    if isinstance(src, Source):
        if src.member is not None:
            return False
        try:
            st = os.stat(src.path)
        except OSError:
            return False
        if not stat.S_ISREG(st.st_mode) or st.st_size > IN_PROCESS_TEXT_BYTES:
            return False
    data = _read(src)
    return isinstance(data, bytes) and len(data) <= IN_PROCESS_TEXT_BYTES and sniff(data) == "text"


def _tasks(sources, reader, skip, given, options: dict) -> Iterator[tuple]:
    """The work for each source: its bytes read here (hashed, so known documents are skipped), the reading
    in a worker."""
    for src in sources:
        data = _read(src)
        if isinstance(data, str):
            yield (src, None, None), None, (Parsed(src.display, error=data, origin=src, unreadable=True),)
            continue
        key = (src, sha256_hex(data), len(data))
        if skip is not None and skip(key[1]):
            yield key, None, (Parsed(src.display, sha256=key[1], size=key[2], skipped=True, origin=src),)
        elif reader is not None:
            known = given(src) if given else None
            yield key, reader, (data, src.name) if known is None else (data, src.name, known)
        else:
            yield key, _parse_bytes, (data, src.display, options)


def _parsed(src, sha: str | None, size: int | None, out: Outcome, record: bool) -> Parsed:
    if isinstance(out.value, Parsed):
        return out.value
    common = {"sha256": sha, "size": size, "origin": src}
    if not out.ok:
        return Parsed(src.display, error=out.error, internal=out.internal, **common)
    if record:
        rec = out.value
        internal = str(rec.get("error") or "").startswith("内部错误")
        return Parsed(src.display, error=rec.get("error"), record=rec, internal=internal, **common)
    report, error, internal = out.value
    return Parsed(src.display, report=report, error=error, internal=internal, **common)
