from __future__ import annotations

import pytest

import gongkai
from gongkai.errors import InputError
from gongkai.read import read_bytes, sniff
from gongkai.read.text import decode

SAMPLE = "新乡县人民政府办公室2024年政府信息公开工作年度报告\n一、总体情况\n本年度收到申请16件。\n- 3 -\n"


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be"]
)
def test_every_encoding_decodes(encoding):
    text, _ = decode(SAMPLE.encode(encoding))
    assert "政府信息公开工作年度报告" in text


def test_page_furniture_is_dropped():
    doc = read_bytes(SAMPLE.encode("utf-8"), "x.txt")
    assert [line.text for line in doc.lines][-1] == "本年度收到申请16件。"
    assert doc.lines[-1].spans[0].line == 3  # source line numbers are kept


def test_traditional_script_is_converted():
    doc = read_bytes("平潭綜合實驗區2021年度政府資訊公開工作年度報告\n一、總體情況\n".encode(), "t.txt")
    assert "综合实验区" in doc.text and "总体情况" in doc.text
    assert any("traditional" in n for n in doc.notes)


def test_gbk_report_parses(corpus):
    raw = (corpus / "seeds" / "004_e99c3fa4f96ef56b.txt").read_text(encoding="utf-8")
    report = gongkai.parse_bytes(raw.encode("gb18030"), "gbk.txt")
    assert report.value("table3.new.total") == 16
    assert report.meta["agency"] == "新乡县人民政府办公室"


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"", "empty"),
        (bytes(range(256)) * 20, "binary"),
        (b"\x00\x01\x02\x03" * 100, "binary"),
    ],
)
def test_bad_input_raises_input_error(data, reason):
    with pytest.raises(InputError, match=reason):
        read_bytes(data, "bad")


def test_sniff_by_bytes_not_name():
    assert sniff(b"%PDF-1.7 ...") == "pdf"
    assert sniff(b"<html><body><table><tr><td>1</td></tr></table></body></html>") == "html"
    assert sniff("一、总体情况".encode()) == "text"
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100) == "ole"


def test_text_that_is_not_a_report_is_refused():
    with pytest.raises(InputError, match="not an annual report"):
        gongkai.parse_bytes("这是一封普通的信。\n祝好。\n".encode(), "letter.txt")


def test_markdown_pipe_rows_are_table_rows():
    text = "| 信息内容 | 本年制发件数 |\n|---|---|\n| 规章 | 3 |\n普通段落 | 不是表格\n"
    doc = read_bytes(text.encode(), "t.md")
    rows = [line for line in doc.lines if line.is_table_row]
    assert [[s.text for s in r.spans] for r in rows] == [["信息内容", "本年制发件数"], ["规章", "3"]]
    assert [s.cell for s in rows[1].spans] == [0, 1]
    assert doc.lines[-1].text == "普通段落 | 不是表格"


def test_blank_markdown_cell_stays_blank():
    text = (
        "某县人民政府2023年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
        "| 四、结转下年度继续办理 | 1 | 0 | 0 | 0 | 0 | 0 |  |\n四、政府信息公开行政复议、行政诉讼情况\n"
    )
    report = gongkai.parse_bytes(text.encode(), "t.md")
    assert report.value("table3.carried_forward.natural_person") == 1
    assert report.cell("table3.carried_forward.total").status == "blank"
