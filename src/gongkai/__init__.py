"""gongkai: China's government information-disclosure annual reports as verified data.

>>> import gongkai
>>> report = gongkai.parse("report.pdf")      # any format: text, HTML, PDF, Word, scans
>>> report.value("table3.new.total")
"""

from __future__ import annotations

from pathlib import Path

from gongkai.errors import GongkaiError, InputError

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (~3 ms of a short command)
if TYPE_CHECKING:
    from typing import Any

    from gongkai.audit.finding import Finding
    from gongkai.model import Cell, Report
    from gongkai.settings import Settings, SettingsLike
    from gongkai.sources import Parsed, discover, parse_many

# Exported names imported on first use, so that `import gongkai` (and the CLI start-up) stays light:
# the audit rules, the template and the readers load only when something needs them.
_LAZY = {
    "Cell": "gongkai.model",
    "Finding": "gongkai.audit.finding",
    "Parsed": "gongkai.sources",
    "Report": "gongkai.model",
    "Settings": "gongkai.settings",
    "discover": "gongkai.sources",
    "parse_many": "gongkai.sources",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gongkai' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "Cell",
    "Finding",
    "GongkaiError",
    "InputError",
    "Parsed",
    "Report",
    "Settings",
    "check",
    "discover",
    "parse",
    "parse_bytes",
    "parse_many",
]
__version__ = "0.1.0"


def parse_bytes(
    data: bytes, source: str = "<bytes>", debug: bool = False, settings: SettingsLike = None
) -> Report:
    """Read and extract a report from bytes of any supported format (``debug``: keep a match trace;
    ``settings``: PDF, OCR and extraction settings, see `gongkai.settings`). A report's own JSON
    (``Report.to_json``, as ``gongkai render --to x.json`` writes it) is read back as is."""
    from gongkai.extract import extract
    from gongkai.read import read_bytes
    from gongkai.settings import resolve

    own = read_own(data, source)
    if own is not None:
        return own[1]
    settings = resolve(settings)
    return extract(read_bytes(data, source, settings=settings), debug=debug, settings=settings)


def read_own(data: bytes, source: str = "<bytes>") -> tuple[str, Report] | None:
    """A report in a format gongkai writes, as ``(format, report)``: its JSON (``json``) or a 填报 workbook
    (``xlsx``, from ``gongkai template``); None for any other document."""
    from gongkai.read import sniff

    kind = sniff(data) if data else None
    if kind == "json":
        from gongkai.read.report_json import read_report

        return "json", read_report(data, source)
    if kind in ("zip", "docx"):  # the docx sniff also matches other Office Open XML files
        from gongkai.author.forms import is_form, read_form

        if is_form(data):
            return "xlsx", read_form(data, source)
    return None


def parse(path: str | Path, debug: bool = False, settings: SettingsLike = None) -> Report:
    """Read and extract the report in ``path`` (``debug``: keep a match trace in ``report.trace``;
    ``settings``: PDF, OCR and extraction settings, see `gongkai.settings`)."""
    from gongkai.read import load_file

    return parse_bytes(load_file(Path(path)), str(path), debug=debug, settings=settings)


def check(reports):
    """Audit findings: for one report (a `Report` or a path) a list of `Finding`; for a list of reports a list
    of such lists, with the rules across consecutive years of the same agency included."""
    from gongkai.audit import check_report, check_reports
    from gongkai.model import Report

    def load(r):
        return r if isinstance(r, Report) else parse(r)

    if isinstance(reports, (list, tuple)):
        return check_reports([load(r) for r in reports])
    return check_report(load(reports))
