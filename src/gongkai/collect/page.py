"""What a collector needs from an HTML page of a government site: its links (with the date shown beside
each on a list page), which links lead to annual reports, which to further list pages of the same column
(pagination, including the ``createPageHTML(n, i, "index", "html")`` script of common government CMSs),
which are attachments (PDF/DOC/DOCX/WPS/ZIP), and the page's publication date (发布日期).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from gongkai.store.publication import iso_date

__all__ = [
    "ATTACHMENT_SUFFIXES",
    "Link",
    "Page",
    "attachment_suffix",
    "decode_page",
    "parse_page",
]

ATTACHMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".wps", ".zip")
_DATE = r"((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
# 发布日期 / 发布时间 / 发文日期 …; not 成文日期 (the signing date, which is not the publication)
_PAGE_DATE = re.compile(r"(?:发布|公开|发表|上传|更新)\s*(?:日期|时间)\s*[:：]?\s*" + _DATE)
_ANY_DATE = re.compile(_DATE)
_REPORT = re.compile(r"(?:信息公开|公开工作).{0,20}?(?:年度报告|年报)|政务公开.{0,6}年度报告|信息公开年报")
_YEAR = re.compile(r"(?:19|20)\d{2}")
_NEXT = {"下一页", "下页", "后页", "下一頁", ">", "›", "»", ">>"}
# createPageHTML(pages, current, "index", "html"): pages index.html, index_1.html … index_{pages-1}.html
_CMS_PAGER = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,"
    r"\s*['\"]([\w.-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_META_DATES = (
    "pubdate",
    "publishdate",
    "firstpublishedtime",
    "article:published_time",
    "dc.date",
    "dcterms.issued",
)
MAX_PAGES_FROM_SCRIPT = 500


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    date: str | None = None  # the date shown beside the link (its list item or table row), ISO
    date_source: str | None = None  # list_page, or how the page holding the link gave its date


@dataclass
class Page:
    url: str
    title: str
    text: str
    links: list[Link]
    meta: dict[str, str]
    scripts: str

    def report_links(self) -> list[Link]:
        """Links whose text names a year's information-disclosure annual report."""
        return [link for link in self.links if _is_report_title(link.text)]

    def attachments(self) -> list[Link]:
        """Attachment links (PDF/DOC/DOCX/WPS/ZIP); those named as a report first, when any are."""
        found = [link for link in self.links if attachment_suffix(link.url, link.text)]
        named = [link for link in found if _REPORT.search(link.text) or _YEAR.search(link.text)]
        return named or found

    def pagination(self, column_url: str) -> list[str]:
        """Further list pages of the column: 下一页 and page-number links in the column's folder, and the
        pages a CMS pager script names."""
        out: list[str] = []
        for link in self.links:
            text = link.text.strip()
            pager = text in _NEXT or text.isdigit() or _is_page_label(text)
            if pager and same_folder(link.url, column_url):
                out.append(link.url)
        for m in _CMS_PAGER.finditer(self.scripts):
            total, stem, ext = int(m.group(1)), m.group(3), m.group(4)
            for i in range(min(total, MAX_PAGES_FROM_SCRIPT)):
                name = f"{stem}.{ext}" if i == 0 else f"{stem}_{i}.{ext}"
                out.append(urljoin(self.url, name))
        return list(dict.fromkeys(u for u in out if u != self.url))

    def published(self) -> tuple[str | None, str | None]:
        """The page's publication date and where it was found: ``html_meta`` (PubDate …) or ``page_text``
        (发布日期：…)."""
        for name in _META_DATES:
            date = _first_date(self.meta.get(name, ""))
            if date:
                return date, "html_meta"
        m = _PAGE_DATE.search(self.text)
        if m and iso_date(m.group(1)):
            return iso_date(m.group(1)), "page_text"
        return None, None


def attachment_suffix(url: str, text: str = "") -> str | None:
    """``.pdf`` … when the URL's path (or else the link text) ends with an attachment suffix."""
    path = urlsplit(url).path.lower()
    for candidate in (path, text.strip().lower()):
        for suffix in ATTACHMENT_SUFFIXES:
            if candidate.endswith(suffix):
                return suffix
    return None


def same_folder(url: str, column_url: str) -> bool:
    a, b = urlsplit(url), urlsplit(column_url)
    return a.netloc == b.netloc and posixpath.dirname(a.path) == posixpath.dirname(b.path)


def decode_page(content: bytes, headers: dict[str, str] | None = None) -> str:
    """HTML bytes → text: the HTTP charset when it decodes, else gongkai's HTML decoding (BOM, declared
    charset, UTF-8, GB18030, charset-normalizer). GB2312/GBK are decoded as their superset GB18030."""
    from gongkai.read.html import decode

    charset = _header_charset((headers or {}).get("content-type", ""))
    if charset:
        if re.search(r"gb|936|euc-?cn", charset, re.IGNORECASE):
            charset = "gb18030"
        try:
            return content.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(content)[0]


def _header_charset(content_type: str) -> str | None:
    m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    return m.group(1) if m else None


def parse_page(html: str, url: str) -> Page:
    """Parse a decoded HTML page fetched from ``url``."""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", errors="replace"), parser=parser)
    except (etree.ParserError, ValueError):
        return Page(url, "", "", [], {}, "")
    base = url
    for b in root.iter("base"):
        if b.get("href"):
            base = urljoin(url, b.get("href"))
            break
    scripts = "\n".join(s.text or "" for s in root.iter("script"))
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    title = " ".join((root.findtext(".//title") or "").split())
    meta = {
        (m.get("name") or m.get("property") or "").lower(): m.get("content") or ""
        for m in root.iter("meta")
        if m.get("content")
    }
    return Page(url, title, root.text_content(), _links(root, base), meta, scripts)


def _links(root: etree._Element, base: str) -> list[Link]:
    out: list[Link] = []
    for el in root.xpath("//a[@href]|//iframe[@src]|//embed[@src]|//object[@data]"):
        href = (el.get("href") or el.get("src") or el.get("data") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = _clean(urljoin(base, href))
        if urlsplit(url).scheme not in ("http", "https"):
            continue
        text = " ".join((el.text_content() or "").split()) or (el.get("title") or "").strip()
        if el.get("title") and len(el.get("title", "")) > len(text):
            text = el.get("title", "").strip()  # list items often cut long titles, the title attribute not
        date = _date_beside(el)
        out.append(Link(url, text, date, "list_page" if date else None))
    return out


def _date_beside(el: etree._Element) -> str | None:
    """The date in the link's list item or table row (a list page shows each entry's 发布日期 there)."""
    for holder in el.iterancestors("li", "tr", "dd", "p"):
        text = holder.text_content() or ""
        own = el.text_content() or ""
        return _first_date(text.replace(own, " "))
    return None


def _first_date(text: str) -> str | None:
    for m in _ANY_DATE.finditer(text):
        date = iso_date(m.group(1))
        if date:
            return date
    return None


def _clean(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _is_report_title(text: str) -> bool:
    return bool(_REPORT.search(text) and _YEAR.search(text))


def _is_page_label(text: str) -> bool:
    return bool(re.fullmatch(r"第?\s*\d+\s*页|尾页|末页|最后一页", text))
