"""Settings of the tunable stages: defaults, validation naming the bad key, one OCR trust threshold."""

from __future__ import annotations

import pytest

import gongkai
from gongkai import settings as S
from gongkai.render import html as render_html
from tests.extract.test_tables import _consistent_values, _with_confidence


def test_defaults_and_resolution():
    assert S.resolve(None) == S.Settings()
    given = S.Settings(ocr=S.OcrSettings(dpi=300))
    assert S.resolve(given) is given
    resolved = S.resolve({"ocr": {"dpi": 300}, "extract": {"ocr_trust": 0.9}})
    assert resolved.ocr.dpi == 300 and resolved.ocr.timeout == S.OcrSettings().timeout
    assert resolved.extract.ocr_trust == 0.9 and resolved.pdf == S.PdfSettings()


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"ocr": {"dpl": 300}}, "ocr.dpl"),
        ({"pfd": {}}, "pfd"),
        ({"extract": {"ocr_trust": 1.5}}, "extract.ocr_trust"),
        ({"pdf": {"max_pages": 0}}, "pdf.max_pages"),
        ({"pdf": {"max_pages": "300"}}, "pdf.max_pages"),
        ({"pdf": {"ocr_missing_pages": "no"}}, "pdf.ocr_missing_pages"),
        ({"ocr": 300}, "ocr"),
    ],
)
def test_a_bad_setting_is_named(given, named):
    with pytest.raises(S.SettingsError, match=named.replace(".", r"\.")):
        S.resolve(given)


def test_a_bad_setting_is_an_input_error():
    with pytest.raises(gongkai.InputError):
        gongkai.parse_bytes(b"x", settings={"nope": 1})


def test_one_ocr_trust_threshold():
    assert render_html.LOW_CONFIDENCE == S.OCR_TRUST == S.ExtractSettings().ocr_trust


def test_ocr_trust_reaches_extraction():
    """A digit read at confidence 0.85 is trusted by default and must be confirmed when trust is 0.9."""
    from gongkai.extract import extract
    from gongkai.read import read_bytes
    from gongkai.render.text import render_text

    values = _consistent_values()
    values["table3.new.natural_person"] = 1  # misread, at confidence 0.85, against the identities
    doc = _with_confidence(read_bytes(render_text(values, "2021", "html").encode(), "scan.png"), {"1": 0.85})
    plain = extract(doc)
    assert plain.cell("table3.new.natural_person").value == 1
    strict = extract(doc, settings={"extract": {"ocr_trust": 0.9}})
    cell = strict.cell("table3.new.natural_person")
    assert cell.value == 7 and cell.status == "inferred"


def test_pdf_page_limit_from_settings():
    from tests.read.test_pdf import make_pdf, text

    data = make_pdf([text(72, 72, "Page one"), text(72, 72, "Page two")])
    with pytest.raises(gongkai.InputError, match="2 > 1"):
        gongkai.parse_bytes(data, "two.pdf", settings={"pdf": {"max_pages": 1}})
