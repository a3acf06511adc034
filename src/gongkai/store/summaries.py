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

import pickle
import sqlite3
import tempfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import case, func, select

from gongkai.audit.entries import entry
from gongkai.errors import InputError
from gongkai.store import schema as S
from gongkai.store.corpus import (
    OUTCOMES,
    current_report_ids,
    outcome_shares,
    outcome_totals,
)
from gongkai.store.cross import check_pair_function, consecutive, pair_findings
from gongkai.store.db import (
    STORED_REPORT_COLUMNS,
    Store,
    StoredReport,
    _load_reports,
    _num,
    representatives,
    worker_connection,
)
from gongkai.store.process import audit_functions, finding_json

__all__ = ["QUERIES", "check_store", "coverage", "iter_check_store", "query"]


def _open(url_or_store) -> tuple[Store, bool]:
    if isinstance(url_or_store, Store):
        return url_or_store, False
    return Store(url_or_store), True


def _chosen(store: Store) -> list[dict]:
    """The current version of every (agency, year): id, year and province only (small at any size), in
    the order of ``corpus.report_rows``."""
    r, d = S.reports, S.documents
    q = (
        select(r.c.id, r.c.year, r.c.province)
        .join(d, d.c.id == r.c.id)
        .where(r.c.year.is_not(None))
        .order_by(r.c.agency_id, r.c.year, d.c.name)
    )
    current = current_report_ids(store)
    with store.engine.connect() as c:
        return [dict(m) for m in c.execute(q).mappings() if m["id"] in current]


def _values(store: Store, ids: list[int], paths: list[str]) -> dict[int, dict[str, float | int | None]]:
    out: dict[int, dict] = defaultdict(dict)
    q = select(S.cells.c.report_id, S.cells.c.path, S.cells.c.value).where(S.cells.c.path.in_(paths))
    with store.engine.connect() as c:
        for i in range(0, len(ids), 500):
            for rid, path, value in c.execute(q.where(S.cells.c.report_id.in_(ids[i : i + 500]))):
                out[rid][path] = _num(value)
    return out


def _with_values(store: Store, chosen: list[dict], paths: list[str]) -> Iterator[tuple[dict, dict]]:
    """Each chosen report with its values of ``paths``, fetched 500 reports at a time."""
    for i in range(0, len(chosen), 500):
        part = chosen[i : i + 500]
        vals = _values(store, [r["id"] for r in part], paths)
        for r in part:
            yield r, vals.get(r["id"], {})


# ---------------------------------------------------------------------- coverage


def coverage(url_or_store=None) -> dict:
    """Which agencies have which years, which years are missing (within the corpus's span), per region.
    Each agency lists its stored ``reports`` (year, file name, status, source URL, publication date)."""
    store, own = _open(url_or_store)
    try:
        reps = _coverage_rows(store)
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


def _coverage_rows(store: Store) -> list[dict]:
    """Every stored report's few columns coverage shows, in ``corpus.report_rows`` order."""
    r, d = S.reports, S.documents
    q = (
        select(
            r.c.id,
            r.c.agency,
            r.c.agency_id,
            r.c.year,
            d.c.name,
            d.c.sha256,
            d.c.status,
            d.c.source_url,
            d.c.published,
            d.c.published_source,
        )
        .join(d, d.c.id == r.c.id)
        .order_by(r.c.agency_id, r.c.year, d.c.name)
    )
    with store.engine.connect() as c:
        return [dict(m) for m in c.execute(q).mappings()]


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
    acc: dict[tuple, dict] = {}
    for r, v in _with_values(store, _chosen(store), ["table3.new.total"]):
        prov = r["province"] or "（未知地区）"
        g = acc.setdefault(
            (r["year"], prov), {"year": r["year"], "province": prov, "reports": 0, "applications": 0}
        )
        g["reports"] += 1
        g["applications"] += v.get("table3.new.total") or 0
    return {
        "columns": ["year", "province", "reports", "applications"],
        "rows": [acc[k] for k in sorted(acc, key=lambda k: (k[0], k[1]))],
    }


def _outcomes(store: Store) -> dict:
    """Per year, each outcome's share of the applications answered (``corpus.outcome_shares``, as the charts
    page shows them)."""
    chosen = _chosen(store)
    per_year: dict[int, Counter] = defaultdict(Counter)
    reports: Counter = Counter()
    for i in range(0, len(chosen), 500):
        part = chosen[i : i + 500]
        totals = outcome_totals(store, [r["id"] for r in part])
        for r in part:
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
    acc: dict[int, dict] = {}
    for r, v in _with_values(store, chosen, paths):
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
    """Counted in SQL per report; the ``limit`` worst (errors, then warnings, then file name) are named."""
    f, d, r = S.findings, S.documents, S.reports
    errors = func.sum(case((func.lower(f.c.severity) == "error", 1), else_=0))
    warnings = func.sum(case((func.lower(f.c.severity) == "warning", 1), else_=0))
    counts = (
        select(
            f.c.report_id,
            errors.label("errors"),
            warnings.label("warnings"),
            func.count().label("findings"),
            func.min(f.c.id).label("first"),
        )
        .group_by(f.c.report_id)
        .having((errors > 0) | (warnings > 0))
        .subquery()
    )
    q = (
        select(d.c.name, r.c.agency, r.c.year, counts.c.errors, counts.c.warnings, counts.c.findings)
        .join(d, d.c.id == counts.c.report_id)
        .join(r, r.c.id == counts.c.report_id)
        .order_by(counts.c.errors.desc(), counts.c.warnings.desc(), d.c.name, counts.c.first)
        .limit(limit)
    )
    with store.engine.connect() as c:
        rows = [
            {"source": name, "agency": agency, "year": year, "errors": e, "warnings": w, "findings": n}
            for name, agency, year, e, w, n in c.execute(q)
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
    url_or_store=None,
    codes: set[str] | None = None,
    deadlines: dict[str, str] | None = None,
    workers: int = 1,
) -> list[dict]:
    """Audit every stored report again (rebuilt with ``Report.from_json``), each agency's consecutive years
    compared with ``gongkai.audit.check_reports``. One ``gongkai.audit.entries.entry`` per report, as
    ``gongkai check PATH`` gives (findings with ``scope``: report or cross; only rules in ``codes`` when
    given). ``deadlines``: publication deadlines by agency kind (``{"department": "01-31"}``) for the
    timeliness rule. ``workers``: processes checking agencies side by side. Empty findings when the audit
    module is missing. ``iter_check_store`` gives the same entries one at a time."""
    return list(iter_check_store(url_or_store, codes, deadlines, workers))


def iter_check_store(
    url_or_store=None,
    codes: set[str] | None = None,
    deadlines: dict[str, str] | None = None,
    workers: int = 1,
) -> Iterator[dict]:
    """``check_store``'s entries one by one, in bounded memory at any corpus size. First every agency is
    checked on its own (its reports rebuilt, each audited once, its years compared), in ``workers`` worker
    processes side by side; the entries wait in a temporary SQLite file and then come in the store's order
    (year, sha256). Workers open the store by its URL: a store in memory is checked in this process."""
    store, own = _open(url_or_store)
    try:
        with tempfile.TemporaryDirectory(prefix="gongkai-check-") as tmp:
            checked = _Checked(Path(tmp) / "checked.db")
            try:
                _check_all(store, checked, codes, deadlines, workers)
                yield from _in_store_order(store, checked)
            finally:
                checked.close()
    finally:
        if own:
            store.close()


class _Checked:
    """Report id → its entry (pickled, compressed), on disk until every agency has been checked."""

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE checked (id INTEGER PRIMARY KEY, entry BLOB)")

    def put(self, entries: list[tuple[int, bytes]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO checked VALUES (?, ?)", entries)

    def get(self, report_ids: list[int]) -> dict[int, dict]:
        marks = ",".join("?" * len(report_ids))
        rows = self.db.execute(f"SELECT id, entry FROM checked WHERE id IN ({marks})", report_ids)
        return {rid: pickle.loads(zlib.decompress(blob)) for rid, blob in rows}

    def close(self) -> None:
        self.db.close()


def _stored_query():
    d, r = S.documents, S.reports
    q = select(*STORED_REPORT_COLUMNS, r.c.agency).join(d, d.c.id == r.c.id)
    return q.execution_options(stream_results=True, yield_per=_CHUNK)


_CHUNK = 200


def _check_all(store: Store, checked: _Checked, codes, deadlines, workers: int) -> None:
    """Every stored report checked, one agency (or a chunk of reports without one) per task."""
    from gongkai.workers import run_tasks

    url = store.shared_url() if workers > 1 else None
    source = url if url is not None else store
    tasks = ((n, _check_group, (source, rows, codes, deadlines)) for n, rows in enumerate(_groups(store)))
    for _n, out in run_tasks(tasks, workers=workers if url else 1, time_limit=None):
        if not out.ok:
            raise RuntimeError(out.error)
        checked.put(out.value)


def _groups(store: Store) -> Iterator[list[tuple]]:
    """Rows of ``_stored_query``: all reports of one agency at a time, in agency order, then the reports
    without an agency a chunk at a time."""
    r, d = S.reports, S.documents
    q = _stored_query().order_by(r.c.agency_id, r.c.year, d.c.sha256)
    with store.engine.connect() as c:
        group: list[tuple] = []
        for row in c.execute(q.where(r.c.agency_id.is_not(None))):
            if group and group[0][4] != row.agency_id:
                yield group
                group = []
            group.append(tuple(row))
        if group:
            yield group
        for part in c.execute(q.where(r.c.agency_id.is_(None))).partitions(_CHUNK):
            yield [tuple(row) for row in part]


def _with_deadlines(report, deadlines: dict[str, str] | None) -> None:
    if deadlines and report is not None:
        report.meta["deadlines"] = dict(deadlines)


def _check_group(
    source: str | Store, rows: list[tuple], codes: set[str] | None, deadlines=None
) -> list[tuple[int, bytes]]:
    """One agency's reports (or reports without an agency) rebuilt and checked: each
    report's own findings, then each representative year compared with the year before
    (`gongkai.store.cross`, as the store's refresh does). Returns (report id, pickled entry) per report."""
    check_report, _ = audit_functions()
    with worker_connection(source) as c:
        loaded = _load_reports(c, [row[0] for row in rows])
    for report in loaded.values():
        _with_deadlines(report, deadlines)
    own = {rid: check_report(report) for rid, report in loaded.items()} if check_report else {}
    crossed: dict[int, list[dict]] = {}
    stored = [StoredReport(*row[:7]) for row in rows]
    for x in stored:
        x.report = loaded[x.id]
    check_pair = check_pair_function()
    if check_pair is not None and rows[0][4] is not None:
        for cur, prev in consecutive(representatives(stored)):
            crossed[cur.id] = pair_findings(loaded[cur.id], loaded[prev.id], check_pair)
    out = []
    for row in rows:
        report = loaded[row[0]]
        found = [{**finding_json(f), "scope": "report"} for f in own.get(row[0], [])]
        found.extend({**f, "scope": "cross"} for f in crossed.get(row[0], []))
        e = entry(row[2], report.meta, found, sha256=row[1], agency_id=row[4], codes=codes)
        e.update(agency=row[7], year=row[5])  # the store's reading, overrides applied
        out.append((row[0], zlib.compress(pickle.dumps(e, protocol=pickle.HIGHEST_PROTOCOL), 1)))
    return out


def _in_store_order(store: Store, checked: _Checked) -> Iterator[dict]:
    r, d = S.reports, S.documents
    q = select(r.c.id).join(d, d.c.id == r.c.id).order_by(r.c.year, d.c.sha256)
    with store.engine.connect() as c:
        for part in c.execute(q.execution_options(stream_results=True, yield_per=_CHUNK)).partitions(_CHUNK):
            ids = [row.id for row in part]
            entries = checked.get(ids)
            for rid in ids:
                yield entries[rid]
