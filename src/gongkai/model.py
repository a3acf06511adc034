"""The `Report`: what extraction produces and every later stage (audit, store, render) consumes.

Source values are never rewritten. Each cell keeps the raw text it was read from, its status and where it
came from. ``to_json`` gives the public shape of ``shared/spec/template.md``.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field

from gongkai import template

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (~3 ms of a short command)
if TYPE_CHECKING:
    from typing import Any

# Cell statuses.
READ = "read"  # printed in the source as exactly this cell's number
BLANK = "blank"  # the source leaves the cell empty (value None)
INFERRED = "inferred"  # the source's digits are there but where they belong (or a missing cell's value)
#                        follows from the identities: exactly one reading satisfies them
AMBIGUOUS = "ambiguous"  # several readings satisfy the identities: value None, see candidates
UNREADABLE = "unreadable"  # the source has something here that cannot be read as this cell
MISSING = "missing"  # the row or table was not found in the document
STATUSES = (READ, BLANK, INFERRED, AMBIGUOUS, UNREADABLE, MISSING)
UNCERTAIN_STATUSES = (AMBIGUOUS, UNREADABLE, MISSING)

Number = int | float


def _copied(where: dict) -> dict:
    """A provenance entry copied as deep as it goes (a dict of plain values, lists or small dicts)."""
    return {k: copy.deepcopy(v) if isinstance(v, dict | list) else v for k, v in where.items()}


@dataclass
class Cell:
    """One value of the template with its status, the source text it came from and where."""

    path: str  # table3.new.total
    value: Number | None
    status: str
    raw: str | None = None  # the source text this value was read from (a glued run keeps the whole run)
    candidates: list[Number | None] = field(default_factory=list)
    where: list[dict] = field(default_factory=list)  # provenance: line/cell/page/bbox/path
    note: str = ""

    @property
    def table(self) -> str:
        return self.path.split(".", 1)[0]

    def to_json(self) -> dict:
        """The fields that are set (``value`` always), in field order; lists and provenance copied."""
        out: dict[str, Any] = {"path": self.path} if self.path else {}
        if self.value is not None:
            out["value"] = self.value
        if self.status:
            out["status"] = self.status
        if self.raw:
            out["raw"] = self.raw
        if self.candidates:
            out["candidates"] = list(self.candidates)
        if self.where:
            out["where"] = [_copied(w) for w in self.where]
        if self.note:
            out["note"] = self.note
        out["value"] = self.value  # a blank cell's value is null, after the rest (as it always was)
        return out


@dataclass
class SectionText:
    """The text of one of the six sections as printed, with where it is in ``Report.text``."""

    key: str  # s1 … s6
    heading: str  # as printed
    text: str  # body text, without the heading
    line: int | None = None  # 1-based line of the heading in the document
    start: int | None = None  # character offset of the body in Report.text
    end: int | None = None
    parts: list[dict] = field(default_factory=list)  # sub-headings（一）…（五）: number, heading, text

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    """One annual report in the national template: meta, cells, section texts, the text and notes."""

    meta: dict[str, Any]
    cells: dict[str, Cell] = field(default_factory=dict)
    sections: dict[str, SectionText] = field(default_factory=dict)
    text: str = ""  # the document's text, one line per source line
    notes: list[str] = field(default_factory=list)  # what the extractor noticed while reading
    trace: list[dict] = field(default_factory=list)  # what was matched where (``extract(debug=True)``)

    @property
    def layout(self) -> str:
        return self.meta.get("template") or template.default_layout()

    @property
    def year(self) -> int | None:
        return self.meta.get("year")

    def __repr__(self) -> str:
        agency = self.meta.get("agency") or "?"
        return (
            f"<Report {agency} {self.year or '?'} layout={self.layout} "
            f"cells={len(self.cells)} uncertain={len(self.uncertain())}>"
        )

    def value(self, path: str) -> Number | None:
        """The value of the cell at ``path`` (None where the cell is blank or missing); `KeyError` for a key
        path the template does not have (see ``docs/fields.md``)."""
        cell = self.cells.get(path)
        if cell is not None:
            return cell.value
        from gongkai.fields import known_paths

        if path not in known_paths():
            raise KeyError(f"{path}: 模板中没有这个字段 (not a key path of the template; see docs/fields.md)")
        return None

    def records(self) -> list[dict[str, Any]]:
        """One record per cell, in template order: ``path``, Chinese labels (``table``, ``row``, ``column``),
        ``value``, ``status``, ``raw`` (the source text) and ``where`` (provenance)."""
        from gongkai.fields import records

        return records(self)

    def to_pandas(self) -> Any:
        """``records()`` as a pandas DataFrame (needs the ``pandas`` extra)."""
        from gongkai.fields import RECORD_KEYS

        try:
            import pandas as pd
        except ImportError as e:
            raise ImportError("Report.to_pandas needs pandas: pip install 'gongkai[pandas]'") from e
        return pd.DataFrame.from_records(self.records(), columns=list(RECORD_KEYS))

    def cell(self, path: str) -> Cell | None:
        return self.cells.get(path)

    def has_row(self, table_key: str, row_key: str) -> bool:
        prefix = f"{table_key}.{row_key}."
        return any(p.startswith(prefix) for p in self.cells)

    def uncertain(self) -> dict[str, dict]:
        return {
            path: {"status": c.status, "candidates": c.candidates}
            for path, c in self.cells.items()
            if c.status in UNCERTAIN_STATUSES
        }

    def tables_json(self) -> dict[str, dict]:
        """``table2``/``table3``/``table4`` as nested dicts of plain values, in template order."""
        out: dict[str, dict] = {"table2": {}, "table3": {}, "table4": {}}
        for path, c in self.cells.items():
            t, r, col = path.split(".")
            out[t].setdefault(r, {})[col] = c.value
        return out

    def to_json(self, detail: bool = True) -> dict:
        out: dict[str, Any] = {"meta": self.meta, **self.tables_json()}
        out["sections"] = {k: s.to_json() for k, s in self.sections.items()}
        out["uncertain"] = self.uncertain() | {
            f"meta.{key}": {"status": "uncertain", "candidates": [], "note": why}
            for key, why in (self.meta.get("uncertain") or {}).items()
        }
        if detail:
            out["cells"] = {p: c.to_json() for p, c in self.cells.items()}
            out["notes"] = self.notes
        if self.trace:
            out["trace"] = self.trace
        return out

    @classmethod
    def from_json(cls, data: dict) -> Report:
        """Rebuild a report from ``to_json`` output (cells detail if present, else the plain tables)."""
        cells: dict[str, Cell] = {}
        detail = data.get("cells") or {}
        for t in template.TABLE_KEYS:
            for r, cols in (data.get(t) or {}).items():
                for col, value in cols.items():
                    path = f"{t}.{r}.{col}"
                    d = detail.get(path)
                    if d:
                        cells[path] = Cell(
                            **{k: d.get(k) for k in ("path", "value", "status", "raw")},
                            candidates=d.get("candidates", []),
                            where=d.get("where", []),
                            note=d.get("note", ""),
                        )
                    else:
                        cells[path] = Cell(path, value, READ if value is not None else BLANK)
        sections = {k: SectionText(**v) for k, v in (data.get("sections") or {}).items()}
        return cls(
            meta=dict(data.get("meta") or {}),
            cells=cells,
            sections=sections,
            text=str(data.get("text") or ""),
            notes=list(data.get("notes") or []),
            trace=list(data.get("trace") or []),
        )


def row_keys(report: Report, table_key: str) -> list[str]:
    """Row keys present in the report for a table, in template order."""
    prefix = f"{table_key}."
    present = {p.split(".", 2)[1] for p in report.cells if p.startswith(prefix)}
    return ordered_row_keys(report.layout, table_key, present)


def ordered_row_keys(layout_key: str, table_key: str, present: set[str]) -> list[str]:
    """The row keys ``present`` of a table of layout ``layout_key``, in template order."""
    table = template.layout(layout_key).table(table_key)
    keys = [r.key for r in table.rows]
    if table_key == "table3":
        # A report may print another layout's （六）其他处理 rows (`template.Layout.alternates`).
        others = template.all_other_rows()
        keys = [k for k in keys if k not in others]
        at = keys.index("total")
        keys[at:at] = [k for k in others if k in present]
    return [k for k in keys if k in present]
