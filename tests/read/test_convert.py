"""DOC/WPS through LibreOffice: OLE sniffing, encryption, converter failures, one real conversion each way."""

from __future__ import annotations

import io
import json
import shutil
import stat
import struct
from pathlib import Path

import pytest

from gongkai.errors import ConversionError, InputError
from gongkai.read import convert, read_bytes
from tests.conftest import CORPUS

DOC = CORPUS / "variants" / "000_f01d4dbb51cf7cd1.doc"
needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) not on PATH"
)
needs_corpus = pytest.mark.skipif(not DOC.exists(), reason="shared corpus not available")

_END, _FREE, _FAT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def _cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (version 3, 512-byte sectors) holding ``streams``, one sector each."""
    names = list(streams)
    assert len(names) <= 3, "one directory sector holds the root and three streams"
    fat = [_FAT, _END] + [_END] * len(names)  # sector 0: FAT, 1: directory, 2…: one per stream
    fat += [_FREE] * (128 - len(fat))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, _END, 0, _END, 0)
    struct.pack_into("<109I", header, 76, 0, *([_FREE] * 108))

    def entry(name: str, kind: int, start: int, size: int, child: int = _FREE, right: int = _FREE) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        e = bytearray(128)
        e[: len(raw)] = raw
        struct.pack_into("<HBBIII", e, 64, len(raw), kind, 1, _FREE, right, child)
        struct.pack_into("<IQ", e, 116, start, size)
        return bytes(e)

    directory = entry("Root Entry", 5, _END, 0, child=1 if names else _FREE)
    for i, name in enumerate(names):
        nxt = i + 2 if i + 1 < len(names) else _FREE
        directory += entry(name, 2, 2 + i, len(streams[name]), right=nxt)
    directory += b"\x00" * (512 - len(directory))
    body = b"".join(streams[n].ljust(512, b"\x00")[:512] for n in names)
    return bytes(header) + struct.pack("<128I", *fat) + directory + body


def _fib(encrypted: bool) -> bytes:
    flags = 0x0100 if encrypted else 0
    return b"\xec\xa5" + b"\xc1\x00" + b"\x00" * 6 + struct.pack("<H", flags) + b"\x00" * 20


# --------------------------------------------------------------------------------------------------------
# telling what an OLE file is (no LibreOffice needed)


def test_ole_streams_and_kinds():
    plain = _cfb({"WordDocument": _fib(False), "1Table": b""})
    assert set(convert.ole_streams(plain)) == {"Root Entry", "WordDocument", "1Table"}
    assert convert.ole_kind(plain) == "doc"
    wps = _cfb({"WordDocument": _fib(False), "1Table": b"", "WpsCustomData": b"x"})
    assert convert.ole_kind(wps) == "wps"


@needs_corpus
def test_corpus_doc_is_doc_although_it_carries_a_kingsoft_property():
    data = DOC.read_bytes()
    assert b"KSOProductBuildVer" in data  # inherited from the WPS-made template, not a WPS file
    assert convert.ole_kind(data) == "doc"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_cfb({"WordDocument": _fib(True), "1Table": b""}), "encrypted"),
        (_cfb({"EncryptionInfo": b"x", "EncryptedPackage": b"x"}), "encrypted"),  # a password-protected DOCX
        (_cfb({"Workbook": b"x"}), "Excel"),
        (_cfb({"Contents": b"x"}), "without a WordDocument"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "corrupt"),
        (b"plain words", "not an OLE"),
    ],
    ids=["doc-password", "docx-password", "excel", "other-ole", "damaged", "not-ole"],
)
def test_unusable_ole_input_is_refused_before_conversion(monkeypatch, data, reason):
    monkeypatch.setattr(convert, "_convert", lambda *a, **k: pytest.fail("must not convert"))
    with pytest.raises(InputError, match=reason):
        convert.read(data, "x.doc")


def test_encrypted_docx_through_read_bytes_and_docx_reader():
    from gongkai.read import docx

    data = _cfb({"EncryptionInfo": b"x", "EncryptedPackage": b"x"})
    for reader in (read_bytes, docx.read):
        with pytest.raises(InputError, match="encrypted"):
            reader(data, "secret.docx")


@needs_corpus
def test_encrypted_flag_in_a_real_doc_header():
    data = bytearray(DOC.read_bytes())
    fib = (convert.ole_streams(bytes(data))["WordDocument"] + 1) << 9
    data[fib + 11] |= 0x01
    with pytest.raises(InputError, match="encrypted"):
        convert.ole_kind(bytes(data))


# --------------------------------------------------------------------------------------------------------
# converter failures (fake soffice programs: fast)


def _fake_soffice(tmp_path: Path, script: str) -> str:
    program = tmp_path / "soffice"
    program.write_text("#!/bin/sh\n" + script)
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return str(program)


def test_missing_libreoffice(monkeypatch):
    monkeypatch.setattr(convert, "find_soffice", lambda: None)
    with pytest.raises(ConversionError, match=r"^未安装 LibreOffice \(.*libreoffice-writer-nogui\)$"):
        convert.convert_to_docx(b"x", ".doc", timeout=5)


def test_soffice_override_by_environment(monkeypatch, tmp_path):
    program = _fake_soffice(tmp_path, "exit 0\n")
    monkeypatch.setenv("GONGKAI_SOFFICE", program)
    assert convert.find_soffice() == program


def test_conversion_timeout_kills_the_converter(monkeypatch, tmp_path):
    pid_file = tmp_path / "pid"
    program = _fake_soffice(tmp_path, f"echo $$ > {pid_file}\nsleep 30 &\nwait\n")
    monkeypatch.setattr(convert, "find_soffice", lambda: program)
    with pytest.raises(ConversionError, match=r"timed out after 0\.5 s"):
        convert.convert_to_docx(b"x", ".doc", timeout=0.5)
    pid = int(pid_file.read_text())
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_failed_conversion_gives_one_line_reason(monkeypatch, tmp_path):
    program = _fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2\nexit 0\n")
    monkeypatch.setattr(convert, "find_soffice", lambda: program)
    with pytest.raises(ConversionError) as info:
        convert.convert_to_pdf(b"x")
    assert str(info.value) == (
        "LibreOffice 转换失败 (LibreOffice conversion failed: Error: source file could not be loaded)"
    )


# --------------------------------------------------------------------------------------------------------
# real LibreOffice (slow: a few seconds each)


@needs_soffice
@needs_corpus
def test_doc_variant_reads_like_its_docx():
    truth = json.loads(DOC.with_name(DOC.name + ".expected.json").read_text("utf-8"))
    doc = read_bytes(DOC.read_bytes(), DOC.name)
    assert doc.format == "doc"
    assert doc.notes[0] == "converted from DOC to DOCX by LibreOffice"
    new = next(
        line
        for line in doc.lines
        if line.is_table_row and line.spans[0].text == "一、本年新收政府信息公开申请数量"
    )
    keys = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_org"]
    keys += ["legal_service_org", "other_org", "total"]
    assert [(s.cell, s.text) for s in new.spans[1:]] == [
        (3 + i, str(truth["table3"]["new"][k])) for i, k in enumerate(keys)
    ]


@needs_soffice
def test_docx_to_pdf():
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("政府信息公开工作年度报告")
    out = io.BytesIO()
    d.save(out)
    pdf = convert.convert_to_pdf(out.getvalue())
    assert pdf.startswith(b"%PDF")
