"""A report in the official layout as a file: DOCX, PDF (DOCX typeset by LibreOffice), HTML or JSON."""

from __future__ import annotations

import json
from pathlib import Path

from gongkai.atomic import write_bytes_atomic
from gongkai.errors import GongkaiError
from gongkai.model import Report

FORMATS = (".docx", ".pdf", ".html", ".json")


def publish(report: Report, target: str | Path, findings=()) -> Path:
    """Write ``report`` to ``target``; the format follows the file's extension (see `FORMATS`)."""
    path = Path(target)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        wanted = "|".join(FORMATS)
        raise GongkaiError(f"不支持的输出格式 (unsupported output format {suffix!r}; use {wanted})")
    if suffix == ".json":
        data = json.dumps(report.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
    elif suffix == ".html":
        from gongkai.render.html import document_html

        data = document_html(report, findings).encode("utf-8")
    else:
        from gongkai.render.docx import render_docx

        data = render_docx(report)
        if suffix == ".pdf":
            from gongkai.read.convert import convert_to_pdf

            data = convert_to_pdf(data)
    return write_bytes_atomic(path, data)
