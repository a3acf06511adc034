import pytest

from gongkai.audit.kinds import DEPARTMENT, GOVERNMENT, LABELS, OTHER, TOWNSHIP, classify_kind, kind_of, label


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("淮安市洪泽区人民政府", GOVERNMENT),
        ("北京市人民政府", GOVERNMENT),
        ("平潭综合实验区", GOVERNMENT),
        ("新乡县人民政府办公室", DEPARTMENT),
        ("上海市人民政府办公厅", DEPARTMENT),
        ("新华区行政审批和政务信息管理局", DEPARTMENT),
        ("某市公安局交通警察支队", DEPARTMENT),
        ("城关镇人民政府", TOWNSHIP),
        ("某某乡人民政府", TOWNSHIP),
        ("东城街道办事处", TOWNSHIP),
        ("新乡高新技术产业开发区管理委员会", OTHER),
        ("国网某供电公司", OTHER),
        ("河包镇", TOWNSHIP),
        ("广州市海珠区江南中街道", TOWNSHIP),
        ("洪泽区", GOVERNMENT),
        ("乳山经济开发区", OTHER),
        ("", OTHER),
        (None, OTHER),
    ],
)
def test_classify_kind(name, kind):
    assert classify_kind(name) == kind


def test_a_title_is_classified_like_its_agency():
    assert classify_kind("淮安市洪泽区人民政府2024年政府信息公开工作年度报告") == GOVERNMENT
    assert classify_kind("2019年上海市人民政府办公厅政府信息公开工作年度报告") == DEPARTMENT


def test_given_kind_wins_over_the_name():
    assert kind_of({"agency": "新乡县人民政府办公室", "kind": GOVERNMENT}) == (GOVERNMENT, "given")
    assert kind_of({"agency": "新乡县人民政府办公室"}) == (DEPARTMENT, "agency")
    assert kind_of({"title": "城关镇人民政府2023年政府信息公开工作年度报告"}) == (TOWNSHIP, "title")
    assert kind_of({}) == (OTHER, "")


def test_labels_are_chinese():
    assert LABELS[DEPARTMENT] == "部门" and LABELS[GOVERNMENT] == "本级人民政府"
    assert label(TOWNSHIP) == "乡镇街道" and label("nonsense") == "其他"
