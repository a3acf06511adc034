"""A new report from last year's: carried-over cells, generated summaries checked by the audit's text rules,
the copy warning and what sections 五、六 still need."""

from __future__ import annotations

import random

from gongkai import parse, parse_bytes
from gongkai.author.draft import PENDING, check_draft, guidance, new_report, refresh_summaries, set_value
from gongkai.model import SectionText
from gongkai.render.docx import render_docx
from tests.render.test_docx_chain import valid_values

AGENCY = "新乡高新技术产业开发区管理委员会"


def _previous(corpus):
    return parse(corpus / "seeds" / "000_f01d4dbb51cf7cd1.txt")


def _filled(previous, seed: int = 1):
    draft = new_report(AGENCY, 2025, previous=previous)
    values = valid_values(random.Random(seed), "2021")
    for path, v in values.items():
        if not path.startswith("table3.carried_over."):
            set_value(draft, path, v)
    refresh_summaries(draft)
    return draft, values


def test_a_new_report_starts_from_last_years(corpus):
    previous = _previous(corpus)
    draft = new_report(AGENCY, 2025, previous=previous)
    for col in ("natural_person", "total"):
        assert draft.value(f"table3.carried_over.{col}") == previous.value(f"table3.carried_forward.{col}")
    assert draft.value("table2.normative_documents.in_force") == previous.value(
        "table2.normative_documents.in_force"
    )
    assert draft.value("table3.new.total") is None and PENDING in draft.sections["s3"].text
    assert draft.meta["previous"]["sections"]["s1"] == previous.sections["s1"].text
    needs = guidance(check_draft(draft, previous))
    assert "s5" in needs and "s6" in needs and any("信息处理费" in m for m in needs["s6"])


def test_stock_moves_with_issued_and_repealed(corpus):
    previous = _previous(corpus)
    draft = new_report(AGENCY, 2025, previous=previous)
    stock = previous.value("table2.normative_documents.in_force")
    set_value(draft, "table2.normative_documents.issued", 5)
    set_value(draft, "table2.normative_documents.repealed", 2)
    assert draft.value("table2.normative_documents.in_force") == stock + 3


def test_generated_summaries_agree_with_the_tables_and_a_contradiction_is_found(corpus):
    previous = _previous(corpus)
    draft, _values = _filled(previous)
    assert PENDING not in draft.sections["s3"].text
    assert f"共收到政府信息公开申请{draft.value('table3.new.total')}件" in draft.sections["s3"].text
    draft.sections["s5"] = SectionText(
        "s5", "五、存在的主要问题及改进情况", "存在问题：公开不够及时。改进措施：加强培训。"
    )
    draft.sections["s6"] = SectionText("s6", "六、其他需要报告的事项", "本年度未收取信息处理费。")
    found = check_draft(draft, previous)
    text_rules = [f for f in found if f.code.startswith("X")]
    assert text_rules == [], [f.message for f in text_rules]
    wrong = draft.value("table3.new.total") + 7
    draft.sections["s1"] = SectionText("s1", "一、总体情况", f"2025年共收到政府信息公开申请{wrong}件。")
    found = check_draft(draft, previous)
    assert any(f.code.startswith("X") and "s1" in f.where for f in found)


def test_copying_last_years_text_is_warned(corpus):
    previous = _previous(corpus)
    draft, _values = _filled(previous)
    draft.sections["s1"] = SectionText("s1", "一、总体情况", previous.sections["s1"].text)
    assert any(f.code == "C103" for f in check_draft(draft, previous))


def test_a_draft_publishes_and_reads_back(corpus):
    draft, values = _filled(_previous(corpus), seed=3)
    again = parse_bytes(render_docx(draft), "draft.docx")
    assert {p: again.value(p) for p in values if not p.startswith("table3.carried_over.")} == {
        p: v for p, v in values.items() if not p.startswith("table3.carried_over.")
    }
    assert again.value("table3.carried_over.total") == draft.value("table3.carried_over.total")
