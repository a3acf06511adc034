from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from tests.conftest import CORPUS, truth_for

pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")

HAS_PDF = (
    importlib.util.find_spec("pdfplumber") is not None or importlib.util.find_spec("pypdfium2") is not None
)


def text_docs() -> list[Path]:
    """The shared corpus's text and HTML reports that have a truth file (read exactly by the readers)."""
    out = []
    for folder in ("seeds", "real"):
        base = CORPUS / folder
        if base.is_dir():
            out += [p for p in sorted(base.iterdir()) if p.suffix in (".txt", ".html") and truth_for(p)]
    return out


def hongze_pdfs() -> list[Path]:
    return sorted((CORPUS / "real").glob("*_huaian_hongzequ.pdf")) if HAS_PDF else []


@pytest.fixture(scope="session")
def text_corpus(tmp_path_factory) -> Path:
    """A folder with copies of the shared text/HTML reports (plus the two 洪泽 PDFs when PDF reading works),
    their truth files beside them (which the walk must skip)."""
    docs = text_docs()
    if not docs:
        pytest.skip("shared corpus not available")
    root = tmp_path_factory.mktemp("corpus")
    for p in [*docs, *hongze_pdfs()]:
        sub = root / p.parent.name
        sub.mkdir(exist_ok=True)
        shutil.copy(p, sub / p.name)
        t = truth_for(p)
        if t:
            shutil.copy(t, sub / t.name)
    (root / "README.md").write_text("# not a report\n", encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def corpus_db(text_corpus, tmp_path_factory) -> str:
    """The text corpus ingested once (read-only for the tests that use it)."""
    from gongkai.store import ingest

    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'corpus.db'}"
    result = ingest([text_corpus], url, workers=1)
    assert result.counts["failed"] == 0, result.errors
    return url
