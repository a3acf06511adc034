"""One document's bytes → a JSON-able dict: read, extract, audit, identify. A pure function, so the same code
runs in a local process pool, on Ray or on Spark (``docs/distributed.md``); only the writer touches the
database.

>>> out = process_bytes(open("report.txt", "rb").read(), "report.txt")
>>> out["status"], out["report"]["meta"]["agency"], out["identity"]["agency_id"]
('ok', '平潭综合实验区', '350128:平潭综合实验区')
"""

from __future__ import annotations

import hashlib
from typing import Any

from gongkai.audit.finding import PROBLEM_SEVERITIES
from gongkai.errors import GongkaiError
from gongkai.settings import SettingsLike

__all__ = ["FAILED", "OK", "PROBLEMS", "audit_functions", "process_bytes", "process_for_store", "status_of"]

OK, PROBLEMS, FAILED = "ok", "problems", "failed"


def audit_functions():
    """``(check_report, check_reports)`` from ``gongkai.audit``, or ``(None, None)`` while it is missing."""
    try:
        from gongkai.audit import check_report, check_reports
    except ImportError:
        return None, None
    return check_report, check_reports


def finding_json(f: Any) -> dict:
    data = f.to_json() if hasattr(f, "to_json") else dict(f)
    return data


def status_of(findings: list[dict], uncertain: int) -> str:
    bad = any(str(f.get("severity", "")).lower() in PROBLEM_SEVERITIES for f in findings)
    return PROBLEMS if bad or uncertain else OK


def apply_given(meta: dict, given: dict | None) -> None:
    """Put the caller's known meta values (those not None) on ``meta``, marking their source ``given``."""
    for key, value in (given or {}).items():
        if value is not None:
            meta[key] = value
            sources = meta.get("sources")
            meta["sources"] = {**(sources if isinstance(sources, dict) else {}), key: "given"}


def process_bytes(
    data: bytes, name: str = "<bytes>", given: dict | None = None, settings: SettingsLike = None
) -> dict:
    """Read, extract and audit one document. Never raises for a bad document: the error is in the result.

    ``given``: meta values the caller knows better than the text (e.g. ``{"published": "2024-01-20"}``, the
    page's 发布日期): set on the report before the audit, with ``meta["sources"][key] = "given"``.
    ``settings``: reading and extraction settings (see `gongkai.settings`).

    Keys: ``sha256``, ``name``, ``format``, ``size``, ``status`` (ok | problems | failed), ``error``,
    ``report`` (``Report.to_json()`` plus ``text``), ``findings`` (``Finding.to_json()`` each) and
    ``identity`` (agency key and region from ``regions.identify``, before any override)."""
    return _processed(data, name, given, settings, _report_json)


def _report_json(report: Any) -> dict:
    rj = report.to_json(detail=True)
    rj["text"] = report.text
    return rj


def _processed(data: bytes, name: str, given: dict | None, settings: SettingsLike, made: Any) -> dict:
    """``process_bytes`` with ``made(report)`` as the result's ``report`` (taken before the audit, which
    reads the report after it)."""
    from gongkai import __version__
    from gongkai.read import sniff

    out: dict[str, Any] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "name": name,
        "format": sniff(data) if data else None,
        "size": len(data),
        "status": FAILED,
        "error": None,
        "report": None,
        "findings": [],
        "identity": None,
        "tool_version": __version__,
    }
    try:
        from gongkai import read_own
        from gongkai.extract import extract
        from gongkai.read import read_bytes
        from gongkai.store.regions import identify

        own = read_own(data, name)  # a report gongkai wrote (an edited version, say): read back as is
        if own is not None:
            out["format"], report = own
        else:
            doc = read_bytes(data, name, settings=settings)
            out["format"] = doc.format or out["format"]
            report = extract(doc, settings=settings)
        apply_given(report.meta, given)
        out["report"] = made(report)
        check_report, _ = audit_functions()
        if check_report is not None:
            out["findings"] = [finding_json(f) for f in check_report(report)]
        out["identity"] = identify(report.meta.get("agency"), report.text).to_json()
        out["status"] = status_of(out["findings"], len(report.uncertain()))
    except GongkaiError as e:
        out["error"] = str(e)
    except Exception as e:
        out["error"] = f"内部错误 (internal error: {type(e).__name__}: {e})"
    if out["error"] is not None:
        out.update(status=FAILED, report=None, findings=[], identity=None)
    return out


def process_for_store(
    data: bytes, name: str = "<bytes>", given: dict | None = None, pairs: str | None = None
) -> dict:
    """``process_bytes``, made ready for the store's writer in this (worker) process
    (``gongkai.store.db.prepared``): ingest's default reader. ``pairs``: the store's URL; the report is then
    also compared with its agency's stored year before (`gongkai.store.cross.pair_in_worker`), and those
    findings are stored with it (scope ``cross``)."""
    from gongkai.store.db import prepared_report, with_findings

    read = []

    def made(report: Any) -> dict:
        read.append(report)
        # the writer's rows built from the report itself (no ``Report.to_json`` on the way): the same rows
        return prepared_report(report)

    result = _processed(data, name, given, None, made)
    pair = _pair(pairs, read[0], result) if pairs and read and result["status"] != FAILED else None
    return with_findings(result, pair)


def _pair(url: str, report: Any, result: dict) -> tuple[int, list[dict]] | None:
    """``pair_in_worker`` of a read report, its result's status made to count the pair's findings. None when
    the store cannot be read here: the ingest's refresh then compares the years."""
    from gongkai.store.cross import pair_in_worker

    ident = result.get("identity") or {}
    try:
        pair = pair_in_worker(url, report, ident.get("agency_id") if ident.get("name") else None)
    except Exception:  # e.g. a database that does not answer: the refresh does this pair
        return None
    if pair is not None:
        result["status"] = status_of(result["findings"] + pair[1], result["report"]["uncertain"])
    return pair
