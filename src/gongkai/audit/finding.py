"""A `Finding`: one problem a rule found, as plain data. Rules never print; renderers and the CLI do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)
PROBLEM_SEVERITIES = (ERROR, WARNING)  # findings that make a report need a human's look
_RANK = {INFO: 0, WARNING: 1, ERROR: 2}


def severity_rank(severity: str) -> int:
    """0 info, 1 warning, 2 error (for thresholds and sorting)."""
    return _RANK[severity]


@dataclass
class Finding:
    """One problem, pinned to cells (``table3.total.natural_person``) or a section (``s1`` with ``span``).

    Rules create findings with ``code``/``severity`` left empty; the registry fills in the rule's code and,
    unless the rule chose one for this finding, its default severity.
    """

    message: str  # Chinese: what is wrong and what to fix, naming cells by their official labels
    where: list[str] = field(default_factory=list)  # key paths or section keys, most specific first
    evidence: Any = None  # the numbers, or the quoted sentence
    span: tuple[int, int] | None = None  # character span in Report.text (sentences)
    code: str = ""
    severity: str = ""
    name: str = ""  # the rule's name

    def to_json(self) -> dict:
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "where": list(self.where),
        }
        if self.span is not None:
            out["span"] = list(self.span)
        if self.evidence is not None:
            out["evidence"] = self.evidence
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        """Rebuild a finding from ``to_json`` output (extra keys such as ``scope`` are ignored)."""
        span = data.get("span")
        return cls(
            message=str(data.get("message") or ""),
            where=[str(w) for w in data.get("where") or []],
            evidence=data.get("evidence"),
            span=(int(span[0]), int(span[1])) if span else None,
            code=str(data.get("code") or ""),
            severity=str(data.get("severity") or ""),
            name=str(data.get("name") or ""),
        )
