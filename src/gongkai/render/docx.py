"""A whole annual report as a Word document in the layout of a Chinese official document (GB/T 9704).

Page: A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm, 22 lines of 三号 text a page; page numbers
「— 1 —」 in 四号, odd pages at the right and even pages at the left, one character in.

Type: the title in a bold serif (for 小标宋), the section headings 一、… in a sans (for 黑体), the items
（一）… in a kaiti, the body in a serif (for 仿宋), every paragraph with a two-character first-line indent.
The fonts are freely licensed and come as Debian packages (``fonts-noto-cjk``, ``fonts-lxgw-wenkai``; see
``scripts/setup.sh``); Word substitutes its own where they are missing. Paragraphs are reflowed
(`gongkai.author.prose`): a report read from a PDF copy-paste gets one paragraph per source paragraph,
never one per printed line. A report written with gongkai (a draft) that has a publication date
(``meta["published"]``) ends with the agency and the date (署名, 成文日期).

The three tables carry the merged cells of the national template (any registered layout,
`gongkai.template`):

* table 二: one block per 第二十条第（X）项 band (a band row across the table, a 信息内容 header row, the
  item rows; a row's last value cell spans what its columns leave free);
* table 三: the 勾稽关系 note in the merged corner cell, the 申请人情况 / 法人或其他组织 header, the merged
  group labels 三、本年度办理结果 and （三）不予公开 … down the left;
* table 四: 行政复议 / 行政诉讼 over 未经复议直接起诉 / 复议后起诉, the column labels of 行政复议 merged
  down two rows.

Every label comes from `gongkai.template`. Every cell has its own borders, so a PDF exported from the
document has ruling lines.

>>> data = render_docx(report)                         # a `Report`: its cells, sections and meta
>>> data = render_docx({"table3.new.total": 4}, agency="某某县人民政府办公室", year=2024)
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, Twips

from gongkai import template
from gongkai.author.prose import item_heading, narrative, override_note, paragraphs, report_title, width
from gongkai.model import Number, Report, SectionText
from gongkai.render.html import format_value

__all__ = ["FONTS", "PLACEHOLDERS", "render_docx"]

# GB/T 9704 names 方正小标宋, 黑体, 楷体 and 仿宋; these are the freely licensed fonts standing in for them.
FONTS = {
    "title": "Noto Serif CJK SC",
    "heading": "Noto Sans CJK SC",
    "item": "LXGW WenKai",
    "body": "Noto Serif CJK SC",
    "table": "Noto Serif CJK SC",
    "page_number": "Noto Serif CJK SC",
}
FONT = FONTS["body"]
TITLE_PT = 22  # 二号
HEADING_PT = 16  # 三号
BODY_PT = 16  # 三号
TABLE_PT = 10.5  # 五号
TABLE4_PT = 9  # 小五
PAGE_NUMBER_PT = 14  # 四号
_LINE = 580  # exact line pitch in twentieths of a point: 22 lines in the 225 mm 版心

# Section bodies when neither ``sections`` nor a report gives one: the official blank template's wording.
PLACEHOLDERS = {
    "s1": "（文字描述）",
    "s5": "（文字描述）",
    "s6": "（文字描述，收取信息处理费情况在此处报告。）",
}
_DEFAULT_AGENCY = "某某县人民政府办公室"
_DEFAULT_YEAR = 2024

# Page and table geometry, in twips (1 mm = 56.7 twips): A4, 版心 156 × 225 mm.
_MM = 56.7
_PAGE_W, _PAGE_H = 11906, 16838
_TOP, _BOTTOM, _LEFT, _RIGHT = round(37 * _MM), round(35 * _MM), round(28 * _MM), round(26 * _MM)
_TABLE_W = _PAGE_W - _LEFT - _RIGHT
_CELL_MARGIN = 57
_BORDER_SZ = "6"  # eighths of a point


def render_docx(
    report_or_values: Report | Mapping[str, Number | None],
    layout_key: str | None = None,
    agency: str | None = None,
    year: int | None = None,
    sections: Mapping[str, str | SectionText] | None = None,
) -> bytes:
    """The report as DOCX bytes in the official layout.

    ``report_or_values``: a `Report` (values from its cells; a cell without a value is left empty) or a
    mapping of key path (``table3.new.total``) to value. ``layout_key``: a registered layout; by
    default the report's layout, else the one ``year`` requires, else the latest. ``agency`` and ``year``
    default to the report's meta (a report naming neither gets neither in its title). ``sections``: body
    text per section key (``s1`` … ``s6``). Without it a report's own section texts are used (for 二、三、四
    the prose before the table), else short placeholders.
    """
    report = report_or_values if isinstance(report_or_values, Report) else None
    if isinstance(report_or_values, Report):
        values: dict[str, Any] = {p: c.value for p, c in report_or_values.cells.items()}
        meta = report_or_values.meta
    else:
        values = dict(report_or_values)
        meta = {"agency": _DEFAULT_AGENCY, "year": _DEFAULT_YEAR}
    agency = agency if agency is not None else (meta.get("agency") or "")
    year = year if year is not None else meta.get("year")
    if layout_key is None:
        layout_key = meta.get("template") or template.layout_for_year(year)
    lay = template.layout(layout_key)
    bodies = _bodies(report, sections)

    doc = Document()
    _setup(doc)
    _title(doc, agency, year)
    _paragraph(doc, "", BODY_PT)
    tables = {"s2": _table2, "s3": _table3, "s4": _table4}
    for sec in template.SECTIONS:
        _paragraph(
            doc, f"{sec.number}、{sec.title}", HEADING_PT, bold=True, indent=True, font=FONTS["heading"]
        )
        for para in paragraphs(bodies.get(sec.key, "")):
            _body_paragraph(doc, para)
        if sec.key in tables:
            body = doc.element.body
            tbl = tables[sec.key](lay, values)
            body.insert(list(body).index(body[-1]), tbl)  # before the final w:sectPr
            _paragraph(doc, "", BODY_PT)  # Word needs a paragraph between two tables and after one
    if meta.get("format") == "draft":  # a report written here is signed; one read elsewhere keeps its text
        _signature(doc, agency, meta.get("published"))
    doc.core_properties.title = report_title(agency, year)
    override = meta.get("publish_override")
    if override:
        doc.core_properties.comments = override_note(override)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _bodies(report: Report | None, sections: Mapping[str, str | SectionText] | None) -> dict[str, str]:
    if sections is not None:
        return {k: (v.text if isinstance(v, SectionText) else str(v)) for k, v in sections.items()}
    if report is not None and report.sections:
        return {k: narrative(k, s.text) for k, s in report.sections.items()}
    return dict(PLACEHOLDERS)


def _title(doc: Any, agency: str, year: int | None) -> None:
    """The title, centred; one too long for a line breaks after the agency (a sense boundary, as GB/T 9704
    asks of a title's lines) rather than wherever the line runs out."""
    title = report_title(agency, year)
    rest = title[len(agency) :]
    per_line = (_TABLE_W / 20) / TITLE_PT  # full-width characters on one line
    body = doc.element.body
    p = _p(agency if agency else title, TITLE_PT, True, "center", font=FONTS["title"], line=False)
    if agency and width(title) / 2 > per_line and width(rest) / 2 <= per_line:
        br = _run("", TITLE_PT, True, FONTS["title"])
        br.remove(br.find(qn("w:t")))
        br.append(OxmlElement("w:br"))
        p.append(br)
        p.append(_run(rest, TITLE_PT, True, FONTS["title"]))
    elif agency:
        p.append(_run(rest, TITLE_PT, True, FONTS["title"]))
    body.insert(list(body).index(body[-1]), p)


def _body_paragraph(doc: Any, text: str) -> None:
    """A body paragraph; an item heading （一）… at its start is set in the item font."""
    head, rest = item_heading(text)
    if not head:
        _paragraph(doc, text, BODY_PT, indent=True)
        return
    _paragraph(doc, head, BODY_PT, indent=True, font=FONTS["item"], rest=rest)


def _signature(doc: Any, agency: str, published: str | None) -> None:
    """署名 and 成文日期 at the end, right-aligned, when the report has a publication date."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", published or "")
    if not m:
        return
    y, mo, d = (int(g) for g in m.groups())
    _paragraph(doc, "", BODY_PT)
    _paragraph(doc, "", BODY_PT)
    if agency:
        _paragraph(doc, agency, BODY_PT, align="right", right_chars=4)
    _paragraph(doc, f"{y}年{mo}月{d}日", BODY_PT, align="right", right_chars=4)


# ---------------------------------------------------------------- document, paragraphs, runs


def _fonts(r_pr: Any, size_pt: float | None = None, bold: bool = False, font: str = FONT) -> None:
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    fonts.set(qn("w:hint"), "eastAsia")
    if bold:
        r_pr.append(OxmlElement("w:b"))
    if size_pt is not None:
        for tag in ("w:sz", "w:szCs"):
            el = OxmlElement(tag)
            el.set(qn("w:val"), str(int(size_pt * 2)))
            r_pr.append(el)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    r_pr.append(lang)


def _setup(doc: Any) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Twips(_PAGE_W), Twips(_PAGE_H)
    sec.left_margin, sec.right_margin = Twips(_LEFT), Twips(_RIGHT)
    sec.top_margin, sec.bottom_margin = Twips(_TOP), Twips(_BOTTOM)
    sec.footer_distance = Twips(round(28 * _MM) - 400)  # the page number sits just below the 版心
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element.get_or_add_rPr())
    # The document defaults too, so that table text without a style still gets the CJK font.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        r_pr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if r_pr is not None:
            for old in r_pr.findall(qn("w:rFonts")):
                r_pr.remove(old)
            _fonts(r_pr)
    _page_numbers(doc, sec)


def _page_numbers(doc: Any, sec: Any) -> None:
    """「— 1 —」: odd pages at the right, even pages at the left, one character in from the edge."""
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((sec.footer, "right"), (sec.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        el = footer._element
        for p in list(el):
            el.remove(p)
        left = align == "left"
        p = _p("", PAGE_NUMBER_PT, align=align, line=False, left_chars=int(left), right_chars=int(not left))
        p.append(_run("— ", PAGE_NUMBER_PT, font=FONTS["page_number"]))
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), " PAGE ")
        field.append(_run("1", PAGE_NUMBER_PT, font=FONTS["page_number"]))
        p.append(field)
        p.append(_run(" —", PAGE_NUMBER_PT, font=FONTS["page_number"]))
        el.append(p)


def _run(text: str, size_pt: float, bold: bool = False, font: str = FONT) -> Any:
    r = OxmlElement("w:r")
    r_pr = OxmlElement("w:rPr")
    _fonts(r_pr, size_pt, bold, font)
    r.append(r_pr)
    t = OxmlElement("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    r.append(t)
    return r


def _p(
    text: str,
    size_pt: float,
    bold: bool = False,
    align: str = "left",
    indent: bool = False,
    before: int = 0,
    font: str = FONT,
    line: bool = True,
    left_chars: int = 0,
    right_chars: int = 0,
) -> Any:
    p = OxmlElement("w:p")
    p_pr = OxmlElement("w:pPr")
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:before"), str(before))
    spacing.set(qn("w:after"), "0")
    if line:
        spacing.set(qn("w:line"), str(_LINE))
        spacing.set(qn("w:lineRule"), "exact")
    p_pr.append(spacing)
    if indent or left_chars or right_chars:
        ind = OxmlElement("w:ind")
        if indent:
            ind.set(qn("w:firstLineChars"), "200")
            ind.set(qn("w:firstLine"), str(int(size_pt * 40)))
        for side, chars in (("left", left_chars), ("right", right_chars)):
            if chars:
                ind.set(qn(f"w:{side}Chars"), str(chars * 100))
                ind.set(qn(f"w:{side}"), str(int(size_pt * 20 * chars)))
        p_pr.append(ind)
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), align)
    p_pr.append(jc)
    p.append(p_pr)
    if text:
        p.append(_run(text, size_pt, bold, font))
    return p


def _paragraph(
    doc: Any,
    text: str,
    size_pt: float,
    bold: bool = False,
    center: bool = False,
    indent: bool = False,
    font: str = FONT,
    rest: str = "",
    align: str | None = None,
    right_chars: int = 0,
) -> None:
    """Append a paragraph to the body (before its final ``w:sectPr``); ``rest`` follows in the body font."""
    body = doc.element.body
    p = _p(
        text,
        size_pt,
        bold,
        align or ("center" if center else "both"),
        indent,
        font=font,
        right_chars=right_chars,
    )
    if rest:
        p.append(_run(rest, size_pt))
    body.insert(list(body).index(body[-1]), p)


# ---------------------------------------------------------------- tables


class _Cell:
    """One ``w:tc``: text, grid span, vertical merge (``"restart"``/``"continue"``), alignment."""

    __slots__ = ("align", "bold", "merge", "span", "text")

    def __init__(self, text: str = "", span: int = 1, merge: str | None = None, align: str = "center"):
        self.text, self.span, self.merge, self.align, self.bold = text, span, merge, align, False


def _label(text: str, span: int = 1, merge: str | None = None) -> _Cell:
    return _Cell(text, span, merge, align="left")


def _value(values: Mapping[str, Any], path: str, span: int = 1) -> _Cell:
    return _Cell(format_value(values.get(path)), span)


def _widths(total: int, weights: list[float]) -> list[int]:
    out = [int(total * w / sum(weights)) for w in weights]
    out[-1] += total - sum(out)
    return out


def _table(grid: list[int], rows: list[list[_Cell]], size_pt: float, header_rows: int = 0) -> Any:
    tbl = OxmlElement("w:tbl")
    tbl_pr = OxmlElement("w:tblPr")
    tbl_w = OxmlElement("w:tblW")
    tbl_w.set(qn("w:w"), str(sum(grid)))
    tbl_w.set(qn("w:type"), "dxa")
    tbl_pr.append(tbl_w)
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), "center")
    tbl_pr.append(jc)
    tbl_pr.append(_borders("w:tblBorders", ("top", "left", "bottom", "right", "insideH", "insideV")))
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), str(_CELL_MARGIN))
        m.set(qn("w:type"), "dxa")
        mar.append(m)
    tbl_pr.append(mar)
    tbl.append(tbl_pr)
    tbl_grid = OxmlElement("w:tblGrid")
    for w in grid:
        col = OxmlElement("w:gridCol")
        col.set(qn("w:w"), str(w))
        tbl_grid.append(col)
    tbl.append(tbl_grid)
    for i, cells in enumerate(rows):
        if sum(c.span for c in cells) != len(grid):
            raise AssertionError(f"row {i} spans {sum(c.span for c in cells)} of {len(grid)} grid columns")
        tr = OxmlElement("w:tr")
        tr_pr = OxmlElement("w:trPr")
        cant = OxmlElement("w:cantSplit")
        tr_pr.append(cant)
        if i < header_rows:
            tr_pr.append(OxmlElement("w:tblHeader"))
        height = OxmlElement("w:trHeight")
        height.set(qn("w:val"), "400")
        height.set(qn("w:hRule"), "atLeast")
        tr_pr.append(height)
        tr.append(tr_pr)
        col = 0
        for cell in cells:
            tr.append(_tc(cell, sum(grid[col : col + cell.span]), size_pt))
            col += cell.span
        tbl.append(tr)
    return tbl


def _borders(tag: str, sides: tuple[str, ...]) -> Any:
    borders = OxmlElement(tag)
    for side in sides:
        b = OxmlElement(f"w:{side}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), _BORDER_SZ)
        b.set(qn("w:space"), "0")
        b.set(qn("w:color"), "000000")
        borders.append(b)
    return borders


def _tc(cell: _Cell, width: int, size_pt: float) -> Any:
    tc = OxmlElement("w:tc")
    tc_pr = OxmlElement("w:tcPr")
    tc_w = OxmlElement("w:tcW")
    tc_w.set(qn("w:w"), str(width))
    tc_w.set(qn("w:type"), "dxa")
    tc_pr.append(tc_w)
    if cell.span > 1:
        span = OxmlElement("w:gridSpan")
        span.set(qn("w:val"), str(cell.span))
        tc_pr.append(span)
    if cell.merge:
        vm = OxmlElement("w:vMerge")
        if cell.merge == "restart":
            vm.set(qn("w:val"), "restart")
        tc_pr.append(vm)
    tc_pr.append(_borders("w:tcBorders", ("top", "left", "bottom", "right")))
    v_align = OxmlElement("w:vAlign")
    v_align.set(qn("w:val"), "center")
    tc_pr.append(v_align)
    tc.append(tc_pr)
    text = "" if cell.merge == "continue" else cell.text
    tc.append(_p(text, size_pt, cell.bold, cell.align, font=FONTS["table"], line=False))
    return tc


# ---------------------------------------------------------------- table 二


def _table2(lay: template.Layout, values: Mapping[str, Any]) -> Any:
    t = lay.table2
    n_values = max(len(r.columns) for r in t.rows)
    grid = _widths(_TABLE_W, [1.0] * (1 + n_values))
    content = next(h for h in t.header_labels if h == "信息内容")
    rows: list[list[_Cell]] = []
    prev: tuple[str, tuple[str, ...]] | None = None
    for row in t.rows:
        cols = tuple(c.key for c in row.columns)
        spans = [1] * (len(row.columns) - 1) + [n_values - len(row.columns) + 1]
        if prev != (row.section, cols):
            band = _label(row.section, span=1 + n_values)
            rows.append([band])
            rows.append(
                [_Cell(content), *(_Cell(c.label, s) for c, s in zip(row.columns, spans, strict=True))]
            )
            prev = (row.section, cols)
        rows.append(
            [
                _Cell(row.label),
                *(
                    _value(values, f"table2.{row.key}.{c.key}", s)
                    for c, s in zip(row.columns, spans, strict=True)
                ),
            ]
        )
    return _table(grid, rows, TABLE_PT)


# ---------------------------------------------------------------- table 三


def _table3(lay: template.Layout, values: Mapping[str, Any]) -> Any:
    t = lay.table3
    cols = t.columns
    col_labels = {c.label for c in cols}
    applicant, legal = [h for h in t.header_labels if h != template.TABLE3_NOTE and h not in col_labels][:2]
    label_w = int(_TABLE_W * 0.47)
    grid = [
        *_widths(label_w, [754, 921, 3271]),
        *_widths(_TABLE_W - label_w, [1.0] * len(cols)),
    ]
    rows: list[list[_Cell]] = [
        [_label(f"（{template.TABLE3_NOTE}）", 3, "restart"), _Cell(applicant, len(cols))],
        [
            _Cell("", 3, "continue"),
            _Cell(cols[0].label, merge="restart"),
            _Cell(legal, len(cols) - 2),
            _Cell(cols[-1].label, merge="restart"),
        ],
        [_Cell("", 3, "continue"), _Cell(merge="continue")]
        + [_Cell(c.label) for c in cols[1:-1]]
        + [_Cell(merge="continue")],
    ]
    outer = next(r.group for r in t.rows if r.group and not r.group.startswith("（"))
    first_outer = True
    prev_group = ""
    for r in _table3_rows(lay, values):
        cells: list[_Cell] = []
        if r.group:
            cells.append(_label(outer if first_outer else "", merge="restart" if first_outer else "continue"))
            first_outer = False
            if r.group.startswith("（"):
                start = r.group != prev_group
                cells.append(_label(r.group if start else "", merge="restart" if start else "continue"))
                cells.append(_label(r.label))
            else:
                cells.append(_label(r.label, 2))
        else:
            cells.append(_label(r.label, 3))
        prev_group = r.group
        cells += [_value(values, f"table3.{r.key}.{c.key}") for c in cols]
        rows.append(cells)
    return _table(grid, rows, TABLE_PT, header_rows=3)


def _table3_rows(lay: template.Layout, values: Mapping[str, Any]) -> list[template.Row]:
    """The layout's rows, with （六）其他处理 as the report has it: the 2019 single row or the 2021 three."""
    other = {
        l_key: [r for r in template.layout(l_key).table3.rows if r.key.startswith("other")]
        for l_key in template.LAYOUTS
    }
    has = {
        l_key: any(p.split(".")[1] in {r.key for r in rows} for p in values if p.startswith("table3."))
        for l_key, rows in other.items()
    }
    rows = list(lay.table3.rows)
    swap = next((k for k in template.LAYOUTS if k != lay.key and has[k] and not has[lay.key]), None)
    if swap is None:
        return rows
    at = next(i for i, r in enumerate(rows) if r.key.startswith("other"))
    kept = [r for r in rows if not r.key.startswith("other")]
    return kept[:at] + other[swap] + kept[at:]


# ---------------------------------------------------------------- table 四


def _table4(lay: template.Layout, values: Mapping[str, Any]) -> Any:
    t = lay.table4
    groups, cols = t.groups, t.columns
    group_labels = {label for _k, label in groups}
    col_labels = {c.label for c in cols}
    litigation = next(h for h in t.header_labels if h not in group_labels and h not in col_labels)
    n = len(cols)
    grid = _widths(_TABLE_W, [1.0] * (n * len(groups)))
    rows = [
        [_Cell(groups[0][1], n), _Cell(litigation, n * (len(groups) - 1))],
        [_Cell(c.label, merge="restart") for c in cols] + [_Cell(label, n) for _k, label in groups[1:]],
        [_Cell(merge="continue") for _c in cols] + [_Cell(c.label) for _g in groups[1:] for c in cols],
        [_value(values, f"table4.{g}.{c.key}") for g, _l in groups for c in cols],
    ]
    return _table(grid, rows, TABLE4_PT, header_rows=3)
