"""Shared fixtures: a fixed clock and a fresh, migrated SQLite shop per test."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
import typer.testing
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from midnight.domain.clock import FixedClock
from midnight.services.context import Context, open_context
from midnight.settings import Settings

# Typer's test runner rebuilds the whole command tree on every invoke (about 0.13 s for this CLI,
# most of a short command's time); the tree never changes, so the tests build it once per app.
typer.testing._get_command = cache(typer.testing._get_command)  # type: ignore[attr-defined]

# 10:00 in Hong Kong on 2026-11-25.
NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 25)


def make_template(directory: Path) -> Path:
    """A migrated, seeded database, made once and copied for each test."""
    path = directory / "template.db"
    ctx = open_context(Settings(), url=f"sqlite:///{path}", clock=FixedClock(NOW), actor="tester")
    ctx.db.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def shop_from(template: Path, path: Path, clock: FixedClock, actor: str = "tester") -> Context:
    shutil.copyfile(template, path)
    return open_context(Settings(), url=f"sqlite:///{path}", clock=clock, actor=actor)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def sqlite_ctx(template_db: Path, tmp_path: Path, clock: FixedClock) -> Iterator[Context]:
    s = shop_from(template_db, tmp_path / "shop.db", clock)
    yield s
    s.db.dispose()


PG_URL = os.environ.get("MIDNIGHT_TEST_POSTGRES_URL")


class PostgresServer:
    """Databases on the test PostgreSQL server: one migrated template, a copy per test."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.template = f"midnight_template_{os.getpid()}"

    def url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def sql(self, statement: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(statement)

    def make_template(self) -> None:
        self.sql(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")
        self.sql(f"CREATE DATABASE {self.template}")
        settings = Settings(secret_key_file=os.path.join(tempfile.gettempdir(), f"{self.template}.key"))
        ctx = open_context(settings, url=self.url_for(self.template), clock=FixedClock(NOW), actor="tester")
        ctx.db.dispose()

    def create(self) -> str:
        name = f"midnight_test_{uuid.uuid4().hex[:12]}"
        self.sql(f"CREATE DATABASE {name} TEMPLATE {self.template} STRATEGY WAL_LOG")
        return name

    def drop(self, name: str) -> None:
        self.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("MIDNIGHT_TEST_POSTGRES_URL is not set: CI must test PostgreSQL (make test sets it)")
        pytest.skip("no PostgreSQL: set MIDNIGHT_TEST_POSTGRES_URL (make test starts one)")
    server = PostgresServer(PG_URL)
    server.make_template()
    yield server
    server.drop(server.template)
    server.admin.dispose()


@pytest.fixture
def postgres_ctx(postgres: PostgresServer, clock: FixedClock, tmp_path: Path) -> Iterator[Context]:
    name = postgres.create()
    settings = Settings(secret_key_file=str(tmp_path / "secret.key"))
    s = open_context(settings, url=postgres.url_for(name), clock=clock, actor="tester")
    yield s
    s.db.dispose()
    postgres.drop(name)


@pytest.fixture(params=["sqlite", "postgres"])
def ctx(request: pytest.FixtureRequest) -> Context:
    """The same test on both databases: the guarantees must hold on each."""
    return request.getfixturevalue(f"{request.param}_ctx")  # type: ignore[no-any-return]
