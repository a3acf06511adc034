"""Legacy Word (DOC) and Kingsoft WPS files, read by converting them to DOCX with LibreOffice.

Both are OLE compound files. ``format`` is ``"wps"`` when the file carries Kingsoft's own
``WpsCustomData`` stream (WPS Office writes it into the files it saves, named ``.wps`` or ``.doc``),
otherwise ``"doc"``: the bytes cannot tell more than that, and the file name is not looked at.

DOC/WPS → DOCX goes to a LibreOffice kept warm for the whole process (`gongkai.read.office`: ~0.2 s a
file instead of ~1 s) when one can be had; otherwise, and for PDFs, each conversion runs ``soffice
--headless`` in a fresh temporary directory with its own user profile, so calls can run side by side and
never touch the user's LibreOffice settings. No network is used. The Debian packages are
``libreoffice-writer-nogui`` and ``python3-uno`` (plus ``fonts-noto-cjk`` for Chinese glyphs in PDFs).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from gongkai.errors import ConversionError
from gongkai.read.document import Document
from gongkai.read.services import ole_kind, ole_streams

__all__ = [
    "DEFAULT_TIMEOUT",
    "convert_many_to_pdf",
    "convert_to_docx",
    "convert_to_pdf",
    "find_soffice",
    "ole_kind",
    "ole_streams",
    "read",
]

DEFAULT_TIMEOUT = 120.0  # seconds for one LibreOffice conversion when no ``timeout`` is given

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


def convert_many_to_pdf(
    documents: list[bytes], suffix: str = ".docx", timeout: float | None = None
) -> list[bytes]:
    """PDF bytes of several documents typeset by one LibreOffice run (much faster than one run each);
    ``timeout`` is for the whole batch (by default `DEFAULT_TIMEOUT` per document)."""
    if not documents:
        return []
    timeout = DEFAULT_TIMEOUT * len(documents) if timeout is None else timeout
    return _convert_batch(documents, suffix, "pdf", timeout)


def _convert(data: bytes, suffix: str, target: str, timeout: float | None) -> bytes:
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    if target == "docx":
        warm = _convert_warm(data, suffix, target, timeout)
        if warm is not None:
            return warm
    return _convert_batch([data], suffix, target, timeout)[0]


def _convert_warm(data: bytes, suffix: str, target: str, timeout: float) -> bytes | None:
    """The conversion by the process's warm LibreOffice, or None when there is none (or it could not
    convert this document: the one-shot run then says why)."""
    from gongkai.read import office

    soffice = find_soffice()
    if soffice is None or not office.enabled():
        return None
    if not suffix.startswith("."):
        suffix = "." + suffix
    converted = office.convert(data, suffix, _FILTERS[target].split(":", 1)[1], soffice, timeout)
    return converted or None


def _convert_batch(documents: list[bytes], suffix: str, target: str, timeout: float) -> list[bytes]:
    soffice = find_soffice()
    if soffice is None:
        raise ConversionError(_NOT_FOUND)
    if not suffix.startswith("."):
        suffix = "." + suffix
    with tempfile.TemporaryDirectory(prefix="gongkai-lo-") as tmp:
        tmpdir = Path(tmp)
        names = ["input" if len(documents) == 1 else f"input{i:05d}" for i in range(len(documents))]
        sources = [tmpdir / f"{name}{suffix}" for name in names]
        for src, data in zip(sources, documents, strict=True):
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
            *(str(src) for src in sources),
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
        results = [outdir / f"{name}.{target}" for name in names]
        if proc.returncode != 0 or not all(r.exists() and r.stat().st_size > 0 for r in results):
            reason = _reason(out, err) or f"exit status {proc.returncode}, no {target.upper()} written"
            raise ConversionError(f"LibreOffice 转换失败 (LibreOffice conversion failed: {reason})")
        return [r.read_bytes() for r in results]


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
