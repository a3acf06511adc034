"""The warm LibreOffice for DOC/WPS: the same reading as a one-shot conversion, restarted when it dies, a
time limit per conversion, nothing left behind, and the one-shot fallback without it (slow: real
LibreOffice, a few seconds each)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gongkai.errors import ConversionError
from gongkai.read import convert, office, read_bytes
from tests.conftest import CORPUS

DOCS = [CORPUS / "variants" / "000_f01d4dbb51cf7cd1.doc", CORPUS / "variants" / "004_e99c3fa4f96ef56b.doc"]
python = office.uno_python()
has_uno = (
    python is not None
    and subprocess.run([python, "-I", "-c", "import uno"], capture_output=True).returncode == 0
    and office._unoserver_path() is not None
)
pytestmark = [
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not on PATH"),
    pytest.mark.skipif(not DOCS[0].exists(), reason="shared corpus not available"),
]
needs_uno = pytest.mark.skipif(not has_uno, reason="no python3-uno / unoserver: only the one-shot path")


@pytest.fixture
def fresh(monkeypatch):
    """A process state with no warm converter yet, and none left afterwards."""
    monkeypatch.delenv(office.ENV_SWITCH, raising=False)
    monkeypatch.setattr(office, "_disabled_reason", None)
    monkeypatch.setattr(office, "_failed_starts", {})
    office.shutdown()
    yield
    office.shutdown()


def _lines(doc) -> list[list[str]]:
    return [[span.text for span in line.spans] for line in doc.lines]


def _gone(pid: int, timeout: float = 15) -> bool:
    """Whether the process group ``pid`` has no live member left within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        members = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _pgid(p) == pid]
        if all(_zombie(p) for p in members):
            return True
        time.sleep(0.1)
    return False


def _pgid(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[2])
    except (OSError, IndexError, ValueError):
        return None


def _zombie(proc: Path) -> bool:
    try:
        return (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


@needs_uno
def test_warm_reads_like_one_shot_and_stays_up(fresh, monkeypatch):
    warm = [read_bytes(d.read_bytes(), d.name) for d in DOCS]
    status = office.status()
    assert status["running"] and status["pid"]
    pid = status["pid"]
    warm.append(read_bytes(DOCS[0].read_bytes(), DOCS[0].name))
    assert office.status()["pid"] == pid, "one LibreOffice for the whole batch"
    monkeypatch.setenv(office.ENV_SWITCH, "0")
    cold = [read_bytes(d.read_bytes(), d.name) for d in DOCS]
    for w, c in zip(warm, cold, strict=False):
        assert _lines(w) == _lines(c)
        assert (w.format, w.notes) == (c.format, c.notes)
    assert _lines(warm[2]) == _lines(warm[0])


@needs_uno
def test_listens_on_loopback_only_and_uses_its_own_profile(fresh):
    read_bytes(DOCS[0].read_bytes(), DOCS[0].name)
    current = office._current
    assert current is not None
    local = f"0100007F:{current.port:04X}"
    listening = [
        ln.split()[1] for ln in Path("/proc/net/tcp").read_text().splitlines()[1:] if ln.split()[3] == "0A"
    ]
    assert local in listening
    assert not any(addr.endswith(f":{current.port:04X}") and addr != local for addr in listening)
    assert (current.home / "profile").is_dir()
    assert str(current.home).startswith(os.path.realpath(os.environ.get("TMPDIR", "/tmp")))


@needs_uno
def test_killed_mid_batch_is_restarted_and_the_batch_goes_on(fresh):
    first = read_bytes(DOCS[0].read_bytes(), DOCS[0].name)
    pid = office.status()["pid"]
    os.killpg(pid, signal.SIGKILL)  # the driver and LibreOffice, as an OOM killer would
    assert _gone(pid)
    again = read_bytes(DOCS[0].read_bytes(), DOCS[0].name)
    assert _lines(again) == _lines(first)
    new_pid = office.status()["pid"]
    assert new_pid and new_pid != pid


@needs_uno
def test_libreoffice_dying_alone_is_noticed(fresh):
    read_bytes(DOCS[1].read_bytes(), DOCS[1].name)
    pid = office.status()["pid"]
    office_processes = [
        p for p in Path("/proc").iterdir() if p.name.isdigit() and _pgid(p) == pid and int(p.name) != pid
    ]
    assert office_processes, "LibreOffice runs in the driver's process group"
    for p in office_processes:
        os.kill(int(p.name), signal.SIGKILL)
    assert _gone(pid)
    assert read_bytes(DOCS[1].read_bytes(), DOCS[1].name).format == "doc"


@needs_uno
def test_time_limit_per_conversion_ends_the_converter(fresh):
    read_bytes(DOCS[0].read_bytes(), DOCS[0].name)  # warm
    pid = office.status()["pid"]
    with pytest.raises(ConversionError, match=r"timed out after 0\.001 s"):
        convert.convert_to_docx(DOCS[1].read_bytes(), ".doc", timeout=0.001)
    assert _gone(pid)
    assert not office.status()["running"]
    assert read_bytes(DOCS[0].read_bytes(), DOCS[0].name).format == "doc"  # a new one


@needs_uno
@pytest.mark.parametrize("ending", ["exit", "SIGTERM", "SIGKILL"])
def test_nothing_left_behind_when_the_process_ends(tmp_path, ending):
    script = textwrap.dedent(
        f"""
        import signal, sys, time
        from pathlib import Path
        from gongkai.read import office, read_bytes
        read_bytes(Path({str(DOCS[0])!r}).read_bytes(), "a.doc")
        s = office.status()
        print(s["pid"], s["home"], flush=True)
        if {ending!r} != "exit":
            time.sleep(600)
        """
    )
    env = {k: v for k, v in os.environ.items() if k != office.ENV_SWITCH}
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    pid, home = child.stdout.readline().split()
    if ending != "exit":
        child.send_signal(getattr(signal, ending))
    child.wait(60)
    assert _gone(int(pid)), "the driver or LibreOffice outlived the process"
    deadline = time.monotonic() + 15
    while Path(home).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(home).exists(), "the temporary profile was left behind"


def test_switched_off_uses_one_shot(fresh, monkeypatch):
    monkeypatch.setenv(office.ENV_SWITCH, "0")
    monkeypatch.setattr(office, "WarmOffice", lambda *a, **k: pytest.fail("no warm converter when off"))
    doc = read_bytes(DOCS[0].read_bytes(), DOCS[0].name)
    assert doc.format == "doc" and doc.notes[0] == "converted from DOC to DOCX by LibreOffice"


def test_without_uno_falls_back_to_one_shot(fresh, monkeypatch):
    if subprocess.run([sys.executable, "-I", "-c", "import uno"], capture_output=True).returncode == 0:
        pytest.skip("this Python has uno")
    monkeypatch.setenv(office.ENV_PYTHON, sys.executable)
    doc = read_bytes(DOCS[0].read_bytes(), DOCS[0].name)
    assert doc.format == "doc"
    status = office.status()
    assert not status["running"] and "uno" in str(status["disabled_reason"])
