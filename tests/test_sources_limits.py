"""discover() on hostile and careless folders and archives: an archive is opened once whatever its size,
a member is refused from its header's size, unsafe or surplus members, links that leave the folder,
dangling links, linked folders, unreadable files and unlistable folders are reported (never silently
skipped), and ingest's summary matches the database."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

import gongkai.sources as sources_module
from gongkai.errors import InputError
from gongkai.sources import discover, parse_many
from gongkai.store import Store, ingest
from gongkai.store import schema as S
from tests.conftest import variants


def documents_in(url: str) -> int:
    with Store(url) as st, st.engine.connect() as c:
        return c.execute(select(func.count()).select_from(S.documents)).scalar_one()


def problems(paths) -> dict[str, str | None]:
    found, errors = discover(paths)
    assert not errors
    return {(s.member or Path(s.path).name): s.problem for s in found}


def _counting_zipfile(monkeypatch) -> list:
    opened: list = []
    real = zipfile.ZipFile

    class Counting(real):  # type: ignore[misc,valid-type]
        def __init__(self, *a, **k):
            opened.append(a[0] if a else k.get("file"))
            super().__init__(*a, **k)

    monkeypatch.setattr(zipfile, "ZipFile", Counting)
    return opened


def _many_members(path: Path, n: int) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for i in range(n):
            z.writestr(f"m/{i:05d}.txt", f"不是年报 {i}")
    return path


def test_archive_opened_once_for_many_members_by_parse_many(tmp_path, monkeypatch):
    archive = _many_members(tmp_path / "many.zip", 3000)
    opened = _counting_zipfile(monkeypatch)
    items = list(parse_many([archive]))
    assert len(items) == 3000 and all(i.error for i in items)  # short texts: not reports, each reported
    assert len(opened) <= 3  # listed, read: not once per member


def test_archive_opened_once_for_many_members_by_ingest(tmp_path, monkeypatch):
    archive = _many_members(tmp_path / "many.zip", 2000)
    opened = _counting_zipfile(monkeypatch)
    url = f"sqlite:///{tmp_path / 'z.db'}"
    result = ingest([archive], url, workers=1)
    assert result.stored == 2000 and documents_in(url) == 2000
    assert len(opened) <= 3


def test_a_replaced_archive_is_read_again(tmp_path):
    archive = tmp_path / "a.zip"
    for text in ("第一版", "第二版，长一些"):
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr("r.txt", text)
        (src,) = discover([archive])[0]
        assert src.read().decode() == text


def test_unsafe_and_surplus_members_reported(tmp_path, monkeypatch):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../escape.txt", "x")
        z.writestr("/abs.txt", "y")
        z.writestr("C:/drive.txt", "w")
        for i in range(5):
            z.writestr(f"ok{i}.txt", f"z{i}")
    (tmp_path / "a.zip").write_bytes(buf.getvalue())
    monkeypatch.setattr(sources_module, "MAX_ARCHIVE_MEMBERS", 4)
    found = problems([tmp_path / "a.zip"])
    assert all("unsafe" in found[m] for m in ("../escape.txt", "/abs.txt", "C:/drive.txt"))  # type: ignore[operator]
    assert [m for m, p in found.items() if p is None] == [f"ok{i}.txt" for i in range(4)]
    assert "其余 1 份未读" in found["a.zip"]  # type: ignore[operator]
    errors = [i.error for i in parse_many([tmp_path / "a.zip"]) if i.error and "unsafe" in i.error]
    assert len(errors) == 3


def test_oversized_member_refused_from_its_header(tmp_path):
    """A small archive that inflates to 256 MiB: refused before inflating, within a 1 GiB memory cap."""
    from tests.hostile import run_capped

    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z, z.open("big.txt", "w") as f:
        chunk = b"\0" * (1 << 20)
        for _ in range(256):
            f.write(chunk)
    assert archive.stat().st_size < 10 * 1024 * 1024
    out = run_capped(
        f"""
        from gongkai.sources import parse_many
        from gongkai.store import ingest
        r = ingest([{str(archive)!r}], "sqlite:///{tmp_path / "b.db"}", workers=1)
        assert r.counts["unreadable"] == 1, r.counts
        assert "too large" in r.errors[0][1], r.errors
        (item,) = parse_many([{str(archive)!r}])
        assert "too large" in item.error, item
        print("ok")
        """,
        memory_mb=1024,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


def test_member_refused_before_inflating(tmp_path, monkeypatch):
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.txt", b"a" * (3 << 20))
    with zipfile.ZipFile(archive) as z:
        monkeypatch.setattr(z, "open", None)  # its header's size decides: nothing is inflated
        with pytest.raises(InputError, match="too large"):
            sources_module.read_member(z, "big.txt", 1 << 20)


def test_links_reported_and_never_followed_out_of_the_folder(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("机密", encoding="utf-8")
    src = tmp_path / "in"
    (r,) = variants(src, 1)
    (src / "inside-link.txt").symlink_to(r)
    (src / "outside-link.txt").symlink_to(outside)
    (src / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (src / "linked-folder").symlink_to(tmp_path, target_is_directory=True)
    found = problems([src])
    # a link inside is followed: to the same file, read once
    assert found["inside-link.txt"] is None and "r000.txt" not in found
    assert "not followed" in found["outside-link.txt"]  # type: ignore[operator]
    assert "dangling" in found["dangling.txt"]  # type: ignore[operator]
    assert "not followed" in found["linked-folder"]  # type: ignore[operator]
    url = f"sqlite:///{tmp_path / 'l.db'}"
    result = ingest([src], url, workers=1)
    reported = {Path(f).name for f, _ in result.errors}
    assert {"outside-link.txt", "dangling.txt", "linked-folder"} <= reported
    assert result.counts["unreadable"] == 3 and result.counts["skipped"] == 0
    assert documents_in(url) == result.stored == 1


def test_a_link_named_on_the_command_line_is_followed_and_a_dangling_one_reported(tmp_path):
    (r,) = variants(tmp_path / "elsewhere", 1)
    (tmp_path / "given.txt").symlink_to(r)
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nothing.txt")
    found, errors = discover([tmp_path / "given.txt", tmp_path / "gone.txt"])
    assert [s.problem for s in found] == [None]
    assert errors and "dangling" in errors[0][1]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files and folders whatever their permissions")
def test_unreadable_file_and_unlistable_folder_reported(tmp_path):
    src = tmp_path / "in"
    (r,) = variants(src, 1)
    (locked,) = variants(src / "locked", 1, prefix="x")
    variants(src, 1, prefix="ok")
    r.chmod(0)
    locked.parent.chmod(0)
    try:
        url = f"sqlite:///{tmp_path / 'p.db'}"
        result = ingest([src], url, workers=1)
    finally:
        locked.parent.chmod(0o755)
    reported = {Path(f).name: reason for f, reason in result.errors}
    assert "Permission" in reported["r000.txt"] and "cannot list folder" in reported["locked"]
    assert result.counts["unreadable"] == 2 and result.stored == 1 == documents_in(url)


def test_unreadable_file_reported(tmp_path, monkeypatch):
    """As a file without read permission is for a normal user (simulated: root reads every file)."""
    import gongkai.read as read_module

    src = tmp_path / "in"
    (locked,) = variants(src, 1)
    variants(src, 1, prefix="ok")
    real = read_module.load_file

    def load_file(path, *args, **kwargs):
        if Path(path).name == locked.name:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(read_module, "load_file", load_file)
    url = f"sqlite:///{tmp_path / 'p.db'}"
    result = ingest([src], url, workers=1)
    reported = {Path(f).name: reason for f, reason in result.errors}
    assert "Permission" in reported[locked.name]
    assert result.counts["unreadable"] == 1 and result.stored == 1 == documents_in(url)


def test_unlistable_folder_reported(tmp_path, monkeypatch):
    """As a folder without read permission is for a normal user (simulated: root lists every folder)."""
    src = tmp_path / "in"
    variants(src / "locked", 1)
    variants(src, 1, prefix="ok")
    real = os.scandir

    def scandir(path="."):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = problems([src])
    assert found["ok000.txt"] is None and "cannot list folder" in found["locked"]  # type: ignore[operator]


@pytest.mark.parametrize("limit, whole", [(1000, True), (150, False)])
def test_a_file_larger_than_its_size_said_is_read_whole_up_to_the_limit(tmp_path, monkeypatch, limit, whole):
    """The size stat gives is only a first guess (a file may grow while it is read): what is there is read,
    and no more than the limit."""
    import gongkai.read as read_module

    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 200)
    real = os.stat

    def smaller(p, *args, **kwargs):
        st = real(p, *args, **kwargs)
        return os.stat_result((st.st_mode, *tuple(st)[1:6], 10, *tuple(st)[7:]))  # st_size: 10

    monkeypatch.setattr(read_module.os, "stat", smaller)
    if whole:
        assert read_module.load_file(path, limit) == b"x" * 200
    else:
        with pytest.raises(InputError):
            read_module.load_file(path, limit)
