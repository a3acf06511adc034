"""The rule registry: every rule has a stable code, a name, a default severity and a documented check.

A rule is a function decorated with :func:`rule`. Its docstring's first line is the summary; the sections
``Anti-pattern:`` and ``Best practice:`` give a failing and a passing example (they feed ``docs/rules.md``).
Report rules take a `Report`; pair rules (``scope="pair"``) take the report and the same agency's report of
the year before; corpus rules (``scope="corpus"``) take the report and the other agencies' reports of the
same year among those checked together (a database). All yield `Finding`s. Registering a code twice is
refused.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from gongkai.audit.finding import SEVERITIES, Finding

REPORT = "report"
PAIR = "pair"
CORPUS = "corpus"  # the report and the other agencies' reports of the same year in the set checked
_CODE = re.compile(r"^[A-Z]\d{3}$")


class RegistryError(ValueError):
    """A rule definition is invalid (duplicate code, bad severity, missing documentation)."""


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    scope: str
    func: Callable[..., Iterable[Finding]]

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.func.__doc__ or "")

    @property
    def summary(self) -> str:
        return self.doc.split("\n", 1)[0].strip()

    def example(self, kind: str) -> str:
        """The ``Anti-pattern`` or ``Best practice`` example block of the docstring ("" if absent)."""
        m = re.search(rf"^{re.escape(kind)}:\s*\n(.*?)(?=^\S[^\n]*:\s*$|\Z)", self.doc, re.M | re.S)
        return inspect.cleandoc(m.group(1)) if m else ""

    @property
    def description(self) -> str:
        """The docstring between the summary and the examples."""
        body = self.doc.split("\n", 1)[1] if "\n" in self.doc else ""
        return body.split("Anti-pattern:", 1)[0].strip()

    def run(self, *reports) -> list[Finding]:
        """The rule's findings, each a copy with the rule's code and name and, unless the rule chose one,
        its default severity."""
        out = []
        code, name, severity = self.code, self.name, self.severity
        for f in self.func(*reports) or ():
            if (
                type(f) is Finding
            ):  # the usual case, made directly: dataclasses.replace is several times dearer
                out.append(
                    Finding(f.message, f.where, f.evidence, f.span, code, f.severity or severity, name)
                )
            else:
                out.append(replace(f, code=code, name=name, severity=f.severity or severity))
        return out


_RULES: dict[str, Rule] = {}


def register(r: Rule) -> Rule:
    if not _CODE.match(r.code):
        raise RegistryError(f"rule code {r.code!r} must be a letter and three digits")
    if r.code in _RULES:
        raise RegistryError(f"duplicate rule code {r.code} ({_RULES[r.code].name} and {r.name})")
    if r.severity not in SEVERITIES:
        raise RegistryError(f"rule {r.code}: unknown severity {r.severity!r}")
    if r.scope not in (REPORT, PAIR, CORPUS):
        raise RegistryError(f"rule {r.code}: unknown scope {r.scope!r}")
    _RULES[r.code] = r
    return r


def rule(code: str, name: str, severity: str, scope: str = REPORT):
    """Decorator: register ``func`` as rule ``code``."""

    def wrap(func):
        register(Rule(code, name, severity, scope, func))
        return func

    return wrap


def all_rules() -> list[Rule]:
    """Every registered rule, ordered by code."""
    from gongkai.audit import rules  # noqa: F401 - importing registers the catalogue

    return [_RULES[c] for c in sorted(_RULES)]


def get(code: str) -> Rule:
    all_rules()
    return _RULES[code]
