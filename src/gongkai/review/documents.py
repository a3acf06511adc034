"""Documents for the people involved, in Chinese with official labels (never key paths): the 整改通知 of one
agency (DOCX and XLSX: each confirmed problem, where it is, what to fix; for PDFs the page and a crop of it),
the campaign's 通报 (DOCX) and the review sheet (XLSX) of the whole campaign.

>>> notice_docx("sqlite:///gongkai.db", "平潭综合实验区", "通知.docx", year=2024)
>>> bulletin_docx("sqlite:///gongkai.db", "通报.docx", year=2024)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from gongkai import template
from gongkai.audit.labels import cell_label, section_heading
from gongkai.errors import InputError
from gongkai.review.common import opened
from gongkai.review.reviews import (
    CONFIRMED,
    RECTIFICATION_LABELS,
    RECTIFIED,
    ReviewedFinding,
    ReviewFilter,
    findings_for_review,
)
from gongkai.review.roster import PUBLISHED, UNPUBLISHED, campaign_year, roster_coverage
from gongkai.review.scoring import Scheme, ScoreRun, score
from gongkai.review.versions import Version, current_versions
from gongkai.store import schema as S

__all__ = [
    "CATEGORY_LABELS",
    "Problem",
    "bulletin_docx",
    "common_problems",
    "notice_docx",
    "notice_problems",
    "notice_xlsx",
    "review_sheet_xlsx",
]

# The audit's rule groups (first letter of a code), as a reviewer names them.
CATEGORY_LABELS = {
    "T": "表格数据与勾稽关系",
    "L": "表格版式与标签",
    "S": "规定内容与章节",
    "M": "标题与统计期间",
    "P": "文字校对",
    "X": "正文与表格不一致",
    "C": "与往年报告衔接",
}
_CELL_PATH = re.compile(r"^table[234]\.[a-z0-9_]+\.[a-z0-9_]+$")
_SECTION = re.compile(r"^s[1-6]$")
_CLAUSE = re.compile(r"[^。；]+[。；]?")
_FIX_WORDS = re.compile(r"^(?:请|应)|应(?:为|填|写|当|与|是|按|在|使|等于|注明|说明|列明|补充|更正|改为)")
NOTICE_HEADERS = ("序号", "问题类型", "位置", "问题说明", "整改要求")


@dataclass
class Problem:
    """One confirmed problem as a notice lists it."""

    number: int
    kind: str  # 错误 / 警告 and the category
    where: str  # official labels, the quoted sentence, the page
    message: str
    fix: str
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    finding: ReviewedFinding | None = None


# ---------------------------------------------------------------------- where a problem is


def _cells(store, report_id: int) -> dict[str, dict]:
    q = select(S.cells.c.path, S.cells.c.provenance).where(S.cells.c.report_id == report_id)
    with store.engine.connect() as c:
        return {path: prov or {} for path, prov in c.execute(q)}


def _quote(evidence) -> str | None:
    if isinstance(evidence, str):
        return evidence
    if isinstance(evidence, dict):
        for key in ("quote", "sentence", "text", "printed"):
            if isinstance(evidence.get(key), str) and evidence[key].strip():
                return evidence[key]
    return None


def _where(f: ReviewedFinding, layout: str, cells: dict[str, dict]) -> tuple[str, int | None, tuple | None]:
    """``表三「（七）总计」行「自然人」列（第3页）`` or ``五、存在的主要问题及改进情况：「…」``; with
    the page and the box of the first cell on a PDF page."""
    parts: list[str] = []
    page, bbox = None, None
    for w in f.where:
        if _CELL_PATH.match(w):
            parts.append(cell_label(w, layout))
            for spot in (cells.get(w) or {}).get("where") or []:
                if page is None and isinstance(spot, dict) and spot.get("page"):
                    page, bbox = int(spot["page"]), tuple(spot["bbox"]) if spot.get("bbox") else None
        elif _SECTION.match(w):
            parts.append(section_heading(w))
        elif w == "meta":
            parts.append("标题")
    labels = "、".join(dict.fromkeys(parts[:4])) + ("等" if len(parts) > 4 else "")
    quote = _quote(f.evidence)
    if quote:
        quote = quote if len(quote) <= 120 else quote[:118] + "……"
        labels = f"{labels}：「{quote}」" if labels else f"「{quote}」"
    if page is not None:
        labels = f"{labels}（第{page}页）"
    return labels or "全文", page, bbox


def _fix(message: str) -> str:
    wanted = [m.strip() for m in _CLAUSE.findall(message) if _FIX_WORDS.search(m.strip())]
    return "".join(wanted) if wanted else "请核实并更正后重新发布。"


def _kind(f: ReviewedFinding) -> str:
    category = CATEGORY_LABELS.get(f.code[:1], "其他")
    return f"{f.severity_label}·{category}"


def _resolve(store, agency: str, year: int | None) -> Version:
    chosen = [v for v in current_versions(store, year=year) if v.agency_id or v.agency]
    exact = [v for v in chosen if agency in (v.subject, v.agency)]
    near = exact or [v for v in chosen if agency in (v.agency or "")]
    if not near:
        raise InputError(f"没有「{agency}」{year or ''}年度的报告 (no current report of this agency)")
    if len({v.subject for v in near}) > 1:
        names = "、".join(sorted({v.agency or v.subject for v in near}))
        raise InputError(f"「{agency}」对应多个单位：{names}，请写全称 (ambiguous agency)")
    return max(near, key=lambda v: v.year or 0)


def notice_problems(url_or_store, agency: str, year: int | None = None) -> tuple[Version, list[Problem]]:
    """The current report of ``agency`` (name, part of it, or agency id) and its confirmed problems that are
    still there, in the report's order."""
    with opened(url_or_store) as store:
        v = _resolve(store, agency, year)
        found = findings_for_review(
            store, ReviewFilter(report_id=v.report_id, state=CONFIRMED), include_rectified=False
        )
        cells = _cells(store, v.report_id)
    layout = str(v.meta.get("template") or template.default_layout())
    problems = []
    for n, f in enumerate(found, start=1):
        where, page, bbox = _where(f, layout, cells)
        problems.append(Problem(n, _kind(f), where, f.message, _fix(f.message), page, bbox, f))
    return v, problems


# ---------------------------------------------------------------------- PDF crops


def _pdf_crop(pdf: bytes, page: int, bbox: tuple | None) -> bytes | None:
    """A PNG of the band of ``page`` around ``bbox`` (PDF points from the top-left), or None."""
    try:
        import pypdfium2 as pdfium
    except ImportError:
        return None
    try:
        doc = pdfium.PdfDocument(pdf)
        p = doc[page - 1]
        scale = 2.0
        image = p.render(scale=scale).to_pil()
        if bbox:
            top = max(0, int((bbox[1] - 60) * scale))
            bottom = min(image.height, int((bbox[3] + 60) * scale))
            image = image.crop((0, top, image.width, bottom))
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()
    except Exception:  # a crop is a help, never a reason to fail the notice
        return None


def _original_from_path(v: Version) -> bytes | None:
    """The file the CLI ingested, if it is still there unchanged."""
    if not v.path or not Path(v.path).is_file():
        return None
    try:
        data = Path(v.path).read_bytes()
    except OSError:
        return None
    return data if hashlib.sha256(data).hexdigest() == v.sha256 else None


# ---------------------------------------------------------------------- 整改通知


def _title(v: Version) -> str:
    return f"{v.agency or ''}{v.year or ''}年政府信息公开工作年度报告"


def _set_font(document) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = document.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")


def _table(document, headers: tuple[str, ...] | list[str], rows: list[list[Any]]):
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = str(text)
    return table


def notice_docx(
    url_or_store,
    agency: str,
    to: str | Path,
    year: int | None = None,
    issuer: str = "政务公开工作主管部门",
    original: Callable[[Version], bytes | None] = _original_from_path,
) -> int:
    """Write the 整改通知 of one agency's current report; returns the number of problems listed."""
    from docx import Document
    from docx.shared import Cm

    v, problems = notice_problems(url_or_store, agency, year)
    document = Document()
    _set_font(document)
    document.add_heading("政府信息公开工作年度报告整改通知", level=1)
    document.add_paragraph(f"{v.agency or v.name}：")
    if problems:
        intro = (
            f"经审核，你单位发布的《{_title(v)}》存在以下 {len(problems)} 个问题，"
            "请逐项核实整改，整改后重新发布，并将整改情况报送我单位。"
        )
    else:
        intro = f"经审核，你单位发布的《{_title(v)}》未发现需要整改的问题。"
    document.add_paragraph(intro)
    if problems:
        table = _table(
            document, NOTICE_HEADERS, [[str(p.number), p.kind, p.where, p.message, p.fix] for p in problems]
        )
        pdf = original(v) if v.format == "pdf" and any(p.page for p in problems) else None
        for p, row in zip(problems, table.rows[1:], strict=True):
            crop = _pdf_crop(pdf, p.page, p.bbox) if pdf and p.page else None
            if crop:
                row.cells[2].add_paragraph().add_run().add_picture(io.BytesIO(crop), width=Cm(5))
    document.add_paragraph(f"文件：{v.name}")
    document.add_paragraph(issuer)
    document.add_paragraph(dt.date.today().strftime("%Y年%m月%d日").replace("年0", "年").replace("月0", "月"))
    Path(to).parent.mkdir(parents=True, exist_ok=True)
    document.save(str(to))
    return len(problems)


def _xlsx_sheet(workbook, title: str, headers, rows, first: bool = False):
    from openpyxl.styles import Font

    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for i, head in enumerate(headers, start=1):
        width = max([len(str(head)) * 2, *(min(60, len(str(r[i - 1])) + 2) for r in rows)])
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = width
    sheet.freeze_panes = "A2"
    return sheet


def notice_xlsx(url_or_store, agency: str, to: str | Path, year: int | None = None) -> int:
    """The same problems as the DOCX notice, one row each, for agencies that track them in a sheet."""
    from openpyxl import Workbook

    _, problems = notice_problems(url_or_store, agency, year)
    workbook = Workbook()
    rows = [[p.number, p.kind, p.where, p.message, p.fix, "", ""] for p in problems]
    _xlsx_sheet(workbook, "整改通知", [*NOTICE_HEADERS, "整改情况", "备注"], rows, first=True)
    Path(to).parent.mkdir(parents=True, exist_ok=True)
    workbook.save(str(to))
    return len(problems)


# ---------------------------------------------------------------------- 通报


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def common_problems(found: list[ReviewedFinding]) -> list[dict]:
    """Confirmed problems by rule: how many agencies, how many findings, one example message."""
    groups: dict[str, list[ReviewedFinding]] = defaultdict(list)
    for f in found:
        if f.state == CONFIRMED:
            groups[f.code].append(f)
    rows: list[dict[str, Any]] = []
    for code, items in groups.items():
        rows.append(
            {
                "code": code,
                "category": CATEGORY_LABELS.get(code[:1], "其他"),
                "agencies": len({f.subject for f in items}),
                "count": len(items),
                "example": min((f.message for f in items), key=len),
            }
        )
    rows.sort(key=lambda r: (-r["agencies"], -r["count"], r["code"]))
    return rows


def bulletin_docx(
    url_or_store,
    to: str | Path,
    year: int | None = None,
    scheme: Scheme | None = None,
    issuer: str = "政务公开工作主管部门",
) -> ScoreRun:
    """Write the campaign's 通报: participation, on-time rate, common problems, ranking, good and bad
    examples."""
    from docx import Document

    with opened(url_or_store) as store:
        year = year if year is not None else campaign_year(store)
        cover = [r for r in roster_coverage(store, year) if r.status in (PUBLISHED, UNPUBLISHED)]
        found = findings_for_review(store, ReviewFilter(year=year, state=CONFIRMED))
        run = score(store, scheme, year=year, record=False)
    published = [r for r in cover if r.status == PUBLISHED]
    known = [r for r in published if r.on_time is not None]
    on_time = [r for r in known if r.on_time]
    document = Document()
    _set_font(document)
    document.add_heading(f"关于{year}年度政府信息公开工作年度报告评议情况的通报", level=1)
    document.add_heading("一、总体情况", level=2)
    document.add_paragraph(
        f"名录内应发布年度报告的单位 {len(cover)} 家，已发布 {len(published)} 家，"
        f"发布率 {_percent(len(published), len(cover))}；已知发布日期的 {len(known)} 家中按时发布 "
        f"{len(on_time)} 家，按时发布率 {_percent(len(on_time), len(known))}。"
    )
    missing = [r.name for r in cover if r.status == UNPUBLISHED]
    if missing:
        document.add_paragraph(f"未发布年度报告的单位（{len(missing)} 家）：{'、'.join(missing)}。")
    late = [r.name for r in known if not r.on_time]
    if late:
        document.add_paragraph(f"未按时发布的单位（{len(late)} 家）：{'、'.join(late)}。")
    fixed = sum(1 for f in found if f.rectification == RECTIFIED)
    document.add_paragraph(
        f"经审核确认问题 {len(found)} 个，其中{RECTIFICATION_LABELS[RECTIFIED]} {fixed} 个。"
    )
    document.add_heading("二、常见问题", level=2)
    problems = common_problems(found)
    if problems:
        _table(
            document,
            ("问题类别", "涉及单位数", "问题数", "典型表述"),
            [[p["category"], p["agencies"], p["count"], p["example"]] for p in problems],
        )
    else:
        document.add_paragraph("未确认问题。")
    document.add_heading("三、评分与排名", level=2)
    document.add_paragraph(
        f"评分依据：{run.scheme.name}（版本 {run.scheme.version}），满分 {_num(run.scheme.full)} 分。"
    )
    _table(
        document,
        ("地区", "类型", "排名", "单位", "得分", "红黄牌"),
        [
            [a.region or "", _kind_label(a.kind), a.rank, a.name, _num(a.score), a.list_label]
            for a in run.agencies
        ],
    )
    document.add_heading("四、典型案例", level=2)
    ranked = sorted((a for a in run.agencies if a.status == PUBLISHED), key=lambda a: (-a.score, a.name))
    good = [a for a in ranked if a.score >= run.scheme.yellow][:3]
    bad = [a for a in reversed(ranked) if a.deductions][:3]
    document.add_paragraph("较好的：" + ("、".join(f"{a.name}（{_num(a.score)} 分）" for a in good) or "无"))
    for a in bad:
        items = "；".join(
            f"{d['label']} {d['count']} 项扣 {_num(d['points'])} 分" for d in a.deductions.values()
        )
        document.add_paragraph(f"较差的：{a.name}（{_num(a.score)} 分）：{items}。")
    document.add_paragraph(issuer)
    Path(to).parent.mkdir(parents=True, exist_ok=True)
    document.save(str(to))
    return run


def _num(x) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _kind_label(kind: str | None) -> str:
    from gongkai.audit import kinds

    return kinds.label(kind) if kind else ""


# ---------------------------------------------------------------------- review sheet


REVIEW_HEADERS = (
    "单位",
    "地区",
    "年度",
    "文件",
    "问题类型",
    "位置",
    "问题说明",
    "审核状态",
    "整改情况",
    "审核意见",
    "审核人",
    "审核时间",
)


def review_sheet_xlsx(
    url_or_store, to: str | Path, year: int | None = None, scheme: Scheme | None = None
) -> int:
    """The whole campaign in one workbook: every finding with its review state, the roster coverage and the
    scores. Returns the number of findings."""
    from openpyxl import Workbook

    with opened(url_or_store) as store:
        year = year if year is not None else campaign_year(store)
        found = findings_for_review(store, ReviewFilter(year=year))
        chosen = {v.report_id: v for v in current_versions(store, year=year)}
        cells = {rid: _cells(store, rid) for rid in {f.report_id for f in found}}
        cover = roster_coverage(store, year)
        run = score(store, scheme, year=year, record=False)
    rows: list[list[Any]] = []
    for f in found:
        v = chosen[f.report_id]
        where, _, _ = _where(f, str(v.meta.get("template") or template.default_layout()), cells[f.report_id])
        rows.append(
            [
                v.agency or "",
                v.region,
                v.year or "",
                v.name,
                _kind(f),
                where if f.where else "",
                f.message,
                f.state_label,
                RECTIFICATION_LABELS.get(f.rectification or "", ""),
                f.comment or "",
                f.reviewer or "",
                f.at.strftime("%Y-%m-%d %H:%M") if f.at else "",
            ]
        )
    workbook = Workbook()
    _xlsx_sheet(workbook, "问题审核", REVIEW_HEADERS, rows, first=True)
    _xlsx_sheet(
        workbook,
        "名录覆盖",
        ("单位", "地区", "类型", "状态", "截止日期", "发布日期", "是否按时"),
        [
            [
                r.name,
                r.region or "",
                r.kind_label,
                r.status_label,
                r.due or "",
                r.published or "",
                {True: "是", False: "否", None: ""}[r.on_time],
            ]
            for r in cover
        ],
    )
    _xlsx_sheet(
        workbook,
        "评分排名",
        ("地区", "类型", "排名", "单位", "得分", "红黄牌", "扣分明细"),
        [
            [
                a.region or "",
                _kind_label(a.kind),
                a.rank,
                a.name,
                a.score,
                a.list_label,
                "；".join(f"{d['label']}×{d['count']}：-{_num(d['points'])}" for d in a.deductions.values()),
            ]
            for a in run.agencies
        ],
    )
    Path(to).parent.mkdir(parents=True, exist_ok=True)
    workbook.save(str(to))
    return len(rows)
