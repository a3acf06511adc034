"""``/export/{view}.{csv|xlsx}``: the rows of a page, with the same query string, as a download."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from gongkai.fields import cell_labels
from gongkai.store import corpus
from gongkai.store.db import Store
from gongkai.store.export import csv_bytes, xlsx_bytes
from gongkai.web import data as D
from gongkai.web.common import compare_context, report_and_document, store_of

router = APIRouter()

EXPORT_VIEWS = ("reports", "problems", "coverage", "charts", "report", "compare")


@router.get("/export/{view}.{fmt}")
def export(request: Request, view: str, fmt: str):
    if view not in EXPORT_VIEWS or fmt not in ("csv", "xlsx"):
        raise HTTPException(404, "没有这种导出 (no such export)")
    rows = _export_rows(store_of(request), view, dict(request.query_params))
    name = f"gongkai-{view}.{fmt}"
    if fmt == "csv":
        body = csv_bytes(rows)
        media = "text/csv; charset=utf-8"
    else:
        body = xlsx_bytes(rows, view)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _report_rows(store: Store, f: corpus.Filters) -> list[dict]:
    return [
        {
            "报告编号": r["id"],
            "机关": r["agency"],
            "机关标识": r["agency_id"],
            "年度": r["year"],
            "地区": r["region"],
            "模板": r["layout"],
            "文件": r["name"],
            "SHA-256": r["sha256"],
            "读取所用 gongkai 版本": r["tool_version"],
            "格式": r["format"],
            "状态": D.STATUS_LABELS.get(r["status"], r["status"]),
            "错误": r["errors"],
            "警告": r["warnings"],
            "不确定单元格": r["uncertain"],
            "问题代码": " ".join(f"{k}×{v}" for k, v in r["codes"].items()),
        }
        for r in corpus.report_rows(store, f)
    ]


def _problem_rows(store: Store, f: corpus.Filters) -> list[dict]:
    by_id = {r["id"]: r for r in corpus.report_rows(store, f)}
    out = []
    for rid, found in store.findings(list(by_id)).items():
        r = by_id[rid]
        for x in found:
            out.append(
                {
                    "报告编号": rid,
                    "机关": r["agency"],
                    "年度": r["year"],
                    "地区": r["region"],
                    "文件": r["name"],
                    "SHA-256": r["sha256"],
                    "代码": x.get("code"),
                    "级别": D.SEVERITY_LABELS.get(str(x.get("severity")), ""),
                    "范围": "跨年度" if x.get("scope") == "cross" else "本报告",
                    "位置": " ".join(x.get("where") or []),
                    "说明": x.get("message"),
                }
            )
    return sorted(out, key=lambda x: (x["报告编号"], x["代码"] or ""))


def _cell_rows(store: Store, params: dict[str, str]) -> list[dict]:
    rid = params.get("id", "")
    if not rid.isdigit():
        raise HTTPException(404, "没有这份报告 (no such report)")
    report, doc = report_and_document(store, int(rid))
    return [
        {
            "路径": p,
            **dict(zip(("表", "行", "列"), cell_labels(p, report.layout), strict=True)),
            "数值": c.value,
            "原文": c.raw,
            "状态": c.status,
            "文件": doc["name"],
            "SHA-256": doc["sha256"],
            "读取所用 gongkai 版本": doc["tool_version"],
        }
        for p, c in report.cells.items()
    ]


def _compare_rows(store: Store, params: dict[str, str]) -> list[dict]:
    b_raw, a_raw = params.get("b", ""), params.get("a", "")
    ctx = compare_context(
        store,
        params.get("agency", ""),
        int(a_raw) if a_raw.isdigit() else None,
        int(b_raw) if b_raw.isdigit() else None,
    )
    if not ctx.get("ready"):
        raise HTTPException(404, "没有可对比的两个年度 (no two years to compare)")
    return [
        {
            "路径": c["path"],
            **dict(zip(("表", "行", "列"), ctx["labels"][c["path"]], strict=True)),
            str(ctx["a"]): c["a"],
            str(ctx["b"]): c["b"],
            "变化": c["delta"],
        }
        for c in ctx["changes"]
    ]


EXPORTED_BY = "导出所用 gongkai 版本"


def _with_version(rows: list[dict]) -> list[dict]:
    """Aggregate rows (computed now, not read by one gongkai version) carry the exporting version."""
    from gongkai import __version__

    return [{**r, EXPORTED_BY: __version__} for r in rows]


def _export_rows(store: Store, view: str, params: dict[str, str]) -> list[dict]:
    f = corpus.Filters.from_query(params)
    if view == "reports":
        return _report_rows(store, f)
    if view == "problems":
        return _with_version(_problem_rows(store, f))
    if view == "coverage":
        return _with_version(D.coverage_table(corpus.coverage_matrix(store, f)))
    if view == "charts":
        return _with_version(D.chart_table(corpus.chart_series(store, f)))
    if view == "report":
        return _cell_rows(store, params)
    return _with_version(_compare_rows(store, params))
