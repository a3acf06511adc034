"""The 依申请公开 ledger → table 三: a generated ledger of a few hundred applications gives the table counted
independently here; bad rows are refused with their spreadsheet row number and column."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import date, timedelta

import pytest
from openpyxl import Workbook, load_workbook

from gongkai import template
from gongkai.author.ledger import COLUMNS, ledger_template, official_results, table3_from_ledger

YEAR = 2025
LAY = template.layout("2021")
KINDS = [c for c in LAY.table3.columns if c.key != "total"]


def _applications(rng: random.Random, n: int) -> list[dict]:
    """Applications received from mid last year to the end of this year; some still open on 12月31日."""
    results = list(official_results("2021").items())
    apps = []
    for _ in range(n):
        received = date(YEAR - 1, 7, 1) + timedelta(days=rng.randint(0, 548))
        wait = rng.randint(1, 60)
        answered = received + timedelta(days=wait) if rng.random() < 0.9 else None
        if received.year < YEAR and (answered is None or answered.year < YEAR):
            answered = date(YEAR, 1, 1) + timedelta(days=rng.randint(0, 40))  # carried into this year
        label, key = rng.choice(results[:4] + results)  # most applications are granted
        kind = rng.choice(KINDS[:1] * 5 + KINDS)
        apps.append({"received": received, "answered": answered, "result": label, "row": key, "kind": kind})
    return apps


def _expected(apps: list[dict]) -> dict[str, int]:
    """Table 三 counted the plain way, cell by cell."""
    count: Counter = Counter()
    for a in apps:
        col = a["kind"].key
        count["new" if a["received"].year == YEAR else "carried_over", col] += 1
        done = a["answered"] is not None and a["answered"].year == YEAR
        count[a["row"] if done else "carried_forward", col] += 1
    out = {}
    results = template.result_rows(LAY)
    for r in LAY.table3.rows:
        for c in KINDS:
            n = sum(count[k, c.key] for k in results) if r.key == "total" else count[r.key, c.key]
            out[f"table3.{r.key}.{c.key}"] = n
        out[f"table3.{r.key}.total"] = sum(out[f"table3.{r.key}.{c.key}"] for c in KINDS)
    return out


def _ledger_rows(apps: list[dict]) -> list[list]:
    rows = [list(COLUMNS)]
    for i, a in enumerate(apps, 1):
        answered = a["answered"].isoformat() if a["answered"] and a["answered"].year <= YEAR else ""
        result = a["result"] if answered else ""
        rows.append(
            [i, a["received"].isoformat(), a["kind"].label, f"申请人{i}", "某信息", result, answered, ""]
        )
    return rows


def _csv(rows: list[list]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("gb18030")


def _xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_generated_ledger_gives_table3_counted_independently(fmt):
    apps = _applications(random.Random(2025), 400)
    rows = _ledger_rows(apps)
    result = table3_from_ledger((_csv if fmt == "csv" else _xlsx)(rows), YEAR)
    assert result.errors == []
    assert result.rows == len(apps)
    assert result.values == _expected(apps)
    v = result.values
    assert v["table3.carried_over.total"] > 0 and v["table3.carried_forward.total"] > 0
    for identity in (i for i in template.identities("2021") if i.left[0].startswith("table3.")):
        assert sum(v[p] for p in identity.left) == sum(v[p] for p in identity.right), identity.name


def test_bad_rows_are_refused_with_their_row_number_and_column():
    rows = _ledger_rows(_applications(random.Random(7), 20))
    rows[3][1] = "2026-02-01"  # received after the year
    rows[5][5] = "大概公开了"  # not a category
    rows[7][6] = "2024-12-01"  # answered before the year (and before it was received)
    rows[7][1] = "2025-01-05"
    rows[9][2] = "公司"  # not an applicant type
    rows[11][1] = "三月五日"  # not a date
    result = table3_from_ledger(_csv(rows), YEAR)
    found = {(e.row, e.column) for e in result.errors}
    assert {(4, "收到日期"), (6, "办理结果"), (8, "答复日期"), (10, "申请人类型"), (12, "收到日期")} <= found
    assert all(e.row in (4, 6, 8, 10, 12) for e in result.errors)
    assert "第 8 行「答复日期」" in next(e.text() for e in result.errors if e.row == 8)
    assert result.values["table3.new.total"] + result.values["table3.carried_over.total"] == 15


def test_the_ledger_template_lists_the_official_categories():
    wb = load_workbook(io.BytesIO(ledger_template("xlsx", YEAR)))
    assert [c.value for c in wb.worksheets[0][1]] == list(COLUMNS)
    listed = {c.value for c in wb["分类"]["B"] if c.value}
    assert listed == set(official_results("2021")) and "不予公开：属于国家秘密" in listed
    assert ledger_template("csv").decode("utf-8-sig").strip() == ",".join(COLUMNS)
