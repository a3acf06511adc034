"""The national annual-report template as data: the one place every label, row, column and identity lives.

Layouts are registered data (`register`): the 国办公开办函〔2021〕30号 layout (report years 2021 on) and the
〔2019〕60号 trial layout (2019–2020). Each carries its tables, the years it applies to, the labels that
identify it, the table-三 （六）其他处理 rows it prints, the document stock carried across years and its
identities (`IdentityRule`). Readers, solvers, checks, renderers and exports derive everything from here.

Each row and column has a stable English key (see ``shared/spec/template.md``), its official label, and
``anchors``: regular-expression fragments that find the label in real text. Anchors are the distinctive
part of the label and tolerate the variants real reports print (typos, abbreviations, 2019 wording).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """A column of a template table."""

    key: str
    label: str
    decimal: bool = False  # may carry decimals (money)
    signed: bool = False  # may be negative (2019 本年增/减)
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    """A row of a template table: its label as printed and the anchors that find it."""

    key: str
    label: str
    anchors: tuple[str, ...]
    group: str = ""  # the merged label on the left (三、本年度办理结果 / （三）不予公开 …)
    enumerator: str = ""  # "1." etc. printed before the label; may be glued to the previous row's digits
    columns: tuple[Column, ...] = ()  # table 二 rows have their own columns
    section: str = ""  # table 二: 第二十条第（X）项
    short: str = ""  # the label as messages quote it, where shorter than ``label`` (一、本年新收)


@dataclass(frozen=True)
class Section:
    """One of the report's six sections: its number, title and the anchors that find its heading."""

    key: str
    number: str  # 一 … 六
    title: str
    anchors: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A template table: its rows, columns and the header text that is never a value."""

    key: str
    title: str
    rows: tuple[Row, ...]
    short_name: str = ""  # 表二 / 表三 / 表四
    columns: tuple[Column, ...] = ()  # shared columns (tables 三 and 四)
    groups: tuple[tuple[str, str], ...] = ()  # table 四: (key, label)
    header_labels: tuple[str, ...] = ()  # printed header text that is never a value

    def row(self, key: str) -> Row:
        for r in self.rows:
            if r.key == key:
                return r
        raise KeyError(key)

    def columns_of(self, row: Row) -> tuple[Column, ...]:
        return row.columns or self.columns


# How an identity runs over a table: for every column, the left rows add up to the right rows (ROWS);
# for every row, the left columns add up to the right columns (COLUMNS).
ROWS = "rows"
COLUMNS = "columns"


@dataclass(frozen=True)
class IdentityRule:
    """An official identity (勾稽关系) as data, expanded by `identities` into one `Identity` per column
    (``across=ROWS``) or per row (``across=COLUMNS``) of ``table``.

    ``open_left``: the left side lists items of which a document may omit some (the （六）其他处理 rows
    differ between layouts); the extractor's solver then sums the items the document prints."""

    name: str
    table: str
    across: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    description: str
    open_left: bool = False
    left_name: str = ""  # how messages name the left side's items (（一）至（六）各项)


@dataclass(frozen=True)
class Stock:
    """Table 二's document stock carried across years: stock(y) = stock(y−1) + added(y) − removed(y)."""

    rows: tuple[str, ...]
    stock: str
    added: str
    removed: str | None = None


@dataclass(frozen=True)
class Layout:
    """One national layout of the report: its three tables and six sections."""

    key: str
    table2: Table
    table3: Table
    table4: Table
    sections: tuple[Section, ...] = field(default=())
    name: str = ""  # 2021 年格式
    document: str = ""  # 国办公开办函〔2021〕30号
    first_year: int | None = None  # first report year it applies to; it applies until the next layout's
    markers: tuple[str, ...] = ()  # labels only this layout prints: they identify it in a document
    table3_markers: tuple[str, ...] = ()  # table-三 row keys whose labels show its table 三 is printed
    other_rows: tuple[str, ...] = ()  # its table-三 （六）其他处理 row keys
    alternates: tuple[str, ...] = ()  # layouts whose table-三 （六） rows a report of this layout may print
    stock: Stock | None = None
    rules: tuple[IdentityRule, ...] = ()

    @property
    def tables(self) -> tuple[Table, Table, Table]:
        return (self.table2, self.table3, self.table4)

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    @property
    def title(self) -> str:
        """``2021 年格式（国办公开办函〔2021〕30号）``."""
        return f"{self.name}（{self.document}）" if self.document else self.name


# ---------------------------------------------------------------- sections (both layouts)

SECTIONS: tuple[Section, ...] = (
    Section("s1", "一", "总体情况", (r"总体情况", r"概述", r"基本情况")),
    Section("s2", "二", "主动公开政府信息情况", (r"主动公开政府信息(?:的)?情况", r"主动公开情况")),
    Section(
        "s3",
        "三",
        "收到和处理政府信息公开申请情况",
        (r"收到和处理政府信息公开申请(?:的)?情况", r"依申请公开(?:政府信息)?情况"),
    ),
    Section(
        "s4",
        "四",
        "政府信息公开行政复议、行政诉讼情况",
        (
            r"政府信息公开行政法?复议[、,和及]?\s*行政诉讼(?:的)?情况",
            r"(?:因政府信息公开(?:工作|申请)?)?(?:被申请|申请)?行政复议[、,和及]?\s*(?:提起)?行政诉讼(?:的)?情况",
        ),
    ),
    Section(
        "s5",
        "五",
        "存在的主要问题及改进情况",
        (r"(?:政府信息公开工作)?存在(?:的)?(?:主要)?问题(?:及|和)改进(?:情况|措施)",),
    ),
    Section("s6", "六", "其他需要报告的事项", (r"其他需要报告的事项",)),
)

# ---------------------------------------------------------------- table 二

_ISSUED = Column("issued", "本年制发件数", variants=("本年新制发件数",))
_REPEALED = Column("repealed", "本年废止件数", variants=("本年度止件数", "本年止件数", "本年度废止件数"))
_IN_FORCE = Column("in_force", "现行有效件数")
_DECISIONS = Column("decisions", "本年处理决定数量")
_FEE_AMOUNT = Column("amount", "本年收费金额（单位：万元）", decimal=True)

TABLE2_2021 = Table(
    "table2",
    "主动公开政府信息情况",
    short_name="表二",
    rows=(
        Row(
            "rules", "规章", (r"规章",), columns=(_ISSUED, _REPEALED, _IN_FORCE), section="第二十条第（一）项"
        ),
        Row(
            "normative_documents",
            "行政规范性文件",
            (r"(?:行政)?规范性文件",),
            columns=(_ISSUED, _REPEALED, _IN_FORCE),
            section="第二十条第（一）项",
        ),
        Row("licensing", "行政许可", (r"行政许可",), columns=(_DECISIONS,), section="第二十条第（五）项"),
        Row("penalty", "行政处罚", (r"行政处罚",), columns=(_DECISIONS,), section="第二十条第（六）项"),
        Row("coercion", "行政强制", (r"行政强制",), columns=(_DECISIONS,), section="第二十条第（六）项"),
        Row(
            "fees",
            "行政事业性收费",
            (r"行政事业性收费",),
            columns=(_FEE_AMOUNT,),
            section="第二十条第（八）项",
        ),
    ),
    header_labels=(
        "第二十条第（一）项",
        "第二十条第（五）项",
        "第二十条第（六）项",
        "第二十条第（八）项",
        "信息内容",
        *(c.label for c in (_ISSUED, _REPEALED, _IN_FORCE, _DECISIONS, _FEE_AMOUNT)),
        *(v for c in (_ISSUED, _REPEALED) for v in c.variants),
    ),
)

_PRODUCED = Column("produced", "本年新制作数量")
_PUBLISHED = Column("published", "本年新公开数量")
_TOTAL_PUBLIC = Column("total_public", "对外公开总数量")
_PREVIOUS_ITEMS = Column("previous_items", "上一年项目数量")
_CHANGE = Column("change", "本年增/减", signed=True)
_DECISIONS_2019 = Column("decisions", "处理决定数量")
_PROCUREMENT_ITEMS = Column("items", "采购项目数量")
_PROCUREMENT_AMOUNT = Column("amount", "采购总金额", decimal=True)
_DOCS_2019 = (_PRODUCED, _PUBLISHED, _TOTAL_PUBLIC)
_ITEMS_2019 = (_PREVIOUS_ITEMS, _CHANGE, _DECISIONS_2019)

TABLE2_2019 = Table(
    "table2",
    "主动公开政府信息情况",
    short_name="表二",
    rows=(
        Row("rules", "规章", (r"规章",), columns=_DOCS_2019, section="第二十条第（一）项"),
        Row(
            "normative_documents",
            "规范性文件",
            (r"(?:行政)?规范性文件",),
            columns=_DOCS_2019,
            section="第二十条第（一）项",
        ),
        Row("licensing", "行政许可", (r"行政许可",), columns=_ITEMS_2019, section="第二十条第（五）项"),
        Row(
            "other_services",
            "其他对外管理服务事项",
            (r"其他对外管理服务事项",),
            columns=_ITEMS_2019,
            section="第二十条第（五）项",
        ),
        Row("penalty", "行政处罚", (r"行政处罚",), columns=_ITEMS_2019, section="第二十条第（六）项"),
        Row("coercion", "行政强制", (r"行政强制",), columns=_ITEMS_2019, section="第二十条第（六）项"),
        Row(
            "fees",
            "行政事业性收费",
            (r"行政事业性收费",),
            columns=(_PREVIOUS_ITEMS, _CHANGE),
            section="第二十条第（八）项",
        ),
        Row(
            "procurement",
            "政府集中采购",
            (r"政府集中采购",),
            columns=(_PROCUREMENT_ITEMS, _PROCUREMENT_AMOUNT),
            section="第二十条第（九）项",
        ),
    ),
    header_labels=(
        "第二十条第（一）项",
        "第二十条第（五）项",
        "第二十条第（六）项",
        "第二十条第（八）项",
        "第二十条第（九）项",
        "信息内容",
        *(c.label for c in (*_DOCS_2019, *_ITEMS_2019, _PROCUREMENT_ITEMS, _PROCUREMENT_AMOUNT)),
        "本年增减",
    ),
)

# ---------------------------------------------------------------- table 三

APPLICANT_COLUMNS: tuple[Column, ...] = (
    Column("natural_person", "自然人"),
    Column("commercial_enterprise", "商业企业"),
    Column("research_institution", "科研机构"),
    Column("social_welfare_org", "社会公益组织"),
    Column("legal_service_org", "法律服务机构"),
    Column("other_org", "其他", variants=("其他法人或其他组织",)),
    Column("total", "总计"),
)
TABLE3_NOTE = "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和"
APPLICANTS = "申请人情况"
LEGAL_PERSONS = "法人或其他组织"

_RESULT = "三、本年度办理结果"
_DENIED = "（三）不予公开"
_UNABLE = "（四）无法提供"
_NOT_PROCESSED = "（五）不予处理"
_OTHER = "（六）其他处理"


def _row(
    key: str, label: str, anchors: tuple[str, ...], group: str = "", enumerator: str = "", short: str = ""
) -> Row:
    return Row(key, label, anchors, group=group, enumerator=enumerator, short=short)


_TABLE3_HEAD = (
    _row("new", "一、本年新收政府信息公开申请数量", (r"本年新收",), enumerator="一、", short="一、本年新收"),
    _row(
        "carried_over",
        "二、上年结转政府信息公开申请数量",
        (r"上年结转",),
        enumerator="二、",
        short="二、上年结转",
    ),
    _row("granted", "（一）予以公开", (r"予以公开",), group=_RESULT, enumerator="（一）"),
    _row(
        "partially_granted",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        (r"部分公开",),
        group=_RESULT,
        enumerator="（二）",
    ),
    _row("denied_state_secret", "1.属于国家秘密", (r"国家秘密",), _DENIED, "1."),
    _row(
        "denied_law_prohibited",
        "2.其他法律行政法规禁止公开",
        (r"其他法律.{0,6}?止公开", r"禁止公开"),
        _DENIED,
        "2.",
    ),
    _row(
        "denied_three_safeties_one_stability",
        "3.危及“三安全一稳定”",
        (r"三安全一稳定", r"危及"),
        _DENIED,
        "3.",
    ),
    _row(
        "denied_third_party_rights", "4.保护第三方合法权益", (r"第三方合法权益", r"保护第三方"), _DENIED, "4."
    ),
    _row("denied_internal_affairs", "5.属于三类内部事务信息", (r"内部事务",), _DENIED, "5."),
    _row("denied_process_information", "6.属于四类过程性信息", (r"过程性信息",), _DENIED, "6."),
    _row("denied_enforcement_case_file", "7.属于行政执法案卷", (r"行政执法案卷",), _DENIED, "7."),
    _row("denied_administrative_query", "8.属于行政查询事项", (r"行政查询事项",), _DENIED, "8."),
    _row("unable_not_held", "1.本机关不掌握相关政府信息", (r"不掌握",), _UNABLE, "1."),
    _row(
        "unable_needs_creation", "2.没有现成信息需要另行制作", (r"另行制作", r"没有现成信息"), _UNABLE, "2."
    ),
    _row(
        "unable_unclear_after_correction", "3.补正后申请内容仍不明确", (r"仍不明确", r"补正后"), _UNABLE, "3."
    ),
    _row(
        "not_processed_petition_complaint",
        "1.信访举报投诉类申请",
        (r"信访举报投诉", r"信访"),
        _NOT_PROCESSED,
        "1.",
    ),
    _row("not_processed_duplicate", "2.重复申请", (r"重复申请",), _NOT_PROCESSED, "2."),
    _row("not_processed_publication", "3.要求提供公开出版物", (r"公开出版物",), _NOT_PROCESSED, "3."),
    _row("not_processed_excessive", "4.无正当理由大量反复申请", (r"大量反复",), _NOT_PROCESSED, "4."),
    _row(
        "not_processed_confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
        (r"确认或重新出具", r"重新出具"),
        _NOT_PROCESSED,
        "5.",
    ),
)
_TABLE3_TAIL = (
    _row("total", "（七）总计", (r"总计",), group=_RESULT, enumerator="（七）"),
    _row("carried_forward", "四、结转下年度继续办理", (r"结转下年度",), enumerator="四、"),
)
_OTHER_ROWS_2021 = (
    _row(
        "other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        (r"逾期不补正",),
        _OTHER,
        "1.",
    ),
    _row(
        "other_fee_unpaid",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        (r"缴纳费用", r"收费通知"),
        _OTHER,
        "2.",
    ),
    _row("other_other", "3.其他", (r"其他(?!处理)",), _OTHER, "3."),
)
_OTHER_ROW_2019 = _row("other", "（六）其他处理", (r"其他处理",), group=_RESULT, enumerator="（六）")

_TABLE3_HEADERS = (
    TABLE3_NOTE,
    APPLICANTS,
    LEGAL_PERSONS,
    *(c.label for c in APPLICANT_COLUMNS),
)

TABLE3_2021 = Table(
    "table3",
    "收到和处理政府信息公开申请情况",
    short_name="表三",
    rows=(*_TABLE3_HEAD, *_OTHER_ROWS_2021, *_TABLE3_TAIL),
    columns=APPLICANT_COLUMNS,
    header_labels=_TABLE3_HEADERS,
)
TABLE3_2019 = Table(
    "table3",
    "收到和处理政府信息公开申请情况",
    short_name="表三",
    rows=(*_TABLE3_HEAD, _OTHER_ROW_2019, *_TABLE3_TAIL),
    columns=APPLICANT_COLUMNS,
    header_labels=_TABLE3_HEADERS,
)

# ---------------------------------------------------------------- table 四

TABLE4_COLUMNS: tuple[Column, ...] = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other", "其他结果"),
    Column("pending", "尚未审结"),
    Column("total", "总计"),
)
TABLE4_GROUPS: tuple[tuple[str, str], ...] = (
    ("review", "行政复议"),
    ("litigation_direct", "未经复议直接起诉"),
    ("litigation_after_review", "复议后起诉"),
)
_LITIGATION = "行政诉讼"
TABLE4 = Table(
    "table4",
    "政府信息公开行政复议、行政诉讼情况",
    short_name="表四",
    rows=tuple(Row(key, label, (label,)) for key, label in TABLE4_GROUPS),
    columns=TABLE4_COLUMNS,
    groups=TABLE4_GROUPS,
    header_labels=(
        "行政复议",
        _LITIGATION,
        "未经复议直接起诉",
        "复议后起诉",
        *(c.label for c in TABLE4_COLUMNS),
    ),
)

# The tables' keys in the report's order: every layout's three (``Layout.tables``) have these.
TABLE_KEYS: tuple[str, ...] = (TABLE2_2021.key, TABLE3_2021.key, TABLE4.key)

# ---------------------------------------------------------------- identities

_APPLICANT_PARTS = tuple(c.key for c in APPLICANT_COLUMNS[:-1])
_RESULTS_2021 = tuple(r.key for r in TABLE3_2021.rows[2:-2])
_RESULTS_2019 = tuple(r.key for r in TABLE3_2019.rows[2:-2])


def _table3_rules(results: tuple[str, ...]) -> tuple[IdentityRule, ...]:
    return (
        IdentityRule(
            "table3_balance",
            "table3",
            ROWS,
            ("new", "carried_over"),
            ("total", "carried_forward"),
            "第一项加第二项之和，等于第三项加第四项之和",
        ),
        IdentityRule(
            "table3_results_total",
            "table3",
            ROWS,
            results,
            ("total",),
            "（七）总计等于（一）至（六）各项之和",
            open_left=True,
            left_name="（一）至（六）各项",
        ),
        IdentityRule(
            "table3_row_total",
            "table3",
            COLUMNS,
            _APPLICANT_PARTS,
            ("total",),
            f"总计等于自然人与{LEGAL_PERSONS}各列之和",
            left_name=f"自然人与{LEGAL_PERSONS}各列",
        ),
    )


TABLE4_RULES = (
    IdentityRule(
        "table4_group_total",
        "table4",
        COLUMNS,
        tuple(c.key for c in TABLE4_COLUMNS[:-1]),
        ("total",),
        "总计等于结果维持、结果纠正、其他结果、尚未审结之和",
        left_name="、".join(c.label for c in TABLE4_COLUMNS[:-1]),
    ),
)

# ---------------------------------------------------------------- layouts

LAYOUT_2021 = Layout(
    "2021",
    TABLE2_2021,
    TABLE3_2021,
    TABLE4,
    SECTIONS,
    name="2021 年格式",
    document="国办公开办函〔2021〕30号",
    first_year=2021,
    markers=("本年制发件数", "本年废止件数", "现行有效件数", "逾期不补正", "缴纳费用"),
    table3_markers=("other_no_correction", "other_fee_unpaid"),
    other_rows=tuple(r.key for r in _OTHER_ROWS_2021),
    alternates=("2019",),
    stock=Stock(("rules", "normative_documents"), "in_force", "issued", "repealed"),
    rules=(*_table3_rules(_RESULTS_2021), *TABLE4_RULES),
)
LAYOUT_2019 = Layout(
    "2019",
    TABLE2_2019,
    TABLE3_2019,
    TABLE4,
    SECTIONS,
    name="2019 年试行格式",
    document="国办公开办函〔2019〕60号",
    first_year=2019,
    markers=(
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "政府集中采购",
        "其他对外管理服务",
    ),
    other_rows=(_OTHER_ROW_2019.key,),
    alternates=("2021",),
    stock=Stock(("rules", "normative_documents"), "total_public", "published"),
    rules=(*_table3_rules(_RESULTS_2019), *TABLE4_RULES),
)

# ---------------------------------------------------------------- the registry

_REGISTRY: dict[str, Layout] = {}


def register(lay: Layout) -> None:
    """Make a layout known to every stage (detection, extraction, checks, rendering, export)."""
    if lay.key in _REGISTRY:
        raise ValueError(f"layout {lay.key!r} is already registered")
    _REGISTRY[lay.key] = lay


def unregister(key: str) -> None:
    _REGISTRY.pop(key, None)


def layouts() -> tuple[Layout, ...]:
    """Registered layouts, in registration order (the current national layout first)."""
    return tuple(_REGISTRY.values())


def layout_keys() -> tuple[str, ...]:
    """Keys of the registered layouts, in registration order."""
    return tuple(_REGISTRY)


def __getattr__(name: str) -> tuple[str, ...]:
    """``template.LAYOUTS``: the registered layout keys (older name of `layout_keys`, kept dynamic)."""
    if name == "LAYOUTS":
        return layout_keys()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def layout(key: str) -> Layout:
    """The registered layout ``key``."""
    try:
        return _REGISTRY[key]
    except KeyError:
        raise KeyError(f"unknown layout {key!r}; expected one of {layout_keys()}") from None


def _by_first_year() -> list[Layout]:
    return sorted(_REGISTRY.values(), key=lambda lay: -1 if lay.first_year is None else lay.first_year)


def layout_for_year(year: int | None) -> str:
    """The layout a report of ``year`` must use: the latest layout in force that year (years before the
    first layout take the first; an unknown year takes the latest)."""
    ordered = _by_first_year()
    if year is None:
        return ordered[-1].key
    current = [lay for lay in ordered if lay.first_year is None or lay.first_year <= year]
    return (current[-1] if current else ordered[0]).key


def default_layout() -> str:
    """The layout assumed when nothing says otherwise: the latest."""
    return layout_for_year(None)


def years(key: str) -> tuple[int | None, int | None]:
    """(first, last) report year a layout applies to; None where open."""
    ordered = _by_first_year()
    i = [lay.key for lay in ordered].index(key)
    nxt = ordered[i + 1].first_year if i + 1 < len(ordered) else None
    return ordered[i].first_year, (nxt - 1 if nxt is not None else None)


def year_range_text(key: str) -> str:
    """``2019–2020`` / ``2021 年起``."""
    first, last = years(key)
    if last is None:
        return f"{first} 年起" if first is not None else ""
    return f"{first}–{last}" if first is not None and first != last else f"{last}"


def detect_layout(label_counts: dict[str, int], year: int | None) -> tuple[str, bool]:
    """The layout a document prints, from how often each of its markers occurs (``label_counts``): the one
    with the most marker hits; a tie goes to the layout of ``year``. Also whether the markers decided."""
    scores = {lay.key: sum(label_counts.get(m, 0) for m in lay.markers) for lay in _REGISTRY.values()}
    best = max(scores.values(), default=0)
    leaders = [k for k, v in scores.items() if v == best]
    return (leaders[0], True) if len(leaders) == 1 else (layout_for_year(year), False)


def markers() -> tuple[str, ...]:
    """Every registered layout's marker labels."""
    return tuple(dict.fromkeys(m for lay in _REGISTRY.values() for m in lay.markers))


def table3_candidates(key: str) -> tuple[Layout, ...]:
    """Layouts whose table 三 a report of layout ``key`` may print: its own, then its alternates."""
    lay = layout(key)
    return (lay, *(layout(k) for k in lay.alternates if k in _REGISTRY))


def table3_layout(key: str, row_keys: Iterable[str]) -> str:
    """The layout whose table-三 （六） rows a report of layout ``key`` printing ``row_keys`` uses."""
    present = set(row_keys)
    candidates = table3_candidates(key)
    for lay in candidates:
        if lay.other_rows and all(k in present for k in lay.other_rows):
            return lay.key
    for lay in candidates:
        if any(k in present for k in lay.other_rows):
            return lay.key
    return key


def all_other_rows() -> tuple[str, ...]:
    """Every registered layout's table-三 （六）其他处理 row keys, in registration order."""
    return tuple(dict.fromkeys(k for lay in _REGISTRY.values() for k in lay.other_rows))


def table_names() -> dict[str, str]:
    """``{"table2": "表二", …}``."""
    return {t.key: t.short_name for lay in _REGISTRY.values() for t in lay.tables}


def find_row(table_key: str, row_key: str, layout_key: str | None = None) -> Row | None:
    """A row by key: in ``layout_key`` first, then in the other registered layouts."""
    order = [layout_key] if layout_key in _REGISTRY else []
    order += [k for k in _REGISTRY if k != layout_key]
    for k in order:
        try:
            return layout(k).table(table_key).row(row_key)
        except KeyError:
            continue
    return None


for _lay in (LAYOUT_2021, LAYOUT_2019):
    register(_lay)

# ---------------------------------------------------------------- identities


@dataclass(frozen=True)
class Identity:
    """``sum(left) == sum(right)`` over cell key paths; ``name`` says which official rule it is."""

    name: str
    left: tuple[str, ...]
    right: tuple[str, ...]
    description: str
    open_left: bool = False
    across: str = ROWS
    left_name: str = ""


def result_rows(lay: Layout) -> tuple[str, ...]:
    """Table 三 rows from （一）予以公开 to the last （六）其他处理 row: they add up to （七）总计."""
    keys = [r.key for r in lay.table3.rows]
    return tuple(keys[keys.index("granted") : keys.index("total")])


def identities(layout_key: str) -> tuple[Identity, ...]:
    """Every arithmetic identity a correct report of this layout satisfies (``spec/template.md``)."""
    lay = layout(layout_key)
    hit = _EXPANDED.get(layout_key)
    if hit is None or hit[0] is not lay:  # kept by key and checked by identity: hashing a layout is dear
        hit = _EXPANDED[layout_key] = (lay, _expand(lay))
    return hit[1]


_EXPANDED: dict[str, tuple[Layout, tuple[Identity, ...]]] = {}


def _expand(lay: Layout) -> tuple[Identity, ...]:
    out: list[Identity] = []
    for rule in lay.rules:
        out.extend(expand_rule(lay.table(rule.table), rule))
    return tuple(out)


def expand_rule(table: Table, rule: IdentityRule) -> list[Identity]:
    """One identity per column (``ROWS``) or per row (``COLUMNS``) of ``table``."""
    t = table.key

    def make(left: Iterable[str], right: Iterable[str]) -> Identity:
        return Identity(
            rule.name,
            tuple(left),
            tuple(right),
            rule.description,
            rule.open_left,
            rule.across,
            rule.left_name,
        )

    if rule.across == ROWS:
        rows = [table.row(k) for k in (*rule.left, *rule.right)]
        keys = [c.key for c in table.columns_of(rows[0])]
        common = [c for c in keys if all(c in {x.key for x in table.columns_of(r)} for r in rows)]
        return [
            make((f"{t}.{r}.{c}" for r in rule.left), (f"{t}.{r}.{c}" for r in rule.right)) for c in common
        ]
    out = []
    for row in table.rows:
        cols = {c.key for c in table.columns_of(row)}
        if all(c in cols for c in (*rule.left, *rule.right)):
            out.append(
                make((f"{t}.{row.key}.{c}" for c in rule.left), (f"{t}.{row.key}.{c}" for c in rule.right))
            )
    return out


def cell_paths(layout_key: str) -> tuple[str, ...]:
    """Every table cell's key path, in reading order (``table2.rules.issued`` …)."""
    lay = layout(layout_key)
    out: list[str] = []
    for t in lay.tables:
        for r in t.rows:
            out.extend(f"{t.key}.{r.key}.{c.key}" for c in t.columns_of(r))
    return tuple(out)
