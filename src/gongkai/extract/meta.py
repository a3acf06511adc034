"""Who and when: the issuing agency, the report year, the publication date and the layout.

Each value says where it came from (``meta["sources"]``): the report's ``title``, its ``opening``
sentence (「现将XX局…报告如下」), its ``signature``, the page's ``page_title``, the text around the
report on the page (``page_text``: 发布日期), the file's metadata (``html_meta``, ``pdf_metadata``,
``docx_metadata``), the report ``body`` (统计期限, the first dated sentence of 总体情况), the ``file_name``
or a value ``given`` by the caller (a roster entry). Site chrome around a title (breadcrumbs, login and
search bars, dates, 「特编制」「现公布」 lead-ins, column names such as 信息公开年报) is stripped by general
rules. When the report only says 「我局」 and nothing names it, the agency stays empty and
``meta["uncertain"]`` says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePath

from gongkai import template
from gongkai.extract.stream import Stream, normalize
from gongkai.lazyre import lazy_compile

# ---------------------------------------------------------------- patterns

_YEAR = r"(?P<year>20[1-3]\d)"
_TAIL = r"(?:政府|政务)?信息公开(?:工作)?(?:情况)?(?:的)?(?:年度)?(?:工作)?(?:情况)?(?:报告|年报)"
# On compact text (no white space): "<year>年[度]<mid>…信息公开…报告" and "<year>年报<name>".
_TITLE = lazy_compile(_YEAR + r"年度?(?P<mid>[^\d\n]{0,40}?)" + _TAIL)
# "<year>年[度]报" / "<year>年[度]年报", not followed by a CJK ideograph (see `_year_reports`)
_YEAR_REPORT = lazy_compile(_YEAR + r"年(?:度)?(?:报|年报)")
_PERIOD = lazy_compile(
    r"(?:统计期限|统计起止时间|统计时间|统计区间|统计周期|所列数据|数据统计)[^。\n]{0,16}?"
    + _YEAR
    + r"年1月1日"
    r"|(?:截止|截至)(?:到|于)?" + _YEAR.replace("year", "year2") + r"年12月31日"
)
_OVERVIEW = lazy_compile(r"总体情况|總體情況|总体概况|基本情况")
_DATED_SENTENCE = lazy_compile(r"(?:^|[。;；:：\n]|情况)" + _YEAR + r"年(?:度)?(?:以来)?[,，]?")
_SUBJECT = lazy_compile(
    r"(?P<name>[\u4e00-\u9fff()（）·]{2,30}?)(?:认真|严格|坚持|按照|全面|深入|积极|始终|持续|进一步|紧紧"
    r"|紧密|围绕|高度|切实|扎实|不断|继续|牢固|依法|结合|聚焦|着力|根据|遵照|贯彻|落实|共|在)"
)

# Separators a page puts between an agency and what precedes it: breadcrumbs, labels, punctuation.
_SEPARATOR = lazy_compile(r"[>»›→/|｜_\-—–:：,，。;；!！?？\s【】\[\]]")
# Anything written with Latin letters or digits precedes the name (a date, a counter, 「Page 9」).
_LATIN = lazy_compile(r"[0-9A-Za-z]")
# Words of site chrome and column names: what precedes their last occurrence is not the agency.
_CHROME = lazy_compile(
    r"年度报告|年报|工作报告|信息公开|政务公开|政府公开|公开目录|专栏|栏目|首页|主页|当前位置|所在位置|位置"
    r"|登录|登陆|注册|搜索|检索|无障碍|关怀版|适老|长者|简体|繁体|繁體|网站地图|导航|欢迎|您好|分享|打印"
    r"|字体|字号|来源|作者|点击|浏览|阅读|发布机构|发布单位|发布者|标题|正文|返回|收藏|关闭|索引号|文号"
)
_LEAD_IN = lazy_compile(r"^(?:(?:特|现|兹|今|谨)(?:予以?)?(?:编制|公布|发布|印发|公开|将|把)|关于|由|是|为)")
# Runs of white space; those between two CJK ideographs are a PDF's gaps (`_drop_cjk_gaps`).
_SPACES = lazy_compile(r"\s+")
_NAME_PUNCT = frozenset("()（）·、")  # what a name may hold besides CJK ideographs
# How an issuing body's name ends.
_SUFFIX = lazy_compile(
    r"(?:局|办|委|委员会|院|政府|办公室|办公厅|厅|办事处|中心|镇|乡|街道|区|县|旗|市|州|盟|部|署|所|站|队"
    r"|馆|会|处|公司|集团|场|社|园|司|庭|室|署|团|校|行)$"
)
# A piece of a name that cannot start one: a title broken over lines continues the line before.
_CONTINUATION = lazy_compile(r"^(?:人民|政府|办公|委员会|管理|服务|街道|办事处|局|委|办|中心|区|县|市)")
_GENERIC = {"政府", "人民政府", "街道", "办事处", "办公室", "单位", "机关", "本机关", "管委会", "委员会"}
_SHORTHAND = lazy_compile(r"^[省市区县镇乡旗]?(?:人民)?政府$|^[省市区县]?委$")
_FRAGMENT = lazy_compile(r"^(?:我|本|该|贵|全|各|此|其)")
_PRONOUN = lazy_compile(r"(?:我|本)(?:局|办|委|镇|乡|街道|区|县|市|院|中心|单位|部门|机关|室|所|站)")

_DATE_LABEL = lazy_compile(
    r"(?:发布|发文|成文|公开|印发|更新)?(?:日期|时间)\s*[:：]\s*(20[1-3]\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
)
_DATE_WORDS = ("日期", "时间")  # what every match of _DATE_LABEL holds
_DATE_LINE = lazy_compile(r"^\s*(20[1-3]\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
_CN_DATE_LINE = lazy_compile(
    r"^\s*([〇○零一二三四五六七八九]{4})年([〇○零一二三四五六七八九十]{1,3})月([〇○零一二三四五六七八九十]{1,3})日\s*$"
)
_CN_DIGITS = {ch: i for i, ch in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}

HEAD_CHARS = 6000  # where a title can be: the beginning of the document


# ---------------------------------------------------------------- agency names


def clean_agency(raw: str) -> str:
    """The issuing body's name inside a piece of text before a title: site chrome, lead-ins, dates and
    breadcrumbs cut away (``"信息公开年报桂花坪街道"`` → ``"桂花坪街道"``)."""
    name = _tidy(raw)
    for pattern in (_SEPARATOR, _LATIN, _CHROME):
        ends = [m.end() for m in pattern.finditer(name)]
        if ends:
            name = name[ends[-1] :]
    while True:
        stripped = _LEAD_IN.sub("", name)
        if stripped == name:
            break
        name = stripped
    return name.strip()


def plausible_agency(name: str | None, *, suffix: bool = False) -> bool:
    """A name a report could be issued under; with ``suffix``, it must also end as a body's name does."""
    if not name or not 2 <= len(name) <= 40 or not _name_chars(name):
        return False
    if _FRAGMENT.match(name) or name in _GENERIC or _SHORTHAND.match(name) or _CHROME.search(name):
        return False
    return not suffix or bool(_SUFFIX.search(name))


def _join_pieces(pieces: list[str]) -> str:
    """A name from the pieces of text lines before a title: the last piece, with the line before when the
    name was broken over two lines (``淮安市洪泽区人民`` / ``政府``)."""
    parts = [p for p in (_tidy(p) for p in pieces) if p]
    if not parts:
        return ""
    k = len(parts) - 1
    name = clean_agency(parts[k])
    while k > 0 and name == parts[k] and (len(name) < 2 or _CONTINUATION.match(name)):
        k -= 1
        name = clean_agency(parts[k]) + name
    return name


def _tidy(text: str) -> str:
    """Normalised, with the spaces a PDF puts between Chinese characters removed."""
    return _drop_cjk_gaps(normalize(text).replace("\t", " ")).strip()


# The two checks below say what ``(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])`` and
# ``^[\u4e00-\u9fff()（）·、]+$`` say, without compiling CJK classes: Python's regex compiler walks every
# code point of such a range (~0.7 ms a class, a large part of a short `gongkai parse`).


def _is_ideograph(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _drop_cjk_gaps(text: str) -> str:
    """``text`` without the runs of white space that have a CJK ideograph on both sides."""

    def gap(m: re.Match[str]) -> str:
        start, end = m.span()
        if start and end < len(text) and _is_ideograph(text[start - 1]) and _is_ideograph(text[end]):
            return ""
        return m.group()

    return _SPACES.sub(gap, text)


def _name_chars(name: str) -> bool:
    """Only CJK ideographs and `_NAME_PUNCT`, at least one (a final line break allowed, as ``$`` allows)."""
    body = name[:-1] if name.endswith("\n") else name
    return bool(body) and all(_is_ideograph(ch) or ch in _NAME_PUNCT for ch in body)


# ---------------------------------------------------------------- finding the title


class _Lines:
    """The stream's text lines with the compact offset where each starts."""

    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self.starts: list[int] = []  # text index of each line start
        pos = 0
        for line in stream.text.split("\n"):
            self.starts.append(pos)
            pos += len(line) + 1

    def line_of(self, tpos: int) -> int:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= tpos:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def text(self, i: int) -> str:
        end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else len(self.stream.text)
        return self.stream.text[self.starts[i] : end]

    def pieces(self, cstart: int, cend: int) -> list[str]:
        """The text between two compact positions, one piece per line."""
        if cstart >= cend:
            return []
        a, b = self.stream.to_text(cstart), self.stream.to_text(cend - 1) + 1
        return self.stream.text[a:b].split("\n")


def _is_sentence(line: str) -> bool:
    return bool(re.search(r"根据|依据|现将|特编制|现公布|编制|报告如下|。", line)) or len(line) > 80


def _title_agency(stream: Stream, lines: _Lines, m: re.Match[str], mid: str) -> str | None:
    """The agency a title match names: inside it (year first), before it on its line, or on the line
    before (a title set in two lines)."""
    if mid and plausible_agency(name := _join_pieces(lines.pieces(m.start("mid"), m.end("mid")))):
        return name
    t_year = stream.to_text(m.start())
    li = lines.line_of(t_year)
    same = _tidy(stream.text[lines.starts[li] : t_year])
    prev = next((p for p in (_tidy(lines.text(k)) for k in range(li - 1, max(li - 3, -1), -1)) if p), "")
    if same:
        name = clean_agency(same)
        if name == same and _CONTINUATION.match(name) and prev:
            name = _join_pieces([prev, same])
        return name if plausible_agency(name) else None
    name = clean_agency(prev)
    return name if len(prev) <= 40 and plausible_agency(name, suffix=True) else None


def _source_of(stream: Stream, lines: _Lines, cpos: int) -> str:
    tpos = stream.to_text(cpos)
    at = stream.span_at(tpos)
    if at is not None and at[2].path and at[2].path.split("/")[-1].startswith("title"):
        return "page_title"
    return "opening" if _is_sentence(lines.text(lines.line_of(tpos))) else "title"


def find_title(stream: Stream) -> re.Match[str] | None:
    """The first "<agency><year>年…政府信息公开工作年度报告" at the beginning of the document."""
    return _TITLE.search(stream.compact, 0, HEAD_CHARS)


def _titles(stream: Stream) -> list[tuple[int, str | None, str, str]]:
    """(year, agency, source, title text) of every title-like match at the beginning, in order."""
    lines = _Lines(stream)
    head = stream.compact[:HEAD_CHARS]
    out = []
    for m in _TITLE.finditer(head):
        agency = _title_agency(stream, lines, m, m.group("mid"))
        out.append(
            (int(m.group("year")), agency, _source_of(stream, lines, m.start()), m.group(0), m.start())
        )
    for m in _year_reports(head):
        li = lines.line_of(stream.to_text(m.end() - 1))
        rest_c = stream.to_text(m.end()) if m.end() < len(stream.compact) else len(stream.text)
        line_end = lines.starts[li + 1] - 1 if li + 1 < len(lines.starts) else len(stream.text)
        rest = stream.text[rest_c:line_end] if rest_c <= line_end else ""
        name = clean_agency(re.split(r"[\s|]{2,}", rest.strip())[0]) if rest.strip() else ""
        before = _title_agency(stream, lines, m, "")
        agency = name if plausible_agency(name) else before
        out.append(
            (int(m.group("year")), agency, _source_of(stream, lines, m.start()), m.group(0), m.start())
        )
    out.sort(key=lambda t: t[4])
    return [t[:4] for t in out]


def _year_reports(head: str) -> Iterator[re.Match[str]]:
    r"""The matches of ``_YEAR_REPORT`` + ``(?![\u4e00-\u9fff])``, without compiling that CJK class. The
    same: at a given start the pattern can match one way only, and no match starts inside a refused one."""
    for m in _YEAR_REPORT.finditer(head):
        if m.end() == len(head) or not _is_ideograph(head[m.end()]):
            yield m


# ---------------------------------------------------------------- year and agency from the body


def _overview_start(stream: Stream) -> int:
    """Compact index of the 「情况」 that ends the 总体情况 heading (so a dated sentence can follow it)."""
    m = _OVERVIEW.search(stream.compact, 0, HEAD_CHARS)
    return m.end() - 2 if m else 0


def _body_year(stream: Stream) -> int | None:
    """The year the statistics cover (统计期限…1月1日, 截止…12月31日), else the first dated sentence of
    总体情况."""
    m = _PERIOD.search(stream.compact)
    if m:
        return int(m.group("year") or m.group("year2"))
    start = _overview_start(stream)
    d = _DATED_SENTENCE.search(stream.text, stream.to_text(start), stream.to_text(start + 800))
    return int(d.group("year")) if d else None


def _body_agency(stream: Stream) -> str | None:
    """The subject of 总体情况's first dated sentence: 「2021年，乳山经济开发区认真贯彻…」."""
    start = _overview_start(stream)
    if not start:
        return None
    for d in list(_DATED_SENTENCE.finditer(stream.compact, start, start + 800))[:3]:
        s = _SUBJECT.match(stream.compact, d.end())
        if s and plausible_agency(s.group("name"), suffix=True):
            return s.group("name")
    return None


def _signature(stream: Stream) -> tuple[str | None, str | None]:
    """(agency, ISO date) of the signature at the end: a name line next to a date line."""
    lines = [ln.replace("\t", " ").strip() for ln in stream.text.split("\n")[-12:]]
    lines = [ln for ln in lines if ln]
    for i in range(len(lines) - 1, -1, -1):
        date = _date_of_line(lines[i])
        if date is None:
            continue
        for j in (i - 1, i + 1, i - 2):
            if 0 <= j < len(lines):
                name = clean_agency(lines[j])
                if name == lines[j] and plausible_agency(name, suffix=True):
                    return name, date
        return None, date
    return None, None


def _date_of_line(line: str) -> str | None:
    m = _DATE_LINE.match(line)
    if m:
        return _iso(*m.groups())
    m = _CN_DATE_LINE.match(line)
    if m:
        y = "".join(str(_CN_DIGITS[c]) for c in m.group(1))
        return _iso(y, str(_cn_number(m.group(2))), str(_cn_number(m.group(3))))
    return None


def _cn_number(s: str) -> int:
    if "十" not in s:
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    tens, _, ones = s.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _iso(y: str, m: str, d: str) -> str | None:
    month, day = int(m), int(d)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{int(y):04d}-{month:02d}-{day:02d}"


def _page_date(stream: Stream) -> str | None:
    """发布日期 / 发布时间 / 日期 printed on the page around the report."""
    end = stream.to_text(min(len(stream.compact), HEAD_CHARS))
    # A match holds 日期 or 时间, after at most two characters: the search starts there (same match).
    found = [k for k in (stream.text.find(word, 0, end) for word in _DATE_WORDS) if k >= 0]
    m = _DATE_LABEL.search(stream.text, max(0, min(found) - 2), end) if found else None
    return _iso(*m.groups()) if m else None


def _file_name_agency(source: str | None) -> str | None:
    if not source:
        return None
    stem = PurePath(source).stem
    stem = re.sub(r"20[1-3]\d\s*年?(?:度)?|政府信息公开.*$|信息公开.*$|年报.*$|年度报告.*$", " ", stem)
    for piece in reversed(re.split(r"[\s_\-—.,，()（）\[\]]+", stem)):
        name = clean_agency(piece)
        if plausible_agency(name, suffix=True):
            return name
    return None


# ---------------------------------------------------------------- meta


def extract_meta(
    stream: Stream, source_text: str, info: dict | None = None, given: dict | None = None
) -> dict:
    """Agency, year, publication date, layout and title, with ``sources`` and ``uncertain``.

    ``info`` is what the reader found outside the text (``source``, ``published``, ``published_source``);
    ``given`` values (``agency``, ``year``, ``published``) from the caller fill what the document leaves open.
    """
    info = info or {}
    given = given or {}
    meta: dict = {"agency": None, "year": None, "template": None, "title": None, "published": None}
    sources: dict[str, str | None] = {"agency": None, "year": None, "published": None}
    uncertain: dict[str, str] = {}

    titles = _titles(stream)
    if titles:
        meta["year"], _, sources["year"], meta["title"] = titles[0]
    for year, agency, source, title in titles:
        if agency:
            meta["agency"], sources["agency"] = agency, source
            if meta["year"] is None or year == meta["year"]:
                meta["title"] = title
            break
    if meta["year"] is None and (body_year := _body_year(stream)) is not None:
        meta["year"], sources["year"] = body_year, "body"

    sig_agency, sig_date = _signature(stream)
    if meta["agency"] is None:
        for agency, source in (
            (sig_agency, "signature"),
            (_body_agency(stream), "body"),
            (_file_name_agency(info.get("source")), "file_name"),
            (given.get("agency"), "given"),
        ):
            if agency:
                meta["agency"], sources["agency"] = agency, source
                break
    if meta["agency"] is None:
        said = _PRONOUN.search(stream.compact)
        uncertain["agency"] = f"报告只称「{said.group(0)}」，未写明机关名称" if said else "报告未写明发布机关"
    if meta["year"] is None and given.get("year"):
        meta["year"], sources["year"] = int(given["year"]), "given"

    for date, date_source in (
        (info.get("published"), info.get("published_source")),
        (_page_date(stream), "page_text"),
        (sig_date, "signature"),
        (given.get("published"), "given"),
    ):
        if date:
            meta["published"], sources["published"] = date, date_source
            break
    if info.get("created"):
        # The file's own creation date is kept apart: a conversion or a re-save resets it, so it never
        # stands for the publication date the timeliness rule checks.
        meta["file_created"], sources["file_created"] = info["created"], info.get("created_source")

    meta["template"], decided = detect_layout(stream, meta["year"])
    if not decided:
        uncertain["template"] = "表格未印出能区分格式的栏目，且未写明年度"
    meta["sources"] = sources
    if uncertain:
        meta["uncertain"] = uncertain
    return meta


def detect_layout(stream: Stream, year: int | None) -> tuple[str, bool]:
    """The layout the document prints, from labels only one layout has; the year breaks ties. Also
    whether anything decided it."""
    counts = {m: stream.compact.count(m) for m in template.markers()}
    key, by_markers = template.detect_layout(counts, year)
    return key, by_markers or year is not None
