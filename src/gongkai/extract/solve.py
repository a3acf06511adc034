"""Readings of a row's digits and the identities that choose between them. Pure functions over plain values.

A row's source text gives a sequence of numeric *tokens*. When there is one token per cell the row reads
plainly. Otherwise the tokens admit several *readings*: a glued run (``640020470``) splits into cells in
many ways, and a row that prints fewer numbers than it has cells leaves some cells *missing* (unknown
values, to be inferred). The identities of the template keep the readings that add up:
``row_readings`` applies a row's own identities, ``solve_table`` the identities that tie rows together.
If one set of values remains, the cells are known (``inferred`` where a split or a missing cell was
involved); if several remain, the differing cells are ambiguous and their candidates are reported.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (~3 ms of a short command)
if TYPE_CHECKING:
    from fractions import Fraction

Number = int | float
Value = Number | None  # None = unknown (missing in the source)

# How each cell of a reading came about.
WHOLE = "whole"  # a whole token
SPLIT = "split"  # part of a glued token
MISSING = "missing"  # no digits in the source for this cell

MAX_READINGS = 4000
MAX_COMBINATIONS = 20000


@dataclass(frozen=True)
class ColumnRule:
    """What a column's values may be: decimals (money), negative (an increase/decrease)."""

    decimal: bool = False
    signed: bool = False


@dataclass(frozen=True)
class Reading:
    """One way to read a row: a value and its kind per cell, and the token each came from."""

    values: tuple[Value, ...]
    kinds: tuple[str, ...]
    tokens: tuple[int, ...]  # index of the token each cell came from (-1 for missing)


def parse_number(piece: str, rule: ColumnRule) -> Number | None:
    """The number a piece of digits spells for this column, or None if it cannot be this column's value."""
    negative = piece.startswith("-")
    body = piece[1:] if negative else piece
    if "," in body:  # thousands separators: only a well-formed whole number, never part of a glued run
        groups = body.split(".")[0].split(",")
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            return None
        body = body.replace(",", "")
    if not body or (negative and not rule.signed):
        return None
    if "." in body:
        if not rule.decimal:
            return None
        whole, _, frac = body.partition(".")
        if not whole or not frac or (len(whole) > 1 and whole[0] == "0"):
            return None
        value: Number = float(body)
    else:
        if len(body) > 1 and body[0] == "0":
            return None  # a count is never printed with a leading zero: "07" is "0","7"
        value = int(body)
    return -value if negative else value


def digit_count(token: str) -> int:
    return sum(ch.isdigit() for ch in token)


def enumerate_readings(
    tokens: Sequence[str], rules: Sequence[ColumnRule], equations: Sequence[Equation] = ()
) -> list[Reading]:
    """Every way to lay ``tokens`` over the columns, in order, splitting glued tokens and leaving cells
    missing only when there are too few digits to fill them. An equation whose cells are all known is
    checked as soon as its last cell is laid, to cut the search short. Capped at ``MAX_READINGS``."""
    ncols = len(rules)
    if not tokens:
        return [Reading((None,) * ncols, (MISSING,) * ncols, (-1,) * ncols)]
    # pieces_from[i][pos]: pieces token i can still give from ``pos`` on; digits_after[i]: the tokens after i
    digits_in = [_suffix_digits(t) for t in tokens]
    pieces_from = [_suffix_pieces(t, d) for t, d in zip(tokens, digits_in, strict=True)]
    digits_after = [sum(p[0] for p in pieces_from[i + 1 :]) for i in range(len(tokens))]
    missing_budget = max(0, ncols - sum(p[0] for p in pieces_from))
    # The equations closing at each column: their cells (left ones first) and how many are on the left.
    closing: dict[int, list[tuple[tuple[int, ...], int]]] = {}
    for left, right in equations:
        cells = (*left, *right)
        closing.setdefault(max(cells), []).append((cells, len(left)))
    heavy = _bounds(rules, equations)
    digits_from = _digits_from(digits_in)
    out: list[Reading] = []
    # The cells laid so far, by column: a column's entry is set when the walk lays it, so the entries up to
    # the current column are always the current path's (later ones are stale, and never read).
    values: list[Value] = [None] * ncols
    kinds: list[str] = [MISSING] * ncols
    origins: list[int] = [-1] * ncols
    ntokens = len(tokens)
    # The number a piece (token, start, end) spells under a column's rule, worked out once: the search
    # meets the same piece under the same rule many times.
    rule_keys = [(r.decimal, r.signed) for r in rules]
    parsed: dict[tuple, Number | None] = {}

    def parse(ti: int, pos: int, end: int, col: int) -> Number | None:
        key = (ti, pos, end, rule_keys[col])
        if key in parsed:
            return parsed[key]
        piece = tokens[ti][pos:end]
        value = None if piece.endswith((".", "-")) else parse_number(piece, rules[col])
        parsed[key] = value
        return value

    def walk(ti: int, pos: int, col: int, missing_left: int) -> None:
        if len(out) >= MAX_READINGS:
            return
        # Feasible: the columns left can take the tokens left (each at least one cell, at most a digit a
        # cell) and the cells left missing.
        cols_left = ncols - col
        if ti == ntokens:
            if cols_left > missing_left:
                return
        elif not ntokens - ti <= cols_left <= pieces_from[ti][pos] + digits_after[ti] + missing_left:
            return
        if col == ncols:
            if ti == ntokens:
                out.append(Reading(tuple(values), tuple(kinds), tuple(origins)))
            return
        if missing_left:
            values[col], kinds[col], origins[col] = None, MISSING, -1
            walk(ti, pos, col + 1, missing_left - 1)
        if ti == ntokens:
            return
        token = tokens[ti]
        size = len(token)
        need = ncols - col - 1 - missing_left - digits_after[ti]
        ends = _piece_ends(token, pos, pieces_from[ti], need)
        if ntokens - ti > ncols - col - 1:  # as many tokens left as columns: this one is laid whole
            ends = (size,) if size in ends else ()
        for end in ends:
            value = parse(ti, pos, end, col)
            if value is None:
                continue
            values[col], kinds[col], origins[col] = value, WHOLE if pos == 0 and end == size else SPLIT, ti
            if _balanced(values, col, closing, heavy, digits_from[ti][end] - (ncols - 1 - col), missing_left):
                if end == size:
                    walk(ti + 1, 0, col + 1, missing_left)
                else:
                    walk(ti, end, col + 1, missing_left)

    walk(0, 0, 0, missing_budget)
    return out


def _digits_from(digits_in: list[list[int]]) -> list[list[int]]:
    """``[i][pos]``: the digits in token ``i`` from ``pos`` on and in the tokens after it, from the digits
    in each token from each position on (`_suffix_digits`)."""
    out = list(digits_in)
    for i in range(len(out) - 2, -1, -1):
        out[i] = [d + out[i + 1][0] for d in out[i]]
    return out


def _suffix_digits(token: str) -> list[int]:
    """``[pos]``: `digit_count` of ``token[pos:]``, for every ``pos`` up to ``len(token)``."""
    out = [0] * (len(token) + 1)
    for pos in range(len(token) - 1, -1, -1):
        out[pos] = out[pos + 1] + token[pos].isdigit()
    return out


def _suffix_pieces(token: str, digits: list[int]) -> list[int]:
    """``[pos]``: `_max_pieces` of ``token[pos:]``, for every ``pos`` up to ``len(token)``, from the digits
    there (`_suffix_digits`)."""
    out = [0] * (len(token) + 1)
    dots = 0
    comma = False
    for pos in range(len(token) - 1, -1, -1):
        dots += token[pos] == "."
        comma = comma or token[pos] == ","
        out[pos] = 1 if comma else max(1, digits[pos] - dots)
    return out


def _balanced(
    values: list[Value],
    col: int,
    closing: dict[int, list[tuple[tuple[int, ...], int]]],
    heavy: dict[int, list[tuple[list[int], int]]],
    spare: int,
    missing_left: int,
) -> bool:
    """The equations closing at ``col`` hold, and (when no cell is left missing) none is already heavier
    on its left than its right cells can be: ``spare`` digits are left once every later column has one,
    and the right cells share them."""
    for indices, nleft in closing.get(col, ()):
        cells = [values[i] for i in indices]
        if None not in cells and sum(cells[:nleft]) != sum(cells[nleft:]):  # type: ignore[arg-type]
            return False
    if not missing_left and col in heavy:
        for laid, nright in heavy[col]:
            digits = spare + nright  # the right cells' own digit each, and the spare ones
            most = 10**digits - 1 if digits > 0 else 0
            cells = [values[i] for i in laid]
            if None not in cells and sum(cells) > nright * most:  # type: ignore[arg-type]
                return False
    return True


def _bounds(
    rules: Sequence[ColumnRule], equations: Sequence[Equation]
) -> dict[int, list[tuple[list[int], int]]]:
    """Per column ``c``: the equations whose right side lies wholly after ``c`` while part of the left is
    laid, with no negative column: (the left cells laid by then, the number of right cells). When a
    left side already sums to more than its right cells can (the digits still to come, in each), no
    reading of the rest of the row satisfies it."""
    out: dict[int, list[tuple[list[int], int]]] = {}
    for left, right in equations:
        if not left or not right or any(rules[i].signed for i in (*left, *right)):
            continue
        for c in range(min(left), min(right)):
            out.setdefault(c, []).append(([i for i in left if i <= c], len(right)))
    return out


def _piece_ends(token: str, pos: int, pieces_from: list[int], need: int) -> Sequence[int]:
    """Where the piece of ``token`` starting at ``pos`` may end: anywhere (a token with thousands
    separators only whole), as long as the rest of the token still gives the ``need`` pieces the later
    columns lack. A longer piece leaves fewer, so the ends stop at the first that leaves too few (the
    test ``feasible`` would make one step later)."""
    size = len(token)
    if "," in token:
        return (size,) if pieces_from[size] >= need else ()
    end = pos + 1
    if token[pos] == "0" and token[end : end + 1] != ".":  # no count starts with 0: "07" is "0", "7"
        return range(end, end + 1) if pieces_from[end] >= need else ()
    while end <= size and pieces_from[end] >= need:
        end += 1
    return range(pos + 1, end)


def digit_cells(tokens: Sequence[str], ncols: int, equations: Sequence[Equation]) -> list[Reading]:
    """What ``enumerate_readings`` gives when the tokens are plain digits, no more of them than columns
    (a glued ``0000000`` for seven columns, the commonest glued row, or six ``0`` for seven): every digit
    is then a cell of its own, and the readings are the ways to place the missing cells among them, in
    the same order (missing cells as early as possible first), each kept if its known cells add up."""
    digits = [int(ch) for t in tokens for ch in t]
    digit_kinds = [WHOLE if len(t) == 1 else SPLIT for t in tokens for _ in t]
    digit_tokens = [ti for ti, t in enumerate(tokens) for _ in t]
    if len(digits) == ncols:  # no cell missing: one way, if it adds up
        if all(sum(digits[i] for i in left) == sum(digits[i] for i in right) for left, right in equations):
            return [Reading(tuple(digits), tuple(digit_kinds), tuple(digit_tokens))]
        return []
    out: list[Reading] = []
    for missing in itertools.combinations(range(ncols), ncols - len(digits)):
        values: list[Value] = [None] * ncols
        kinds = [MISSING] * ncols
        origins = [-1] * ncols
        cols = [c for c in range(ncols) if c not in missing]
        for k, c in enumerate(cols):
            values[c], kinds[c], origins[c] = digits[k], digit_kinds[k], digit_tokens[k]
        if all(_holds(values, eq) for eq in equations):
            out.append(Reading(tuple(values), tuple(kinds), tuple(origins)))
            if len(out) >= MAX_READINGS:
                break
    return out


def _holds(values: Sequence[Value], equation: Equation) -> bool:
    """False only if every cell of ``equation`` is known and the two sides differ."""
    left, right = equation
    if any(values[i] is None for i in (*left, *right)):
        return True
    return sum(values[i] for i in left) == sum(values[i] for i in right)  # type: ignore[misc]


def _max_pieces(token: str) -> int:
    if not token:
        return 0
    if "," in token:
        return 1
    return max(1, digit_count(token) - token.count("."))


# ---------------------------------------------------------------- equations

# An equation is (left column indices, right column indices): sum(left) == sum(right).
Equation = tuple[tuple[int, ...], tuple[int, ...]]


def _exact_sum(values: Sequence[Value], indices: Sequence[int]) -> int | Fraction:
    """The exact sum of the known values at ``indices``: ints added as they are (the common case, and fast),
    decimals as fractions."""
    total: int | Fraction = 0
    for i in indices:
        v = values[i]
        if isinstance(v, int):
            total += v
        elif v is not None:
            from fractions import Fraction  # only decimals need it: most reports have none

            total += Fraction(str(v))
    return total


def fill_unknowns(values: list[Value], equations: Sequence[Equation]) -> bool:
    """Solve equations with exactly one unknown, repeatedly. False if an equation is violated or a
    solved value is not a non-negative integer; unknowns that stay unknown are left as None."""
    changed = True
    while changed:
        changed = False
        for left, right in equations:
            unknown = [i for i in (*left, *right) if values[i] is None]
            if len(unknown) > 1:
                continue
            lsum = _exact_sum(values, left)
            rsum = _exact_sum(values, right)
            if not unknown:
                if lsum != rsum:
                    return False
                continue
            u = unknown[0]
            solved = rsum - lsum if u in left else lsum - rsum
            if solved < 0 or solved.denominator != 1:
                return False
            values[u] = int(solved)
            changed = True
    return True


def row_readings(
    tokens: Sequence[str], rules: Sequence[ColumnRule], equations: Sequence[Equation]
) -> list[Reading]:
    """Readings of one row that satisfy the row's own equations (unknowns solved where they can be).

    A row printed plainly (one token per cell) has exactly one reading, kept even when it breaks an
    equation: that is what the source says, and the audit reports it."""
    if len(tokens) == len(rules):
        plain = [parse_number(t, r) for t, r in zip(tokens, rules, strict=True)]
        if None not in plain:
            n = len(rules)
            return [Reading(tuple(plain), (WHOLE,) * n, tuple(range(n)))]
    if sum(map(len, tokens)) <= len(rules) and all(t.isdecimal() for t in tokens):
        readings = digit_cells(tokens, len(rules), equations)
        if len(readings) == 1 and None not in readings[0].values:
            return readings  # one digit a cell, every equation checked (whole numbers: exactly)
    else:
        readings = enumerate_readings(tokens, rules, equations)
    kept: dict[tuple[Value, ...], Reading] = {}
    for r in readings:
        values = list(r.values)
        if not fill_unknowns(values, equations):
            continue
        key = tuple(values)
        if key not in kept or _plainer(r, kept[key]):
            kept[key] = Reading(key, r.kinds, r.tokens)
    return list(kept.values())


def _plainer(a: Reading, b: Reading) -> bool:
    return a.kinds.count(WHOLE) > b.kinds.count(WHOLE)


# ---------------------------------------------------------------- several rows


@dataclass
class CellVerdict:
    """One cell's outcome over a row's surviving readings: its value, status and the candidates."""

    value: Value
    status: str  # read / inferred / ambiguous / unreadable
    candidates: list[Value]


def verdicts(options: Sequence[Reading], plain: bool) -> list[CellVerdict]:
    """Per-cell outcome for one row given its surviving readings."""
    if not options:
        return []
    ncols = len(options[0].values)
    if len(options) == 1:  # the common case: one reading, every cell known unless it is missing
        one = options[0]
        return [
            CellVerdict(None, "ambiguous", [])
            if value is None
            else CellVerdict(value, "read" if plain and kind == WHOLE else "inferred", [])
            for value, kind in zip(one.values, one.kinds, strict=True)
        ]
    out = []
    for c in range(ncols):
        values = sorted({r.values[c] for r in options}, key=_sort_key)
        if len(values) == 1 and values[0] is not None:
            whole = all(r.kinds[c] == WHOLE for r in options)
            out.append(CellVerdict(values[0], "read" if whole and plain else "inferred", []))
        else:
            out.append(CellVerdict(None, "ambiguous", [v for v in values if v is not None]))
    return out


def _sort_key(v: Value) -> tuple[int, float]:
    return (1, 0.0) if v is None else (0, float(v))


def solve_table(
    rows: Sequence[Sequence[Reading]],
    check: Callable[[list[list[Value]]], bool | None],
) -> list[list[Reading]] | None:
    """Choose one reading per row so that ``check`` (the cross-row identities) holds.

    ``check`` receives the chosen values (it may fill unknowns in place) and returns True/False.
    Returns, per row, the readings that take part in at least one consistent choice, or None when no
    choice is consistent (then the caller falls back to each row's own readings)."""
    sizes = [len(r) for r in rows]
    if any(s == 0 for s in sizes):
        return None
    total = 1
    for s in sizes:
        total *= s
        if total > MAX_COMBINATIONS:
            return None
    used: list[dict[tuple[Value, ...], Reading]] = [{} for _ in rows]
    for choice in itertools.product(*rows):
        values = [list(r.values) for r in choice]
        if not check(values):
            continue
        for i, (r, vals) in enumerate(zip(choice, values, strict=True)):
            key = tuple(vals)
            used[i].setdefault(key, Reading(key, r.kinds, r.tokens))
    if not any(used[0]):
        return None
    return [list(u.values()) for u in used]
