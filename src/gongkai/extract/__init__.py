"""Document → `Report`: meta, six sections and tables 二/三/四, aligned by labels, resolved by identities."""

from __future__ import annotations

import re

from gongkai import template
from gongkai.errors import InputError
from gongkai.extract.locate import find_rows
from gongkai.extract.meta import extract_meta
from gongkai.extract.sections import extract_sections
from gongkai.extract.stream import Stream
from gongkai.extract.tables import read_table2, read_table3, read_table4
from gongkai.model import MISSING, Report
from gongkai.read.document import Document

__all__ = ["extract"]

# Where table 四 begins when its section heading is not recognised: after table 三's last row label.
_TABLE4_START = re.compile(r"(?<=[\d\s])(?:四[、.,])?[^\d]{0,30}?行政复议")


def extract(doc: Document) -> Report:
    stream = Stream.of(doc)
    text = doc.text
    meta = extract_meta(stream, text)
    meta.update(source=doc.source, format=doc.format, sha256=doc.sha256)
    sections, found = extract_sections(stream, text)
    lay = template.layout(meta["template"])
    heads = {f.key: f for f in found}
    n = len(stream.compact)

    def start_of(key: str, default: int) -> int:
        return heads[key].end if key in heads else default

    def end_of(keys: tuple[str, ...], default: int) -> int:
        for k in keys:
            if k in heads:
                return heads[k].start
        return default

    first_new = find_rows(stream, (lay.table3.row("new"),), 0, n).get("new")
    t3_start = start_of("s3", first_new.start if first_new else n)
    t2_start = start_of("s2", 0)
    t2_end = end_of(("s3",), first_new.start if first_new else n)
    t3_end = end_of(("s4", "s5"), n)
    if "s4" not in heads:  # an unrecognised heading: table 四 starts at its first header label
        header = stream.search(_TABLE4_START, t3_start, t3_end)
        if header is not None:
            t3_end = header.start()
            heads_t4 = header.start()
        else:
            heads_t4 = t3_end
    else:
        heads_t4 = heads["s4"].end
    t4_start = heads_t4
    t4_end = end_of(("s5", "s6"), n)

    report = Report(meta=meta, sections=sections, text=text, notes=list(doc.notes))
    report.cells.update(read_table2(stream, lay, t2_start, max(t2_start, t2_end)))
    report.cells.update(read_table3(stream, lay, t3_start, max(t3_start, t3_end)))
    report.cells.update(read_table4(stream, lay, t4_start, t4_end))
    if not sections and meta["year"] is None and all(c.status == MISSING for c in report.cells.values()):
        raise InputError(
            "不是政府信息公开工作年度报告 (not an annual report: no title, sections or tables found)"
        )
    missing = [k for k in ("s1", "s2", "s3", "s4", "s5", "s6") if k not in sections]
    if missing:
        report.notes.append("sections not found: " + ", ".join(missing))
    return report
