"""One-sentence probes of the constructions real reports use: a careful reviewer sends no error for the
first kind and finds the real problem in the second. Each probe is a consistent report with one sentence
(or one table change) laid over it."""

from __future__ import annotations

import pytest

from gongkai.audit import check_reports
from tests.audit.build import build

REVIEW_1 = {"review": {"upheld": 1, "total": 1}}
REVIEW_CORRECTED = {"review": {"corrected": 1, "total": 1}}
REVIEW_PENDING = {"review": {"pending": 1, "total": 1}}
LIT_CORRECTED = {"litigation_direct": {"corrected": 1, "total": 1}}
NEW_6 = {
    "new": {"natural_person": 6, "total": 6},
    "granted": {"natural_person": 6, "total": 6},
    "total": {"natural_person": 6, "total": 6},
}
NEW_5 = {
    "new": {"natural_person": 5, "total": 5},
    "granted": {"natural_person": 5, "total": 5},
    "total": {"natural_person": 5, "total": 5},
}
CLOSED_1191 = {
    "new": {"natural_person": 1002, "total": 1002},
    "carried_over": {"natural_person": 189, "total": 189},
    "granted": {"natural_person": 1000, "total": 1000},
    "partially_granted": {"natural_person": 191, "total": 191},
    "total": {"natural_person": 1191, "total": 1191},
}


def _errors(fragment: dict) -> list:
    report = build(fragment)
    return [f for f in check_reports([report])[0] if f.severity == "error"]


def _findings(fragment: dict) -> list:
    return check_reports([build(fragment)])[0]


CLEAN = [
    ("未被纠错", {"table4": REVIEW_1, "sections": {"s4": "该行政复议件未被复议机关纠错。"}}),
    ("被纠错0件", {"table4": REVIEW_1, "sections": {"s1": "本年度收到信息公开行政复议1件，被纠错0件。"}}),
    ("复议被纠错0件", {"table4": REVIEW_1, "sections": {"s4": "政府信息公开行政复议被纠错0件。"}}),
    (
        "未发生纠错或败诉情形",
        {
            "table4": {**REVIEW_1, "litigation_direct": {"upheld": 1, "total": 1}},
            "sections": {"s4": "本年度未发生因依申请公开被行政复议纠错或行政诉讼败诉情形。"},
        },
    ),
    ("尚无尚未审结", {"table4": REVIEW_1, "sections": {"s4": "目前尚无尚未审结的行政复议案件。"}}),
    (
        "以区政府为被申请人",
        {"table4": REVIEW_1, "sections": {"s1": "全年办理以区政府为被申请人的行政复议案件35件。"}},
    ),
    (
        "被申请人 workload beside the disclosure cases",
        {
            "table4": REVIEW_1,
            "sections": {"s1": "本年度我局作为被申请人的行政复议案件12件，其中涉及政府信息公开的1件。"},
        },
    ),
    ("均未被纠错", {"table4": REVIEW_1, "sections": {"s4": "本年度行政复议案件均未被纠错。"}}),
    ("较2023年的", {"table3": NEW_5, "sections": {"s1": "本年度收到申请5件，较2023年的6件减少1件。"}}),
    (
        "含上年结转在括号里",
        {
            "table3": CLOSED_1191,
            "sections": {
                "s1": "全年共办结依申请公开1191件（含上年结转189件），其中予以公开1000件，部分公开191件。"
            },
        },
    ),
    (
        "上年同期",
        {"table3": NEW_5, "sections": {"s1": "本年度收到政府信息公开申请5件，上年同期收到申请6件。"}},
    ),
    ("去年", {"table3": NEW_5, "sections": {"s1": "去年收到政府信息公开申请6件。"}}),
    (
        "较上年的",
        {"table3": NEW_5, "sections": {"s1": "本年共收到政府信息公开申请5件，较上年的6件有所减少。"}},
    ),
    ("another explicit year", {"table3": NEW_5, "sections": {"s1": "2023年收到政府信息公开申请6件。"}}),
    (
        "2020 report without 信息处理费",
        {"meta": {"year": 2020}, "sections": {"s6": "无其他需要报告的事项。"}},
    ),
    ("本年度未收取任何费用", {"sections": {"s6": "本年度未收取任何费用。"}}),
    ("未发生政府信息公开收费情况", {"sections": {"s6": "本年度未发生政府信息公开收费情况。"}}),
]


@pytest.mark.parametrize(("name", "fragment"), CLEAN, ids=[c[0] for c in CLEAN])
def test_no_false_error(name, fragment):
    errors = _errors(fragment)
    assert not errors, [f"{f.code} {f.message}" for f in errors]


def test_fee_probes_are_not_even_warned():
    for fragment in (
        {"meta": {"year": 2020}, "sections": {"s6": "无其他需要报告的事项。"}},
        {"sections": {"s6": "本年度未收取任何费用。"}},
        {"sections": {"s6": "本年度未发生政府信息公开收费情况。"}},
    ):
        assert not [f for f in _findings(fragment) if f.code == "S104"]


def _found(fragment: dict, where: str, severity: str = "error") -> list:
    return [
        f
        for f in _findings(fragment)
        if f.severity == severity and any(w == where or w.startswith(where + ".") for w in f.where)
    ]


REAL = [
    (
        "未被纠错 but corrected",
        {"table4": REVIEW_CORRECTED, "sections": {"s4": "该行政复议件未被复议机关纠错。"}},
        "table4.review.corrected",
    ),
    (
        "被纠错0件 but corrected",
        {"table4": REVIEW_CORRECTED, "sections": {"s1": "收到信息公开行政复议1件，被纠错0件。"}},
        "table4.review.corrected",
    ),
    (
        "未发生败诉 but corrected",
        {
            "table4": LIT_CORRECTED,
            "sections": {"s4": "本年度未发生因依申请公开被行政复议纠错或行政诉讼败诉情形。"},
        },
        "table4.litigation_direct.corrected",
    ),
    (
        "尚无尚未审结 but pending",
        {"table4": REVIEW_PENDING, "sections": {"s4": "目前尚无尚未审结的行政复议案件。"}},
        "table4.review.pending",
    ),
    (
        "this year's count wrong beside last year's",
        {"table3": NEW_5, "sections": {"s1": "本年度收到政府信息公开申请6件，上年同期收到申请5件。"}},
        "table3.new.total",
    ),
    (
        "report year named",
        {"table3": NEW_5, "sections": {"s1": "2024年收到政府信息公开申请6件。"}},
        "table3.new.total",
    ),
]


@pytest.mark.parametrize(("name", "fragment", "where"), REAL, ids=[c[0] for c in REAL])
def test_real_problem_found(name, fragment, where):
    assert _found(fragment, where), [
        f"{f.code} {f.severity} {f.where[:2]} {f.message}" for f in _findings(fragment)
    ]


# ------------------------------------------------------------------ one cause, one finding


def test_one_blank_cell_breaking_several_identities_is_one_finding():
    fragment = {
        "table3": {
            "new": {"natural_person": 3, "total": 3},
            "granted": {"natural_person": None, "total": 3},
            "total": {"natural_person": 3, "total": 3},
        }
    }
    found = [f for f in _findings(fragment) if f.code in ("T101", "T301", "T302", "T303")]
    assert len(found) == 1, [f.message for f in found]
    assert found[0].where[0] == "table3.granted.natural_person"
    assert "为空白" in found[0].message and "若该格为 3" in found[0].message


def test_a_blank_table_is_one_finding():
    fragment = {
        "table4": {
            g: dict.fromkeys(("upheld", "corrected", "other", "pending", "total"))
            for g in ("review", "litigation_direct", "litigation_after_review")
        }
    }
    found = [f for f in _findings(fragment) if f.code == "T101"]
    assert len(found) == 1 and found[0].where == ["table4"], [f.message for f in found]


def test_text_total_and_split_explained_by_carried_over_are_one_finding():
    fragment = {
        "table3": {
            "new": {"natural_person": 5, "total": 5},
            "carried_over": {"natural_person": 2, "total": 2},
            "granted": {"natural_person": 7, "total": 7},
            "total": {"natural_person": 7, "total": 7},
        },
        "sections": {"s1": "本年度共收到政府信息公开申请7件，其中自然人申请7件。"},
    }
    found = [f for f in _findings(fragment) if f.code == "X101"]
    assert len(found) == 1, [f.message for f in found]
    assert "上年结转" in found[0].message and "table3.new.natural_person" in found[0].where


def test_glued_digits_are_one_finding_per_row():
    amb = {"status": "ambiguous", "raw": "2000121", "candidates": [1, 12]}
    fragment = {
        "status": {"table3.new.natural_person": amb, "table3.new.total": {**amb, "candidates": [2, 21]}},
    }
    found = [f for f in _findings(fragment) if f.code == "T104"]
    assert len(found) == 1, [f.message for f in found]
    assert set(found[0].where) == {"table3.new.natural_person", "table3.new.total"}
