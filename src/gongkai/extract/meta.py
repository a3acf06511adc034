"""Title, issuing agency, report year and layout."""

from __future__ import annotations

import re

from gongkai import template
from gongkai.extract.stream import Stream

_TITLE = re.compile(
    r"(?P<agency>[\u4e00-\u9fff()（）、·\w]{2,60}?)\s*(?P<year>20[1-3]\d)\s*年(?:度)?\s*"
    r"(?:政府)?信息公开(?:工作)?(?:年度)?(?:工作)?(?:报告|年报)"
)
_TITLE_YEAR_FIRST = re.compile(
    r"(?P<year>20[1-3]\d)\s*年(?:度)?\s*(?P<agency>[\u4e00-\u9fff()（）、·]{2,40}?)\s*"
    r"(?:政府)?信息公开(?:工作)?(?:年度)?(?:工作)?(?:报告|年报)"
)
_PERIOD = re.compile(r"统计期限?(?:为|是|自|从)?\s*(20[1-3]\d)\s*年\s*1\s*月\s*1\s*日")
_TITLE_PREFIX = re.compile(r"^(?:标题|title)\s*[:：]\s*", re.I)
_AGENCY_TRIM = re.compile(r"^(?:[#*>\s]|关于|当前位置[:：]?)+")


def find_title(stream: Stream) -> re.Match[str] | None:
    """The report title: the first "<agency><year>年…政府信息公开工作年度报告" in the first lines."""
    head = stream.compact[:4000]
    agency_first = _TITLE.search(head)
    year_first = _TITLE_YEAR_FIRST.search(head)
    if year_first and (agency_first is None or year_first.start() < agency_first.start()):
        return year_first
    return agency_first


def extract_meta(stream: Stream, source_text: str) -> dict:
    meta: dict = {"agency": None, "year": None, "template": None, "title": None}
    m = find_title(stream)
    if m:
        agency = _AGENCY_TRIM.sub("", _TITLE_PREFIX.sub("", m.group("agency")))
        meta["agency"] = agency.removeprefix("标题:") or None
        meta["year"] = int(m.group("year"))
        meta["title"] = m.group(0)
    else:
        p = _PERIOD.search(stream.compact)
        if p:
            meta["year"] = int(p.group(1))
    meta["template"] = detect_layout(stream, meta["year"])
    return meta


def detect_layout(stream: Stream, year: int | None) -> str:
    """The layout the document prints, from labels only one layout has; the year breaks ties."""
    scores = {
        k: sum(stream.compact.count(label) for label in labels)
        for k, labels in template.LAYOUT_MARKERS.items()
    }
    if scores["2021"] != scores["2019"]:
        return max(scores, key=lambda k: scores[k])
    return template.layout_for_year(year)
