"""Printed rows a table of the official layout does not have, recognised by their labels (template data).

A row is a label followed by as many values as a row of that table prints. Its label is *foreign* when
some run of two or more Chinese characters in it occurs in no official text of the table (labels,
groups, headers, variants): a label broken by a line wrap, two wrapped labels interleaved, a known
variant or a sub-total the template knows are all explained. Notes (注：…), sentences and rows of another
table are not added rows. The extractor keeps such rows' numbers out of the official rows; rule L104
reports them.
"""

from __future__ import annotations

import re
from functools import cache

from gongkai import template
from gongkai.extract.memo import by_identity
from gongkai.lazyre import lazy_compile
from gongkai.punct import strip_punct

# Printed text of a table that is neither a label nor a value: units and the like.
TABLE_NOISE = ("单位", "件", "数量", "序号", "项目", "类别", "内容", "情况", "备注")
CJK = lazy_compile(r"[\u4e00-\u9fff]")
ENUMERATOR = lazy_compile(r"^(?:[（(]?[一二三四五六七八九十]+[）)、.．]?|[（(]?\d{1,2}[）).．、]?)")
# A value cell of a printed row, and what a grid prints in a blank cell.
_VALUE = lazy_compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:万?元|件|条|个)?$")
_BLANK = lazy_compile(r"^(?:[-—–－/／]{1,3}|无)?$")
# Text in a table that is no row: a note (注：…) or a sentence.
_NOTE = lazy_compile(r"^(?:注|备注|说明|数据来源|[※*＊])")
_SENTENCE = lazy_compile(r"[。；;！!？?，,]")
_LABEL_MAX = 30  # characters; a longer "label" is a line of prose


@cache
def vocabulary(layout_key: str, t: str) -> tuple[str, ...]:
    """Every text the official layout prints in table ``t`` (labels, groups, header, title), punctuation
    removed, longest first. Table 三 includes the rows of the layouts a report may print instead."""
    keys = [lay.key for lay in template.table3_candidates(layout_key)] if t == "table3" else [layout_key]
    texts: list[str] = list(TABLE_NOISE)
    for key in keys:
        table = template.layout(key).table(t)
        texts += [table.title, table.short_name, *table.header_labels, *(g for _k, g in table.groups)]
        for c in table.columns:
            texts += [c.label, *c.variants]
        for r in table.rows:
            texts += [r.label, r.group, r.short, *(c.label for c in r.columns)]
    words = {strip_punct(x) for x in texts}
    return tuple(sorted((w for w in words if w), key=len, reverse=True))


@cache
def _index(words: tuple[str, ...]) -> tuple[re.Pattern[str], str]:
    """One pattern matching any of ``words`` (longest first) and all of them in one string, so a text is
    compared with the whole vocabulary in one pass."""
    return re.compile("|".join(map(re.escape, words))), "\n".join(words)


def foreign(text: str, words: tuple[str, ...]) -> list[str]:
    """The runs of ``text`` (punctuation removed) that no official text explains: whole labels are taken
    out first, then any piece of two or more characters of a label (a label broken by a line wrap, or two
    wrapped labels interleaved), so only text the layout never prints is left. Runs of two or more Chinese
    characters only."""
    pattern, joined = _index(words)
    rest = strip_punct(text)
    if not rest or rest in joined:
        return []
    out = []
    for run in pattern.sub(" ", rest).split():
        if len(CJK.findall(run)) < 2:
            continue  # no piece of it can hold two Chinese characters
        for piece in _unexplained(run, joined).split():
            if len(CJK.findall(piece)) >= 2:
                out.append(piece)
    return out


def _unexplained(run: str, joined: str) -> str:
    """``run`` with every stretch of two or more characters that occurs in an official text (``joined``:
    all of them, one a line) blanked out."""
    keep = [True] * len(run)
    for i in range(len(run)):
        j = i + 2
        while j <= len(run) and run[i:j] in joined:
            j += 1
        if j - 1 - i >= 2:
            for k in range(i, j - 1):
                keep[k] = False
    return "".join(ch if keep[i] else " " for i, ch in enumerate(run))


@by_identity
def row_widths(table: template.Table) -> frozenset[int]:
    """How many values a row of ``table`` prints: each row's own column count (table 二), the shared
    column count, and for grouped tables (四) all groups side by side."""
    widths = {len(r.columns) for r in table.rows if r.columns}
    if table.columns:
        widths.add(len(table.columns))
        if table.groups:
            widths.add(len(table.columns) * len(table.groups))
    return frozenset(widths)


def split_row(line: str) -> tuple[str, int, int] | None:
    """(label, values, numbers) of a printed row: a label, then value cells (numbers or blank marks).
    Cells are tab-separated in grids, else whitespace-separated; a grid's blank cells count as values.
    None where the line ends in no number."""
    grid = "\t" in line
    cells = [c.strip() for c in line.split("\t")] if grid else line.split()
    while cells and not cells[-1]:
        cells.pop()  # filler cells after the row
    k = len(cells)
    numbers = 0
    while k > 0:
        if _VALUE.match(cells[k - 1]):
            numbers += 1
        elif not (grid and _BLANK.match(cells[k - 1])):
            break
        k -= 1
    if not numbers:
        return None
    return ENUMERATOR.sub("", "".join(cells[:k])), len(cells) - k, numbers


def _of_another_table(layout_key: str, t: str, text: str) -> bool:
    """``text`` (a label, punctuation removed) holds a whole row label of another table, or is part of
    one: a row of that table that ran into this table's section."""
    for other in template.layout(layout_key).tables:
        if other.key == t:
            continue
        for r in other.rows:
            official = strip_punct(r.label.removeprefix(r.enumerator))
            if (len(official) >= 2 and official in text) or (len(text) >= 4 and text in official):
                return True
    return False


def added_row_label(line: str, layout_key: str, t: str) -> str | None:
    """The label (punctuation removed) of ``line`` when it is a row of table ``t`` that the official
    layout does not have; None for official rows, headers, notes, sentences and other tables' rows."""
    row = split_row(line)
    if row is None:
        return None
    label, values, numbers = row
    text = strip_punct(label)
    widths = row_widths(template.layout(layout_key).table(t))
    if not CJK.search(label) or (values not in widths and numbers not in widths):
        return None
    if _NOTE.match(label) or _SENTENCE.search(label) or len(text) > _LABEL_MAX:
        return None
    if not foreign(label, vocabulary(layout_key, t)) or _of_another_table(layout_key, t, text):
        return None
    return text


def is_row(line: str, layout_key: str, t: str) -> bool:
    """``line`` prints values under an official label (or under none, as table 四's data row)."""
    row = split_row(line)
    return row is not None and (not CJK.search(row[0]) or not foreign(row[0], vocabulary(layout_key, t)))
