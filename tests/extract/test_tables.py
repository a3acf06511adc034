"""Table reading on small hand-made documents."""

from __future__ import annotations

import gongkai


def _html(rows: str) -> bytes:
    return (
        "<html><body><h1>某县人民政府2023年政府信息公开工作年度报告</h1><p>二、主动公开政府信息情况</p>"
        f"<table>{rows}</table><p>三、收到和处理政府信息公开申请情况</p></body></html>"
    ).encode()


def test_thousands_separators_and_dash_blanks_in_a_grid():
    report = gongkai.parse_bytes(
        _html(
            "<tr><td>行政许可</td><td>1,282</td></tr><tr><td>行政处罚</td><td>—</td></tr>"
            "<tr><td>行政事业性收费</td><td>24,252.31</td></tr>"
        ),
        "x.html",
    )
    assert report.value("table2.licensing.decisions") == 1282
    assert report.cell("table2.licensing.decisions").raw == "1,282"
    assert report.value("table2.fees.amount") == 24252.31
    assert report.cell("table2.penalty.decisions").status == "blank"
    assert report.cell("table2.rules.issued").status == "missing"


def test_grid_blank_cells_stay_blank():
    report = gongkai.parse_bytes(_html("<tr><td>规章</td><td>3</td><td></td><td>12</td></tr>"), "x.html")
    assert [report.value(f"table2.rules.{c}") for c in ("issued", "repealed", "in_force")] == [3, None, 12]
    assert report.cell("table2.rules.repealed").status == "blank"
    assert report.cell("table2.rules.issued").where[0]["path"].endswith("td[2]")


def test_header_note_digits_are_not_values():
    text = (
        "某县人民政府2023年政府信息公开工作年度报告\n二、主动公开政府信息情况\n"
        "行政强制 0\n第二十条第（八）项\n信息内容 本年收费金额（单位：万元，保留4位小数）\n行政事业性收费 3\n"
        "三、收到和处理政府信息公开申请情况\n"
    )
    report = gongkai.parse_bytes(text.encode(), "x.txt")
    assert report.value("table2.coercion.decisions") == 0
    assert report.value("table2.fees.amount") == 3


def _with_confidence(doc, low: dict[str, float]):
    """The document with OCR confidences: 0.99 everywhere, ``low[text]`` for cells in the table-三
    row 一、本年新收 whose text is a key of ``low``."""
    import dataclasses

    from gongkai.read.document import Line

    lines = []
    for line in doc.lines:
        if not line.is_table_row:
            lines.append(line)
            continue
        is_new = any("本年新收" in s.text for s in line.spans)
        spans = tuple(
            dataclasses.replace(s, confidence=low.get(s.text, 0.99) if is_new else 0.99) for s in line.spans
        )
        lines.append(Line(spans, True))
    doc.lines = lines
    return doc


def _ocr_like(values: dict, low: dict[str, float]):
    from gongkai.extract import extract
    from gongkai.read import read_bytes
    from gongkai.render.text import render_text

    doc = read_bytes(render_text(values, "2021", "html").encode(), "scan.png")
    return extract(_with_confidence(doc, low))


def _consistent_values() -> dict:
    from gongkai import template

    lay = template.layout("2021")
    values = {}
    for row in lay.table2.rows:
        for c in row.columns:
            values[f"table2.{row.key}.{c.key}"] = 1
    for row in lay.table3.rows:
        for c in lay.table3.columns:
            values[f"table3.{row.key}.{c.key}"] = 0
    for key in ("new", "granted", "total"):
        values[f"table3.{key}.natural_person"] = 7
        values[f"table3.{key}.total"] = 7
    for g, _ in lay.table4.groups:
        for c in lay.table4.columns:
            values[f"table4.{g}.{c.key}"] = 0
    return values


def test_low_confidence_ocr_digit_confirmed_by_the_identities():
    report = _ocr_like(_consistent_values(), {"7": 0.5})
    cell = report.cell("table3.new.natural_person")
    assert cell.value == 7 and cell.status == "read" and "OCR" in cell.note


def test_low_confidence_ocr_digit_corrected_by_the_identities():
    values = _consistent_values()
    values["table3.new.natural_person"] = 1  # OCR misread 7 as 1, with low confidence
    report = _ocr_like(values, {"1": 0.4})
    cell = report.cell("table3.new.natural_person")
    assert cell.value == 7 and cell.status == "inferred" and cell.raw == "1"


def test_two_doubtful_digits_in_a_row_are_settled_by_the_column_identities():
    values = _consistent_values()
    values["table3.new.natural_person"] = 1
    values["table3.new.total"] = 1  # both doubtful: the row identity alone cannot decide, the columns can
    report = _ocr_like(values, {"1": 0.4})
    for col in ("natural_person", "total"):
        cell = report.cell(f"table3.new.{col}")
        assert (cell.value, cell.status) == (7, "inferred")


def test_doubtful_digit_in_table_two_is_flagged_not_trusted():
    values = _consistent_values()
    report = _ocr_like(values, {})
    assert report.cell("table2.licensing.decisions").status == "read"
    doc_values = dict(values, **{"table2.licensing.decisions": 3})
    from gongkai.extract import extract
    from gongkai.read import read_bytes
    from gongkai.render.text import render_text

    doc = read_bytes(render_text(doc_values, "2021", "html").encode(), "scan.png")
    import dataclasses

    from gongkai.read.document import Line

    doc.lines = [
        Line(
            tuple(dataclasses.replace(s, confidence=0.3 if s.text == "3" else 0.99) for s in line.spans), True
        )
        if line.is_table_row
        else line
        for line in doc.lines
    ]
    cell = extract(doc).cell("table2.licensing.decisions")
    assert cell.value is None and cell.status == "ambiguous" and cell.candidates == [3]


def test_row_readings_reopen_an_ambiguous_glued_row(corpus):
    from gongkai.extract.tables import row_readings

    report = gongkai.parse(corpus / "real" / "2021_pingtan_zhsyq.txt")
    readings = row_readings(report, "table2", "normative_documents")
    assert (69, 3, 665) in readings and (69, 36, 65) in readings
    assert all("".join(map(str, r)) == "693665" for r in readings)
    assert row_readings(report, "table2", "licensing") == [(2293,)]


def test_a_row_cell_made_by_position_is_the_cell_made_by_keyword():
    """extract/tables.py builds a row's cells with every field by position (for speed): the order it assumes
    is `model.Cell`'s, so a field added or moved there shows here, not as provenance in the wrong field."""
    from gongkai.model import INFERRED, Cell

    path, where, note = "table3.new.total", [{"line": 3}], "拆分粘连数字"
    by_position = Cell(path, 7.0, INFERRED, "7", [], where, note)
    by_keyword = Cell(path=path, value=7.0, status=INFERRED, raw="7", candidates=[], where=where, note=note)
    assert by_position == by_keyword
    assert by_position.to_json() == by_keyword.to_json()
