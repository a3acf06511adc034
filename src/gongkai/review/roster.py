"""The roster (名录): the agencies that must publish a report, imported from CSV or XLSX, matched to the
store's agencies through the same identity the store gives every report, with a manual match for the rest.

Columns (Chinese or English header): 名称/name, 地区/region, 层级/level, 类型/kind (部门, 本级人民政府,
乡镇街道, 其他), optional 网址/url and 截止日期/due. A bad file is refused as a whole with the row and
column of the first problem; nothing is half-imported.

>>> import_roster("sqlite:///gongkai.db", "名录.xlsx").count
38
>>> [r.name for r in roster_coverage("sqlite:///gongkai.db", 2024) if r.status == "unpublished"]
['某某镇人民政府']
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, exists, func, insert, select, update

from gongkai.audit import kinds
from gongkai.audit.agency import normalise
from gongkai.errors import InputError
from gongkai.review.common import log, opened
from gongkai.review.versions import publication_dates
from gongkai.store import schema as S
from gongkai.store.regions import identify

__all__ = [
    "COLUMNS",
    "CoverageRow",
    "RosterEntry",
    "RosterImport",
    "coverage_counts",
    "import_roster",
    "read_roster",
    "roster",
    "roster_coverage",
    "set_match",
]

# key → (Chinese label, accepted headers); the first four are required
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("名称", ("名称", "单位名称", "机关名称", "单位", "name", "agency")),
    "region": ("地区", ("地区", "所属地区", "区域", "行政区划", "region")),
    "level": ("层级", ("层级", "级别", "行政层级", "level")),
    "kind": ("类型", ("类型", "类别", "单位类型", "kind")),
    "url": ("网址", ("网址", "网站", "公开网址", "url", "URL")),
    "due": ("截止日期", ("截止日期", "报送期限", "发布期限", "期限", "due")),
}
REQUIRED = ("name", "region", "level", "kind")
PUBLISHED, UNPUBLISHED, UNMATCHED = "published", "unpublished", "unmatched"
STATUS_LABELS = {PUBLISHED: "已发布", UNPUBLISHED: "未发布", UNMATCHED: "名录外"}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass
class RosterEntry:
    name: str
    region: str
    level: str
    kind: str  # a code of gongkai.audit.kinds
    url: str | None = None
    due: str | None = None  # ISO date
    row: int | None = None  # row in the file (header = 1)
    agency_id: str | None = None
    manual: bool = False

    @property
    def kind_label(self) -> str:
        return kinds.label(self.kind)


@dataclass
class RosterImport:
    count: int
    matched: int
    unmatched: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------- reading the file


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _csv_rows(path: Path, data: bytes) -> list[list[str]]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        row = data[: e.start].count(b"\n") + 1
        raise InputError(
            f"第{row}行：文件不是 UTF-8 编码，请另存为 UTF-8 的 CSV 或 XLSX (not UTF-8 encoded)"
        ) from None
    if "\x00" in text:
        raise InputError("第1行：文件不是 UTF-8 编码的文本，请另存为 UTF-8 的 CSV 或 XLSX (not UTF-8 text)")
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as e:
        raise InputError(f"无法读取 XLSX 文件 (cannot read XLSX: {type(e).__name__})") from None
    return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def _header(cells: list[str]) -> dict[str, int]:
    wanted = {h.lower(): key for key, (_, heads) in COLUMNS.items() for h in heads}
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        key = wanted.get(cell.strip().lower())
        if key and key not in found:
            found[key] = i
    for key in REQUIRED:
        if key not in found:
            label, heads = COLUMNS[key]
            raise InputError(
                f"第1行：缺少「{label}」列 (missing column; header one of {'、'.join(heads[:-1])})"
            )
    return found


def _kind(value: str, row: int) -> str:
    if value in kinds.KINDS:
        return value
    for code, label in kinds.LABELS.items():
        if value == label:
            return code
    labels = "、".join(kinds.LABELS.values())
    raise InputError(f"第{row}行「类型」列：未知的类型「{value}」，应为 {labels} 之一 (unknown kind)")


def _due(value: str, row: int) -> str | None:
    if not value:
        return None
    m = _DATE.match(value.split(" ")[0] if " " in value and ":" in value else value)
    try:
        if not m:
            raise ValueError
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        raise InputError(
            f"第{row}行「截止日期」列：无法识别的日期「{value}」，应写作 2025-01-31 (bad date)"
        ) from None


def read_roster(path: str | Path) -> list[RosterEntry]:
    """The entries of a roster file, checked: every required column, a name, a known kind, a date, and no
    agency twice. Raises ``InputError`` naming the first bad row and column."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"无法读取文件 (cannot read: {e.strerror})") from None
    rows = _xlsx_rows(data) if data[:2] == b"PK" else _csv_rows(path, data)
    while rows and not any(rows[0]):
        rows.pop(0)
    if not rows:
        raise InputError("第1行：文件为空 (empty roster)")
    cols = _header(rows[0])
    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cells):
            continue

        def get(key: str, cells=cells) -> str:
            i = cols.get(key)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        for key in REQUIRED:
            if not get(key):
                raise InputError(f"第{number}行「{COLUMNS[key][0]}」列：不能为空 (required)")
        name = get("name")
        key = normalise(name)
        if key in seen:
            raise InputError(
                f"第{number}行「名称」列：单位「{name}」与第{seen[key]}行重复 (duplicate agency)"
            )
        seen[key] = number
        entries.append(
            RosterEntry(
                name=name,
                region=get("region"),
                level=get("level"),
                kind=_kind(get("kind"), number),
                url=get("url") or None,
                due=_due(get("due"), number),
                row=number,
            )
        )
    return entries


# ---------------------------------------------------------------------- matching and importing


def _auto_match(entry: RosterEntry, agencies: dict[str, str]) -> str | None:
    """The store agency whose key the roster name (or region + name) identifies to, else whose name reads
    the same once province/city prefixes are dropped."""
    candidates = [entry.name]
    if entry.region and not entry.name.startswith(entry.region):
        candidates.append(entry.region + entry.name)
    for name in candidates:
        agency_id = identify(name).agency_id
        if agency_id in agencies:
            return agency_id
    wanted = normalise(entry.name)
    for agency_id, name in agencies.items():
        if normalise(name) == wanted:
            return agency_id
    return None


def import_roster(url_or_store, path: str | Path, user: str | None = None) -> RosterImport:
    """Replace the roster with the file's entries (all or nothing); manual matches of names kept are kept."""
    entries = read_roster(path)
    with opened(url_or_store) as store:
        agencies = {a["id"]: a["name"] for a in store.agencies()}
        with store.engine.begin() as c:
            manual = {
                name: agency_id
                for name, agency_id in c.execute(
                    select(S.roster.c.name, S.roster.c.agency_id).where(S.roster.c.manual.is_(True))
                )
            }
            c.execute(delete(S.roster))
            for e in entries:
                if e.name in manual:
                    e.agency_id, e.manual = manual[e.name], True
                else:
                    e.agency_id = _auto_match(e, agencies)
                c.execute(insert(S.roster).values(**_row(e)))
            log(c, user, "roster_import", str(Path(path).name), count=len(entries))
    unmatched = [e.name for e in entries if not e.agency_id]
    return RosterImport(len(entries), len(entries) - len(unmatched), unmatched)


def _row(e: RosterEntry) -> dict:
    return dict(
        name=e.name,
        region=e.region,
        level=e.level,
        kind=e.kind,
        url=e.url,
        due=e.due,
        row=e.row,
        agency_id=e.agency_id,
        manual=e.manual,
    )


def rematch(url_or_store) -> int:
    """Match the roster's automatic entries again (after new agencies were ingested): how many match."""
    with opened(url_or_store) as store:
        agencies = {a["id"]: a["name"] for a in store.agencies()}
        entries = roster(store)
        with store.engine.begin() as c:
            for e in entries:
                if e.manual:
                    continue
                new = _auto_match(e, agencies)
                if new != e.agency_id:
                    c.execute(update(S.roster).where(S.roster.c.name == e.name).values(agency_id=new))
                    e.agency_id = new
    return sum(1 for e in entries if e.agency_id)


def roster(url_or_store=None) -> list[RosterEntry]:
    with opened(url_or_store) as store, store.engine.connect() as c:
        rows = c.execute(select(S.roster).order_by(S.roster.c.row, S.roster.c.id)).mappings().all()
    return [_entry(r) for r in rows]


def set_match(url_or_store, name: str, agency_id: str | None, user: str | None = None) -> None:
    """Match a roster entry to a store agency by hand (``None`` clears the match)."""
    with opened(url_or_store) as store:
        known = {a["id"] for a in store.agencies()}
        if agency_id is not None and agency_id not in known:
            raise InputError(f"没有这个机关 (unknown agency id {agency_id!r})")
        with store.engine.begin() as c:
            done = c.execute(
                update(S.roster).where(S.roster.c.name == name).values(agency_id=agency_id, manual=True)
            )
            if not done.rowcount:
                raise InputError(f"名录中没有「{name}」 (not in the roster)")
            log(c, user, "roster_match", name, agency_id=agency_id)


# ---------------------------------------------------------------------- coverage against the roster


@dataclass
class CoverageRow:
    name: str
    region: str | None
    kind: str | None
    status: str  # published | unpublished | unmatched (a report of an agency not on the roster)
    agency_id: str | None = None
    due: str | None = None
    report_id: int | None = None
    published: str | None = None
    on_time: bool | None = None  # None when the due date or the publication date is unknown
    entry: RosterEntry | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def kind_label(self) -> str:
        return kinds.label(self.kind) if self.kind else ""


def campaign_year(url_or_store=None) -> int | None:
    """The year a campaign reviews by default: the latest year of a current version."""
    rs = S.report_summaries
    with opened(url_or_store) as store, store.engine.connect() as c:
        return c.execute(select(func.max(rs.c.year)).where(rs.c.current.is_(True))).scalar()


def _current_of_year(year: int | None):
    rs = S.report_summaries
    same_year = rs.c.year.is_(None) if year is None else rs.c.year == year
    return rs.c.current.is_(True) & same_year


def _unmatched_query(year: int | None):
    """The current versions of ``year`` whose agency is not on the roster, by name."""
    rs, a, d = S.report_summaries, S.agencies, S.documents
    listed = select(S.roster.c.id).where(S.roster.c.agency_id == rs.c.subject)
    name = func.coalesce(a.c.name, rs.c.agency, d.c.name)
    return (
        select(rs.c.report_id, rs.c.agency_id, name.label("name"), rs.c.province, rs.c.city, rs.c.county)
        .select_from(rs)
        .join(d, d.c.id == rs.c.report_id)
        .outerjoin(a, a.c.id == rs.c.agency_id)
        .where(_current_of_year(year), ~exists(listed))
        .order_by(name, rs.c.report_id)
    )


def _roster_query(year: int | None, status: str | None):
    rs, ro = S.report_summaries, S.roster
    q = (
        select(ro, rs.c.report_id.label("report_id"))
        .select_from(ro)
        .outerjoin(rs, (rs.c.subject == ro.c.agency_id) & _current_of_year(year))
        .order_by(ro.c.row, ro.c.id)
    )
    if status == PUBLISHED:
        q = q.where(rs.c.report_id.is_not(None))
    elif status == UNPUBLISHED:
        q = q.where(rs.c.report_id.is_(None))
    return q


def coverage_counts(url_or_store=None, year: int | None = None) -> dict[str, int]:
    """How many roster entries published a current version of ``year`` (已发布), how many did not (未发布),
    and how many current versions of that year are of agencies not on the roster (名录外); in SQL."""
    with opened(url_or_store) as store, store.engine.connect() as c:
        year = year if year is not None else campaign_year(store)
        total = c.execute(select(func.count()).select_from(S.roster)).scalar() or 0
        published = c.execute(select(func.count()).select_from(_roster_query(year, PUBLISHED).subquery()))
        unmatched = c.execute(
            select(func.count()).select_from(_unmatched_query(year).order_by(None).subquery())
        )
        n = published.scalar() or 0
        return {PUBLISHED: n, UNPUBLISHED: total - n, UNMATCHED: unmatched.scalar() or 0}


def roster_coverage(
    url_or_store=None,
    year: int | None = None,
    status: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[CoverageRow]:
    """Every roster entry with its current report of ``year`` (已发布) or none (未发布), then the stored
    reports of that year whose agency is not on the roster (名录外); only those of ``status`` when given,
    ``limit`` of them from ``offset`` for one page (in SQL)."""
    with opened(url_or_store) as store, store.engine.connect() as c:
        year = year if year is not None else campaign_year(store)
        rows: list[CoverageRow] = []
        if status in (None, "", PUBLISHED, UNPUBLISHED):
            q = _roster_query(year, status or None)
            if limit is not None:
                q = q.limit(limit).offset(offset)
            rows = [_coverage_row(_entry(m), m["report_id"]) for m in c.execute(q).mappings()]
        if status in (None, "", UNMATCHED) and (limit is None or len(rows) < limit):
            q = _unmatched_query(year)
            if limit is not None:
                skip = offset
                if status != UNMATCHED:  # the roster's rows came first
                    listed = c.execute(select(func.count()).select_from(S.roster)).scalar() or 0
                    skip = max(0, offset - listed)
                q = q.limit(limit - len(rows)).offset(skip)
            rows += [_unmatched_row(m) for m in c.execute(q).mappings()]
        _add_publication(c, rows)
    return rows


def _entry(m) -> RosterEntry:
    return RosterEntry(
        name=m["name"],
        region=m["region"],
        level=m["level"],
        kind=m["kind"],
        url=m["url"],
        due=m["due"],
        row=m["row"],
        agency_id=m["agency_id"],
        manual=bool(m["manual"]),
    )


def _unmatched_row(m) -> CoverageRow:
    parts: list[str] = []
    for p in (m["province"], m["city"], m["county"]):
        if p and (not parts or parts[-1] != p):
            parts.append(p)
    return CoverageRow(
        name=m["name"],
        region="/".join(parts),
        kind=None,
        status=UNMATCHED,
        agency_id=m["agency_id"],
        report_id=m["report_id"],
    )


def _add_publication(c, rows: list[CoverageRow]) -> None:
    """The publication date of each row's report, and whether it was on time against the roster's date."""
    dates = publication_dates(c, [r.report_id for r in rows if r.report_id is not None])
    for row in rows:
        if row.report_id is None:
            continue
        row.published = dates.get(row.report_id, (None, None))[0]
        if row.status != UNMATCHED and row.due and row.published:
            row.on_time = row.published <= row.due


def roster_entry(url_or_store, name: str) -> RosterEntry:
    """The roster entry of the agency called ``name`` (as written, else the same name normalised)."""
    entries = roster(url_or_store)
    found = [e for e in entries if e.name == name.strip()] or [
        e for e in entries if normalise(e.name) == normalise(name)
    ]
    if not found:
        near = [e.name for e in entries if name.strip() and (name.strip() in e.name or e.name in name)][:3]
        hint = f"；相近的有：{'、'.join(near)}" if near else ""
        raise InputError(f"名录中没有「{name}」(not on the roster){hint}")
    return found[0]


def entry_meta(entry: RosterEntry, year: int | None = None) -> dict:
    """A roster entry as report meta: its kind (source ``given``, which the audit prefers), region, level,
    web address, and its due date as the deadline of its kind when the date is for ``year``'s report."""
    meta: dict = {
        "kind": entry.kind,
        "region": entry.region,
        "level": entry.level,
        "sources": {"kind": "given"},
    }
    if entry.url:
        meta["url"] = entry.url
    if entry.due:
        meta["due"] = entry.due
        if year is not None and entry.due[:4] == str(year + 1):
            meta["deadlines"] = {entry.kind: entry.due[5:]}
    return meta


def roster_year(url_or_store=None) -> int | None:
    """The report year the roster's due dates are for (a due date in year Y is for reports of Y-1), when
    they agree on one; None otherwise."""
    due = select(func.substr(S.roster.c.due, 1, 4)).where(S.roster.c.due.is_not(None)).distinct()
    with opened(url_or_store) as store, store.engine.connect() as c:
        years = {int(y) - 1 for (y,) in c.execute(due) if y and y.isdigit()}
    return years.pop() if len(years) == 1 else None


def unpublished(url_or_store=None, year: int | None = None) -> list[CoverageRow]:
    """The roster entries with no current report of ``year`` (未发布); none without a roster."""
    with opened(url_or_store) as store:
        with store.engine.connect() as c:
            if c.execute(select(S.roster.c.id).limit(1)).first() is None:
                return []
        return [r for r in roster_coverage(store, year) if r.status == UNPUBLISHED]


def _coverage_row(e: RosterEntry, report_id: int | None) -> CoverageRow:
    row = CoverageRow(
        name=e.name,
        region=e.region,
        kind=e.kind,
        status=UNPUBLISHED,
        agency_id=e.agency_id,
        due=e.due,
        entry=e,
    )
    if report_id is not None:
        row.status, row.report_id = PUBLISHED, report_id
    return row
