"""Which files a check of PATH... covers: files as given, directories walked for report-like extensions."""

from __future__ import annotations

from pathlib import Path

REPORT_EXTENSIONS = (
    ".txt",
    ".md",
    ".html",
    ".htm",
    ".pdf",
    ".doc",
    ".docx",
    ".wps",
    ".png",
    ".jpg",
    ".jpeg",
    ".tif",
    ".tiff",
)


def is_report_file(path: Path) -> bool:
    name = path.name.lower()
    return (
        not path.is_dir()  # FIFOs, devices and dangling links are kept, so reading them says why it cannot
        and name.endswith(REPORT_EXTENSIONS)
        and not name.endswith(".expected.json")
        and not name.startswith(".")
    )


def report_files(paths: list[Path | str]) -> tuple[list[Path], list[tuple[str, str]]]:
    """(files to check, [(path, reason)] for paths that do not exist); directories walked in name order."""
    files: list[Path] = []
    missing: list[tuple[str, str]] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if is_report_file(f)))
        elif p.exists():
            files.append(p)
        else:
            missing.append((str(p), "文件不存在 (no such file or directory)"))
    seen: set[Path] = set()
    out = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out, missing
