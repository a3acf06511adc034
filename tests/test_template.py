"""The template is the only source of layouts: a layout registered by data alone is detected, read,
checked, rendered and exported by every stage, and the registry is as before once it is removed."""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from pathlib import Path

import pytest

import gongkai
from gongkai import template
from gongkai.render.docx import render_docx
from gongkai.render.html import document_html

AGENCY = "某某县人民政府办公室"
YEAR = 2031
# A fictitious layout: the 2021 one with a table-三 row after 四、结转下年度继续办理, which the balance
# identity now includes: 一 + 二 = （七）总计 + 四 + 五.
WITHDRAWN = template.Row("withdrawn", "五、申请人撤回申请数量", (r"申请人撤回申请",), enumerator="五、")


def fictitious_layout() -> template.Layout:
    base = template.layout("2021")
    rules = tuple(
        replace(r, right=(*r.right, WITHDRAWN.key)) if r.name == "table3_balance" else r for r in base.rules
    )
    return replace(
        base,
        key="2030",
        name="2030 年测试格式",
        document="测试函〔2030〕1号",
        first_year=2030,
        table3=replace(base.table3, rows=(*base.table3.rows, WITHDRAWN)),
        markers=(*base.markers, "申请人撤回申请数量"),
        alternates=(),
        rules=rules,
    )


@pytest.fixture
def third_layout():
    before = template.layouts()
    lay = fictitious_layout()
    template.register(lay)
    try:
        yield lay
    finally:
        template.unregister(lay.key)
        assert template.layouts() == before


def valid_values(lay: template.Layout) -> dict[str, int | float]:
    """Values that satisfy every identity of ``lay``: table 三 built so that its rows and columns add up."""
    values: dict[str, int | float] = {}
    for i, row in enumerate(lay.table2.rows):
        for j, c in enumerate(row.columns):
            values[f"table2.{row.key}.{c.key}"] = 12.5 if c.decimal else 3 * i + j + 1
    results = template.result_rows(lay)
    six = {r: [(i + c) % 3 for c in range(6)] for i, r in enumerate(results)}
    six["total"] = [sum(six[r][c] for r in results) for c in range(6)]
    six["carried_forward"] = [c % 2 for c in range(6)]
    six["withdrawn"] = [1 + c % 2 for c in range(6)]
    six["carried_over"] = [1] * 6
    six["new"] = [six["total"][c] + six["carried_forward"][c] + six["withdrawn"][c] - 1 for c in range(6)]
    for r, parts in six.items():
        for c, v in zip(lay.table3.columns, [*parts, sum(parts)], strict=True):
            values[f"table3.{r}.{c.key}"] = v
    for g, _ in lay.table4.groups:
        four = [2, 1, 0, 1]
        for c, v in zip(lay.table4.columns, [*four, sum(four)], strict=True):
            values[f"table4.{g}.{c.key}"] = v
    assert set(values) == set(template.cell_paths(lay.key))
    for ident in template.identities(lay.key):
        assert sum(values[p] for p in ident.left) == sum(values[p] for p in ident.right), ident
    return values


def test_layouts_alias_follows_the_registry(third_layout):
    assert template.layout_keys() == template.LAYOUTS and third_layout.key in template.LAYOUTS


def test_a_layout_is_registered_by_data_alone(third_layout):
    assert template.layout_for_year(YEAR) == third_layout.key
    assert template.layout_for_year(2024) == "2021"
    balance = [i for i in template.identities(third_layout.key) if i.name == "table3_balance"]
    assert balance[0].right == (
        "table3.total.natural_person",
        "table3.carried_forward.natural_person",
        "table3.withdrawn.natural_person",
    )
    assert "table3.withdrawn.total" in template.cell_paths(third_layout.key)


def test_parse_and_check_a_registered_layout(third_layout):
    values = valid_values(third_layout)
    data = render_docx(values, third_layout.key, agency=AGENCY, year=YEAR)
    report = gongkai.parse_bytes(data, "third.docx")
    assert report.meta["template"] == third_layout.key and report.meta["year"] == YEAR
    assert not report.uncertain()
    assert {p: report.value(p) for p in values} == values
    assert not [f for f in gongkai.check(report) if f.code.startswith("T3") or f.code.startswith("L1")]

    # the new row takes part in the balance identity: a wrong value there is an error naming it
    report.cells["table3.withdrawn.natural_person"].value += 1
    balance = [f for f in gongkai.check(report) if f.code == "T301"]
    assert balance and "table3.withdrawn.natural_person" in balance[0].where
    assert "五、申请人撤回申请数量" in balance[0].message


def test_render_html_and_read_it_back(third_layout):
    values = valid_values(third_layout)
    report = gongkai.parse_bytes(
        render_docx(values, third_layout.key, agency=AGENCY, year=YEAR), "third.docx"
    )
    html = document_html(report)
    assert "五、申请人撤回申请数量" in html and 'data-path="table3.withdrawn.total"' in html
    again = gongkai.parse_bytes(html.encode("utf-8"), "third.html")
    assert again.meta["template"] == third_layout.key
    table3 = {p: v for p, v in values.items() if p.startswith("table3.")}
    assert {p: again.value(p) for p in table3} == table3


def test_export_has_the_new_row(third_layout, tmp_path: Path):
    from gongkai.store import export, ingest

    values = valid_values(third_layout)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "third.docx").write_bytes(render_docx(values, third_layout.key, agency=AGENCY, year=YEAR))
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    result = ingest([folder], url, workers=1)
    assert result.counts["failed"] == 0, result.errors
    to = tmp_path / "wide.csv"
    assert export(url, to) == 1
    with to.open(encoding="utf-8-sig", newline="") as f:
        row = next(csv.DictReader(f))
    assert row["layout"] == third_layout.key
    assert float(row["table3.withdrawn.total"]) == values["table3.withdrawn.total"]


def test_no_layout_literal_outside_the_template():
    """Layout keys and table short names live in template.py only (docstrings and comments aside)."""
    src = Path(gongkai.__file__).parent
    offenders = []
    for path in src.rglob("*.py"):
        if path.name == "template.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if re.search(r"[\"'](?:2019|2021)[\"']|[\"']表[二三四][\"']", code):
                offenders.append(f"{path.relative_to(src)}:{n}: {line.strip()}")
    hint = (
        "use template.default_layout(), template.layout_for_year(), template.layout_keys(), "
        "template.table_names() or a Table's short_name instead of a literal"
    )
    assert not offenders, hint + ":\n" + "\n".join(offenders)
