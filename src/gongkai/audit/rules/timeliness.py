"""Timeliness and the content 《条例》 requires of the report of a 本级人民政府.

《政府信息公开条例》第四十九条: a government department publishes its report of the year before by 31 January,
the 本级人民政府 by 31 March (the deadlines are configurable: local rules differ). The agency kind comes from
``meta["kind"]`` (a roster) or the title; the publication date from ``meta["published"]`` with its source in
``meta["sources"]["published"]`` (HTML ``<meta>``, the page's 发布时间, PDF/DOCX properties, the signing date,
or given by the caller).
"""

from __future__ import annotations

import os
import re
from datetime import date

from gongkai.audit.finding import INFO, WARNING, Finding
from gongkai.audit.kinds import DEPARTMENT, GOVERNMENT, OTHER, TOWNSHIP, kind_of, label
from gongkai.audit.labels import section_heading
from gongkai.audit.registry import rule
from gongkai.model import Report

# (month, day) of the year after the report year. Override per report with meta["deadlines"]
# ({"department": "01-31", ...}) or for a whole run with
# GONGKAI_DEADLINES="department=01-31,government=03-31".
DEFAULT_DEADLINES: dict[str, tuple[int, int]] = {
    DEPARTMENT: (1, 31),
    GOVERNMENT: (3, 31),
    TOWNSHIP: (1, 31),
}
# Kinds whose deadline the 条例 itself sets; for the others local rules decide, so lateness is a warning.
_STATUTORY = (DEPARTMENT, GOVERNMENT)
_LATEST = (3, 31)

SOURCE_LABELS = {
    "given": "调用方指定",
    "store": "数据库文档列表",
    "html_meta": "网页元数据",
    "page_text": "网页上的发布时间",
    "page_title": "网页标题",
    "pdf_metadata": "PDF 文件属性",
    "docx_metadata": "DOCX 文件属性",
    "signature": "报告落款日期",
    "opening": "报告开头",
    "title": "标题",
    "file_name": "文件名",
    "body": "正文",
}
# Sources that may postdate the publication (a file re-saved later): lateness from them is a warning.
_WEAK_SOURCES = ("pdf_metadata", "docx_metadata", "file_name")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")
_MMDD = re.compile(r"^(\d{1,2})-(\d{1,2})$")


def parse_date(value) -> date | None:
    """``YYYY-MM-DD`` (a longer ISO timestamp is cut to its date) as a date; None if it is not one."""
    if isinstance(value, date):
        return value
    m = _DATE.match(str(value or "").strip())
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _parse_mmdd(value: str) -> tuple[int, int] | None:
    m = _MMDD.match(str(value).strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def deadlines(meta: dict | None = None) -> dict[str, tuple[int, int]]:
    """The deadlines in force: the defaults, then ``GONGKAI_DEADLINES``, then ``meta["deadlines"]``."""
    out = dict(DEFAULT_DEADLINES)
    for item in os.environ.get("GONGKAI_DEADLINES", "").split(","):
        kind, _, mmdd = item.partition("=")
        md = _parse_mmdd(mmdd)
        if kind.strip() and md:
            out[kind.strip()] = md
    for kind, mmdd in ((meta or {}).get("deadlines") or {}).items():
        md = _parse_mmdd(mmdd)
        if md:
            out[kind] = md
    return out


def published_of(meta: dict) -> tuple[date | None, str]:
    """The publication date and where it came from (``meta["sources"]["published"]``, else ``given``)."""
    when = parse_date(meta.get("published"))
    source = ((meta.get("sources") or {}).get("published")) or "given"
    return when, source


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@rule("M103", "timeliness", "error")
def timeliness(report: Report):
    """Published in time: departments by 1月31日, the 本级人民政府 by 3月31日 (《条例》第四十九条).

    The agency kind comes from the roster (``meta["kind"]``) or the title; the date from the document
    (web page 发布时间, HTML ``<meta>``, the signing date, PDF/DOCX properties) or given (the store's
    document list). The finding names the source of the date. With no date the check is only noted
    (info); a date from file properties, or a deadline set by local rules
    (乡镇街道, other bodies), gives a warning.

    Anti-pattern:
        测试县交通运输局2024年政府信息公开工作年度报告，发布时间：2025-02-18。
    Best practice:
        测试县交通运输局2024年政府信息公开工作年度报告，发布时间：2025-01-20。
    """
    if report.year is None:
        return
    kind, kind_source = kind_of(report.meta)
    when, source = published_of(report.meta)
    table = deadlines(report.meta)
    md = table.get(kind)
    how = "名册指定" if kind_source == "given" else "按机关名称判断"
    if when is None:
        rule_text = (
            f"{label(kind)}应于{report.year + 1}年{md[0]}月{md[1]}日前公开"
            if md
            else f"截止日期按地方规定，最迟为{report.year + 1}年{_LATEST[0]}月{_LATEST[1]}日"
        )
        yield Finding(
            f"未能确定报告的发布日期，无法核对是否按时公开（《条例》第四十九条；本报告机关为{label(kind)}"
            f"（{how}），{rule_text}）；可在入库时提供发布日期。",
            where=["meta"],
            evidence={"kind": kind, "published": None},
            severity=INFO,
        )
        return
    due = date(report.year + 1, *(md or _LATEST))  # other bodies: only the latest statutory deadline is sure
    if when <= due:
        return
    severity = None
    if source in _WEAK_SOURCES or kind not in _STATUTORY or kind == OTHER:
        severity = WARNING
    yield Finding(
        f"报告发布日期为{_cn(when)}（来源：{SOURCE_LABELS.get(source, source)}），"
        "晚于《条例》第四十九条规定的"
        f"{_cn(due)}（{label(kind)}，{how}），逾期 {(when - due).days} 天；年度报告应按时向社会公布。",
        where=["meta"],
        evidence={
            "published": when.isoformat(),
            "published_source": source,
            "deadline": due.isoformat(),
            "kind": kind,
            "kind_source": kind_source,
        },
        severity=severity or "",
    )


_REQUIRED_GOVERNMENT = (
    ("工作考核", re.compile(r"考核")),
    ("社会评议", re.compile(r"评议|社会评价|群众评价|满意度")),
    ("责任追究结果", re.compile(r"责任追究|追责|问责")),
)


@rule("S105", "government-required-content", "warning")
def government_content(report: Report):
    """A 本级人民政府 report states the 工作考核、社会评议和责任追究结果 (《条例》第五十条).

    Usually in section 六. Department and township reports are not asked for it.

    Anti-pattern:
        六、其他需要报告的事项：本年度未收取信息处理费。（测试县人民政府）
    Best practice:
        六、其他需要报告的事项：本年度未收取信息处理费。政务公开工作纳入年度绩效考核，开展社会评议，
        未发生责任追究情况。（测试县人民政府）
    """
    kind, _source = kind_of(report.meta)
    if kind != GOVERNMENT or not report.sections:
        return
    text = "".join("\n".join(s.text for s in report.sections.values()).split())  # whitespace dropped
    missing = [name for name, pat in _REQUIRED_GOVERNMENT if not pat.search(text)]
    if not missing:
        return
    yield Finding(
        f"本级人民政府的年度报告应报告政府信息公开工作考核、社会评议和责任追究结果（《条例》第五十条），"
        f"文中没有写到「{'」「'.join(missing)}」；一般在{section_heading('s6')}中说明。",
        where=["s6"],
        evidence={"missing": missing, "kind": kind},
    )
