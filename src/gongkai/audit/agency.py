"""Matching the same agency across years: names written with or without their province/city prefix."""

from __future__ import annotations

import re

_PREFIX = re.compile(r"^[\u4e00-\u9fff]{1,8}?(?:省|自治区|特别行政区|市|自治州|州|地区|盟)")
_PLACE = re.compile(r"[\u4e00-\u9fff]{1,10}?(?:区|县|市|旗|镇|乡|街道|州)")
_SPACE = re.compile(r"\s+")


def normalise(name: str | None) -> str:
    """``淮安市洪泽区人民政府`` → ``洪泽区人民政府``: leading province/city prefixes are stripped as long as
    what remains still starts with a place name (``上海市人民政府办公厅`` stays as it is)."""
    if not name:
        return ""
    name = _SPACE.sub("", name).replace("（", "(").replace("）", ")")
    while True:
        m = _PREFIX.match(name)
        if not m:
            return name
        rest = name[m.end() :]
        if len(rest) < 3 or not _PLACE.match(rest) or rest.startswith(("人民政府", "政府")):
            return name
        name = rest


def same_agency(a: str | None, b: str | None) -> bool:
    na, nb = normalise(a), normalise(b)
    return bool(na) and na == nb
