"""Opening a corpus database: URLs, engines (SQLite in WAL mode, PostgreSQL through psycopg 3),
write transactions that several processes can run at once, and the schema migrations, run on
first use.

Two `nianbao ingest` runs may write the same corpus at the same time. Every write transaction
goes through :func:`write`: it takes the database's write lock first (SQLite ``BEGIN IMMEDIATE``,
PostgreSQL a transaction-level advisory lock for the schema), so what it reads inside is what it
writes against, and it is run again from the start when the database stays locked past the busy
timeout or another writer took a unique key first. The migration runs under the same lock and
checks the revision again once it holds it, so a new database is migrated once.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from ..errors import UserError

DEFAULT_DB = "nianbao.db"
BUSY_MS = 60_000  # SQLite: how long a statement waits for another process's lock
RETRIES = 5  # a write transaction is tried this many times more (locked, deadlock, a key taken)
WRITE_LOCK = 0x6E62  # PostgreSQL advisory lock class "nb"; the second key is the schema's hash
_WRITE = "nianbao_write"  # execution option: begin with the write lock (BEGIN IMMEDIATE)
_RETRY_SQLSTATES = ("40001", "40P01", "55P03")  # serialization failure, deadlock, lock not available
_PG_LOCK = sa.text("SELECT pg_advisory_xact_lock(:cls, hashtext(coalesce(current_schema(), '')))")
T = TypeVar("T")


class StoreError(UserError):
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
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_MS}")  # first: switching to WAL waits for other openers
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer; a kill loses no commit
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    # IMMEDIATE takes the write lock at once (waiting up to the busy timeout): a deferred
    # transaction that read first could not get it later when another writer committed meanwhile
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def engine_for(db: str | None) -> sa.Engine:
    """An engine for the corpus at `db` (the file is created when missing)."""
    url = url_of(db)
    try:
        engine = sa.create_engine(url, json_serializer=_dumps, future=True)
    except (sa.exc.ArgumentError, ImportError):
        raise StoreError(f"无法识别的数据库地址 {db!r}（应为 SQLite 文件路径或 postgresql://… 地址）") from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite begins transactions lazily and never for DDL: let SQLAlchemy say BEGIN itself
        sa.event.listen(engine, "begin", _sqlite_begin)
    return engine


def _retryable(exc: sa.exc.DBAPIError) -> bool:
    """A failure that running the transaction again can cure: the lock still held by another
    process (SQLite), a deadlock or serialization failure (PostgreSQL), a unique key another
    writer took first (the retry reads that writer's rows and skips what it stored)."""
    if isinstance(exc, sa.exc.IntegrityError):
        return True
    if not isinstance(exc, sa.exc.OperationalError):
        return False
    if getattr(exc.orig, "sqlstate", None) in _RETRY_SQLSTATES:
        return True
    text = str(exc.orig).lower()
    return "database is locked" in text or "database table is locked" in text


def write(
    engine: sa.Engine, work: Callable[[sa.Connection], T], reset: Callable[[], None] | None = None
) -> T:
    """Run work(conn) in one write transaction, holding the database's write lock; run it again
    (after `reset`, to forget what the failed attempt cached) when another process is in the way.
    StoreError when the database stays locked."""
    for attempt in range(RETRIES + 1):
        try:
            with engine.connect() as conn:
                conn.execution_options(**{_WRITE: True})
                with conn.begin():
                    if conn.dialect.name == "postgresql":
                        conn.execute(_PG_LOCK, {"cls": WRITE_LOCK})
                    return work(conn)
        except sa.exc.DBAPIError as exc:
            if reset is not None:
                reset()
            if not _retryable(exc):
                raise
            if attempt == RETRIES:
                if isinstance(exc, sa.exc.IntegrityError):
                    raise
                where = (
                    engine.url.database if engine.dialect.name == "sqlite" else engine.url.render_as_string()
                )
                raise StoreError(
                    f"数据库 {where} 一直被其他程序占用（已重试 {RETRIES} 次），请稍后再试"
                ) from None
            time.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")


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
    """Bring the schema to the newest revision; True when something was run. Under the write
    lock, and only when the revision is still old once the lock is held (another process may
    have migrated meanwhile)."""
    head = head_revision()
    with engine.connect() as conn:
        if current_revision(conn) == head:
            return False

    def upgrade(conn: sa.Connection) -> bool:
        if current_revision(conn) == head:
            return False
        command.upgrade(_config(conn), "head")
        return True

    return write(engine, upgrade)


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
