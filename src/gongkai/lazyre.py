"""Regular expressions compiled on first use.

A module names its patterns at the top, as usual, but a run pays only for those it uses: compiling is
most of a short command's start-up (a CJK class such as ``[\\u4e00-\\u9fff]`` alone takes about a
millisecond, and a plain-text report never meets the patterns written for PDFs or web pages).

>>> _YEAR = lazy_compile(r"(20[1-3]\\d)年")   # nothing compiled yet
>>> _YEAR.search("2023年度").group(1)         # compiled here, once
'2023'
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (~3 ms of a short command)
if TYPE_CHECKING:
    from typing import Any, AnyStr


class _LazyPattern:
    """Stands for ``re.compile(pattern, flags)`` until the first attribute is asked for."""

    def __init__(self, pattern: str | bytes, flags: int = 0) -> None:
        self.pattern = pattern
        self._flags = flags

    def __getattr__(self, name: str) -> Any:
        # Reached only for a name not yet on the instance: the first use of each method. The compiled
        # pattern's attribute is kept on the instance, so later calls cost what a compiled pattern's do.
        value = getattr(re.compile(self.pattern, self._flags), name)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"lazy_compile({self.pattern!r})"


def lazy_compile(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """``re.compile(pattern, flags)``, done the first time the pattern is used."""
    return _LazyPattern(pattern, flags)  # type: ignore[return-value]
