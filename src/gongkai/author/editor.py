"""What the 编写年度报告 page needs from the library: the layout as data for the browser (cells, Chinese cell
names, and the template's identities — the browser checks them as data, it has no equation of its own),
drafts to and from JSON, and a server-side check with the generated summaries brought up to date.

>>> data = editor_data(template.default_layout())   # {"layout", "cells": {path: {...}}, "identities": [...]}
>>> out = check_json(draft_json)        # {"draft": ..., "findings": [...], "identities": [...]}
"""

from __future__ import annotations

from typing import Any

from gongkai import template
from gongkai.model import BLANK, READ, Cell, Report, SectionText

__all__ = ["check_json", "draft_from_json", "editor_data", "failing_identities"]


def editor_data(layout_key: str) -> dict[str, Any]:
    """The cells of a layout (Chinese name, number kind) and its identities, for the browser."""
    from gongkai.audit.labels import cell_label

    lay = template.layout(layout_key)
    cells: dict[str, dict] = {}
    for t in lay.tables:
        for r in t.rows:
            for c in t.columns_of(r):
                path = f"{t.key}.{r.key}.{c.key}"
                kind = "decimal" if c.decimal else "signed" if c.signed else "count"
                cells[path] = {"label": cell_label(path, layout_key), "kind": kind}
    identities = [
        {"name": i.name, "left": list(i.left), "right": list(i.right), "description": i.description}
        for i in template.identities(layout_key)
    ]
    sections = [{"key": s.key, "heading": f"{s.number}、{s.title}"} for s in template.SECTIONS]
    return {"layout": layout_key, "cells": cells, "identities": identities, "sections": sections}


def draft_from_json(data: dict) -> Report:
    """A draft sent by the browser: ``meta``, ``table2``–``table4`` (plain values) and ``sections``."""
    layout_key = (data.get("meta") or {}).get("template") or template.default_layout()
    if layout_key not in template.LAYOUTS:
        raise ValueError(f"未知的模板 (unknown layout {layout_key!r})")
    cells: dict[str, Cell] = {}
    for path in template.cell_paths(layout_key):
        t, r, c = path.split(".")
        value = ((data.get(t) or {}).get(r) or {}).get(c)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValueError(f"{path}: 不是数字 (not a number: {value!r})")
        cells[path] = Cell(path, value, READ if value is not None else BLANK)
    sections = {}
    for s in template.SECTIONS:
        sec = (data.get("sections") or {}).get(s.key) or {}
        sections[s.key] = SectionText(s.key, f"{s.number}、{s.title}", str(sec.get("text") or ""))
    return Report(meta=dict(data.get("meta") or {}), cells=cells, sections=sections)


def failing_identities(report: Report) -> list[dict]:
    """Identities whose cells are all filled and that do not hold (what the browser also shows)."""
    out = []
    for i in template.identities(report.layout):
        values = [report.value(p) for p in (*i.left, *i.right)]
        if any(v is None for v in values):
            continue
        left = sum(report.value(p) or 0 for p in i.left)
        right = sum(report.value(p) or 0 for p in i.right)
        if abs(left - right) > 1e-9:
            out.append({"name": i.name, "left": list(i.left), "right": list(i.right), "sums": [left, right]})
    return out


def check_json(data: dict, previous: Report | None = None) -> dict[str, Any]:
    """The server's check of a draft: summaries refreshed, the audit's findings, the failing identities."""
    from gongkai.author.draft import check_draft, move_stock, refresh_summaries

    report = draft_from_json(data)
    move_stock(report)
    if previous is None and isinstance(report.meta.get("previous_report"), dict):
        previous = Report.from_json(report.meta["previous_report"])
    refresh_summaries(report)
    findings = [f.to_json() for f in check_draft(report, previous)]
    draft = report.to_json(detail=False)
    draft.pop("uncertain", None)
    return {"draft": draft, "findings": findings, "identities": failing_identities(report)}
