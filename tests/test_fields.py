"""The data dictionary and a report as records, both from the template."""

from __future__ import annotations

from pathlib import Path

import pytest

import gongkai
from gongkai import template
from gongkai.fields import RECORD_KEYS, cell_labels, field_rows, fields_markdown, known_paths
from tests.conftest import CORPUS

DOCS = Path(__file__).parents[1] / "docs" / "fields.md"
SEED = CORPUS / "seeds" / "000_f01d4dbb51cf7cd1.txt"


def test_docs_fields_is_fresh():
    assert DOCS.read_text(encoding="utf-8") == fields_markdown(), (
        "docs/fields.md is stale: run `python -m gongkai.fields > docs/fields.md`"
    )


def test_every_layout_path_has_labels_and_a_type():
    rows = {r["path"]: r for r in field_rows()}
    assert set(rows) == known_paths()
    for key in template.LAYOUTS:
        for path in template.cell_paths(key):
            assert key in rows[path]["layouts"]
            assert all(rows[path][k] for k in ("table", "row", "column", "type"))
            assert cell_labels(path, key)[2] != path.rsplit(".", 1)[-1], path


@pytest.fixture(scope="module")
def report(corpus):
    return gongkai.parse(SEED)


def test_records_one_per_cell(report):
    recs = report.records()
    assert len(recs) == len(report.cells) and tuple(recs[0]) == RECORD_KEYS
    new = next(r for r in recs if r["path"] == "table3.new.natural_person")
    assert new["table"].startswith("三、") and new["column"] == "自然人"
    assert new["value"] == report.value("table3.new.natural_person") and new["status"] == "read"


def test_value_raises_for_an_unknown_key_path(report):
    with pytest.raises(KeyError):
        report.value("table3.no_such_row.total")
    blank = next((p for p, c in report.cells.items() if c.value is None), None)
    if blank is not None:
        assert report.value(blank) is None


def test_short_repr(report):
    text = repr(report)
    assert text.startswith("<Report ") and len(text) < 120 and str(report.year) in text


def test_to_pandas(report):
    pytest.importorskip("pandas")
    df = report.to_pandas()
    assert list(df.columns) == list(RECORD_KEYS) and len(df) == len(report.cells)
