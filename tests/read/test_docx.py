"""DOCX reader: merged cells, document order, hidden and boxed text, broken input, the corpus variants."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree

pytest.importorskip("docx")
import docx as python_docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from gongkai import template
from gongkai.errors import InputError
from gongkai.read import read_bytes
from gongkai.read.docx import read
from gongkai.read.services import join_lines as join_cjk
from tests.conftest import CORPUS

TABLE3_COLUMNS = [c.key for c in template.APPLICANT_COLUMNS]


def _bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _rows(doc):
    return [[(s.cell, s.text) for s in line.spans] for line in doc.lines if line.is_table_row]


def _paragraphs(doc):
    return [line.text for line in doc.lines if not line.is_table_row]


# --------------------------------------------------------------------------------------------------------
# generated documents


def test_merged_cells_appear_once_at_their_grid_column():
    d = python_docx.Document()
    d.add_paragraph("标题")
    t = d.add_table(rows=4, cols=5)
    head = t.cell(0, 0).merge(t.cell(0, 2))  # horizontal: gridSpan 3
    head.text = "项目"
    t.cell(0, 3).text = "甲"
    t.cell(0, 4).text = "乙"
    side = t.cell(1, 0).merge(t.cell(3, 0))  # vertical: vMerge restart + 2 continuations
    side.text = "三、本年度办理结果"
    wide = t.cell(1, 1).merge(t.cell(1, 2))  # horizontal next to the vertical merge
    wide.text = "（一）予以公开"
    for r in range(1, 4):
        t.cell(r, 3).text = str(r)
        t.cell(r, 4).text = str(10 * r)
    t.cell(2, 1).text = "（二）"
    t.cell(2, 2).text = "部分公开"
    block = t.cell(3, 1).merge(t.cell(3, 2))
    block.text = "（三）"
    d.add_paragraph("结尾")

    doc = read(_bytes(d), "merged.docx")

    assert doc.format == "docx"
    assert _paragraphs(doc) == ["标题", "结尾"]
    assert _rows(doc) == [
        [(0, "项目"), (3, "甲"), (4, "乙")],
        [(0, "三、本年度办理结果"), (1, "（一）予以公开"), (3, "1"), (4, "10")],
        [(1, "（二）"), (2, "部分公开"), (3, "2"), (4, "20")],  # the vMerge continuation is not repeated
        [(1, "（三）"), (3, "3"), (4, "30")],
    ]
    # document order and provenance
    assert [line.is_table_row for line in doc.lines] == [False, True, True, True, True, False]
    assert [line.spans[0].line for line in doc.lines] == [1, 2, 3, 4, 5, 6]
    row2 = doc.lines[2]
    assert [s.path for s in row2.spans] == [
        "table[1]/tr[2]/tc[1]",
        "table[1]/tr[2]/tc[2]",
        "table[1]/tr[2]/tc[3]",
        "table[1]/tr[2]/tc[4]",
    ]
    assert doc.lines[3].spans[0].path == "table[1]/tr[3]/tc[2]"  # tc[1] is the merge continuation
    assert doc.lines[0].spans[0].path == "body/p[1]"
    assert doc.lines[-1].spans[0].path == "body/p[2]"
    assert row2.text == "三、本年度办理结果\t（一）予以公开\t1\t10"


def test_grid_before_shifts_cell_indices():
    d = python_docx.Document()
    t = d.add_table(rows=2, cols=3)
    for r in range(2):
        for c in range(3):
            t.cell(r, c).text = f"{r}{c}"
    tr = t.rows[1]._tr
    tr.remove(tr.tc_lst[0])  # the row starts one grid column in
    tr.get_or_add_trPr().append(parse_xml(f'<w:gridBefore {nsdecls("w")} w:val="1"/>'))

    assert _rows(read(_bytes(d), "x.docx")) == [[(0, "00"), (1, "01"), (2, "02")], [(1, "11"), (2, "12")]]


def test_cell_paragraphs_join_without_space_between_cjk():
    assert join_cjk(["本年收费金额", "（单位：万元）"]) == "本年收费金额（单位：万元）"
    assert join_cjk(["危及", "“三安全一稳定”"]) == "危及“三安全一稳定”"
    assert join_cjk(["Total", "42"]) == "Total 42"
    assert join_cjk(["总计", "42"]) == "总计 42"
    assert join_cjk([]) == ""

    d = python_docx.Document()
    cell = d.add_table(rows=1, cols=2).cell(0, 0)
    cell.text = "本年收费金额"
    cell.add_paragraph("（单位：万元）")
    cell.add_paragraph("")  # empty paragraphs add nothing
    other = d.tables[0].cell(0, 1)
    other.text = "  12 \t 3 "
    assert _rows(read(_bytes(d), "x.docx")) == [[(0, "本年收费金额（单位：万元）"), (1, "12 3")]]


def test_nested_table_rows_follow_the_outer_row():
    d = python_docx.Document()
    outer = d.add_table(rows=2, cols=2)
    outer.cell(0, 0).text = "外"
    outer.cell(0, 1).text = "层"
    host = outer.cell(1, 0)  # a layout cell whose only content is a table
    inner = host.add_table(rows=2, cols=2)
    for r in range(2):
        for c in range(2):
            inner.cell(r, c).text = f"内{r}{c}"
    outer.cell(1, 1).text = ""

    doc = read(_bytes(d), "nested.docx")
    assert _rows(doc) == [
        [(0, "外"), (1, "层")],
        [(0, "内00"), (1, "内01")],
        [(0, "内10"), (1, "内11")],
    ]  # the empty outer row that only held the table is not emitted
    assert doc.lines[1].spans[1].path == "table[1]/tr[2]/tc[1]/table[1]/tr[1]/tc[2]"


_TEXTBOX_RUN = """
<w:r {w} {mc} {wps} {wp} {a} {v}>
  <mc:AlternateContent>
    <mc:Choice Requires="wps">
      <w:drawing><wp:anchor><a:graphic><a:graphicData>
        <wps:wsp><wps:txbx><w:txbxContent>
          <w:p><w:r><w:t>框内文字</w:t></w:r></w:p>
        </w:txbxContent></wps:txbx></wps:wsp>
      </a:graphicData></a:graphic></wp:anchor></w:drawing>
    </mc:Choice>
    <mc:Fallback>
      <w:pict><v:shape><v:textbox><w:txbxContent>
        <w:p><w:r><w:t>框内文字</w:t></w:r></w:p>
      </w:txbxContent></v:textbox></v:shape></w:pict>
    </mc:Fallback>
  </mc:AlternateContent>
</w:r>
""".format(
    w='xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"',
    mc='xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"',
    wps='xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"',
    wp='xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"',
    a='xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"',
    v='xmlns:v="urn:schemas-microsoft-com:vml"',
)


def test_text_boxes_content_controls_and_what_is_left_out():
    d = python_docx.Document()
    p = d.add_paragraph("正文")
    p._p.append(etree.fromstring(_TEXTBOX_RUN))
    # a block-level content control around a paragraph
    sdt = parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtPr><w:alias w:val='x'/></w:sdtPr><w:sdtContent>"
        "<w:p><w:r><w:t>控件内容</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    d.element.body.insert(len(d.element.body) - 1, sdt)
    # hidden run, deleted text, field instruction, soft line break
    q = d.add_paragraph()
    q.add_run("看得见")
    hidden = q.add_run("看不见")
    hidden.font.hidden = True
    q._p.append(parse_xml(f"<w:del {nsdecls('w')}><w:r><w:delText>删掉的</w:delText></w:r></w:del>"))
    q._p.append(parse_xml(f"<w:r {nsdecls('w')}><w:instrText> PAGE </w:instrText></w:r>"))
    q.add_run("第一行").add_break()
    q.add_run("第二行")

    doc = read(_bytes(d), "boxes.docx")
    assert _paragraphs(doc) == ["正文", "框内文字", "控件内容", "看得见第一行", "第二行"]
    assert doc.lines[1].spans[0].path == "body/p[1]/txbx[1]/p[1]"  # choice read, fallback not repeated
    assert doc.lines[2].spans[0].path == "body/p[2]"
    assert doc.lines[3].spans[0].path == doc.lines[4].spans[0].path == "body/p[3]"
    assert "read 1 text box(es)" in doc.notes
    assert "left out 1 hidden run(s)" in doc.notes


def test_read_bytes_dispatches_docx():
    d = python_docx.Document()
    d.add_paragraph("一、总体情况")
    data = _bytes(d)
    doc = read_bytes(data, "a.docx")
    assert doc.format == "docx" and doc.text == "一、总体情况" and len(doc.sha256) == 64


# --------------------------------------------------------------------------------------------------------
# input that cannot be used


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + b"\x00" * 200,
        b"not a document at all",
        b"",
        pytest.param("truncated", id="truncated"),
        pytest.param("xlsx", id="spreadsheet-zip"),
        pytest.param("badxml", id="broken-xml"),
        pytest.param("empty", id="no-text"),
    ],
)
def test_unusable_input_raises_input_error(data):
    if data == "truncated":
        good = _bytes(python_docx.Document())
        data = good[: len(good) // 2]
    elif data == "xlsx":
        data = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    elif data == "badxml":
        good = _bytes(python_docx.Document())
        with zipfile.ZipFile(io.BytesIO(good)) as zf:
            files = {i.filename: zf.read(i.filename) for i in zf.infolist()}
        files["word/document.xml"] = b"<w:document><w:body><w:p>"
        data = _zip(files)
    elif data == "empty":
        data = _bytes(python_docx.Document())
    with pytest.raises(InputError) as info:
        read(data, "bad.docx")
    assert "(" in str(info.value) and "\n" not in str(info.value)


def test_legacy_doc_bytes_are_refused_with_a_reason():
    path = CORPUS / "variants" / "000_f01d4dbb51cf7cd1.doc"
    if not path.exists():
        pytest.skip("shared corpus not available")
    with pytest.raises(InputError, match="legacy DOC/WPS"):
        read(path.read_bytes(), path.name)


def test_macro_enabled_document_is_read():
    d = python_docx.Document()
    d.add_paragraph("宏文档")
    with zipfile.ZipFile(io.BytesIO(_bytes(d))) as zf:
        files = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml",
    )
    assert _paragraphs(read(_zip(files), "m.docm")) == ["宏文档"]


# --------------------------------------------------------------------------------------------------------
# the shared corpus


def _variants() -> list[Path]:
    return sorted((CORPUS / "variants").glob("*.docx")) if CORPUS.exists() else []


@pytest.mark.skipif(not _variants(), reason="shared corpus not available")
@pytest.mark.parametrize("path", _variants(), ids=lambda p: p.name)
def test_corpus_variant_table_values_land_in_their_columns(path: Path):
    truth = json.loads(path.with_name(path.name + ".expected.json").read_text("utf-8"))
    started = time.perf_counter()
    doc = read(path.read_bytes(), path.name)
    assert time.perf_counter() - started < 5

    rows = [line for line in doc.lines if line.is_table_row]
    new = next(line for line in rows if line.spans[0].text == "一、本年新收政府信息公开申请数量")
    values = {s.cell: s.text for s in new.spans[1:]}
    assert values == {3 + i: str(truth["table3"]["new"][key]) for i, key in enumerate(TABLE3_COLUMNS)}

    total = next(line for line in rows if any(s.text == "（七）总计" for s in line.spans))
    assert [s.cell for s in total.spans] == [1, 3, 4, 5, 6, 7, 8, 9]
    assert [int(s.text) for s in total.spans[1:]] == [truth["table3"]["total"][k] for k in TABLE3_COLUMNS]

    # table 四: one data row of 15 cells, review then the two litigation groups
    numbers = rows[-1]
    groups = ("review", "litigation_direct", "litigation_after_review")
    columns = ("upheld", "corrected", "other", "pending", "total")
    expected = [truth["table4"][g][c] for g in groups for c in columns]
    assert [s.cell for s in numbers.spans] == list(range(15))
    assert [int(s.text) for s in numbers.spans] == expected


def test_official_blank_template_keeps_empty_cells():
    path = CORPUS / "templates" / "official_blank_2021.docx"
    if not path.exists():
        pytest.skip("shared corpus not available")
    doc = read(path.read_bytes(), path.name)
    rows = [line for line in doc.lines if line.is_table_row]
    header = next(line for line in rows if line.spans[0].text == "商业企业")
    assert [(s.cell, s.text) for s in header.spans] == [
        (4, "商业企业"),
        (5, "科研机构"),
        (6, "社会公益组织"),
        (7, "法律服务机构"),
        (8, "其他"),
    ]
    new = next(line for line in rows if line.spans[0].text == "一、本年新收政府信息公开申请数量")
    assert [(s.cell, s.text) for s in new.spans[1:]] == [(c, "") for c in range(3, 10)]
    assert sum(line.is_table_row for line in doc.lines) == 14 + 28 + 4
