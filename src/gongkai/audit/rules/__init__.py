"""The rule catalogue: importing this package registers every rule (one module per rule or small group)."""

from gongkai.audit.rules import (  # noqa: F401
    cells,
    cross,
    identities,
    layout,
    meta,
    prose,
    regions,
    sections,
    structure,
    text_tables,
    timeliness,
)
