"""Web load on 127.0.0.1: no error and no crash under concurrent report pages, PDF page images (PDFs whose
fonts are not embedded, the case that crashed PDFium) and uploads; and how fast ``/reports`` answers.

    .venv/bin/python bench/bench_web_load.py [--requests 500] [--concurrency 20] [--reports 2000]

The server is ``gongkai serve`` in its own process on a free port of 127.0.0.1, over a fresh SQLite
database holding ``--reports`` reports (one real report read once, then stored again under new hashes,
agencies and years, so no parsing is needed to fill it) and ``--pdfs`` uploaded PDFs, more pages than the
page-image cache holds, so images are rendered all along. Requests go through real HTTP with the session
cookie and the CSRF token, like the browser. Prints the status counts and latencies; exits 1 on any 5xx
answer, failed connection or dead server. Speed is measured here, never asserted in tests
(``tests/web/test_load.py`` runs it for errors only).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fill(url: str, n: int) -> None:
    """``n`` reports: one real report read once, stored again under other hashes, agencies and years."""
    from gongkai.store import Store
    from gongkai.store.process import process_bytes

    seed = next(iter(sorted((CORPUS / "seeds").glob("*.txt"))), None)
    if seed is None:
        raise SystemExit(f"no seed report under {CORPUS}")
    base = process_bytes(seed.read_bytes(), seed.name)
    with Store(url) as store:
        for i in range(n):
            out = copy.deepcopy(base)
            out["sha256"] = hashlib.sha256(f"bench {i}".encode()).hexdigest()
            out["name"] = f"bench-{i:05d}.txt"
            meta = out["report"]["meta"]
            meta["agency"] = f"测试县第{i // 5}局"
            meta["year"] = 2020 + i % 5
            store.write(out, None)


@dataclass
class Server:
    """``gongkai serve`` in a child process (a crash of the server is then seen, not suffered)."""

    url: str
    proc: subprocess.Popen
    log: Path

    @classmethod
    def start(cls, db_url: str, folder: Path) -> Server:
        port = _free_port()
        log = folder / "server.log"
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        env.pop("GONGKAI_PASSWORD", None)
        cmd = [sys.executable, "-m", "gongkai.cli", "serve", "--db", db_url, "--port", str(port)]
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [*cmd, "--files", str(folder / "files")], stdout=out, stderr=subprocess.STDOUT, env=env
            )
        server = cls(f"http://127.0.0.1:{port}", proc, log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                urllib.request.urlopen(server.url + "/", timeout=5).read()
                return server
            except OSError:
                time.sleep(0.2)
        server.stop()
        raise SystemExit(f"the server did not start: {log.read_text(errors='replace')[-2000:]}")

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Browser:
    """Cookies and the CSRF token, as the pages give them."""

    def __init__(self, base: str):
        import http.cookiejar

        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        page = self.opener.open(base + "/", timeout=60).read().decode()
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
        if token is None:
            raise SystemExit("no CSRF token on the upload page")
        self.token = token.group(1)

    def get(self, path: str) -> tuple[int, bytes]:
        with self.opener.open(self.base + path, timeout=300) as r:
            return r.status, r.read()

    def upload(self, name: str, data: bytes, *, token: bool = True) -> tuple[int, bytes]:
        boundary = "gongkaibench"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        if token:
            headers["X-CSRF-Token"] = self.token
        req = urllib.request.Request(self.base + "/api/upload", data=body, headers=headers)
        with self.opener.open(req, timeout=300) as r:
            return r.status, r.read()


def font_pdf(i: int, pages: int = 3) -> bytes:
    """A PDF whose CJK font is not embedded (PDFium substitutes one: the path unsafe across threads)."""
    from tests.hostile import cjk_pdf

    return cjk_pdf(pages) + f"% load {i}\n".encode()


@dataclass
class Outcome:
    statuses: Counter = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)
    alive: bool = True
    log: str = ""

    @property
    def errors(self) -> dict:
        bad = {s: n for s, n in self.statuses.items() if not isinstance(s, int) or s >= 500}
        if not self.alive:
            bad["server died"] = 1
        return bad


MIX = ("report", "image", "report", "image", "reports", "image", "report", "image", "upload", "image")


def load(browser: Browser, requests: int, concurrency: int, ids: dict[str, list[int]]) -> Outcome:
    """``requests`` mixed requests, ``concurrency`` at a time."""
    out = Outcome()
    lock = threading.Lock()
    pdfs, reports = ids["pdfs"], ids["reports"]

    def one(i: int) -> None:
        kind = (
            "report",
            "image",
            "report",
            "image",
            "reports",
            "image",
            "report",
            "image",
            "upload",
            "image",
        )
        what = kind[i % 10]
        t = time.monotonic()
        try:
            if what == "report":
                status, _ = browser.get(f"/report/{reports[i % len(reports)]}")
            elif what == "image":
                status, _ = browser.get(f"/report/{pdfs[i % len(pdfs)]}/page/{1 + i % 3}.png")
            elif what == "reports":
                status, _ = browser.get(f"/reports?page={1 + i % 3}")
            else:
                status, _ = browser.upload(f"load-{i}.pdf", font_pdf(1000 + i))
        except urllib.error.HTTPError as e:
            status = e.code
        except Exception as e:  # a refused or dropped connection: the server died or gave up
            status = f"failed: {type(e).__name__}"
        with lock:
            out.statuses[status] += 1
            out.latencies.setdefault(what, []).append(time.monotonic() - t)

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(requests)))
    return out


def document_ids(db_url: str) -> dict[str, list[int]]:
    from gongkai.store import Store

    with Store(db_url) as store, store.engine.connect() as c:
        rows = c.exec_driver_sql("SELECT id, name FROM documents ORDER BY id").fetchall()
    pdfs = [i for i, name in rows if name.endswith(".pdf")]
    return {"pdfs": pdfs, "reports": [i for i, name in rows if not name.endswith(".pdf")][:50] or pdfs}


def run(requests: int, concurrency: int, reports: int, folder: Path, pdfs: int = 16) -> Outcome:
    """Fill a store, serve it in a child process, load it."""
    db_url = f"sqlite:///{folder / 'load.db'}"
    t = time.monotonic()
    fill(db_url, reports)
    fill_s = time.monotonic() - t
    server = Server.start(db_url, folder)
    try:
        browser = Browser(server.url)
        for i in range(pdfs):  # more page images than the server caches (32): rendered all along
            status, _ = browser.upload(f"fonts-{i}.pdf", font_pdf(i))
            assert status == 200, status
        t = time.monotonic()
        status, _ = browser.get("/reports")
        reports_s = time.monotonic() - t
        outcome = load(browser, requests, concurrency, document_ids(db_url))
        outcome.figures = {"fill_s": fill_s, "reports_page_s": reports_s}
        outcome.alive = server.alive
    finally:
        server.stop()
        log = server.log.read_text(errors="replace")
    outcome.log = log[-3000:]
    return outcome


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--reports", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        outcome = run(args.requests, args.concurrency, args.reports, Path(tmp))
    print("statuses:", dict(outcome.statuses))
    f = outcome.figures
    print(f"filled {args.reports} reports in {f['fill_s']:.0f} s; /reports in {f['reports_page_s']:.2f} s")
    for what, times in sorted(outcome.latencies.items()):
        print(
            f"{what:8} n={len(times):4} median {statistics.median(times):.2f} s  max {max(times):.2f} s"
            f" ({args.concurrency} at a time)"
        )
    if outcome.errors:
        print("errors:", outcome.errors, "\n", outcome.log)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
