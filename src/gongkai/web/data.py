"""What the web pages show, read from the store's tables (``gongkai.store.schema``) as plain dicts.

The store writes; this module only reads (filters, coverage matrix, batch problem list, chart series,
two-year comparison) plus one pure function, `text_reuse`, for the share of a report's text taken over from
the previous year. Each page's rows are also what its CSV/XLSX export writes.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, or_, select

from gongkai import template
from gongkai.store import schema as S
from gongkai.store.db import FORMAT_RANK, Store

SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
STATUS_LABELS = {"ok": "无问题", "problems": "有问题", "failed": "读取失败"}


@dataclass(frozen=True)
class Filters:
    """The corpus pages' filters: region (any level), year range, agency-name search, document status."""

    region: str = ""
    year_from: int | None = None
    year_to: int | None = None
    q: str = ""
    status: str = ""

    @classmethod
    def from_query(cls, params: dict[str, str]) -> Filters:
        def year(v: str | None) -> int | None:
            v = (v or "").strip()
            return int(v) if v.isdigit() and 1990 <= int(v) <= 2100 else None

        status = (params.get("status") or "").strip()
        return cls(
            region=(params.get("region") or "").strip()[:64],
            year_from=year(params.get("year_from")),
            year_to=year(params.get("year_to")),
            q=(params.get("q") or "").strip()[:100],
            status=status if status in STATUS_LABELS else "",
        )

    def query_string(self) -> str:
        from urllib.parse import urlencode

        pairs = {
            "region": self.region,
            "year_from": self.year_from or "",
            "year_to": self.year_to or "",
            "q": self.q,
            "status": self.status,
        }
        return urlencode({k: v for k, v in pairs.items() if v not in ("", None)})

    def clauses(self) -> list:
        r, d = S.reports, S.documents
        out = []
        if self.region:
            out.append(or_(r.c.province == self.region, r.c.city == self.region, r.c.county == self.region))
        if self.year_from is not None:
            out.append(r.c.year >= self.year_from)
        if self.year_to is not None:
            out.append(r.c.year <= self.year_to)
        if self.q:
            like = f"%{self.q.replace('%', '').replace('_', '')}%"
            out.append(or_(r.c.agency.like(like), S.agencies.c.name.like(like)))
        if self.status:
            out.append(d.c.status == self.status)
        return out


def _report_query(filters: Filters):
    r, d, a = S.reports, S.documents, S.agencies
    q = (
        select(
            r.c.id,
            r.c.agency,
            r.c.agency_id,
            r.c.year,
            r.c.layout,
            r.c.title,
            r.c.province,
            r.c.city,
            r.c.county,
            r.c.uncertain,
            d.c.name,
            d.c.format,
            d.c.status,
            d.c.sha256,
            a.c.name.label("agency_name"),
        )
        .join(d, d.c.id == r.c.id)
        .outerjoin(a, a.c.id == r.c.agency_id)
    )
    clauses = filters.clauses()
    if clauses:
        q = q.where(and_(*clauses))
    return q.order_by(r.c.agency_id, r.c.year, d.c.name)


def reports(store: Store, filters: Filters = Filters()) -> list[dict]:
    """Every stored report matching ``filters``, with its finding counts by severity and codes."""
    with store.engine.connect() as c:
        rows = [dict(m) for m in c.execute(_report_query(filters)).mappings()]
        ids = [row["id"] for row in rows]
        counts: dict[int, Counter] = defaultdict(Counter)
        codes: dict[int, Counter] = defaultdict(Counter)
        for i in range(0, len(ids), 500):
            q = select(S.findings.c.report_id, S.findings.c.severity, S.findings.c.code).where(
                S.findings.c.report_id.in_(ids[i : i + 500])
            )
            for rid, sev, code in c.execute(q):
                counts[rid][sev] += 1
                codes[rid][code] += 1
    for row in rows:
        row["errors"] = counts[row["id"]]["error"]
        row["warnings"] = counts[row["id"]]["warning"]
        row["infos"] = counts[row["id"]]["info"]
        row["codes"] = dict(sorted(codes[row["id"]].items()))
        row["region"] = "/".join(x for x in _dedup((row["province"], row["city"], row["county"])) if x)
    return rows


def failed_documents(store: Store) -> list[dict]:
    d = S.documents
    q = (
        select(d.c.id, d.c.name, d.c.format, d.c.error, d.c.size)
        .where(d.c.status == "failed")
        .order_by(d.c.id)
    )
    with store.engine.connect() as c:
        return [dict(m) for m in c.execute(q).mappings()]


def _dedup(parts: Iterable[str | None]) -> list[str]:
    out: list[str] = []
    for p in parts:
        if p and (not out or out[-1] != p):
            out.append(p)
    return out


def regions(store: Store) -> list[str]:
    """Region names present in the store (provinces, then cities, then counties) for the filter menu."""
    r = S.reports
    out: list[str] = []
    with store.engine.connect() as c:
        for col in (r.c.province, r.c.city, r.c.county):
            for (name,) in c.execute(select(col).where(col.is_not(None)).distinct().order_by(col)):
                if name not in out:
                    out.append(name)
    return out


def years(store: Store) -> list[int]:
    with store.engine.connect() as c:
        return [
            y
            for (y,) in c.execute(select(S.reports.c.year).where(S.reports.c.year.is_not(None)).distinct())
            if y
        ]


def summary(store: Store) -> dict[str, int]:
    with store.engine.connect() as c:
        docs = dict(
            c.execute(select(S.documents.c.status, func.count()).group_by(S.documents.c.status)).all()
        )
        agencies = c.execute(select(func.count()).select_from(S.agencies)).scalar() or 0
    return {
        "documents": sum(docs.values()),
        "agencies": agencies,
        **{k: docs.get(k, 0) for k in STATUS_LABELS},
    }


def _rank(row: dict) -> tuple:
    return (row["uncertain"], FORMAT_RANK.get(row.get("format") or "", 9), row.get("sha256") or "")


def representatives(rows: list[dict]) -> list[dict]:
    """One report per agency and year (copies of one report in several formats count once): the one with the
    fewest uncertain cells, then the most structured format — the store's rule for cross-year checks."""
    best: dict[tuple, dict] = {}
    for row in rows:
        if row["year"] is None:
            continue
        key = (row["agency_id"] or row["agency"] or "", row["year"])
        if key not in best or _rank(row) < _rank(best[key]):
            best[key] = row
    return list(best.values())


# ---------------------------------------------------------------- coverage


@dataclass
class Coverage:
    years: list[int]
    rows: list[dict] = field(default_factory=list)  # agency, name, region, cells: {year: {...} | None}
    missing: int = 0

    def table(self) -> list[dict]:
        """Flat rows for the CSV/XLSX export: one line per agency, one column per year."""
        out = []
        for row in self.rows:
            line = {"机关": row["name"], "机关标识": row["agency_id"], "地区": row["region"]}
            for y in self.years:
                cell = row["cells"].get(y)
                line[str(y)] = "缺" if cell is None else STATUS_LABELS.get(cell["status"], cell["status"])
            out.append(line)
        return out


def coverage(store: Store, filters: Filters = Filters()) -> Coverage:
    """Agency × year: which reports are there (and their status), and which are missing."""
    rows = reports(store, Filters(region=filters.region, q=filters.q))
    span = [r["year"] for r in rows if r["year"]]
    lo = filters.year_from or (min(span) if span else None)
    hi = filters.year_to or (max(span) if span else None)
    if lo is None or hi is None or hi < lo:
        return Coverage(years=[])
    yrs = list(range(lo, hi + 1))[-30:]
    by_agency: dict[str, dict] = {}
    for r in rows:
        key = r["agency_id"] or f"?{r['agency'] or r['name']}"
        entry = by_agency.setdefault(
            key,
            {
                "agency_id": r["agency_id"] or "",
                "name": r["agency_name"] or r["agency"] or r["name"],
                "region": r["region"],
                "cells": {},
            },
        )
        if r["year"] in yrs:
            cur = entry["cells"].get(r["year"])
            if cur is None or _rank(r) < _rank(cur):
                entry["cells"][r["year"]] = {**r, "copies": (cur or {}).get("copies", 0) + 1}
            else:
                cur["copies"] += 1
    out = Coverage(years=yrs, rows=sorted(by_agency.values(), key=lambda e: (e["region"], e["name"])))
    out.missing = sum(1 for e in out.rows for y in yrs if y not in e["cells"])
    return out


# ---------------------------------------------------------------- batch problem list


def problems(store: Store, filters: Filters = Filters()) -> dict:
    """Which reports have problems and of which kinds: per-report rows plus a per-code summary."""
    rows = reports(store, filters)
    with_problems = [r for r in rows if r["errors"] or r["warnings"] or r["status"] != "ok"]
    names: dict[str, tuple[str, str]] = {}
    ids = [r["id"] for r in rows]
    with store.engine.connect() as c:
        for i in range(0, len(ids), 500):
            q = select(S.findings.c.code, S.findings.c.severity, S.findings.c.data).where(
                S.findings.c.report_id.in_(ids[i : i + 500])
            )
            for code, sev, data in c.execute(q):
                names.setdefault(code, ((data or {}).get("name") or "", sev))
    by_code: Counter = Counter()
    reports_by_code: Counter = Counter()
    for r in rows:
        for code, n in r["codes"].items():
            by_code[code] += n
            reports_by_code[code] += 1
    kinds = [
        {
            "code": code,
            "name": names.get(code, ("", ""))[0],
            "severity": names.get(code, ("", ""))[1],
            "findings": n,
            "reports": reports_by_code[code],
        }
        for code, n in sorted(by_code.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return {"reports": with_problems, "all": len(rows), "kinds": kinds}


# ---------------------------------------------------------------- charts


def _t3_label(key: str) -> str:
    for lay in template.LAYOUTS:
        for r in template.layout(lay).table3.rows:
            if r.key == key:
                return re.sub(r"（[^（）]{6,}）$", "", r.label)
            if r.group.startswith("（") and r.key.startswith(key + "_"):
                return r.group
    return key


# Outcome groups of table 三 (keys and key prefixes); labels come from the template.
OUTCOMES = ("granted", "partially_granted", "denied", "unable", "not_processed", "other")


def _outcome(row_key: str) -> str | None:
    for o in OUTCOMES:
        if row_key == o or row_key.startswith(o + "_"):
            return o
    return None


def charts(store: Store, filters: Filters = Filters()) -> dict:
    """Series for the charts page, over one report per agency and year."""
    reps = representatives(reports(store, filters))
    ids = [r["id"] for r in reps]
    year_of = {r["id"]: r["year"] for r in reps}
    region_of = {r["id"]: (r["city"] if filters.region else r["province"]) or "未识别" for r in reps}
    apps: Counter = Counter()
    outcomes: dict[int, Counter] = defaultdict(Counter)
    review: dict[int, Counter] = defaultdict(Counter)
    litigation: dict[int, Counter] = defaultdict(Counter)
    by_region: Counter = Counter()
    c_ = S.cells
    with store.engine.connect() as c:
        for i in range(0, len(ids), 500):
            q = select(c_.c.report_id, c_.c.table_key, c_.c.row_key, c_.c.column_key, c_.c.value).where(
                c_.c.report_id.in_(ids[i : i + 500]),
                c_.c.table_key.in_(("table3", "table4")),
                c_.c.value.is_not(None),
            )
            for rid, t, row, col, value in c.execute(q):
                y = year_of[rid]
                if t == "table3" and col == "total":
                    if row == "new":
                        apps[y] += value
                        by_region[region_of[rid]] += value
                    else:
                        o = _outcome(row)
                        if o:
                            outcomes[y][o] += value
                elif t == "table4" and col in ("upheld", "corrected", "other"):
                    (review if row == "review" else litigation)[y][col] += value
    yrs = sorted(set(year_of.values()))

    def rate(d: dict[int, Counter], y: int) -> float | None:
        done = d[y]["upheld"] + d[y]["corrected"] + d[y]["other"]
        return round(100 * d[y]["corrected"] / done, 1) if done else None

    return {
        "years": yrs,
        "reports": len(reps),
        "applications": [int(apps[y]) for y in yrs],
        "outcomes": [
            {
                "key": o,
                "name": _t3_label(o),
                "data": [
                    round(100 * outcomes[y][o] / s, 1) if (s := sum(outcomes[y].values())) else 0 for y in yrs
                ],
            }
            for o in OUTCOMES
        ],
        "review_rate": [rate(review, y) for y in yrs],
        "litigation_rate": [rate(litigation, y) for y in yrs],
        "regions": [{"name": k, "value": int(v)} for k, v in by_region.most_common(30)],
        "region_level": "市" if filters.region else "省",
    }


def chart_table(data: dict) -> list[dict]:
    """The chart series as flat rows (one per year) for the export."""
    out = []
    for i, y in enumerate(data["years"]):
        row: dict[str, Any] = {"年度": y, "新收申请": data["applications"][i]}
        for o in data["outcomes"]:
            row[f"{o['name']}占比%"] = o["data"][i]
        row["行政复议纠错率%"] = data["review_rate"][i]
        row["行政诉讼纠错率%"] = data["litigation_rate"][i]
        out.append(row)
    return out


# ---------------------------------------------------------------- compare


_SHINGLE = 12  # characters: a run this long found in last year's text counts as reused


def _normalise(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text or "")


def text_reuse(previous: str, current: str, k: int = _SHINGLE) -> float | None:
    """Share (0–1) of ``current``'s characters covered by ``k``-character runs also found in ``previous``.

    >>> text_reuse("今年我们继续推进政务公开工作。", "今年我们继续推进政务公开工作。")
    1.0
    """
    a, b = _normalise(previous), _normalise(current)
    if len(b) < k:
        return None
    if len(a) < k:
        return 0.0
    seen = {a[i : i + k] for i in range(len(a) - k + 1)}
    covered = bytearray(len(b))
    for i in range(len(b) - k + 1):
        if b[i : i + k] in seen:
            covered[i : i + k] = b"\x01" * k
    return round(sum(covered) / len(b), 3)


def agency_reports(store: Store, agency_id: str) -> list[dict]:
    rows = [r for r in reports(store) if r["agency_id"] == agency_id]
    return sorted(representatives(rows), key=lambda r: r["year"])


def cell_changes(a, b) -> list[dict]:
    """Every cell of two reports (template order), with both values and the change."""
    paths = list(dict.fromkeys([*a.cells, *b.cells]))
    out = []
    for p in paths:
        va, vb = a.value(p), b.value(p)
        delta = vb - va if isinstance(va, int | float) and isinstance(vb, int | float) else None
        if isinstance(delta, float):
            delta = round(delta, 4)
        out.append({"path": p, "a": va, "b": vb, "delta": delta})
    return out


def cell_labels(path: str, layout_key: str = "2021") -> tuple[str, str, str]:
    """(table, row, column) official labels of a key path, from the template (either layout)."""
    t, r, c = [*path.split("."), "", ""][:3]
    for lay in (layout_key, *template.LAYOUTS):
        try:
            table = getattr(template.layout(lay), t)
        except (KeyError, AttributeError):
            return (t, r, c)
        sec = next((s for s in template.SECTIONS if s.title == table.title), None)
        title = f"{sec.number}、{table.title}" if sec else table.title
        if t == "table4":
            row = dict(table.groups).get(r)
        else:
            row_obj = next((x for x in table.rows if x.key == r), None)
            row = None
            if row_obj is not None:
                label = re.sub(r"（[^（）]{6,}）$", "", row_obj.label)
                row = f"{row_obj.group} {label}" if row_obj.group.startswith("（") else label
                cols = table.columns_of(row_obj)
                col = next((x.label for x in cols if x.key == c), None)
                if col is not None:
                    return (title, row, col)
                continue
        if row is not None:
            col = next((x.label for x in table.columns if x.key == c), c)
            return (title, row, col)
    return (t, r, c)
