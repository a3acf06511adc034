"""Publishing in the layout of a Chinese official document: GB/T 9704 page, fonts, reflowed paragraphs,
page numbers, and the gate that refuses to publish a report with errors."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from docx import Document

from gongkai import parse, parse_bytes
from gongkai.render.docx import FONTS, render_docx
from gongkai.render.publish import PublishRefused, render_bytes

SEED_004 = "seeds/004_e99c3fa4f96ef56b.txt"  # a PDF copy-paste: hard line breaks inside paragraphs


def _source_paragraphs(text: str, start: str, end: str) -> list[str]:
    """The source's own paragraphs between two headings: blocks separated by blank lines."""
    body = text[text.index(start) + len(start) : text.index(end)]
    return [re.sub(r"\s+", "", b) for b in re.split(r"\n\s*\n", body) if b.strip()]


def _docx_paragraphs(data: bytes, start: str, end: str) -> list[str]:
    texts = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    i, j = texts.index(start), texts.index(end)
    return [re.sub(r"\s+", "", t) for t in texts[i + 1 : j] if t.strip()]


def test_pdf_copy_paste_gives_one_docx_paragraph_per_source_paragraph(corpus):
    source = corpus / SEED_004
    raw = source.read_text(encoding="utf-8")
    data = render_docx(parse(source))
    for start, end in (
        ("一、总体情况", "二、主动公开政府信息情况"),
        ("五、存在的主要问题及改进情况", "六、其他需要报告的事项"),
    ):
        want = _source_paragraphs(raw, start, end)
        got = _docx_paragraphs(data, start, end)
        assert len(got) == len(want) > 1
        assert got == want  # the same text, one paragraph each, the PDF's stray spaces gone


def test_page_fonts_and_page_numbers_follow_gb_t_9704(corpus):
    data = render_docx(parse(corpus / SEED_004))
    doc = Document(io.BytesIO(data))
    sec = doc.sections[0]
    assert round(sec.page_width.mm) == 210 and round(sec.page_height.mm) == 297
    assert round(sec.top_margin.mm) == 37 and round(sec.left_margin.mm) == 28
    assert round(sec.page_width.mm - sec.left_margin.mm - sec.right_margin.mm) == 156
    xml = zipfile.ZipFile(io.BytesIO(data))
    document = xml.read("word/document.xml").decode()
    assert 'w:firstLineChars="200"' in document
    assert all(
        f'w:eastAsia="{font}"' in document for font in {FONTS["title"], FONTS["heading"], FONTS["item"]}
    )
    footers = [xml.read(n).decode() for n in xml.namelist() if n.startswith("word/footer")]
    assert len(footers) == 2 and all("PAGE" in f and "— " in f and " —" in f for f in footers)
    assert {re.search(r'w:jc w:val="(\w+)"', f).group(1) for f in footers} == {"left", "right"}
    assert "w:evenAndOddHeaders" in xml.read("word/settings.xml").decode()


def test_publishing_is_refused_while_errors_remain_and_an_override_is_recorded(corpus):
    report = parse(corpus / SEED_004)  # its text says 受理 21 件 while table 三 says 16: an error
    with pytest.raises(PublishRefused, match="X101"):
        render_bytes(report, ".docx")
    assert render_bytes(report, ".json")  # the data itself is always written
    data = render_bytes(report, ".docx", override=True)
    assert "X101" in report.meta["publish_override"]["errors"]
    assert "强制发布" in Document(io.BytesIO(data)).core_properties.comments
    html = render_bytes(report, ".html", override=True).decode()
    assert "gongkai-publish-override" in html


def test_html_for_the_website_has_the_narrative_and_the_tables(corpus):
    report = parse(corpus / SEED_004)
    html = render_bytes(report, ".html", override=True).decode()
    assert html.count("<table") == 3 and "依申请公开" in html and "下步工作打算" in html
    again = parse_bytes(html.encode(), "r.html")
    assert again.tables_json() == report.tables_json()
