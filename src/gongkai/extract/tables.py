"""Tables 二, 三 and 四: rows found by their labels, values read from what lies between labels.

For each row the text between its label and the next row's label is cut into numeric tokens (header text
and parenthesised notes masked out). A table row from a reliable grid (HTML, Word, PDF ruling lines) whose
cells line up with the template is read by position, so blank cells stay blank. Otherwise the tokens are
laid over the columns in every possible way (`solve.enumerate_readings`) and the identities choose.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from gongkai import template
from gongkai.extract import added, locate, solve
from gongkai.extract.memo import by_identity
from gongkai.extract.stream import Stream
from gongkai.lazyre import lazy_compile
from gongkai.model import AMBIGUOUS, BLANK, INFERRED, MISSING, READ, UNREADABLE, Cell, Report

# A number: optional sign, digits (with thousands separators "24,252.31" kept whole), optional decimals.
_NUMBER = lazy_compile(r"(?<![\d.,])-?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?|(?<=\d)-\d+(?:\.\d+)?")
_VALUE_CELL = lazy_compile(r"^\s*-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s*(?:万?元|件|条|个)?\s*$")
# What a grid cell holds when it is left empty on purpose: nothing, a dash, a slash or 无.
_BLANK_CELL = lazy_compile(r"^\s*(?:[-—–－/／]{1,3}|无)?\s*$")


_INFERRED_ORDER = (solve.WHOLE, solve.SPLIT, solve.MISSING)
_INFERRED_NOTES = {
    solve.WHOLE: "本行数字少于格数，按勾稽关系对齐",
    solve.SPLIT: "数字粘连，按勾稽关系拆分",
    solve.MISSING: "原文缺此格，由勾稽关系推算",
}


@dataclass(slots=True)
class Token:
    """A number-like piece of the stream text, by its text indices."""

    text: str
    tstart: int  # text index
    tend: int

    def where(self, stream: Stream) -> dict:
        return stream.where_at(self.tstart)

    def confidence(self, stream: Stream) -> float | None:
        found = stream.span_at(self.tstart)
        return found[2].confidence if found else None

    def doubtful(self, stream: Stream) -> bool:
        """An OCR reading below the trust threshold (`gongkai.settings.OCR_TRUST` unless set otherwise):
        its value must be confirmed by the identities."""
        conf = self.confidence(stream)
        return conf is not None and conf < stream.ocr_trust


@dataclass
class RowSource:
    """What the document gives for one row: its tokens, or cells by position when the grid is reliable."""

    key: str
    tokens: list[Token] = field(default_factory=list)
    positional: list[Token | None] | None = None  # one entry per column; None = blank cell
    found: bool = True


# ---------------------------------------------------------------- tokens


def tokens_between(stream: Stream, cstart: int, cend: int, labels: tuple[str, ...]) -> list[Token]:
    """Numeric tokens in ``compact[cstart:cend]`` outside header text, as text positions."""
    tstart, tend = stream.to_text(cstart), stream.to_text(cend)
    text = stream.text[tstart:tend]
    masks = locate.masked_spans(stream, labels, cstart, cend)
    if masks:
        cmap = stream.cmap  # (a mask lies inside the interval: its compact indices are mapped)
        text = _blanked(text, [(cmap[a] - tstart, cmap[b - 1] - tstart + 1) for a, b in masks])
    text = _mask_dates(_mask_label_cells(text))
    out = []
    for m in _NUMBER.finditer(text):
        piece = m.group()
        a, b = m.span()
        if piece[0] == "-":
            before = text[a - 1] if a > 0 else " "
            if not (before.isspace() or before.isdigit()):
                piece, a = piece[1:], a + 1  # a dash after a word is punctuation, not a sign
        out.append(Token(piece, tstart + a, tstart + b))
    return out


def _blanked(text: str, ranges: list[tuple[int, int]]) -> str:
    """``text`` with the characters in ``ranges`` (index ranges, which may overlap) turned to spaces."""
    pieces: list[str] = []
    done = 0
    for a, b in sorted(ranges):
        if b <= done:
            continue
        a = max(a, done)
        pieces += (text[done:a], " " * (b - a))
        done = b
    pieces.append(text[done:])
    return "".join(pieces)


def _mask_dates(text: str) -> str:
    """``text`` with its years and dates (`_DATE`) blanked out."""
    if "年" not in text and "日" not in text:  # every match of _DATE ends with one of them
        return text
    return _DATE.sub(lambda m: " " * len(m.group(0)), text)


_CJK = lazy_compile(r"[\u4e00-\u9fff]")
# A year or a date in prose next to a table (「2020 年，我单位…」) is never a cell.
_DATE = lazy_compile(r"(?<![\d.])(?:19|20)\d{2}\s*年|(?<![\d.])\d{1,2}\s*月\s*\d{1,2}\s*日")
_DIGITS = lazy_compile(r"\d")


def _mask_label_cells(text: str) -> str:
    """In table rows (cells separated by tabs, or pipes in Markdown), a cell with words in it is a label
    (``数据1``), never a value."""
    if "\t" not in text and "|" not in text:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        sep = "\t" if "\t" in line else "|" if line.count("|") >= 2 else None
        if sep is not None:
            lines[i] = sep.join(_DIGITS.sub(" ", c) if _CJK.search(c) else c for c in line.split(sep))
    return "\n".join(lines)


def positional_cells(stream: Stream, label_end: int, ncols: int) -> list[Token | None] | None:
    """Cells after the label cell in the same grid row, if they are exactly ``ncols`` values or blanks."""
    tpos = stream.to_text(label_end - 1)
    at = stream.span_at(tpos)
    if at is None:
        return None
    line_idx, _cell, _ = at
    if not stream.is_grid[line_idx]:
        return None
    cells: list[tuple[int, int]] = []  # text ranges of the following cells in this line
    t = tpos
    n = len(stream.text)
    while t < n and stream.text[t] != "\n":
        if stream.text[t] == "\t":
            s = t + 1
            e = s
            while e < n and stream.text[e] not in "\t\n":
                e += 1
            cells.append((s, e))
            t = e
        else:
            t += 1
    texts = [stream.text[s:e] for s, e in cells]
    while len(texts) > ncols and not texts[-1].strip():
        texts.pop()
        cells.pop()
    if len(texts) != ncols or not all(_BLANK_CELL.match(x) or _VALUE_CELL.match(x) for x in texts):
        return None
    out: list[Token | None] = []
    for (s, _e), x in zip(cells, texts, strict=True):
        if _BLANK_CELL.match(x):
            out.append(None)
            continue
        m = _NUMBER.search(x)
        assert m is not None
        out.append(Token(m.group(0), s + m.start(), s + m.end()))
    return out


# ---------------------------------------------------------------- cells from readings


def _rules(columns: tuple[template.Column, ...]) -> list[solve.ColumnRule]:
    return [solve.ColumnRule(decimal=c.decimal, signed=c.signed) for c in columns]


# A grid cell's number, read with decimals (a grid shows what it shows), by whether the column is signed.
_GRID_RULES = {s: solve.ColumnRule(decimal=True, signed=s) for s in (False, True)}


def _cells_from_verdicts(
    stream: Stream, paths: Sequence[str], source: RowSource, options: list[solve.Reading], plain: bool
) -> dict[str, Cell]:
    """The cells at ``paths`` (a row's, in column order) from the row's readings."""
    tokens = source.tokens
    raw_all = " ".join([t.text for t in tokens]) or None
    wheres = stream.wheres_at([t.tstart for t in tokens])  # each token's provenance, once for the row
    if not options:
        return {p: Cell(p, None, UNREADABLE, raw_all, [], _distinct(wheres)) for p in paths}
    if len(options) == 1:
        return _cells_from_one_reading(paths, tokens, wheres, raw_all, options[0], plain)
    out = {}
    for c, (path, v) in enumerate(zip(paths, solve.verdicts(options, plain), strict=True)):
        if v.status == "ambiguous":
            out[path] = Cell(
                path,
                None,
                AMBIGUOUS,
                raw=raw_all,
                candidates=v.candidates,
                where=_distinct(wheres),
                note="多种读法均满足勾稽关系",
            )
            continue
        if len(options) == 1:
            token_ids: Sequence[int] = (options[0].tokens[c],) if options[0].tokens[c] >= 0 else ()
        else:
            token_ids = sorted({r.tokens[c] for r in options if r.tokens[c] >= 0})
        raw = " ".join(tokens[i].text for i in token_ids) or None
        where = _distinct([wheres[i] for i in token_ids])
        if v.status == "read":
            out[path] = Cell(path, v.value, READ, raw, [], where)
        else:
            note = _INFERRED_NOTES[max({r.kinds[c] for r in options}, key=_INFERRED_ORDER.index)]
            out[path] = Cell(path, v.value, INFERRED, raw, [], where, note)
    return out


def _cells_from_one_reading(
    paths: Sequence[str],
    tokens: list[Token],
    wheres: list[dict],
    raw_all: str | None,
    reading: solve.Reading,
    plain: bool,
) -> dict[str, Cell]:
    """`_cells_from_verdicts` for a row with one reading (the common case), cell by cell: a known value
    is read (or inferred: split, or not plain), an unknown one ambiguous without candidates. The cells
    are made with every field given by position (path, value, status, raw, candidates, where, note): a
    row's cells are most of what extraction makes, and keywords and default factories cost twice as much."""
    out = {}
    for path, value, kind, ti in zip(paths, reading.values, reading.kinds, reading.tokens, strict=True):
        if value is None:
            out[path] = Cell(path, None, AMBIGUOUS, raw_all, [], _distinct(wheres), "多种读法均满足勾稽关系")
            continue
        raw, where = (tokens[ti].text or None, [wheres[ti]] if wheres[ti] else []) if ti >= 0 else (None, [])
        if plain and kind == solve.WHOLE:
            out[path] = Cell(path, value, READ, raw, [], where, "")
        else:
            out[path] = Cell(path, value, INFERRED, raw, [], where, _INFERRED_NOTES[kind])
    return out


def _distinct(wheres: list[dict]) -> list[dict]:
    """The provenance entries that are set, each once, in order."""
    seen: list[dict] = []
    for w in wheres:
        if w and w not in seen:
            seen.append(w)
    return seen


def _positional_row(
    stream: Stream,
    prefix: str,
    columns,
    cells: list[Token | None],
    solved: list[solve.Reading] | None = None,
) -> dict[str, Cell]:
    """Cells read by position. A doubtful OCR digit takes the value the identities gave it (``solved``:
    the row's readings after solving) — confirmed, corrected, or left ambiguous."""
    out = {}
    for c, (col, tok) in enumerate(zip(columns, cells, strict=True)):
        path = f"{prefix}.{col.key}"
        if tok is None:
            out[path] = Cell(path, None, BLANK, None, [], [], "")
            continue
        value = solve.parse_number(tok.text, _GRID_RULES[col.signed])
        where = [tok.where(stream)]
        if value is None:
            out[path] = Cell(path, None, UNREADABLE, tok.text, [], where, "")
        elif tok.doubtful(stream):
            out[path] = _doubtful_cell(path, value, tok, where, [r.values[c] for r in solved or []], stream)
        else:
            out[path] = Cell(path, value, READ, tok.text, [], where, "")
    return out


def _doubtful_cell(
    path: str,
    ocr_value: solve.Number,
    tok: Token,
    where: list[dict],
    solved: list[solve.Value],
    stream: Stream,
) -> Cell:
    conf = tok.confidence(stream) or 0.0
    known = {v for v in solved if v is not None}
    if len(known) == 1 and None not in solved:
        value = known.pop()
        if value == ocr_value:
            note = f"OCR 置信度低（{conf:.2f}），与勾稽关系一致"
            return Cell(path, value, READ, raw=tok.text, where=where, note=note)
        note = f"OCR 读作 {tok.text}（置信度 {conf:.2f}），按勾稽关系应为 {value}"
        return Cell(path, value, INFERRED, raw=tok.text, where=where, note=note)
    candidates: list[solve.Number | None] = [*sorted(known | {ocr_value})]
    note = f"OCR 读作 {tok.text}（置信度 {conf:.2f}），勾稽关系无法确认"
    return Cell(path, None, AMBIGUOUS, raw=tok.text, where=where, candidates=candidates, note=note)


def _missing_row(prefix: str, columns) -> dict[str, Cell]:
    return {
        f"{prefix}.{c.key}": Cell(f"{prefix}.{c.key}", None, MISSING, None, [], [], "原文未找到此行")
        for c in columns
    }


# ---------------------------------------------------------------- row sources


def added_row_lines(
    stream: Stream, layout_key: str, t: str, start: int, end: int, official: Iterable[int] = ()
) -> list[tuple[int, int]]:
    """Text ranges of the lines in ``compact[start:end]`` that print a row table ``t`` of the official
    layout does not have (`gongkai.extract.added`), except lines holding an official row's label
    (``official``: compact positions where one was found). Their values belong to no official row."""
    tstart, tend = stream.to_text(start), stream.to_text(end)
    labels = sorted(stream.to_text(c) for c in official)
    out = []
    pos = tstart
    for line in stream.text[tstart:tend].split("\n"):
        a, b = pos, pos + len(line)
        pos = b + 1
        k = bisect.bisect_left(labels, a)  # the first label from the line's start on
        if not (k < len(labels) and labels[k] <= b) and added.added_row_label(line, layout_key, t):
            out.append((a, b))
    return out


def _outside(tokens: list[Token], lines: list[tuple[int, int]]) -> list[Token]:
    if lines and tokens:  # only the lines from the first token to the last (tokens are in text order)
        lines = [(a, b) for a, b in lines if a <= tokens[-1].tstart and b > tokens[0].tstart]
    if not lines:
        return list(tokens)
    return [tok for tok in tokens if not any(a <= tok.tstart < b for a, b in lines)]


def row_sources(
    stream: Stream,
    rows: tuple[template.Row, ...],
    table: template.Table,
    start: int,
    end: int,
    layout_key: str | None = None,
    grid_tokens: bool = True,
) -> dict[str, RowSource]:
    """Each row's tokens, from its label to the next row's; with ``layout_key``, the values of rows the
    official layout does not have are left out. Without ``grid_tokens``, a row read by its grid positions
    gets no tokens (they are only shown by ``--debug``)."""
    found = locate.find_rows(stream, rows, start, end)
    order = [f for f in (found.get(r.key) for r in rows) if f is not None]
    skip = (
        added_row_lines(stream, layout_key, table.key, start, end, (f.start for f in order))
        if layout_key
        else []
    )
    by_key = {r.key: r for r in rows}
    grid = True in stream.is_grid  # without grid lines no row is read by position
    out: dict[str, RowSource] = {}
    for i, f in enumerate(order):
        nxt = order[i + 1].start if i + 1 < len(order) else end
        positional = positional_cells(stream, f.end, len(table.columns_of(by_key[f.key]))) if grid else None
        if positional is not None and not grid_tokens:
            out[f.key] = RowSource(f.key, [], positional)
            continue
        tokens = _outside(tokens_between(stream, f.end, nxt, table.header_labels), skip)
        out[f.key] = RowSource(f.key, tokens, positional)
    for r in rows:
        out.setdefault(r.key, RowSource(r.key, found=False))
    return out


def trace_rows(
    stream: Stream, rows: tuple[template.Row, ...], table: template.Table, start: int, end: int
) -> list[dict]:
    """What the extractor matched for each row: the label as printed, its line, how the row was read
    (by grid position or from a token sequence) and the numeric tokens it saw. For ``--debug``."""
    found = locate.find_rows(stream, rows, start, end)
    sources = row_sources(stream, rows, table, start, end)
    out = []
    for r in rows:
        f = found.get(r.key)
        if f is None:
            out.append({"table": table.key, "row": r.key, "found": False})
            continue
        a, b = stream.to_text(f.start), stream.to_text(f.end - 1) + 1
        at = stream.span_at(a)
        src = sources[r.key]
        out.append(
            {
                "table": table.key,
                "row": r.key,
                "found": True,
                "label": stream.text[a:b].replace("\t", " ").replace("\n", " "),
                "line": at[2].line if at else None,
                "mode": "grid" if src.positional is not None else "tokens",
                "tokens": [t.text for t in src.tokens],
            }
        )
    return out


# ---------------------------------------------------------------- equations from the template


def equations(
    idents: Iterable[template.Identity], paths: Sequence[str], partial: bool = False
) -> list[solve.Equation]:
    """The template's identities over ``paths`` as equations on their indices. An identity that needs a
    cell outside ``paths`` is left out; with ``partial``, an open-left identity (``IdentityRule.open_left``)
    sums the items the document prints."""
    at = {p: i for i, p in enumerate(paths)}
    out: list[solve.Equation] = []
    for ident in idents:
        if not all(p in at for p in ident.right):
            continue
        left = tuple(at[p] for p in ident.left if p in at)
        if len(left) < len(ident.left) and not (partial and ident.open_left and left):
            continue
        out.append((left, tuple(at[p] for p in ident.right)))
    return out


def _row_equations(
    idents: Iterable[template.Identity], prefix: str, columns: Sequence[template.Column]
) -> list[solve.Equation]:
    """The identities within one row (``prefix`` = ``table3.new``), on its column indices."""
    return equations(idents, [f"{prefix}.{c.key}" for c in columns])


_ROW_SETUP: dict[tuple, tuple] = {}


def _row_setup(
    layout_key: str, table: template.Table, row: template.Row
) -> tuple[list[solve.Equation], list[solve.ColumnRule]]:
    """A row's own equations and column rules, from the template (so the same for every report): worked
    out once per layout, table and row. Shared: callers do not change them."""
    key = (layout_key, id(table), row.key)
    hit = _ROW_SETUP.get(key)
    if hit is None or hit[0] is not table:  # the entry holds its table, so its id is not reused
        columns = table.columns_of(row)
        eqs = _row_equations(template.identities(layout_key), f"{table.key}.{row.key}", columns)
        hit = _ROW_SETUP[key] = (table, eqs, _rules(columns))
    return hit[1], hit[2]


def _check(eqs: list[solve.Equation]):
    """A cross-row check for `solve.solve_table`: the chosen rows' values, laid end to end, satisfy
    ``eqs`` (unknowns filled in place)."""

    def check(values: list[list[solve.Value]]) -> bool:
        flat: list[solve.Value] = [v for row in values for v in row]
        if not solve.fill_unknowns(flat, eqs):
            return False
        at = 0
        for row in values:
            row[:] = flat[at : at + len(row)]
            at += len(row)
        return True

    return check


# ---------------------------------------------------------------- tables 二 and 三


def table3_layout(stream: Stream, lay: template.Layout, start: int, end: int) -> template.Layout:
    """The layout whose table 三 the document prints: a report may print the （六）其他处理 rows of an
    alternate layout (`template.Layout.alternates`); whichever the text has is used, never an invented
    row. A layout is recognised by its table-三 marker rows; one without markers is the fallback."""
    candidates = template.table3_candidates(lay.key)
    for cand in candidates:
        for key in cand.table3_markers:
            if locate.search_row(stream, cand.table3.row(key), start, end) is not None:
                return cand
    return next((c for c in candidates if not c.table3_markers), lay)


def read_table2(stream: Stream, lay: template.Layout, start: int, end: int) -> dict[str, Cell]:
    return read_rows(stream, lay, lay.table2, start, end)


def read_table3(stream: Stream, lay: template.Layout, start: int, end: int) -> dict[str, Cell]:
    printed = table3_layout(stream, lay, start, end)
    return read_rows(stream, printed, printed.table3, start, end)


def read_rows(
    stream: Stream, lay: template.Layout, table: template.Table, start: int, end: int
) -> dict[str, Cell]:
    """A table read row by row: each row's readings filtered by its own identities, then the readings
    of all rows chosen together by the identities that tie rows together (both from the template)."""
    idents = template.identities(lay.key)
    sources = row_sources(stream, table.rows, table, start, end, lay.key, grid_tokens=False)
    options: dict[str, list[solve.Reading]] = {}
    plain: dict[str, bool] = {}
    for row in table.rows:
        src = sources[row.key]
        if not src.found:
            continue
        columns = table.columns_of(row)
        if src.positional is not None:
            options[row.key] = [_positional_reading(stream, src.positional, _rules(columns))]
            plain[row.key] = True
            continue
        eqs, rules = _row_setup(lay.key, table, row)
        opts = solve.row_readings([t.text for t in src.tokens], rules, eqs)
        options[row.key] = opts
        plain[row.key] = len(opts) == 1 and (not eqs or all(k == solve.WHOLE for k in opts[0].kinds))
    _solve_across_rows(table, idents, options)
    cells: dict[str, Cell] = {}
    for row in table.rows:
        prefix, columns, src = f"{table.key}.{row.key}", table.columns_of(row), sources[row.key]
        if not src.found:
            cells.update(_missing_row(prefix, columns))
        elif src.positional is not None:
            cells.update(_positional_row(stream, prefix, columns, src.positional, options[row.key]))
        else:
            paths = _cell_paths(table, row)
            cells.update(_cells_from_verdicts(stream, paths, src, options[row.key], plain[row.key]))
    return cells


@by_identity
def _cell_paths(table: template.Table, row: template.Row) -> tuple[str, ...]:
    """The paths of a row's cells (``table3.new.natural`` …), in column order."""
    return tuple(f"{table.key}.{row.key}.{c.key}" for c in table.columns_of(row))


_ACROSS: dict[tuple, tuple[tuple, list[solve.Equation]]] = {}


def _equations_across(
    idents: tuple[template.Identity, ...], table: template.Table, row_keys: tuple[str, ...]
) -> list[solve.Equation]:
    """The identities over the cells of the rows ``row_keys`` of ``table``, laid end to end (open-left ones
    over the items printed): from the template only, so worked out once per layout, table and rows."""
    key = (id(idents), id(table), row_keys)
    hit = _ACROSS.get(key)
    if hit is None:  # the entry keeps the identities and the table, so their ids are not reused
        rows = [table.row(k) for k in row_keys]
        paths = [f"{table.key}.{r.key}.{c.key}" for r in rows for c in table.columns_of(r)]
        hit = _ACROSS[key] = ((idents, table), equations(idents, paths, partial=True))
    return hit[1]


def _solve_across_rows(
    table: template.Table, idents: tuple[template.Identity, ...], options: dict[str, list[solve.Reading]]
) -> None:
    """Where a row is open (several readings, or unknown cells), keep the readings that take part in a
    choice of all rows satisfying the identities; leave the options alone when no choice does."""
    present = [r for r in table.rows if r.key in options]
    if all(len(options[r.key]) == 1 and None not in options[r.key][0].values for r in present):
        return
    eqs = _equations_across(idents, table, tuple(r.key for r in present))
    if not eqs:
        return
    solved = solve.solve_table([options[r.key] for r in present], _check(eqs))
    if solved is not None:
        for r, opts in zip(present, solved, strict=True):
            options[r.key] = opts


def _positional_reading(
    stream: Stream, cells: list[Token | None], rules: list[solve.ColumnRule]
) -> solve.Reading:
    """One reading of a grid row. Blank cells are not unknowns to solve: they are blank, counted as zero
    for the cross-row check only, so that a grid full of blanks does not make every other row ambiguous.
    A doubtful OCR digit is an unknown: the identities decide its value."""
    values: list[solve.Value] = []
    for t, r in zip(cells, rules, strict=True):
        if t is None:
            values.append(0)
        elif t.doubtful(stream):
            values.append(None)
        else:
            values.append(solve.parse_number(t.text, _GRID_RULES[r.signed]))
    return solve.Reading(tuple(values), ("whole",) * len(values), (-1,) * len(values))


# ---------------------------------------------------------------- table 四


def read_table4(stream: Stream, lay: template.Layout, start: int, end: int) -> dict[str, Cell]:
    table = lay.table4
    columns = [(r.key, c) for r in table.rows for c in table.columns]
    paths = [f"table4.{g}.{c.key}" for g, c in columns]
    if start >= end:
        return {p: Cell(p, None, MISSING, note="原文未找到此表") for p in paths}
    rules = [solve.ColumnRule()] * len(paths)
    eqs = _table4_equations(template.identities(lay.key), table, paths)
    positional = _table4_grid(stream, start, end, len(paths))
    if positional is not None:
        reading = _positional_reading(stream, positional, rules)
        values = list(reading.values)
        solved = (
            [solve.Reading(tuple(values), reading.kinds, reading.tokens)]
            if solve.fill_unknowns(values, eqs)
            else []
        )
        cells = {}
        for i, ((g, c), tok) in enumerate(zip(columns, positional, strict=True)):
            one = [solve.Reading((r.values[i],), ("whole",), (-1,)) for r in solved]
            cells.update(_positional_row(stream, f"table4.{g}", (c,), [tok], one))
        return cells
    tokens = tokens_between(stream, start, end, table.header_labels)
    kept = _outside(tokens, added_row_lines(stream, lay.key, table.key, start, end))
    if len(kept) >= len(paths):  # else the labelled row is the table's one data row (案件数 0 1 …)
        tokens = kept
    options = solve.row_readings([t.text for t in tokens], rules, eqs)
    plain = len(options) == 1 and all(k == solve.WHOLE for k in options[0].kinds)
    return _cells_from_verdicts(stream, paths, RowSource("table4", tokens), options, plain)


_TABLE4: dict[tuple[int, int], tuple[tuple, list[solve.Equation]]] = {}


def _table4_equations(
    idents: tuple[template.Identity, ...], table: template.Table, paths: list[str]
) -> list[solve.Equation]:
    """Table 四's identities over its cells (``paths``, from ``table``): worked out once per layout."""
    key = (id(idents), id(table))
    hit = _TABLE4.get(key)
    if hit is None:  # the entry keeps the identities and the table, so their ids are not reused
        hit = _TABLE4[key] = ((idents, table), equations(idents, paths))
    return hit[1]


def _table4_grid(stream: Stream, start: int, end: int, ncells: int) -> list[Token | None] | None:
    """The table-四 values from grid rows holding only numbers or blanks (one row of 15, or 3 of 5)."""
    tstart, tend = stream.to_text(start), stream.to_text(end)
    lines = stream.text[tstart:tend].split("\n")
    offset = tstart
    found: list[Token | None] = []
    for line in lines:
        at = next((a for k in range(len(line)) if (a := stream.span_at(offset + k))), None)
        if at and stream.is_grid[at[0]]:
            cells = line.split("\t")
            if (
                cells
                and all(_BLANK_CELL.match(x) or _VALUE_CELL.match(x) for x in cells)
                and any(x.strip() for x in cells)
            ):
                pos = offset
                for x in cells:
                    m = None if _BLANK_CELL.match(x) else _NUMBER.search(x)
                    found.append(Token(m.group(0), pos + m.start(), pos + m.end()) if m else None)
                    pos += len(x) + 1
        offset += len(line) + 1
    while len(found) > ncells and found[-1] is None:
        found.pop()
    return found if len(found) == ncells else None


def row_readings(report: Report, table_key: str, row_key: str) -> list[tuple[solve.Value, ...]]:
    """Every reading of one row the report leaves open, as value tuples in template column order.

    A row whose cells are all known has one reading. A row with ambiguous cells is read again from its
    raw digits (kept on each ambiguous cell), so later stages can test each reading against rules that
    are not identities, such as the year-to-year document stock. Unreadable or missing cells give []."""
    table = template.layout(report.layout).table(table_key)
    row = next((r for r in table.rows if r.key == row_key), None)
    if row is None:
        return []
    columns = table.columns_of(row)
    found = [report.cells.get(f"{table_key}.{row_key}.{c.key}") for c in columns]
    cells = [c for c in found if c is not None]
    if len(cells) < len(found) or any(c.status in (UNREADABLE, MISSING) for c in cells):
        return []
    if all(c.status != AMBIGUOUS for c in cells):
        return [tuple(0 if c.status == BLANK else c.value for c in cells)]  # a blank cell counts as 0
    raw = next((c.raw for c in cells if c.status == AMBIGUOUS and c.raw), None)
    if raw is None:  # no digits kept to read again: the row stays open
        return []
    eqs, rules = _row_setup(report.layout, table, row)  # the template's, worked out once
    readings = solve.row_readings(raw.split(), rules, eqs)
    # keep only readings that agree with the cells the extractor did settle
    return [
        r.values
        for r in readings
        if all(
            c.status == AMBIGUOUS or (0 if c.status == BLANK else c.value) == v
            for c, v in zip(cells, r.values, strict=True)
        )
    ]
