"""The migrations build exactly the schema tables.py declares, down to the CHECKs and the triggers.

Alembic's autogenerate compares tables, columns and indexes (test_store.py); what the database
itself enforces — CHECK constraints and the append-only and on-hand triggers — is compared here,
on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, inspect

from midnight.db.tables import APPEND_ONLY, metadata
from midnight.services.context import Context
from tests.conftest import PostgresServer


def _normal(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


def checks(engine: Engine) -> list[tuple[str, str]]:
    """(table, condition) of every CHECK. Names are left out: Alembic applied the naming convention
    to names that already followed it (ck_lots_ck_lots_...), in databases that exist, and renaming
    a CHECK on SQLite means rebuilding its table; what a CHECK refuses is what matters."""
    inspector = inspect(engine)
    return sorted(
        (table, _normal(check["sqltext"]))
        for table in inspector.get_table_names()
        for check in inspector.get_check_constraints(table)
    )


def triggers(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all()
        else:
            rows = conn.exec_driver_sql(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal"
            ).all()
            rows += conn.exec_driver_sql(
                "SELECT proname, pg_get_functiondef(oid) FROM pg_proc WHERE proname LIKE 'midnight_%%'"
            ).all()
    return {name: _normal(sql) for name, sql in rows}


@pytest.fixture
def declared(ctx: Context, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A database made straight from tables.py (metadata.create_all), beside the migrated one."""
    if ctx.db.is_sqlite:
        engine = create_engine(f"sqlite:///{tmp_path / 'declared.db'}")
        metadata.create_all(engine)
        yield engine
        engine.dispose()
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    name = f"midnight_declared_{uuid.uuid4().hex[:10]}"
    server.sql(f"CREATE DATABASE {name}")
    engine = create_engine(server.url_for(name))
    metadata.create_all(engine)
    yield engine
    engine.dispose()
    server.drop(name)


def test_migrations_make_the_checks_tables_py_declares(ctx: Context, declared: Engine) -> None:
    migrated = checks(ctx.db.engine)
    assert migrated == checks(declared)
    # and the ones this project relies on are there at all
    tables_checked = {table for table, _ in migrated}
    assert {"payments", "refunds", "orders", "order_lines", "lots"} <= tables_checked


def test_migrations_make_the_triggers_tables_py_declares(ctx: Context, declared: Engine) -> None:
    migrated = triggers(ctx.db.engine)
    assert migrated == triggers(declared)
    names = " ".join(migrated)
    for table in APPEND_ONLY:
        assert table in names
