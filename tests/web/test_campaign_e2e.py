"""The review campaign in Chromium: a corpus ingested and a roster imported by the CLI, then in the browser a
reviewer sees the two agencies that never publish as 未发布, confirms and dismisses findings in bulk, sees a
corrected version (uploaded in the browser) as 已整改, the scores, and downloads a notice. Screenshots of the
new pages go into a temporary folder (copied to docs/screenshots/ only when GONGKAI_SCREENSHOTS_TO_DOCS=1)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.review.conftest import NEVER, YEAR, write_roster
from tests.web.conftest import running

pytest.importorskip("argon2")
pytest.importorskip("playwright.sync_api")
pytest.importorskip("uvicorn")

from gongkai.cli import app as cli_app
from gongkai.web import create_app
from tests.clirunner import CliRunner

CORPUS = Path(__file__).parents[2].parent / "shared" / "corpus"
COPIED = ("新乡高新技术产业开发区管理委员会", "新乡经济技术开发区管理委员会")  # (original, the copier)


def _cli(*args: str) -> str:
    result = CliRunner().invoke(cli_app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def campaign_server(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not available")
    tmp = tmp_path_factory.mktemp("campaign")
    docs = tmp / "docs"
    docs.mkdir()
    for folder in ("seeds", "real"):
        for p in sorted((CORPUS / folder).iterdir()):
            if p.suffix in (".txt", ".html"):
                shutil.copy(p, docs / p.name)
    # another agency that copied a corpus report (only the name changed): 与其他单位雷同
    seed = (CORPUS / "seeds" / "000_f01d4dbb51cf7cd1.txt").read_text(encoding="utf-8")
    (docs / "zz_copied.txt").write_text(seed.replace(COPIED[0], COPIED[1]), encoding="utf-8")
    db = str(tmp / "campaign.db")
    _cli("ingest", str(docs), "--db", db, "--workers", "1")
    from gongkai.audit import kinds
    from gongkai.review import current_versions

    chosen = {v.agency: v.region or "未知" for v in current_versions(db, year=YEAR)}
    rows = [(a, chosen[a], "县级", kinds.label(kinds.classify_kind(a))) for a in sorted(chosen)] + NEVER
    _cli("roster", "import", str(write_roster(tmp / "roster.csv", rows)), "--db", db)
    _cli("user", "add", "rev", "--role", "reviewer", "--password", "rev-password", "--db", db)
    _cli("user", "add", "boss", "--role", "admin", "--password", "boss-password", "--db", db)
    app = create_app(f"sqlite:///{db}", files_dir=tmp / "files", password="")
    with running(app) as url:
        yield {
            "url": url,
            "db": db,
            "docs": docs,
            "tmp": tmp,
            "agencies": sorted(chosen),
            "roster": tmp / "roster.csv",
        }


def test_campaign_in_the_browser(campaign_server, open_page, shots):
    s = campaign_server
    page = open_page(login=(s["url"], "rev", "rev-password"))
    assert page.url.endswith("/campaign/roster")

    # the roster imported again through the page's form: the same coverage
    page.set_input_files("#roster-import input[type=file]", str(s["roster"]))
    page.click("#roster-import button[type=submit]")
    page.wait_for_url("**/campaign/roster")

    # coverage: the two that never publish are 未发布, every corpus agency 已发布
    page.goto(f"{s['url']}/campaign/roster?year={YEAR}&status=unpublished")
    names = page.locator("#roster td.name").all_inner_texts()
    assert sorted(names) == sorted(n for n, *_ in NEVER)
    page.goto(f"{s['url']}/campaign/roster?year={YEAR}")
    assert page.locator("#n-published").inner_text() == str(len(s["agencies"]))
    page.screenshot(path=str(shots / "campaign-roster.png"), full_page=True)

    # the coverage matrix shows them too: 未发布 in the roster's year (its due dates), a row of their own
    page.goto(f"{s['url']}/coverage")
    gaps = page.locator("#coverage tbody tr").filter(has=page.locator("td.cv.unpublished"))
    assert sorted(gaps.locator("th.agency").all_inner_texts()) == sorted(n for n, *_ in NEVER)
    assert page.locator("#unpublished-count").inner_text() == str(len(NEVER))
    page.screenshot(path=str(shots / "coverage-unpublished.png"), full_page=True)

    # text copied from another agency: the comparison across agencies lists it for review (C104)
    page.goto(f"{s['url']}/campaign/review?year={YEAR}")
    page.click("#compare-agencies button[type=submit]")
    page.wait_for_url("**/campaign/review?code=C104*")
    copied = page.locator("#findings tbody tr")
    assert copied.count() >= 2
    assert {copied.nth(i).locator("td").nth(3).inner_text() for i in range(copied.count())} == {"C104"}
    assert set(COPIED) <= {copied.nth(i).locator("td").nth(1).inner_text() for i in range(copied.count())}

    # review: confirm the selected findings of one agency, dismiss the rest of the year by filter
    from gongkai.review import ReviewFilter, findings_for_review

    target = next(f for f in findings_for_review(s["db"], ReviewFilter(year=YEAR)) if _quoted(f, s["docs"]))
    page.goto(f"{s['url']}/campaign/review?year={YEAR}&agency={target.subject}")
    boxes = page.locator("#findings input[name=item]")
    assert boxes.count() >= 1
    for i in range(boxes.count()):
        boxes.nth(i).check()
    page.fill("input[name=comment]", "请整改")
    page.click("button[value=confirm]")
    page.wait_for_load_state()
    states = page.locator("#findings td.state").all_inner_texts()
    assert states and set(states) == {"确认"}
    page.goto(f"{s['url']}/campaign/review?year={YEAR}&state=pending")
    pending = page.locator("#findings tbody tr").count()
    if pending:
        page.check("input[name=scope][value=filter]")
        page.click("button[value=dismiss]")
        page.wait_for_load_state()
        assert page.locator("#findings tbody tr").count() == 0
    page.goto(f"{s['url']}/campaign/review?year={YEAR}")
    page.screenshot(path=str(shots / "campaign-review.png"), full_page=True)

    # a corrected version (the quoted sentence rewritten) is ingested: the finding shows 已整改
    source = _quoted(target, s["docs"])
    fixed = s["tmp"] / f"corrected{source.suffix}"
    fixed.write_text(source.read_text("utf-8").replace(target.evidence["quote"], "", 1), encoding="utf-8")
    page.goto(f"{s['url']}/")  # uploaded through the browser, as a reviewer does
    page.set_input_files("#file-input", str(fixed))
    page.wait_for_selector("body[data-upload=done]", timeout=150_000)
    assert page.locator("#upload-results tbody tr").count() == 1
    page.goto(f"{s['url']}/campaign/review?year={YEAR}&agency={target.subject}")
    row = page.locator(f"#findings tr[data-fingerprint='{target.fingerprint}']")
    assert row.locator("td.rect").inner_text() == "已整改"
    page.goto(f"{s['url']}/campaign/versions?agency={target.subject}")
    assert page.locator("#versions tr.current").count() >= 1
    page.screenshot(path=str(shots / "campaign-versions.png"), full_page=True)

    # scores: the two that never publish get 0 and a red card
    page.goto(f"{s['url']}/campaign/scores?year={YEAR}")
    rows = page.locator("#scores tbody tr")
    scored = {
        rows.nth(i).locator("td.name").inner_text(): rows.nth(i).locator("td.score").inner_text()
        for i in range(rows.count())
    }
    assert all(scored[n] == "0" for n, *_ in NEVER)
    page.screenshot(path=str(shots / "campaign-scores.png"), full_page=True)

    # a scheme of one's own uploaded, scored and stored with its name and version; then chosen again
    scheme = s["tmp"] / "方案.toml"
    scheme.write_text(
        '[scheme]\nname = "网页方案"\nversion = "w1"\nfull = 100\nred = 40\nyellow = 60\n'
        '[[items]]\nkey = "not_published"\nlabel = "未发布"\npoints = 50\n',
        encoding="utf-8",
    )
    page.set_input_files("#score-run input[name=scheme_file]", str(scheme))
    page.click("#score-run button[type=submit]")
    page.wait_for_url("**/campaign/scores/runs/*")
    assert page.inner_text("#run-scheme") == "网页方案" and page.inner_text("#run-version") == "w1"
    run_rows = page.locator("#run-scores tbody tr")
    assert {
        run_rows.nth(i).locator("td.name").inner_text(): run_rows.nth(i).locator("td.score").inner_text()
        for i in range(run_rows.count())
    }[NEVER[0][0]] == "50"
    page.goto(f"{s['url']}/campaign/scores/runs")
    assert "网页方案" in page.locator("#runs td.scheme").all_inner_texts()
    page.screenshot(path=str(shots / "campaign-score-runs.png"), full_page=True)
    page.goto(f"{s['url']}/campaign/scores?year={YEAR}")
    page.select_option("#scheme-choose select[name=scheme]", label="网页方案（版本 w1）")
    page.click("#scheme-choose button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#scheme-name") == "网页方案"
    assert page.locator("#scores tr", has_text=NEVER[1][0]).locator("td.score").inner_text() == "50"
    page.goto(f"{s['url']}/campaign/scores?year={YEAR}")

    # a notice downloads as DOCX
    link = page.locator("#scores a[href$='.docx']").first
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    import docx

    assert "整改通知" in "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    page.goto(f"{s['url']}/campaign/activity")
    assert "确认问题" in page.locator("#activity").inner_text()
    page.screenshot(path=str(shots / "campaign-activity.png"), full_page=True)
    assert page.locator("#activity td.action", has_text="导入名录").count() >= 2  # CLI and page
    assert page.locator("#activity td.action", has_text="与其他单位比对").count() == 1
    assert "/campaign/users" not in [a.get_attribute("href") for a in page.locator(".subnav a").all()]

    page = open_page(login=(s["url"], "boss", "boss-password"))
    page.goto(f"{s['url']}/campaign/users")
    page.fill("#user-add input[name=name]", "zhao")
    page.fill("#user-add input[name=password]", "zhao-password")
    page.select_option("#user-add select[name=role]", "readonly")
    page.click("#user-add button[value=add]")
    page.wait_for_url("**/campaign/users")
    assert "zhao" in page.locator("#users").inner_text()
    page.screenshot(path=str(shots / "campaign-users.png"), full_page=True)


def _quoted(f, docs: Path) -> Path | None:
    quote = f.evidence.get("quote") if isinstance(f.evidence, dict) else None
    if not isinstance(quote, str) or len(quote) < 8:
        return None
    return next((p for p in sorted(docs.iterdir()) if quote in p.read_text("utf-8", errors="replace")), None)
