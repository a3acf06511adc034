"""End-to-end: the real app (uvicorn on 127.0.0.1, a temp SQLite store) driven by headless Chromium.

Uploads the shared corpus's text/HTML/DOCX/PDF documents through the upload page, opens reports with known
problems and checks each problem is highlighted, opens the coverage matrix, the charts and a comparison,
downloads an export and checks its values. Saves screenshots of the main pages in a temporary folder, or
where ``GONGKAI_SCREENSHOTS`` says (``GONGKAI_SCREENSHOTS=docs/screenshots`` refreshes the README's).
Skipped when /usr/bin/chromium or Playwright is missing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import time
from pathlib import Path

import pytest

from tests.web.conftest import CHROMIUM, running

if not CHROMIUM.exists():
    pytest.skip("no /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
uvicorn = pytest.importorskip("uvicorn")

from gongkai.web import create_app  # noqa: E402

CORPUS = Path(__file__).parents[2].parent / "shared" / "corpus"
OPTIONAL_KINDS = {"typo", "soft"}


def corpus_files() -> list[Path]:
    """Text, HTML, DOCX and PDF documents (not the slow scans, nor .doc which needs LibreOffice)."""
    out = []
    for folder in ("seeds", "real", "variants"):
        for p in sorted((CORPUS / folder).iterdir()):
            if p.name.endswith(".scan.pdf") or p.suffix not in (".txt", ".html", ".docx", ".pdf"):
                continue
            out.append(p)
    return out


def truth(doc: Path) -> dict:
    for cand in (doc.with_name(doc.name + ".expected.json"), doc.with_suffix(".expected.json")):
        if cand.is_file():
            return json.loads(cand.read_text(encoding="utf-8"))
    return {}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not available")
    tmp = tmp_path_factory.mktemp("web")
    app = create_app(f"sqlite:///{tmp / 'e2e.db'}", files_dir=tmp / "files", password="")
    with running(app) as url:
        yield {"url": url, "store": app.state.store}


@pytest.fixture()
def page(open_page):
    return open_page()


def report_id(server, doc: Path) -> int:
    from sqlalchemy import select

    from gongkai.store import schema as S

    sha = hashlib.sha256(doc.read_bytes()).hexdigest()
    with server["store"].engine.connect() as c:
        return c.execute(select(S.documents.c.id).where(S.documents.c.sha256 == sha)).scalar_one()


def _in_view(page, locator, timeout: float = 5.0) -> bool:
    """Wait for a (smooth) scroll to bring ``locator`` inside the viewport."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        box = locator.bounding_box()
        if box and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]:
            return True
        page.wait_for_timeout(100)
    return False


@pytest.fixture(scope="module")
def shot(tmp_path_factory):
    """Save a screenshot: in a temporary folder, or in ``GONGKAI_SCREENSHOTS`` when set."""
    given = os.environ.get("GONGKAI_SCREENSHOTS")
    folder = Path(given) if given else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)

    def save(page, name: str, full_page: bool = False) -> None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)

    return save


def test_upload_corpus(server, page, shot):
    files = corpus_files()
    page.goto(server["url"] + "/")
    page.set_input_files("#file-input", [str(p) for p in files])
    page.wait_for_selector("body[data-upload=done]", timeout=150_000)
    rows = page.locator("#upload-results tbody tr")
    assert rows.count() == len(files)
    badges = page.locator("#upload-results .badge").all_inner_texts()
    assert len(badges) == len(files)
    assert "读取失败" not in badges and "已拒绝" not in badges
    assert page.locator("#progress-text").inner_text() == f"已完成 {len(files)} / {len(files)} 个文件"
    shot(page, "upload")


@pytest.mark.parametrize(
    "name",
    ["real/2023_huaian_hongzequ.pdf", "real/2024_huaian_hongzequ.pdf", "seeds/004_e99c3fa4f96ef56b.txt"],
)
def test_known_problems_highlighted(server, page, name):
    doc = CORPUS / name
    rid = report_id(server, doc)
    page.goto(f"{server['url']}/report/{rid}")
    problems = [p for p in truth(doc).get("known_problems", []) if p.get("kind") not in OPTIONAL_KINDS]
    assert problems
    for p in problems:
        where = p["where"]
        if where.startswith("s"):
            sel = f"#sec-{where} mark, #sec-{where}.has-finding"
        else:
            parts = where.split(".")
            anchor = {1: "tbl-", 2: "row-", 3: "cell-"}[len(parts)] + "-".join(parts)
            sel = (
                f"#{anchor}.has-finding, [data-path^='{where}.'].has-finding, "
                f"[data-path='{where}'].has-finding"
            )
        assert page.locator(sel).count() > 0, f"{name}: {where} not highlighted ({p['what'][:60]})"
    # every finding in the problem list points at something on the page that is marked
    links = page.locator("#problems a[data-target]")
    assert links.count() >= len(problems)
    for i in range(links.count()):
        target = links.nth(i).get_attribute("data-target")
        assert page.locator(f"#{target}").count() == 1, target
    # hovering shows the message: it is the cell's title
    first = page.locator("td.c.has-finding").first
    if first.count():
        assert "[" in (first.get_attribute("title") or "")


def test_report_page_click_scrolls_and_shows_pdf_box(server, page, shot):
    doc = CORPUS / "real" / "2023_huaian_hongzequ.pdf"
    page.goto(f"{server['url']}/report/{report_id(server, doc)}")
    cell = page.locator("#cell-table4-review-total")
    assert "has-finding" in cell.get_attribute("class") and "sev-error" in cell.get_attribute("class")
    assert "总计" in cell.get_attribute("title")
    link = page.locator("#problems a[data-target='cell-table4-review-total']").first
    link.click()
    sync_api.expect(cell).to_have_class(re.compile(r"\bselected\b"))
    assert _in_view(page, cell), "the cell was scrolled into view"
    page.wait_for_selector("#pageview[data-page]")  # set once the page image has loaded and the box is placed
    assert page.locator("#pageview").get_attribute("data-page") == "4"
    pv = page.locator("#pv-box").bounding_box()
    assert pv and pv["width"] > 5 and pv["height"] > 5
    shot(page, "report")
    # the original file is linked
    assert page.locator("#original-link").get_attribute("href").endswith("/original")


def test_report_sentence_highlight(server, page):
    doc = CORPUS / "seeds" / "004_e99c3fa4f96ef56b.txt"
    page.goto(f"{server['url']}/report/{report_id(server, doc)}")
    marks = page.locator("#sec-s1 mark")
    assert marks.count() >= 1
    assert "21" in marks.first.inner_text()
    link = page.locator(f"#problems a[data-target='{marks.first.get_attribute('id')}']").first
    link.click()
    assert _in_view(page, marks.first), "the sentence was scrolled into view"


def test_coverage_matrix(server, page, shot):
    page.goto(server["url"] + "/coverage")
    rows = page.locator("#coverage tbody tr")
    names = page.locator("#coverage th.agency").all_inner_texts()
    assert any("平潭" in n for n in names) and any("洪泽" in n for n in names)
    pingtan = page.locator("#coverage tbody tr", has_text="平潭综合实验区")
    assert pingtan.locator("td.cv:not(.missing)").count() == 7  # 2019–2025
    hongze = page.locator("#coverage tbody tr", has_text="洪泽区")
    assert hongze.locator("td.cv.missing").count() >= 1  # 洪泽 only has 2023 and 2024
    assert int(page.locator("#missing-count").inner_text()) > 0
    assert rows.count() >= 5
    shot(page, "coverage")
    # filter by year and search by name
    page.goto(server["url"] + "/coverage?q=平潭&year_from=2021&year_to=2023")
    assert page.locator("#coverage tbody tr").count() == 1
    assert page.locator("#coverage thead th").all_inner_texts()[2:5] == ["2021", "2022", "2023"]


def test_compare_two_years(server, page, shot):
    page.goto(server["url"] + "/compare")
    page.select_option(
        "#agency-select", label=page.locator("#agency-select option", has_text="平潭").first.inner_text()
    )
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("#changes")
    assert page.locator("h2", has_text="2024 年 → 2025 年").count() == 1
    assert int(page.locator("#changed-count").inner_text()) > 0
    assert page.locator(".compare-tables td.c .delta").count() > 50
    reuse = page.locator("#reuse tr.total td").nth(1).inner_text()
    assert reuse.endswith("%")
    shot(page, "compare")


def test_charts(server, page, shot):
    page.goto(server["url"] + "/charts")
    for cid in ("chart-apps", "chart-outcomes", "chart-rates", "chart-regions"):
        page.wait_for_selector(f"#{cid}[data-ready=yes] svg")
    shot(page, "charts", full_page=True)


def test_export_download(server, page):
    page.goto(server["url"] + "/coverage?q=平潭")
    with page.expect_download() as dl:
        page.click("#export-csv")
    text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1 and "平潭" in rows[0]["机关"]
    assert all(rows[0][str(y)] != "缺" for y in range(2019, 2026))
    # a report's cells: the values are the document's
    doc = CORPUS / "real" / "2023_huaian_hongzequ.pdf"
    page.goto(f"{server['url']}/report/{report_id(server, doc)}")
    with page.expect_download() as dl:
        page.click("text=导出 XLSX")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes())).active
    header = [c.value for c in ws[1]]
    values = {r[0]: r[header.index("数值")] for r in ws.iter_rows(min_row=2, values_only=True)}
    t = truth(doc)
    assert values["table4.review.upheld"] == t["table4"]["review"]["upheld"] == 10
    assert values["table4.review.total"] == t["table4"]["review"]["total"] == 0
    assert values["table3.new.total"] == t["table3"]["new"]["total"]
