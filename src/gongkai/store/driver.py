"""Statements run on the driver's cursor: for the store's hot paths (an ingest's writer, its workers), where
SQLAlchemy's work for each row or result cost more than the SQL itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.sql.compiler import SQLCompiler

__all__ = ["driver_rows", "insert_rows"]

_COMPILED: dict[tuple[str, int], SQLCompiler] = {}  # (dialect, statement) → the statement compiled


def driver_rows(c: Connection, statement, **params: Any) -> Sequence:
    """The rows of ``statement`` (one built once, at import: it is compiled once per dialect, by its id) run
    on the driver's cursor, values as the driver gives them (JSON as text on SQLite, decoded on
    PostgreSQL): SQLAlchemy's result objects cost more than the small queries a worker runs for each
    document, or than the query itself when it returns many narrow rows."""
    key = (c.dialect.name, id(statement))
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = _COMPILED[key] = statement.compile(dialect=c.dialect)
    values = compiled.construct_params(params)  # with the statement's own (the LIMIT)
    arguments = tuple(values[k] for k in compiled.positiontup or ()) if compiled.positional else values
    cursor = c.connection.cursor()
    try:
        cursor.execute(compiled.string, arguments)
        return cursor.fetchall()
    finally:
        cursor.close()


def insert_rows(c: Connection, table, keys: Sequence[str], rows: list[tuple]) -> None:
    """INSERT ``rows`` (tuples of the columns ``keys``, in that order) into ``table`` with one prepared
    statement, the values handed to the driver as they are (plain values: ints, floats, text, bools, None,
    JSON already serialised)."""
    if not rows:
        return
    compiled = insert(table).compile(dialect=c.dialect, column_keys=list(keys))
    if compiled.positional:
        order = [keys.index(k) for k in compiled.positiontup or ()]
        params: list = rows if order == list(range(len(keys))) else [tuple(r[i] for i in order) for r in rows]
    else:
        params = [dict(zip(keys, r, strict=True)) for r in rows]
    c.exec_driver_sql(compiled.string, params)
