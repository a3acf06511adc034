"""Reading list pages and report pages: report links, pagination, attachments, 发布日期, encodings."""

from __future__ import annotations

from gongkai.collect.page import attachment_suffix, decode_page, parse_page
from gongkai.collect.targets import read_roster, targets_from

BASE = "http://127.0.0.1:1/col/index.html"


def test_report_links_with_the_date_beside_them_and_no_navigation():
    page = parse_page(
        "<a href='/col/index.html'>政府信息公开年报</a><ul>"
        "<li><a href='t1.html' title='某局2023年政府信息公开工作年度报告（全文）'>某局2023年政府信息…</a>"
        "<span>2024-01-20</span></li>"
        "<li><a href='t2.html'>某局2022年度政府信息公开工作年报</a> 2023/1/31</li>"
        "<li><a href='t3.html'>关于开展检查的通知</a> 2023-05-01</li></ul>",
        BASE,
    )
    found = [(x.url.rsplit("/", 1)[-1], x.date) for x in page.report_links()]
    assert found == [("t1.html", "2024-01-20"), ("t2.html", "2023-01-31")]


def test_pagination_from_links_and_the_cms_pager_script():
    page = parse_page(
        '<script>createPageHTML(3, 0, "index", "html");</script>'
        "<a href='index_1.html'>下一页</a><a href='index_2.html'>尾页</a><a href='/other/index_1.html'>2</a>"
        "<a href='index_1.html#top'>2</a>",
        BASE,
    )
    pages = [u.rsplit("/", 1)[-1] for u in page.pagination(BASE)]
    assert pages == ["index_1.html", "index_2.html"]


def test_attachments_prefer_the_ones_named_as_a_report():
    page = parse_page(
        "<a href='/a/guide.pdf'>信息公开指南.pdf</a><a href='/a/r.PDF'>2023年年度报告.pdf</a>"
        "<a href='get.jsp?id=1' title='报告.docx'>报告.docx</a><a href='x.html'>x</a>",
        BASE,
    )
    assert [a.url.rsplit("/", 1)[-1] for a in page.attachments()] == ["r.PDF"]
    assert attachment_suffix("http://h/get.jsp?id=1", "年度报告.WPS") == ".wps"
    assert attachment_suffix("http://h/a.html") is None


def test_publication_date_from_meta_then_text():
    meta = parse_page("<meta name='PubDate' content='2024-01-20 09:30'><p>发布日期：2024-02-01</p>", BASE)
    assert meta.published() == ("2024-01-20", "html_meta")
    text = parse_page("<p>成文日期：2024-01-10　发布时间：2024年1月25日</p>", BASE)
    assert text.published() == ("2024-01-25", "page_text")
    assert parse_page("<p>成文日期：2024-01-10</p>", BASE).published() == (None, None)


def test_gbk_pages_decode_from_the_header_or_the_meta_charset():
    html = "<meta charset='gb2312'><p>发布日期：2024-01-20 镕</p>"  # 镕 is GBK, not GB2312
    data = html.encode("gbk")
    assert "镕" in decode_page(data, {"content-type": "text/html; charset=GB2312"})
    assert "镕" in decode_page(data, {"content-type": "text/html"})


def test_roster_and_url_file(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("机关名称,年报栏目\n甲局,http://127.0.0.1:1/a/\n乙局,\n", encoding="gb18030")
    assert [(t.url, t.name) for t in read_roster(roster)] == [("http://127.0.0.1:1/a/", "甲局")]
    urls = tmp_path / "u.txt"
    urls.write_text("# comment\nhttp://127.0.0.1:1/a/\n\nhttp://127.0.0.1:1/b/\n", encoding="utf-8")
    got = targets_from(["http://127.0.0.1:1/b/"], urls, roster)
    assert [t.url for t in got] == ["http://127.0.0.1:1/b/", "http://127.0.0.1:1/a/"]
    assert got[1].name is None  # the first mention of a URL wins
