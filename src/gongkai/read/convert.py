"""Legacy Word (DOC) and Kingsoft WPS files, read by converting them to DOCX with LibreOffice.

Both are OLE compound files. ``format`` is ``"wps"`` when the file carries Kingsoft's own
``WpsCustomData`` stream (WPS Office writes it into the files it saves, named ``.wps`` or ``.doc``),
otherwise ``"doc"``: the bytes cannot tell more than that, and the file name is not looked at.

Each conversion runs ``soffice --headless`` in a fresh temporary directory with its own user profile, so
calls can run side by side and never touch the user's LibreOffice settings. No network is used.
The Debian package is ``libreoffice-writer-nogui`` (plus ``fonts-noto-cjk`` for Chinese glyphs in PDFs).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from gongkai.errors import ConversionError, InputError
from gongkai.read.document import Document

__all__ = [
    "DEFAULT_TIMEOUT",
    "convert_to_docx",
    "convert_to_pdf",
    "find_soffice",
    "ole_kind",
    "ole_streams",
    "read",
]

DEFAULT_TIMEOUT = 120.0  # seconds for one LibreOffice conversion when no ``timeout`` is given

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NOT_FOUND = "未安装 LibreOffice (LibreOffice not found: install the Debian package libreoffice-writer-nogui)"
_CANDIDATES = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)
# Export filters, named so that LibreOffice never has to guess from the extension.
_FILTERS = {"docx": "docx:MS Word 2007 XML", "pdf": "pdf:writer_pdf_Export"}


def read(data: bytes, source: str, *, timeout: float | None = None) -> Document:
    """Read DOC/WPS bytes: convert to DOCX with LibreOffice, then read that like any DOCX."""
    from gongkai.read import docx

    kind = ole_kind(data)
    converted = convert_to_docx(data, ".doc", timeout=timeout)
    doc = docx.read(converted, source)
    doc.format = kind
    doc.notes.insert(0, f"converted from {kind.upper()} to DOCX by LibreOffice")
    return doc


def ole_kind(data: bytes) -> str:
    """``"doc"`` or ``"wps"`` for a word-processing OLE file; `InputError` for anything else it can tell."""
    if not data.startswith(_OLE):
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


# ---------------------------------------------------------------------------------------------------------
# LibreOffice


def find_soffice() -> str | None:
    """Path of the LibreOffice ``soffice`` program (``$GONGKAI_SOFFICE`` first), or None."""
    override = os.environ.get("GONGKAI_SOFFICE")
    if override:
        return override if Path(override).exists() else shutil.which(override)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((c for c in _CANDIDATES if Path(c).exists()), None)


def convert_to_docx(data: bytes, suffix: str = ".doc", timeout: float | None = None) -> bytes:
    """DOCX bytes of a document LibreOffice can open (``suffix`` names the input file, e.g. ``.doc``).

    LibreOffice imports bytes it does not recognise as plain text and "succeeds", so check the input
    first (`ole_kind` does for DOC/WPS).
    """
    return _convert(data, suffix, "docx", timeout)


def convert_to_pdf(docx_bytes: bytes, suffix: str = ".docx", timeout: float | None = None) -> bytes:
    """PDF bytes of a document (DOCX unless ``suffix`` says otherwise), typeset by LibreOffice."""
    return _convert(docx_bytes, suffix, "pdf", timeout)


def _convert(data: bytes, suffix: str, target: str, timeout: float | None) -> bytes:
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    soffice = find_soffice()
    if soffice is None:
        raise ConversionError(_NOT_FOUND)
    if not suffix.startswith("."):
        suffix = "." + suffix
    with tempfile.TemporaryDirectory(prefix="gongkai-lo-") as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / f"input{suffix}"
        src.write_bytes(data)
        outdir = tmpdir / "out"
        outdir.mkdir()
        cmd = [
            soffice,
            "--headless",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            "--nodefault",
            f"-env:UserInstallation={(tmpdir / 'profile').as_uri()}",
            "--convert-to",
            _FILTERS[target],
            "--outdir",
            str(outdir),
            str(src),
        ]
        env = {**os.environ, "HOME": str(tmpdir), "SAL_USE_VCLPLUGIN": "svp"}
        try:
            proc = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                cwd=tmpdir,
                env=env,
                start_new_session=True,  # its own process group, so a timeout ends soffice.bin as well
            )
        except OSError as e:
            raise ConversionError(f"无法启动 LibreOffice (cannot run {soffice}: {e.strerror or e})") from None
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ConversionError(
                f"LibreOffice 转换超时 (LibreOffice conversion timed out after {timeout:g} s)"
            ) from None
        except BaseException:
            _kill_group(proc)
            raise
        result = outdir / f"input.{target}"
        if proc.returncode != 0 or not result.exists() or result.stat().st_size == 0:
            reason = _reason(out, err) or f"exit status {proc.returncode}, no {target.upper()} written"
            raise ConversionError(f"LibreOffice 转换失败 (LibreOffice conversion failed: {reason})")
        return result.read_bytes()


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def _reason(out: bytes, err: bytes) -> str:
    """The most telling line of LibreOffice's output (it reports errors on either stream)."""
    lines = [
        line.strip()
        for line in (err + b"\n" + out).decode("utf-8", errors="replace").splitlines()
        if line.strip() and not line.lstrip().startswith(("convert ", "Warning: failed to launch javaldx"))
    ]
    errors = [line for line in lines if "rror" in line]
    return " ".join((errors or lines or [""])[-1].split())[:300]
