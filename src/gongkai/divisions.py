"""The bundled list of China's administrative divisions (县级以上行政区划代码), for every stage that needs it.

A neutral lower-level module: the store (agency identity and region) and the audit (another province's
documents cited) both use it, and neither imports the other. The list is ``store/data/divisions.csv``;
it is read without importing ``gongkai.store``.

>>> d = divisions().full["洪泽区"][0]
>>> [x.name for x in divisions().chain(d)]
['江苏省', '淮安市', '洪泽区']
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Division", "Divisions", "divisions"]

_PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
_CITY_SUFFIXES = ("自治州", "地区", "盟", "市")
_COUNTY_SUFFIXES = ("自治县", "自治旗", "林区", "特区", "县", "区", "市", "旗")
# Ethnic names inside autonomous names: 延边朝鲜族自治州 → 延边, 峨边彝族自治县 → 峨边.
_ETHNIC = re.compile(r"(?:[\u4e00-\u9fff]{1,6}?族)+(?=自治[州县旗])")


@dataclass(frozen=True)
class Division:
    code: str
    name: str

    @property
    def level(self) -> str:
        if self.code.endswith("0000"):
            return "province"
        if self.code.endswith("00"):
            return "city"
        return "county"


class Divisions:
    """The bundled division list with name look-ups (full names and short forms such as 淮安, 平潭)."""

    def __init__(self, rows: list[tuple[str, str]]):
        self.by_code: dict[str, Division] = {c: Division(c, n) for c, n in rows}
        self.full: dict[str, list[Division]] = {}
        self.short: dict[str, list[Division]] = {}
        for d in self.by_code.values():
            self.full.setdefault(d.name, []).append(d)
            s = _short(d)
            if s and s != d.name:
                self.short.setdefault(s, []).append(d)
        self.lengths = sorted({len(k) for k in (*self.full, *self.short)}, reverse=True)
        # Name lengths by a name's first two characters (every name has at least two), longest first:
        # ``find`` tries only the lengths a name starting here can have, and skips most characters at once.
        self._full_lengths = _lengths_by_start(self.full)
        self._any_lengths = _lengths_by_start({**self.full, **self.short})

    def parent(self, d: Division) -> Division | None:
        if d.level == "county":
            return self.by_code.get(d.code[:4] + "00") or self.by_code.get(d.code[:2] + "0000")
        if d.level == "city":
            return self.by_code.get(d.code[:2] + "0000")
        return None

    def chain(self, d: Division) -> list[Division]:
        """``d`` and its ancestors, province first."""
        out = [d]
        while (p := self.parent(out[-1])) is not None:
            out.append(p)
        return out[::-1]

    def is_within(self, d: Division, ancestor: Division) -> bool:
        return ancestor in self.chain(d)

    def levels(self, d: Division) -> dict[str, str | None]:
        """``{"province": …, "city": …, "county": …}`` names of ``d`` and its ancestors (直辖市: the city is
        the province)."""
        parts: dict[str, str | None] = {x.level: x.name for x in self.chain(d)}
        if d.code[:2] in ("11", "12", "31", "50") and "city" not in parts:
            parts["city"] = parts.get("province")
        return parts

    def find(self, text: str, short: bool = True) -> list[tuple[int, int, list[Division]]]:
        """Non-overlapping division mentions in ``text``, longest first at each position:
        (start, end, candidates)."""
        out = []
        starts = self._any_lengths if short else self._full_lengths
        i, n = 0, len(text)
        while i < n:
            for length in starts.get(text[i : i + 2], ()):
                if i + length > n:
                    continue
                s = text[i : i + length]
                hit = self.full.get(s) or (self.short.get(s) if short else None)
                if hit:
                    out.append((i, i + length, hit))
                    i += length
                    break
            else:
                i += 1
        return out


def _lengths_by_start(names: dict[str, list[Division]]) -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = {}
    for name in names:
        lengths.setdefault(name[:2], set()).add(len(name))
    return {start: tuple(sorted(ls, reverse=True)) for start, ls in lengths.items()}


def _short(d: Division) -> str | None:
    name = _ETHNIC.sub("", d.name)
    suffixes = {"province": _PROVINCE_SUFFIXES, "city": _CITY_SUFFIXES, "county": _COUNTY_SUFFIXES}[d.level]
    for suf in suffixes:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    return None


@cache
def divisions() -> Divisions:
    text = resources.files("gongkai").joinpath("store/data/divisions.csv").read_text(encoding="utf-8")
    rows = [(r["code"], r["name"]) for r in csv.DictReader(io.StringIO(text))]
    return Divisions(rows)
