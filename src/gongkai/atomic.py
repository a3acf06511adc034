"""Output files appear whole or not at all: written to a temporary file beside the target, then renamed
over it. A full disk or a crash never leaves a 0-byte or half-written file under the wanted name."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gongkai.errors import InputError

__all__ = ["atomic_target", "write_bytes_atomic"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_target(target: str | Path) -> Iterator[Path]:
    """A temporary path in ``target``'s folder; when the block ends without error it replaces ``target``.

    Raises `InputError` (one line) when the folder is missing or the file cannot be written (disk full,
    read-only, no permission); the temporary file is removed in every case."""
    path = Path(target)
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"目标文件夹不存在 (folder does not exist: {folder})")
    if path.is_dir():
        raise InputError("目标是文件夹 (target is a folder)")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as e:
        raise InputError(f"无法写入 (cannot write: {e.strerror or e})") from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise InputError(f"无法写入 (cannot write: {e.strerror or e})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes_atomic(target: str | Path, data: bytes) -> Path:
    with atomic_target(target) as tmp, tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return Path(target)
