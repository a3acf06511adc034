"""The HTML reader on the shared corpus pages and on small hand-written pages."""

from __future__ import annotations

import json
import re

import lxml.html
import pytest

from gongkai import template
from gongkai.errors import InputError
from gongkai.read import html
from gongkai.read.document import Document, Line
from tests.conftest import CORPUS

PAGES = [
    "real/2019_shanghai_szfbgt.html",
    "variants/000_f01d4dbb51cf7cd1.html",
    "variants/004_e99c3fa4f96ef56b.html",
]
APPLICANTS = [c.key for c in template.APPLICANT_COLUMNS]
# table3 rows checked; their label cells start with the template's label (up to any parenthesised note)
TABLE3_KEYS = [
    "new",
    "carried_over",
    "granted",
    "partially_granted",
    "denied_state_secret",
    "denied_process_information",
    "unable_not_held",
    "not_processed_duplicate",
    "total",
    "carried_forward",
]


def _label(key: str) -> str:
    label = template.TABLE3_2021.row(key).label
    note = label.find("（", 1)
    return label[:note] if note > 0 else label


FIRST_APPLICANT_COLUMN = 3  # three label columns (merged) precede 自然人 in the expanded grid
RESULTS = [c.key for c in template.TABLE4_COLUMNS]


def _load(name: str) -> tuple[Document, dict]:
    page = CORPUS / name
    if not page.exists():
        pytest.skip(f"shared corpus not available: {page}")
    truth = page.with_name(page.name + ".expected.json")
    if not truth.exists():
        truth = page.with_suffix(".expected.json")
    return html.read(page.read_bytes(), str(page)), json.loads(truth.read_text(encoding="utf-8"))


def _cells(line: Line) -> dict[int, str]:
    return {span.cell: span.text for span in line.spans}


def _row(doc: Document, label: str) -> Line:
    rows = [
        line for line in doc.lines if line.is_table_row and any(s.text.startswith(label) for s in line.spans)
    ]
    assert len(rows) == 1, f"expected one row labelled {label!r}, found {len(rows)}"
    return rows[0]


def _as_cell(value: int | None) -> str:
    return "" if value is None else str(value)


# --- the shared corpus


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("key", TABLE3_KEYS)
def test_table3_numbers_land_in_their_grid_columns(name: str, key: str) -> None:
    doc, truth = _load(name)
    cells = _cells(_row(doc, _label(key)))
    expected = truth["table3"][key]
    for offset, applicant in enumerate(APPLICANTS):
        assert cells[FIRST_APPLICANT_COLUMN + offset] == _as_cell(expected[applicant]), (key, applicant)


@pytest.mark.parametrize("name", PAGES)
def test_table4_row_spans_fifteen_columns(name: str) -> None:
    doc, truth = _load(name)
    numbers = [
        line
        for line in doc.lines
        if line.is_table_row
        and len(line.spans) == 15
        and all(re.fullmatch(r"\d*", s.text) for s in line.spans)
    ]
    assert len(numbers) == 1
    cells = _cells(numbers[0])
    expected = [
        truth["table4"][group][result]
        for group in ("review", "litigation_direct", "litigation_after_review")
        for result in RESULTS
    ]
    assert [cells[i] for i in range(15)] == [_as_cell(v) for v in expected]


def test_shanghai_2019_table2_and_merged_header_columns() -> None:
    doc, truth = _load(PAGES[0])
    rules = _cells(_row(doc, "规章"))
    assert rules == {0: "规章", 1: "13", 2: "13", 4: "524"}  # 本年新公开数量 spans columns 2–3
    assert rules[4] == str(truth["table2"]["rules"]["total_public"])
    # a row under the rowspan'd 三、本年度办理结果 / （三）不予公开 labels starts at column 2
    assert _row(doc, "2.其他法律行政法规禁止公开").spans[0].cell == 2
    assert _cells(_row(doc, "政府集中采购"))[3] == "251000元"
    header = _row(doc, "申请人情况")
    assert header.spans[0].text.startswith("（本列数据的勾稽关系为")
    assert header.spans[1].cell == 3
    assert _cells(_row(doc, "自然人")) == {3: "自然人", 4: "法人或其他组织", 9: "总计"}


def test_shanghai_2019_br_inside_cell_joins_cjk_without_space() -> None:
    doc, _ = _load(PAGES[0])
    headers = [line for line in doc.lines if line.is_table_row and line.spans[0].text == "信息内容"]
    assert headers[0].spans[1].text == "本年新制作数量"  # source: 本年新<br />制作数量


@pytest.mark.parametrize("name", PAGES)
def test_document_shape(name: str) -> None:
    doc, truth = _load(name)
    assert doc.format == "html"
    assert [line.spans[0].line for line in doc.lines] == list(range(1, len(doc.lines) + 1))
    tables = [line for line in doc.lines if line.is_table_row]
    assert len({s.path.split("/")[0] for line in tables for s in line.spans}) == 3
    for line in tables:
        cells = [s.cell for s in line.spans]
        assert cells == sorted(set(cells))
        assert all(re.fullmatch(r"table\[\d+\]/tr\[\d+\]/t[dh]\[\d+\]", s.path) for s in line.spans)
    prose = [line for line in doc.lines if not line.is_table_row]
    assert all(len(line.spans) == 1 and line.spans[0].path.startswith("html/") for line in prose)
    assert any(truth["meta"]["agency"] in line.text for line in prose[:3])
    assert "  " not in doc.text and "\xa0" not in doc.text


def test_title_is_the_first_line() -> None:
    doc, _ = _load(PAGES[0])
    first = doc.lines[0].spans[0]
    assert (first.text, first.path) == (
        "2019年上海市人民政府办公厅政府信息公开工作年度报告",
        "html/head/title",
    )


# --- tables: merged cells


MERGED = """<table>
<tr><th rowspan="2">项目</th><th colspan="2">申请人</th><th rowspan="3">总计</th></tr>
<tr><th>自然人</th><th>法人</th></tr>
<tr><td rowspan="2">办理结果</td><td>1</td><td></td></tr>
<tr><td colspan="2">7</td><td>9</td></tr>
<tr><td>合计</td><td>&nbsp;</td><td>3</td><td>4</td></tr>
</table>"""


def test_rowspan_and_colspan_give_expanded_grid_columns() -> None:
    rows = [line for line in html.read_text(MERGED, "t").lines if line.is_table_row]
    assert [[(s.cell, s.text) for s in line.spans] for line in rows] == [
        [(0, "项目"), (1, "申请人"), (3, "总计")],
        [(1, "自然人"), (2, "法人")],
        [(0, "办理结果"), (1, "1"), (2, "")],
        [(1, "7"), (3, "9")],  # column 0 held by 办理结果 from above; the total column is free again
        [(0, "合计"), (1, ""), (2, "3"), (3, "4")],
    ]
    assert rows[3].spans[1].path == "table[1]/tr[4]/td[2]"
    assert rows[0].spans[2].path == "table[1]/tr[1]/th[3]"
    assert all(s.line == line.spans[0].line for line in rows for s in line.spans)


def test_grid_expands_merged_cells() -> None:
    table = lxml.html.fromstring(MERGED)
    assert html.grid(table) == [
        ["项目", "申请人", "", "总计"],
        ["", "自然人", "法人", ""],
        ["办理结果", "1", "", ""],
        ["", "7", "", "9"],
        ["合计", "", "3", "4"],
    ]


def test_rowspan_reaching_past_the_last_row_and_bad_span_values() -> None:
    page = """<table><tbody>
    <tr><td rowspan="9">a</td><td colspan="x">b</td></tr>
    <tr><td colspan="0">c</td><td>d</td></tr>
    </tbody></table>"""
    table = lxml.html.fromstring(page)
    assert html.grid(table) == [["a", "b", ""], ["", "c", "d"]]


def test_empty_cells_are_kept() -> None:
    doc = html.read_text("<table><tr><td>x</td><td> </td><td><p>&nbsp;</p></td><td>5</td></tr></table>", "t")
    assert [(s.cell, s.text) for s in doc.lines[0].spans] == [(0, "x"), (1, ""), (2, ""), (3, "5")]


def test_cell_paragraphs_join_without_space_only_between_cjk() -> None:
    page = "<table><tr><td><p>属于国家</p><p>秘密</p></td><td>2024<br>年</td><td>a<br/>b</td></tr></table>"
    texts = [s.text for s in html.read_text(page, "t").lines[0].spans]
    assert texts == ["属于国家秘密", "2024 年", "a b"]


def test_nested_tables_come_out_as_their_own_rows() -> None:
    page = """<body><table><tr><td>
      <p>第一段文字</p>
      <table><tr><td>自然人</td><td>总计</td></tr><tr><td>3</td><td>3</td></tr></table>
      <p>最后一段</p>
    </td><td>旁栏</td></tr></table></body>"""
    lines = html.read_text(page, "t").lines
    assert [(line.is_table_row, line.text) for line in lines] == [
        (False, "第一段文字"),
        (True, "自然人\t总计"),
        (True, "3\t3"),
        (False, "最后一段"),
        (False, "旁栏"),
    ]
    assert lines[2].spans[1].path == "table[2]/tr[2]/td[2]"


def test_a_frame_table_around_the_article_reads_as_paragraphs() -> None:
    page = """<table><tr><td><h1>某区政府信息公开工作年度报告</h1></td></tr>
    <tr><td><p>一、总体情况</p><p>今年共主动公开信息 120 条。</p></td></tr></table>"""
    lines = html.read_text(page, "t").lines
    assert [(line.is_table_row, line.text) for line in lines] == [
        (False, "某区政府信息公开工作年度报告"),
        (False, "一、总体情况"),
        (False, "今年共主动公开信息 120 条。"),
    ]


def test_a_cell_holding_the_article_body_is_not_a_table_value() -> None:
    body = "".join(
        f"<p>第{i}段：本机关认真贯彻落实政府信息公开条例，持续推进政务公开工作。</p>" for i in range(6)
    )
    page = f"<table><tr><td>导航</td><td>{body}</td></tr></table>"
    lines = html.read_text(page, "t").lines
    assert not any(line.is_table_row for line in lines)
    assert [line.text for line in lines][:2] == [
        "导航",
        "第0段：本机关认真贯彻落实政府信息公开条例，持续推进政务公开工作。",
    ]


# --- text outside tables


def test_paragraphs_br_runs_paths_and_whitespace() -> None:
    page = """<html><head><title> 报告 </title><style>p{color:red}</style><script>var x = "不应出现";</script>
    </head><body><div>第一行<br>第二&nbsp;&nbsp; 行<br><br>   </div>
    <div><p>段落<b>加粗</b>文字</p><p>  </p><p>后一段</p>尾巴</div>
    <!-- 注释不应出现 --><h2>标题</h2></body></html>"""
    doc = html.read_text(page, "t")
    assert [(s.text, s.path) for line in doc.lines for s in line.spans] == [
        ("报告", "html/head/title"),
        ("第一行", "html/body/div[1]"),
        ("第二 行", "html/body/div[1]"),
        ("段落加粗文字", "html/body/div[2]/p[1]"),
        ("后一段", "html/body/div[2]/p[3]"),
        ("尾巴", "html/body/div[2]"),
        ("标题", "html/body/h2"),
    ]
    assert [s.line for line in doc.lines for s in line.spans] == list(range(1, 8))
    assert not any(line.is_table_row for line in doc.lines)


def test_line_wrap_between_cjk_characters_vanishes_but_not_between_words() -> None:
    doc = html.read_text("<p>全面贯彻\r\n落实《条例》\n2024\n年 and\nmore</p>", "t")
    assert doc.lines[0].text == "全面贯彻落实《条例》 2024 年 and more"


def test_pre_keeps_its_lines() -> None:
    doc = html.read_text("<pre>第一行\n\n  第二行  </pre>", "t")
    assert [line.text for line in doc.lines] == ["第一行", "第二行"]


WORD_PAGE = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns="http://www.w3.org/TR/REC-html40">
<head><meta http-equiv=Content-Type content="text/html; charset=gb2312">
<meta name=ProgId content=Word.Document>
<!--[if gte mso 9]><xml><o:DocumentProperties><o:Author>作者不应出现</o:Author>
</o:DocumentProperties></xml><![endif]-->
<style><!-- p.MsoNormal {mso-style-parent:""; font-family:宋体;} --></style></head>
<body lang=ZH-CN style='tab-interval:21.0pt'><div class=WordSection1 style='layout-grid:15.6pt'>
<p class=MsoNormal align=center style='text-align:center'><b><span style='font-size:22.0pt;
font-family:方正小标宋简体'>某某区人民政府<span lang=EN-US>2023</span>年政府信息公开工作年度报告<span
lang=EN-US><o:p></o:p></span></span></b></p>
<p class=MsoListParagraph><![if !supportLists]><span lang=EN-US>（一）<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span><![endif]>主动公开情况，全年共
发布信息<span lang=EN-US>
15</span>条，坚持以公开为常态、不公开为例外，全面
贯彻落实《条例》。<span style='display:none;mso-hide:all'>隐藏文字</span><o:p></o:p></p>
<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>
<table class=MsoNormalTable border=0 cellspacing=0 cellpadding=0
 style='border-collapse:collapse;mso-yfti-tbllook:1184'>
 <tr style='mso-yfti-irow:0;height:20.25pt'>
  <td width=161 colspan=2 style='width:120.5pt;border:solid windowtext 1.0pt;
  mso-border-alt:solid windowtext .5pt'>
  <p class=MsoNormal align=center style='text-align:center'><span style='font-size:10.0pt'>信息内容<span
  lang=EN-US><o:p></o:p></span></span></p></td>
  <td width=98 style='width:73.5pt'><p class=MsoNormal align=center><span style='font-size:10.0pt'>本年<span
  lang=EN-US><br></span>制发件数<span lang=EN-US><o:p></o:p></span></span></p></td>
 </tr>
 <tr style='mso-yfti-irow:1;mso-yfti-lastrow:yes'>
  <td colspan=2><p class=MsoNormal><span>行政规范性文件<o:p></o:p></span></p></td>
  <td><p class=MsoNormal align=center><span lang=EN-US>12<o:p></o:p></span></p></td>
 </tr>
 <![if !supportMisc]>
 <tr height=0><td width=80 style='border:none'></td><td width=81 style='border:none'></td>
 <td width=98 style='border:none'></td></tr>
 <![endif]>
</table>
<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>
</div></body></html>"""


def test_word_export_noise_is_dropped() -> None:
    doc = html.read(WORD_PAGE.encode("gbk"), "word.htm")
    assert doc.notes == ["decoded as gb18030"]
    assert [(line.is_table_row, line.text) for line in doc.lines] == [
        (False, "某某区人民政府2023年政府信息公开工作年度报告"),
        (
            False,
            "（一） 主动公开情况，全年共发布信息 15条，"
            "坚持以公开为常态、不公开为例外，全面贯彻落实《条例》。",
        ),
        (True, "信息内容\t本年制发件数"),
        (True, "行政规范性文件\t12"),
    ]
    assert [s.cell for s in doc.lines[3].spans] == [0, 2]
    assert "作者" not in doc.text and "隐藏" not in doc.text and "mso" not in doc.text


# --- charsets


GBK_TEXT = "政府信息公开工作年度报告：收到申请 859 件，镕"  # 镕 is outside GB2312, inside GBK


@pytest.mark.parametrize(
    ("head", "encoding"),
    [
        ('<meta charset="gb2312">', "gb18030"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=GBK">', "gb18030"),
        ('<meta content="text/html; charset=x-gbk" http-equiv="content-type">', "gb18030"),
        ("", "gb18030"),  # undeclared: UTF-8 fails, GB18030 fits
        ('<meta charset="utf-8">', "gb18030"),  # the declaration is wrong; detection decides
        ('<meta charset="iso-8859-1">', "gb18030"),  # a Western charset on a Chinese page proves nothing
    ],
)
def test_gbk_bytes_decode(head: str, encoding: str) -> None:
    data = f"<html><head>{head}</head><body><p>{GBK_TEXT}</p></body></html>".encode("gbk")
    doc = html.read(data, "gbk.html")
    assert doc.lines[0].text == GBK_TEXT
    assert doc.notes and doc.notes[0].endswith(f"decoded as {encoding}")


def test_utf8_bytes_under_a_stale_gbk_declaration() -> None:
    data = f'<html><head><meta charset="gb2312"></head><body><p>{GBK_TEXT}</p></body></html>'.encode()
    doc = html.read(data, "x.html")
    assert doc.lines[0].text == GBK_TEXT
    assert doc.notes == ["declared charset gb18030 does not fit; decoded as utf-8"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_bom_wins_over_declaration(encoding: str) -> None:
    data = f'<html><head><meta charset="gbk"></head><body><p>{GBK_TEXT}</p></body></html>'.encode(encoding)
    assert html.read(data, "bom.html").lines[0].text == GBK_TEXT


def test_read_text_ignores_meta_charset_of_decoded_text() -> None:
    page = (
        f'<?xml version="1.0" encoding="gbk"?><html><head><meta charset="gbk"></head><body>{GBK_TEXT}</body>'
    )
    doc = html.read_text(page, "x.html")
    assert doc.lines[0].text == GBK_TEXT
    assert doc.lines[0].spans[0].path == "html/body"


def test_traditional_script_page_is_converted() -> None:
    page = "<p>政府資訊公開工作年度報告：本機關收到申請數量與處理結果</p>"
    doc = html.read_text(page, "t")
    assert doc.lines[0].text == "政府资讯公开工作年度报告：本机关收到申请数量与处理结果"
    assert doc.notes == ["converted from traditional to simplified script"]


# --- no text


@pytest.mark.parametrize(
    "page",
    [
        b"",
        b"   \n ",
        b"<html><head><title>404 Not Found</title></head><body>  &nbsp; </body></html>",
        b"<html><body><script>document.write('x')</script><style>p{}</style><!-- c --></body></html>",
        b"<table><tr><td></td></tr></table>",
    ],
)
def test_page_without_text_is_an_input_error(page: bytes) -> None:
    with pytest.raises(InputError, match="no text"):
        html.read(page, "empty.html")
