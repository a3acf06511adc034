"""Crawled and copied page text: the shapes a crawler's text output takes, read cell by cell."""

from __future__ import annotations

import gongkai
from gongkai.model import BLANK, MISSING, READ

_HEAD = "某县统计局2023年政府信息公开工作年度报告\n一、总体情况\n2023年，我局认真落实。\n"
_T2_HEAD = (
    "二、主动公开政府信息情况\n第二十条第(一)项 |\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"
)
_T3_HEAD = (
    "三、收到和处理政府信息公开申请情况\n"
    "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) | 申请人情况 |\n"
    "自然人 | 法人或其他组织 | 总计 |\n商业 | 科研 | 社会公益组织 | 法律服务机构 | 其他 |\n企业 | 机构 |\n"
)


def _parse(text: str) -> gongkai.Report:
    return gongkai.parse_bytes(text.encode(), "page.txt")


def _row(report: gongkai.Report, path: str) -> list:
    return [c.value for p, c in report.cells.items() if p.startswith(path + ".")]


def _statuses(report: gongkai.Report, path: str) -> list[str]:
    return [c.status for p, c in report.cells.items() if p.startswith(path + ".")]


def test_rows_not_starting_with_a_pipe_keep_their_empty_cells():
    report = _parse(
        _HEAD
        + _T2_HEAD
        + "规章 | 0 | 0 | 0 |\n行政规范性文件 | 3 | 0 | 101 |\n"
        + _T3_HEAD
        + "一、本年新收政府信息公开申请数量 | 2 | | | | | | 2 |\n"
        + "二、上年结转政府信息公开申请数量 | | | | | | | 0 |\n"
        + "三、本年度办理结果 | (一)予以公开 | 1 | | | | | | 1 |\n"
        + "| (二)部分公开(区分处理的,只计这一情形,不计其他情形) | | | | | | | 0 |\n"
    )
    assert _row(report, "table3.new") == [2, None, None, None, None, None, 2]
    assert _statuses(report, "table3.new") == [READ] + [BLANK] * 5 + [READ]
    assert _row(report, "table3.carried_over") == [None] * 6 + [0]
    assert _row(report, "table3.granted") == [1, None, None, None, None, None, 1]
    assert _row(report, "table2.normative_documents") == [3, 0, 101]


def test_one_cell_per_line_with_slash_dash_and_empty_blanks():
    report = _parse(
        _HEAD
        + "二、主动公开政府信息情况\n第二十条第(一)项 |\n|||\n信息内容 |\n本年制发件数 |\n本年废止件数 |\n"
        "现行有效件数 |\n规章 |\n/ |\n/ |\n/ |\n行政规范性文件 |\n— |\n无 |\n5 |\n第二十条第(五)项 |\n|||\n"
        "信息内容 |\n本年处理决定数量 |\n||\n行政许可 |\n0 |\n||\n" + "三、收到和处理政府信息公开申请情况\n"
        "一、本年新收政府信息公开申请数量 |\n|\n|\n|\n|\n|\n|\n0 |\n||\n"
    )
    assert _statuses(report, "table2.rules") == [BLANK] * 3
    assert _row(report, "table2.normative_documents") == [None, None, 5]
    assert _row(report, "table2.licensing") == [0]
    assert _row(report, "table3.new") == [None] * 6 + [0]
    assert "table3.new.total" not in report.uncertain()


def test_a_pipe_line_before_each_row_is_not_a_cell_of_the_row():
    report = _parse(
        _HEAD + "二、主动公开政府信息情况\n|\n第二十条第(一)项 | |||\n|\n信息内容 |\n本年制发件数 |\n"
        "本年废止件数 |\n现行有效件数 |\n|\n规章 |\n0 |\n0 |\n0 |\n|\n行政规范性文件 |\n1 |\n0 |\n4 |\n|\n"
        "行政许可 |\n325 | ||\n|\n"
        "三、收到和处理政府信息公开申请情况\n"
    )
    assert _row(report, "table2.rules") == [0, 0, 0]
    assert _row(report, "table2.normative_documents") == [1, 0, 4]
    assert _row(report, "table2.licensing") == [325]
    assert not [p for p in report.uncertain() if p.startswith(("table2.rules", "table2.norm", "table2.lic"))]


def test_pinyin_glosses_inside_words_are_dropped():
    report = _parse(
        "一、總體情況\n2021年，某某經(jīng)濟(jì)開發(fā)區(qū)認(rèn)真貫徹落實條例。\n二、主動公開政府信息情況\n"
        "第二十條第(一)項(xiàng) | |||\n信息內(nèi)容 | 本年制發(fā)件數(shù) | 本年廢止件數(shù) |\n"
        "現(xiàn)行有效件數(shù) |\n"
        "規(guī)章 | 0 | 0 | 0 |\n行政規(guī)範(fàn)性文件 | 1 | 0 | 2 |\n"
    )
    assert report.meta["agency"] == "某某经济开发区"
    assert report.meta["year"] == 2021
    assert _row(report, "table2.normative_documents") == [1, 0, 2]


def test_a_cut_number_is_never_completed():
    report = _parse(
        _HEAD
        + _T2_HEAD
        + "规章 | 0 | 0 | 0 |\n"
        + _T3_HEAD
        + "一、本年新收政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 12 |\n"
        + "二、上年结转政府信息公开申请数量 | 0 | 1"
    )
    assert report.value("table3.carried_over.natural_person") == 0
    cut = [report.cell(f"table3.carried_over.{k}") for k in ("commercial_enterprise", "total")]
    assert all(c.status == MISSING and c.value is None for c in cut)
    assert 1 not in _row(report, "table3.carried_over")
    assert "文档不完整：表三自「二、上年结转政府信息公开申请数量」行起缺失" in report.notes


def test_a_cut_row_in_running_text_is_missing_not_guessed():
    report = _parse(
        _HEAD
        + "二、主动公开政府信息情况\n第二十条第(一)项\n信息内容\n本年制发件数\n本年废止件数\n现行有效件数\n"
        "规章\n\n0\n\n0\n\n0\n\n行政规范性文件\n\n0\n\n1"
    )
    assert _row(report, "table2.rules") == [0, 0, 0]
    assert _statuses(report, "table2.normative_documents") == [MISSING] * 3
    assert "文档不完整：表二自「行政规范性文件」行起缺失" in report.notes


def test_a_digit_starting_a_cut_label_is_not_a_cell_of_the_row_before():
    for cut in ("2", "6.", "2."):
        report = _parse(
            _HEAD
            + _T2_HEAD
            + "规章 | 0 | 0 | 0 |\n"
            + _T3_HEAD
            + "一、本年新收政府信息公开申请数量 | 0 | | | | | | 0 |\n"
            + f"| | 1.属于国家秘密 | | | | | | | 0 |\n| | {cut}"
        )
        assert _row(report, "table3.new") == [0] + [None] * 5 + [0]
        assert not [p for p in report.uncertain() if p.startswith("table3.new.")]


def test_a_page_that_begins_inside_table_three():
    report = _parse(
        "Page 9 - 2020年报_审计局\nP. 9\n四、结转下年度继续办理 0 0 0 0 0 0 0\n"
        "四、政府信息公开行政复议、行政诉讼情况\n2020 年，我单位未出现申请行政复议的情况。\n"
        "行政复议 行政诉讼\n0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n五、存在的主要问题及改进情况\n无。\n"
    )
    assert (report.meta["agency"], report.meta["year"], report.meta["template"]) == ("审计局", 2020, "2019")
    assert _row(report, "table3.carried_forward") == [0] * 7
    assert _row(report, "table4.review") == [0] * 5
    assert not [p for p in report.uncertain() if p.startswith(("table3.carried_forward", "table4."))]
