"""编写年度报告 over HTTP: a draft from last year's report, the server's check, export refused while errors
remain (and recorded when overridden), and a stored report corrected as a new version (original kept)."""

from __future__ import annotations

import io

import pytest
from docx import Document

from gongkai import parse_bytes
from gongkai.web import create_app
from tests.web.conftest import CsrfClient


@pytest.fixture()
def client(tmp_path) -> CsrfClient:
    return CsrfClient(
        create_app(f"sqlite:///{tmp_path / 'web.db'}", files_dir=tmp_path / "files", password="")
    )


def test_page_and_layout_data(client):
    page = client.get("/author")
    assert page.status_code == 200 and "编写年度报告" in page.text and 'id="author-data"' in page.text
    data = client.get("/api/author/layout/2021").json()
    assert len(data["identities"]) > 40
    assert data["cells"]["table3.new.total"]["label"].startswith("表三")


def test_draft_from_last_year_check_and_export(client, seed_bytes):
    r = client.post("/api/author/new", data={"year": "2025"}, files={"previous": ("2024.txt", seed_bytes)})
    assert r.status_code == 200, r.text
    draft = r.json()["draft"]
    last = parse_bytes(seed_bytes, "2024.txt")
    assert draft["meta"]["agency"] == last.meta["agency"]
    assert draft["table3"]["carried_over"]["total"] == last.value("table3.carried_forward.total")
    draft["sections"]["s3"]["text"] = "2025年共收到政府信息公开申请999件。"
    draft["table3"]["new"] = {k: 0 for k in draft["table3"]["new"]} | {"total": 999}
    out = client.post("/api/author/check", json={"draft": draft}).json()
    assert any(f["code"].startswith("I") or f["severity"] == "error" for f in out["findings"])
    assert out["identities"]  # 999 is not the sum of its row
    refused = client.post("/api/author/export/docx", json={"draft": draft})
    assert refused.status_code == 409 and refused.json()["refused"]
    forced = client.post("/api/author/export/docx", json={"draft": draft, "override": True})
    assert forced.status_code == 200
    assert "强制发布" in Document(io.BytesIO(forced.content)).core_properties.comments
    assert client.post("/api/author/export/json", json={"draft": draft}).status_code == 200


def test_correcting_a_stored_report_saves_a_new_version(client, seed_bytes):
    up = client.post("/api/upload", files=[("files", ("000.txt", seed_bytes))]).json()["results"][0]
    page = client.get(f"/author?report={up['id']}")
    assert page.status_code == 200 and "保存为新版本" in page.text
    report = client.get(f"/report/{up['id']}")
    assert "/author?report=" in report.text
    draft = parse_bytes(seed_bytes, "000.txt").to_json(detail=False)
    draft["sections"]["s6"]["text"] = "本年度未收取信息处理费。"
    saved = client.post("/api/author/save", json={"draft": draft, "based_on": {"id": up["id"]}}).json()
    assert saved["id"] != up["id"] and saved["url"] == f"/report/{saved['id']}"
    assert client.get(saved["url"]).status_code == 200
    assert client.get(f"/report/{up['id']}").status_code == 200  # the original is kept
