"""What the 编写年度报告 page needs from the library: the layout as data for the browser (cells, Chinese cell
names, and the template's identities — the browser checks them as data, it has no equation of its own),
drafts to and from JSON, and a server-side check with the generated summaries brought up to date.

>>> data = editor_data(template.default_layout())   # {"layout", "cells": {path: {...}}, "identities": [...]}
>>> out = check_json(draft_json)        # {"draft": ..., "findings": [...], "identities": [...]}
"""

from __future__ import annotations

from typing import Any

from gongkai import template
from gongkai.model import BLANK, READ, UNCERTAIN_STATUSES, Cell, Report, SectionText

__all__ = ["apply_decisions", "check_json", "doubts", "draft_from_json", "editor_data", "failing_identities"]

# What an editor did with a cell the source left in doubt (recorded in the saved version's meta).
CANDIDATE, TYPED, UNDECIDED = "candidate", "typed", "undecided"


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


def _status_label(status: str) -> str:
    from gongkai.render.html import STATUS_LABELS

    return STATUS_LABELS.get(status, status)


def doubts(report: Report) -> dict[str, dict]:
    """The cells a stored report leaves in doubt (ambiguous, unreadable, missing) with what the source says:
    status, its Chinese label, the candidate readings, the raw text and the note, for the editor to decide."""
    return {
        path: {
            "status": c.status,
            "label": _status_label(c.status),
            "candidates": [v for v in c.candidates if v is not None],
            "raw": c.raw,
            "note": c.note,
        }
        for path, c in report.cells.items()
        if c.status in UNCERTAIN_STATUSES
    }


def apply_decisions(report: Report, original: Report) -> list[dict]:
    """Carry the editor's decisions on the cells ``original`` left in doubt into ``report`` (the edited
    draft): a value typed or picked among the candidates is kept as read, with a note saying what it was; a
    cell left empty keeps its original status, candidates and raw text (never a silent blank). Returns one
    record per doubtful cell: ``path``, ``was`` (status), ``raw``, ``candidates``, ``value``, ``decision``
    (candidate | typed | undecided)."""
    out = []
    for path, info in doubts(original).items():
        was = original.cells[path]
        now = report.cells.get(path)
        value = now.value if now is not None else None
        short = info["label"].split("：")[0]
        if value is None:
            decision = UNDECIDED
            report.cells[path] = Cell(
                path, None, was.status, raw=was.raw, candidates=list(was.candidates), note=was.note
            )
        else:
            decision = CANDIDATE if value in info["candidates"] else TYPED
            how = "从候选值中选定" if decision == CANDIDATE else "填写"
            note = f"编辑{how} {value}（原文{short}"
            note += f"，候选 {'/'.join(map(str, info['candidates']))}）" if info["candidates"] else "）"
            report.cells[path] = Cell(path, value, READ, raw=was.raw, note=note)
        out.append(
            {
                "path": path,
                "was": was.status,
                "raw": was.raw,
                "candidates": info["candidates"],
                "value": value,
                "decision": decision,
            }
        )
    return out
