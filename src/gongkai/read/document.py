"""What every reader produces: a document of lines, each line a sequence of spans with provenance.

A paragraph of text is one line with one span. A table row is one line whose spans are its cells, in
reading order, as the source has them (merged cells appear once). Coordinates follow one convention:
top-left origin, PDF points; text and HTML sources leave them ``None`` and fill ``line``/``path``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of source text with where it was found (line, cell, page, box)."""

    text: str
    line: int  # 1-based line number in the source text, or the document-order index of the line
    cell: int | None = None  # index of the cell within its table row
    page: int | None = None  # 1-based page for paginated sources
    x0: float | None = None
    top: float | None = None
    x1: float | None = None
    bottom: float | None = None
    path: str | None = None  # element path for HTML/DOCX (``table[2]/tr[5]/td[3]``)
    confidence: float | None = None  # OCR confidence, 0–1

    def where(self) -> dict:
        """Provenance as a small JSON-able dict (only the fields that are set)."""
        out: dict = {"line": self.line}
        for name in ("cell", "page", "path", "confidence"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        box = (self.x0, self.top, self.x1, self.bottom)
        if self.x0 is not None:
            out["bbox"] = [None if v is None else round(v, 1) for v in box]
        return out


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a document: its spans (the cells of a table row, or one span of text)."""

    spans: tuple[Span, ...]
    is_table_row: bool = False

    @property
    def text(self) -> str:
        sep = "\t" if self.is_table_row else ""
        return sep.join(s.text for s in self.spans)


@dataclass
class Document:
    """What a reader returns: the source's lines of spans with provenance, and what it noticed."""

    source: str
    format: str  # text, html, pdf, docx, doc, wps, image
    lines: list[Line] = field(default_factory=list)
    sha256: str = ""
    pages: int | None = None
    notes: list[str] = field(default_factory=list)  # what the reader had to do (decoded as GBK, converted …)
    # What the file says outside its text: ``published`` (ISO date) with ``published_source``
    # (``html_meta``); ``created`` with ``created_source`` (``pdf_metadata``, ``docx_metadata``).
    info: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)
