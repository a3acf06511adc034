"""A warm LibreOffice for `gongkai.read.office`: run by the Python that has LibreOffice's ``uno`` module (on
Debian the system ``/usr/bin/python3`` with ``python3-uno``), never imported by gongkai itself.

    python3 office_worker.py --soffice PATH --profile URI --home DIR [--unoserver-path DIR]

Starts ``soffice --headless`` with the given user profile, listening for UNO on a free port of 127.0.0.1,
connects to it with unoserver's converter, then answers XML-RPC ``convert(data, suffix, filter)`` on
127.0.0.1 (a free port too, printed as ``PORT n`` on standard output once ready; ``ERROR reason`` if it
cannot start). It ends, and ends LibreOffice, when its standard input closes: the gongkai process that
started it has ended, however it ended. Only the standard library, ``uno`` and unoserver are used here.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import xmlrpc.client
import xmlrpc.server

START_TIMEOUT = 60.0  # seconds for LibreOffice to accept UNO connections


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_office(soffice: str, profile: str, port: int) -> subprocess.Popen:
    accept = f"socket,host=127.0.0.1,port={port},tcpNoDelay=1;urp;StarOffice.ComponentContext"
    cmd = [
        soffice,
        "--headless",
        "--invisible",
        "--nocrashreport",
        "--nodefault",
        "--nologo",
        "--nofirststartwizard",
        "--norestore",
        "--nolockcheck",
        f"-env:UserInstallation={profile}",
        f"--accept={accept}",
    ]
    quiet = subprocess.DEVNULL
    return subprocess.Popen(cmd, stdin=quiet, stdout=quiet, stderr=quiet)


def _connect(office: subprocess.Popen, port: int):
    from com.sun.star.uno import Exception as UnoException
    from unoserver.converter import UnoConverter

    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            return UnoConverter(interface="127.0.0.1", port=str(port))
        except UnoException:
            if office.poll() is not None:
                raise RuntimeError(f"LibreOffice exited with status {office.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError("LibreOffice did not start in time") from None
            time.sleep(0.05)


def _serve(converter, office: subprocess.Popen) -> None:
    server = xmlrpc.server.SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False, allow_none=True)

    def convert(data: xmlrpc.client.Binary, suffix: str, filtername: str) -> xmlrpc.client.Binary:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="gongkai-uno-") as tmp:
            path = os.path.join(tmp, "input" + suffix)
            with open(path, "wb") as f:
                f.write(data.data)
            try:
                result = converter.convert(
                    inpath=path, convert_to=_EXTENSIONS[filtername], filtername=filtername, update_index=False
                )
            except Exception:
                if office.poll() is not None:  # LibreOffice died: end, so that gongkai starts a new one
                    _end(office)
                raise
        return xmlrpc.client.Binary(result)

    server.register_function(convert, "convert")  # type: ignore[arg-type]
    server.register_function(lambda: office.pid, "office_pid")
    threading.Thread(target=_watch_parent, args=(office,), daemon=True).start()
    threading.Thread(target=_watch_office, args=(office,), daemon=True).start()
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


_EXTENSIONS = {"MS Word 2007 XML": "docx", "writer_pdf_Export": "pdf"}


def _watch_parent(office: subprocess.Popen) -> None:
    """End everything when standard input closes (the parent has gone)."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        _end(office)


def _watch_office(office: subprocess.Popen) -> None:
    office.wait()
    _end(office)


_HOME = ""


def _end(office: subprocess.Popen) -> None:
    """End LibreOffice (and whatever it started: our process group), remove its profile, exit."""
    if office.poll() is None:
        office.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            office.wait(5)
    if _HOME:
        shutil.rmtree(_HOME, ignore_errors=True)
    os.killpg(os.getpgrp(), signal.SIGKILL)  # leftovers of LibreOffice's own, and this process


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--soffice", required=True)
    ap.add_argument("--profile", required=True, help="file: URI of the LibreOffice user installation")
    ap.add_argument("--home", help="temporary folder of this LibreOffice, removed at the end")
    ap.add_argument("--unoserver-path", help="folder holding the unoserver package (appended to sys.path)")
    args = ap.parse_args()
    if os.getpgrp() != os.getpid():
        os.setsid()  # a process group of our own, which `_end` ends whole
    global _HOME
    _HOME = args.home or ""
    if args.unoserver_path:
        sys.path.append(args.unoserver_path)
    try:
        import uno  # noqa: F401
        import unoserver.converter  # noqa: F401
    except ImportError as e:
        print(f"ERROR {e}", flush=True)
        return 2
    port = _free_port()
    office = _start_office(args.soffice, args.profile, port)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: _end(office))
    try:
        converter = _connect(office, port)
    except Exception as e:
        print(f"ERROR {' '.join(str(e).split())[:300]}", flush=True)
        _end(office)
    _serve(converter, office)
    return 0


if __name__ == "__main__":
    sys.exit(main())
