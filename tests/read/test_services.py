"""The reading services every reader shares, and the shape of the reading package (no import cycle)."""

from __future__ import annotations

import ast
import contextlib
import io
import zipfile
from pathlib import Path

import pytest

import gongkai
from gongkai.read import services
from gongkai.read.document import Document, Line, Span


def _imports_within_read() -> dict[str, set[str]]:
    """Module → the ``gongkai.read`` modules it imports (at the top or inside functions)."""
    package = Path(services.__file__).parent
    names = {p.stem for p in package.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in package.glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "gongkai.read":
                    found |= {a.name for a in node.names if a.name in names}
                elif node.module.startswith("gongkai.read."):
                    found.add(node.module.split(".")[2])
            elif isinstance(node, ast.Import):
                found |= {a.name.split(".")[2] for a in node.names if a.name.startswith("gongkai.read.")}
        graph[path.stem] = found - {path.stem}
    return graph


def test_no_import_cycle_inside_read():
    graph = _imports_within_read()
    state: dict[str, int] = {}

    def visit(module: str, trail: list[str]) -> None:
        if state.get(module) == 1:
            raise AssertionError("import cycle: " + " → ".join([*trail, module]))
        if state.get(module) == 2:
            return
        state[module] = 1
        for dep in sorted(graph.get(module, ())):
            if dep != "__init__":  # the package's dispatcher is imported by no reader
                visit(dep, [*trail, module])
        state[module] = 2

    for module in sorted(graph):
        visit(module, [])
    assert all("__init__" not in deps for m, deps in graph.items() if m != "__init__")


def test_join_lines():
    assert services.join_lines(["本年收费金额", "（单位：万元）"]) == "本年收费金额（单位：万元）"
    assert services.join_lines(["Total", " 42 "]) == "Total 42"
    assert services.join_lines(["总计", "", "42"]) == "总计 42"
    assert services.join_lines(["12", "34"]) == "12 34"
    assert services.join_lines(["12", "34"], glue_digits=True) == "1234"


def test_decode_plain_and_markup():
    gbk = "政府信息公开".encode("gb18030")
    assert services.decode(gbk) == ("政府信息公开", "gb18030")
    page = b'<meta charset="gbk"><p>' + gbk + b"</p>"
    assert services.decode(page, markup=True)[1] == "gb18030"
    with pytest.raises(gongkai.InputError):
        services.decode(b"\x00\x01\x02\x03" * 10 + b"\x00")


def test_simplify_document_keeps_provenance():
    span = Span("政府資訊公開工作年度報告", 3, cell=1, page=2, confidence=0.9)
    doc = Document(source="x", format="pdf", lines=[Line((span,), True)])
    services.simplify_document(doc)
    got = doc.lines[0].spans[0]
    assert got.text == "政府资讯公开工作年度报告"
    assert (got.line, got.cell, got.page, got.confidence) == (3, 1, 2, 0.9) and doc.lines[0].is_table_row
    assert doc.notes == ["converted from traditional to simplified script"]


def test_simplified_charset_spares_opencc_only_where_opencc_would_change_little():
    """GB2312 text is taken as simplified without asking OpenCC: checked against OpenCC's own t2s tables,
    which change under 1% of GB2312's characters (far below the 3% that makes a text traditional)."""
    import opencc

    hanzi = []
    for high in range(0xB0, 0xF8):  # GB2312's hanzi rows
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                hanzi.append(bytes([high, low]).decode("gb2312"))
    assert len(hanzi) > 6000 and services.in_simplified_charset("".join(hanzi))
    converted = opencc.OpenCC("t2s").convert("".join(hanzi))
    changed = [a for a, b in zip(hanzi, converted, strict=True) if a != b]
    assert len(changed) < 0.01 * len(hanzi), changed
    assert not services.in_simplified_charset("政府信息公開工作年度報告")
    assert services.to_simplified("政府信息公開工作年度報告") == ("政府信息公开工作年度报告", True)
    assert services.to_simplified("政府信息公开工作年度报告") == ("政府信息公开工作年度报告", False)


def test_ole_sniffing_is_shared():
    from gongkai.read import convert, sniff

    assert sniff(services.OLE_MAGIC + b"\x00" * 600) == "ole"
    assert convert.ole_kind is services.ole_kind
    with pytest.raises(gongkai.InputError):
        services.ole_kind(b"PK\x03\x04 not ole")


def _traditional_docx(data: bytes) -> bytes:
    """The DOCX with every text in traditional script (OpenCC s2t on the document XML)."""
    import opencc

    s2t = opencc.OpenCC("s2t")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename == "word/document.xml":
                body = s2t.convert(body.decode("utf-8")).encode("utf-8")
            zout.writestr(info, body)
    return out.getvalue()


def test_traditional_script_text_layer_pdf_reads_fully():
    """A traditional-script report reads the same as text, as DOCX and as a text-layer PDF."""
    from gongkai.read.convert import convert_to_pdf, find_soffice
    from gongkai.render.docx import render_docx
    from gongkai.render.text import render_text
    from tests.render.test_docx_chain import AGENCY, _case

    values, year = _case(3)
    docx = _traditional_docx(render_docx(values, agency=AGENCY, year=year))
    assert "公開" in zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    import opencc

    text = opencc.OpenCC("s2t").convert(render_text(values, "2021", "tsv", agency=AGENCY, year=year))
    readings = {
        "text": gongkai.parse_bytes(text.encode(), "t.txt"),
        "docx": gongkai.parse_bytes(docx, "t.docx"),
    }
    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) not installed")
    pytest.importorskip("pypdfium2")
    readings["pdf"] = gongkai.parse_bytes(convert_to_pdf(docx), "t.pdf")
    for fmt, report in readings.items():
        assert report.meta["year"] == year, fmt
        assert not report.uncertain(), fmt
        assert {p: report.value(p) for p in values} == values, fmt
        assert any("traditional" in n for n in report.notes), fmt
