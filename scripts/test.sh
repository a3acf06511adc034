#!/usr/bin/env bash
# Run the linters and the whole test suite (installs first if the virtualenv is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/pytest ] || scripts/setup.sh --no-run
.venv/bin/ruff check src tests bench
.venv/bin/mypy  # configured in pyproject.toml ([tool.mypy]): src, strict optional, untyped bodies checked
.venv/bin/python -m pytest -q "$@"
