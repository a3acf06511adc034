"""编写年度报告 in Chromium: import last year's report, type numbers that break an identity and see the
message on the cell, fix it, fill the rest, make a sentence contradict table 三 and see the warning, export
DOCX and PDF, and read both back: they hold what was typed. Screenshots go to a temporary folder (copied to
docs/screenshots/ only when GONGKAI_SCREENSHOTS_TO_DOCS=1)."""

from __future__ import annotations

import json
import random
import re

import pytest

from gongkai import parse, template
from gongkai.web import create_app
from tests.web.conftest import running
from tests.web.test_e2e import CORPUS, sync_api

LAST_YEAR = CORPUS / "seeds" / "000_f01d4dbb51cf7cd1.txt"  # 2024


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not LAST_YEAR.is_file():
        pytest.skip("shared corpus not available")
    tmp = tmp_path_factory.mktemp("author")
    app = create_app(f"sqlite:///{tmp / 'author.db'}", files_dir=tmp / "files", password="")
    with running(app) as url:
        yield url


def _typed_values(rng: random.Random, carried_over: dict[str, int]) -> dict[str, int]:
    """Parts of every table (the totals are left to 由分项计算合计), consistent with last year's 结转."""
    lay = template.layout("2021")
    values: dict[str, int] = {}
    for row in lay.table2.rows:
        for c in row.columns:
            if c.key != "in_force":
                values[f"table2.{row.key}.{c.key}"] = rng.randint(0, 9)
    parts = [c.key for c in lay.table3.columns[:-1]]
    for r in template.result_rows(lay):
        for c in parts:
            values[f"table3.{r}.{c}"] = rng.choice([0, 0, 0, rng.randint(1, 6)])
    for c in parts:
        total = sum(values[f"table3.{r}.{c}"] for r in template.result_rows(lay))
        forward = rng.randint(0, 2)
        values[f"table3.carried_forward.{c}"] = forward
        values[f"table3.new.{c}"] = max(0, total + forward - carried_over[c])
        if values[f"table3.new.{c}"] == 0:  # keep the balance: more carried forward when little is new
            values[f"table3.carried_forward.{c}"] = carried_over[c] - total
    for g, _label in lay.table4.groups:
        for c in lay.table4.columns[:-1]:
            values[f"table4.{g}.{c.key}"] = rng.randint(0, 3)
    return values


def _cell(page, path: str):
    return page.locator(f'input.cell-input[data-path="{path}"]')


def test_write_check_and_publish_a_report(server, open_page, shots, tmp_path):
    last = parse(LAST_YEAR)
    page = open_page(timeout=60_000)
    page.goto(server + "/author")
    page.fill("#year", "2025")
    page.set_input_files("#previous-file", str(LAST_YEAR))
    page.click("#import-previous")
    page.locator("#status", has_text="已导入").wait_for()
    assert page.input_value("#agency") == last.meta["agency"]
    cols = [c.key for c in template.layout("2021").table3.columns]
    carried = {c: int(_cell(page, f"table3.carried_over.{c}").input_value()) for c in cols}
    assert carried == {c: last.value(f"table3.carried_forward.{c}") for c in cols}
    stock = _cell(page, "table2.rules.in_force").input_value()
    assert stock == str(last.value("table2.rules.in_force"))

    # A row whose 总计 is not the sum of its parts: the message sits on the 总计 cell.
    for c in cols[:-1]:
        _cell(page, f"table3.granted.{c}").fill("1" if c == "natural_person" else "0")
    _cell(page, "table3.granted.total").fill("3")
    note = page.locator("#cell-table3-granted-total .cell-msg.identity")
    note.wait_for()
    assert "为 3" in note.inner_text() and "为 1" in note.inner_text()
    page.screenshot(path=str(shots / "author-identity.png"), full_page=False)
    _cell(page, "table3.granted.total").fill("1")
    assert page.locator("#cell-table3-granted-total .cell-msg").count() == 0

    # Fill everything: the parts typed, the totals from the parts on request.
    values = _typed_values(random.Random(2025), carried)
    for path, v in values.items():
        _cell(page, path).fill(str(v))
    page.click("#fill-totals")
    page.locator("#status", has_text="合计格").wait_for()
    assert page.locator("#identity-problems li").count() == 0
    for row in ("rules", "normative_documents"):  # the stock follows this year's 制发 and 废止
        moved = last.value(f"table2.{row}.in_force") + values[f"table2.{row}.issued"]
        moved -= values[f"table2.{row}.repealed"]
        sync_api.expect(_cell(page, f"table2.{row}.in_force")).to_have_value(str(moved), timeout=60_000)
    typed = {p: int(_cell(page, p).input_value()) for p in template.cell_paths("2021")}
    new_total = typed["table3.new.total"]
    page.fill("#text-s1", "2025年，本机关认真贯彻落实政府信息公开条例，推进政务公开工作。")
    page.fill("#text-s5", "存在问题：公开内容还不够全面。改进措施：加强培训，完善制度。")
    page.fill("#text-s6", "本年度未收取信息处理费。")

    # A sentence that contradicts table 三: the warning appears under the section.
    wanted = f"共收到政府信息公开申请{new_total}件"  # the generated summary follows the tables
    sync_api.expect(page.locator("#text-s3")).to_have_value(re.compile(wanted), timeout=60_000)
    summary = page.input_value("#text-s3")
    page.fill("#text-s3", summary.replace(f"申请{new_total}件", f"申请{new_total + 5}件", 1))
    warning = page.locator("#sec-s3 .sec-findings li", has_text=str(new_total + 5))
    warning.first.wait_for()
    assert any("表三" in t for t in warning.all_inner_texts())
    page.screenshot(path=str(shots / "author-text-warning.png"), full_page=True)
    page.fill("#text-s3", summary)
    sync_api.expect(warning).to_have_count(0, timeout=60_000)

    for fmt in ("docx", "pdf"):
        with page.expect_download(timeout=180_000) as dl:
            page.click(f'[data-export="{fmt}"]')
        target = tmp_path / f"report.{fmt}"
        dl.value.save_as(target)
        again = parse(target)
        assert again.meta["agency"] == last.meta["agency"] and again.meta["year"] == 2025
        got = {p: again.value(p) for p in typed}
        assert got == typed, (fmt, {p: (v, got[p]) for p, v in typed.items() if got[p] != v})
        assert "认真贯彻落实政府信息公开条例" in again.sections["s1"].text


def test_import_a_filled_workbook_and_a_ledger(server, open_page, shots, tmp_path):
    """The 填报 XLSX that `gongkai template` makes and a 台账 ledger imported through the page; the ledger's
    bad rows listed in Chinese with their row numbers."""
    from gongkai.cli import app as cli_app
    from tests.clirunner import CliRunner

    workbook, ledger = tmp_path / "填报.xlsx", tmp_path / "台账.csv"
    cli = CliRunner()
    assert cli.invoke(cli_app, ["template", "--to", str(workbook), "--from", str(LAST_YEAR)]).exit_code == 0
    assert cli.invoke(cli_app, ["template", "--ledger", "--to", str(ledger)]).exit_code == 0
    with ledger.open("a", encoding="utf-8") as f:
        f.write("1,2025-03-01,自然人,张三,某文件,予以公开,2025-03-10,\n")
        f.write("2,2025-12-20,商业企业,某公司,某数据,,,\n")
        f.write("3,2025-04-01,自然人,李四,某信息,随便,2025-04-09,\n")
    last = parse(LAST_YEAR)
    page = open_page(timeout=60_000)
    page.goto(server + "/author")
    page.fill("#year", "2025")
    page.click("#new-draft")
    page.locator("#status", has_text="已新建").wait_for()

    page.set_input_files("#tables-file", str(workbook))
    page.click("#import-files")
    page.locator("#status", has_text="已导入填报表").wait_for()
    for path in ("table2.rules.issued", "table3.new.natural_person", "table4.review.corrected"):
        assert _cell(page, path).input_value() == str(last.value(path)), path
    assert page.locator("#ledger-errors").is_hidden()
    assert page.input_value("#agency") == last.meta["agency"]  # the workbook names the agency

    page.set_input_files("#tables-file", [])
    page.set_input_files("#ledger-file", str(ledger))
    page.click("#import-files")
    page.locator("#ledger-errors li").first.wait_for()
    errors = page.locator("#ledger-errors li").all_inner_texts()
    assert any(e.startswith("第 4 行「办理结果」") for e in errors), errors
    assert "台账有" in page.inner_text("#status")
    assert _cell(page, "table3.granted.natural_person").input_value() == "1"
    assert _cell(page, "table3.carried_forward.commercial_enterprise").input_value() == "1"
    assert _cell(page, "table2.rules.issued").input_value() == str(last.value("table2.rules.issued"))
    page.screenshot(path=str(shots / "author-import.png"), full_page=False)


def test_correcting_a_stored_report_shows_and_records_the_doubtful_cells(server, open_page, shots):
    """A stored report with ambiguous cells opened for correction: each shows its status and the source's
    candidates (not a blank); one picked, one typed, one left open; the saved version records it."""
    source = CORPUS / "real" / "2021_pingtan_zhsyq.txt"
    if not source.is_file():
        pytest.skip("shared corpus not available")
    stored = parse(source)
    doubtful = sorted(p for p, c in stored.cells.items() if c.status in ("ambiguous", "unreadable"))
    assert len(doubtful) >= 3
    page = open_page(timeout=60_000)
    page.goto(server + "/")
    token = page.get_attribute('meta[name="csrf-token"]', "content") or ""
    up = page.request.post(
        server + "/api/upload",
        multipart={"files": {"name": source.name, "mimeType": "text/plain", "buffer": source.read_bytes()}},
        headers={"X-CSRF-Token": token},
    )
    report_id = up.json()["results"][0]["id"]
    page.goto(f"{server}/author?report={report_id}")
    for path in doubtful:
        td = page.locator(f'td.doubt[data-path="{path}"]')
        assert "歧义" in td.locator(".cell-msg.doubt").inner_text()
        assert _cell(page, path).input_value() == ""
    picked, typed, left = doubtful[:3]
    choice = stored.cells[picked].candidates[0]
    page.locator(f'td[data-path="{picked}"] button.pick[data-value="{choice}"]').click()
    assert _cell(page, picked).input_value() == str(choice)
    _cell(page, typed).fill("4")
    page.locator(f'td[data-path="{left}"]').scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "author-correct.png"))
    page.click("#save-version")
    page.locator("#saved-link").wait_for()
    new_id = int(page.get_attribute("#saved-link", "href").rsplit("/", 1)[1])
    assert new_id != report_id
    page.goto(f"{server}/author?report={new_id}")  # the saved version opened again
    data = json.loads(page.locator("#author-data").text_content() or "{}")
    decisions = {d["path"]: d for d in data["draft"]["meta"]["editor_decisions"]}
    assert decisions[picked]["decision"] == "candidate" and decisions[picked]["value"] == choice
    assert decisions[typed]["decision"] == "typed" and decisions[typed]["value"] == 4
    assert decisions[left]["decision"] == "undecided" and decisions[left]["was"] == "ambiguous"
    assert data["doubts"][left]["status"] == "ambiguous"  # left open: still in doubt, never a blank
    assert picked not in data["doubts"] and typed not in data["doubts"]
    assert page.locator(f'td.doubt[data-path="{left}"] .cell-msg.doubt').count() == 1
