"""Fast tests of the web app through FastAPI's TestClient: uploads and their limits, the password, escaping,
404s, exports."""

from __future__ import annotations

import csv
import io
import warnings
import zipfile

import pytest

import gongkai
from gongkai.sources import UNSAFE_MEMBER
from gongkai.store.process import process_bytes as _real_process_bytes  # the reader before any patch
from gongkai.web import create_app
from gongkai.web.auth import COOKIE, Signer
from gongkai.web.data import text_reuse
from gongkai.web.uploads import Blobs, Limits, safe_name
from tests.web.conftest import CsrfClient

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

EVIL_NAME = "<svg onload=alert(1)>&.txt"
EVIL_AGENCY = "<img src=x onerror=alert(1)>管理委员会"


def _client(tmp_path, **kw) -> TestClient:
    app = create_app(f"sqlite:///{tmp_path / 'web.db'}", files_dir=tmp_path / "files", **kw)
    return CsrfClient(app)


@pytest.fixture()
def client(tmp_path) -> TestClient:
    return _client(tmp_path, password="")


def _upload(client: TestClient, *files: tuple[str, bytes]):
    return client.post("/api/upload", files=[("files", (n, b)) for n, b in files])


def test_upload_read_and_pages(client, seed_bytes, tmp_path):
    r = _upload(client, ("000.txt", seed_bytes))
    assert r.status_code == 200
    (res,) = r.json()["results"]
    assert res["status"] in ("ok", "problems")
    assert res["agency"] == "新乡高新技术产业开发区管理委员会" and res["year"] == 2024
    page = client.get(f"/report/{res['id']}")
    assert page.status_code == 200
    for anchor in ("tbl-table2", "tbl-table3", "tbl-table4", "cell-table3-new-total", "sec-s1"):
        assert f'id="{anchor}"' in page.text
    assert "本列数据的勾稽关系为" in page.text
    # the original is kept under its content hash only, and served back byte for byte
    stored = list((tmp_path / "files").rglob("*.bin"))
    assert [p.name for p in stored] == [f"{res['sha256']}.bin"]
    assert client.get(f"/report/{res['id']}/original").content == seed_bytes
    # uploading the same bytes again stores nothing new
    again = _upload(client, ("copy.txt", seed_bytes)).json()["results"][0]
    assert again["duplicate"] and again["id"] == res["id"]
    for url in ("/", "/reports", "/coverage", "/charts", "/compare"):
        assert client.get(url).status_code == 200, url


def test_zip_upload_reads_each_member(client, seed_bytes):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a/000.txt", seed_bytes)
        z.writestr("b/second.txt", seed_bytes.replace("2024 年".encode(), "2023 年".encode()))
        z.writestr("a/000.expected.json", b"{}")
    results = _upload(client, ("batch.zip", buf.getvalue())).json()["results"]
    assert [r["name"] for r in results] == ["batch.zip/000.txt", "batch.zip/second.txt"]
    assert all(r["status"] in ("ok", "problems") for r in results)


def test_zip_upload_skips_unsafe_members_as_discover_does(client, seed_bytes):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a/000.txt", seed_bytes)
        z.writestr("../up.txt", seed_bytes.replace("2024 年".encode(), "2023 年".encode()))
        z.writestr("/abs/root.txt", seed_bytes.replace("2024 年".encode(), "2022 年".encode()))
    results = _upload(client, ("batch.zip", buf.getvalue())).json()["results"]
    by_name = {r["name"]: r for r in results}
    assert set(by_name) == {"batch.zip/000.txt", "batch.zip/../up.txt", "batch.zip//abs/root.txt"}
    assert by_name["batch.zip/000.txt"]["status"] in ("ok", "problems")
    for name in ("batch.zip/../up.txt", "batch.zip//abs/root.txt"):
        assert by_name[name] == {"name": name, "status": "rejected", "error": UNSAFE_MEMBER}
    assert len(client.app.state.store.known()) == 1  # nothing read from the unsafe members


def test_upload_limits(tmp_path, seed_bytes):
    client = _client(
        tmp_path,
        password="",
        limits=Limits(max_file_bytes=len(seed_bytes) - 1, max_files=2, max_request_bytes=200_000),
    )
    (res,) = _upload(client, ("big.txt", seed_bytes)).json()["results"]
    assert res["status"] == "rejected" and "过大" in res["error"]
    r = _upload(client, *[(f"{i}.txt", b"x") for i in range(3)])
    assert r.status_code == 413
    r = _upload(client, ("huge.txt", b"x" * 300_000))
    assert r.status_code == 413
    r = client.post("/api/upload", content=b"", headers={"content-type": "multipart/form-data; boundary=x"})
    assert r.status_code in (400, 411)
    (bad,) = _upload(client, ("broken.zip", b"PK\x03\x04" + b"\x00" * 40)).json()["results"]
    assert bad["status"] == "rejected"


def test_upload_needs_files(client):
    r = client.post("/api/upload", data={"x": "1"})
    assert r.status_code == 400


def test_malicious_file_name_and_agency_are_escaped(client, seed_bytes):
    evil = seed_bytes.replace("新乡高新技术产业开发区管理委员会".encode(), EVIL_AGENCY.encode(), 1)
    evil = evil.replace("我区不断丰富".encode(), EVIL_AGENCY.encode(), 1)  # and in a section's text
    (res,) = _upload(client, (EVIL_NAME, evil)).json()["results"]
    assert res["name"] == EVIL_NAME  # shown as given, but only ever as text
    pages = [client.get(u).text for u in ("/", "/reports", f"/report/{res['id']}", "/coverage")]
    for html in pages:
        assert "<svg onload" not in html
        assert "<img src=x" not in html
    assert "&lt;svg onload=alert(1)&gt;&amp;.txt" in pages[1]
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[2]
    # the CSV export does not turn text into formulas either
    rows = list(csv.DictReader(io.StringIO(client.get("/export/reports.csv").content.decode("utf-8-sig"))))
    assert rows[0]["文件"] == EVIL_NAME


def test_names_never_reach_the_disk(tmp_path):
    blobs = Blobs(tmp_path)
    assert blobs.path("../../etc/passwd") is None
    assert blobs.get("../" * 5 + "etc/passwd") is None
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\x\\evil\x00.txt") == "evil.txt"
    sha = blobs.put(b"hello")
    assert blobs.path(sha).parent.parent == tmp_path


def test_not_found(client, seed_bytes):
    assert client.get("/report/999").status_code == 404
    assert "没有这份报告" in client.get("/report/999").text
    assert client.get("/report/999/original").status_code == 404
    assert client.get("/export/nothing.csv").status_code == 404
    assert client.get("/export/reports.pdf").status_code == 404
    assert client.get("/export/report.csv?id=x").status_code == 404
    assert client.get("/compare?agency=nobody").status_code == 404
    assert client.get("/no/such/page").status_code == 404
    (res,) = _upload(client, ("000.txt", seed_bytes)).json()["results"]
    assert client.get(f"/report/{res['id']}/page/1.png").status_code == 404  # not a PDF


def test_security_headers(client):
    r = client.get("/")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_password(tmp_path, seed_bytes):
    client = _client(tmp_path, password="s3cret")
    r = client.get("/reports", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert _upload(client, ("000.txt", seed_bytes)).status_code == 401
    assert client.get("/export/reports.csv").status_code == 401
    assert client.get("/static/app.css").status_code == 200  # the login page needs its styles
    r = client.post("/login", data={"password": "wrong", "next": "/reports"}, follow_redirects=False)
    assert r.status_code == 401 and "密码不正确" in r.text
    client.cookies.set(COOKIE, "1.forged")
    assert client.get("/reports", follow_redirects=False).status_code == 303
    client.cookies.clear()
    r = client.post("/login", data={"password": "s3cret", "next": "//evil.example/"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert client.get("/reports").status_code == 200
    assert _upload(client, ("000.txt", seed_bytes)).status_code == 200
    client.post("/logout")
    client.cookies.clear()
    assert client.get("/reports", follow_redirects=False).status_code == 303


def test_password_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GONGKAI_PASSWORD", "env-pw")
    client = _client(tmp_path)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_signed_cookie_expires():
    s = Signer(secret=b"k", max_age=10)
    token = s.issue(now=1000)
    assert s.valid(token, now=1005)
    assert not s.valid(token, now=1011)
    assert not s.valid(token.replace(".", ".0"), now=1005)
    assert not Signer(secret=b"other").valid(token, now=1005)


def test_exports(client, seed_bytes):
    (res,) = _upload(client, ("000.txt", seed_bytes)).json()["results"]
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/export/report.csv?id={res['id']}").content.decode("utf-8-sig"))
        )
    )
    by_path = {r["路径"]: r for r in rows}
    assert by_path["table3.new.total"]["行"] == "一、本年新收政府信息公开申请数量"
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(client.get("/export/coverage.xlsx").content))
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["机关", "机关标识", "地区"] and "2024" in header
    assert header[-1] == "导出所用 gongkai 版本" and ws.cell(2, len(header)).value == gongkai.__version__
    for view in ("charts", "problems"):
        text = client.get(f"/export/{view}.csv").content.decode("utf-8-sig")
        head, first = text.splitlines()[:2]
        assert head.endswith(",导出所用 gongkai 版本") and first.endswith("," + gongkai.__version__), view


def test_text_reuse():
    assert text_reuse("今年我们继续推进政务公开工作。", "今年我们继续推进政务公开工作。") == 1.0
    assert text_reuse("完全不同的一段文字内容在这里", "另外一些毫无关系的句子写在此处") == 0.0
    assert text_reuse("", "短") is None


def _stuck_reader(data: bytes, name: str = "<bytes>", given: dict | None = None) -> dict:
    """The store's reader, except that it never finishes on a document named *stuck* (module level: the
    workers receive it pickled)."""
    import time

    if "stuck" in name:
        time.sleep(3600)
    return _real_process_bytes(data, name, given)


def test_upload_abandons_a_stuck_document_and_stores_the_others(tmp_path, seed_bytes, monkeypatch):
    """An upload whose reader hangs (as pdfplumber once did on a crafted page) is recorded as failed after
    the time limit; the other documents of the request are stored."""
    import time

    import gongkai.store.process as process
    from gongkai.store import Store
    from gongkai.web.uploads import store_many

    monkeypatch.setattr(process, "process_bytes", _stuck_reader)
    store = Store(f"sqlite:///{tmp_path / 'web.db'}")
    docs = [("stuck.txt", seed_bytes + b"\n"), ("ok.txt", seed_bytes)]
    started = time.monotonic()
    stuck_result, ok_result = store_many(store, Blobs(tmp_path / "files"), docs, limits=Limits(time_limit=2))
    assert time.monotonic() - started < 60
    assert stuck_result["status"] == "failed" and "超时" in stuck_result["error"]
    assert ok_result["status"] in ("ok", "problems"), ok_result
