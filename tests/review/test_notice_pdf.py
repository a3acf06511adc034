"""A notice for a PDF report names the page of each problem and shows a crop of it."""

from __future__ import annotations

import pytest

from gongkai.review import ReviewFilter, current_versions, findings_for_review, set_state
from gongkai.review.documents import notice_docx, notice_problems


def test_pdf_notice_has_page_and_crop(campaign, tmp_path):
    import docx

    db = campaign["db"]
    pdfs = [v for v in current_versions(db) if v.format == "pdf"]
    if not pdfs:
        pytest.skip("PDF reading not installed")
    for v in pdfs:
        found = [
            f
            for f in findings_for_review(db, ReviewFilter(report_id=v.report_id))
            if any(w.startswith("table") for w in f.where)
        ]
        if found:
            break
    else:
        pytest.skip("no PDF report with a cell finding")
    set_state(db, ReviewFilter(report_id=v.report_id, fingerprints=(found[0].fingerprint,)), "confirmed")
    _, problems = notice_problems(db, v.subject, v.year)
    assert len(problems) == 1 and problems[0].page and f"第{problems[0].page}页" in problems[0].where
    to = tmp_path / "notice.docx"
    notice_docx(db, v.subject, to, v.year)
    document = docx.Document(str(to))
    assert len(document.inline_shapes) == 1  # the crop of the page
    assert f"第{problems[0].page}页" in document.tables[0].rows[1].cells[2].text
