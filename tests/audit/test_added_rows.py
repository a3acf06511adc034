"""Rule L104 finds rows added to tables 二 and 四 in every input format, aligned by labels, and stays quiet
on what is no added row (wrapped labels, notes, sentences, other tables' rows)."""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import gongkai
from gongkai.audit import check_reports
from tests.conftest import CORPUS, seed_text

VARIANT = CORPUS / "variants" / "000_f01d4dbb51cf7cd1"
SEED_PDF_COPY = CORPUS / "seeds" / "004_e99c3fa4f96ef56b.txt"
ROW2 = ("行政确认", "7")  # a row the national table 二 does not have
ROW4 = "其中：信息公开类"  # a row under table 四's data row


def _l104(report) -> list:
    return [f for f in check_reports([report], select=["L104"])[0] if f.code == "L104"]


def _parse(tmp_path: Path, name: str, data: bytes | str):
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return gongkai.parse(path)


def _added(findings: list, table: str, severity: str = "error") -> list[str]:
    return [
        label
        for f in findings
        if f.where == [table] and f.severity == severity
        for label in (f.evidence or {}).get("added_rows", [])
    ]


# ------------------------------------------------------------------------------------------ text


def _after_line(text: str, label: str, added: str) -> str:
    """``text`` with ``added`` after the line that starts with ``label``."""
    out, n = re.subn(rf"(^{label}[ \t][^\n]*\n)", lambda m: m.group(1) + added, text, count=1, flags=re.M)
    assert n == 1
    return out


def _text_with_rows(text: str) -> str:
    text = _after_line(text, "行政强制", "\t".join(ROW2) + "\n")
    data = re.search(r"^0(?:\t\d+){14}$", text, re.M)
    assert data is not None
    at = data.end() + 1
    return text[:at] + ROW4 + "\t" + data.group(0) + "\n" + text[at:]


def test_text_rows_added_to_tables_two_and_four_are_errors(tmp_path):
    report = _parse(tmp_path, "r.txt", _text_with_rows(seed_text()))
    findings = _l104(report)
    assert _added(findings, "table2") == ["行政确认"]
    assert _added(findings, "table4") == ["其中信息公开类"]
    # the added rows' values are read into no official row: one cause, one finding
    assert report.value("table2.coercion.decisions") == 0
    assert [report.value(f"table4.review.{c}") for c in ("upheld", "corrected", "total")] == [0, 1, 1]
    plain = _parse(tmp_path, "plain.txt", seed_text())
    codes = {(f.code, f.severity) for f in check_reports([report])[0]}
    assert codes - {(f.code, f.severity) for f in check_reports([plain])[0]} == {("L104", "error")}
    two = next(f for f in findings if f.where == ["table2"])
    assert "行政确认 7" in two.message and two.evidence["lines"][0]


def test_a_label_on_the_one_data_row_of_table_four_is_no_added_row(tmp_path):
    data = re.search(r"^0(?:\t\d+){14}$", seed_text(), re.M)
    assert data is not None
    report = _parse(tmp_path, "r.txt", seed_text().replace(data.group(0), "本年度\t" + data.group(0), 1))
    assert not _added(_l104(report), "table4")
    assert [report.value(f"table4.review.{c}") for c in ("upheld", "corrected", "total")] == [0, 1, 1]


def test_text_copied_from_a_pdf_with_wrapped_labels(tmp_path):
    if not SEED_PDF_COPY.is_file():
        pytest.skip("shared corpus not available")
    text = SEED_PDF_COPY.read_text(encoding="utf-8")
    assert not _l104(_parse(tmp_path, "plain.txt", text))
    text = _after_line(text, "行政强制", "行政确认 7\n")
    assert _added(_l104(_parse(tmp_path, "added.txt", text)), "table2") == ["行政确认"]


@pytest.mark.parametrize(
    ("after", "why"),
    [
        ("注：本表数据统计截至当年12月31日 12\n", "a note"),
        ("全年共收取费用，合计 5\n", "a sentence"),
        ("行政事业性\n收费 0\n", "an official label broken by a line wrap"),
        ("（七）总计 0 0 0\n", "a row of table 三 that ran into the section"),
        ("\n政务新媒体情况\n政务微博 56\n", "another table after a title"),
    ],
)
def test_text_after_table_two_that_is_no_added_row(tmp_path, after, why):
    text = _after_line(seed_text(), "行政事业性收费", after)
    assert not _l104(_parse(tmp_path, "r.txt", text)), why


def test_a_near_miss_of_an_official_label_is_an_extraction_note(tmp_path):
    text = _after_line(seed_text(), "行政事业性收费", "行政事业性收费标准\t5\n")
    findings = _l104(_parse(tmp_path, "r.txt", text))
    assert [f.severity for f in findings] == ["info"]
    assert "行政事业性收费" in findings[0].message and findings[0].evidence["reason"]


# ------------------------------------------------------------------------------------------ HTML


def _html_with_rows(html: str) -> str:
    at = html.find("行政强制")
    a, b = html.rfind("<tr", 0, at), html.find("</tr>", at) + len("</tr>")
    row2 = html[a:b].replace("行政强制", ROW2[0]).replace(">0</font>", f">{ROW2[1]}</font>")
    html = html[:b] + row2 + html[b:]
    end = html.find("</table>", html.find("复议后起诉"))
    a = html.rfind("<tr", 0, end)
    data = html[a:end]
    first_cell = re.search(r"<td.*?</td>", data, re.S)
    assert first_cell is not None
    label = re.sub(r">\d+</font>", f">{ROW4}</font>", first_cell.group(0))
    row4 = data.replace(first_cell.group(0), label + first_cell.group(0), 1)
    return html[:end] + row4 + html[end:]


def test_html_rows_added_to_tables_two_and_four_are_errors(tmp_path):
    path = VARIANT.with_suffix(".html")
    if not path.is_file():
        pytest.skip("shared corpus not available")
    html = path.read_text(encoding="utf-8", errors="replace")
    assert not _l104(_parse(tmp_path, "plain.html", html))
    findings = _l104(_parse(tmp_path, "added.html", _html_with_rows(html)))
    assert _added(findings, "table2") == ["行政确认"]
    assert _added(findings, "table4") == ["其中信息公开类"]


# ------------------------------------------------------------------------------------------ DOCX


def _docx_with_rows() -> bytes:
    docx = pytest.importorskip("docx")
    path = VARIANT.with_suffix(".docx")
    if not path.is_file():
        pytest.skip("shared corpus not available")
    document = docx.Document(str(path))
    two = next(t for t in document.tables if any(c.text.strip() == "行政强制" for c in t.columns[0].cells))
    row = next(r for r in two.rows if r.cells[0].text.strip() == "行政强制")
    added = copy.deepcopy(row._tr)
    row._tr.addnext(added)
    texts = added.xpath(".//w:t")
    texts[0].text = ROW2[0]
    texts[-1].text = ROW2[1]
    data = document.tables[-1].rows[-1]._tr
    added = copy.deepcopy(data)
    cells = added.xpath("./w:tc")
    label = copy.deepcopy(cells[0])
    label.xpath(".//w:t")[0].text = ROW4
    cells[0].addprevious(label)
    data.addnext(added)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_rows_added_to_tables_two_and_four_are_errors(tmp_path):
    findings = _l104(_parse(tmp_path, "added.docx", _docx_with_rows()))
    assert _added(findings, "table2") == ["行政确认"]
    assert _added(findings, "table4") == ["其中信息公开类"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not on PATH")
def test_pdf_row_added_to_table_two_is_an_error(tmp_path):
    source = tmp_path / "added.docx"
    source.write_bytes(_docx_with_rows())
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    # table 四's added row is wider than the page (its last value falls off): only table 二 is checked
    findings = _l104(gongkai.parse(tmp_path / "added.pdf"))
    assert _added(findings, "table2") == ["行政确认"]
