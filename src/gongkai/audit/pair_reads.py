"""What the pair rules (`gongkai.audit.rules.cross`: C101–C103) read of a report besides its meta, so a store
loads no more for them (`gongkai.store.cross.load_for_pairs`) without importing the rules.
`tests/store/test_cross.py` checks that a report loaded this way gives a full load's findings."""

from __future__ import annotations

__all__ = ["PAIR_CELL_PREFIXES", "PAIR_SECTIONS"]

# C101 compares 上年结转 with last year's 结转下年度继续办理; C102 reads table 二's stock rows.
PAIR_CELL_PREFIXES = ("table2.", "table3.carried_over.", "table3.carried_forward.")
PAIR_SECTIONS = ("s1", "s5", "s6")  # compared sentence by sentence for copied text (C103)
