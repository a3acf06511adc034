"""Opening a store (any SQLAlchemy 2 URL; migrations applied on open) and writing/reading documents.

A document's rows (document, report, cells, sections and findings) are committed together or not at all, so
an interrupted ingest leaves no partial report and the next run simply continues. ``write`` commits one
document; ``write_many`` commits a batch of them in one transaction, the many cell, section and finding rows
of the batch in one prepared ``executemany`` each (ingest's writer: a commit and a statement per row cost
more than reading a text report).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from itertools import repeat
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, NoResultFound

from gongkai import template
from gongkai.errors import InputError
from gongkai.model import Report, SectionText
from gongkai.store import report_summary
from gongkai.store import schema as S
from gongkai.store.driver import driver_rows, insert_rows
from gongkai.store.process import FAILED, apply_given, status_of
from gongkai.store.publication import PUBLICATION_COLUMNS, Publication
from gongkai.store.reviewstate import fingerprint

__all__ = ["DEFAULT_URL", "Store", "StoredReport", "open_store", "resolve_url"]

DEFAULT_URL = "sqlite:///gongkai.db"
MIGRATIONS = Path(__file__).parent / "migrations"
# Which copy of one agency's year speaks for it in cross-year checks, after the fewest uncertain cells.
LOAD_CHUNK = 200  # reports rebuilt per query batch
FORMAT_RANK = {"docx": 0, "html": 1, "text": 2, "doc": 3, "wps": 3, "pdf": 4, "image": 5}


def resolve_url(url: str | None) -> str:
    """``None`` → ``sqlite:///gongkai.db``; a plain path → an SQLite file there; a URL as given."""
    if not url:
        return DEFAULT_URL
    if "://" not in url:
        return f"sqlite:///{url}"
    return url


SQLITE_PAGE_SIZE = 16384


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _num(v: Any):
    if v is None:
        return None
    f = float(v)
    return int(f) if f.is_integer() else f


def region_path(province: str | None, city: str | None, county: str | None) -> str:
    """``福建省/福州市/鼓楼区``: the levels present, a level repeating the one above (直辖市) once."""
    parts: list[str] = []
    for p in (province, city, county):
        if p and (not parts or parts[-1] != p):
            parts.append(p)
    return "/".join(parts)


@dataclass
class StoredReport:
    id: int
    sha256: str
    name: str
    format: str | None
    agency_id: str | None
    year: int | None
    uncertain: int
    report: Report | None = None


# The columns of a `StoredReport` (reports joined with their documents), in its fields' order.
STORED_REPORT_COLUMNS = (
    S.reports.c.id,
    S.documents.c.sha256,
    S.documents.c.name,
    S.documents.c.format,
    S.reports.c.agency_id,
    S.reports.c.year,
    S.reports.c.uncertain,
)


_KNOWN = select(S.documents.c.sha256, S.documents.c.status)


class Store:
    """A gongkai database. ``Store(url)`` connects and brings the schema up to date."""

    def __init__(self, url: str | None = None, engine: Engine | None = None):
        self.url = resolve_url(url)
        self.engine = engine or self._engine(self.url)
        self.migrate()

    def shared_url(self) -> str | None:
        """The URL by which other processes open this store: None for a store in memory."""
        url = self.engine.url  # the engine's: a store may be given an engine rather than a URL
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            return None
        return url.render_as_string(hide_password=False)

    @staticmethod
    def _engine(url: str) -> Engine:
        try:
            # JSON as UTF-8 text, not \uXXXX escapes: half the size for Chinese text
            engine = create_engine(url, json_serializer=_json_dumps)
        except Exception as e:
            raise InputError(f"无法打开数据库 (cannot open database {url!r}: {e})") from None
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            db = engine.url.database
            if db and db != ":memory:":
                Path(db).parent.mkdir(parents=True, exist_ok=True)
                with engine.connect() as c:
                    # a new database's pages: 16 KiB (SQLite's default 4 KiB) holds a report's cells in
                    # a few pages, writing one costs less; a database that has pages keeps their size
                    c.exec_driver_sql(f"PRAGMA page_size={SQLITE_PAGE_SIZE}")
                    c.exec_driver_sql("PRAGMA journal_mode=WAL")  # readers never block the writer
        return engine

    # ------------------------------------------------------------------ schema

    def migrate(self) -> None:
        """Apply the packaged Alembic migrations up to head (a no-op when current)."""
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        head = ScriptDirectory.from_config(cfg).get_current_head()
        try:
            with self.engine.connect() as conn:
                current = MigrationContext.configure(conn).get_current_revision()
                if current == head:
                    return
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except InputError:
            raise
        except Exception as e:
            raise InputError(f"无法打开数据库 (cannot open database: {type(e).__name__}: {e})") from None

    def revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ writing

    def known(self) -> dict[str, str]:
        """sha256 → status of every stored document."""
        with self.engine.connect() as c:
            return dict(driver_rows(c, _KNOWN))  # ≈ 3× faster than SQLAlchemy's rows at 132,000

    def forget(self, sha256s: Iterable[str]) -> None:
        """Drop documents (with everything derived from them), e.g. failed ones before a retry."""
        shas = list(sha256s)
        with self.engine.begin() as c:
            for i in range(0, len(shas), 500):
                ids = select(S.documents.c.id).where(S.documents.c.sha256.in_(shas[i : i + 500]))
                rids = [r for (r,) in c.execute(ids)]
                groups = report_summary.groups_of(c, rids)
                summaries = (S.report_codes, S.review_codes, S.report_summaries)
                for t in (*summaries, S.findings, S.sections, S.cells):
                    c.execute(delete(t).where(t.c.report_id.in_(rids)))
                c.execute(delete(S.reports).where(S.reports.c.id.in_(rids)))
                c.execute(delete(S.documents).where(S.documents.c.id.in_(rids)))
                report_summary.refresh_groups(c, groups)

    def write(
        self, result: dict, path: str | None = None, overrides=None, publication: Publication | None = None
    ) -> str | None:
        """Store one ``process_bytes`` result in one transaction, with its ``publication`` if known. Returns
        its status, or ``None`` when the document is already stored (another writer got there first)."""
        try:
            with self.engine.begin() as c:
                return _write(c, result, path, overrides, publication)
        except IntegrityError:
            if result["sha256"] in self.known():
                return None
            raise

    def write_many(
        self, results: list[tuple[dict, str | None, Publication | None]], overrides=None
    ) -> list[str | None]:
        """Store several ``(result, path, publication)`` in one transaction, as ``write`` would one after
        another; their statuses in order. If one of them is stored already (another writer got there
        first), the batch is written again one document per transaction."""
        try:
            with self.engine.begin() as c:
                return list(_write_many(c, results, overrides))
        except IntegrityError:
            return [self.write(result, path, overrides, pub) for result, path, pub in results]

    # ------------------------------------------------------------------ publication metadata

    def set_publication(self, document: str | int, publication: Publication, overwrite: bool = True) -> bool:
        """Set a stored document's publication metadata (``document``: its sha256 or id). ``overwrite=False``
        fills only the fields still empty. The date also goes into the report's meta (source ``given``),
        where the audit reads it. Returns whether the document exists."""
        d = S.documents
        with self.engine.begin() as c:
            row = c.execute(select(d).where(_document_is(document))).mappings().first()
            if row is None:
                return False
            new = publication if overwrite else Publication.from_row(row).filled_from(publication)
            c.execute(update(d).where(d.c.id == row["id"]).values(**new.columns()))
            if new.published and new.published != row["published"]:
                meta = c.execute(select(S.reports.c.meta).where(S.reports.c.id == row["id"])).scalar()
                if meta is not None:
                    meta = dict(meta)
                    apply_given(meta, {"published": new.published})
                    c.execute(update(S.reports).where(S.reports.c.id == row["id"]).values(meta=meta))
        return True

    def publication(self, document: str | int) -> Publication | None:
        """A stored document's publication metadata (``document``: its sha256 or id), ``None`` if unknown."""
        cols = [S.documents.c[name] for name in PUBLICATION_COLUMNS]
        with self.engine.connect() as c:
            row = c.execute(select(*cols).where(_document_is(document))).mappings().first()
        return None if row is None else Publication.from_row(row)

    def publications(self) -> dict[str, Publication]:
        """sha256 → publication metadata of every stored document that has some."""
        d = S.documents
        cols = [d.c[name] for name in PUBLICATION_COLUMNS]
        known = d.c.source_url.is_not(None) | d.c.published.is_not(None)
        with self.engine.connect() as c:
            rows = c.execute(select(d.c.sha256, *cols).where(known)).mappings().all()
        return {r["sha256"]: Publication.from_row(r) for r in rows}

    # ------------------------------------------------------------------ reading

    def stored_reports(
        self, agency_id: str | None = None, load: bool = False, ids: Iterable[int] | None = None
    ) -> list[StoredReport]:
        d, r = S.documents, S.reports
        q = select(*STORED_REPORT_COLUMNS).join(d, d.c.id == r.c.id)
        if agency_id is not None:
            q = q.where(r.c.agency_id == agency_id)
        if ids is not None:
            q = q.where(r.c.id.in_(list(ids)))
        with self.engine.connect() as c:
            rows = [StoredReport(*row) for row in c.execute(q.order_by(r.c.year, d.c.sha256))]
            if load:
                for chunk in iter_chunks(rows, LOAD_CHUNK):
                    loaded = _load_reports(c, [row.id for row in chunk])
                    for row in chunk:
                        row.report = loaded[row.id]
        return rows

    def load_report(self, report_id: int) -> Report:
        with self.engine.connect() as c:
            return _load_report(c, report_id)

    def agencies(self) -> list[dict]:
        with self.engine.connect() as c:
            return [dict(m) for m in c.execute(select(S.agencies).order_by(S.agencies.c.id)).mappings()]

    # ------------------------------------------------------------------ identity and cross-year findings

    def apply_overrides(self, overrides) -> set[str]:
        """Re-identify every stored report (agency key and region) with ``overrides``; returns the agencies
        whose membership changed (their cross-year findings are refreshed by ``refresh_cross``)."""
        from gongkai.store.regions import identify

        touched: set[str] = set()
        with self.engine.begin() as c:
            rows = c.execute(
                select(
                    S.reports.c.id,
                    S.reports.c.agency,
                    S.reports.c.agency_id,
                    S.reports.c.text,
                    S.reports.c.year,
                )
            ).all()
            for rid, agency, old, text, year in rows:
                ident = identify(agency, text or "", overrides).to_json()
                new = _upsert_agency(c, ident, year)
                reg = ident["region"]
                c.execute(
                    update(S.reports)
                    .where(S.reports.c.id == rid)
                    .values(
                        agency_id=new,
                        province=reg["province"],
                        city=reg["city"],
                        county=reg["county"],
                        region_code=reg["code"],
                        region_source=reg["source"],
                    )
                )
                if new != old:
                    touched.update(x for x in (old, new) if x)
            _drop_orphan_agencies(c)
            report_summary.refresh(c, [rid for rid, *_ in rows])
            if touched:
                c.execute(update(S.agencies).where(S.agencies.c.id.in_(touched)).values(cross_stale=True))
        return touched

    def stale_agencies(self) -> list[str]:
        with self.engine.connect() as c:
            return [
                a for (a,) in c.execute(select(S.agencies.c.id).where(S.agencies.c.cross_stale.is_(True)))
            ]

    def refresh_cross(self, agency_ids: Iterable[str] | None = None) -> int:
        """Bring the cross-year findings (scope ``cross``) of ``agency_ids`` (default: those marked stale) up
        to date: each year's report compared with the year before, only the pairs not compared yet
        (`gongkai.store.cross.refresh`). Returns the number of cross findings their reports have. Without
        the audit module nothing is stored and the agencies stay marked stale."""
        from gongkai.store.cross import refresh

        return refresh(self, agency_ids)

    def findings(self, report_ids: Iterable[int] | None = None) -> dict[int, list[dict]]:
        f = S.findings
        q = select(f.c.report_id, f.c.scope, f.c.data, f.c.message, f.c.evidence).order_by(f.c.id)
        if report_ids is not None:
            q = q.where(f.c.report_id.in_(list(report_ids)))
        out: dict[int, list[dict]] = {}
        with self.engine.connect() as c:
            for rid, scope, data, message, evidence in c.execute(q):
                out.setdefault(rid, []).append(_finding(data, message, evidence, scope))
        return out


def open_store(url: str | None = None) -> Store:
    return Store(url)


_ENGINES: dict[tuple[int, str], Engine] = {}  # (process id, URL) → an engine of this worker process


def worker_connection(source: str | Store) -> Connection:
    """A connection to a store in a worker process: ``source`` a `Store` (used as it is) or its URL (an engine
    made once per process, without migrating: the process that started the work did)."""
    if isinstance(source, Store):
        return source.engine.connect()
    key = (os.getpid(), source)
    if key not in _ENGINES:
        _ENGINES[key] = Store._engine(source)
    return _ENGINES[key].connect()


def _document_is(document: str | int):
    if isinstance(document, int):
        return S.documents.c.id == document
    return S.documents.c.sha256 == document


# ---------------------------------------------------------------------- write helpers (one transaction)


def _region_columns(region: dict) -> dict:
    """A stored region (``identify``) as the reports' and agencies' region columns."""
    return {
        "province": region.get("province"),
        "city": region.get("city"),
        "county": region.get("county"),
        "region_code": region.get("code"),
        "region_source": region.get("source"),
    }


def _write(
    c: Connection,
    result: dict,
    path: str | None,
    overrides,
    publication: Publication | None,
    rows: _Rows | None = None,
) -> str:
    """One document's rows; its cells, sections and findings go to ``rows`` (inserted by the caller before
    the commit), or are inserted here when ``rows`` is None."""
    report = result.get("report")
    status = result["status"] if report is not None else FAILED
    publication = publication or Publication()
    document = _document_row(result, path, publication, status)
    doc_id = c.execute(_INSERT_DOCUMENT, document).inserted_primary_key[0]  # type: ignore[index]  # one row
    if report is None:
        return status
    meta, ident = _identity(result, publication, overrides)
    agency_id = _upsert_agency(c, ident, meta.get("year"))
    row = _report_row(doc_id, report, meta, ident, agency_id)
    c.execute(_INSERT_REPORT, row)
    own = rows is None
    rows = _Rows() if rows is None else rows
    rows.add(doc_id, result, row, document)
    if own:
        rows.insert(c)
    return status


def _write_many(
    c: Connection, results: list[tuple[dict, str | None, Publication | None]], overrides
) -> list[str]:
    """``_write`` of each of ``results`` in turn, in a few statements for the lot: the same rows."""
    statuses: list[str] = []
    documents: list[dict] = []
    for result, path, publication in results:
        statuses.append(result["status"] if result.get("report") is not None else FAILED)
        documents.append(_document_row(result, path, publication or Publication(), statuses[-1]))
    if not documents:
        return statuses
    c.execute(_INSERT_DOCUMENT, documents)
    ids = _document_ids(c, [d["sha256"] for d in documents])
    stored = [
        (result, publication or Publication(), document)
        for (result, _path, publication), document in zip(results, documents, strict=True)
        if result.get("report") is not None
    ]
    if not stored:
        return statuses
    identities = [_identity(result, publication, overrides) for result, publication, _d in stored]
    agency_ids = _upsert_agencies(c, [(ident, meta.get("year")) for meta, ident in identities])
    report_rows = [
        _report_row(ids[document["sha256"]], result["report"], meta, ident, agency_id)
        for (result, _p, document), (meta, ident), agency_id in zip(
            stored, identities, agency_ids, strict=True
        )
    ]
    c.execute(_INSERT_REPORT, report_rows)
    rows = _Rows()
    for (result, _p, document), row in zip(stored, report_rows, strict=True):
        rows.add(row["id"], result, row, document)
    rows.insert(c)
    return statuses


def _document_row(result: dict, path: str | None, publication: Publication, status: str) -> dict:
    return dict(
        sha256=result["sha256"],
        name=result["name"],
        path=path,
        format=result.get("format"),
        size=result["size"],
        ingested_at=dt.datetime.now(dt.UTC),
        status=status,
        error=result.get("error"),
        tool_version=result.get("tool_version"),
        **publication.columns(),
    )


def _document_ids(c: Connection, sha256s: list[str]) -> dict[str, int]:
    """sha256 → id of stored documents."""
    d = S.documents
    ids: dict[str, int] = {}
    for part in iter_chunks(sha256s, 500):
        ids.update(c.execute(select(d.c.sha256, d.c.id).where(d.c.sha256.in_(part))).all())
    return ids


def _identity(result: dict, publication: Publication, overrides) -> tuple[dict, dict]:
    """A result's report meta with the publication date put in, and its identity (``identify``), again
    under ``overrides`` when there are some."""
    report = result["report"]
    meta = report.get("meta") or {}
    if publication.published and meta.get("published") != publication.published:
        meta = dict(meta)
        apply_given(meta, {"published": publication.published})
    ident = result.get("identity") or {}
    if overrides is not None and len(overrides):
        from gongkai.store.regions import identify

        ident = identify(meta.get("agency"), report.get("text") or "", overrides).to_json()
    return meta, ident


def _report_row(doc_id: int, report: dict, meta: dict, ident: dict, agency_id: str | None) -> dict:
    return dict(
        id=doc_id,
        agency=meta.get("agency"),
        agency_id=agency_id,
        year=meta.get("year"),
        layout=meta.get("template"),
        title=meta.get("title"),
        **_region_columns(ident.get("region") or {}),
        meta=meta,
        notes=report.get("notes") or [],
        uncertain=_uncertain_count(report.get("uncertain")),
        text=report.get("text"),
        cross_previous=report.get(CROSS_PREVIOUS),
    )


# Built once: making a statement per row costs SQLAlchemy more than running it (compiled forms are cached).
_INSERT_DOCUMENT = insert(S.documents)
_INSERT_REPORT = insert(S.reports)
_AGENCY_EXISTS = select(S.agencies.c.id).where(S.agencies.c.id == bindparam("agency_id"))
_INSERT_AGENCY = insert(S.agencies)
_UPDATE_AGENCY = update(S.agencies).where(S.agencies.c.id == bindparam("agency_key"))
_LATEST_YEAR = select(func.max(S.reports.c.year)).where(S.reports.c.agency_id == bindparam("agency_id"))


def _upsert_agency(c: Connection, ident: dict, year: int | None) -> str | None:
    """Insert or update the agency row; its name is the one of the latest year seen. Marks it stale for
    the cross-year checks."""
    agency_id = ident.get("agency_id")
    if not ident.get("name") or not agency_id:
        return None
    reg = ident.get("region") or {}
    values = dict(
        name=ident["name"],
        **_region_columns(reg),
        cross_stale=True,
    )
    exists = c.execute(_AGENCY_EXISTS, {"agency_id": agency_id}).first()
    if exists is None:
        try:
            with c.begin_nested() if c.dialect.name != "sqlite" else _nullcontext():
                c.execute(_INSERT_AGENCY, {"id": agency_id, **values})
            return agency_id
        except IntegrityError:  # another writer inserted it meanwhile
            pass
    latest = c.execute(_LATEST_YEAR, {"agency_id": agency_id}).scalar()
    if year is None or latest is None or year >= latest:
        c.execute(_UPDATE_AGENCY, {"agency_key": agency_id, **values})
    else:
        c.execute(_UPDATE_AGENCY, {"agency_key": agency_id, "cross_stale": True})
    return agency_id


def _upsert_agencies(c: Connection, wanted: list[tuple[dict, int | None]]) -> list[str | None]:
    """``_upsert_agency`` of each ``(identity, year)`` in turn, each as if the reports before it were stored
    already, in a few statements for the lot: the same rows."""
    a, r = S.agencies, S.reports
    keys = sorted({i["agency_id"] for i, _y in wanted if i.get("name") and i.get("agency_id")})
    exists: set[str] = set()
    latest: dict[str, int | None] = {}
    for part in iter_chunks(keys, 500):
        exists.update(c.execute(select(a.c.id).where(a.c.id.in_(part))).scalars())
        years = (
            select(r.c.agency_id, func.max(r.c.year)).where(r.c.agency_id.in_(part)).group_by(r.c.agency_id)
        )
        latest.update(c.execute(years).all())
    new: dict[str, dict] = {}  # agency → its row's values, last written
    changed: dict[str, dict | None] = {}  # stored agency → its new values (None: marked stale only)
    out: list[str | None] = []
    for ident, year in wanted:
        agency_id = ident.get("agency_id")
        if not ident.get("name") or not agency_id:
            out.append(None)
            continue
        out.append(agency_id)
        values = dict(name=ident["name"], **_region_columns(ident.get("region") or {}), cross_stale=True)
        top = latest.get(agency_id)
        if agency_id not in exists and agency_id not in new:
            new[agency_id] = values
        elif year is None or top is None or year >= top:
            (new if agency_id in new else changed)[agency_id] = values
        else:
            changed.setdefault(agency_id, None)
        if year is not None:  # this report is stored before the next one looks
            latest[agency_id] = year if top is None else max(top, year)
    if new:
        c.execute(_INSERT_AGENCY, [{"id": k, **v} for k, v in new.items()])
    if updates := [{"agency_key": k, **v} for k, v in changed.items() if v is not None]:
        c.execute(_UPDATE_AGENCY, updates)
    if stale := [k for k, v in changed.items() if v is None]:
        c.execute(update(a).where(a.c.id.in_(stale)).values(cross_stale=True))
    return out


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _drop_orphan_agencies(c: Connection) -> None:
    used = select(S.reports.c.agency_id).where(S.reports.c.agency_id.is_not(None))
    c.execute(delete(S.agencies).where(S.agencies.c.id.not_in(used)))


CROSS_PREVIOUS = "cross_previous"  # a prepared record's ``reports.cross_previous`` (`gongkai.store.cross`)
PREPARED_ROWS = "store_rows"  # a `prepared` record's cell columns, section and finding rows, cell summary
_WRITTEN_REPORT_KEYS = ("meta", "notes", "uncertain", "text")  # what `_write` reads of a prepared report


def prepared(result: dict) -> dict:
    """A ``process_bytes`` result made ready for `Store.write` where it was read (ingest's workers): its
    cell, section and finding rows built and their JSON serialized there, the report cut down to what the
    writer still reads (``uncertain`` as a count). Written, it gives the same rows as the full result; it
    is smaller to send and leaves the single writer less to do.

    The rows: the cells as columns (``_CELL_COLUMNS``: path, table, row, column, value, raw, status,
    provenance; the writer adds the report id and the place), the sections and findings as tuples in their
    tables' column order with the report id left None, then the summary's ``CellSummary`` of the cells."""
    report = result.get("report")
    if report is None:
        return result
    slim = {k: report[k] for k in _WRITTEN_REPORT_KEYS if k in report}
    slim["uncertain"] = _uncertain_count(report.get("uncertain"))
    rows = _prepared_rows(report, result.get("findings") or [])
    return {**result, "report": slim, "findings": [], PREPARED_ROWS: rows}


def prepared_report(report: Report) -> dict:
    """What `prepared` keeps of ``report``'s JSON, built from the report itself (no ``to_json``), with its
    cell columns and section rows under ``PREPARED_ROWS`` (`with_findings` adds the finding rows)."""
    meta_uncertain = report.meta.get("uncertain") or {}
    return {
        "meta": report.meta,
        "notes": report.notes,
        "uncertain": len(report.uncertain()) + len(meta_uncertain),  # as in to_json's ``uncertain``
        "text": report.text,
        PREPARED_ROWS: (
            cells := _report_cell_columns(report),
            _report_section_rows(report),
            _cell_summary(cells),
        ),
    }


def with_findings(result: dict, pair: tuple[int, list[dict]] | None = None) -> dict:
    """A result whose report is a `prepared_report`, made a `prepared` record: its findings as rows. ``pair``:
    the report compared with its agency's year before (`gongkai.store.cross.pair_in_worker`): that report's
    id and the cross findings, stored with it."""
    report = result.get("report")
    if report is None:
        return result
    cells, sections, summary = report.pop(PREPARED_ROWS)
    found = _finding_rows(None, result.get("findings") or [], "report", _json_dumps)
    if pair is not None:
        report[CROSS_PREVIOUS] = pair[0]
        found += _finding_rows(None, pair[1], "cross", _json_dumps)
    return {**result, "findings": [], PREPARED_ROWS: (cells, sections, found, summary)}


def _prepared_rows(report: dict, findings: list[dict]) -> tuple:
    """The rows of a ``Report.to_json`` report and its findings, as `prepared` sends them."""
    rows = _cell_rows(None, report, _json_dumps)
    columns = tuple(list(c) for c in zip(*rows, strict=True)) if rows else ((),) * 10
    cells = (*columns[1:2], *columns[3:])  # neither the report id nor the place
    return (
        cells,
        _section_rows(None, report, _json_dumps),
        _finding_rows(None, findings, "report", _json_dumps),
        _cell_summary(cells),
    )


def _cell_summary(cells: tuple) -> report_summary.CellSummary:
    """The summary's figures of a report's cell columns."""
    return report_summary.cell_summary(list(zip(*cells[1:5], strict=True)))  # table, row, column, value


def _uncertain_count(uncertain: dict | int | None) -> int:
    """A report's number of uncertain cells and meta values: ``uncertain`` as to_json gives it, or counted."""
    return uncertain if isinstance(uncertain, int) else len(uncertain or {})


_SECTION_COLUMNS = ("key", "heading", "text", "line", "start", "end")
_CELL_COLUMNS = ("path", "value", "status", "raw")
# path → (table, row, column): the same string objects for every report (sent once per pickled record)
_PATH_PARTS: dict[str, tuple[str, str, str]] = {}


def _path_parts(path: str) -> tuple[str, str, str]:
    parts = _PATH_PARTS.get(path)
    if parts is None:
        t, r, col = path.split(".")
        if t not in template.TABLE_KEYS:
            raise KeyError(t)  # as Report.tables_json does
        parts = _PATH_PARTS[path] = (t, r, col)
    return parts


def _report_cell_columns(report: Report) -> tuple[list, ...]:
    """``_cell_rows`` of ``report.to_json(detail=True)`` as columns, from the cells themselves."""
    paths = list(report.cells)
    cells = list(report.cells.values())
    parts = [_PATH_PARTS.get(p) or _path_parts(p) for p in paths]
    values = [c.value for c in cells]
    return (
        paths,
        [p[0] for p in parts],
        [p[1] for p in parts],
        [p[2] for p in parts],
        values,
        [c.raw or None for c in cells],
        [c.status or ("read" if c.value is not None else "blank") for c in cells],
        _provenances(cells),
    )


def _provenances(cells: list) -> list[str]:
    """``_provenance`` of each cell. Cells read from one line share its provenance entry (the same
    object): their JSON is made once per entry and note, and sent as one string."""
    made: dict[tuple[int | None, str], str] = {}
    out = []
    for cell in cells:
        where, note = cell.where, cell.note
        if cell.candidates or len(where) > 1 or type(note) is not str:
            out.append(_provenance(cell))
            continue
        key = (id(where[0]) if where else None, note)  # the entry is alive (the cell holds it) meanwhile
        text = made.get(key)
        if text is None:
            text = made[key] = _provenance(cell)
        out.append(text)
    return out


def _provenance(cell: Any) -> str:
    """The JSON of a cell's ``Cell.to_json`` keys beyond the columns, those set (``null`` for none): what
    ``_json_dumps`` gives of that dict, put together from its values' JSON (no dict built)."""
    parts = []
    if cell.candidates:
        parts.append('"candidates": ' + _json_dumps(cell.candidates))
    if cell.where:
        parts.append('"where": ' + _json_dumps(cell.where))
    note = cell.note
    if note:
        parts.append('"note": ' + (_json_string(note) if type(note) is str else _json_dumps(note)))
    return "{" + ", ".join(parts) + "}" if parts else "null"


_SECTION_EXTRA = tuple(f.name for f in fields(SectionText) if f.name not in _SECTION_COLUMNS)


def _report_section_rows(report: Report) -> list[tuple]:
    """``_section_rows`` of ``report.to_json()``, from the sections themselves."""
    dumps = _json_dumps
    return [
        (
            None,
            k,
            s.heading,
            s.text,
            s.line,
            s.start,
            s.end,
            dumps({x: getattr(s, x) for x in _SECTION_EXTRA} or None),
        )
        for k, s in report.sections.items()
    ]


class _Rows:
    """Cell, section and finding rows waiting to be inserted, as tuples in the tables' column order with
    the JSON columns serialized already (the engine's serializer, as SQLAlchemy's JSON type would): one
    ``executemany`` of a prepared statement per table, with no per-row work in SQLAlchemy."""

    def __init__(self) -> None:
        self.cells: list[tuple] = []
        self.sections: list[tuple] = []
        self.findings: list[tuple] = []
        self.summaries: list[tuple] = []  # report_summary.add_many's, after the rows
        self.json = _json_dumps

    def add(self, doc_id: int, result: dict, row: dict, document: dict) -> None:
        """A written report's cell, section and finding rows (made in the worker, `prepared`, or here), and
        its summary's due once they are in: ``row`` its reports row, ``document`` its documents row."""
        ready = result.get(PREPARED_ROWS) or _prepared_rows(result["report"], result.get("findings") or [])
        cells, sections, found, summary = ready
        paths, tables, row_keys, column_keys = cells[:4]
        n = len(paths)
        self.cells.extend(
            zip(repeat(doc_id, n), paths, range(n), tables, row_keys, column_keys, *cells[4:], strict=True)
        )
        self.sections.extend((doc_id, *r[1:]) for r in sections)
        self.findings.extend((doc_id, *r[1:]) for r in found)
        stored = [{"code": r[2], "severity": r[3], "fingerprint": r[8]} for r in found]
        summary_row = {**row, "status": document["status"], "sha256": document["sha256"]}
        summary_row["ingested_at"] = document["ingested_at"]
        self.summaries.append((doc_id, summary_row, stored, summary))

    def insert(self, c: Connection) -> None:
        for table, rows in ((S.cells, self.cells), (S.sections, self.sections), (S.findings, self.findings)):
            _execute_many(c, table, rows)
            rows.clear()
        report_summary.add_many(c, self.summaries)
        self.summaries.clear()


_JSON = json.JSONEncoder(ensure_ascii=False)  # what json.dumps(o, ensure_ascii=False) does, built once
# The same encoder's C core, built once: JSONEncoder.encode builds it anew for every value, which cost more
# than the encoding of the ~200 small values of a report. No circular-reference markers (shared state across
# threads): the values are plain JSON data.
_C_MAKE_ENCODER = getattr(json.encoder, "c_make_encoder", None)  # None without the C accelerator
_C_ENCODE = (
    _C_MAKE_ENCODER(None, _JSON.default, json.encoder.encode_basestring, None, ": ", ", ", False, False, True)
    if _C_MAKE_ENCODER is not None
    else None
)


_json_string = json.encoder.encode_basestring  # a str as JSON (ensure_ascii=False), C-accelerated


def _json_dumps(o: Any) -> str:
    if _C_ENCODE is None:
        return _JSON.encode(o)
    return "".join(_C_ENCODE(o, 0))


_CELL_KEYS = tuple(c.name for c in S.cells.c)
_SECTION_KEYS = tuple(c.name for c in S.sections.c)
_FINDING_KEYS = tuple(c.name for c in S.findings.c if c.name != "id")


def _execute_many(c: Connection, table, rows: list[tuple]) -> None:
    """INSERT ``rows`` (tuples in the table's column order, ``id`` left out when it is generated)."""
    keys = {S.cells: _CELL_KEYS, S.sections: _SECTION_KEYS, S.findings: _FINDING_KEYS}[table]
    insert_rows(c, table, keys, rows)


def _cell_rows(report_id: int | None, report: dict, dumps) -> list[tuple]:
    detail = report.get("cells") or {}
    values = {
        f"{t}.{r}.{col}": v
        for t in template.TABLE_KEYS
        for r, cols in (report.get(t) or {}).items()
        for col, v in cols.items()
    }
    order = [p for p in detail if p in values] + [p for p in values if p not in detail]
    rows = []
    for seq, path in enumerate(order):
        t, r, col = path.split(".")
        value = values[path]
        d = detail.get(path) or {}
        prov = {k: v for k, v in d.items() if k not in _CELL_COLUMNS and v not in (None, "", [])}
        status = d.get("status") or ("read" if value is not None else "blank")
        rows.append((report_id, path, seq, t, r, col, value, d.get("raw"), status, dumps(prov or None)))
    return rows


def _insert_sections(c: Connection, report_id: int, report: dict) -> None:
    _execute_many(c, S.sections, _section_rows(report_id, report, _json_dumps))


def _section_rows(report_id: int | None, report: dict, dumps) -> list[tuple]:
    return [
        (
            report_id,
            k,
            s.get("heading"),
            s.get("text"),
            s.get("line"),
            s.get("start"),
            s.get("end"),
            dumps({x: v for x, v in s.items() if x not in _SECTION_COLUMNS} or None),
        )
        for k, s in (report.get("sections") or {}).items()
    ]


def _insert_findings(c: Connection, report_id: int, found: list[dict], scope: str) -> None:
    _execute_many(c, S.findings, _finding_rows(report_id, found, scope, _json_dumps))


def _finding_rows(report_id: int | None, found: list[dict], scope: str, dumps) -> list[tuple]:
    return [
        (
            report_id,
            scope,
            str(f.get("code", "")),
            str(f.get("severity", "")),
            f.get("message"),
            _location(f.get("where")),
            dumps(f.get("evidence")),
            # no copy of the big parts
            dumps({k: v for k, v in f.items() if k not in ("message", "evidence")}),
            fingerprint(f),
        )
        for f in found
    ]


def _finding(data: dict | None, message, evidence, scope: str | None = None) -> dict:
    """A stored finding back in its ``Finding.to_json()`` shape (plus ``scope``)."""
    out = dict(data or {})
    out["message"] = message
    if evidence is not None:
        out["evidence"] = evidence
    if scope is not None:
        out["scope"] = scope
    return out


def _location(where) -> str | None:
    """The most specific place of a finding (its first ``where``), for SQL; the full list is in ``data``."""
    if where is None:
        return None
    if isinstance(where, list | tuple):
        return str(where[0]) if where else None
    return str(where)


def _refresh_status(c: Connection, report_id: int) -> None:
    data = [d for (d,) in c.execute(select(S.findings.c.data).where(S.findings.c.report_id == report_id))]
    unc = c.execute(select(S.reports.c.uncertain).where(S.reports.c.id == report_id)).scalar() or 0
    c.execute(
        update(S.documents)
        .where(S.documents.c.id == report_id)
        .values(status=status_of([d or {} for d in data], unc))
    )


# ---------------------------------------------------------------------- reading helpers


def _load_report(c: Connection, report_id: int) -> Report:
    return _load_reports(c, [report_id])[report_id]


def _load_reports(c: Connection, report_ids: list[int]) -> dict[int, Report]:
    """Stored reports rebuilt, three queries for the lot (callers pass a bounded chunk)."""
    data: dict[int, dict[str, Any]] = {}
    texts: dict[int, str] = {}
    for row in c.execute(select(S.reports).where(S.reports.c.id.in_(report_ids))).mappings():
        data[row["id"]] = {
            "meta": dict(row["meta"] or {}),
            "table2": {},
            "table3": {},
            "table4": {},
            "cells": {},
            "sections": {},
            "notes": list(row["notes"] or []),
        }
        texts[row["id"]] = row["text"] or ""
    missing = [i for i in report_ids if i not in data]
    if missing:
        raise NoResultFound(f"no stored report {missing[0]}")
    q = select(S.cells).where(S.cells.c.report_id.in_(report_ids))
    for cell in c.execute(q.order_by(S.cells.c.report_id, S.cells.c.seq)).mappings():
        one = data[cell["report_id"]]
        value = _num(cell["value"])
        one[cell["table_key"]].setdefault(cell["row_key"], {})[cell["column_key"]] = value
        prov = cell["provenance"] or {}
        one["cells"][cell["path"]] = {
            "path": cell["path"],
            "value": value,
            "status": cell["status"],
            "raw": cell["raw"],
            **prov,
        }
    q = select(S.sections).where(S.sections.c.report_id.in_(report_ids))
    for sec in c.execute(q.order_by(S.sections.c.report_id, S.sections.c.key)).mappings():
        data[sec["report_id"]]["sections"][sec["key"]] = {
            "key": sec["key"],
            "heading": sec["heading"],
            "text": sec["text"],
            "line": sec["line"],
            "start": sec["start_offset"],
            "end": sec["end_offset"],
            **(sec["extra"] or {}),
        }
    out = {}
    for rid, one in data.items():
        report = Report.from_json(one)
        report.text = texts[rid]
        out[rid] = report
    return out


def representative_rank(uncertain: int, fmt: str | None, sha256: str | None) -> tuple[int, int, str]:
    """Which of several files holding one agency's year speaks for it (smallest first): fewest uncertain
    cells, then the most structured format, then the smallest sha256 (never the ingest order)."""
    return (uncertain or 0, FORMAT_RANK.get(fmt or "", 9), sha256 or "")


def representatives(reps: list[StoredReport]) -> list[StoredReport]:
    """One report per year of one agency, by ``representative_rank``."""
    best: dict[int, StoredReport] = {}
    for r in reps:
        if r.year is None:
            continue
        cur = best.get(r.year)
        rank = representative_rank(r.uncertain, r.format, r.sha256)
        if cur is None or rank < representative_rank(cur.uncertain, cur.format, cur.sha256):
            best[r.year] = r
    return [best[y] for y in sorted(best)]


def iter_chunks(items: list, n: int) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i : i + n]
