"""`near_duplicates` (rules C103/C104): sentences found as they are take the shortcut, and every answer is the
one scoring each sentence against all the others gives."""

from __future__ import annotations

from rapidfuzz import fuzz

from gongkai.audit.rules.cross import NEAR, near_duplicates

OTHER = [
    "本机关主动公开政府信息#条，其中规范性文件#件",
    "全年共受理政府信息公开申请#件，均按时答复",
    "本机关主动公开政府信息#条，其中规范性文件#件",  # the same sentence twice: the first is its match
    "未发生因政府信息公开引起的行政复议和行政诉讼",
    "加强政府信息公开平台建设，及时更新栏目内容",
]
CURRENT = [
    "全年共受理政府信息公开申请#件，均按时答复",  # as it is
    "本机关主动公开政府信息#条，其中规范性文件#件",  # as it is, twice over there
    "全年共受理政府信息公开申请#件，均已按时答复",  # a word added
    "进一步加强政府信息公开平台建设，及时更新栏目",  # near
    "今年新建了政务公开专区并开展培训三次以上",  # new
]


def _all_pairs(cur: list[str], other: list[str]) -> list[tuple[int, int, float]]:
    out = []
    for i, a in enumerate(cur):
        scores = [fuzz.ratio(a, b, score_cutoff=NEAR) for b in other]
        best = max(scores)
        if best >= NEAR:
            out.append((i, scores.index(best), best))
    return out


def test_near_duplicates_are_the_best_of_all_pairs():
    found = near_duplicates(CURRENT, OTHER)
    expected = _all_pairs(CURRENT, OTHER)
    assert [(i, j) for i, j, _s in found] == [(i, j) for i, j, _s in expected]
    assert all(abs(s - e) < 1e-4 for (_i, _j, s), (_a, _b, e) in zip(found, expected, strict=True))
    assert found[:2] == [(0, 1, 100.0), (1, 0, 100.0)]  # found as they are, the first of two
    assert 4 not in {i for i, _j, _s in found}


def test_nothing_to_compare():
    assert near_duplicates([], OTHER) == near_duplicates(CURRENT, []) == []
