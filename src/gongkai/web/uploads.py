"""Uploaded bytes → the store, the same way ``gongkai ingest`` stores a file (``parse_many`` in killable
worker processes, then ``Store.write``), with the web's limits. Originals are kept under the content hash
only: no name the user sent ever reaches the disk.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from gongkai.read import sniff
from gongkai.sources import UNSAFE_MEMBER, BytesSource, Parsed, list_archive, member_name, parse_many
from gongkai.store.corpus import document_by_sha256
from gongkai.store.db import Store
from gongkai.store.ingest import failed_record
from gongkai.workers import DEFAULT_TIME_LIMIT, usable_cores

SHA256 = re.compile(r"^[0-9a-f]{64}$")
# json: a report gongkai wrote (an edited version saved from 编写年度报告)
ACCEPTED = ("text", "html", "pdf", "docx", "ole", "png", "jpeg", "tiff", "json")


@dataclass(frozen=True)
class Limits:
    """Upload limits. ``max_file_bytes`` per file (and per archive member), ``max_files`` per request
    (archive members count), ``max_request_bytes`` for a whole request, ``max_archive_bytes`` uncompressed,
    ``time_limit`` seconds of reading per document (then abandoned as failed; None: no limit)."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_files: int = 200
    max_request_bytes: int = 400 * 1024 * 1024
    max_archive_bytes: int = 500 * 1024 * 1024
    time_limit: float | None = DEFAULT_TIME_LIMIT


class UploadRejected(ValueError):
    """A file the web refuses before reading it (size, count, format)."""


def safe_name(name: str | None) -> str:
    """The user's file name for display only: base name, no control characters, at most 200 characters."""
    name = (name or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip() or "upload"
    return name[:200]


class Blobs:
    """Originals by sha256 under one folder (``ab/abcdef….bin``)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, sha256: str) -> Path | None:
        if not SHA256.match(sha256 or ""):
            return None
        return self.root / sha256[:2] / f"{sha256}.bin"

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        p = self.path(sha)
        assert p is not None
        if not p.exists():
            p.parent.mkdir(parents=True, exist_ok=True)
            tmp = p.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(p)
        return sha

    def has(self, sha256: str) -> bool:
        p = self.path(sha256)
        return p is not None and p.is_file()

    def get(self, sha256: str) -> bytes | None:
        p = self.path(sha256)
        return p.read_bytes() if p is not None and p.is_file() else None


def members(data: bytes, name: str, limits: Limits) -> tuple[list[tuple[str, bytes]], list[dict]]:
    """The documents in one upload: the file itself, or each member of a .zip archive (within the limits);
    and the results of members not read, as ``discover`` reports them: a member whose path is unsafe
    (``..``, absolute) is skipped with that reason, never read under its base name."""
    if sniff(data) != "zip":
        return [(name, data)], []
    out: list[tuple[str, bytes]] = []
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            listing = list_archive(z)
            for info in listing.documents:
                member = safe_name(member_name(info))
                if len(out) >= limits.max_files:
                    raise UploadRejected(f"压缩包内文件过多 (more than {limits.max_files} files)")
                if info.file_size > limits.max_file_bytes:
                    raise UploadRejected(f"{member}: 文件过大 (file too large)")
                total += info.file_size
                if total > limits.max_archive_bytes:
                    raise UploadRejected("压缩包解压后过大 (archive too large when unpacked)")
                with z.open(info) as f:
                    body = f.read(limits.max_file_bytes + 1)  # never trust the declared size
                if len(body) > limits.max_file_bytes:
                    raise UploadRejected(f"{member}: 文件过大 (file too large)")
                out.append((f"{safe_name(name)}/{member}", body))
    except zipfile.BadZipFile:
        raise UploadRejected("压缩包已损坏 (bad zip archive)") from None
    skipped = [
        {
            "name": f"{safe_name(name)}/{_shown(member_name(info))}",
            "status": "rejected",
            "error": UNSAFE_MEMBER,
        }
        for info in listing.unsafe
    ]
    return out, skipped


def _shown(member: str) -> str:
    """A member's path for display: as stored, without control characters, at most 200 characters."""
    return re.sub(r"[\x00-\x1f\x7f]", "", member)[:200]


def store_one(
    store: Store, blobs: Blobs, data: bytes, name: str, write_lock: AbstractContextManager | None = None
) -> dict:
    """`store_many` for one document."""
    return store_many(store, blobs, [(name, data)], write_lock)[0]


def store_many(
    store: Store,
    blobs: Blobs,
    docs: list[tuple[str, bytes]],
    write_lock: AbstractContextManager | None = None,
    limits: Limits | None = None,
) -> list[dict]:
    """Read, audit and store uploaded documents (``(name, bytes)`` each) through ``parse_many``, as
    ``gongkai ingest`` does: each in a worker process abandoned after ``limits.time_limit`` seconds. Returns
    a small JSON-able result per document for the upload page, in order. Reading runs outside
    ``write_lock`` (only each database write holds it), so one slow file never makes other uploads wait."""
    limits = limits or Limits()
    results: list[dict | None] = []
    todo: dict[int, BytesSource] = {}
    known = store.known()
    for name, data in docs:
        results.append(_before_reading(store, blobs, known, data, name))
        if results[-1] is None:
            todo[len(results) - 1] = BytesSource(name, data)
    items = parse_many(
        list(todo.values()),
        workers=max(1, min(len(todo), usable_cores())),
        time_limit=limits.time_limit,
        record=True,
    )
    for index, item in zip(todo, items, strict=True):
        results[index] = _write(store, blobs, todo[index], item, write_lock or nullcontext())
    return [r for r in results if r is not None]


def _before_reading(store: Store, blobs: Blobs, known: dict, data: bytes, name: str) -> dict | None:
    """The result of a document refused or stored already; None for one to read."""
    kind = sniff(data) if data else "empty"
    if kind not in ACCEPTED:
        return {"name": name, "status": "rejected", "error": f"不支持的文件格式 (unsupported format: {kind})"}
    sha = hashlib.sha256(data).hexdigest()
    if sha in known:
        blobs.put(data)
        return {"name": name, "status": known[sha], "sha256": sha, "duplicate": True, **_ids(store, sha)}
    return None


def _write(store: Store, blobs: Blobs, src: BytesSource, item: Parsed, lock: AbstractContextManager) -> dict:
    out = item.record or failed_record(item)
    with lock:
        blobs.put(src.data)
        status = store.write(out, None)
    result = {"name": src.name, "status": status or "ok", "sha256": item.sha256, "error": out.get("error")}
    result.update(_ids(store, item.sha256 or ""))
    if out.get("report"):
        meta = out["report"].get("meta") or {}
        result.update(
            agency=meta.get("agency"), year=meta.get("year"), findings=len(out.get("findings") or [])
        )
    return result


def _ids(store: Store, sha: str) -> dict:
    row = document_by_sha256(store, sha)
    return {} if row is None else {"id": row["id"], "agency_id": row["agency_id"]}
