"""A report in the official layout as a file: DOCX, PDF (DOCX typeset by LibreOffice), HTML or JSON.

Publishing (DOCX, PDF, HTML) is refused while the audit finds errors: the agency would publish a wrong
report. ``override=True`` publishes anyway and records it: ``meta["publish_override"]`` names the error
codes and the time, and the DOCX/PDF's document properties say so too. JSON is the report's data (a draft,
an exchange format) and is always written.

>>> publish(report, "report.pdf")                          # raises PublishRefused while errors remain
>>> publish(report, "report.pdf", override=True)           # recorded
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from gongkai.atomic import write_bytes_atomic
from gongkai.errors import GongkaiError
from gongkai.model import Report

__all__ = ["FORMATS", "PublishRefused", "blocking_errors", "publish", "render_bytes"]

FORMATS = (".docx", ".pdf", ".html", ".json")
PUBLISHED = (".docx", ".pdf", ".html")


class PublishRefused(GongkaiError):
    """The report still has error findings; publishing it needs an explicit override."""


def blocking_errors(findings) -> list[dict]:
    """The error findings (as dicts) among ``findings``."""
    out = [f.to_json() if hasattr(f, "to_json") else dict(f) for f in findings]
    return [f for f in out if str(f.get("severity", "")).lower() == "error"]


def _check(report: Report, findings) -> list:
    if findings is None:
        from gongkai.audit import check_report

        findings = check_report(report)
    return list(findings)


def render_bytes(report: Report, suffix: str, findings=None, override: bool = False) -> bytes:
    """The file's bytes for ``suffix`` (one of `FORMATS`); see the module doc for the publishing gate.
    ``findings``: the audit's findings if already run (else the audit runs here)."""
    suffix = suffix.lower()
    if suffix not in FORMATS:
        wanted = "|".join(FORMATS)
        raise GongkaiError(f"不支持的输出格式 (unsupported output format {suffix!r}; use {wanted})")
    findings = _check(report, findings) if suffix in PUBLISHED else list(findings or ())
    errors = blocking_errors(findings)
    if suffix in PUBLISHED and errors:
        codes = sorted({str(e.get("code", "")) for e in errors})
        if not override:
            raise PublishRefused(
                f"报告仍有 {len(errors)} 个错误（{'、'.join(codes)}），拒绝发布；改正后再发布，"
                "或明确选择强制发布（将被记录） (report has errors; fix them or override)"
            )
        report.meta["publish_override"] = {
            "errors": codes,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    if suffix == ".json":
        return json.dumps(report.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
    if suffix == ".html":
        from gongkai.render.html import document_html

        return document_html(report).encode("utf-8")
    from gongkai.render.docx import render_docx

    data = render_docx(report)
    if suffix == ".pdf":
        from gongkai.read.convert import convert_to_pdf

        data = convert_to_pdf(data)
    return data


def publish(report: Report, target: str | Path, findings=None, override: bool = False) -> Path:
    """Write ``report`` to ``target``; the format follows the file's extension (see `FORMATS`)."""
    path = Path(target)
    return write_bytes_atomic(path, render_bytes(report, path.suffix, findings, override))
