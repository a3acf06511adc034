"""Generated hostile and careless inputs for the hardening tests (never big files in the repository), and a
way to run a piece of code in a child process under a memory cap."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pdf_bytes(
    pages: list[str], *, box: tuple[int, int, int, int] = (0, 0, 595, 842), font: bytes = b""
) -> bytes:
    """A minimal PDF, one content stream per page; /F1 is ``font`` (a non-embedded CJK font by default:
    PDFium substitutes a system font for it, the path that is unsafe across threads)."""
    font = font or (
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /UniGB-UCS2-H /DescendantFonts "
        b"[<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor << /Type /FontDescriptor /FontName /SimSun /Flags 6 /FontBBox [0 -141 1000 859] "
        b"/ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 859 /StemV 80 >> >>] >>"
    )
    objects: list[bytes] = [b"", b"", font]
    kids = []
    for content in pages:
        body = content.encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [%d %d %d %d] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (*box, len(objects))
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    return assemble_pdf(objects)


def assemble_pdf(objects: list[bytes]) -> bytes:
    """A PDF file of ``objects`` (object 1 the catalogue), with its cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def cjk_text(x: float, y: float, text: str, size: int = 12) -> str:
    """Content-stream operators showing ``text`` in /F1 (UCS-2 big-endian hex, as UniGB-UCS2-H wants)."""
    return f"BT /F1 {size} Tf {x} {y} Td <{text.encode('utf-16-be').hex()}> Tj ET\n"


def cjk_pdf(n_pages: int = 2) -> bytes:
    lines = ["政府信息公开工作年度报告", "一、总体情况", "二、主动公开政府信息情况"]
    return pdf_bytes(
        [
            "".join(cjk_text(72, 760 - 30 * i, f"{s}（第{p + 1}页）") for i, s in enumerate(lines))
            for p in range(n_pages)
        ]
    )


def run_capped(code: str, *, memory_mb: int = 1024, timeout: float = 120.0) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh Python with its address space capped at ``memory_mb`` (RLIMIT_AS)."""
    prelude = textwrap.dedent(
        f"""
        import resource, sys
        sys.path.insert(0, {str(ROOT)!r})
        cap = {memory_mb} * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        """
    )
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
