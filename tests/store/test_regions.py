from __future__ import annotations

import pytest

from gongkai.errors import InputError
from gongkai.store.regions import Overrides, divisions, identify


def test_bundled_divisions_are_small_and_complete():
    d = divisions()
    assert 3000 < len(d.by_code) < 4000
    assert d.by_code["320813"].name == "洪泽区"
    assert d.by_code["350128"].name == "平潭县"
    assert d.by_code["410308"].name == "孟津区"  # a 2021 change: the data is recent


@pytest.mark.parametrize(
    "name, agency_id, path",
    [
        ("洪泽区人民政府", "320813:洪泽区人民政府", "江苏省/淮安市/洪泽区"),
        ("淮安市洪泽区人民政府", "320813:洪泽区人民政府", "江苏省/淮安市/洪泽区"),
        ("江苏省淮安市洪泽区人民政府", "320813:洪泽区人民政府", "江苏省/淮安市/洪泽区"),
        ("平潭综合实验区", "350128:平潭综合实验区", "福建省/福州市/平潭县"),
        ("新乡县人民政府办公室", "410721:新乡县人民政府办公室", "河南省/新乡市/新乡县"),
        ("新乡经济技术开发区人民政府", "410700:新乡经济技术开发区人民政府", "河南省/新乡市"),
        ("上海市人民政府办公厅", "310000:上海市人民政府办公厅", "上海市"),
        ("北京市朝阳区人民政府", "110105:朝阳区人民政府", "北京市/朝阳区"),
        ("延边朝鲜族自治州人民政府", "222400:延边朝鲜族自治州人民政府", "吉林省/延边朝鲜族自治州"),
        ("  淮安市 洪泽区人民政府 ", "320813:洪泽区人民政府", "江苏省/淮安市/洪泽区"),
    ],
)
def test_identify_from_name(name, agency_id, path):
    ident = identify(name)
    assert ident.agency_id == agency_id
    assert ident.region.path == path


def test_ambiguous_county_is_settled_by_the_text():
    # 新华区 exists in 石家庄, 沧州 and 平顶山
    alone = identify("新华区行政审批和政务信息管理局")
    assert alone.region.county is None and alone.agency_id.startswith("000000:")
    ident = identify("新华区行政审批和政务信息管理局", "……平顶山市新华区……")
    assert ident.region.path == "河南省/平顶山市/新华区"
    assert ident.region.source == "name+text"


def test_name_without_place_uses_the_text_and_keeps_the_name_as_key():
    ident = identify("市生态环境局", "淮安市生态环境局2024年……淮安市……")
    assert ident.region.city == "淮安市" and ident.region.source == "text"
    assert ident.agency_id == "000000:市生态环境局"


def test_unknown_and_empty_names():
    assert identify("沐阳县人民政府").region.path == ""
    assert identify(None).agency_id == "000000:"


def test_overrides(tmp_path):
    f = tmp_path / "o.csv"
    f.write_text(
        "agency,agency_id,code\n沐阳县人民政府,321322:沭阳县人民政府,321322\n"
        "平潭综合实验区管委会,350128:平潭综合实验区,\n",
        encoding="utf-8",
    )
    o = Overrides.load(f)
    ident = identify("沐阳县人民政府", "", o)
    assert ident.agency_id == "321322:沭阳县人民政府"
    assert ident.region.path == "江苏省/宿迁市/沭阳县" and ident.region.source == "override"
    assert identify("平潭综合实验区管委会", "", o).agency_id == "350128:平潭综合实验区"
    bad = tmp_path / "bad.csv"
    bad.write_text("agency,colour\nx,red\n", encoding="utf-8")
    with pytest.raises(InputError, match="colour"):
        Overrides.load(bad)
