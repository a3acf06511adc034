"""Load on 127.0.0.1 (``bench/bench_web_load.py``, bounded): 500 requests, 20 at a time, of report pages,
page images of PDFs with non-embedded fonts and uploads with the CSRF token give no 5xx, no dropped
connection and no dead server; and ``/reports`` is paginated (its page does not grow with the corpus).
Nothing is timed here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS

pytest.importorskip("uvicorn")
pytest.importorskip("pypdfium2")

BENCH = Path(__file__).parents[2] / "bench" / "bench_web_load.py"


@pytest.fixture(scope="module")
def bench():
    if not (CORPUS / "seeds").is_dir():
        pytest.fail(f"the shared corpus is missing: {CORPUS}")
    spec = importlib.util.spec_from_file_location("bench_web_load", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_mixed_load_without_errors(bench, tmp_path):
    outcome = bench.run(requests=500, concurrency=20, reports=60, folder=tmp_path)
    assert sum(outcome.statuses.values()) == 500
    assert not outcome.errors, (outcome.statuses, outcome.log)
    assert outcome.statuses[200] == 500, outcome.statuses
    assert set(outcome.latencies) == {"report", "image", "reports", "upload"}


def test_upload_without_the_csrf_token_refused(bench, tmp_path):
    bench.fill(f"sqlite:///{tmp_path / 'c.db'}", 1)
    server = bench.Server.start(f"sqlite:///{tmp_path / 'c.db'}", tmp_path)
    try:
        browser = bench.Browser(server.url)
        with pytest.raises(bench.urllib.error.HTTPError) as refused:
            browser.upload("x.pdf", bench.font_pdf(0), token=False)
        assert refused.value.code == 403
        assert browser.upload("x.pdf", bench.font_pdf(0))[0] == 200
    finally:
        server.stop()


def test_reports_page_does_not_grow_with_the_corpus(bench, tmp_path):
    from fastapi.testclient import TestClient

    from gongkai.store import Store
    from gongkai.web import create_app

    sizes = {}
    for n in (150, 600):  # both over a page
        url = f"sqlite:///{tmp_path / f'r{n}.db'}"
        bench.fill(url, n)
        with Store(url) as store, TestClient(create_app(store=store, files_dir=tmp_path / "f")) as client:
            first, last = client.get("/reports"), client.get("/reports?page=1000000")
        assert first.status_code == 200 and last.status_code in (200, 404)
        sizes[n] = len(first.content)
    assert sizes[600] < sizes[150] * 1.2, sizes  # four times the reports, the same page
