"""Pieces of the report page built in Python (escaped here, handed to the templates as Markup):
section texts with the findings' sentences marked, the problem list's anchors, PDF page images."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from gongkai.model import Report
from gongkai.render.html import anchor_id

_SEV_RANK = {"error": 2, "warning": 1, "info": 0}


def problem_anchor(finding: dict, report: Report) -> str | None:
    """The element a problem's link scrolls to: its marked sentence, else its first cell/row/table/section."""
    if finding.get("_mark"):
        return finding["_mark"]
    for w in finding.get("where") or []:
        if not isinstance(w, str):
            continue
        a = anchor_id(w)
        if a is None:
            continue
        if a.startswith("cell-") and w not in report.cells:
            a = anchor_id(".".join(w.split(".")[:2]))  # a cell the document does not have: its row
            if a and w.split(".")[0] == "table4":
                a = anchor_id(w.split(".")[0])
        return a
    return None


def sections_html(report: Report, findings: list[dict]) -> Markup:
    """Every section's heading and text; sentences that findings point at (``span`` in ``Report.text``) are
    wrapped in ``<mark id="mark-N">`` with the message on hover. Sets ``finding["_mark"]``."""
    text = report.text or ""
    spans = []
    for i, f in enumerate(findings):
        sp = f.get("span")
        if isinstance(sp, list | tuple) and len(sp) == 2 and all(isinstance(x, int) for x in sp):
            a, b = sp
            if 0 <= a < b <= len(text):
                spans.append((a, b, i, f))
    spans.sort(key=lambda s: (s[0], -s[1]))
    out: list[str] = []
    sec_findings: dict[str, list[dict]] = {}
    for f in findings:
        for w in f.get("where") or []:
            if isinstance(w, str) and len(w) == 2 and w.startswith("s"):
                sec_findings.setdefault(w, []).append(f)
    for key, sec in sorted(report.sections.items()):
        found = sec_findings.get(key, [])
        cls = "sec" + (f" has-finding sev-{_worst(found)}" if found else "")
        tip = "\n".join(f"[{f.get('code', '')}] {f.get('message', '')}" for f in found)
        out.append(
            f'<section class="{cls}" id="{anchor_id(key)}"' + (f' title="{escape(tip)}"' if tip else "") + ">"
        )
        out.append(f"<h3>{escape(sec.heading or key)}</h3>")
        start, end = sec.start, sec.end
        if start is None or end is None or not text or text[start:end].strip() != (sec.text or "").strip():
            out.append(f'<div class="sec-text">{escape(sec.text or "")}</div></section>')
            continue
        pieces: list[str] = []
        pos = start
        for a, b, i, f in spans:
            if a < pos or a >= end:
                continue
            b = min(b, end)
            pieces.append(escape(text[pos:a]))
            mark = f"mark-{i}"
            f["_mark"] = mark
            pieces.append(
                f'<mark id="{mark}" class="sev-{escape(str(f.get("severity", "")))}" '
                f'title="{escape("[" + str(f.get("code", "")) + "] " + str(f.get("message", "")))}">'
                f"{escape(text[a:b])}</mark>"
            )
            pos = b
        pieces.append(escape(text[pos:end]))
        out.append(f'<div class="sec-text">{"".join(pieces)}</div></section>')
    # spans outside any section (title, preamble): still give them an anchor in the preamble
    return Markup("".join(out))


def _worst(found: list[dict]) -> str:
    return max((str(f.get("severity", "info")) for f in found), key=lambda s: _SEV_RANK.get(s, 0))


def pdf_page_png(data: bytes, page: int, scale: float = 2.0) -> bytes | None:
    """Page ``page`` (1-based) of a PDF as PNG at ``scale`` × 72 dpi; ``None`` when there is no such page.
    Holds the one PDFium lock and caps the image in pixels (see `gongkai.read.pdfium_lock`)."""
    from gongkai.read.pdfium_lock import render_page_png

    return render_page_png(data, page, scale)
