"""Every error-severity finding on the corpus points at one of the document's known problems: an error
list that is forwarded to an agency holds nothing a careful reviewer would not send."""

from __future__ import annotations

import json

import gongkai
from gongkai.audit import check_reports
from tests.conftest import corpus_docs, truth_for


def _related(a: str, b: str) -> bool:
    a, b = (x.replace(":", " ").split()[0].strip(".") if x.replace(":", " ").strip() else "" for x in (a, b))
    return bool(a and b) and (a == b or a.startswith(b + ".") or b.startswith(a + "."))


def test_every_error_points_at_a_known_problem(corpus):
    docs = corpus_docs("seeds", "real", suffixes=(".txt", ".html", ".pdf"))
    assert docs
    reports = [gongkai.parse(d) for d in docs]
    unexplained = []
    for doc, findings in zip(docs, check_reports(reports), strict=True):
        problems = json.loads(truth_for(doc).read_text(encoding="utf-8")).get("known_problems", [])
        for f in findings:
            if f.severity != "error":
                continue
            if not any(_related(p["where"], w) for p in problems for w in f.where):
                unexplained.append(f"{doc.name} {f.code} {f.where[:2]} {f.message[:80]}")
    assert not unexplained, unexplained
