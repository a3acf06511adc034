from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from tests.store.conftest import text_corpus  # noqa: F401  (the shared corpus folder fixture)

pytest.importorskip("sqlalchemy")
pytest.importorskip("docx")
pytest.importorskip("argon2")

YEAR = 2024
NEVER = [("某某镇人民政府", "某某县", "乡镇", "乡镇街道"), ("某某县交通运输局", "某某县", "县级", "部门")]


def write_roster(path: Path, names: list[tuple[str, str, str, str]], due: str = "2025-01-31") -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["名称", "地区", "层级", "类型", "网址", "截止日期"])
        for name, region, level, kind in names:
            w.writerow([name, region, level, kind, "", due])
    return path


@pytest.fixture
def campaign(text_corpus, tmp_path) -> dict:  # noqa: F811
    """A fresh store of the shared corpus; a roster of its 2024 agencies plus two that never publish."""
    from gongkai.review import current_versions
    from gongkai.review.roster import kinds
    from gongkai.store import ingest

    docs = tmp_path / "docs"
    shutil.copytree(text_corpus, docs)
    url = f"sqlite:///{tmp_path / 'campaign.db'}"
    assert ingest([docs], url, workers=1).counts["failed"] == 0
    chosen = {v.agency: v.region or "未知" for v in current_versions(url, year=YEAR)}
    agencies = sorted(chosen)
    rows = [(a, chosen[a], "县级", kinds.label(kinds.classify_kind(a))) for a in agencies] + NEVER
    roster = write_roster(tmp_path / "roster.csv", rows)
    return {
        "url": url,
        "db": str(tmp_path / "campaign.db"),
        "docs": docs,
        "roster": roster,
        "agencies": agencies,
    }
