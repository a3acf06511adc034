"""Scoring and ranking: a deduction scheme (TOML) applied to the roster and the confirmed findings.

Every roster entry starts from the scheme's full score. Deductions: not published; late (publication date
after the roster's due date); each confirmed finding of the current version, under the first item whose
codes list its rule, else under the item of its severity; each item capped. Ranks are per region and kind;
scores below the scheme's ``red`` / ``yellow`` thresholds make the red and yellow lists. Runs are stored
with their scheme.

>>> run = score("sqlite:///gongkai.db", year=2024)
>>> run.agencies[0].score, run.agencies[0].rank
(100, 1)
"""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Numeric, case, cast, exists, func, insert, literal, null, select, tuple_

from gongkai.errors import InputError
from gongkai.review.common import as_utc, log, now, opened
from gongkai.review.reviews import CONFIRMED
from gongkai.review.roster import PUBLISHED, UNPUBLISHED, campaign_year, roster_coverage
from gongkai.store import schema as S

__all__ = [
    "AgencyScore",
    "Item",
    "Scheme",
    "ScoreRun",
    "load_scheme",
    "parse_scheme",
    "run_scheme",
    "score",
    "score_runs",
    "stored_run",
    "stored_schemes",
]

NOT_PUBLISHED, LATE = "not_published", "late"
RED, YELLOW = "red", "yellow"
LIST_LABELS = {RED: "红牌", YELLOW: "黄牌"}


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    points: float
    cap: float | None = None
    codes: tuple[str, ...] = ()
    severity: str | None = None

    def deduction(self, count: int) -> float:
        total = count * self.points
        return min(total, self.cap) if self.cap is not None else total


@dataclass(frozen=True)
class Scheme:
    name: str
    version: str
    full: float
    red: float
    yellow: float
    items: tuple[Item, ...]
    text: str  # the TOML as read, stored with every run

    def item(self, key: str) -> Item | None:
        return next((i for i in self.items if i.key == key), None)

    def item_for(self, code: str, severity: str) -> Item | None:
        for i in self.items:
            if code in i.codes:
                return i
        return next((i for i in self.items if i.severity == severity and not i.codes), None)


def _number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{where}：应为数字 (not a number: {value!r})")
    return float(value)


def load_scheme(path: str | Path | None = None) -> Scheme:
    """A scheme from a TOML file, or the default one bundled with gongkai."""
    if path is None:
        text = resources.files("gongkai.review").joinpath("data/default_scheme.toml").read_text("utf-8")
    else:
        try:
            text = Path(path).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"无法读取扣分方案 (cannot read scheme: {e})") from None
    return parse_scheme(text)


def parse_scheme(text: str) -> Scheme:
    """A scheme from its TOML text (a file's, or the one stored with a score run)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"扣分方案不是有效的 TOML (invalid TOML: {e})") from None
    head = data.get("scheme") or {}
    if not head.get("name") or not head.get("version"):
        raise InputError("扣分方案缺少 [scheme] 的 name 或 version (scheme needs a name and a version)")
    items = []
    for n, raw in enumerate(data.get("items") or [], start=1):
        if not raw.get("key") or not raw.get("label"):
            raise InputError(f"第{n}个 [[items]]：缺少 key 或 label (item needs a key and a label)")
        cap = raw.get("cap")
        items.append(
            Item(
                key=str(raw["key"]),
                label=str(raw["label"]),
                points=_number(raw.get("points"), f"[[items]] {raw['key']} points"),
                cap=None if cap is None else _number(cap, f"[[items]] {raw['key']} cap"),
                codes=tuple(str(c) for c in raw.get("codes") or ()),
                severity=raw.get("severity"),
            )
        )
    return Scheme(
        name=str(head["name"]),
        version=str(head["version"]),
        full=_number(head.get("full", 100), "[scheme] full"),
        red=_number(head.get("red", 60), "[scheme] red"),
        yellow=_number(head.get("yellow", 80), "[scheme] yellow"),
        items=tuple(items),
        text=text,
    )


@dataclass
class AgencyScore:
    name: str
    region: str | None
    kind: str | None
    status: str
    agency_id: str | None
    report_id: int | None
    score: float
    deductions: dict[str, dict] = field(default_factory=dict)  # item key → {label, count, points}
    rank: int | None = None  # within its region and kind
    list: str | None = None  # red | yellow | None

    @property
    def list_label(self) -> str:
        return LIST_LABELS.get(self.list or "", "")


@dataclass
class ScoreRun:
    scheme: Scheme
    year: int | None
    agencies: list[AgencyScore]
    id: int | None = None

    def to_json(self) -> dict:
        return {
            "scheme": {"name": self.scheme.name, "version": self.scheme.version},
            "year": self.year,
            "agencies": [asdict(a) for a in self.agencies],
        }


def _deduct(out: AgencyScore, item: Item | None, count: int) -> None:
    if item is None or count <= 0:
        return
    points = item.deduction(count)
    out.deductions[item.key] = {"label": item.label, "count": count, "points": points}


def _clean(x: float) -> float | int:
    x = round(x, 2)
    return int(x) if float(x).is_integer() else x


def score(
    url_or_store=None,
    scheme: Scheme | None = None,
    year: int | None = None,
    user: str | None = None,
    record: bool = True,
) -> ScoreRun:
    """Score every roster entry for ``year`` (default: the latest report year), rank, store the run."""
    scheme = scheme or load_scheme()
    with opened(url_or_store) as store:
        year = year if year is not None else campaign_year(store)
        cover = [r for r in roster_coverage(store, year) if r.status in (PUBLISHED, UNPUBLISHED)]
        confirmed = _confirmed(store, year)
        results = [_score_one(scheme, row, confirmed.get(row.report_id or -1, [])) for row in cover]
        _rank(results, scheme)
        run = ScoreRun(scheme, year, results)
        if record:
            with store.engine.begin() as c:
                run.id = c.execute(
                    insert(S.score_runs).values(
                        at=now(),
                        scheme_name=scheme.name,
                        scheme_version=scheme.version,
                        scheme=scheme.text,
                        year=year,
                        results=json.loads(json.dumps(run.to_json(), default=str)),
                    )
                ).inserted_primary_key[0]  # type: ignore[index]  # one row was inserted
                log(c, user, "score", f"year:{year}", scheme=scheme.name, version=scheme.version)
    return run


def _confirmed_query(
    year: int | None, report_ids: list[int] | None = None, subjects: list[str] | None = None
):
    """(report id, code, severity, how many) of the confirmed findings each current version of ``year``
    still has (未整改), driven by the confirmed review states (few; only those of ``subjects`` when given)."""
    rs, fr, f = S.report_summaries, S.finding_reviews, S.findings
    version = (
        select(rs.c.report_id)
        .where(rs.c.current.is_(True), rs.c.subject == fr.c.subject, func.coalesce(rs.c.year, 0) == fr.c.year)
        .scalar_subquery()
    )
    of_subjects = [fr.c.subject.in_(subjects)] if subjects is not None else []
    reviewed = (
        select(version.label("report_id"), fr.c.code, fr.c.severity, fr.c.fingerprint)
        .where(fr.c.state == CONFIRMED, fr.c.year == (year or 0), *of_subjects)
        .subquery()
    )
    still = exists().where(f.c.report_id == reviewed.c.report_id, f.c.fingerprint == reviewed.c.fingerprint)
    q = select(reviewed.c.report_id, reviewed.c.code, reviewed.c.severity, func.count().label("n")).where(
        reviewed.c.report_id.is_not(None), still
    )
    if report_ids is not None:
        q = q.where(reviewed.c.report_id.in_(report_ids))
    return q.group_by(reviewed.c.report_id, reviewed.c.code, reviewed.c.severity)


def _confirmed(
    store, year: int | None, report_ids: list[int] | None = None, subjects: list[str] | None = None
) -> dict[int, list]:
    """Each current version's confirmed findings it still has, as (code, severity, how many)."""
    out: dict[int, list] = defaultdict(list)
    with store.engine.connect() as c:
        for rid, code, severity, n in c.execute(_confirmed_query(year, report_ids, subjects)):
            out[rid].append((code, severity or "", n))
    return out


def _capped(n, item: Item):
    total = n * item.points
    return total if item.cap is None else case((total > item.cap, item.cap), else_=total)


_FEW = 2000  # roster entries whose agencies' confirmed findings are looked up by name


def _groups() -> tuple:
    """The groups ranks are counted in: region and kind (None as '')."""
    ro = S.roster
    return func.coalesce(ro.c.region, ""), func.coalesce(ro.c.kind, "")


def _score_query(
    scheme: Scheme, year: int | None, groups: list[tuple[str, str]] | None = None, subjects=None
):
    """Every roster entry's score and rank (within its region and kind) for ``year``, in SQL, in the
    ranking's order; the same arithmetic as ``_score_one`` and ``_rank``. ``groups``: only the entries of
    those (region, kind) groups, whose agencies are ``subjects`` (each group ranked whole)."""
    ro, rs, d, r = S.roster, S.report_summaries, S.documents, S.reports
    coded = [(i, c) for i in scheme.items for c in i.codes]
    confirmed = _confirmed_query(year, subjects=subjects).subquery()
    whens = [(confirmed.c.code == c, i.key) for i, c in coded]
    whens += [(confirmed.c.severity == i.severity, i.key) for i in scheme.items if i.severity and not i.codes]
    item = case(*whens, else_=None) if whens else null()
    per_item = (
        select(confirmed.c.report_id, item.label("item"), func.sum(confirmed.c.n).label("n"))
        .group_by(confirmed.c.report_id, item)
        .subquery()
    )
    deduct = [(per_item.c.item == i.key, _capped(per_item.c.n, i)) for i in scheme.items]
    per_report = (
        select(per_item.c.report_id, func.sum(case(*deduct, else_=0) if deduct else 0).label("points"))
        .group_by(per_item.c.report_id)
        .subquery()
    )
    # the report's meta (a wide row) is read only for documents without the column
    from_meta = select(r.c.meta["published"].as_string()).where(r.c.id == rs.c.report_id).scalar_subquery()
    published = func.coalesce(d.c.published, from_meta)
    base = (
        select(
            ro.c.id.label("roster_id"),
            rs.c.report_id,
            published.label("published"),
            ro.c.due,
            func.coalesce(ro.c.region, "").label("region_key"),
            func.coalesce(ro.c.kind, "").label("kind_key"),
            ro.c.name,
            func.coalesce(per_report.c.points, 0).label("found"),
        )
        .select_from(ro)
        .outerjoin(rs, (rs.c.subject == ro.c.agency_id) & rs.c.current.is_(True) & (rs.c.year == year))
        .outerjoin(d, d.c.id == rs.c.report_id)
        .outerjoin(per_report, per_report.c.report_id == rs.c.report_id)
        .where(*([tuple_(*_groups()).in_(groups)] if groups is not None else []))
        .cte("roster_scores")
        .prefix_with("MATERIALIZED")  # each entry's columns computed once
    )
    status_points: Any = literal(0.0)
    missing, late = scheme.item(NOT_PUBLISHED), scheme.item(LATE)
    status_whens: list[tuple[Any, Any]] = []
    if missing is not None:
        status_whens.append((base.c.report_id.is_(None), _capped(literal(1), missing)))
    if late is not None:
        is_late = base.c.published.is_not(None) & base.c.due.is_not(None) & (base.c.published > base.c.due)
        status_whens.append((is_late, _capped(literal(1), late)))
    if status_whens:
        status_points = case(*status_whens, else_=0.0)
    raw = scheme.full - (status_points + base.c.found)
    points = func.round(cast(case((raw < 0, 0), else_=raw), Numeric(12, 2)), 2)
    with_points = select(base, points.label("score")).subquery()
    rank = func.rank().over(
        partition_by=(with_points.c.region_key, with_points.c.kind_key), order_by=with_points.c.score.desc()
    )
    scored = select(with_points, rank.label("rank")).subquery()
    return select(scored).order_by(scored.c.region_key, scored.c.kind_key, scored.c.rank, scored.c.name)


def score_page(
    url_or_store=None, scheme: Scheme | None = None, year: int | None = None, limit: int = 50, offset: int = 0
) -> tuple[ScoreRun, int]:
    """One page of ``score``'s ranking (nothing stored), scored and ranked in SQL, and how many entries
    there are in all: the scores page at any size."""
    from gongkai.review.roster import _coverage_row, _entry

    scheme = scheme or load_scheme()
    with opened(url_or_store) as store:
        year = year if year is not None else campaign_year(store)
        with store.engine.connect() as c:
            groups, skip, total, size = _groups_of_page(c, offset, offset + limit)
            subjects = None  # the confirmed findings of every agency when the groups are large
            if size <= _FEW:
                of_groups = select(S.roster.c.agency_id).where(tuple_(*_groups()).in_(groups))
                subjects = [a for (a,) in c.execute(of_groups) if a]
            query = _score_query(scheme, year, groups, subjects)
            rows = c.execute(query.limit(limit).offset(skip)).mappings().all() if groups else []
            ids = [row["roster_id"] for row in rows]
            entries = {
                m["id"]: m for m in c.execute(select(S.roster).where(S.roster.c.id.in_(ids))).mappings()
            }
        confirmed = _confirmed(store, year, [row["report_id"] for row in rows if row["report_id"]], subjects)
    results = []
    for row in rows:
        cover = _coverage_row(_entry(entries[row["roster_id"]]), row["report_id"])
        if row["report_id"] is not None:
            cover.published = row["published"]
            if cover.due and cover.published:
                cover.on_time = cover.published <= cover.due
        one = _score_one(scheme, cover, confirmed.get(row["report_id"] or -1, []))
        one.rank = row["rank"]
        one.list = RED if one.score < scheme.red else YELLOW if one.score < scheme.yellow else None
        results.append(one)
    return ScoreRun(scheme, year, results), total


def _groups_of_page(c, start: int, stop: int) -> tuple[list[tuple[str, str]], int, int, int]:
    """The (region, kind) groups whose entries are the ranking's [start, stop) (a group's ranks need only its
    own entries), how many entries of them come before ``start``, how many entries there are in all, and
    how many the groups have."""
    keys = _groups()
    sizes = c.execute(select(*keys, func.count()).group_by(*keys).order_by(*keys)).all()
    chosen, first, seen, entries = [], None, 0, 0
    for region, kind, n in sizes:
        if seen < stop and seen + n > start:
            chosen.append((region, kind))
            first = seen if first is None else first
            entries += n
        seen += n
    return chosen, start - (first or 0), seen, entries


def _score_one(scheme: Scheme, row, found: list) -> AgencyScore:
    out = AgencyScore(row.name, row.region, row.kind, row.status, row.agency_id, row.report_id, scheme.full)
    if row.status == UNPUBLISHED:
        _deduct(out, scheme.item(NOT_PUBLISHED), 1)
    elif row.on_time is False:
        _deduct(out, scheme.item(LATE), 1)
    counts: dict[str, int] = defaultdict(int)
    items: dict[str, Item] = {}
    for code, severity, n in found:
        item = scheme.item_for(code, severity)
        if item is not None:
            counts[item.key] += n
            items[item.key] = item
    for key, n in counts.items():
        _deduct(out, items[key], n)
    total = sum(d["points"] for d in out.deductions.values())
    out.score = _clean(max(0.0, scheme.full - total))
    for d in out.deductions.values():
        d["points"] = _clean(d["points"])
    return out


def _rank(results: list[AgencyScore], scheme: Scheme) -> None:
    """Competition ranking (1, 2, 2, 4) within each region and kind; red/yellow lists by threshold."""
    groups: dict[tuple, list[AgencyScore]] = defaultdict(list)
    for a in results:
        groups[(a.region or "", a.kind or "")].append(a)
        a.list = RED if a.score < scheme.red else YELLOW if a.score < scheme.yellow else None
    for group in groups.values():
        group.sort(key=lambda a: (-a.score, a.name))
        for i, a in enumerate(group):
            a.rank = group[i - 1].rank if i and group[i - 1].score == a.score else i + 1
    results.sort(key=lambda a: (a.region or "", a.kind or "", a.rank or 0, a.name))


# ---------------------------------------------------------------------- stored runs


def score_runs(url_or_store=None) -> list[dict]:
    """Every stored score run, newest first: ``id``, ``at``, ``scheme_name``, ``scheme_version``, ``year``."""
    t = S.score_runs
    q = select(t.c.id, t.c.at, t.c.scheme_name, t.c.scheme_version, t.c.year).order_by(t.c.id.desc())
    with opened(url_or_store) as store, store.engine.connect() as c:
        return [{**dict(r), "at": as_utc(r["at"])} for r in c.execute(q).mappings()]


def stored_schemes(url_or_store=None) -> list[dict]:
    """The schemes runs were stored with, one per name and version (its latest run): ``run``, ``name``,
    ``version``."""
    t = S.score_runs
    q = select(func.max(t.c.id), t.c.scheme_name, t.c.scheme_version).group_by(
        t.c.scheme_name, t.c.scheme_version
    )
    with opened(url_or_store) as store, store.engine.connect() as c:
        rows = c.execute(q).all()
    ordered = sorted(rows, reverse=True)
    return [{"run": run, "name": name, "version": version} for run, name, version in ordered]


def run_scheme(url_or_store, run_id: int) -> Scheme:
    """The scheme a stored run applied, as it was then."""
    with opened(url_or_store) as store, store.engine.connect() as c:
        text = c.execute(select(S.score_runs.c.scheme).where(S.score_runs.c.id == run_id)).scalar()
    if text is None:
        raise InputError(f"没有编号为 {run_id} 的评分记录 (no score run {run_id})")
    return parse_scheme(text)


def stored_run(url_or_store, run_id: int) -> dict:
    """A stored run: ``id``, ``at``, ``scheme_name``, ``scheme_version``, ``year`` and its ``results``
    (``ScoreRun.to_json()`` as recorded)."""
    with opened(url_or_store) as store, store.engine.connect() as c:
        row = c.execute(select(S.score_runs).where(S.score_runs.c.id == run_id)).mappings().first()
    if row is None:
        raise InputError(f"没有编号为 {run_id} 的评分记录 (no score run {run_id})")
    return {**dict(row), "at": as_utc(row["at"])}
