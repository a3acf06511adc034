"""A LibreOffice kept warm for DOC/WPS conversions: started on a process's first conversion, reused by every
later one (a batch, `gongkai serve`), ended with the process.

Starting LibreOffice is most of a one-shot conversion (~1 s); a running one converts a report in ~0.1–0.2 s.
LibreOffice is driven over UNO, whose Python module comes with LibreOffice rather than from PyPI (Debian:
``python3-uno``, for the system ``/usr/bin/python3``). So the driver, `gongkai.read.office_worker`, runs in
that Python and uses unoserver's converter (the ``office`` extra, found in gongkai's own environment),
while gongkai talks to it by XML-RPC on a free port of 127.0.0.1, with the conversion's time limit.

- One isolated profile: a temporary user installation and ``HOME``, removed when the converter ends.
- Restarted when it dies: a dead or unreachable converter is replaced and the document tried once more.
- A conversion over its time limit ends the converter (LibreOffice included) and fails with a timeout.
- Nothing left behind: ended at exit, and the driver ends LibreOffice by itself as soon as the process
  that started it is gone (its standard input closes), also after SIGTERM or SIGKILL.
- Without ``python3-uno``/unoserver, or with ``GONGKAI_WARM_OFFICE=0``, `convert` returns None and the
  caller uses a one-shot ``soffice --convert-to`` instead. ``GONGKAI_UNO_PYTHON`` names the Python to use.
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import importlib.util
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import xmlrpc.client
from pathlib import Path

from gongkai.errors import ConversionError

__all__ = ["WarmOffice", "convert", "enabled", "shutdown", "status", "uno_python"]

ENV_SWITCH = "GONGKAI_WARM_OFFICE"
ENV_PYTHON = "GONGKAI_UNO_PYTHON"
START_TIMEOUT = 60.0  # seconds for LibreOffice to start and accept its first connection
_WORKER = Path(__file__).with_name("office_worker.py")
_GIVE_UP_AFTER = 3  # failed starts in a row before this process stops trying

# What the driver's end looks like from here: it died, was killed, or never came up.
_GONE = (ConnectionError, http.client.HTTPException, xmlrpc.client.ProtocolError, EOFError, OSError)


class _StartError(Exception):
    def __init__(self, reason: str, final: bool = False) -> None:
        super().__init__(reason)
        self.final = final  # nothing will change by trying again (no uno module, no unoserver)


class WarmOffice:
    """One running LibreOffice and its driver (see the module's documentation)."""

    def __init__(self, soffice: str, python: str, start_timeout: float = START_TIMEOUT) -> None:
        self.soffice = soffice
        self.home = Path(tempfile.mkdtemp(prefix="gongkai-lo-"))
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
        env |= {"HOME": str(self.home), "SAL_USE_VCLPLUGIN": "svp"}
        cmd = [python, "-I", str(_WORKER), "--soffice", soffice, "--home", str(self.home)]
        cmd += ["--profile", (self.home / "profile").as_uri()]
        unoserver = _unoserver_path()
        if unoserver:
            cmd += ["--unoserver-path", unoserver]
        try:
            self.process = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                cwd=self.home,
                env=env,
                start_new_session=True,  # its own process group: LibreOffice goes with it
            )
        except OSError as e:
            shutil.rmtree(self.home, ignore_errors=True)
            raise _StartError(f"cannot run {python}: {e.strerror or e}", final=True) from None
        try:
            self.port = self._wait_ready(start_timeout)
        except BaseException:
            self.close()
            raise

    def _wait_ready(self, timeout: float) -> int:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline().decode("utf-8", "replace").strip() if ready else ""
        if line.startswith("PORT "):
            return int(line.split()[1])
        if line.startswith("ERROR "):
            reason = line[6:]
            raise _StartError(reason, final="No module named" in reason)
        raise _StartError("LibreOffice did not start in time" if not ready else "the driver ended")

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def convert(self, data: bytes, suffix: str, filtername: str, timeout: float) -> bytes:
        """The converted bytes; `TimeoutError` past ``timeout``, `xmlrpc.client.Fault` when LibreOffice
        cannot convert the document, a connection error when the driver is gone."""
        proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{self.port}", transport=_Transport(timeout))
        with proxy:
            result = proxy.convert(xmlrpc.client.Binary(data), suffix, filtername)
        return result.data  # type: ignore[union-attr]

    def close(self) -> None:
        """End the driver and LibreOffice (politely first: the driver ends LibreOffice when its input
        closes), and remove the profile."""
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        self.kill()

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        shutil.rmtree(self.home, ignore_errors=True)


class _Transport(xmlrpc.client.Transport):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self._timeout
        return connection


# ---------------------------------------------------------------------------------------------------------
# the process's converter


_lock = threading.Lock()
_current: WarmOffice | None = None
_owner = 0  # the process that started `_current` (a forked child starts its own)
_failed_starts: dict[str, int] = {}  # by soffice program
_disabled_reason: str | None = None


def _forget_after_fork() -> None:
    """A forked child starts its own converter (the parent's stays the parent's)."""
    global _lock, _current
    _lock = threading.Lock()
    _current = None


os.register_at_fork(after_in_child=_forget_after_fork)


def enabled() -> bool:
    """Whether conversions try a warm LibreOffice (``GONGKAI_WARM_OFFICE=0`` turns it off)."""
    return os.environ.get(ENV_SWITCH, "1").strip().lower() not in ("0", "false", "no", "off", "")


def uno_python() -> str | None:
    """The Python that can drive LibreOffice (has ``uno``): ``$GONGKAI_UNO_PYTHON``, this one, or the
    system ``/usr/bin/python3``."""
    override = os.environ.get(ENV_PYTHON)
    if override:
        return override
    with contextlib.suppress(ImportError, ValueError):
        if importlib.util.find_spec("uno") is not None:
            return sys.executable
    return "/usr/bin/python3" if Path("/usr/bin/python3").exists() else None


def _unoserver_path() -> str | None:
    """The folder holding the unoserver package installed with gongkai (for the driver's ``sys.path``)."""
    with contextlib.suppress(ImportError, ValueError):
        spec = importlib.util.find_spec("unoserver")
        if spec is not None and spec.submodule_search_locations:
            return str(Path(next(iter(spec.submodule_search_locations))).parent)
    return None


def convert(data: bytes, suffix: str, filtername: str, soffice: str, timeout: float) -> bytes | None:
    """``data`` converted by the process's warm LibreOffice with the export filter ``filtername``; None
    when there is none to be had (the caller converts one-shot). Raises `ConversionError` on a timeout."""
    if not enabled():
        return None
    with _lock:
        for attempt in range(2):
            office = _office(soffice, min(START_TIMEOUT, max(timeout, 1.0)))
            if office is None:
                return None
            try:
                return office.convert(data, suffix, filtername, timeout)
            except TimeoutError:
                _drop(office)
                raise ConversionError(
                    f"LibreOffice 转换超时 (LibreOffice conversion timed out after {timeout:g} s)"
                ) from None
            except xmlrpc.client.Fault:
                return None  # LibreOffice could not convert it: the one-shot run says why, in its words
            except _GONE:
                _drop(office)  # died (or was killed) under us: a new one gets one more try
                if attempt:
                    return None
    return None


def _office(soffice: str, start_timeout: float) -> WarmOffice | None:
    global _current, _owner, _disabled_reason
    if _disabled_reason is not None or _failed_starts.get(soffice, 0) >= _GIVE_UP_AFTER:
        return None
    office = _current if _owner == os.getpid() else None
    if office is not None and (not office.alive or office.soffice != soffice):
        _drop(office)
        office = None
    if office is not None:
        return office
    python = uno_python()
    if python is None:
        _disabled_reason = "no Python with the uno module"
        return None
    try:
        office = WarmOffice(soffice, python, start_timeout)
    except _StartError as e:
        _failed_starts[soffice] = _failed_starts.get(soffice, 0) + 1
        if e.final:
            _disabled_reason = str(e)
        return None
    if _owner != os.getpid():
        atexit.register(shutdown)
    _current, _owner = office, os.getpid()
    _failed_starts.pop(soffice, None)
    return office


def _drop(office: WarmOffice) -> None:
    global _current
    office.kill()
    if _current is office:
        _current = None


def shutdown() -> None:
    """End this process's warm LibreOffice, if any (also done at exit)."""
    global _current
    with _lock:
        if _current is not None and _owner == os.getpid():
            _current.close()
        _current = None


def status() -> dict[str, object]:
    """What the process's converter is doing (for tests and diagnostics)."""
    office = _current if _owner == os.getpid() else None
    return {
        "enabled": enabled(),
        "running": office is not None and office.alive,
        "pid": office.process.pid if office is not None else None,
        "home": str(office.home) if office is not None else None,
        "disabled_reason": _disabled_reason,
    }
