"""Round trip over the shared corpus: every truth, written by gongkai as JSON, DOCX, HTML and PDF, reads back
as the same report (meta and every cell). The PDFs are typeset in one LibreOffice run.

Section texts round-trip too: a report read from the corpus, rendered and read again, has the same prose
in every section (compared without whitespace, since rendering reflows hard-wrapped lines).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gongkai import Report, parse, parse_bytes
from gongkai.author.prose import narrative, paragraphs
from gongkai.render.docx import render_docx
from gongkai.render.html import document_html
from tests.conftest import CORPUS, corpus_docs

TABLES = ("table2", "table3", "table4")


def _truths() -> list[tuple[str, dict]]:
    """Each distinct truth once (the variants share their seed's), keyed by its file."""
    seen: dict[str, tuple[str, dict]] = {}
    for path in sorted(CORPUS.glob("**/*.expected.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        body = {k: data.get(k) or {} for k in ("meta", *TABLES)}
        body["meta"] = {k: body["meta"].get(k) for k in ("agency", "year", "template")}
        seen.setdefault(json.dumps(body, sort_keys=True), (str(path.relative_to(CORPUS)), body))
    return list(seen.values())


TRUTHS = _truths() if CORPUS.is_dir() else []


def _values(report: Report) -> dict:
    return {p: c.value for p, c in report.cells.items()}


def _same(original: Report, again: Report, name: str, fmt: str) -> None:
    for key in ("year", "template"):
        assert again.meta.get(key) == original.meta.get(key), (name, fmt, key)
    if original.meta.get("agency"):  # a report naming no agency gets none in its title
        assert again.meta.get("agency") == original.meta["agency"], (name, fmt)
    want, got = _values(original), _values(again)
    wrong = {p: (v, got.get(p)) for p, v in want.items() if got.get(p) != v}
    extra = {p: v for p, v in got.items() if p not in want and v is not None}
    assert not wrong and not extra, (name, fmt, wrong, extra)
    unsure = {p: u for p, u in again.uncertain().items() if p in want}  # cells a partial truth lacks may be
    assert not unsure, (name, fmt, unsure)


@pytest.fixture(scope="module")
def reports(corpus) -> list[tuple[str, Report]]:
    return [(name, Report.from_json(body)) for name, body in TRUTHS]


def test_every_truth_round_trips_through_json_docx_and_html(reports):
    assert len(reports) >= 30
    for name, report in reports:
        data = json.dumps(report.to_json(), ensure_ascii=False).encode()
        assert parse_bytes(data, "r.json").to_json() == report.to_json(), name
        _same(report, parse_bytes(render_docx(report), "r.docx"), name, "docx")
        _same(report, parse_bytes(document_html(report).encode(), "r.html"), name, "html")


def test_every_truth_round_trips_through_pdf(reports):
    from gongkai.read.convert import convert_many_to_pdf, find_soffice

    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) not installed")
    pdfs = convert_many_to_pdf([render_docx(report) for _name, report in reports])
    for (name, report), pdf in zip(reports, pdfs, strict=True):
        _same(report, parse_bytes(pdf, "r.pdf"), name, "pdf")


def _prose(report: Report) -> dict[str, str]:
    return {
        k: re.sub(r"\s+", "", "".join(paragraphs(narrative(k, s.text)))) for k, s in report.sections.items()
    }


@pytest.mark.parametrize("source", corpus_docs("seeds", "real"), ids=lambda p: p.name)
def test_sections_round_trip_through_docx_and_html(source: Path):
    report = parse(source)
    want = _prose(report)
    for fmt, data in (("docx", render_docx(report)), ("html", document_html(report).encode())):
        again = parse_bytes(data, f"r.{fmt}")
        assert _prose(again) == want, (source.name, fmt)
        assert again.tables_json() == report.tables_json(), (source.name, fmt)
