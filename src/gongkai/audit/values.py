"""Reading cell values the way a reviewer does: blank counts as 0 but is remembered, unknown stays unknown."""

from __future__ import annotations

from dataclasses import dataclass

from gongkai import template
from gongkai.audit.cellindex import row_keys
from gongkai.model import BLANK, INFERRED, READ, UNCERTAIN_STATUSES, Report

Number = int | float


@dataclass(frozen=True)
class Val:
    """A cell's value for arithmetic: ``value`` (blank → 0), whether it was blank, inferred or unknown."""

    path: str
    value: Number | None
    status: str | None  # None: the report has no such cell

    @property
    def known(self) -> bool:
        return self.status is not None and self.status not in UNCERTAIN_STATUSES

    @property
    def blank(self) -> bool:
        return self.status == BLANK

    @property
    def inferred(self) -> bool:
        return self.status == INFERRED

    @property
    def trusted(self) -> bool:
        """Printed in the source as this cell (or left blank): an identity failing on it is the report's."""
        return self.status in (READ, BLANK)


def val(report: Report, path: str) -> Val:
    cell = report.cells.get(path)
    if cell is None:
        return Val(path, None, None)
    if cell.status == BLANK:
        return Val(path, 0, BLANK)
    if cell.status in UNCERTAIN_STATUSES:
        return Val(path, None, cell.status)
    return Val(path, cell.value, cell.status)


def fmt(v: Val) -> str:
    if v.blank:
        return "空白"
    if v.value is None:
        return "?"
    return _num(v.value)


def _num(x: Number) -> str:
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return f"{x:g}" if isinstance(x, float) else str(x)


def num_text(x: Number | None) -> str:
    return "?" if x is None else _num(x)


def applicant_parts() -> tuple[str, ...]:
    return tuple(c.key for c in template.APPLICANT_COLUMNS[:-1])


def result_rows_of(report: Report) -> list[str]:
    """Table 三 result rows the report actually prints, from （一）予以公开 to the last （六） row."""
    keys = row_keys(report, "table3")
    if "granted" not in keys or "total" not in keys:
        return []
    return keys[keys.index("granted") : keys.index("total")]


def row_total(report: Report, row: str, table: str = "table3") -> tuple[Number | None, list[Val]]:
    """A table 三 row's 总计; when that cell is blank, the sum of its printed applicant cells."""
    total = val(report, f"{table}.{row}.total")
    if total.known and not total.blank:
        return total.value, [total]
    parts = [val(report, f"{table}.{row}.{c}") for c in applicant_parts()]
    if not all(p.known for p in parts):
        return None, parts
    if total.blank and all(p.blank for p in parts):
        return 0, parts
    return sum(p.value or 0 for p in parts), parts


def group_total(report: Report, prefix: str) -> tuple[Number | None, list[Val]]:
    """Sum of the 总计 of the table 三 rows whose key starts with ``prefix`` (``denied_`` …)."""
    rows = [r for r in result_rows_of(report) if r.startswith(prefix)]
    total: int | float = 0
    used: list = []
    for r in rows:
        v, vals = row_total(report, r)
        used.extend(vals)
        if v is None:
            return None, used
        total += v
    return (total if rows else None), used
