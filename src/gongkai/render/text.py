"""Write a report's tables back out as text in the shapes real reports take.

Used to publish a plain-text version and by the property tests (a random valid report, written in each
shape, must read back exactly). Shapes:

- ``tsv``: one table row per line, cells separated by tabs (copy from Word);
- ``layout``: cells padded with spaces (``pdftotext -layout``);
- ``markdown``: pipe tables;
- ``wrapped``: each label on its own line(s), the numbers on the next line (PDF copy-paste);
- ``glued``: a row's numbers run together with no separator (crawler text);
- ``html``: an HTML page with ``<table>`` rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from gongkai import template
from gongkai.model import Number

SHAPES = ("tsv", "layout", "markdown", "wrapped", "glued", "html")

_SECTION_BODIES = {
    "s1": "本年度，我单位认真贯彻落实政府信息公开条例，持续推进政务公开工作。",
    "s5": "存在的主要问题：公开内容还不够全面。改进情况：下一步将加强培训，完善制度。",
    "s6": "本年度未收取信息处理费。",
}


def _fmt(value: Number | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def table_rows(values: Mapping[str, Number | None], layout_key: str) -> list[tuple[str, list[str]]]:
    """(label, cell texts) for every row of tables 二, 三 and 四, in reading order."""
    lay = template.layout(layout_key)
    rows: list[tuple[str, list[str]]] = []
    for row in lay.table2.rows:
        rows.append((row.label, [_fmt(values.get(f"table2.{row.key}.{c.key}")) for c in row.columns]))
    for row in lay.table3.rows:
        label = (row.group + row.label) if row.enumerator.endswith(".") and row.group else row.label
        rows.append((label, [_fmt(values.get(f"table3.{row.key}.{c.key}")) for c in lay.table3.columns]))
    return rows


def _table4_values(values: Mapping[str, Number | None], layout_key: str) -> list[str]:
    lay = template.layout(layout_key)
    return [_fmt(values.get(f"table4.{g}.{c.key}")) for g, _ in lay.table4.groups for c in lay.table4.columns]


def _headings() -> dict[str, str]:
    return {s.key: f"{s.number}、{s.title}" for s in template.SECTIONS}


def render_text(
    values: Mapping[str, Number | None],
    layout_key: str,
    shape: str,
    agency: str = "某某县人民政府办公室",
    year: int = 2024,
) -> str:
    """The whole report as text in ``shape`` (see the module docstring)."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}; expected one of {SHAPES}")
    if shape == "html":
        return render_html(values, layout_key, agency, year)
    heads = _headings()
    lay = template.layout(layout_key)
    rows = table_rows(values, layout_key)
    n2 = len(lay.table2.rows)
    out = [
        f"{agency}{year}年政府信息公开工作年度报告",
        "",
        heads["s1"],
        _SECTION_BODIES["s1"],
        "",
        heads["s2"],
    ]
    out += [_row(label, cells, shape) for label, cells in rows[:n2]]
    out += ["", heads["s3"], f"（{template.TABLE3_NOTE}）"]
    out += [_row(label, cells, shape) for label, cells in rows[n2:]]
    review, litigation = template.layout(layout_key).table4.header_labels[:2]
    out += ["", heads["s4"], f"{review} {litigation}"]
    out.append(_row("", _table4_values(values, layout_key), shape))
    out += ["", heads["s5"], _SECTION_BODIES["s5"], "", heads["s6"], _SECTION_BODIES["s6"], ""]
    return "\n".join(out)


def _row(label: str, cells: list[str], shape: str) -> str:
    if shape == "tsv":
        return "\t".join([label, *cells])
    if shape == "layout":
        return f"{label:<40}" + "".join(f"{c:>8}" for c in cells)
    if shape == "markdown":
        return "| " + " | ".join([label, *cells]) + " |"
    if shape == "wrapped":
        # Wrap the label every 12 characters and put the numbers on the following line, the last one
        # alone on its own line, as PDF copy-paste does.
        parts = [label[i : i + 12] for i in range(0, len(label), 12)] or [""]
        nums = [c for c in cells if c]
        tail = [" ".join(nums[:-1]), nums[-1]] if len(nums) > 1 else nums
        return "\n".join([*parts, *tail])
    if shape == "glued":
        return label + "".join(cells)
    raise ValueError(shape)


def render_html(values: Mapping[str, Number | None], layout_key: str, agency: str, year: int) -> str:
    heads = _headings()
    lay = template.layout(layout_key)
    rows = table_rows(values, layout_key)
    n2 = len(lay.table2.rows)

    def table(rows_: list[tuple[str, list[str]]]) -> str:
        trs = "".join(
            "<tr>" + f"<td>{escape(label)}</td>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>"
            for label, cells in rows_
        )
        return f"<table>{trs}</table>"

    t4 = "<tr>" + "".join(f"<td>{c}</td>" for c in _table4_values(values, layout_key)) + "</tr>"
    t4_layout = template.layout(layout_key).table4
    review, litigation = t4_layout.header_labels[:2]
    n4 = len(t4_layout.columns)
    n_litigation = n4 * (len(t4_layout.groups) - 1)
    body = [
        f"<h1>{escape(agency)}{year}年政府信息公开工作年度报告</h1>",
        f"<p>{heads['s1']}</p><p>{_SECTION_BODIES['s1']}</p>",
        f"<p>{heads['s2']}</p>",
        table(rows[:n2]),
        f"<p>{heads['s3']}</p>",
        table(rows[n2:]),
        f"<p>{heads['s4']}</p>",
        f"<table><tr><td colspan={n4}>{review}</td><td colspan={n_litigation}>{litigation}</td></tr>"
        f"{t4}</table>",
        f"<p>{heads['s5']}</p><p>{_SECTION_BODIES['s5']}</p>",
        f"<p>{heads['s6']}</p><p>{_SECTION_BODIES['s6']}</p>",
    ]
    return "<html><head><meta charset='utf-8'></head><body>" + "".join(body) + "</body></html>"
