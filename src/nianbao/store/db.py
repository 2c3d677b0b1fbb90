"""Opening a corpus database: URLs, engines (SQLite in WAL mode, PostgreSQL through psycopg 3)
and the schema migrations, run on first use."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

DEFAULT_DB = "nianbao.db"


class StoreError(Exception):
    """A database that cannot be opened or used (the message is for the user, in Chinese)."""


def url_of(db: str | None) -> str:
    """A SQLAlchemy URL from what the user gave: a file path, sqlite:///…, or postgresql://…."""
    db = db or DEFAULT_DB
    if db.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser()}"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer; a kill loses no commit
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def engine_for(db: str | None) -> sa.Engine:
    """An engine for the corpus at `db` (the file is created when missing)."""
    url = url_of(db)
    try:
        engine = sa.create_engine(url, json_serializer=_dumps, future=True)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise StoreError(f"无法识别的数据库地址 {db!r}（{exc}）") from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite begins transactions lazily and never for DDL: let SQLAlchemy say BEGIN itself
        sa.event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    return engine


def _config(connection: sa.Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("nianbao.store") / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    with sa.create_engine("sqlite://").connect() as conn:
        return ScriptDirectory.from_config(_config(conn)).get_current_head() or ""


def current_revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: sa.Engine) -> bool:
    """Bring the schema to the newest revision; True when something was run."""
    head = head_revision()
    with engine.connect() as conn:
        if current_revision(conn) == head:
            return False
    with engine.begin() as conn:
        command.upgrade(_config(conn), "head")
    return True


def connect(db: str | None) -> sa.Engine:
    """An engine on a migrated corpus; StoreError when the server or file cannot be used."""
    engine = engine_for(db)
    try:
        migrate(engine)
    except sa.exc.OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"无法打开数据库 {db or DEFAULT_DB}（{reason}）") from None
    return engine


def new_revision(message: str, db: str = "sqlite:///:memory:") -> None:
    """Development: write the next migration, compared against schema.py, e.g.

        .venv/bin/python -c 'from nianbao.store.db import new_revision; new_revision("add x")'

    Review the file it writes under store/migrations/versions before committing it.
    """
    engine = engine_for(db)
    with engine.begin() as conn:
        command.upgrade(_config(conn), "head")
        command.revision(_config(conn), message, autogenerate=True)
