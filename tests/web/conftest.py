from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("sqlalchemy")

CORPUS = Path(__file__).parents[2].parent / "shared" / "corpus"
SEED = CORPUS / "seeds" / "000_f01d4dbb51cf7cd1.txt"


@pytest.fixture()
def seed_bytes() -> bytes:
    if not SEED.is_file():
        pytest.skip("shared corpus not available")
    return SEED.read_bytes()
