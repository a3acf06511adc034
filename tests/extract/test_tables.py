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
