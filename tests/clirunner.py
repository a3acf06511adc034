"""Run the `gongkai` command line in this process, as the tests' harness: ``CliRunner().invoke(app, argv)``
captures what it writes to stdout and stderr (each alone, and both in order as ``output``) and returns the
exit code."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass


class _Tee(io.StringIO):
    """One stream's text, also copied into the shared ``output`` in the order it was written."""

    def __init__(self, shared: io.StringIO) -> None:
        super().__init__()
        self.shared = shared

    def write(self, s: str) -> int:
        self.shared.write(s)
        return super().write(s)


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    output: str


class CliRunner:
    def invoke(self, app: Callable[[Sequence[str]], int], args: Sequence[str]) -> Result:
        shared = io.StringIO()
        out, err = _Tee(shared), _Tee(shared)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = app([str(a) for a in args])
            sys.stdout.flush()
        return Result(code, out.getvalue(), err.getvalue(), shared.getvalue())
