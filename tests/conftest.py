"""Shared fixtures: a fixed clock and a fresh, migrated SQLite shop per test."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from midnight.domain.clock import FixedClock
from midnight.services.shop import Shop, open_shop
from midnight.settings import Settings

# 10:00 in Hong Kong on 2026-11-25.
NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 25)


def make_template(directory: Path) -> Path:
    """A migrated, seeded database, made once and copied for each test."""
    path = directory / "template.db"
    shop = open_shop(Settings(), url=f"sqlite:///{path}", clock=FixedClock(NOW), actor="tester")
    shop.db.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def shop_from(template: Path, path: Path, clock: FixedClock, actor: str = "tester") -> Shop:
    shutil.copyfile(template, path)
    return open_shop(Settings(), url=f"sqlite:///{path}", clock=clock, actor=actor)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def shop(template_db: Path, tmp_path: Path, clock: FixedClock) -> Iterator[Shop]:
    s = shop_from(template_db, tmp_path / "shop.db", clock)
    yield s
    s.db.dispose()
