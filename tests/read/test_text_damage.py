"""Damaged text is decoded with the damage counted and reported, not refused as binary: UTF-16 without a
BOM, one bad byte, a truncated last character, a stray NUL; oversized text is refused before decoding."""

from __future__ import annotations

import pytest

from gongkai.errors import InputError
from gongkai.read import read_bytes
from gongkai.read.text import MAX_TEXT_BYTES, decode_counting
from tests.conftest import CORPUS

SEED = CORPUS / "seeds" / "000_f01d4dbb51cf7cd1.txt"


def _seed() -> str:
    if not SEED.is_file():
        pytest.skip("shared corpus not available")
    return SEED.read_text(encoding="utf-8")


def damaged(text: str) -> dict[str, tuple[bytes, int]]:
    """name → (bytes, least damage to report)."""
    u8 = text.encode("utf-8")
    cut = len(u8) // 2
    while u8[cut] & 0xC0 != 0x80:  # move into the middle of a multi-byte character
        cut += 1
    gbk = text.encode("gbk")
    return {
        "utf-16-le without BOM": (text.encode("utf-16-le"), 0),
        "utf-16-be without BOM": (text.encode("utf-16-be"), 0),
        "utf-16-le, odd length": (text.encode("utf-16-le") + b"\x41", 1),
        "utf-8, one bad byte": (u8[:cut] + b"\xff" + u8[cut:], 1),
        "utf-8, truncated last character": (u8 + "件".encode()[:2], 1),
        "utf-8, stray NUL": (u8[:200] + b"\x00" + u8[200:], 1),
        "gbk, one bad byte": (gbk[:200] + b"\xff" + gbk[200:], 1),
    }


@pytest.mark.parametrize("case", list(damaged("政府信息公开" * 10).keys()))
def test_damaged_text_decodes_with_damage_counted(case):
    text = _seed()
    data, least = damaged(text)[case]
    decoded, _, damage = decode_counting(data)
    assert damage >= least
    assert damage <= 4
    assert "政府信息公开工作年度报告" in decoded


@pytest.mark.parametrize("case", ["utf-16-le without BOM", "utf-8, one bad byte", "utf-8, stray NUL"])
def test_damaged_report_still_reads(case):
    text = _seed()
    clean = read_bytes(text.encode("utf-8"), "clean.txt")
    data, least = damaged(text)[case]
    doc = read_bytes(data, "damaged.txt")
    assert len(doc.lines) >= len(clean.lines) - 2
    if least:
        assert any("damaged text" in n for n in doc.notes), doc.notes


def test_binary_still_refused():
    with pytest.raises(InputError, match="binary"):
        read_bytes(bytes(range(256)) * 20, "bin")


def test_oversized_text_refused_before_decoding():
    with pytest.raises(InputError, match="too large"):
        decode_counting(b"a" * (MAX_TEXT_BYTES + 1))
