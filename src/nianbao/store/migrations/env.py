"""Alembic environment: run on the connection nianbao hands over (store.db.migrate)."""

from __future__ import annotations

from alembic import context

from nianbao.store.schema import metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # `alembic` on the command line: -x url=sqlite:///nianbao.db
        from nianbao.store.db import engine_for

        url = context.get_x_argument(as_dictionary=True).get("url", "nianbao.db")
        with engine_for(url).begin() as conn:
            _configure(conn)
        return
    _configure(connection)


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run()
