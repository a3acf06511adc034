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


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"ocr": {"recheck_below": 1.5}}, "ocr.recheck_below"),
        ({"ocr": {"disagree_cap": -1}}, "ocr.disagree_cap"),
    ],
)
def test_ocr_thresholds_are_settings(given, named):
    assert S.OcrSettings().recheck_below == 0.9 and S.OcrSettings().disagree_cap == 0.5
    with pytest.raises(S.SettingsError, match=named.replace(".", r"\.")):
        S.resolve(given)


def test_settings_from_a_toml_file(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text("[ocr]\ndpi = 300\nrecheck_below = 0.8\n[pdf]\nmax_pages = 10\n", encoding="utf-8")
    loaded = S.load(good)
    assert (loaded.ocr.dpi, loaded.ocr.recheck_below, loaded.pdf.max_pages) == (300, 0.8, 10)
    assert loaded.extract == S.ExtractSettings()
    bad = tmp_path / "bad.toml"
    bad.write_text("[ocr]\ndpl = 300\n", encoding="utf-8")
    with pytest.raises(S.SettingsError, match=r"ocr\.dpl"):
        S.load(bad)
    (tmp_path / "broken.toml").write_text("[ocr\n", encoding="utf-8")
    with pytest.raises(S.SettingsError, match="TOML"):
        S.load(tmp_path / "broken.toml")


@pytest.mark.parametrize("command", ["parse", "check", "ingest"])
def test_cli_settings_option(command, tmp_path):
    from gongkai.cli import app
    from tests.clirunner import CliRunner
    from tests.hostile import cjk_pdf

    pdf = tmp_path / "two-pages.pdf"
    pdf.write_bytes(cjk_pdf(2))
    bad = tmp_path / "bad.toml"
    bad.write_text("[pdf]\nmax_page = 1\n", encoding="utf-8")
    extra = ["--db", str(tmp_path / "s.db"), "-w", "1"] if command == "ingest" else []
    result = CliRunner().invoke(app, [command, str(pdf), "--settings", str(bad), *extra])
    assert result.exit_code == 2
    (line,) = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert line.startswith("错误/Error:") and "pdf.max_page" in line
    one_page = tmp_path / "one.toml"
    one_page.write_text("[pdf]\nmax_pages = 1\n", encoding="utf-8")
    result = CliRunner().invoke(app, [command, str(pdf), "--settings", str(one_page), *extra])
    assert "页" in result.stderr and "two-pages.pdf" in result.stderr  # refused for its 2 pages
