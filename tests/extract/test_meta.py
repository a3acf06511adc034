"""Who and when on page-like text: the agency, the year and the publication date, never the site around it."""

from __future__ import annotations

import datetime

import pytest

import gongkai
from gongkai.extract import extract
from gongkai.extract.meta import clean_agency, plausible_agency
from gongkai.read import read_bytes

_BODY = (
    "一、总体情况\n{overview}\n"
    "二、主动公开政府信息情况\n第二十条第(一)项 |\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"
    "规章 | 0 | 0 | 0 |\n三、收到和处理政府信息公开申请情况\n"
)


def _page(head: str, overview: str = "全年主动公开政府信息10条。", tail: str = "") -> gongkai.Report:
    text = head + "\n" + _BODY.format(overview=overview) + tail
    return gongkai.parse_bytes(text.encode(), "page.txt")


@pytest.mark.parametrize(
    ("head", "agency"),
    [
        ("首页 登录 注册团结乡2023年政府信息公开工作年度报告", "团结乡"),
        ("发布时间：2024-01-26衡阳市衡东县杨林镇2023年政府信息公开工作年度报告", "衡阳市衡东县杨林镇"),
        ("当前位置：首页 > 政务公开 > 信息公开年报桂花坪街道2023年政府信息公开年度报告", "桂花坪街道"),
        (
            "根据《条例》要求，特编制某市人民政府地方志办公室2023年政府信息公开工作年度报告。",
            "某市人民政府地方志办公室",
        ),
        ("根据《条例》规定，现公布区统计局2023年政府信息公开工作年度报告。", "区统计局"),
        (
            "您当前所在位置: 首页 > 乡镇信息公开 > 某乡 > 政务信息公开年报\n\n"
            "某乡2023年政府信息公开工作年度报告",
            "某乡",
        ),
        ("首页 > 政务公开 > 政府信息公开年报 > 街道\n\n某区某街道2023年政府信息公开年度报告", "某区某街道"),
        (
            "2023年政府信息公开工作年度报告\n某县某镇人民政府\n2023年政府信息公开工作年度报告",
            "某县某镇人民政府",
        ),
        ("某县人民\n政府2023年政府信息公开工作年度报告", "某县人民政府"),
        ("Page 9 - 2023年报_审计局", "审计局"),
        ("标题: 某综合实验区2023年度政府信息公开工作年度报告", "某综合实验区"),
    ],
)
def test_agency_from_the_title_without_site_chrome(head: str, agency: str):
    report = _page(head)
    assert report.meta["agency"] == agency
    assert report.meta["year"] == 2023
    assert report.meta["sources"]["agency"] in ("title", "opening")


def test_opening_sentence_names_agency_and_year():
    report = _page("根据《条例》，现将某县水利局2022年度政府信息公开工作情况报告如下。")
    assert (report.meta["agency"], report.meta["year"]) == ("某县水利局", 2022)
    assert report.meta["sources"]["agency"] == "opening"
    assert report.meta["sources"]["year"] == "opening"


def test_only_we_leaves_the_agency_empty_and_uncertain():
    report = _page(
        "根据《条例》，现将我镇2022年度政府信息公开工作情况报告如下。", overview="2022年，我镇持续强化。"
    )
    assert report.meta["agency"] is None
    assert report.meta["year"] == 2022
    out = report.to_json()
    assert "我镇" in out["uncertain"]["meta.agency"]["note"]
    assert report.meta["uncertain"]["agency"]


@pytest.mark.parametrize(
    ("head", "overview", "year"),
    [
        ("关于2021年度政府信息公开工作的年度报告", "全年公开10条。", 2021),
        ("现将我办2022年度政府信息公开情况报告如下：", "全年公开10条。", 2022),
        ("本报告所列数据统计起止时间为2023年1月1日至2023年12月31日。", "全年公开10条。", 2023),
        ("根据《条例》编制本报告。", "截止2024年12月31日，本局主动公开信息62条。", 2024),
        ("根据《条例》编制本报告。", "2021年，在区委区政府领导下，我局认真落实。", 2021),
        ("根据《条例》编制本报告。本报告所列数据自2020年1月1日起，至2020年12月31日止。", "我局公开。", 2020),
    ],
)
def test_year_from_every_common_form(head: str, overview: str, year: int):
    assert _page(head, overview).meta["year"] == year


def test_year_from_the_body_decides_the_layout_when_no_label_does():
    text = "一、总体情况\n2020年，我局认真落实条例。\n二、主动公开政府信息情况\n规章 | 0 | 0 | 0 |\n"
    report = gongkai.parse_bytes(text.encode(), "p.txt")
    assert report.meta["year"] == 2020
    assert report.meta["template"] == "2019"
    assert "template" not in (report.meta.get("uncertain") or {})


def test_layout_uncertain_when_nothing_decides_it():
    text = "一、总体情况\n我局认真落实条例。\n二、主动公开政府信息情况\n规章 | 0 | 0 | 0 |\n"
    report = gongkai.parse_bytes(text.encode(), "p.txt")
    assert report.meta["year"] is None
    assert "meta.template" in report.to_json()["uncertain"]


def test_agency_from_the_first_dated_sentence_of_the_overview():
    report = _page(
        "根据《条例》编制本报告。", "(一)主动公开情况。2021年，某某经济开发区认真贯彻落实《条例》。"
    )
    assert report.meta["agency"] == "某某经济开发区"
    assert report.meta["sources"]["agency"] == "body"


def test_signature_gives_agency_and_date():
    tail = "六、其他需要报告的事项\n无。\n\n某县自然资源局\n2024年1月20日\n"
    report = _page("根据《条例》编制本报告。", "2023年，我局认真落实。", tail)
    assert report.meta["agency"] == "某县自然资源局"
    assert report.meta["sources"]["agency"] == "signature"
    assert report.meta["published"] == "2024-01-20"
    assert report.meta["sources"]["published"] == "signature"


def test_signature_date_in_chinese_numerals():
    tail = "六、其他需要报告的事项\n无。\n某县审计局\n二〇二四年一月二十日\n"
    report = _page("根据《条例》编制本报告。", "2023年，我局认真落实。", tail)
    assert report.meta["published"] == "2024-01-20"


def test_publication_date_printed_on_the_page():
    report = _page("某镇2023年政府信息公开工作年度报告\n时间:2024-01-26 09:42来源:某镇作者: 点击:")
    assert report.meta["published"] == "2024-01-26"
    assert report.meta["sources"]["published"] == "page_text"


def test_file_name_and_given_fill_an_unnamed_agency():
    text = "根据《条例》，现将我局2023年度政府信息公开工作情况报告如下。\n" + _BODY.format(overview="全年。")
    named = extract(read_bytes(text.encode(), "downloads/某县统计局2023年政府信息公开年报.txt"))
    assert (named.meta["agency"], named.meta["sources"]["agency"]) == ("某县统计局", "file_name")
    given = extract(read_bytes(text.encode(), "a.txt"), given={"agency": "某县统计局"})
    assert (given.meta["agency"], given.meta["sources"]["agency"]) == ("某县统计局", "given")
    assert "agency" not in (given.meta.get("uncertain") or {})


def test_html_page_title_and_meta_pubdate():
    html = (
        "<html><head><title>某县某局2023年政府信息公开工作年度报告_某县人民政府</title>"
        '<meta name="PubDate" content="2024-01-15 10:00"></head><body><p>一、总体情况</p>'
        "<p>我局认真落实条例。</p><p>二、主动公开政府信息情况</p></body></html>"
    )
    report = gongkai.parse_bytes(html.encode(), "p.html")
    assert report.meta["agency"] == "某县某局"
    assert report.meta["sources"]["agency"] == "page_title"
    assert report.meta["published"] == "2024-01-15"
    assert report.meta["sources"]["published"] == "html_meta"


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("注册团结乡", "团结乡"),
        ("26衡阳市衡东县杨林镇", "衡阳市衡东县杨林镇"),
        ("信息公开年报桂花坪街道", "桂花坪街道"),
        ("特编制湛江市人民政府地方志办公室", "湛江市人民政府地方志办公室"),
        ("现公布区统计局", "区统计局"),
        ("街道 > 某区某街道", "某区某街道"),
    ],
)
def test_clean_agency(raw: str, name: str):
    assert clean_agency(raw) == name


@pytest.mark.parametrize("fragment", ["现将我镇", "我局", "本机关", "政府", "区政府", "首页", ""])
def test_fragments_are_not_agencies(fragment: str):
    assert not plausible_agency(clean_agency(fragment))


def test_file_creation_date_is_kept_apart_from_publication(tmp_path):
    import docx

    d = docx.Document()
    d.core_properties.created = datetime.datetime(2024, 1, 18, 9, 0)
    lines = ("某局2023年政府信息公开工作年度报告", "一、总体情况", "我局落实。", "二、主动公开政府信息情况")
    for line in lines:
        d.add_paragraph(line)
    path = tmp_path / "r.docx"
    d.save(path)
    report = gongkai.parse(path)
    assert report.meta["file_created"] == "2024-01-18"
    assert report.meta["sources"]["file_created"] == "docx_metadata"
    assert report.meta["published"] is None


def test_pdf_creation_date_is_kept_apart_from_publication():
    from pathlib import Path

    pdf = Path(__file__).parents[2].parent / "shared" / "corpus" / "real" / "2024_huaian_hongzequ.pdf"
    if not pdf.exists():
        pytest.skip("shared corpus not available")
    report = gongkai.parse(pdf)
    assert report.meta["file_created"] == "2025-02-25"  # its CreationDate
    assert report.meta["sources"]["file_created"] == "pdf_metadata"
    assert report.meta.get("published") != "2025-02-25"
