from gongkai.extract import solve
from gongkai.extract.solve import ColumnRule, Reading

ROW = [ColumnRule()] * 7
ROW_TOTAL = [(tuple(range(6)), (6,))]


def values(readings: list[Reading]) -> set[tuple]:
    return {r.values for r in readings}


def test_plain_row_has_one_reading_even_if_it_breaks_the_identity():
    readings = solve.row_readings(["1", "2", "0", "0", "0", "0", "9"], ROW, ROW_TOTAL)
    assert values(readings) == {(1, 2, 0, 0, 0, 0, 9)}


def test_glued_row_split_by_row_total():
    readings = solve.row_readings(["640020470"], ROW, ROW_TOTAL)
    assert (64, 0, 0, 2, 0, 4, 70) in values(readings)
    assert all(sum(v[:6]) == v[6] for v in values(readings))


def test_no_leading_zeros():
    assert solve.parse_number("07", ColumnRule()) is None
    assert solve.parse_number("0", ColumnRule()) == 0
    assert solve.parse_number("-3", ColumnRule()) is None
    assert solve.parse_number("-3", ColumnRule(signed=True)) == -3
    assert solve.parse_number("2.5", ColumnRule()) is None
    assert solve.parse_number("2.5", ColumnRule(decimal=True)) == 2.5


def test_missing_cell_is_inferred_from_the_row_total():
    # Six numbers for seven cells: every placement gives the same values once the total is solved.
    readings = solve.row_readings(["0"] * 6, ROW, ROW_TOTAL)
    assert values(readings) == {(0,) * 7}
    assert all(solve.MISSING in r.kinds for r in readings)


def test_missing_cell_placements_that_disagree_stay_apart():
    readings = solve.row_readings(["1", "0", "0", "0", "0", "1"], ROW, ROW_TOTAL)
    assert values(readings) == {(0, 1, 0, 0, 0, 0, 1), (1, 0, 0, 0, 0, 0, 1), (1, 0, 0, 0, 0, 1, 2)}


def test_solve_table_picks_the_reading_the_column_totals_allow():
    # Row A is "1 0 0 0 0 1" with a missing cell; the total row says column 2 holds 0.
    a = solve.row_readings(["1", "0", "0", "0", "0", "1"], ROW, ROW_TOTAL)
    total = [Reading((1, 0, 0, 0, 0, 0, 1), ("whole",) * 7, tuple(range(7)))]

    def check(vals):
        return all(vals[0][c] == vals[1][c] for c in range(7))

    solved = solve.solve_table([a, total], check)
    assert solved is not None
    assert values(solved[0]) == {(1, 0, 0, 0, 0, 0, 1)}


def test_solve_table_none_when_nothing_fits():
    a = [Reading((1,), ("whole",), (0,))]
    assert solve.solve_table([a], lambda vals: False) is None


def test_verdicts_mark_ambiguity_with_candidates():
    readings = solve.row_readings(["693665"], [ColumnRule()] * 3, [])
    verdicts = solve.verdicts(readings, plain=False)
    assert all(v.status == "ambiguous" for v in verdicts)
    assert 69 in verdicts[0].candidates and 665 in verdicts[2].candidates


def test_fill_unknowns_rejects_negative_solutions():
    vals = [5, None, 3]
    assert not solve.fill_unknowns(vals, [((0, 1), (2,))])
    vals = [1, None, 3]
    assert solve.fill_unknowns(vals, [((0, 1), (2,))]) and vals[1] == 2


def test_digit_cells_give_what_the_full_search_gives():
    import random

    rng = random.Random(7)
    for _ in range(3000):
        ncols = rng.randint(1, 9)
        tokens = [
            "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 3)))
            for _ in range(rng.randint(0, 4))
        ]
        if sum(map(len, tokens)) > ncols:
            continue
        eqs = [(tuple(range(ncols - 1)), (ncols - 1,))] if ncols > 1 and rng.random() < 0.7 else []
        if ncols > 3 and rng.random() < 0.5:
            eqs.append(((0,), (1, 2)))
        rules = [ColumnRule(decimal=rng.random() < 0.3, signed=rng.random() < 0.3) for _ in range(ncols)]
        assert solve.digit_cells(tokens, ncols, eqs) == solve.enumerate_readings(tokens, rules, eqs), (
            tokens,
            ncols,
            eqs,
        )


def _every_reading(tokens, rules, equations):
    """The readings by brute force: every split of every token over the columns, in search order, kept
    when each equation whose cells are all known holds (what `solve.enumerate_readings` prunes its way to)."""
    ncols = len(rules)
    budget = max(0, ncols - sum(solve._max_pieces(t) for t in tokens))
    out = []

    def lay(ti, pos, cells, missing):
        if len(cells) == ncols:
            if ti == len(tokens):
                out.append(cells)
            return
        if missing:
            lay(ti, pos, [*cells, (None, solve.MISSING, -1)], missing - 1)
        if ti == len(tokens):
            return
        token = tokens[ti]
        for end in (len(token),) if "," in token else range(pos + 1, len(token) + 1):
            piece = token[pos:end]
            value = None if piece.endswith((".", "-")) else solve.parse_number(piece, rules[len(cells)])
            if value is not None:
                kind = solve.WHOLE if pos == 0 and end == len(token) else solve.SPLIT
                nxt = (ti + 1, 0) if end == len(token) else (ti, end)
                lay(*nxt, [*cells, (value, kind, ti)], missing)

    lay(0, 0, [], budget)
    kept = []
    for cells in out:
        values = [c[0] for c in cells]
        if all(
            None in [values[i] for i in (*left, *right)]
            or sum(values[i] for i in left) == sum(values[i] for i in right)
            for left, right in equations
        ):
            kept.append(Reading(tuple(values), tuple(c[1] for c in cells), tuple(c[2] for c in cells)))
    return kept


def test_the_search_finds_every_reading_the_brute_force_finds_in_the_same_order():
    import random

    rng = random.Random(11)
    for _ in range(1500):
        ncols = rng.randint(1, 7)
        tokens = [
            "".join(rng.choice("0000123456789") for _ in range(rng.randint(1, 6)))
            for _ in range(rng.randint(1, 3))
        ]
        if rng.random() < 0.3:  # a decimal, as the tokenizer gives it: digits, one point, digits
            tokens[0] += "." + str(rng.randint(0, 99))
        rules = [ColumnRule(decimal=rng.random() < 0.3) for _ in range(ncols)]
        eqs = [(tuple(range(ncols - 1)), (ncols - 1,))] if ncols > 1 else []
        if ncols > 3 and rng.random() < 0.5:
            eqs.append(((1, 2), (0,)))
        assert solve.enumerate_readings(tokens, rules, eqs) == _every_reading(tokens, rules, eqs), (
            tokens,
            eqs,
        )
