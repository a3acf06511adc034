"""A large SQLite database of reports for the scale benchmarks, built in minutes without reading documents.

    .venv/bin/python bench/make_db.py --reports 100000 --db /tmp/gongkai-100k.db

The shared corpus's text and HTML reports are read once and stored through the store's own writer
(``Store.write``) in a small template database. The big database then gets ``--reports`` reports: each a
copy of a template report (its cells, sections and findings copied row by row in SQL) under a synthetic
agency — a real county of the bundled division list with one of a few departments — and a year from
2019 to 2025 (a template of the matching layout), so there are about ``reports / 7`` agencies, each with
seven consecutive years. Documents carry a source URL and a publication date (most of them), like collected
ones. The schema comes from the store's migrations and the report summaries are backfilled at the end, so
the result is an ordinary gongkai database. A review campaign is added last (``add_campaign``, or alone with
``--campaign-only``): a roster, review states of the latest year and a stored score run.

Measured on the 2-core development machine: 100,000 reports in about 4.5 minutes (9.5 GiB of SQLite); the
report summaries' backfill (migration 0007) took 3.5 minutes more at 100,000 under a load of 15.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sqlite3
import tempfile
import time
from pathlib import Path

from gongkai.divisions import divisions
from gongkai.store import Store, process_bytes
from gongkai.store.report_summary import backfill

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
YEARS = tuple(range(2019, 2026))
DEPARTMENTS = ("人民政府", "教育局", "财政局", "交通运输局", "卫生健康委员会", "自然资源局", "市场监督管理局")
BATCH = 2000


def template_docs() -> list[Path]:
    return sorted(
        p for d in ("seeds", "real") for p in (CORPUS / d).iterdir() if p.suffix in (".txt", ".html")
    )


def build_templates(url: str) -> None:
    """The corpus's text reports read and stored once, through the store's writer."""
    docs = template_docs()
    if not docs:
        raise SystemExit(f"no text documents under {CORPUS}")
    with Store(url) as store:
        for p in docs:
            store.write(process_bytes(p.read_bytes(), p.name), str(p))


def counties() -> list[dict]:
    divs = divisions()
    out = []
    for d in divs.by_code.values():
        if d.level == "county":
            levels = divs.levels(d)
            out.append({"code": d.code, "name": d.name, **levels})
    return sorted(out, key=lambda c: c["code"])


def layout_templates(con: sqlite3.Connection) -> dict[str, list[dict]]:
    """Template reports by layout key."""
    con.row_factory = sqlite3.Row
    rows = con.execute(
        "SELECT r.*, d.format, d.size, d.status, d.tool_version FROM tpl.reports r "
        "JOIN tpl.documents d ON d.id = r.id WHERE r.year IS NOT NULL ORDER BY r.id"
    ).fetchall()
    con.row_factory = None
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(r["layout"], []).append(dict(r))
    return out


def layout_of_year(year: int, by_layout: dict[str, list[dict]]) -> str:
    """The layout the templates of that year use (the trial layout for 2019–2020)."""
    return min(by_layout, key=lambda k: min(abs(t["year"] - year) for t in by_layout[k]))


def agency_of(i: int, places: list[dict]) -> dict:
    place = places[i % len(places)]
    dept = DEPARTMENTS[(i // len(places)) % len(DEPARTMENTS)]
    name = place["name"] + dept
    return {
        "id": f"{place['code']}:{name}",
        "name": name,
        "code": place["code"],
        "province": place.get("province"),
        "city": place.get("city"),
        "county": place.get("county"),
    }


def report_values(n: int, agency: dict, year: int, tpl: dict) -> tuple[tuple, tuple]:
    """The document and report rows of report ``n``."""
    meta = json.loads(tpl["meta"])
    old = meta.get("agency") or ""
    title = f"{agency['name']}{year}年政府信息公开工作年度报告"
    meta.update(agency=agency["name"], year=year, title=title)
    published = f"{year + 1}-01-{1 + n % 28:02d}" if n % 5 else None
    url = f"https://www.example.gov.cn/{agency['code']}/{year}/{n}.html" if n % 3 else None
    if published:
        meta["published"] = published
    sha = hashlib.sha256(f"gongkai-bench-{n}".encode()).hexdigest()
    text = tpl["text"] or ""
    if old:
        text = text.replace(old, agency["name"])
    doc = (
        n,
        sha,
        f"{n:06d}_{agency['code']}_{year}.txt",
        None,
        tpl["format"],
        tpl["size"],
        dt.datetime(year + 1, 1, 1 + n % 28, tzinfo=dt.UTC).isoformat(sep=" "),
        tpl["status"],
        None,
        tpl["tool_version"],
        url,
        published,
        "page_text" if published else None,
        None,
        None,
    )
    rep = (
        n,
        agency["name"],
        agency["id"],
        year,
        tpl["layout"],
        title,
        agency.get("province"),
        agency.get("city"),
        agency.get("county"),
        agency["code"],
        "name",
        json.dumps(meta, ensure_ascii=False),
        tpl["notes"],
        tpl["uncertain"],
        text,
        n - 1 if year > YEARS[0] else 0,  # cross_previous: the agency's year before (compared, as copied)
    )
    return doc, rep


def fill(db: Path, n_reports: int, template_db: Path) -> None:
    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("ATTACH DATABASE ? AS tpl", (str(template_db),))
    by_layout = layout_templates(con)
    places = counties()
    cursor = {k: 0 for k in by_layout}
    agencies: dict[str, tuple] = {}
    n = 0
    i_agency = 0
    started = time.perf_counter()
    while n < n_reports:
        docs, reps, copies = [], [], []
        while len(docs) < BATCH and n < n_reports:
            agency = agency_of(i_agency, places)
            for year in YEARS:
                if n >= n_reports:
                    break
                n += 1
                lay = layout_of_year(year, by_layout)
                tpl = by_layout[lay][cursor[lay] % len(by_layout[lay])]
                cursor[lay] += 1
                doc, rep = report_values(n, agency, year, tpl)
                docs.append(doc)
                reps.append(rep)
                copies.append((n, tpl["id"]))
                agencies[agency["id"]] = (
                    agency["id"],
                    agency["name"],
                    agency.get("province"),
                    agency.get("city"),
                    rep[8],
                    agency["code"],
                    "name",
                    0,
                )
            i_agency += 1
        _insert_batch(con, docs, reps, copies)
        print(f"  {n:>7} reports  {time.perf_counter() - started:6.1f}s", flush=True)
    con.executemany("INSERT OR REPLACE INTO agencies VALUES (?,?,?,?,?,?,?,?)", list(agencies.values()))
    con.commit()
    con.execute("ANALYZE")
    con.commit()
    con.close()


def _insert_batch(con: sqlite3.Connection, docs: list, reps: list, copies: list) -> None:
    con.executemany(f"INSERT INTO documents VALUES ({','.join('?' * 15)})", docs)
    con.executemany(f"INSERT INTO reports VALUES ({','.join('?' * 16)})", reps)
    con.executemany(
        "INSERT INTO cells SELECT ?, path, seq, table_key, row_key, column_key, value, raw, status, "
        "provenance FROM tpl.cells WHERE report_id = ?",
        copies,
    )
    con.executemany(
        "INSERT INTO sections SELECT ?, key, heading, text, line, start_offset, end_offset, extra "
        "FROM tpl.sections WHERE report_id = ?",
        copies,
    )
    con.executemany(
        "INSERT INTO findings (report_id, scope, code, severity, message, location, evidence, data, "
        "fingerprint) SELECT ?, scope, code, severity, message, location, evidence, data, fingerprint "
        "FROM tpl.findings "
        "WHERE report_id = ?",
        copies,
    )
    con.commit()


def add_campaign(db: Path) -> None:
    """A review campaign over the database, as reviewers leave one: a roster of every agency but each 50th
    (名录外) plus 1 in 40 that never publish (未发布), due dates for the latest year; in that year the
    findings of one report in ten confirmed and of another one in ten dismissed; one stored score run."""
    from gongkai.audit.kinds import classify_kind
    from gongkai.review import score
    from gongkai.store.reviewstate import backfill as backfill_reviews

    started = time.perf_counter()
    con = sqlite3.connect(db)
    year = con.execute("SELECT max(year) FROM report_summaries WHERE current").fetchone()[0]
    agencies = con.execute("SELECT id, name, county FROM agencies ORDER BY id").fetchall()
    due = f"{year + 1}-01-31"
    roster, n, seen = [], 0, set()
    for i, (agency_id, name, county) in enumerate(agencies):
        if i % 50 == 49:
            continue
        n += 1
        name = agency_id if name in seen else name  # one county name in two provinces
        seen.add(name)
        roster.append((name, county, "县级", classify_kind(name), None, due, n, agency_id, 0))
        if i % 40 == 0:
            n += 1
            roster.append((f"{name}分局", county, "县级", "department", None, due, n, None, 0))
    con.execute("DELETE FROM roster")
    con.executemany(
        "INSERT INTO roster (name, region, level, kind, url, due, row, agency_id, manual) "
        "VALUES (?,?,?,?,?,?,?,?,?)",
        roster,
    )
    con.execute("DELETE FROM finding_reviews")
    at = dt.datetime(year + 1, 3, 1, tzinfo=dt.UTC).isoformat(sep=" ")
    for state, rest in (("confirmed", 0), ("dismissed", 5)):
        con.execute(
            "INSERT INTO finding_reviews (subject, year, fingerprint, code, severity, message, state, "
            "comment, reviewer, at) SELECT s.subject, s.year, f.fingerprint, min(f.code), min(f.severity), "
            "min(f.message), ?, '请整改', 'bench', ? FROM report_summaries s "
            "JOIN findings f ON f.report_id = s.report_id WHERE s.current AND s.year = ? "
            "AND s.report_id % 10 = ? GROUP BY s.subject, s.year, f.fingerprint",
            (state, at, year, rest),
        )
    con.commit()
    con.close()
    with Store(f"sqlite:///{db}") as store:
        with store.engine.begin() as c:
            backfill_reviews(c)
        score(store, year=year, user="bench")
    print(f"campaign: {len(roster)} roster entries, year {year}: {time.perf_counter() - started:.0f}s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=100_000)
    ap.add_argument("--db", type=Path, required=True, help="the SQLite file to create (replaced)")
    ap.add_argument("--campaign-only", action="store_true", help="only add the review campaign to --db")
    args = ap.parse_args()
    if args.campaign_only:
        add_campaign(args.db)
        return
    for p in args.db.parent.glob(args.db.name + "*"):
        p.unlink()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gongkai-tpl-") as tmp:
        tpl = Path(tmp) / "templates.db"
        build_templates(f"sqlite:///{tpl}")
        Store(f"sqlite:///{args.db}").close()  # the schema, from the migrations
        fill(args.db, args.reports, tpl)
        with Store(f"sqlite:///{args.db}") as store, store.engine.begin() as c:
            backfill(c)  # the rows above were copied in SQL, past the store's writer
    add_campaign(args.db)
    size = sum(p.stat().st_size for p in args.db.parent.glob(args.db.name + "*"))
    took = time.perf_counter() - started
    print(f"{args.reports} reports → {args.db}: {took:.0f}s, {size / 2**30:.2f} GiB")


if __name__ == "__main__":
    main()
