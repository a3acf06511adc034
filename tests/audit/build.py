"""Reports from small template fragments, for rule cases: a consistent all-zero report of the layout with
the fragment's values, statuses, rows and sections laid over it."""

from __future__ import annotations

from gongkai import template
from gongkai.model import BLANK, READ, Cell, Report, SectionText

DEFAULT_SECTIONS = {
    "s1": "本年度，本机关认真落实政府信息公开条例，持续推进政务公开工作。",
    "s2": "",
    "s3": "",
    "s4": "",
    "s5": "存在问题：一是信息更新不够及时；二是解读形式较单一。"
    "改进措施：一是加强督促检查；二是丰富解读形式。",
    "s6": "本年度未收取信息处理费。",
}


def build(fragment: dict) -> Report:
    meta = {"agency": "测试县人民政府办公室", "year": 2024, **fragment.get("meta", {})}
    meta.setdefault("template", template.layout_for_year(meta["year"]))
    meta.setdefault("title", f"{meta['agency']}{meta['year']}年政府信息公开工作年度报告")
    meta.setdefault("source", fragment.get("source", "case.txt"))
    cells: dict[str, Cell] = {}
    for path in template.cell_paths(meta["template"]):
        cells[path] = Cell(path, 0, READ, raw="0")
    for row in fragment.get("drop_rows", []):
        for p in [p for p in cells if p.startswith(row + ".")]:
            del cells[p]
    for row in fragment.get("add_rows", []):
        for col in template.APPLICANT_COLUMNS:
            p = f"{row}.{col.key}"
            cells[p] = Cell(p, 0, READ, raw="0")
    for t in ("table2", "table3", "table4"):
        for r, cols in fragment.get(t, {}).items():
            for c, v in cols.items():
                p = f"{t}.{r}.{c}"
                cells[p] = Cell(p, v, READ if v is not None else BLANK, raw=None if v is None else str(v))
    for p, st in fragment.get("status", {}).items():
        c = cells[p]
        if isinstance(st, dict):
            cells[p] = Cell(
                p,
                st.get("value", c.value),
                st["status"],
                raw=st.get("raw"),
                candidates=st.get("candidates", []),
                where=st.get("where", []),
            )
        else:
            cells[p] = Cell(
                p, None if st in ("ambiguous", "unreadable", "missing") else c.value, st, raw=c.raw
            )
    bodies = {**DEFAULT_SECTIONS, **fragment.get("sections", {})}
    headings = {s.key: f"{s.number}、{s.title}" for s in template.SECTIONS}
    headings.update(fragment.get("headings", {}))
    text = meta["title"] + "\n" + fragment.get("preamble", "") + "\n"
    sections = {}
    for s in template.SECTIONS:
        if s.key not in bodies or bodies[s.key] is None:
            continue
        head = headings[s.key]
        text += head + "\n"
        start = len(text)
        text += bodies[s.key] + "\n"
        sections[s.key] = SectionText(s.key, head, bodies[s.key], start=start, end=len(text))
    return Report(meta=meta, cells=cells, sections=sections, text=text)
