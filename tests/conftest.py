from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"


def truth_for(doc: Path) -> Path | None:
    for cand in (doc.with_name(doc.name + ".expected.json"), doc.with_suffix(".expected.json")):
        if cand.exists() and cand != doc:
            return cand
    return None


def corpus_docs(*folders: str, suffixes: tuple[str, ...] = (".txt", ".html", ".md")) -> list[Path]:
    docs: list[Path] = []
    for folder in folders:
        base = CORPUS / folder
        if base.is_dir():
            docs += [p for p in sorted(base.iterdir()) if p.suffix in suffixes and truth_for(p)]
    return docs


def flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in (d or {}).items():
        p = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            out.update(flat(v, p))
        else:
            out[p] = v
    return out


def expected_cells(doc: Path) -> dict:
    truth = json.loads(truth_for(doc).read_text(encoding="utf-8"))
    want = {}
    for t in ("table2", "table3", "table4"):
        want.update(flat(truth.get(t), t))
    return want


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Outside CI a test that needs the shared corpus skips when it is missing; in CI (``CI=true``) it fails
    and says why, so a run without the corpus never passes by skipping."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and in_ci() and "shared corpus" in str(report.longrepr):
        report.outcome = "failed"
        report.longrepr = (
            f"the shared corpus is missing ({CORPUS}): tests that need it cannot run in CI (CI=true); "
            "lay out shared/ beside the repository"
        )


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not available")
    return CORPUS


SEED = CORPUS / "seeds" / "000_f01d4dbb51cf7cd1.txt"


def seed_text() -> str:
    """The text of a seed report of the shared corpus (skipped without it, failed in CI)."""
    if not SEED.is_file():
        pytest.skip("shared corpus not available")
    return SEED.read_text(encoding="utf-8")


def variants(folder: Path, n: int, prefix: str = "r") -> list[Path]:
    """``n`` copies of the seed report with different bytes (so none is skipped as a duplicate)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = folder / f"{prefix}{i:03d}.txt"
        p.write_text(seed_text() + f"\n附：第 {i} 份。\n", encoding="utf-8")
        out.append(p)
    return out
