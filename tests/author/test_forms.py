"""The 填报 workbook: the official layout with merged cells, formulas for the totals and validation, read
back exactly (typed values; totals from Excel's cache or computed)."""

from __future__ import annotations

import io
import random

from openpyxl import load_workbook

from gongkai import Report, parse_bytes, template
from gongkai.author.forms import form_xlsx, is_form, read_form
from gongkai.model import READ, Cell
from tests.render.test_docx_chain import valid_values


def _report(values: dict, layout_key: str, year: int) -> Report:
    meta = {"agency": "某某县人民政府办公室", "year": year, "template": layout_key}
    return Report(meta=meta, cells={p: Cell(p, v, READ) for p, v in values.items()})


def test_a_filled_form_reads_back_exactly_in_both_layouts():
    rng = random.Random(14)
    for layout_key, year in (("2021", 2025), ("2019", 2020)):
        for _ in range(5):
            values = valid_values(rng, layout_key)
            data = form_xlsx(layout_key, _report(values, layout_key, year))
            assert is_form(data)
            again = parse_bytes(data, "填报.xlsx")
            assert again.meta["agency"] == "某某县人民政府办公室" and again.meta["year"] == year
            assert {p: c.value for p, c in again.cells.items()} == values
            assert not again.uncertain()


def test_totals_are_formulas_and_counts_are_validated():
    data = form_xlsx("2021", year=2025, agency="某某局")
    wb = load_workbook(io.BytesIO(data))
    sheet, ref = next(iter(wb.defined_names["table3.total.total"].destinations))
    assert wb[sheet][ref.replace("$", "")].value.startswith("=SUM(")
    t3 = wb[sheet]
    merged = {str(r) for r in t3.merged_cells.ranges}
    assert "A1:C3" in merged  # the 勾稽关系 corner, as in the Word template
    rules = t3.data_validations.dataValidation
    assert any(
        dv.type == "whole" and dv.operator == "greaterThanOrEqual" and dv.formula1 == "0" for dv in rules
    )
    # typing into the parts (as a user does) gives the totals
    for path, value in (("table3.new.natural_person", 3), ("table3.new.commercial_enterprise", 2)):
        s, r = next(iter(wb.defined_names[path].destinations))
        wb[s][r.replace("$", "")] = value
    out = io.BytesIO()
    wb.save(out)
    report = read_form(out.getvalue())
    assert report.value("table3.new.total") == 5
    assert report.value("table3.total.total") is None  # nothing typed in the result rows
    assert all(p in report.cells for p in template.cell_paths("2021"))
