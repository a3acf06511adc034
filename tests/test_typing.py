"""mypy passes on src/ with the configuration in pyproject.toml (as ``scripts/test.sh`` runs it), so a type
slip such as using a ``Cell | None`` unchecked fails the test suite before it reaches CI."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def test_mypy_passes_on_src(tmp_path):
    api = pytest.importorskip("mypy.api")
    out, err, status = api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / "cache"),
            str(ROOT / "src"),
        ]
    )
    assert status == 0, (out + err)[-4000:]
