"""No input under 10 MB makes reading use more than 1 GiB: each hostile input (generated here) is read in a
child process whose address space is capped at 1 GiB; it must end with a document or one InputError."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from tests.hostile import cjk_text, pdf_bytes, run_capped

TEN_MB = 10 * 1024 * 1024


def html_spans() -> bytes:
    """Tables whose rowspan/colspan would expand to billions of slots."""
    cell = '<td rowspan="65534" colspan="1000">1</td>'
    rows = "".join(f"<tr>{cell * 50}</tr>" for _ in range(2000))
    return f"<html><body><p>报告</p><table>{rows}</table></body></html>".encode()


def pdf_flate_bomb() -> bytes:
    """A page whose content stream inflates to 400 MB of spaces."""
    comp = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    body = b"".join(comp.compress(chunk) for _ in range(400)) + comp.flush()
    pdf = pdf_bytes(["BT ET\n"])
    marker = b"<< /Length 6 >>\nstream\nBT ET\n\nendstream"
    assert marker in pdf
    bomb = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream"
    return pdf.replace(marker, bomb)  # offsets in the xref are now wrong: readers repair that


def docx_big_xml() -> bytes:
    """A DOCX whose document.xml inflates to 300 MB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        with z.open("word/document.xml", "w") as f:
            f.write(
                b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            )
            para = b"<w:p><w:r><w:t>" + "政府信息公开".encode() * 50 + b"</w:t></w:r></w:p>" * 100
            for _ in range(300 * 1024 * 1024 // len(para)):
                f.write(para)
            f.write(b"</w:body></w:document>")
    return buf.getvalue()


def png_huge() -> bytes:
    """A PNG header declaring 60000 × 60000 pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 60000, 60000, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * (1 << 20))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def text_big() -> bytes:
    line = ("一、总体情况\n" + "本年度收到申请 16 件。" * 20 + "\n").encode()
    return line * (TEN_MB // len(line) - 1)


def pdf_huge_page() -> bytes:
    """A 14,400-pt square page with a text layer and a ruled grid (read by the text-layer reader)."""
    grid = "".join(f"0 {y} m 14400 {y} l S\n{y} 0 m {y} 14400 l S\n" for y in range(0, 14401, 720))
    text = "".join(cjk_text(100, 14000 - 40 * i, "政府信息公开工作年度报告") for i in range(20))
    return pdf_bytes([grid + text], box=(0, 0, 14400, 14400))


CASES = {
    "html-spans": html_spans,
    "pdf-flate-bomb": pdf_flate_bomb,
    "docx-big-xml": docx_big_xml,
    "png-huge": png_huge,
    "text-10mb": text_big,
    "pdf-huge-page": pdf_huge_page,
}


@pytest.mark.parametrize("name", list(CASES))
def test_read_stays_under_one_gib(name, tmp_path):
    if name == "png-huge":
        pytest.importorskip("cv2")
    data = CASES[name]()
    assert len(data) < TEN_MB
    path = Path(tmp_path / f"input.{name}")
    path.write_bytes(data)
    out = run_capped(
        f"""
        from gongkai.errors import InputError
        from gongkai.read import read_path
        try:
            read_path({str(path)!r})
            print("read")
        except InputError as e:
            print("refused:", e)
        """,
        memory_mb=1024,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.startswith(("read", "refused:")), out.stdout
