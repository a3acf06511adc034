"""Document → `Report`: meta, six sections and tables 二/三/四, aligned by labels, resolved by identities."""

from __future__ import annotations

import re

from gongkai import template
from gongkai.errors import InputError
from gongkai.extract import cut
from gongkai.extract.locate import Found, find_rows
from gongkai.extract.memo import by_identity
from gongkai.extract.meta import extract_meta
from gongkai.extract.sections import extract_sections
from gongkai.extract.stream import Stream
from gongkai.extract.tables import read_table2, read_table3, read_table4, table3_layout, trace_rows
from gongkai.model import MISSING, Report
from gongkai.read.document import Document
from gongkai.settings import SettingsLike, resolve

__all__ = ["extract"]


@by_identity
def _table4_start(lay: template.Layout) -> re.Pattern[str]:
    """Where table 四 begins when its section heading is not recognised: after table 三's last row label,
    the section number and the table's first header label (行政复议)."""
    number = next((s.number for s in lay.sections if s.title == lay.table4.title), "")
    enum = f"(?:{re.escape(number)}[、.,])?" if number else ""
    first = re.escape(lay.table4.header_labels[0])
    return re.compile(rf"(?<=[\d\s]){enum}[^\d]{{0,30}}?{first}")


def extract(
    doc: Document, debug: bool = False, given: dict | None = None, settings: SettingsLike = None
) -> Report:
    """The report a document holds. Raises `InputError` when it holds no report at all. With ``debug``,
    ``report.trace`` records what was matched where (sections, table regions, each row's label and tokens).
    ``given`` (``agency``, ``year``, ``published``; from a roster) fills what the document leaves open.
    ``settings``: see `gongkai.settings` (its ``extract`` part is used here)."""
    stream = Stream.of(doc)
    stream.ocr_trust = resolve(settings).extract.ocr_trust
    text = doc.text if stream.doc_text is None else stream.doc_text
    meta = extract_meta(stream, text, {"source": doc.source, **doc.info}, given)
    meta.update(source=doc.source, format=doc.format, sha256=doc.sha256)
    sections, found = extract_sections(stream, text)
    lay = template.layout(meta["template"])
    cut_at = cut.cut_piece(stream)
    regions = cut.clip(table_regions(stream, lay, {f.key: f for f in found}), cut_at)

    report = Report(meta=meta, sections=sections, text=text, notes=list(doc.notes))
    report.cells.update(read_table2(stream, lay, *regions["table2"]))
    report.cells.update(read_table3(stream, lay, *regions["table3"]))
    report.cells.update(read_table4(stream, lay, *regions["table4"]))
    cut_note = cut.mark_cut(stream, lay, regions, report.cells, cut_at)
    if cut_note:
        report.notes.append(cut_note)
    if not sections and meta["year"] is None and all(c.status == MISSING for c in report.cells.values()):
        raise InputError("不是政府信息公开工作年度报告 (not an annual report: no title, sections or tables)")
    if debug:
        report.trace = _trace(stream, lay, regions, found)
    missing = [s.key for s in template.SECTIONS if s.key not in sections]
    if missing:
        report.notes.append("sections not found: " + ", ".join(missing))
    return report


Region = tuple[int, int]


def _trace(
    stream: Stream, lay: template.Layout, regions: dict[str, Region], found: list[Found]
) -> list[dict]:
    def line_of(cpos: int) -> int | None:
        at = stream.span_at(stream.to_text(min(cpos, len(stream.compact) - 1)))
        return at[2].line if at else None

    out: list[dict] = [{"section": f.key, "heading": f.heading, "line": line_of(f.start)} for f in found]
    for key, (a, b) in regions.items():
        out.append({"region": key, "from_line": line_of(a), "to_line": line_of(max(a, b - 1))})
    out += trace_rows(stream, lay.table2.rows, lay.table2, *regions["table2"])
    table3 = table3_layout(stream, lay, *regions["table3"]).table3
    out += trace_rows(stream, table3.rows, table3, *regions["table3"])
    return out


def _first_row_at_line_start(stream: Stream, rows: tuple, end: int, default: int) -> int:
    """Where a page that begins inside table 三 (no heading, no first row) has its first row: the earliest
    row label that starts a line or a cell before ``end``."""
    starts = [
        f.start
        for f in find_rows(stream, rows, 0, end).values()
        if f.start == 0 or stream.text[stream.to_text(f.start) - 1] in "\n\t"
    ]
    return min(starts, default=default)


def table_regions(stream: Stream, lay: template.Layout, heads: dict[str, Found]) -> dict[str, Region]:
    """Compact-text intervals of tables 二, 三 and 四: between the section headings, or, where a heading
    is not recognised, from the tables' own first labels."""
    n = len(stream.compact)

    def after(key: str, default: int) -> int:
        return heads[key].end if key in heads else default

    def before(keys: tuple[str, ...], default: int) -> int:
        return next((heads[k].start for k in keys if k in heads), default)

    first_new = find_rows(stream, (lay.table3.row("new"),), 0, n).get("new")
    new_at = first_new.start if first_new else n
    if first_new is None and "s3" not in heads:
        new_at = _first_row_at_line_start(stream, lay.table3.rows, before(("s4", "s5"), n), new_at)
    t2 = (after("s2", 0), before(("s3",), new_at))
    t3_start = after("s3", new_at)
    t3_end = before(("s4", "s5"), n)
    if "s4" in heads:
        t4_start = heads["s4"].end
    else:  # table 四 starts at its first header label after table 三
        header = stream.search(_table4_start(lay), t3_start, t3_end)
        t4_start = t3_end = header.start() if header else t3_end
    return {
        "table2": (t2[0], max(t2)),
        "table3": (t3_start, max(t3_start, t3_end)),
        "table4": (t4_start, before(("s5", "s6"), n)),
    }
