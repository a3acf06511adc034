"""Which files are documents (one rule for parse, check, ingest and upload) and reading many of them."""

from __future__ import annotations

import json
import zipfile

from gongkai.cli import app
from gongkai.sources import discover, is_document_name, parse_many
from tests.clirunner import CliRunner
from tests.conftest import CORPUS

SEEDS = sorted((CORPUS / "seeds").glob("00[0-2]_*.txt"))


def _folder(tmp_path):
    for p in SEEDS[:2]:
        (tmp_path / p.name).write_bytes(p.read_bytes())
        (tmp_path / (p.stem + ".expected.json")).write_text("{}", encoding="utf-8")
    (tmp_path / "README.md").write_text("# notes", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("x", encoding="utf-8")
    (tmp_path / "table.csv").write_text("a,b", encoding="utf-8")
    return tmp_path


def _zip(tmp_path):
    z = tmp_path / "batch.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in SEEDS[:2]:
            zf.write(p, f"reports/{p.name}")
        zf.writestr("reports/x.expected.json", "{}")
        zf.writestr("__MACOSX/reports/._a.txt", "junk")
    return z


def test_document_names():
    assert is_document_name("2023年报.PDF") and is_document_name("a.docx")
    assert not any(map(is_document_name, ["a.expected.json", "README.md", ".a.txt", "~$a.docx", "x.csv"]))


def test_discover_walks_folders_and_archives_once(corpus, tmp_path):
    (tmp_path / "f").mkdir()
    folder = _folder(tmp_path / "f")
    z = _zip(tmp_path)
    sources, errors = discover([folder, z, folder / SEEDS[0].name, tmp_path / "missing.pdf"])
    assert [s.name for s in sources] == [
        SEEDS[0].name,
        SEEDS[1].name,
        f"batch.zip/reports/{SEEDS[0].name}",
        f"batch.zip/reports/{SEEDS[1].name}",
    ]
    assert errors == [(str(tmp_path / "missing.pdf"), "文件不存在 (no such file or directory)")]


def test_a_folder_named_through_a_link_a_relative_path_or_a_subfolder_is_read_once(
    corpus, tmp_path, monkeypatch
):
    (tmp_path / "real" / "sub").mkdir(parents=True)
    _folder(tmp_path / "real" / "sub")
    (tmp_path / "via").symlink_to(tmp_path / "real", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    sources, errors = discover(["via", "real/", "./real/sub", tmp_path / "real" / "sub" / SEEDS[1].name])
    assert not errors
    assert [s.path for s in sources] == [f"via/sub/{SEEDS[0].name}", f"via/sub/{SEEDS[1].name}"]


def test_parse_many_gives_a_report_or_an_error_per_document(corpus, tmp_path):
    z = _zip(tmp_path)
    (tmp_path / "empty.pdf").write_bytes(b"")
    items = list(parse_many([z, tmp_path / "empty.pdf", tmp_path / "nope.txt"]))
    assert items[0].source.endswith("nope.txt") and not items[0].ok
    reports = [i for i in items if i.ok]
    assert len(reports) == 2 and all(len(i.sha256 or "") == 64 for i in reports)
    assert reports[0].report.meta.get("agency")
    failed = [i for i in items[1:] if not i.ok]
    assert [i.source for i in failed] == [str(tmp_path / "empty.pdf")] and failed[0].error


def test_parse_reads_the_reports_inside_a_zip(corpus, tmp_path):
    r = CliRunner().invoke(app, ["parse", str(_zip(tmp_path)), "--format", "json"])
    assert r.exit_code == 0, r.stderr
    lines = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    assert len(lines) == 2 and all(x["meta"].get("year") for x in lines)


def test_one_small_text_file_is_read_without_a_worker(corpus, tmp_path, monkeypatch):
    import gongkai.workers

    def no_worker(self, ctx):
        raise AssertionError("a worker was started")

    monkeypatch.setattr(gongkai.workers._Worker, "__init__", no_worker)
    (only,) = parse_many([SEEDS[0]])
    assert only.ok and len(only.sha256 or "") == 64
    with_pdf = tmp_path / "x.pdf"
    with_pdf.write_bytes(b"%PDF-1.4\n")
    (tmp_path / "batch").mkdir()
    for others in ([with_pdf], [_folder(tmp_path / "batch")]):  # any other format, and batches: in workers
        try:
            items = list(parse_many(others))
        except AssertionError:
            continue
        raise AssertionError(f"read in this process: {items}")
