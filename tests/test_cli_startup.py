"""What a short `gongkai` run loads: only what its command needs (the start-up time itself is measured in
bench/bench_cli.py, never here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from gongkai.cli import app
from tests.clirunner import CliRunner

EXAMPLE = str(Path(__file__).resolve().parents[1] / "examples" / "pingtan_2021.txt")


def _modules_after(argv: list[str]) -> tuple[int, set[str], str]:
    """Exit code, top-level packages loaded and output of ``gongkai *argv`` run in a fresh interpreter."""
    code = (
        "import sys\n"
        f"sys.argv = ['gongkai', *{argv!r}]\n"
        "from gongkai.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as e:\n"
        "    code = e.code or 0\n"
        "else:\n"
        "    code = 0\n"
        "print('\\nMODULES', sorted({m.split('.')[0] for m in sys.modules}), code)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    body, _, tail = out.stdout.rpartition("\nMODULES ")
    names, _, exit_code = tail.rpartition(" ")
    return int(exit_code), set(json.loads(names.replace("'", '"'))), body


def test_parse_loads_neither_pydantic_nor_the_store():
    code, modules, out = _modules_after(["parse", EXAMPLE, "--format", "json"])
    assert code == 0
    assert json.loads(out)["meta"]["agency"]
    assert not modules & {"sqlalchemy", "click", "typer", "pydantic", "fastapi", "rich"}, modules
    assert "_hashlib" not in modules, "a text report is hashed without loading OpenSSL (gongkai.digest)"
    assert not modules & {"threading", "signal"}, "one text report is read in this process, no workers"
    assert "typing" not in modules, "gongkai's modules import typing only for the type checker"


def test_import_gongkai_is_light():
    code = "import sys, gongkai; print(sorted(m for m in sys.modules if 'gongkai' in m))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "gongkai.audit" not in out.stdout and "gongkai.template" not in out.stdout, out.stdout


def test_lazy_exports_of_the_package():
    import gongkai
    from gongkai import Cell, Finding, Parsed, Report, Settings, discover, parse, parse_many
    from gongkai.audit.finding import Finding as RealFinding
    from gongkai.model import Report as RealReport

    assert Report is RealReport and Finding is RealFinding
    assert all(callable(x) for x in (Cell, Parsed, Settings, discover, parse, parse_many))
    assert {"Report", "Finding", "parse_many"} <= set(dir(gongkai))
    try:
        gongkai.NoSuchThing  # noqa: B018
    except AttributeError as e:
        assert "NoSuchThing" in str(e)
    else:
        raise AssertionError("an unknown name must raise AttributeError")


def test_review_commands_are_there_on_demand():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("parse", "roster", "review", "version", "user", "score", "notice", "bulletin"):
        assert name in result.output
    code, _, out = _modules_after(["roster", "--help"])
    assert code == 0 and "import" in out


def test_a_usage_error_is_a_usage_error():
    code, _, _ = _modules_after(["parse", EXAMPLE, "--no-such-option"])
    assert code == 2  # a usage error, not an internal error (3)
    result = CliRunner().invoke(app, ["parse", EXAMPLE, "--no-such-option"])
    assert result.exit_code == 2 and "内部错误" not in result.output
