"""Agency kinds: what kind of body wrote a report decides which deadlines and required content apply.

《政府信息公开条例》第四十九条 and 第五十条 treat a government department (部门) differently from the
本级人民政府 whose report its office compiles; 乡镇人民政府 and 街道办事处 are a kind of their own in most
local rules. The kind comes from the agency's name (or the report title) unless the caller knows better:
a report's ``meta["kind"]`` (given by a roster) always wins over :func:`classify_kind`.

>>> classify_kind("淮安市洪泽区人民政府")
'government'
>>> classify_kind("新乡县人民政府办公室")
'department'
>>> classify_kind("城关镇人民政府")
'township'
"""

from __future__ import annotations

import re
from typing import Any

DEPARTMENT = "department"
GOVERNMENT = "government"
TOWNSHIP = "township"
OTHER = "other"
KINDS = (DEPARTMENT, GOVERNMENT, TOWNSHIP, OTHER)

LABELS = {
    DEPARTMENT: "部门",
    GOVERNMENT: "本级人民政府",
    TOWNSHIP: "乡镇街道",
    OTHER: "其他",
}

_SPACE = re.compile(r"\s+")
# The report's own title tail, so a title can be classified as well as a bare name.
_TITLE_TAIL = re.compile(r"(?:\d{4}年度?)?政府信息公开(?:工作)?年度报告.*$")
_LEADING_YEAR = re.compile(r"^\d{4}年度?")

# 乡镇人民政府, 街道办事处 (and their short forms), 苏木 in Inner Mongolia.
_TOWNSHIP = re.compile(
    r"(?:镇|乡|苏木)(?:人民)?政府$|街道(?:办事处|办|工作委员会|党工委)?$|(?:镇|乡|街道)(?:人民政府)?办公室$"
    r"|^[\u4e00-\u9fff]{1,12}(?:镇|乡|苏木)$"  # a bare township name: 河包镇, 中村乡
)
# A people's government of a county level or above, by itself (not one of its offices or departments).
_GOVERNMENT = re.compile(
    r"(?:省|自治区|市|州|盟|地区|县|区|旗|特区|林区)(?:人民)?政府$"
    r"|(?:综合实验区|新区)$"
    r"|^[\u4e00-\u9fff]{1,10}?(?:省|自治区|市|自治州|州|盟|县|自治县|区|旗|自治旗)$"  # a bare place: 洪泽区
)
# Development zones and parks: their bodies report under rules set locally.
_ZONE = re.compile(r"(?:开发区|园区|工业区|高新区|保税区|示范区|合作区|试验区|产业区)$")
# Bodies that are neither a government nor one of its departments: enterprises, public institutions.
_OTHER = re.compile(
    r"(?:管理委员会|管委会|公司|集团|医院|学校|大学|学院|中学|小学|银行|协会|学会|研究院|研究所)$"
)
_DEPARTMENT = re.compile(
    r"(?:厅|局|委员会|委|办公室|办公厅|办|署|院|中心|管理处|支队|大队|队|所|站|部|处|室|馆|社)$"
)


def label(kind: str) -> str:
    """The Chinese label of a kind code (``部门`` …); unknown codes get ``其他``."""
    return LABELS.get(kind, LABELS[OTHER])


def _name_of(text: str) -> str:
    name = _SPACE.sub("", text or "")
    name = _TITLE_TAIL.sub("", name)
    name = _LEADING_YEAR.sub("", name)
    return name.replace("（", "(").replace("）", ")")


def classify_kind(agency_name: str | None) -> str:
    """The kind of the agency named ``agency_name`` (a bare name or a report title).

    ``department`` for a department or office (``…局``, ``…人民政府办公室``), ``government`` for a
    county-level or higher people's government itself (and a comprehensive zone or new area reporting as one),
    ``township`` for 乡镇人民政府 and 街道办事处, ``other`` when the name says neither (enterprises, public
    institutions, and the 管理委员会 of development zones, whose deadlines local rules set differently).
    """
    name = _name_of(agency_name or "")
    if not name:
        return OTHER
    name = re.sub(r"\([^)]*\)$", "", name)  # a trailing parenthetical: 「…局（…）」
    if _TOWNSHIP.search(name):
        return TOWNSHIP
    if _ZONE.search(name):
        return OTHER
    if _GOVERNMENT.search(name):
        return GOVERNMENT
    if _OTHER.search(name):
        return OTHER
    if _DEPARTMENT.search(name):
        return DEPARTMENT
    return OTHER


def kind_of(meta: dict[str, Any]) -> tuple[str, str]:
    """A report's kind and where it came from: ``meta["kind"]`` (``given``) wins over the name or title.

    Returns ``(kind, source)`` with source ``given``, ``agency`` or ``title``; ``(OTHER, "")`` when nothing
    names the agency.
    """
    given = meta.get("kind")
    if given in KINDS:
        return given, "given"
    for key in ("agency", "title"):
        value = meta.get(key)
        if value:
            kind = classify_kind(value)
            if kind != OTHER:
                return kind, key
    return OTHER, ""
