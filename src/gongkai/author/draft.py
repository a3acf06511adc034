"""A new report to fill in: the six sections and three tables of the year's layout, started from last
year's report where there is one, with generated summaries of the tables and the audit as a guide.

* `new_report`: every cell of the layout (blank), 二、上年结转 = last year's 四、结转下年度继续办理 per
  column, 现行有效件数 = last year's stock (the starting point; this year's 制发 and 废止 move it), last
  year's section texts kept in ``meta["previous"]`` for reference.
* `summaries`: for 二、三、四 one paragraph written from the tables by fixed templates whose words are the
  template's labels (a blank cell says 「（待填）」, never a made-up 0).
* `assemble`: the report's text (title, headings, bodies) with each section's offsets, so the audit's text
  rules check every number of every section against the tables and can point at it.
* `check_draft`: the audit's findings, with the rules across years (上年结转, stock, text copied from last
  year) when last year's report is given; `guidance` lists what sections 一、五、六 still need, in the
  rules' own words.

>>> draft = new_report("某某县人民政府办公室", 2025, previous=gongkai.parse("2024年报.pdf"))
>>> draft.sections["s3"].text
'2025年，本机关共收到政府信息公开申请（待填）件…'
"""

from __future__ import annotations

from typing import Any

from gongkai import template
from gongkai.author.prose import report_title
from gongkai.model import BLANK, READ, Cell, Number, Report, SectionText

__all__ = [
    "assemble",
    "audit_view",
    "check_draft",
    "fill_from_ledger",
    "fill_tables",
    "guidance",
    "move_stock",
    "new_report",
    "set_value",
    "summaries",
]

PENDING = "（待填）"
_GENERATED = "gongkai-summary"  # meta["generated"] lists the sections whose text is a generated summary


def _blank(path: str) -> Cell:
    return Cell(path, None, BLANK)


def new_report(
    agency: str, year: int, previous: Report | None = None, meta: dict[str, Any] | None = None
) -> Report:
    """A draft report of ``agency`` for ``year``; ``meta`` adds fields (a roster entry's kind, region …)."""
    layout_key = template.layout_for_year(year)
    report = Report(
        meta={
            "agency": agency,
            "year": year,
            "template": layout_key,
            "title": report_title(agency, year),
            "published": None,
            "format": "draft",
            **(meta or {}),
        },
        cells={p: _blank(p) for p in template.cell_paths(layout_key)},
    )
    if previous is not None:
        _carry_over(report, previous)
    report.sections = {s.key: SectionText(s.key, f"{s.number}、{s.title}", "") for s in template.SECTIONS}
    refresh_summaries(report)
    return report


def _carry_over(report: Report, previous: Report) -> None:
    lay = template.layout(report.layout)
    source = f"{previous.year}年报告" if previous.year else "上年报告"
    forward = lay.table3.row("carried_forward").label
    for c in lay.table3.columns:
        v = previous.value(f"table3.carried_forward.{c.key}")
        if v is not None:
            path = f"table3.carried_over.{c.key}"
            report.cells[path] = Cell(path, v, READ, note=f"取自{source}「{forward}」")
    stock: dict[str, Number] = {}
    rule = lay.stock
    if rule is not None and report.layout == previous.layout:
        for row in lay.table2.rows:
            path = f"table2.{row.key}.{rule.stock}"
            v = previous.value(path) if path in report.cells else None
            if v is not None:
                stock[path] = v
                label = next(c.label for c in row.columns if c.key == rule.stock)
                report.cells[path] = Cell(path, v, READ, note=f"{source}「{label}」，按本年制发、废止增减")
    report.meta["previous"] = {
        "agency": previous.meta.get("agency"),
        "year": previous.year,
        "source": previous.meta.get("source"),
        "stock": stock,
        "sections": {k: s.text for k, s in previous.sections.items()},
    }
    report.meta["previous_report"] = previous.to_json(detail=False)


def set_value(report: Report, path: str, value: Number | None) -> None:
    """Type a value into a cell (None empties it); typing a 现行有效件数 stops it following the stock."""
    report.cells[path] = Cell(path, value, READ if value is not None else BLANK)
    if path in _stock(report):
        typed = report.meta.setdefault("typed_stock", [])
        if path not in typed:
            typed.append(path)
    move_stock(report)


def fill_tables(report: Report, filled: Report) -> int:
    """The values of a filled 填报 workbook (read back as a report) typed into the draft; returns how many."""
    n = 0
    for path, cell in filled.cells.items():
        if cell.value is not None and path in report.cells:
            set_value(report, path, cell.value)
            n += 1
    return n


def fill_from_ledger(report: Report, data: bytes):
    """Table 三 computed from a 依申请公开 ledger (CSV/XLSX bytes) typed into the draft; the ledger's result
    (its row errors with row numbers) is returned."""
    from gongkai.author.ledger import table3_from_ledger

    result = table3_from_ledger(data, report.year or 0, report.layout)
    for path, value in result.values.items():
        set_value(report, path, value)
    return result


def _stock(report: Report) -> dict[str, Number]:
    return dict((report.meta.get("previous") or {}).get("stock") or {})


def move_stock(report: Report) -> None:
    """现行有效件数 = last year's stock + this year's 制发 − 废止, for each row whose stock was not typed."""
    rule = template.layout(report.layout).stock
    typed = set(report.meta.get("typed_stock") or [])
    for path, stock in _stock(report).items():
        if rule is None or path in typed or path not in report.cells:
            continue
        table, row, _col = path.split(".")
        added = report.value(f"{table}.{row}.{rule.added}") or 0
        removed = (report.value(f"{table}.{row}.{rule.removed}") or 0) if rule.removed else 0
        note = report.cells[path].note
        report.cells[path] = Cell(path, stock + added - removed, READ, note=note)


# ---------------------------------------------------------------- summaries


def _n(report: Report, *paths: str) -> str:
    values = [report.value(p) for p in paths]
    if any(v is None for v in values):
        return PENDING
    total = sum(values)  # type: ignore[arg-type]
    return str(int(total)) if float(total).is_integer() else f"{total:g}"


def _bare(label: str) -> str:
    from gongkai.author.ledger import _bare as bare

    return bare(label)


def _summary2(report: Report, lay: template.Layout) -> str:
    parts = []
    for row in lay.table2.rows:
        items = []
        for c in row.columns:
            label = c.label.split("（单位")[0]
            unit = "万元" if "万元" in c.label else ("" if c.decimal or c.signed else "件")
            items.append(f"{label}{_n(report, f'table2.{row.key}.{c.key}')}{unit}")
        parts.append(f"{row.label}{'、'.join(items)}")
    return f"{report.year}年，本机关主动公开政府信息情况如下：" + "；".join(parts) + "。"


def _summary3(report: Report, lay: template.Layout) -> str:
    t = lay.table3
    cols = t.columns
    first, total = cols[0], cols[-1]
    legal = next(h for h in t.header_labels if h.startswith("法人"))
    parts_cols = [f"table3.new.{c.key}" for c in cols[1:-1]]
    groups: dict[str, list[str]] = {}
    for key in template.result_rows(lay):
        row = t.row(key)
        name = _bare(row.group) if row.group.startswith("（") else _bare(row.label)
        groups.setdefault(name, []).append(key)
    results = "，".join(
        f"{name}{_n(report, *(f'table3.{k}.{total.key}' for k in keys))}件" for name, keys in groups.items()
    )
    return (
        f"{report.year}年，本机关共收到政府信息公开申请{_n(report, f'table3.new.{total.key}')}件，其中"
        f"{first.label}{_n(report, f'table3.new.{first.key}')}件、{legal}{_n(report, *parts_cols)}件；"
        f"上年结转政府信息公开申请{_n(report, f'table3.carried_over.{total.key}')}件。"
        f"本年度办理结果：{results}，"
        f"{_bare(t.row('total').label)}{_n(report, f'table3.total.{total.key}')}件；"
        f"结转下年度继续办理{_n(report, f'table3.carried_forward.{total.key}')}件。"
    )


def _summary4(report: Report, lay: template.Layout) -> str:
    t = lay.table4
    cols = t.columns[:-1]
    total = t.columns[-1].key
    (review, review_label), *suits = t.groups

    def detail(group: str) -> str:
        return "、".join(f"{c.label}{_n(report, f'table4.{group}.{c.key}')}件" for c in cols)

    litigation = next(h for h in t.header_labels if h not in {g[1] for g in t.groups} and "诉讼" in h)
    suit_total = _n(report, *(f"table4.{g}.{total}" for g, _l in suits))
    # number first (「14件为未经复议直接起诉」): the audit reads 「…复议…14件」 as a count of 行政复议
    suit_parts = "、".join(f"{_n(report, f'table4.{g}.{total}')}件为{label}" for g, label in suits)
    return (
        f"{report.year}年，本机关因政府信息公开被申请{review_label}"
        f"{_n(report, f'table4.{review}.{total}')}件，"
        f"其中{detail(review)}；被提起{litigation}{suit_total}件，其中{suit_parts}。"
    )


def summaries(report: Report) -> dict[str, str]:
    """The generated paragraph of sections 二、三、四, from the report's tables."""
    lay = template.layout(report.layout)
    return {"s2": _summary2(report, lay), "s3": _summary3(report, lay), "s4": _summary4(report, lay)}


def refresh_summaries(report: Report) -> None:
    """Rewrite the generated summaries (a section the author has rewritten is left alone)."""
    generated = report.meta.setdefault("generated", {})
    for key, text in summaries(report).items():
        sec = report.sections.get(key)
        if sec is None or not sec.text.strip() or sec.text == generated.get(key):
            s = next(s for s in template.SECTIONS if s.key == key)
            report.sections[key] = SectionText(key, f"{s.number}、{s.title}", text)
            generated[key] = text
    assemble(report)


# ---------------------------------------------------------------- text and checks


def assemble(report: Report) -> None:
    """Set ``report.text`` (title, then each heading and body) and each section's line and offsets."""
    lines = [report_title(report.meta.get("agency"), report.year)]
    text = lines[0]
    for s in template.SECTIONS:
        sec = report.sections.get(s.key)
        if sec is None:
            continue
        heading = f"{s.number}、{s.title}"
        text += "\n" + heading + "\n"
        line = text.count("\n")
        start = len(text)
        text += sec.text
        report.sections[s.key] = SectionText(
            s.key, heading, sec.text, line=line, start=start, end=len(text), parts=sec.parts
        )
    report.text = text


def _table_text(report: Report, key: str) -> str:
    """A section's table as the text a reader gets from the published document (labels, then values)."""
    from gongkai.render.text import table_rows

    lay = template.layout(report.layout)
    values = {p: c.value for p, c in report.cells.items()}
    rows = table_rows(values, report.layout)
    n2 = len(lay.table2.rows)
    if key == "s2":
        out, prev = [], None
        for row, (label, cells) in zip(lay.table2.rows, rows[:n2], strict=True):
            if prev != (row.section, row.columns):
                out += [row.section, "\t".join(["信息内容", *(c.label for c in row.columns)])]
                prev = (row.section, row.columns)
            out.append("\t".join([label, *cells]))
        return "\n".join(out)
    if key == "s3":
        head = [f"（{template.TABLE3_NOTE}）", "\t".join(lay.table3.header_labels[1:])]
        return "\n".join(head + ["\t".join([label, *cells]) for label, cells in rows[n2:]])
    t4 = lay.table4
    cells = [
        f"{v:g}" if (v := report.value(f"table4.{g}.{c.key}")) is not None else ""
        for g, _l in t4.groups
        for c in t4.columns
    ]
    return "\n".join(["\t".join(t4.header_labels), "\t".join(cells)])


def audit_view(report: Report) -> Report:
    """The draft as the audit should see it: as published, with each table's text in its section."""
    view = Report(meta=dict(report.meta), cells=report.cells, notes=list(report.notes))
    view.sections = {
        k: SectionText(
            k, s.heading, s.text + ("\n" + _table_text(report, k) if k in ("s2", "s3", "s4") else "")
        )
        for k, s in report.sections.items()
    }
    assemble(view)
    return view


def check_draft(report: Report, previous: Report | None = None) -> list:
    """The audit's findings on the draft; with last year's report, the rules across years too."""
    from gongkai.audit import check_report, check_reports

    view = audit_view(report)
    if previous is None:
        return check_report(view)
    return check_reports([previous, view])[1]


def guidance(findings) -> dict[str, list[str]]:
    """What each section still needs, in the words of the findings that point at it (一、五、六 mostly)."""
    out: dict[str, list[str]] = {}
    for f in findings:
        d = f.to_json() if hasattr(f, "to_json") else dict(f)
        for w in d.get("where") or []:
            if isinstance(w, str) and len(w) == 2 and w[0] == "s":
                out.setdefault(w, []).append(d.get("message", ""))
    return out
