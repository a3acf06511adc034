"""Meta rules: the title names the agency and the report year; the statistics period is that year."""

from __future__ import annotations

import re

from gongkai.audit.finding import ERROR, Finding
from gongkai.audit.registry import rule
from gongkai.audit.textutil import Compact
from gongkai.model import Report

_SPACES = re.compile(r"\s+")
_TITLE = re.compile(
    r"^(?:(?P<y0>\d{4})年(?:度)?)?(?P<agency>[^\d]+?)(?:(?P<year>\d{4})年(?:度)?)?政府信息公开工作年度报告$"
)
_PERIOD = re.compile(
    r"统计(?:期限|时限|期间|区间|时间|范围|周期)?(?:为|是|自|从)?[:：]?(?P<y1>\d{4})年1月1日(?:起)?"
    r"(?:至|到|—|-|～|~)(?:(?P<y2>\d{4})年)?12月31日"
)


@rule("M101", "title", "warning")
def title(report: Report):
    """The title reads 「<机关名称><年份>年政府信息公开工作年度报告」 and its year is the report year.

    The year may also come first (「2019年上海市人民政府办公厅政府信息公开工作年度报告」).

    Anti-pattern:
        2024年度政务公开工作总结
    Best practice:
        新乡县人民政府办公室2024年政府信息公开工作年度报告
    """
    t = (report.meta.get("title") or "").strip()
    if not t:
        yield Finding(
            "未找到报告标题；标题应为「<机关名称><年份>年政府信息公开工作年度报告」。",
            where=["meta"],
            evidence={"title": None},
        )
        return
    compact = _SPACES.sub("", t)
    m = _TITLE.match(compact)
    if not m or bool(m.group("y0")) == bool(m.group("year")):
        yield Finding(
            f"标题「{t}」不符合「<机关名称><年份>年政府信息公开工作年度报告」的格式；请使用统一标题。",
            where=["meta"],
            evidence={"title": t},
        )
        return
    if report.year is not None and int(m.group("year") or m.group("y0")) != report.year:
        yield Finding(
            f"标题「{t}」的年份与报告年度 {report.year} 不一致。",
            where=["meta"],
            evidence={"title": t, "year": report.year},
            severity=ERROR,
        )


@rule("M102", "statistics-period", "error")
def statistics_period(report: Report):
    """The statistics period stated in the text is the report year, 1 January to 31 December.

    The short form without the second year (「2023年1月1日至12月31日」) is read the same way.

    Anti-pattern:
        本报告所列数据统计期限为2022年1月1日至2022年12月31日。（2023 年度报告）
        本报告所列数据统计期限为2023年1月1日至12月31日。（2024 年度报告）
    Best practice:
        本报告所列数据统计期限为2023年1月1日至2023年12月31日。（2023 年度报告）
    """
    if report.year is None or not report.text:
        return
    c = Compact.of(report.text[:8000])
    for m in _PERIOD.finditer(c.text):
        y1 = int(m.group("y1"))
        y2 = int(m.group("y2")) if m.group("y2") else y1  # short form: 2023年1月1日至12月31日
        if y1 != report.year or y2 != report.year:
            quote = report.text[slice(*c.span(m.start(), m.end()))]
            yield Finding(
                f"统计期限「{quote}」与报告年度 {report.year} 年不一致；"
                f"应为{report.year}年1月1日至{report.year}年12月31日。",
                where=["meta"],
                evidence={"quote": quote, "year": report.year},
                span=c.span(m.start(), m.end()),
            )
