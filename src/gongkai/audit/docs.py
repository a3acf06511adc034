"""``docs/rules.md`` generated from the registry: ``python -m gongkai.audit.docs > docs/rules.md``."""

from __future__ import annotations

import sys

from gongkai.audit.registry import CORPUS, PAIR, all_rules

HEADER = """<!-- generated: python -m gongkai.audit.docs > docs/rules.md (from the registry); do not edit -->
# Audit rules

Every rule `gongkai check` applies (`gongkai rules` prints this list). Codes are stable. Findings carry
`code`, `severity`, `message` (Chinese, naming cells by their official labels), `where` (key paths such as
`table3.total.natural_person` or a section key such as `s1`, with `span` for sentences) and `evidence`.

Groups: **T** table cells and identities · **L** layout and labels · **S** sections · **M** title and
period · **P** proofreading · **X** text versus tables · **C** across reports (consecutive years of one
agency, other agencies of the same year).

| code | name | severity | summary |
|---|---|---|---|
"""


def _block(text: str) -> str:
    return "\n".join("    " + line if line else "" for line in text.splitlines())


def render() -> str:
    rules = all_rules()
    out = [HEADER]
    for r in rules:
        out.append(f"| [{r.code}](#{r.code.lower()}) | {r.name} | {r.severity} | {r.summary} |\n")
    for r in rules:
        out.append(f"\n## {r.code}\n\n**{r.name}** · default severity `{r.severity}`")
        if r.scope == PAIR:
            out.append(" · compares a report with the same agency's report of the year before")
        if r.scope == CORPUS:
            out.append(" · compares a report with other agencies' reports of the same year checked with it")
        out.append(f"\n\n{r.summary}\n")
        if r.description:
            out.append(f"\n{r.description}\n")
        out.append(f"\nAnti-pattern:\n\n{_block(r.example('Anti-pattern'))}\n")
        out.append(f"\nBest practice:\n\n{_block(r.example('Best practice'))}\n")
    return "".join(out)


if __name__ == "__main__":
    sys.stdout.write(render())
