"""Agency identity and region: which body issued a report and where it sits (province / city / county).

The same agency is written differently across years (洪泽区人民政府, 淮安市洪泽区人民政府): its *key* is the
deepest administrative division its name mentions plus the name from that division on, so both become
``320813:洪泽区人民政府``. Divisions come from the bundled code list (``data/divisions.csv``); a name that
does not settle the region (新华区 exists three times) is decided by the places the report's text mentions.
A manual override file wins over both.

>>> identify("淮安市洪泽区人民政府").agency_id
'320813:洪泽区人民政府'
>>> identify("平潭综合实验区").region.path
'福建省/福州市/平潭县'
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from gongkai.divisions import Division, Divisions, divisions
from gongkai.errors import InputError

__all__ = ["Division", "Identity", "Overrides", "Region", "divisions", "identify", "normalise_name"]

UNKNOWN_CODE = "000000"
TEXT_WINDOW = 4000  # characters of the report text searched for place names


@dataclass(frozen=True)
class Region:
    province: str | None = None
    city: str | None = None
    county: str | None = None
    code: str | None = None  # the deepest known division's code
    source: str | None = None  # name | text | override

    @property
    def path(self) -> str:
        parts: list[str] = []
        for p in (self.province, self.city, self.county):
            if p and (not parts or parts[-1] != p):  # 直辖市: 上海市/上海市 reads as 上海市
                parts.append(p)
        return "/".join(parts)

    def to_json(self) -> dict:
        return {
            "province": self.province,
            "city": self.city,
            "county": self.county,
            "code": self.code,
            "source": self.source,
            "path": self.path,
        }


@dataclass(frozen=True)
class Identity:
    name: str  # as written (normalised for width and spaces)
    agency_id: str  # stable key: "<division code>:<name from that division on>"
    region: Region = field(default_factory=Region)

    def to_json(self) -> dict:
        return {"name": self.name, "agency_id": self.agency_id, "region": self.region.to_json()}


def _region(divs: Divisions, d: Division, source: str) -> Region:
    parts = divs.levels(d)
    return Region(parts.get("province"), parts.get("city"), parts.get("county"), d.code, source)


def normalise_name(name: str) -> str:
    """Full-width forms folded, spaces and quotes dropped: the name as compared, not as displayed."""
    s = unicodedata.normalize("NFKC", name or "")
    return re.sub(r"[\s\"'“”‘’《》]", "", s)


def _resolve(divs: Divisions, hits: list[tuple[int, int, list[Division]]]):
    """Follow a name's division mentions down the hierarchy: 淮安市 then 洪泽区 → 洪泽区 (in 淮安市).

    Returns (candidates, start of the deepest mention used)."""
    cands: list[Division] | None = None
    start = 0
    for s, _e, hit in hits:
        if cands is None:
            cands, start = list(hit), s
            continue
        inner = [d for d in hit if any(divs.is_within(d, c) for c in cands)]
        if inner:
            # A deeper division of the same place (淮安市 → 洪泽区); a repeat of the same one changes nothing.
            if {d.code for d in inner} != {c.code for c in cands}:
                cands, start = inner, s
        else:
            break  # an unrelated place later in the name (…驻北京办事处): the first chain wins
    if cands and len(cands) > 1:
        # 新乡 is both 新乡市 and 新乡县: the ancestor every candidate lies in is the safe reading.
        for c in cands:
            if all(divs.is_within(d, c) for d in cands):
                cands = [c]
                break
    return cands or [], start


def _common(divs: Divisions, cands: list[Division]) -> Division | None:
    chains = [divs.chain(d) for d in cands]
    common = None
    for level in zip(*chains, strict=False):
        if all(x == level[0] for x in level):
            common = level[0]
        else:
            break
    return common


def _text_votes(divs: Divisions, text: str) -> Counter:
    votes: Counter = Counter()
    for _s, _e, hit in divs.find(text[:TEXT_WINDOW], short=False):
        if len(hit) == 1:
            for d in divs.chain(hit[0]):
                votes[d.code] += 1
    return votes


def identify(name: str | None, text: str = "", overrides: Overrides | None = None) -> Identity:
    """The agency key and region of a report issued by ``name`` (its title's issuing body)."""
    divs = divisions()
    clean = normalise_name(name or "")
    if overrides is not None and (o := overrides.get(clean)) is not None:
        return o.apply(clean, divs)
    if not clean:
        return Identity("", f"{UNKNOWN_CODE}:", Region())
    cands, start = _resolve(divs, divs.find(clean))
    source = "name"
    chosen: Division | None = cands[0] if len(cands) == 1 else None
    if len(cands) > 1 or not cands:
        votes = _text_votes(divs, text)
        if cands:  # 新华区 ×3: the one whose province/city the text names
            scored = sorted(
                ((sum(votes[x.code] for x in divs.chain(d)), d.code, d) for d in cands), reverse=True
            )
            if scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
                chosen, source = scored[0][2], "name+text"
            else:
                chosen = _common(divs, cands)
        elif votes:  # the name names no place (市生态环境局): the text's most named county, city or province
            best = max(votes.items(), key=lambda kv: (kv[1], divs.by_code[kv[0]].level == "county", kv[0]))
            chosen, source = divs.by_code[best[0]], "text"
    region = _region(divs, chosen, source) if chosen else Region()
    code = chosen.code if chosen and source != "text" else UNKNOWN_CODE
    return Identity(clean, f"{code}:{clean[start:] if code != UNKNOWN_CODE else clean}", region)


@dataclass(frozen=True)
class Override:
    agency_id: str | None
    province: str | None
    city: str | None
    county: str | None
    code: str | None

    def apply(self, name: str, divs: Divisions) -> Identity:
        region = Region()
        if self.code and self.code in divs.by_code:
            r = _region(divs, divs.by_code[self.code], "override")
            region = Region(
                self.province or r.province,
                self.city or r.city,
                self.county or r.county,
                self.code,
                "override",
            )
        elif self.province or self.city or self.county or self.code:
            region = Region(self.province, self.city, self.county, self.code, "override")
        agency_id = self.agency_id or f"{region.code or UNKNOWN_CODE}:{name}"
        return Identity(name, agency_id, region)


class Overrides:
    """Manual corrections, one CSV row per agency name as written.

    Columns: ``agency`` (required), and any of ``agency_id`` (merge several names into one agency),
    ``code`` (division code), ``province``, ``city``, ``county``.
    """

    COLUMNS = ("agency", "agency_id", "code", "province", "city", "county")

    def __init__(self, rows: dict[str, Override] | None = None):
        self.rows = rows or {}

    def get(self, name: str) -> Override | None:
        return self.rows.get(normalise_name(name))

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def load(cls, path: str | Path) -> Overrides:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except OSError as e:
            raise InputError(f"无法读取文件 (cannot read: {e.strerror or e})") from None
        reader = csv.DictReader(io.StringIO(text))
        fields = reader.fieldnames or []
        if "agency" not in fields:
            raise InputError("覆盖文件缺少 agency 列 (overrides file needs an 'agency' column)")
        unknown = [f for f in fields if f not in cls.COLUMNS]
        if unknown:
            raise InputError(
                f"覆盖文件有未知列 (unknown overrides column: {', '.join(unknown)}; "
                f"expected {', '.join(cls.COLUMNS)})"
            )
        rows: dict[str, Override] = {}
        for r in reader:
            name = normalise_name(r.get("agency") or "")
            if not name:
                continue
            vals = {k: (r.get(k) or "").strip() or None for k in cls.COLUMNS[1:]}
            rows[name] = Override(**vals)
        return cls(rows)
