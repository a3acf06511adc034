"""The arithmetic identities of the template (``template.identities``), checked per column, row and group.

Blank cells count as 0 (and are named as blank). Cells that could not be read make an identity
uncheckable (rule T104 reports them). One cell that alone breaks several identities (a blank cell that
should hold 3) is one finding naming that cell, filed under the first of those identities. An identity
that fails only through values the extractor inferred is a warning, not an error: the report may be
right and the reading wrong.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gongkai import template
from gongkai.audit.cellindex import row_keys, status_paths
from gongkai.audit.finding import ERROR, WARNING, Finding
from gongkai.audit.labels import TABLE_NAMES, cell_label, column_label, row_label
from gongkai.audit.memo import per_report
from gongkai.audit.registry import rule
from gongkai.audit.values import Val, fmt, num_text, val
from gongkai.model import BLANK, UNCERTAIN_STATUSES, Report

_EPS = 1e-6


@dataclass(frozen=True)
class Failure:
    ident: template.Identity
    left: tuple[Val, ...]
    right: tuple[Val, ...]

    @property
    def lsum(self) -> float:
        return sum(v.value for v in self.left)  # type: ignore[misc]

    @property
    def rsum(self) -> float:
        return sum(v.value for v in self.right)  # type: ignore[misc]

    @property
    def diff(self) -> float:
        return self.lsum - self.rsum

    @property
    def vals(self) -> tuple[Val, ...]:
        return self.left + self.right

    def fix(self, path: str) -> float | None:
        """The change of cell ``path`` alone that makes this identity hold."""
        if any(v.path == path for v in self.left):
            return -self.diff
        if any(v.path == path for v in self.right):
            return self.diff
        return None


@per_report
def _layout_key(report: Report) -> str:
    """The layout whose identities apply: the one whose table-三 （六）其他处理 rows the report prints."""
    return template.table3_layout(report.layout, row_keys(report, "table3"))


def failures(report: Report) -> list[Failure]:
    """Every identity of the report's own rows that fails, with its values (checkable identities only)."""
    out = []
    cells = report.cells
    by_status = status_paths(report)
    unknown = {p for s in UNCERTAIN_STATUSES for p in by_status.get(s, ())}  # no value known
    number = dict(zip(cells, map(_VALUE, cells.values()), strict=True))  # ``val(…).value`` of the others
    for p in by_status.get(BLANK, ()):
        number[p] = 0
    identities = template.identities(_layout_key(report))
    for ident, (left_of, right_of, paths) in zip(identities, _sides(identities), strict=True):
        if unknown and not unknown.isdisjoint(paths):
            continue
        try:
            left, right = left_of(number), right_of(number)
        except KeyError:
            continue  # a cell the report does not have: not known either
        if abs(sum(left) - sum(right)) > _EPS:  # as Failure.diff: the Vals only for what fails
            out.append(
                Failure(
                    ident,
                    tuple(val(report, p) for p in ident.left),
                    tuple(val(report, p) for p in ident.right),
                )
            )
    return out


_VALUE = operator.attrgetter("value")
_Side = Callable[[dict[str, Any]], tuple[Any, ...]]
_SIDES: dict[int, tuple[tuple[template.Identity, ...], list[tuple[_Side, _Side, frozenset[str]]]]] = {}


def _sides(identities: tuple[template.Identity, ...]) -> list[tuple[_Side, _Side, frozenset[str]]]:
    """For each identity: what reads its left and its right side's values from a dict by path (in the
    identity's order, as a tuple; `KeyError` for a path the dict lacks), and all of its paths. Worked out
    once for a layout's identities (kept by identity of the tuple ``template.identities`` keeps)."""
    hit = _SIDES.get(id(identities))
    if hit is None or hit[0] is not identities:
        hit = _SIDES[id(identities)] = (
            identities,
            [(_getter(i.left), _getter(i.right), frozenset(i.left + i.right)) for i in identities],
        )
    return hit[1]


def _getter(paths: tuple[str, ...]) -> _Side:
    if len(paths) == 1:
        only = paths[0]
        return lambda number: (number[only],)
    return operator.itemgetter(*paths)  # a tuple for two paths or more


_UNKNOWN = object()


def _culprits(fails: list[Failure]) -> dict[str, float]:
    """Cells that alone explain several failing identities: same needed change in each of them."""
    count: Counter[str] = Counter()
    for f in fails:
        for v in f.vals:
            count[v.path] += 1
    out = {}
    for path, n in count.items():
        if n < 2:
            continue
        fixes = {round(f.fix(path), 6) for f in fails if f.fix(path) is not None}  # type: ignore[arg-type]
        if len(fixes) == 1:
            out[path] = fixes.pop()
    return out


def _terms(vals: tuple[Val, ...], layout: str, by: str) -> str:
    shown = [v for v in vals if v.value]
    blank = sum(1 for v in vals if v.blank)
    parts = []
    for v in shown:
        t, r, c = v.path.split(".")
        name = column_label(t, r, c, layout) if by == "column" else row_label(t, r, layout)
        parts.append(f"{name} {fmt(v)}")
    if not parts:
        parts.append("各项均为 0" if not blank else "各项均为空白或 0")
    elif blank:
        parts.append(f"另有 {blank} 格空白")
    return "，".join(parts)


def _sum_text(vals: tuple[Val, ...], layout: str) -> str:
    """``一、本年新收 3 + 二、上年结转 1``: each row's short label and value."""
    parts = []
    for v in vals:
        t, r, _c = v.path.split(".")
        row = template.find_row(t, r, layout)
        parts.append(f"{(row.short or row.label) if row else r} {fmt(v)}")
    return " + ".join(parts)


def _describe(report: Report, f: Failure) -> tuple[str, list[str]]:
    """What fails, in the template's words, and the cells involved (the most telling first)."""
    lay = report.layout
    ident = f.ident
    right0 = f.right[0]
    if ident.name == "table3_balance":
        t, r, c = right0.path.split(".")
        msg = (
            f"{TABLE_NAMES.get(t, t)}「{column_label(t, r, c, lay)}」列勾稽关系不成立："
            f"{_sum_text(f.left, lay)} = {num_text(f.lsum)}，但{_sum_text(f.right, lay)} = "
            f"{num_text(f.rsum)}（{ident.description}）"
        )
        return msg, [v.path for v in (*f.right, *f.left)]
    if len(f.right) == 1:  # a total: （七）总计, a row's 总计, a table-四 group's 总计
        by = "row" if ident.across == template.ROWS else "column"
        msg = (
            f"{cell_label(right0.path, lay)}为 {fmt(right0)}，但{ident.left_name or '各项'}之和为 "
            f"{num_text(f.lsum)}（{_terms(f.left, lay, by)}）"
        )
        return msg, [right0.path, *(v.path for v in f.left)]
    msg = (
        f"{_sum_text(f.left, lay)} = {num_text(f.lsum)}，但{_sum_text(f.right, lay)} = "
        f"{num_text(f.rsum)}（{ident.description}）"
    )
    return msg, [v.path for v in (*f.right, *f.left)]


def _evidence(fails: list[Failure]) -> dict:
    f = fails[0]
    out: dict = {
        "left": {v.path: v.value for v in f.left},
        "right": {v.path: v.value for v in f.right},
        "left_sum": f.lsum,
        "right_sum": f.rsum,
        "identity": f.ident.description,
    }
    blank = sorted({v.path for g in fails for v in g.vals if v.blank})
    if blank:
        out["blank"] = blank
    if len(fails) > 1:
        out["identities"] = [g.ident.description for g in fails]
    return out


def _inferred_note(report: Report, inferred: list[Val]) -> str:
    return (
        "；其中"
        + "、".join(cell_label(v.path, report.layout) for v in inferred[:3])
        + ("等" if len(inferred) > 3 else "")
        + "的数值系按勾稽关系推算或拆分，请核对原文"
    )


def _finding(report: Report, f: Failure, culprits: dict[str, float]) -> Finding:
    lay = report.layout
    msg, where = _describe(report, f)
    blank = [v for v in f.vals if v.blank]
    inferred = [v for v in f.vals if v.inferred]
    if blank:
        msg += "；空白格按 0 计"
    suspects = [p for p in where if p in culprits]
    if suspects:
        p = suspects[0]
        cur = report.value(p) or 0
        msg += f"；{cell_label(p, lay)}同时使多个等式不成立，若改为 {num_text(cur + culprits[p])} 则全部成立"
        where = [p, *(w for w in where if w != p)]
    severity = ERROR
    if inferred:
        severity = WARNING
        msg += _inferred_note(report, inferred)
    msg += "。请核对并更正。"
    return Finding(msg, where=where, evidence=_evidence([f]), severity=severity)


def _culprit_finding(report: Report, path: str, change: float, fails: list[Failure]) -> Finding:
    """One finding for one cell that alone breaks several identities (one cause, one finding)."""
    lay = report.layout
    v = val(report, path)
    target = num_text((v.value or 0) + change)
    shown = "空白" if v.blank else num_text(v.value)
    parts, where = [], [path]
    for i, f in enumerate(fails, 1):
        msg, cells = _describe(report, f)
        parts.append(f"（{i}）{msg}")
        where += [c for c in cells if c not in where]
    msg = (
        f"{cell_label(path, lay)}为{shown}，使 {len(fails)} 个勾稽关系同时不成立：{'；'.join(parts)}"
        f"；若该格为 {target}，以上等式全部成立"
    )
    if v.blank:
        msg += "（空白格按 0 计）"
    inferred = list({x.path: x for f in fails for x in f.vals if x.inferred}.values())
    severity = ERROR
    if inferred:
        severity = WARNING
        msg += _inferred_note(report, inferred)
    msg += "。请核对并更正。"
    evidence = _evidence(fails)
    evidence["cell"] = {"path": path, "value": v.value, "fits": (v.value or 0) + change}
    return Finding(msg, where=where, evidence=evidence, severity=severity)


@per_report
def _plan(report: Report) -> list[tuple[str, Finding]]:
    """(identity name, finding) for every failing identity; failures that one cell explains together are
    one finding, filed under the first of their identities."""
    fails = failures(report)
    culprits = _culprits(fails)
    order = {id(f): i for i, f in enumerate(fails)}
    claimed: set[int] = set()
    grouped: list[tuple[int, str, Finding]] = []
    by_reach = sorted(culprits, key=lambda p: -sum(1 for f in fails if f.fix(p) is not None))
    for path in by_reach:
        mine = [f for f in fails if f.fix(path) is not None and id(f) not in claimed]
        if len(mine) < 2:
            continue
        claimed.update(id(f) for f in mine)
        first = min(mine, key=lambda f: order[id(f)])
        grouped.append(
            (order[id(first)], first.ident.name, _culprit_finding(report, path, culprits[path], mine))
        )
    for f in fails:
        if id(f) not in claimed:
            grouped.append((order[id(f)], f.ident.name, _finding(report, f, culprits)))
    return [(name, finding) for _i, name, finding in sorted(grouped, key=lambda x: x[0])]


def culprit_cells(report: Report) -> set[str]:
    """Cells reported by the identity rules as the one cause of several failures."""
    return {f.evidence["cell"]["path"] for _n, f in _plan(report) if "cell" in (f.evidence or {})}


def _check(report: Report, name: str):
    for ident_name, finding in _plan(report):
        if ident_name == name:
            yield finding


@rule("T301", "table3-balance", "error")
def balance(report: Report):
    """Table 三, each column: 第一项加第二项之和等于第三项加第四项之和 (new+carried over = total+forward).

    Anti-pattern:
        自然人列：一、本年新收 20，二、上年结转 1，（七）总计 19，四、结转下年度继续办理 0（21 ≠ 19）。
    Best practice:
        自然人列：一、本年新收 20，二、上年结转 1，（七）总计 19，四、结转下年度继续办理 2（21 = 21）。
    """
    yield from _check(report, "table3_balance")


@rule("T302", "table3-results-total", "error")
def results_total(report: Report):
    """Table 三, each column: （七）总计 equals the sum of the result rows （一） to （六）.

    Anti-pattern:
        自然人列：（一）予以公开 3，（四）1.本机关不掌握 1，（七）总计 5。
    Best practice:
        自然人列：（一）予以公开 3，（四）1.本机关不掌握 1，（七）总计 4。
    """
    yield from _check(report, "table3_results_total")


@rule("T303", "table3-row-total", "error")
def row_total(report: Report):
    """Table 三, each row: 总计 equals 自然人 plus the five 法人或其他组织 columns.

    Anti-pattern:
        （一）予以公开：自然人 258，商业企业 12，法律服务机构 1，其他 1，总计空白。
    Best practice:
        （一）予以公开：自然人 258，商业企业 12，科研机构 0，社会公益组织 0，
        法律服务机构 1，其他 1，总计 272。
    """
    yield from _check(report, "table3_row_total")


@rule("T304", "table4-group-total", "error")
def group_total(report: Report):
    """Table 四, each group: 总计 equals 结果维持 + 结果纠正 + 其他结果 + 尚未审结.

    Anti-pattern:
        行政复议：结果维持 10，结果纠正 1，其他结果 0，尚未审结 0，总计 0。
    Best practice:
        行政复议：结果维持 10，结果纠正 1，其他结果 0，尚未审结 0，总计 11。
    """
    yield from _check(report, "table4_group_total")
