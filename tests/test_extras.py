"""Every ``gongkai[extra]`` a message or docstring tells the user to install is an extra pyproject.toml
defines (a message naming one that does not exist leaves the user stuck)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_extra_named_in_the_code_exists():
    extras = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["optional-dependencies"]
    )
    named: dict[str, set[str]] = {}
    for path in sorted((ROOT / "src").rglob("*.py")):
        for m in re.finditer(r"gongkai\[([a-z_,\- ]+)\]", path.read_text("utf-8")):
            for extra in m.group(1).split(","):
                named.setdefault(extra.strip(), set()).add(path.relative_to(ROOT).as_posix())
    assert named, "no extra named anywhere: the pattern is wrong"
    unknown = {e: sorted(files) for e, files in named.items() if e not in extras}
    assert not unknown, f"extras that pyproject.toml does not define: {unknown}"
