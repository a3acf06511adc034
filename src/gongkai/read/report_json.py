"""A report's own JSON (``Report.to_json``) read back into a `Report`: gongkai reads what it writes.

Nothing is re-extracted: cells keep their status, raw text and provenance, sections their text.
"""

from __future__ import annotations

import json

from gongkai import template
from gongkai.errors import InputError
from gongkai.model import Report


def read_report(data: bytes, source: str = "<bytes>") -> Report:
    """The report in ``data``; raises `InputError` when the JSON is not a report gongkai can use."""
    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as e:
        raise InputError(f"JSON 无法解析 (invalid JSON: {e})") from None
    layout = (obj.get("meta") or {}).get("template") or template.default_layout()
    if layout not in template.LAYOUTS:
        raise InputError(f"未知的模板 (unknown layout {layout!r})")
    try:
        return Report.from_json(obj)
    except (TypeError, ValueError, AttributeError) as e:
        raise InputError(f"不是 gongkai 报告 JSON (not a gongkai report: {e})") from None
