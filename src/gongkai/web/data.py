"""What the web pages show beyond the store's rows (``gongkai.store.corpus``): Chinese labels, the flat
tables the CSV/XLSX exports write, and the pure comparison helpers — `text_reuse` (the share of a report's
text taken over from the previous year) and `cell_changes`. No SQL here.
"""

from __future__ import annotations

import re
from typing import Any

from gongkai.store.corpus import Coverage

SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
STATUS_LABELS = {"ok": "无问题", "problems": "有问题", "failed": "读取失败"}


def coverage_table(cov: Coverage) -> list[dict]:
    """Flat rows for the CSV/XLSX export: one line per agency, one column per year."""
    out = []
    for row in cov.rows:
        line = {"机关": row["name"], "机关标识": row["agency_id"], "地区": row["region"]}
        for y in cov.years:
            cell = row["cells"].get(y)
            line[str(y)] = "缺" if cell is None else STATUS_LABELS.get(cell["status"], cell["status"])
        out.append(line)
    return out


def chart_table(data: dict) -> list[dict]:
    """The chart series as flat rows (one per year) for the export."""
    out = []
    for i, y in enumerate(data["years"]):
        row: dict[str, Any] = {"年度": y, "新收申请": data["applications"][i]}
        for o in data["outcomes"]:
            row[f"{o['name']}占比%"] = o["data"][i]
        row["行政复议纠错率%"] = data["review_rate"][i]
        row["行政诉讼纠错率%"] = data["litigation_rate"][i]
        out.append(row)
    return out


# ---------------------------------------------------------------- compare


_SHINGLE = 12  # characters: a run this long found in last year's text counts as reused


def _normalise(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text or "")


def text_reuse(previous: str, current: str, k: int = _SHINGLE) -> float | None:
    """Share (0–1) of ``current``'s characters covered by ``k``-character runs also found in ``previous``.

    >>> text_reuse("今年我们继续推进政务公开工作。", "今年我们继续推进政务公开工作。")
    1.0
    """
    a, b = _normalise(previous), _normalise(current)
    if len(b) < k:
        return None
    if len(a) < k:
        return 0.0
    seen = {a[i : i + k] for i in range(len(a) - k + 1)}
    covered = bytearray(len(b))
    for i in range(len(b) - k + 1):
        if b[i : i + k] in seen:
            covered[i : i + k] = b"\x01" * k
    return round(sum(covered) / len(b), 3)


def cell_changes(a, b) -> list[dict]:
    """Every cell of two reports (template order), with both values and the change."""
    paths = list(dict.fromkeys([*a.cells, *b.cells]))
    out = []
    for p in paths:
        va, vb = a.value(p), b.value(p)
        delta = vb - va if isinstance(va, int | float) and isinstance(vb, int | float) else None
        if isinstance(delta, float):
            delta = round(delta, 4)
        out.append({"path": p, "a": va, "b": vb, "delta": delta})
    return out
