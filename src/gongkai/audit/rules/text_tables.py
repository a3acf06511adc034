"""Text versus tables: numbers the narrative states about applications, results, reviews and documents
must be the tables' numbers.

Claims are found by wording (新收/收到/受理, 办结/答复, 结转, 自然人…, 予以公开…, 行政复议/诉讼, 维持 …) and
compared with the cells they describe. Numbers about something else are skipped: years, dates, phone
numbers, 12345 热线, 同比/上年 comparisons, 备案. When the text counts a different scope (the office versus
the whole district) the finding is a warning that says so; when the difference is explained by the
carried-over applications or by counting 行政复议 cases in, the message says that too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from gongkai import template
from gongkai.audit.finding import ERROR, WARNING, Finding
from gongkai.audit.labels import TABLE_NAMES, cell_label, row_label, section_heading
from gongkai.audit.memo import per_report
from gongkai.audit.registry import rule
from gongkai.audit.textutil import Compact, is_table_text, section_compact
from gongkai.audit.values import Val, applicant_parts, group_total, num_text, row_total, val
from gongkai.model import AMBIGUOUS, Report

_UNIT = r"(?:件|条|个|起|宗|份)"
_GAP = r"[^，,。；;！？\d%]"
_SKIP = re.compile(
    r"同比|同期|较上年|比上年|较去年|比去年|去年|前年|往年|上一?年(?!度?结转)|增长|下降|减少了|增加了|热线|12345"
    r"|电话|信箱|留言|咨询|备案|回落|上升"
)
_YEAR = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)年(?!度?结转|\d{1,2}月\d{1,2}日(?:至|到|—|-))")
_SENT = re.compile(r"[^。！？!?]+[。！？!?]?")
_OFFICE = re.compile(r"办公室|办公厅|局|委员会|中心|管委会|所$")
_REPRESENTS = re.compile(r"代表(?:区|县|市|州)?(?:人民)?政府")
_SPACES = re.compile(r"\s+")
_HANDLED = re.compile(r"申请|办结|答复")
_CASE_WORDS = re.compile(r"复议|诉讼|败诉")
_CASES = re.compile(r"复议|诉讼")


@dataclass
class Sentence:
    key: str
    text: str
    start: int  # offset of the sentence in the compact section text
    c: Compact
    year: int | None = None  # the report year

    def elsewhen(self, at: int) -> bool:
        """The number at ``at`` counts another year or a comparison (上年同期, 去年, 较上年的, 2023年…)."""
        a, _b = _clause_bounds(self.text, at)
        clause = _clause_at(self.text, at)
        if _SKIP.search(clause):
            return True
        before = self.text[a:at]
        years = {int(m.group("y")) for m in _YEAR.finditer(before)}
        return bool(self.year and years and self.year not in years)

    def span(self, a: int, b: int) -> tuple[int, int]:
        return self.c.span(self.start + a, self.start + b)


@dataclass
class Claim:
    what: str
    value: int
    sent: Sentence
    a: int
    b: int
    extra: dict = field(default_factory=dict)


def _sentences(report: Report, keys=("s1", "s3", "s4", "s2")) -> Iterator[Sentence]:
    yield from _sentence_list(report, keys)


@per_report
def _sentence_list(report: Report, keys: tuple[str, ...]) -> list[Sentence]:
    """The sentences of sections ``keys``, split once per audit pass for every rule here. Shared: do not
    change them."""
    out = []
    year = report.year
    for k in keys:
        c = section_compact(report, k)
        if c is None:
            continue
        for m in _SENT.finditer(c.text):
            s = m.group(0)
            if (k != "s1" and not s.endswith("。")) or is_table_text(s):
                continue  # table text in sections 二–四, or table header text that ended up in a section
            out.append(Sentence(k, s, m.start(), c, year))
    return out


def _clause_bounds(s: str, i: int) -> tuple[int, int]:
    a = max(s.rfind(ch, 0, i) for ch in "，,；;：:") + 1
    ends = [j for j in (s.find(ch, i) for ch in "，,；;。") if j >= 0]
    return a, (min(ends) if ends else len(s))


def _clause_at(s: str, i: int) -> str:
    a, b = _clause_bounds(s, i)
    return s[a:b]


def _claims(pattern: re.Pattern, what: str, sent: Sentence, group: str = "n") -> Iterator[Claim]:
    for m in pattern.finditer(sent.text):
        if sent.elsewhen(m.start(group)):
            continue
        yield Claim(what, int(m.group(group)), sent, m.start(group), m.end(group), {"match": m.group(0)})


# ------------------------------------------------------------------ table values


@dataclass
class Table:
    value: int | float | None
    vals: list[Val]
    desc: str

    @property
    def unknown(self) -> bool:
        return self.value is None

    @property
    def inferred(self) -> bool:
        return any(v.inferred for v in self.vals)

    def candidates(self, report: Report) -> list:
        if len(self.vals) == 1 and self.vals[0].status == AMBIGUOUS:
            return list(report.cells[self.vals[0].path].candidates)
        return []


def _cell(report: Report, path: str) -> Table:
    v = val(report, path)
    return Table(v.value if v.known else None, [v], cell_label(path, report.layout))


def _sum(report: Report, paths: list[str], desc: str) -> Table:
    vals = [val(report, p) for p in paths]
    if not vals or not all(v.known for v in vals):
        return Table(None, vals, desc)
    return Table(sum(v.value or 0 for v in vals), vals, desc)


def _row(report: Report, row: str) -> Table:
    v, vals = row_total(report, row)
    return Table(v, vals, cell_label(f"table3.{row}.total", report.layout))


def _group(report: Report, prefix: str, desc: str) -> Table:
    v, vals = group_total(report, prefix)
    return Table(v, vals, desc)


_APPLICANT_KEY = {c.label: c.key for c in template.APPLICANT_COLUMNS}
_COL4 = {c.key: c.label for c in template.TABLE4_COLUMNS}


def _litigation(report: Report, col: str = "total") -> Table:
    groups = dict(template.TABLE4_GROUPS)
    band = template.TABLE4.header_labels[1]  # 行政诉讼, over its two groups
    return _sum(
        report,
        [f"table4.litigation_direct.{col}", f"table4.litigation_after_review.{col}"],
        f"{TABLE_NAMES['table4']}{band}（{groups['litigation_direct']}＋{groups['litigation_after_review']}）"
        f"「{_COL4[col]}」",
    )


# ------------------------------------------------------------------ scope

_NARROW = re.compile(r"(?:区|县|市|州|旗)?政府办(?:公室)?|办公室|办公厅|本级|本机关")
_WIDE = re.compile(r"全(?:区|县|市|省|州|旗)|各(?:级|单位|部门|乡镇|街道)")


def _scope(report: Report, sent: Sentence, at: int) -> str:
    """ "narrow"/"wide" when the words just before the claim name another scope than the agency's."""
    agency = report.meta.get("agency") or ""
    office = bool(_OFFICE.search(agency))
    before = sent.text[max(0, at - 30) : at]
    if not office and _NARROW.search(before):
        return "narrow"
    if office and _WIDE.search(before) and not _REPRESENTS.search(before):
        return "wide"
    return ""


def _emit(
    report: Report,
    claim: Claim,
    table: Table,
    paths: list[str],
    explain: list[str] | None = None,
    what: str = "",
    check_scope: bool = True,
) -> Finding | None:
    """A finding when the claim contradicts the table (None when they agree or the table is unknown)."""
    sent = claim.sent
    if table.unknown:
        cands = table.candidates(report)
        if not cands or claim.value in cands:
            return None
        why = f"该格数字无法确定（可能为 {'、'.join(num_text(c) for c in cands)}），但均不是 {claim.value}"
        severity = ERROR
    else:
        if abs(table.value - claim.value) < 1e-9:  # type: ignore[operator]
            return None
        why = f"为 {num_text(table.value)}"
        severity = ERROR
    span = sent.span(*_clause_bounds(sent.text, claim.a))
    full = sent.span(0, len(sent.text))
    quote = report.text[slice(*full)] if report.text else sent.text
    clause = _SPACES.sub(" ", report.text[slice(*span)]) if report.text else _clause_at(sent.text, claim.a)
    msg = (
        f"{section_heading(sent.key)}：文中「{clause.strip()}」称{what}为 {claim.value}，但{table.desc}{why}"
    )
    scope = _scope(report, sent, claim.a) if check_scope else ""
    if explain:
        msg += "；" + "；".join(explain)
    if scope == "narrow":
        msg += (
            "；文中主语是本机关/办公室，而表格统计的是整个"
            + (report.meta.get("agency") or "机关")
            + "，统计口径不同，应在文中说明或统一口径"
        )
        severity = WARNING
    elif scope == "wide":
        msg += (
            "；文中统计的是全辖区，而报告机关为"
            + (report.meta.get("agency") or "本机关")
            + "，统计口径不同，应在文中说明"
        )
        severity = WARNING
    if table.inferred and severity == ERROR:
        severity = WARNING
        msg += "；表格数值系按勾稽关系推算或拆分，请核对原文"
    msg += "。请使文字与表格一致。"
    return Finding(
        msg,
        where=[sent.key, *paths],
        span=full,
        severity=severity,
        evidence={"quote": quote, "text_value": claim.value, "table_value": table.value, "cells": paths},
    )


def _v(report: Report, path: str) -> int:
    v = val(report, path)
    return int(v.value or 0) if v.known else 0


# ------------------------------------------------------------------ X101 applications

_RECEIVED = re.compile(
    rf"(?:收到|受理|接到|接收|新收|共收)({_GAP}{{0,30}}?)(?P<n>\d+){_UNIT}(?P<after>{_GAP}{{0,10}})"
)
_CLOSED = re.compile(rf"(?:办结|答复|办理完毕|处理完毕)({_GAP}{{0,12}}?)(?P<n>\d+)件")
_FORWARD = re.compile(
    rf"结转(?:至|到)?(?:下一?年度?|\d{{4}}年度?)({_GAP}{{0,6}}?)(?P<n>\d+)件|(?P<m>\d+)件{_GAP}{{0,3}}结转(?:至|到)?(?:下一?年|\d{{4}}年)"
)
_OVER = re.compile(rf"上一?年(?:度)?结转({_GAP}{{0,8}}?)(?P<n>\d+)件")
_APPLICANT = re.compile(
    rf"(?P<who>自然人|商业企业|科研机构|社会公益组织|法律服务机构|法人(?:或|和|及)?其他组织)(?:申请|提出)?({_GAP}{{0,4}}?)(?P<n>\d+)件"
)
_QUALIFIED = re.compile(r"(?:予以|同意|部分|不予|无法|告知|转|延期|补正)[^，,；;。]{0,6}(?:答复|办结)")
_NONE = re.compile(r"(?:未|没有)(?:收到|受理|接到)[^，,。；;\d]{0,20}?申请")
_CHANNEL = re.compile(r"(?:网上|网络|在线|信件|信函|当面|现场|邮寄|传真|电子邮件|电话)申请")
_OTHER_BODY = re.compile(r"复议|诉讼|信访|投诉|举报|提案|建议|议案")


def _explain_applications(report: Report, n: int, base: int, column: str = "total") -> list[str]:
    out = []
    co = _v(report, f"table3.carried_over.{column}")
    review = _v(report, "table4.review.total")
    lit = _v(report, "table4.litigation_direct.total") + _v(report, "table4.litigation_after_review.total")
    if co and n == base + co:
        out.append(f"{n} = {base} + 上年结转 {co}，文中把上年结转的申请也算作本年收到")
    elif review and n == base + review:
        out.append(f"{n} = {base} + 行政复议 {review}，文中把政府信息公开行政复议案件也计入了申请")
    elif (review or lit) and n == base + review + lit:
        out.append(f"{n} = {base} + 行政复议 {review} + 行政诉讼 {lit}，文中把复议、诉讼案件也计入了申请")
    return out


@rule("X101", "text-applications", "error")
def applications(report: Report):
    """Application counts in the text (收到/受理, 办结/答复, 结转, 自然人/法人 splits) equal table 三.

    Received applications are compared with 一、本年新收, answered ones with （七）总计, carried-forward
    ones with 四、结转下年度继续办理, applicant splits with the 本年新收 row. Channel parts (网上申请 1 条)
    are not totals and are skipped, and so are other years' numbers: a clause with 上年同期, 去年, 较上年
    or an explicit year other than the report year (「2023年收到6件」 in a 2024 report).

    Anti-pattern:
        2024年共受理21件依申请公开案件，按时办结19件。（表三本年新收 16，总计 14）
    Best practice:
        2024年共受理16件依申请公开案件，按时办结14件。（表三本年新收 16，总计 14）
        本年度收到申请16件，上年同期收到申请6件。（6 件是上年的数字，不与表三比较）
    """
    for sent in _sentences(report):
        if "申请" not in sent.text or (_OTHER_BODY.search(sent.text) and "公开申请" not in sent.text):
            continue
        found, received, carried = _received_claims(report, sent)
        yield from found
        yield from _closed_claims(report, sent)
        yield from _carried_claims(report, sent)
        if received:
            yield from _applicant_claims(report, sent, carried)
        if carried is not None:
            yield carried
        yield from _no_application_claims(report, sent)


def _received_claims(report: Report, sent: Sentence) -> tuple[list[Finding], bool, Finding | None]:
    """收到/受理 N 件 against 本年新收: (findings, whether the sentence gives the number received, the
    finding explained by 上年结转, kept apart so that the applicant splits it explains join it)."""
    found: list[Finding] = []
    received = False
    carried: Finding | None = None
    for m in _RECEIVED.finditer(sent.text):
        gap, after = m.group(1), m.group("after")
        if "申请" not in gap + after and "案件" not in after:
            continue
        if _CHANNEL.search(gap + after) or sent.elsewhen(m.start("n")):
            continue
        if _OTHER_BODY.search(gap) and "公开申请" not in gap:
            continue
        received = True
        claim = Claim("new", int(m.group("n")), sent, m.start("n"), m.end("n"))
        base = _cell(report, "table3.new.total")
        expl = _explain_applications(report, claim.value, int(base.value or 0)) if not base.unknown else []
        f = _emit(report, claim, base, ["table3.new.total"], expl, "收到/受理的申请数")
        if f:
            if any("上年结转" in e for e in expl):
                carried = f  # a split explained by the same 上年结转 joins this finding
            else:
                found.append(f)
    return found, received, carried


def _closed_claims(report: Report, sent: Sentence) -> Iterator[Finding]:
    """办结/答复 N 件 against （七）总计."""
    for claim in _claims(_CLOSED, "closed", sent):
        clause = _clause_at(sent.text, claim.a)
        if _OTHER_BODY.search(clause) or _QUALIFIED.search(clause):
            continue  # 不予公开答复 2 件 is a result category, not the number answered
        base = _cell(report, "table3.total.total")
        expl = []
        if not base.unknown:
            review = _v(report, "table4.review.total")
            if review and claim.value == base.value + review:  # type: ignore[operator]
                expl.append(
                    f"{claim.value} = {num_text(base.value)} + 行政复议 {review}，"
                    "文中把行政复议案件也计入了办结数"
                )
        f = _emit(report, claim, base, ["table3.total.total"], expl, "办结/答复的申请数")
        if f:
            yield f


def _carried_claims(report: Report, sent: Sentence) -> Iterator[Finding]:
    """结转下年度 N 件 and 上年结转 N 件 against their rows."""
    for m in _FORWARD.finditer(sent.text):
        g = "n" if m.group("n") else "m"
        claim = Claim("forward", int(m.group(g)), sent, m.start(g), m.end(g))
        path = "table3.carried_forward.total"
        f = _emit(report, claim, _cell(report, path), [path], None, "结转下年度的申请数")
        if f:
            yield f
    for claim in _claims(_OVER, "over", sent):
        path = "table3.carried_over.total"
        f = _emit(report, claim, _cell(report, path), [path], None, "上年结转的申请数")
        if f:
            yield f


def _applicant_claims(report: Report, sent: Sentence, carried: Finding | None) -> Iterator[Finding]:
    """自然人/法人 N 件 against the 本年新收 row; a split that also counts 上年结转 joins ``carried``."""
    for m in _APPLICANT.finditer(sent.text):
        who = m.group("who")
        claim = Claim("applicant", int(m.group("n")), sent, m.start("n"), m.end("n"))
        if who.startswith("法人"):
            paths = [f"table3.new.{c}" for c in applicant_parts()[1:]]
            table = _sum(report, paths, _legal_persons_of_new(report))
            col = None
        else:
            col = _APPLICANT_KEY[who]
            paths = [f"table3.new.{col}"]
            table = _cell(report, paths[0])
        expl = []
        if col and not table.unknown:
            co = _v(report, f"table3.carried_over.{col}")
            if co and claim.value == table.value + co:  # type: ignore[operator]
                expl.append(
                    f"{claim.value} = {num_text(table.value)} + 上年结转 {co}，"
                    "文中把上年结转的申请也算作本年收到"
                )
        f = _emit(report, claim, table, paths, expl, f"{who}的申请数")
        if f and carried is not None and expl:
            carried.message = carried.message.removesuffix("。请使文字与表格一致。") + (
                f"；同样，文中{who} {claim.value} 件 = {expl[0].split('，')[0].split(' = ')[1]}"
                "，也含上年结转。请使文字与表格一致。"
            )
            carried.where += [p for p in paths if p not in carried.where]
        elif f:
            yield f


def _no_application_claims(report: Report, sent: Sentence) -> Iterator[Finding]:
    """未收到申请 while 本年新收 is not zero."""
    for m in _NONE.finditer(sent.text):
        base = _cell(report, "table3.new.total")
        if base.unknown or not base.value:
            continue
        claim = Claim("none", 0, sent, m.start(), m.end())
        f = _emit(report, claim, base, ["table3.new.total"], None, "收到的申请数（文中称未收到申请）")
        if f:
            yield f


# ------------------------------------------------------------------ X102 results and percentages

_RESULTS = re.compile(
    rf"(?P<what>予以公开(?:及|和|、|与|或)部分公开|予以公开|部分公开|不予公开|无法提供|不予处理|其他处理)"
    rf"(?:的)?(?:申请)?({_GAP}{{0,4}}?)(?P<n>\d+)件(?P<pct>[，,]?(?:占|约占|占比)?(?:比例)?(?:为)?(?P<p>\d+(?:\.\d+)?)%)?"
)


def _result_table(report: Report, what: str) -> tuple[Table, list[str]]:
    from gongkai.audit.values import result_rows_of

    rows = result_rows_of(report)
    if what.startswith("予以公开") and "部分公开" in what:
        a, b = _row(report, "granted"), _row(report, "partially_granted")
        v = None if a.unknown or b.unknown else a.value + b.value  # type: ignore[operator]
        what = (
            f"{TABLE_NAMES['table3']}{_label(report, 'granted')}与{_label(report, 'partially_granted')}之和"
        )
        return Table(v, a.vals + b.vals, what), [
            "table3.granted.total",
            "table3.partially_granted.total",
        ]
    if what == "予以公开":
        return _row(report, "granted"), ["table3.granted.total"]
    if what == "部分公开":
        return _row(report, "partially_granted"), ["table3.partially_granted.total"]
    prefix = {
        "不予公开": "denied_",
        "无法提供": "unable_",
        "不予处理": "not_processed_",
        "其他处理": "other",
    }[what]
    keys = [r for r in rows if r.startswith(prefix)]
    desc = f"{TABLE_NAMES['table3']}{_group_label(report, keys[0]) if keys else what}各项之和"
    return _group(report, prefix, desc), [f"table3.{r}.total" for r in keys]


def _legal_persons_of_new(report: Report) -> str:
    """表三「一、本年新收」行法人或其他组织各列之和."""
    new = template.find_row("table3", "new", report.layout)
    label = (new.short or new.label) if new else "new"
    return f"{TABLE_NAMES['table3']}「{label}」行{template.LEGAL_PERSONS}各列之和"


def _label(report: Report, row_key: str) -> str:
    return row_label("table3", row_key, report.layout)


def _group_label(report: Report, row_key: str) -> str:
    """（三）不予公开 for a row of that group; a single-row group (2019's （六）其他处理) is its own label."""
    row = template.find_row("table3", row_key, report.layout)
    if row is None:
        return row_key
    return row.group if row.group.startswith("（") else row.label


def _pct_ok(p: str, n: float, bases: list[float]) -> bool:
    decimals = len(p.split(".")[1]) if "." in p else 0
    step = 10**-decimals
    for base in bases:
        if base:
            exact = 100 * n / base
            if abs(exact - float(p)) <= step * 0.5 + 1e-9 or 0 <= exact - float(p) < step:
                return True
    return False


@rule("X102", "text-results", "error")
def results(report: Report):
    """Result categories in the text (予以公开 … 其他处理) and their percentages equal table 三.

    Each category is compared with the sum of its rows (不予公开 = the eight 不予公开 rows …); a blank 总计
    cell is replaced by the sum of its applicant cells. Percentages may be rounded or truncated.

    Anti-pattern:
        予以公开及部分公开258件，占33.9%；因本机关不掌握等原因无法提供265件。（表三：275 件、337 件）
    Best practice:
        予以公开及部分公开275件，占34.2%；无法提供337件，占41.9%。
    """
    prev = ""
    for sent in _sentences(report):
        context, prev = prev + sent.text, sent.text
        if not _HANDLED.search(context):
            continue
        for m in _RESULTS.finditer(sent.text):
            if sent.elsewhen(m.start("n")):
                continue
            what, n = m.group("what"), int(m.group("n"))
            table, paths = _result_table(report, what)
            if not paths:
                continue
            claim = Claim("result", n, sent, m.start("n"), m.end("n"))
            expl = []
            if not table.unknown and table.value != n:
                same = [v.path for v in table.vals if v.known and v.value == n]
                rows = sorted({p.split(".")[1] for p in paths})
                whole_row = [r for r in rows if len(rows) > 1 and row_total(report, r)[0] == n]
                if whole_row:
                    expl.append(f"{n} 只是{TABLE_NAMES['table3']}「{_label(report, whole_row[0])}」一项")
                elif same:
                    expl.append(f"{n} 只是{cell_label(same[0], report.layout)}一格")
            pct = m.group("p")
            if pct:
                total = _cell(report, "table3.total.total")
                bases = [b for b in (total.value, _cell(report, "table3.new.total").value) if b]
                if bases and not _pct_ok(pct, n, bases):
                    expl.append(
                        f"文中百分比 {pct}% 与 {n}/{num_text(bases[0])} = {100 * n / bases[0]:.1f}% 不符"
                    )
                    if not table.unknown and table.value != n:
                        expl[-1] += (
                            f"（按表格应为 {num_text(table.value)}/{num_text(bases[0])} = "
                            f"{100 * table.value / bases[0]:.1f}%）"  # type: ignore[operator]
                        )
            f = _emit(report, claim, table, paths, expl, f"{what}的件数")
            if f is None and pct and expl:
                span = sent.span(0, len(sent.text))
                f = Finding(
                    f"{section_heading(sent.key)}：文中「{m.group(0)}」的百分比有误：{'；'.join(expl)}。",
                    where=[sent.key, *paths],
                    span=span,
                    evidence={"quote": report.text[slice(*span)], "text_value": n, "percent": pct},
                    severity=WARNING,
                )
            if f:
                yield f


# ------------------------------------------------------------------ X103 reviews and lawsuits

_NEUTRAL_GAP = r"(?:(?![纠败撤维审确驳])[^，,。；;！？\d%]){0,4}?"
_REVIEW = re.compile(rf"(?:行政)?复议(?:案件)?(?:共)?({_NEUTRAL_GAP})(?P<n>\d+){_UNIT}")
_SUIT = re.compile(rf"(?<!复议后)(?:行政)?诉讼(?:案件)?(?:共)?({_NEUTRAL_GAP})(?P<n>\d+){_UNIT}")
_UPHELD = re.compile(r"(?P<n>\d+)件(?:被|予以|获)?维持|维持(?:原)?(?:答复|决定)?(?P<m>\d+)件")
_PENDING = re.compile(r"(?P<n>\d+)件(?:正在办理|尚未审结|未审结|审理中|正在审理|尚在审理)")
_ALL_UPHELD = re.compile(r"均(?:获|被|予以|已|得到|获得)?(?:法院|复议机关)?维持")
_ALL_CLOSED = re.compile(r"均已(?:结案|审结|办结)")
_NO_CASE = re.compile(
    r"(?:未(?!经)|没有|无)(?:发生|出现|产生|有|收到)?(?:因|涉及)?[^，,。；;\d]{0,20}?"
    r"(?P<a>行政复议|复议|行政诉讼|诉讼)(?:[、和及或与]{1,2}(?P<b>(?:行政)?(?:诉讼|复议)))?"
)
# Outcome words: a clause with one of them speaks of how cases ended, not of how many there were.
_CORRECTED_WORD = r"纠错|纠正|败诉|撤销|确认违法|责令(?:重新)?(?:答复|履行)"
_OUTCOME = re.compile(rf"{_CORRECTED_WORD}|维持|审结|结案|驳回")
_NEGATED_CORRECTION = re.compile(
    rf"(?:未(?!经)|没有|无|不存在)(?:发生|出现|有)?[^，,。；;\d]{{0,24}}?(?:{_CORRECTED_WORD})"
)
_CORRECTED_COUNT = re.compile(rf"(?:被|予以|遭)?(?:{_CORRECTED_WORD})(?:的|案件)?(?P<n>\d+)件")
_NO_PENDING = re.compile(r"(?:尚无|没有|无|不存在)(?:尚未审结|未审结|未结案|正在审理)")
# The general workload of the government as respondent, not reviews about information disclosure.
_GENERAL_CASES = re.compile(r"被申请人|被告|应诉")
_DISCLOSURE = re.compile(r"信息公开|公开申请|依申请|公开类|公开事项")


def _groups_in(text: str) -> list[str]:
    """The case groups a clause names, in order: ``review`` for 复议, ``litigation`` for 诉讼."""
    out = []
    for m in _CASE_WORDS.finditer(text):
        g = "review" if m.group(0) == "复议" else "litigation"
        if g not in out:
            out.append(g)
    return out


def _group_cells(grp: str, col: str) -> list[str]:
    keys = ["review"] if grp == "review" else ["litigation_direct", "litigation_after_review"]
    return [f"table4.{k}.{col}" for k in keys]


def _general_workload(sent: Sentence) -> bool:
    """A sentence about all review/litigation cases (以区政府为被申请人…), not the disclosure ones."""
    return bool(_GENERAL_CASES.search(sent.text)) and not _DISCLOSURE.search(sent.text)


def _outcome_claims(report: Report, sent: Sentence, groups: list[str]) -> Iterator[Finding]:
    """未被纠错 / 被纠错0件 / 未发生…败诉 (结果纠正 = 0 or N) and 尚无尚未审结 (尚未审结 = 0)."""
    claims: list[tuple[str, str, int, re.Match]] = []
    for m in _NEGATED_CORRECTION.finditer(sent.text):
        clause = _clause_at(sent.text, m.start())
        named = _groups_in(clause) or groups
        # 被复议纠错或诉讼败诉: each outcome word belongs to its own group
        for grp in named:
            claims.append((grp, "corrected", 0, m))
    for m in _CORRECTED_COUNT.finditer(sent.text):
        clause = _clause_at(sent.text, m.start("n"))
        named = _groups_in(clause) or groups
        if len(named) == 1 and not _NEGATED_CORRECTION.search(clause):
            claims.append((named[0], "corrected", int(m.group("n")), m))
    for m in _NO_PENDING.finditer(sent.text):
        clause = _clause_at(sent.text, m.start())
        for grp in _groups_in(clause) or groups:
            claims.append((grp, "pending", 0, m))
    seen: set[tuple[str, str]] = set()
    for grp, col, n, m in claims:
        if (grp, col) in seen:
            continue
        seen.add((grp, col))
        paths = _group_cells(grp, col)
        vals = [val(report, p) for p in paths]
        if not all(v.known for v in vals):
            continue
        total = sum(v.value or 0 for v in vals)
        if abs(total - n) < 1e-9:
            continue
        what = "结果纠正" if col == "corrected" else "尚未审结"
        span = sent.span(0, len(sent.text))
        quote = report.text[slice(*span)] if report.text else sent.text
        cells = "、".join(
            f"{cell_label(p, report.layout)}为 {num_text(v.value)}"
            for p, v in zip(paths, vals, strict=True)
            if v.value or len(paths) == 1
        )
        yield Finding(
            f"{section_heading(sent.key)}：文中「{m.group(0)}」称{what}的案件为 {n} 件，但{cells}。"
            "请使文字与表格一致。",
            where=[sent.key, *paths],
            span=span,
            severity=WARNING if any(v.inferred for v in vals) else ERROR,
            evidence={"quote": quote, "text_value": n, "table_value": total, "cells": paths},
        )


@rule("X103", "text-review-litigation", "error")
def review_litigation(report: Report):
    """行政复议 and 行政诉讼 in the text (counts, 维持, 纠错, pending, 未发生) equal table 四.

    Outcomes are not counts: 「未被复议机关纠错」, 「被纠错0件」, 「未发生…被行政复议纠错或行政诉讼败诉情形」
    are claims about 结果纠正 and 「尚无尚未审结的行政复议案件」 about 尚未审结; they are checked against
    those columns. A sentence about the government's general workload as respondent (「以区政府为被申请人的
    行政复议案件35件」) without a word about information disclosure is not about table 四.

    Anti-pattern:
        信息公开类行政复议7件，诉讼9件，均获维持。（表四：复议维持 5、尚未审结 2）
        该行政复议件未被复议机关纠错。（表四行政复议「结果纠正」为 1）
    Best practice:
        信息公开类行政复议7件（维持5件，尚未审结2件），诉讼9件（维持8件，尚未审结1件）。
        该行政复议件未被复议机关纠错。（表四行政复议「结果纠正」为 0）
    """
    for sent in _sentences(report):
        if not _CASES.search(sent.text) or _general_workload(sent):
            continue
        groups: list[str] = []
        yield from _case_counts(report, sent, groups)
        if len(set(groups)) == 1:
            yield from _case_parts(report, sent, groups[0])
        if groups:
            yield from _all_cases_claims(report, sent, list(dict.fromkeys(groups)))
        yield from _outcome_claims(report, sent, list(dict.fromkeys(groups)) or _groups_in(sent.text))
        yield from _no_case_claims(report, sent)


def _group_table(report: Report, grp: str, col: str = "total") -> tuple[Table, list[str]]:
    """A case group's figure in table 四 (``review``; ``litigation``: both kinds summed) and its cells."""
    if grp == "review":
        return _cell(report, f"table4.review.{col}"), [f"table4.review.{col}"]
    return _litigation(report, col), _group_cells(grp, col)


def _case_counts(report: Report, sent: Sentence, groups: list[str]) -> Iterator[Finding]:
    """行政复议/诉讼 N 件 against the totals; the groups the sentence counts are appended to ``groups``."""
    for pat, grp in ((_REVIEW, "review"), (_SUIT, "litigation")):
        for claim in _claims(pat, grp, sent):
            clause = _clause_at(sent.text, claim.a)
            if _GENERAL_CASES.search(clause) and not _DISCLOSURE.search(clause):
                continue  # 作为被申请人的行政复议案件12件: all cases, not the disclosure ones
            groups.append(grp)
            table, paths = _group_table(report, grp)
            what = "行政复议案件数" if grp == "review" else "行政诉讼案件数"
            f = _emit(report, claim, table, paths, None, what)
            if f:
                yield f


def _case_parts(report: Report, sent: Sentence, grp: str) -> Iterator[Finding]:
    """维持 N 件 and 尚未审结 N 件 in a sentence about one case group."""
    for pat, col, what in (
        (_UPHELD, "upheld", "维持的案件数"),
        (_PENDING, "pending", "尚未审结的案件数"),
    ):
        for m in pat.finditer(sent.text):
            g = "n" if m.group("n") else "m"
            claim = Claim(col, int(m.group(g)), sent, m.start(g), m.end(g))
            table, paths = _group_table(report, grp, col)
            f = _emit(report, claim, table, paths, None, what)
            if f:
                yield f


def _all_cases_claims(report: Report, sent: Sentence, groups: list[str]) -> Iterator[Finding]:
    """均获维持 / 均已结案 while table 四 shows other results or pending cases."""
    for pat, col, word in ((_ALL_UPHELD, "upheld", "均获维持"), (_ALL_CLOSED, "pending", "均已结案")):
        said = pat.search(sent.text)
        if not said:
            continue
        bad = []
        for grp in groups:
            keys = ["review"] if grp == "review" else ["litigation_direct", "litigation_after_review"]
            for k in keys:
                tot, part = val(report, f"table4.{k}.total"), val(report, f"table4.{k}.{col}")
                pend = val(report, f"table4.{k}.pending")
                if not (tot.known and part.known and pend.known):
                    continue
                if col == "upheld" and (tot.value or 0) != (part.value or 0):
                    bad.append((k, tot, part, pend))
                if col == "pending" and (pend.value or 0):
                    bad.append((k, tot, part, pend))
        if not bad:
            continue
        span = sent.span(0, len(sent.text))
        details = "；".join(
            f"{cell_label(f'table4.{k}.total', report.layout)}为 {num_text(t.value)}，其中结果维持 "
            f"{num_text(val(report, f'table4.{k}.upheld').value)}、尚未审结 "
            f"{num_text(pe.value)}"
            for k, t, p, pe in bad
        )
        yield Finding(
            f"{section_heading(sent.key)}：文中称「{said.group(0)}」，但{details}；请如实说明各案件的结果。",
            where=[sent.key, *(f"table4.{k}" for k, *_ in bad)],
            span=span,
            evidence={"quote": report.text[slice(*span)], "claim": word},
        )


def _no_case_claims(report: Report, sent: Sentence) -> Iterator[Finding]:
    """未发生行政复议/诉讼 while table 四 counts cases."""
    for m in _NO_CASE.finditer(sent.text):
        if (
            _OUTCOME.search(_clause_at(sent.text, m.start()))
            or sent.text[max(0, m.start() - 1) : m.start()] == "尚"
        ):
            continue  # 未被纠错, 尚无尚未审结: about how cases ended (checked above), not how many
        kinds = {m.group("a")[-2:], (m.group("b") or "")[-2:]} - {""}
        for kind in kinds:
            table, paths = _group_table(report, "review" if kind == "复议" else "litigation")
            if table.unknown or not table.value:
                continue
            claim = Claim("none", 0, sent, m.start(), m.end())
            what = ("行政复议" if kind == "复议" else "行政诉讼") + "案件数（文中称没有）"
            f = _emit(report, claim, table, paths, None, what)
            if f:
                yield f


# ------------------------------------------------------------------ X104 documents (table 二)

_DOCS = re.compile(rf"(?P<what>现行有效|制发|废止)(?:的)?(?:行政)?规范性文件({_GAP}{{0,4}}?)(?P<n>\d+)件")


@rule("X104", "text-documents", "error")
def documents(report: Report):
    """Normative-document counts in the text (现行有效, 制发, 废止) equal table 二.

    Anti-pattern:
        集中发布现行有效行政规范性文件393件。（表二现行有效件数 470）
    Best practice:
        集中发布现行有效行政规范性文件470件。（表二现行有效件数 470）
    """
    col = {"现行有效": "in_force", "制发": "issued", "废止": "repealed"}
    printed = template.layout(report.layout).table2.row("normative_documents").columns
    if not set(col.values()) <= {c.key for c in printed}:
        return
    for sent in _sentences(report):
        if sent.key != "s1":
            continue  # the narrative of section 一 only (the shared split, not a second one)
        for m in _DOCS.finditer(sent.text):
            if sent.elsewhen(m.start("n")):
                continue
            path = f"table2.normative_documents.{col[m.group('what')]}"
            claim = Claim("docs", int(m.group("n")), sent, m.start("n"), m.end("n"))
            f = _emit(
                report,
                claim,
                _cell(report, path),
                [path],
                None,
                f"{m.group('what')}行政规范性文件数",
                check_scope=False,
            )
            if f:
                yield f
