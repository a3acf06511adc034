"""Every text and HTML document of the shared corpus reads with no wrong cell (abstaining is allowed
only through ``uncertain``)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import unicodedata

import pytest

import gongkai
from tests.conftest import corpus_docs, expected_cells, truth_for

DOCS = corpus_docs("seeds", "real", "variants", suffixes=(".txt", ".html", ".docx", ".doc", ".pdf"))
# Abstaining (a cell left ambiguous/unreadable/missing) is honest, but an extractor that abstains widely is
# not reading: at most this share of a document's cells may be uncertain (the corpus's worst is under 10%).
MAX_ABSTAIN_SHARE = 0.15


def _reader_available(doc) -> bool:
    if doc.name.endswith(".scan.pdf"):
        return importlib.util.find_spec("rapidocr") is not None
    if doc.suffix == ".doc":
        return shutil.which("soffice") is not None
    return True


def test_the_corpus_is_there(corpus):
    assert len(DOCS) >= 20, "the shared corpus is incomplete"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_no_wrong_cell(doc):
    if not _reader_available(doc):
        pytest.skip(f"reader for {doc.name} not installed")
    report = gongkai.parse(doc)
    got = report.tables_json()
    unsure = report.uncertain()
    wrong = []
    expected = expected_cells(doc)
    abstained = [p for p in expected if p in unsure]
    assert len(abstained) <= MAX_ABSTAIN_SHARE * len(expected), (
        f"{len(abstained)} of {len(expected)} cells uncertain: {abstained[:5]}"
    )
    for path, want in expected.items():
        t, r, c = path.split(".")
        value = got.get(t, {}).get(r, {}).get(c, "∅")
        if path in unsure:
            continue
        if value != want and not (
            isinstance(value, (int, float)) and want is not None and abs(value - want) < 1e-9
        ):
            wrong.append(f"{path}={value} want {want}")
    assert not wrong, wrong[:5]
    meta = json.loads(truth_for(doc).read_text(encoding="utf-8"))["meta"]
    assert report.meta["year"] == meta["year"]
    assert report.meta["template"] == meta["template"]


@pytest.mark.parametrize("doc", corpus_docs("seeds"), ids=lambda p: p.name)
def test_seeds_read_exactly(doc):
    report = gongkai.parse(doc)
    assert report.uncertain() == {}


def test_inferred_cells_are_marked(corpus):
    report = gongkai.parse(corpus / "seeds" / "002_1ba6253fd98984e8.txt")
    cell = report.cell("table3.unable_not_held.natural_person")
    assert cell.value == 1 and cell.status == "inferred"


def test_glued_rows_are_split_by_the_identities(corpus):
    report = gongkai.parse(corpus / "real" / "2021_pingtan_zhsyq.txt")
    assert [
        report.value(f"table3.unable_not_held.{c}") for c in ("natural_person", "other_org", "total")
    ] == [22, 3, 25]
    assert report.cell("table3.unable_not_held.natural_person").status == "inferred"
    # 693665 could be 69/3/665 or 69/36/65 …: said, not guessed
    assert report.cell("table2.normative_documents.issued").status == "ambiguous"


@pytest.mark.parametrize(
    "name", ["2024_shanghai_kewei.md", "2025_shanghai_szfbgt.md", "2025_shuyang_xian.txt"]
)
def test_noisy_documents_never_invent_numbers(corpus, name):
    path = corpus / "noisy" / name
    source = unicodedata.normalize("NFKC", path.read_text(encoding="utf-8"))
    lines = source.splitlines()
    report = gongkai.parse(path)
    for cell in report.cells.values():
        if cell.value is None:
            continue
        # every value comes from digits printed in the text, on the line its provenance names
        assert cell.raw and cell.where, cell.path
        assert cell.raw.split()[0] in lines[cell.where[0]["line"] - 1], cell.path


def test_label_repeated_as_heading_reads_from_the_table_row(corpus):
    # Someone else's extraction: each row label is a heading, then a pipe table with header cells
    # "数据1 … 数据6" and the row again. The header digits are labels, not values.
    report = gongkai.parse(corpus / "noisy" / "2025_shuyang_xian.txt")
    assert [report.value(f"table3.new.{c}") for c in ("natural_person", "legal_service_org", "total")] == [
        705,
        5,
        713,
    ]
    assert report.value("table4.review.total") == 61


def test_overview_sub_headings(corpus):
    report = gongkai.parse(corpus / "real" / "2021_pingtan_zhsyq.txt")
    assert [p["number"] for p in report.sections["s1"].parts] == ["一", "二", "三", "四", "五"]
