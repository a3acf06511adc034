"""Questions asked of the stored corpus: coverage (which agency has which years), ready summaries (``query``)
and the audit of everything stored, cross-year rules included (``check_store``).

Each agency's year counts once: where several files hold the same report (a PDF and its Word original) the
representative chosen by ``db.representatives`` speaks for it.

>>> coverage("sqlite:///gongkai.db")["agencies"][0]["years"]
[2019, 2020, 2021, 2022, 2023, 2024, 2025]
>>> query("sqlite:///gongkai.db", "applications")["rows"][0]
{'year': 2019, 'province': '福建省', 'reports': 1, 'applications': 23}
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable

from sqlalchemy import select

from gongkai.audit.entries import entry
from gongkai.errors import InputError
from gongkai.store import schema as S
from gongkai.store.corpus import (
    OUTCOMES,
    current_report_ids,
    outcome_shares,
    outcome_totals,
    report_rows,
    representative_rows,
)
from gongkai.store.db import Store, StoredReport, _num, cross_findings
from gongkai.store.process import audit_functions, finding_json

__all__ = ["QUERIES", "check_store", "coverage", "query"]


def _open(url_or_store) -> tuple[Store, bool]:
    if isinstance(url_or_store, Store):
        return url_or_store, False
    return Store(url_or_store), True


def _chosen(store: Store) -> list[dict]:
    """The current version of every (agency, year); reports without an agency stand alone."""
    return representative_rows(report_rows(store), current_report_ids(store))


def _report_rows(store: Store, ids: list[int]) -> dict[int, dict]:
    r, d = S.reports, S.documents
    q = select(
        r.c.id,
        r.c.agency,
        r.c.agency_id,
        r.c.year,
        r.c.province,
        r.c.city,
        r.c.county,
        d.c.name,
        d.c.sha256,
        d.c.status,
        d.c.source_url,
        d.c.published,
        d.c.published_source,
    ).join(d, d.c.id == r.c.id)
    out = {}
    with store.engine.connect() as c:
        for i in range(0, len(ids), 500):
            for m in c.execute(q.where(r.c.id.in_(ids[i : i + 500]))).mappings():
                out[m["id"]] = dict(m)
    return out


def _values(store: Store, ids: list[int], paths: list[str]) -> dict[int, dict[str, float | int | None]]:
    out: dict[int, dict] = defaultdict(dict)
    q = select(S.cells.c.report_id, S.cells.c.path, S.cells.c.value).where(S.cells.c.path.in_(paths))
    with store.engine.connect() as c:
        for i in range(0, len(ids), 500):
            for rid, path, value in c.execute(q.where(S.cells.c.report_id.in_(ids[i : i + 500]))):
                out[rid][path] = _num(value)
    return out


# ---------------------------------------------------------------------- coverage


def coverage(url_or_store=None) -> dict:
    """Which agencies have which years, which years are missing (within the corpus's span), per region.
    Each agency lists its stored ``reports`` (year, file name, status, source URL, publication date)."""
    store, own = _open(url_or_store)
    try:
        reps = report_rows(store)
        agencies = {a["id"]: a for a in store.agencies()}
    finally:
        if own:
            store.close()
    years_all = sorted({r["year"] for r in reps if r["year"] is not None})
    span = list(range(years_all[0], years_all[-1] + 1)) if years_all else []
    per: dict[str, dict] = {}
    for r in reps:
        key = r["agency_id"] or f"?{r['sha256'][:12]}"
        a = agencies.get(r["agency_id"] or "", {})
        row = per.setdefault(
            key,
            {
                "agency_id": r["agency_id"],
                "agency": a.get("name") or r["agency"] or r["name"],
                "province": a.get("province"),
                "city": a.get("city"),
                "county": a.get("county"),
                "years": set(),
                "documents": 0,
                "reports": [],
            },
        )
        row["documents"] += 1
        row["reports"].append(_coverage_report(r))
        if r["year"] is not None:
            row["years"].add(r["year"])
    rows = []
    for row in per.values():
        row["years"] = sorted(row["years"])
        row["missing"] = [y for y in span if y not in row["years"]]
        row["reports"].sort(
            key=lambda x: (x["year"] is None, x["year"] or 0, x["published"] or "", x["name"])
        )
        rows.append(row)
    rows.sort(key=lambda x: (x["province"] or "~", x["city"] or "~", x["county"] or "~", x["agency"] or ""))
    regions: dict[str, dict] = {}
    for row in rows:
        reg = row["province"] or "（未知地区）"
        g = regions.setdefault(reg, {"region": reg, "agencies": 0, "reports": 0, "missing": 0})
        g["agencies"] += 1
        g["reports"] += len(row["years"])
        g["missing"] += len(row["missing"])
    return {"years": span, "agencies": rows, "regions": list(regions.values())}


def _coverage_report(row: dict) -> dict:
    return {
        "id": row["id"],
        "year": row["year"],
        "name": row["name"],
        "status": row["status"],
        "source_url": row["source_url"],
        "published": row["published"],
        "published_source": row["published_source"],
    }


# ---------------------------------------------------------------------- ready summaries


def _sum(vals: dict, paths) -> float | int | None:
    got: list[float | int] = [v for p in paths if (v := vals.get(p)) is not None]
    return sum(got) if got else None


def _share(part, whole) -> float | None:
    return None if not whole or part is None else round(part / whole, 4)


def _applications(store: Store) -> dict:
    chosen = _chosen(store)
    vals = _values(store, [r["id"] for r in chosen], ["table3.new.total"])
    acc: dict[tuple, dict] = {}
    for r in chosen:
        prov = r["province"] or "（未知地区）"
        g = acc.setdefault(
            (r["year"], prov), {"year": r["year"], "province": prov, "reports": 0, "applications": 0}
        )
        g["reports"] += 1
        g["applications"] += vals.get(r["id"], {}).get("table3.new.total") or 0
    return {
        "columns": ["year", "province", "reports", "applications"],
        "rows": [acc[k] for k in sorted(acc, key=lambda k: (k[0], k[1]))],
    }


def _outcomes(store: Store) -> dict:
    """Per year, each outcome's share of the applications answered (``corpus.outcome_shares``, as the charts
    page shows them)."""
    chosen = _chosen(store)
    totals = outcome_totals(store, [r["id"] for r in chosen])
    per_year: dict[int, Counter] = defaultdict(Counter)
    reports: Counter = Counter()
    for r in chosen:
        per_year[r["year"]].update(totals.get(r["id"], Counter()))
        reports[r["year"]] += 1
    rows = []
    for y in sorted(reports):
        answered, shares = outcome_shares(per_year[y])
        rows.append(
            {
                "year": y,
                "reports": reports[y],
                "answered": answered,
                **{f"{k}_share": None if x is None else round(x, 4) for k, x in shares.items()},
            }
        )
    return {"columns": ["year", "reports", "answered", *(f"{k}_share" for k in OUTCOMES)], "rows": rows}


def _corrections(store: Store) -> dict:
    """复议/诉讼 correction rates: 结果纠正 over the cases decided (总计 minus 尚未审结)."""
    chosen = _chosen(store)
    groups = {"review": ("review",), "litigation": ("litigation_direct", "litigation_after_review")}
    paths = [
        f"table4.{g}.{c}" for gs in groups.values() for g in gs for c in ("corrected", "pending", "total")
    ]
    vals = _values(store, [r["id"] for r in chosen], paths)
    acc: dict[int, dict] = {}
    for r in chosen:
        v = vals.get(r["id"], {})
        g = acc.setdefault(r["year"], {"year": r["year"], "reports": 0})
        g["reports"] += 1
        for name, gs in groups.items():
            for col in ("corrected", "pending", "total"):
                g[f"{name}_{col}"] = g.get(f"{name}_{col}", 0) + (
                    _sum(v, [f"table4.{x}.{col}" for x in gs]) or 0
                )
    rows = []
    for y in sorted(acc):
        g = acc[y]
        row = {"year": y, "reports": g["reports"]}
        for name in groups:
            decided = g[f"{name}_total"] - g[f"{name}_pending"]
            row.update(
                {
                    f"{name}_cases": g[f"{name}_total"],
                    f"{name}_decided": decided,
                    f"{name}_corrected": g[f"{name}_corrected"],
                    f"{name}_correction_rate": _share(g[f"{name}_corrected"], decided),
                }
            )
        rows.append(row)
    cols = ["year", "reports"] + [
        f"{n}_{k}" for n in groups for k in ("cases", "decided", "corrected", "correction_rate")
    ]
    return {"columns": cols, "rows": rows}


def _problems(store: Store, limit: int = 20) -> dict:
    found = store.findings()
    counts = []
    for rid, fs in found.items():
        errors = sum(1 for f in fs if str(f.get("severity")).lower() == "error")
        warnings = sum(1 for f in fs if str(f.get("severity")).lower() == "warning")
        if errors or warnings:
            counts.append((rid, errors, warnings, len(fs)))
    info = _report_rows(store, [c[0] for c in counts])
    counts.sort(key=lambda c: (-c[1], -c[2], info[c[0]]["name"]))
    rows = [
        {
            "source": info[rid]["name"],
            "agency": info[rid]["agency"],
            "year": info[rid]["year"],
            "errors": e,
            "warnings": w,
            "findings": n,
        }
        for rid, e, w, n in counts[:limit]
    ]
    return {"columns": ["source", "agency", "year", "errors", "warnings", "findings"], "rows": rows}


QUERIES: dict[str, tuple[Callable[[Store], dict], str]] = {
    "applications": (_applications, "各年度、各省新收申请数 applications received (table3.new.total)"),
    "outcomes": (
        _outcomes,
        "各年度办理结果占比 shares of each outcome of the applications answered",
    ),
    "corrections": (_corrections, "各年度行政复议、诉讼纠错率 correction rates (结果纠正 / decided cases)"),
    "problems": (_problems, "错误和警告最多的报告 the reports with the most errors and warnings"),
}


def query(url_or_store, name: str) -> dict:
    """A ready summary by ``name`` (see ``QUERIES``): ``{"name", "description", "columns", "rows"}``."""
    if name not in QUERIES:
        raise InputError(f"未知的查询 (unknown query {name!r}; one of {', '.join(QUERIES)})")
    store, own = _open(url_or_store)
    try:
        fn, desc = QUERIES[name]
        return {"name": name, "description": desc, **fn(store)}
    finally:
        if own:
            store.close()


# ---------------------------------------------------------------------- audit of the stored corpus


def check_store(
    url_or_store=None, codes: set[str] | None = None, deadlines: dict[str, str] | None = None
) -> list[dict]:
    """Audit every stored report again (rebuilt with ``Report.from_json``), each agency's consecutive years
    compared with ``gongkai.audit.check_reports``. One ``gongkai.audit.entries.entry`` per report, as
    ``gongkai check PATH`` gives (findings with ``scope``: report or cross; only rules in ``codes`` when
    given). ``deadlines``: publication deadlines by agency kind (``{"department": "01-31"}``) for the
    timeliness rule. Empty findings when the audit module is missing."""
    check_report, check_reports = audit_functions()
    store, own = _open(url_or_store)
    try:
        reps = store.stored_reports(load=True)
        info = _report_rows(store, [r.id for r in reps])
        agencies = {a["id"]: a for a in store.agencies()}
    finally:
        if own:
            store.close()
    per: dict[int, list[dict]] = {}
    for r in reps:
        if deadlines and r.report is not None:
            r.report.meta["deadlines"] = dict(deadlines)
        per[r.id] = (
            [{**finding_json(f), "scope": "report"} for f in check_report(r.report)] if check_report else []
        )
    if check_reports is not None:
        _add_cross(reps, per, agencies, check_reports)
    out = []
    for r in reps:
        i = info[r.id]
        meta = r.report.meta if r.report is not None else {}
        e = entry(i["name"], meta, per[r.id], sha256=i["sha256"], agency_id=r.agency_id, codes=codes)
        e.update(agency=i["agency"], year=r.year)  # the store's reading, overrides applied
        out.append(e)
    return out


def _add_cross(reps: list[StoredReport], per: dict[int, list[dict]], agencies: dict, check_reports) -> None:
    by_agency: dict[str, list[StoredReport]] = defaultdict(list)
    for r in reps:
        if r.agency_id:
            by_agency[r.agency_id].append(r)
    for agency_id, group in by_agency.items():
        name = agencies.get(agency_id, {}).get("name")
        for rid, found in cross_findings(group, check_reports, name).items():
            have = {_key(f) for f in per[rid]}
            per[rid].extend({**f, "scope": "cross"} for f in found if _key(f) not in have)


def _key(f: dict) -> tuple:
    where = f.get("where")
    where = sorted(map(str, where)) if isinstance(where, list | tuple) else str(where)
    return (str(f.get("code")), str(where), str(f.get("message")))
