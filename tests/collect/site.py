"""A small CMS-like government site served on 127.0.0.1 (a free port) for the collect tests: a 年报 column
with three list pages, report pages (HTML tables, a PDF and a DOC attachment, a GBK page, a redirect), a
404, a slow page, and a robots.txt that forbids a folder. Documents are made in the test run from gongkai's
own renderer and the shared corpus; nothing big is committed.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from gongkai.render.text import render_html
from tests.conftest import CORPUS
from tests.render.test_docx_chain import valid_values

PDF = CORPUS / "real" / "2023_huaian_hongzequ.pdf"
DOC = CORPUS / "variants" / "000_f01d4dbb51cf7cd1.doc"
SLOW_SECONDS = 3.0

Route = tuple[int, dict[str, str], bytes]


@dataclass
class Site:
    """Routes (path → status, headers, body, or a callable giving them) and a log of requested paths."""

    routes: dict[str, Route | Callable[[], Route]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    base: str = ""

    def url(self, path: str) -> str:
        return self.base + path


def html(body: str, charset: str = "utf-8", head: str = "") -> str:
    return f"<html><head><meta charset='{charset}'><title>年报</title>{head}</head><body>{body}</body></html>"


def page(text: str, content_type: str = "text/html; charset=utf-8", encoding: str = "utf-8") -> Route:
    return 200, {"Content-Type": content_type}, text.encode(encoding)


def report_html(seed: int, agency: str, year: int, after_title: str) -> str:
    """A report page: gongkai's HTML rendering of valid values, with ``after_title`` (e.g. the 发布日期 line)
    under its title."""
    values = valid_values(random.Random(seed), "2021")
    return render_html(values, "2021", agency, year).replace("</h1>", f"</h1>{after_title}", 1)


def list_page(items: list[tuple[str, str, str]], pager: str) -> str:
    lis = "".join(
        f"<li><a href='{href}' title='{title}'>{title}</a><span>{date}</span></li>"
        for href, title, date in items
    )
    nav = "<a href='/'>首页</a> <a href='/zwgk/'>政务公开</a> <a href='/ndbg/index.html'>政府信息公开年报</a>"
    return html(f"<div>{nav}</div><ul class='list'>{lis}</ul><div class='pager'>{pager}</div>")


def build_site() -> Site:
    site = Site()
    r = site.routes
    r["/robots.txt"] = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n")
    script = '<script>createPageHTML(3, 0, "index", "html");</script>'
    r["/ndbg/index.html"] = page(
        list_page(
            [
                ("2024/t1.html", "测试市教育局2023年政府信息公开工作年度报告", "2024-01-20"),
                ("/ndbg/2024/t2.html", "洪泽区2023年政府信息公开工作年度报告", "2024-01-22"),
            ],
            script + "<a href='index_1.html'>下一页</a>",
        )
    )
    r["/ndbg/index_1.html"] = page(
        list_page(
            [
                ("../ndbg/2023/t3.html", "某单位政府信息公开工作年度报告（2022年）", "2023-01-23"),
                ("2023/t4.html", "测试县2022年政府信息公开工作年度报告", "2023-01-24"),
                ("old/t5.html", "测试市统计局2021年政府信息公开工作年度报告", "2022-01-25"),
            ],
            "<a href='index.html'>1</a> <a href='index_2.html'>3</a>",
        )
    )
    r["/ndbg/index_2.html"] = page(
        list_page(
            [
                ("gone.html", "已删除2019年政府信息公开工作年度报告", "2020-01-10"),
                ("slow.html", "很慢2019年政府信息公开工作年度报告", "2020-01-11"),
                ("/private/t9.html", "内部2019年政府信息公开工作年度报告", "2020-01-12"),
            ],
            "<a href='index_1.html'>上一页</a>",
        )
    )
    r["/ndbg/2024/t1.html"] = page(
        report_html(1, "测试市教育局", 2023, "<p>来源：测试市教育局</p>").replace(
            "</head>", "<meta name='PubDate' content='2024-01-20 09:30'></head>"
        )
    )
    r["/ndbg/2024/t2.html"] = page(
        html(
            "<h1>洪泽区2023年政府信息公开工作年度报告</h1><p>发布日期：2024-01-22</p>"
            "<p>附件：<a href='/files/hz2023.pdf'>洪泽区2023年政府信息公开工作年度报告.pdf</a></p>"
        )
    )
    r["/files/hz2023.pdf"] = (200, {"Content-Type": "application/pdf"}, PDF.read_bytes())
    r["/ndbg/2023/t3.html"] = page(
        html(
            "<h1>政府信息公开工作年度报告</h1>"
            "<p><a href='/download.jsp?id=3' title='年度报告.doc'>年度报告.doc</a></p>"
        )
    )
    r["/download.jsp"] = (200, {"Content-Type": "application/msword"}, DOC.read_bytes())
    gbk = report_html(2, "测试县人民政府", 2022, "<p>发布时间：2023年01月24日 来源：县政府办</p>")
    r["/ndbg/2023/t4.html"] = page(gbk.replace("charset='utf-8'", "charset='gb2312'"), "text/html", "gbk")
    r["/ndbg/old/t5.html"] = (301, {"Location": "/ndbg/2022/t5.html"}, b"")
    r["/ndbg/2022/t5.html"] = page(report_html(3, "测试市统计局", 2021, "<p>发布日期：2022-01-25</p>"))
    r["/ndbg/slow.html"] = lambda: (time.sleep(SLOW_SECONDS), page(html("<p>迟到的页面</p>")))[1]
    r["/private/t9.html"] = page(report_html(4, "内部", 2019, "<p>发布日期：2020-01-12</p>"))
    return site


class _Handler(BaseHTTPRequestHandler):
    site: Site

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.site.requests.append(self.path)
        route = self.site.routes.get(path)
        status, headers, body = (route() if callable(route) else route) if route else (404, {}, b"not found")
        if status == 200:  # validators, so a rerun can ask "changed since?" and get 304 Not Modified
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers = {**headers, "ETag": etag}
            if self.headers.get("If-None-Match") == etag:
                status, body = 304, b""
        try:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the slow page)

    def log_message(self, *args) -> None:
        pass


class Server:
    """``with Server(site) as site:`` serves ``site`` on 127.0.0.1 and a free port until the block ends."""

    def __init__(self, site: Site):
        self.site = site
        handler = type("Handler", (_Handler,), {"site": site})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        site.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Site:
        self.thread.start()
        return self.site

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()
