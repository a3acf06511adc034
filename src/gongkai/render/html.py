"""The three tables as HTML in the official layout (merged headers, the 勾稽关系 corner note).

Every label comes from `gongkai.template`. Cells carry their key path, status and the findings that point at
them, so the same markup serves the web app (highlights, hover messages, click-to-scroll) and exports
(``document_html`` is a standalone page with its own CSS).

>>> html = tables_html(report, findings=[f.to_json() for f in check_report(report)])

Element ids: ``cell-table3-new-total`` for a cell, ``row-table3-other`` for a row's label, ``tbl-table4`` for
a table. `anchor_id` maps a finding's ``where`` entry to the element it names.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from html import escape
from typing import Any

from gongkai import template
from gongkai.model import AMBIGUOUS, BLANK, INFERRED, MISSING, UNREADABLE, Cell, Report, row_keys
from gongkai.settings import OCR_TRUST

__all__ = [
    "CSS",
    "LOW_CONFIDENCE",
    "STATUS_LABELS",
    "anchor_id",
    "document_html",
    "finding_marks",
    "format_value",
    "table2_html",
    "table3_html",
    "table4_html",
    "tables_html",
]

LOW_CONFIDENCE = OCR_TRUST  # OCR confidence below this marks a cell as uncertain (one threshold)
STATUS_LABELS = {
    INFERRED: "推算：原文数字位置由勾稽关系唯一确定",
    AMBIGUOUS: "歧义：有多种读法都满足勾稽关系",
    UNREADABLE: "无法识别：原文此处内容不能读作数字",
    MISSING: "缺失：原文未找到该行或该表",
    BLANK: "空白：原文此格未填",
}
_SEV_RANK = {"error": 2, "warning": 1, "info": 0}

Marks = Mapping[str, list[dict]]


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def anchor_id(where: str) -> str | None:
    """The element id for a finding's ``where`` entry: a cell, a row label, a table or a section."""
    w = where.strip()
    parts = w.split(".")
    if parts[0] in template.TABLE_KEYS:
        return {1: "tbl-", 2: "row-", 3: "cell-"}.get(len(parts), "cell-") + "-".join(parts[:3])
    if len(w) == 2 and w[0] == "s" and w[1].isdigit():
        return f"sec-{w}"
    if parts[0] == "meta":
        return "meta"
    return None


def _fj(f: Any) -> dict:
    return f.to_json() if hasattr(f, "to_json") else dict(f)


def finding_marks(findings: Iterable[Any]) -> dict[str, list[dict]]:
    """Findings (objects or ``to_json`` dicts) grouped by each ``where`` entry they name."""
    marks: dict[str, list[dict]] = defaultdict(list)
    for f in findings:
        d = _fj(f)
        where = d.get("where") or []
        if isinstance(where, str):
            where = [where]
        for w in where:
            if isinstance(w, str) and w:
                marks[w.strip()].append(d)
    return marks


def _sev(items: list[dict]) -> str:
    if not items:
        return ""
    return max((str(i.get("severity", "info")) for i in items), key=lambda s: _SEV_RANK.get(s, 0))


def _marks_for(marks: Marks, path: str) -> list[dict]:
    """Findings on a cell, on its row or on its whole table."""
    parts = path.split(".")
    out: list[dict] = []
    for key in (path, ".".join(parts[:2])):
        for d in marks.get(key, []):
            if d not in out:
                out.append(d)
    return out


def _low_confidence(cell: Cell) -> bool:
    for w in cell.where or []:
        c = w.get("confidence") if isinstance(w, dict) else None
        if c is not None and c < LOW_CONFIDENCE:
            return True
    return False


def _td(report: Report, path: str, marks: Marks, colspan: int = 1) -> str:
    cell = report.cells.get(path)
    classes = ["c"]
    tips: list[str] = []
    text = ""
    if cell is None:
        classes.append("st-absent")
    else:
        classes.append(f"st-{cell.status}")
        if cell.value is not None:
            text = format_value(cell.value)
        elif cell.status == AMBIGUOUS and cell.candidates:
            shown = [format_value(c) for c in cell.candidates]
            text = "/".join(shown[:3]) + ("…?" if len(shown) > 3 else "?")
            tips.append("可能的读法：" + " / ".join(shown))
        elif cell.status in (UNREADABLE, MISSING):
            text = "?" if cell.status == UNREADABLE else "—"
        if cell.status in STATUS_LABELS and cell.status != BLANK:
            tips.append(STATUS_LABELS[cell.status])
        if cell.raw and cell.raw != text and cell.status != BLANK:
            tips.append(f"原文：{cell.raw}")
        if cell.note:
            tips.append(cell.note)
        if _low_confidence(cell):
            classes.append("ocr-low")
            tips.append("OCR 置信度低，请核对原件")
    found = _marks_for(marks, path)
    if found:
        classes.append("has-finding")
        classes.append(f"sev-{_sev(found)}")
        tips = [f"[{d.get('code', '')}] {d.get('message', '')}" for d in found] + tips
    attrs = [
        f'id="{anchor_id(path)}"',
        f'class="{" ".join(classes)}"',
        f'data-path="{escape(path)}"',
    ]
    if colspan > 1:
        attrs.append(f'colspan="{colspan}"')
    if tips:
        attrs.append(f'title="{escape(chr(10).join(tips))}"')
    return f"<td {' '.join(attrs)}>{escape(text)}</td>"


def _label(
    text: str, rowspan: int = 1, colspan: int = 1, row_id: str | None = None, marks: Marks | None = None
) -> str:
    marks = marks or {}
    attrs = ['class="lbl"']
    if row_id:
        attrs.append(f'id="{anchor_id(row_id)}"')
        found = marks.get(row_id, [])
        if found:
            attrs[0] = f'class="lbl has-finding sev-{_sev(found)}"'
            tip = "\n".join(f"[{d.get('code', '')}] {d.get('message', '')}" for d in found)
            attrs.append(f'title="{escape(tip)}"')
    if rowspan > 1:
        attrs.append(f'rowspan="{rowspan}"')
    if colspan > 1:
        attrs.append(f'colspan="{colspan}"')
    return f"<td {' '.join(attrs)}>{escape(text)}</td>"


def _th(text: str, rowspan: int = 1, colspan: int = 1, cls: str = "") -> str:
    attrs = [f'class="{cls}"'] if cls else []
    if rowspan > 1:
        attrs.append(f'rowspan="{rowspan}"')
    if colspan > 1:
        attrs.append(f'colspan="{colspan}"')
    return f"<th {' '.join(attrs)}>{escape(text)}</th>".replace("<th >", "<th>")


def _table_open(key: str, marks: Marks) -> str:
    found = marks.get(key, [])
    cls = "official" + (f" has-finding sev-{_sev(found)}" if found else "")
    tip = ""
    if found:
        tip = (
            ' title="'
            + escape("\n".join(f"[{d.get('code', '')}] {d.get('message', '')}" for d in found))
            + '"'
        )
    return f'<table id="{anchor_id(key)}" class="{cls}" data-path="{key}"{tip}>'


def _caption(number: str, title: str) -> str:
    return f"<caption>{escape(number)}、{escape(title)}</caption>"


def _section(key: str) -> template.Section:
    return next(s for s in template.SECTIONS if s.key == key)


# ---------------------------------------------------------------- table 二


def table2_html(report: Report, marks: Marks | None = None, caption: bool = True) -> str:
    marks = marks or {}
    lay = template.layout(report.layout)
    t = lay.table2
    width = 1 + max(len(r.columns) for r in t.rows)
    sec = _section("s2")
    out = [_table_open("table2", marks), _caption(sec.number, sec.title) if caption else ""]
    content_label = next(h for h in t.header_labels if h == "信息内容")
    prev: tuple[str, tuple[str, ...]] | None = None
    for row in t.rows:
        cols = tuple(c.key for c in row.columns)
        if prev is None or prev != (row.section, cols):
            out.append(f"<tr>{_th(row.section, colspan=width, cls='band')}</tr>")
            head = [_th(content_label)]
            for i, c in enumerate(row.columns):
                span = width - len(row.columns) if i == len(row.columns) - 1 else 1
                head.append(_th(c.label, colspan=span))
            out.append("<tr>" + "".join(head) + "</tr>")
            prev = (row.section, cols)
        tds = [_label(row.label, row_id=f"table2.{row.key}", marks=marks)]
        for i, c in enumerate(row.columns):
            span = width - len(row.columns) if i == len(row.columns) - 1 else 1
            tds.append(_td(report, f"table2.{row.key}.{c.key}", marks, colspan=span))
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table>")
    return "".join(out)


# ---------------------------------------------------------------- table 三


def _t3_row(key: str, layout_key: str) -> template.Row:
    row = template.find_row("table3", key, layout_key)
    if row is None:
        raise KeyError(key)
    return row


def table3_html(report: Report, marks: Marks | None = None, caption: bool = True) -> str:
    marks = marks or {}
    lay = template.layout(report.layout)
    t = lay.table3
    cols = t.columns
    col_labels = {c.label for c in cols}
    applicant, legal = [h for h in t.header_labels if h != template.TABLE3_NOTE and h not in col_labels][:2]
    keys = row_keys(report, "table3") or [r.key for r in t.rows]
    rows = [_t3_row(k, report.layout) for k in keys]
    sec = _section("s3")
    out = [_table_open("table3", marks), _caption(sec.number, sec.title) if caption else ""]
    out.append(
        "<tr>"
        + _th(f"（{template.TABLE3_NOTE}）", rowspan=3, colspan=3, cls="note")
        + _th(applicant, colspan=len(cols))
        + "</tr>"
    )
    out.append(
        "<tr>"
        + _th(cols[0].label, rowspan=2)
        + _th(legal, colspan=len(cols) - 2)
        + _th(cols[-1].label, rowspan=2)
        + "</tr>"
    )
    out.append("<tr>" + "".join(_th(c.label) for c in cols[1:-1]) + "</tr>")
    # The merged label column: 三、本年度办理结果 spans every result row; （三）不予公开 … span their items.
    outer = {i for i, r in enumerate(rows) if r.group}
    outer_label = next((r.group for r in rows if r.group and not r.group.startswith("（")), "")
    done_outer = False
    i = 0
    while i < len(rows):
        r = rows[i]
        tds: list[str] = []
        in_result = i in outer
        if in_result and not done_outer:
            n = sum(1 for j in range(i, len(rows)) if j in outer)
            tds.append(_label(outer_label, rowspan=n))
            done_outer = True
        if r.group.startswith("（"):
            # a sub-group: its label spans its consecutive items
            n = 1
            while i + n < len(rows) and rows[i + n].group == r.group:
                n += 1
            tds.append(_label(r.group, rowspan=n))
            for k in range(n):
                sub = rows[i + k]
                cells = [_label(sub.label, row_id=f"table3.{sub.key}", marks=marks)]
                cells += [_td(report, f"table3.{sub.key}.{c.key}", marks) for c in cols]
                out.append("<tr>" + ("".join(tds) if k == 0 else "") + "".join(cells) + "</tr>")
            i += n
            continue
        span = 2 if in_result else 3
        tds.append(_label(r.label, colspan=span, row_id=f"table3.{r.key}", marks=marks))
        tds += [_td(report, f"table3.{r.key}.{c.key}", marks) for c in cols]
        out.append("<tr>" + "".join(tds) + "</tr>")
        i += 1
    out.append("</table>")
    return "".join(out)


# ---------------------------------------------------------------- table 四


def table4_html(report: Report, marks: Marks | None = None, caption: bool = True) -> str:
    marks = marks or {}
    t = template.layout(report.layout).table4
    groups = t.groups
    cols = t.columns
    group_labels = {label for _k, label in groups}
    col_labels = {c.label for c in cols}
    litigation = next(h for h in t.header_labels if h not in group_labels and h not in col_labels)
    n = len(cols)
    sec = _section("s4")
    out = [_table_open("table4", marks), _caption(sec.number, sec.title) if caption else ""]
    out.append(
        "<tr>" + _th(groups[0][1], colspan=n) + _th(litigation, colspan=n * (len(groups) - 1)) + "</tr>"
    )
    out.append(
        "<tr>"
        + "".join(_th(c.label, rowspan=2) for c in cols)
        + "".join(_th(label, colspan=n) for _k, label in groups[1:])
        + "</tr>"
    )
    out.append("<tr>" + "".join(_th(c.label) for _g in groups[1:] for c in cols) + "</tr>")
    out.append(
        "<tr>"
        + "".join(_td(report, f"table4.{g}.{c.key}", marks) for g, _l in groups for c in cols)
        + "</tr>"
    )
    out.append("</table>")
    return "".join(out)


def tables_html(report: Report, findings: Iterable[Any] = ()) -> str:
    """Tables 二, 三 and 四 in the official layout, with the findings' cells marked."""
    marks = finding_marks(findings)
    return table2_html(report, marks) + table3_html(report, marks) + table4_html(report, marks)


CSS = """
table.official{border-collapse:collapse;margin:0 0 1.2em;font-size:13px;background:#fff}
table.official caption{text-align:left;font-weight:bold;padding:.3em 0;font-size:14px}
table.official th,table.official td{border:1px solid #555;padding:3px 6px;text-align:center;
  vertical-align:middle}
table.official th{background:#f3f3f3;font-weight:normal}
table.official th.note{font-size:12px;max-width:16em;color:#333}
table.official th.band{text-align:left;background:#e9eef5}
table.official td.lbl{text-align:left;max-width:22em}
table.official td.c{min-width:3.2em;font-variant-numeric:tabular-nums}
td.st-inferred{background:#e6f4ff;color:#0b5cad}
td.st-ambiguous{background:#fff5cc;color:#8a6100;font-weight:bold}
td.st-unreadable,td.st-missing{background:#fde2e2;color:#a40000}
td.st-blank{background:#fafafa}
td.ocr-low{outline:2px dashed #b36b00;outline-offset:-3px}
.has-finding.sev-error{box-shadow:inset 0 0 0 3px #d62728}
.has-finding.sev-warning{box-shadow:inset 0 0 0 3px #f0a30a}
.has-finding.sev-info{box-shadow:inset 0 0 0 2px #7aa6d8}
.flash{animation:flash 1.6s ease-out}
@keyframes flash{0%{background:#ffec3d}100%{}}
"""


DOCUMENT_CSS = """
body{font-family:"Noto Serif CJK SC","Songti SC",SimSun,serif;margin:0;background:#f4f4f4;color:#111}
main{max-width:52em;margin:0 auto;padding:2.5em 3em;background:#fff;line-height:1.9;font-size:16px}
main h1{font-size:24px;text-align:center;line-height:1.5;margin:0 0 1.2em}
main h2{font-family:"Noto Sans CJK SC","Heiti SC",SimHei,sans-serif;font-size:17px;margin:1.4em 0 .4em;
  text-indent:2em}
main p{text-indent:2em;margin:0;text-align:justify}
main p.signature{text-align:right;text-indent:0;margin-right:4em}
main .item{font-family:"LXGW WenKai",KaiTi,serif}
main table.official{margin:.6em auto 1em}
.findings{max-width:52em;margin:1em auto;padding:1em 3em;background:#fff}
"""


def document_html(report: Report, findings: Iterable[Any] = ()) -> str:
    """A standalone HTML page for a website: the title, the six sections with their text (reflowed into
    paragraphs), the three tables in the official layout in sections 二、三、四, the signature and date when
    known, and the findings, if any are given, after the report."""
    from gongkai.author.prose import narrative, override_note, paragraphs, report_title

    findings = [_fj(f) for f in findings]
    marks = finding_marks(findings)
    report = _as_published(report)
    m = report.meta
    title = report_title(m.get("agency"), m.get("year"))
    tables = {"s2": table2_html, "s3": table3_html, "s4": table4_html}
    body = [f"<h1>{escape(title)}</h1>"]
    for sec in template.SECTIONS:
        body.append(f"<h2 id='sec-{sec.key}'>{escape(sec.number)}、{escape(sec.title)}</h2>")
        s = report.sections.get(sec.key)
        for para in paragraphs(narrative(sec.key, s.text) if s else ""):
            body.append(f"<p>{_item_markup(para)}</p>")
        if sec.key in tables:
            body.append(tables[sec.key](report, marks, caption=False))
    if m.get("format") == "draft":  # a report written here is signed; one read elsewhere keeps its text
        body += _signature_html(m.get("agency"), m.get("published"))
    items = "".join(
        f"<li class='sev-{escape(str(d.get('severity', '')))}'><b>{escape(str(d.get('code', '')))}</b> "
        f"{escape(str(d.get('message', '')))}</li>"
        for d in findings
    )
    return (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        + (
            f"<meta name='gongkai-publish-override' content='{escape(override_note(m['publish_override']))}'>"
            if m.get("publish_override")
            else ""
        )
        + f"<title>{escape(title)}</title><style>{DOCUMENT_CSS}{CSS}</style></head>"
        f"<body><main>{''.join(body)}</main>"
        + (f"<section class='findings'><h2>发现的问题</h2><ul>{items}</ul></section>" if items else "")
        + "</body></html>"
    )


def _as_published(report: Report) -> Report:
    """The report with its uncertain cells shown empty: a published page prints values, never guesses."""
    cells = {
        p: replace(c, status=BLANK, candidates=[]) if c.value is None and c.status != BLANK else c
        for p, c in report.cells.items()
    }
    return replace(report, cells=cells)


def _item_markup(para: str) -> str:
    """A paragraph's text, with an item heading （一）… at its start set apart."""
    from gongkai.author.prose import item_heading

    head, rest = item_heading(para)
    return f"<span class='item'>{escape(head)}</span>{escape(rest)}" if head else escape(para)


def _signature_html(agency: str | None, published: str | None) -> list[str]:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", published or "")
    if not m:
        return []
    y, mo, d = (int(g) for g in m.groups())
    out = [f"<p class='signature'>{escape(agency)}</p>"] if agency else []
    return ["<p>&nbsp;</p>", *out, f"<p class='signature'>{y}年{mo}月{d}日</p>"]
