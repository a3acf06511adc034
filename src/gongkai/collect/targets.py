"""Where to collect from: URLs given, a file of URLs (one a line, ``#`` comments), or a roster CSV whose rows
carry an agency's name and its 年报 column URL. Kept minimal: the roster proper (columns, kinds, regions)
belongs to the review module, which can hand its entries here as ``Target``s.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gongkai.errors import InputError
from gongkai.read.services import decode_table

__all__ = ["Target", "read_roster", "read_url_file", "targets_from"]

# Accepted roster column names (lower-cased): the agency's name and its annual-report column URL.
NAME_COLUMNS = ("name", "agency", "机关", "机关名称", "单位", "单位名称", "名称")
URL_COLUMNS = (
    "url",
    "report_url",
    "column_url",
    "年报栏目",
    "年报网址",
    "年报",
    "网址",
    "网站",
    "公开网址",
    "链接",
)


@dataclass(frozen=True)
class Target:
    url: str  # an annual-report column (list page), a report page or an attachment
    name: str | None = None  # the agency, when a roster says so


def read_url_file(path: str | Path) -> list[Target]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: 无法读取网址列表 (cannot read: {e})") from None
    return [Target(line.strip()) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def read_roster(path: str | Path) -> list[Target]:
    """Rows of a roster CSV (UTF-8 or GB18030) with at least a name and a url column; rows without a URL
    are left out (nothing to collect for them)."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise InputError(f"{path}: 无法读取名录 (cannot read: {e.strerror})") from None
    text = decode_table(data)
    if text is None:
        raise InputError(f"{path}: 名录编码无法识别 (not UTF-8 or GB18030)")
    rows = list(csv.DictReader(io.StringIO(text)))
    fields = {f.strip().lower(): f for f in (rows[0].keys() if rows else [])}
    name_col = next((fields[c] for c in NAME_COLUMNS if c in fields), None)
    url_col = next((fields[c] for c in URL_COLUMNS if c in fields), None)
    if url_col is None:
        raise InputError(f"{path}: 名录缺少网址列 (no url column; expected one of {', '.join(URL_COLUMNS)})")
    out = []
    for row in rows:
        url = (row.get(url_col) or "").strip()
        if url:
            out.append(Target(url, (row.get(name_col) or "").strip() or None if name_col else None))
    return out


def stored_roster(url_or_store) -> list[Target]:
    """The web addresses of the review roster stored in a database (``gongkai roster import``), each with its
    agency's name; entries without an address are left out (nothing to collect for them)."""
    from gongkai.review.roster import roster

    return [Target(e.url.strip(), e.name) for e in roster(url_or_store) if e.url and e.url.strip()]


def targets_from(
    urls: Iterable[str] = (), url_file: str | Path | None = None, roster: str | Path | None = None
) -> list[Target]:
    """Every target, in the order given, each URL once."""
    out = [Target(u.strip()) for u in urls if u.strip()]
    if url_file:
        out += read_url_file(url_file)
    if roster:
        out += read_roster(roster)
    seen: set[str] = set()
    unique = []
    for t in out:
        if t.url not in seen:
            seen.add(t.url)
            unique.append(t)
    return unique
