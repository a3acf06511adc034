"""Alembic environment for the gongkai store. `gongkai.store.db.open_store` runs it with an open connection
(``config.attributes["connection"]``); offline mode (``alembic upgrade --sql``) writes SQL for the URL in
``sqlalchemy.url``."""

from __future__ import annotations

from alembic import context

from gongkai.store.schema import metadata

config = context.config


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes["connection"]
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
