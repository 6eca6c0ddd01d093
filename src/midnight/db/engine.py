"""Engines, transactions and migrations.

SQLite: WAL, synchronous=FULL, foreign keys on, writers serialised with BEGIN IMMEDIATE.
PostgreSQL: ordinary transactions; writers lock the lots they draw from (SELECT ... FOR UPDATE).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from midnight.domain.errors import InvalidInput

_BEGIN = "midnight_begin"


def _sqlite_engine(url: str, synchronous: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(_BEGIN, "DEFERRED")
        # Straight to the driver: this runs once per unit of work, on every sale.
        conn.connection.driver_connection.execute(f"BEGIN {mode}")  # type: ignore[union-attr]

    return engine


def make_engine(url: str, *, sqlite_synchronous: str = "FULL") -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput(f"database URL {url!r} is not a valid URL", field="db") from None
    if parsed.get_backend_name() == "sqlite":
        if sqlite_synchronous not in ("FULL", "NORMAL", "EXTRA"):
            raise InvalidInput("sqlite synchronous must be FULL, NORMAL or EXTRA", field="db")
        return _sqlite_engine(url, sqlite_synchronous)
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
    raise InvalidInput(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql", field="db"
    )


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("midnight.db") / "migrations"))
    config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str | None:
    """The newest revision shipped with this code (read once: the scripts are part of the install)."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("midnight.db") / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def revisions() -> list[str]:
    """Every revision shipped, oldest first."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("midnight.db") / "migrations"))
    return [
        script.revision for script in reversed(list(ScriptDirectory.from_config(config).walk_revisions()))
    ]


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (the newest by default); does nothing if it is already there."""
    if current_revision(engine) == (head_revision() if revision == "head" else revision):
        return
    with engine.connect() as conn:
        conn = conn.execution_options(**{_BEGIN: "IMMEDIATE"})
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # SQLite adds a CHECK by rebuilding the table; with foreign keys on, dropping the old copy
            # would cascade. They go off for the migration (only possible outside a transaction) and
            # every reference is checked before it commits.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                command.upgrade(_alembic_config(conn), revision)
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
                    if broken is not None:
                        raise RuntimeError(f"migration left a broken reference in {broken[0]}")
        finally:
            if sqlite:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


class WriterQueue:
    """Lets SQLite writers wait their turn in a queue instead of in SQLite's busy loop.

    SQLite's busy handler polls with sleeps of up to 100 ms, so under load a waiting writer can
    sleep long after the lock is free. Writers in this process take a thread lock, and writers
    across processes (several server workers) an exclusive flock on a file beside the database;
    both wake the next writer as soon as the lock is released. BEGIN IMMEDIATE still guards
    correctness for any writer that does not queue here.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._thread_lock = threading.Lock()
        self._fd: int | None = None

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._thread_lock:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


class Database:
    """One engine and its two kinds of transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        # Same pool; its connections begin with BEGIN IMMEDIATE on SQLite, taking the write lock
        # up front so two tills never both read stock and then both sell it.
        self._writer = engine.execution_options(**{_BEGIN: "IMMEDIATE"}) if self.is_sqlite else engine
        # A read is one snapshot: on PostgreSQL that takes REPEATABLE READ (READ COMMITTED gives each
        # statement its own, so a page's totals and its lines could disagree). A transaction that
        # only reads is never refused for a conflict at this level.
        self._reader = (
            engine if self.is_sqlite else engine.execution_options(isolation_level="REPEATABLE READ")
        )
        database = engine.url.database if self.is_sqlite else None
        file_backed = bool(database) and database != ":memory:" and not str(database).startswith("file:")
        self._queue = WriterQueue(f"{database}.writers") if file_backed else None
        self._writing = threading.local()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A writing unit of work: commits on success, rolls back on any error."""
        self._writing.depth = self.writing_depth() + 1
        try:
            if self._queue is None:
                with self._writer.connect() as conn, conn.begin():
                    yield conn
                return
            with self._queue.turn(), self._writer.connect() as conn, conn.begin():
                yield conn
        finally:
            self._writing.depth -= 1

    def writing_depth(self) -> int:
        """How many write transactions this thread is inside (0: none). Slow work must see 0."""
        return int(getattr(self._writing, "depth", 0))

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A consistent read: one snapshot for everything inside it."""
        with self._reader.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def ping(db: Database) -> None:
    """Raises if the database does not answer."""
    with db.read() as conn:
        conn.exec_driver_sql("SELECT 1")
