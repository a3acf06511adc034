"""The review campaign over the store: a roster of the agencies that must publish, versions of a report, the
review state of each finding, scores and rankings by a deduction scheme, and the documents sent to people
(整改通知, 通报, review sheet). The CLI and the web app are thin shells over these functions.

>>> from gongkai import review
>>> review.import_roster("sqlite:///gongkai.db", "名录.xlsx")
>>> review.set_state("sqlite:///gongkai.db", review.ReviewFilter(code="T301"), "confirmed", reviewer="张三")
>>> review.score("sqlite:///gongkai.db").agencies[0].score

Needs the ``store`` extra; documents need ``docx`` (python-docx) and openpyxl; accounts need argon2-cffi.
"""

from __future__ import annotations

from gongkai.review.reviews import (
    RECTIFICATION_LABELS,
    STATE_LABELS,
    STATES,
    ReviewedFinding,
    ReviewFilter,
    findings_for_review,
    fingerprint,
    rectification,
    set_state,
)
from gongkai.review.roster import (
    CoverageRow,
    RosterEntry,
    campaign_year,
    import_roster,
    read_roster,
    rematch,
    roster,
    roster_coverage,
    set_match,
)
from gongkai.review.scoring import Scheme, ScoreRun, load_scheme, score
from gongkai.review.versions import Version, current_versions, pick, versions, withdraw

__all__ = [
    "RECTIFICATION_LABELS",
    "STATES",
    "STATE_LABELS",
    "CoverageRow",
    "ReviewFilter",
    "ReviewedFinding",
    "RosterEntry",
    "Scheme",
    "ScoreRun",
    "Version",
    "campaign_year",
    "current_versions",
    "findings_for_review",
    "fingerprint",
    "import_roster",
    "load_scheme",
    "pick",
    "read_roster",
    "rectification",
    "rematch",
    "roster",
    "roster_coverage",
    "score",
    "set_match",
    "set_state",
    "versions",
    "withdraw",
]
