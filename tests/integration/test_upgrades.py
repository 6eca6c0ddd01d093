"""A shop made at any earlier revision upgrades in place to the newest, its data intact.

A shop is made at the newest revision by the CLI, as a person would (demo history, refunds, an
expiry correction, a drawer, suppliers, a partly received purchase order, ...), filling every
table. For each earlier revision, an empty database is migrated to that revision, and the shop's
rows are written into it as that revision could hold them (the tables and columns it had, the
stock ledger replayed so its triggers rebuild on-hand). Then it is upgraded to the newest revision
and compared with the shop: every row and value is there, the columns added since are filled in
as the application fills them, and the shop goes on working (stock conserved, an order sells).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Engine, MetaData, Table, create_engine, insert, inspect, select
from typer.testing import CliRunner

from midnight.cli import app
from midnight.cli.app import CliState
from midnight.db import tables as t
from midnight.db.engine import current_revision, head_revision, make_engine, migrate, revisions
from midnight.domain.clock import FixedClock
from midnight.services.context import open_context
from midnight.settings import Settings
from tests.conftest import NOW, PostgresServer

runner = CliRunner()

# Columns a later migration fills from the rows it finds: they must hold what the application
# writes. Other added columns record what could not be known before (a call number, a park
# label, an expiry correction): they hold the migration's default.
BACKFILLED = {
    ("movements", "business_date"),  # 0005: the local day of each movement, in the store's zone
    ("customers", "name_key"),  # 0005: folded for finding by name
    ("customers", "nickname_key"),
    ("products", "name_key"),  # 0006
    ("menu_items", "name_key"),  # 0008
    ("api_tokens", "by_pin"),  # 0011: sessions started by a PIN on a till
    *((table, "store_id") for table in t.STORE_KEYED),  # 0014: the store each row belongs to
}


def _cli(db: Path | str, clock: FixedClock, *args: str, code: int = 0, key: Path | None = None) -> str:
    state = CliState(clock=clock, user="owner")
    if key is not None:
        state.settings = Settings(secret_key_file=str(key))
    try:
        result = runner.invoke(app, ["--db", str(db), *args], obj=state)
    finally:
        state.close()
    assert result.exit_code == code, (args, result.stdout, result.stderr, result.exception)
    return result.stdout


def _make_shop(path: Path) -> None:
    """A shop at the newest revision with a row in every table, made the way people make it."""
    clock = FixedClock(NOW)
    password = path.parent / "password"
    password.write_text("a long enough password\n")

    def cli(*args: str, code: int = 0) -> str:
        return _cli(path, clock, *args, code=code)

    cli("init", "--owner", "owner", "--password-file", str(password))
    cli("user", "add", "sam", "--password-file", str(password))
    cli("user", "token", "owner", "--label", "till 1")
    cli("demo", "--days", "14")
    cli("customer", "add", "陳大文", "--phone", "91234567", "--contact", "mailto://chan@example.com")
    cli("hold", "add", "Keys 鎖匙", "--for", "陳大文")  # queues "a letter is waiting" in the outbox
    cli("hold", "find", "999999", code=2)  # a wrong pickup code, recorded
    cli("order", "refund", "1", "--reason", "wrong order")
    cli("lot", "expiry", "1", "2026-12-30", "--reason", "label misprint")
    cli("tender", "add", "Octopus")
    cli("printer", "add", "Front", "--network", "192.168.1.50", "--paper", "80")
    cli("receipt", "2", "--print", "--printer", "Front", code=1)  # no printer there: a failed job
    cli("notify", "target", "mailto://staff@example.com")
    cli("notify", "template", "item_waiting", "--subject", "Waiting", "--body", "Hello {{ customer }}")
    cli("drawer", "open", "Counter", "--float", "500")
    cli("drawer", "pay-in", "100", "--reason", "change from the bank")
    cli("drawer", "close", "--counted", "600")
    cli("supplier", "edit", "1", "--contact", "mailto://orders@example.com")
    orders = _cli(path, clock, "po", "list", "--state", "sent", "--json")
    assert '"number"' in orders, orders
    cli("po", "receive", "1", "--scan", "MILK-1L", "--quantity", "6")

    # What only a browser at a till makes (a device set up, a PIN tried, a login, an offline order).
    ctx = open_context(Settings(), url=f"sqlite:///{path}", clock=clock, actor="owner")
    with ctx.db.write() as conn:
        till = conn.execute(select(t.tills.c.id).limit(1)).scalar_one()
        device = conn.execute(
            insert(t.till_devices).values(
                till_id=till, token_hash="ab" * 32, label="tablet", created_at=NOW, created_by="owner"
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        conn.execute(
            insert(t.pin_attempts).values(
                device_id=device, address="10.0.0.5", user_name="sam", at=NOW, ok=False
            )
        )
        conn.execute(insert(t.login_attempts).values(name="sam", address="10.0.0.5", at=NOW, ok=True))
        conn.execute(
            insert(t.offline_orders).values(
                store_id=ctx.store.id,
                idempotency_key="offline-1",
                request_hash="cd" * 32,
                local_number="T1-0001",
                till="Counter",
                rung_at=NOW - dt.timedelta(minutes=5),
                rung_by="sam",
                sent_by="sam",
                received_at=NOW,
                request='{"lines": []}',
                amount_paid=0,
                state="waiting",
                problem="sold out",
            )
        )
    ctx.db.dispose()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("upgrades") / "shop.db"
    _make_shop(path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def _rows(engine: Engine, name: str, columns: list[str]) -> list[tuple[Any, ...]]:
    """A table's rows in the application's own types (tables.py), in key order."""
    table = t.metadata.tables[name]
    chosen = [table.c[c] for c in columns]
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(*chosen).order_by(*table.primary_key.columns))]


def _fill(shop: Engine, old: Engine) -> dict[str, list[str]]:
    """Write the shop's rows into a database at an earlier revision: the columns it has, in the
    application's types. Lots start empty and the ledger's triggers fill them, as they did then."""
    present = MetaData()
    present.reflect(old)
    kept: dict[str, list[str]] = {}
    with old.begin() as conn:
        for table in t.metadata.sorted_tables:
            if table.name not in present.tables:
                continue
            columns = [c.name for c in table.columns if c.name in present.tables[table.name].c]
            kept[table.name] = columns
            target = Table(table.name, MetaData(), *(Column(c, table.c[c].type) for c in columns))
            rows = [dict(zip(columns, row, strict=True)) for row in _rows(shop, table.name, columns)]
            if table.name == "lots":
                rows = [{**row, "on_hand": 0} for row in rows]
            if rows:
                conn.execute(insert(target), rows)
        if old.dialect.name == "postgresql":
            for name in kept:
                if "id" in kept[name] and t.metadata.tables[name].c.id.autoincrement is not False:
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"coalesce((SELECT max(id) FROM {name}), 0) + 1, false)"
                    )
    return kept


def _assert_same(shop: Engine, upgraded: Engine, kept: dict[str, list[str]]) -> None:
    """Every row and value written is there, and what the migrations filled in is what the
    application would have written."""
    for table in t.metadata.sorted_tables:
        name = table.name
        if name not in kept:  # made by a later migration: empty, or filled as the application would
            made = _rows(upgraded, name, [c.name for c in table.columns])
            assert made == [] or made == _rows(shop, name, [c.name for c in table.columns]), name
            continue
        assert _rows(upgraded, name, kept[name]) == _rows(shop, name, kept[name]), name
        for column in table.columns:
            if (name, column.name) in BACKFILLED and column.name not in kept[name]:
                filled = _rows(upgraded, name, [column.name])
                assert filled == _rows(shop, name, [column.name]), f"{name}.{column.name}: {filled[:3]}"


def _still_works(url: str, tmp_path: Path, shop: Engine) -> None:
    """Stock is conserved lot by lot; stock sells, and a new order is rung, paid and drawn. The shop's
    secrets key goes with its rows (what they seal is unreadable without it, and refused)."""
    key = tmp_path / "upgraded.key"
    key.write_bytes(Path(f"{shop.url.database}.key").read_bytes())
    settings = Settings(secret_key_file=str(key))
    ctx = open_context(settings, url=url, clock=FixedClock(NOW), actor="owner")

    def ledger() -> tuple[dict[int, int], dict[int, int]]:
        with ctx.db.read() as conn:
            drawn = conn.exec_driver_sql("SELECT lot_id, sum(quantity) FROM movements GROUP BY lot_id")
            sums = {int(lot): int(total) for lot, total in drawn}
            on_hand = {int(lot): int(q) for lot, q in conn.exec_driver_sql("SELECT id, on_hand FROM lots")}
        return sums, on_hand

    sums, on_hand = ledger()
    assert on_hand == {lot: sums.get(lot, 0) for lot in on_hand}
    _cli_url(url, key, "sell", "PINE-567", "1")
    menu = _cli_url(url, key, "menu", "list", "--json")
    if '"TIN"' in menu:  # the shop had its menu before the upgrade
        out = _cli_url(url, key, "order", "new", "TIN", "--cash", "20", "--key", "after-upgrade", "--json")
        assert '"paid"' in out, out
    sums_after, on_hand_after = ledger()
    assert on_hand_after == {lot: sums_after.get(lot, 0) for lot in on_hand_after}
    tins = 2 if '"TIN"' in menu else 1
    assert sum(on_hand_after.values()) == sum(on_hand.values()) - tins * 1000  # in thousandths
    ctx.db.dispose()


def _cli_url(url: str, key: Path, *args: str) -> str:
    return _cli(url, FixedClock(NOW), *args, key=key)


def test_the_shop_fills_every_table(shop: Engine) -> None:
    """So that every table's upgrade is tested with data (a new table needs a row in _make_shop)."""
    empty = [
        table.name
        for table in t.metadata.sorted_tables
        if not _rows(shop, table.name, [c.name for c in table.primary_key.columns])
    ]
    assert empty == []
    assert current_revision(shop) == head_revision()


PAST = revisions()[:-1]


@pytest.mark.parametrize("revision", PAST)
def test_a_sqlite_shop_at_each_past_revision_upgrades(shop: Engine, revision: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = make_engine(url)
    migrate(old, revision)
    assert current_revision(old) == revision
    kept = _fill(shop, old)
    migrate(old)
    assert current_revision(old) == head_revision()
    _assert_same(shop, old, kept)
    old.dispose()
    _still_works(url, tmp_path, shop)


@pytest.mark.parametrize("revision", PAST)
def test_a_postgres_shop_at_each_past_revision_upgrades(
    shop: Engine, revision: str, postgres: PostgresServer, tmp_path: Path
) -> None:
    name = f"midnight_upgrade_{os.getpid()}_{revision}"
    postgres.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    postgres.sql(f"CREATE DATABASE {name}")
    url = postgres.url_for(name)
    try:
        old = make_engine(url)
        migrate(old, revision)
        kept = _fill(shop, old)
        migrate(old)
        assert current_revision(old) == head_revision()
        _assert_same(shop, old, kept)
        assert inspect(old).get_table_names()
        old.dispose()
        _still_works(url, tmp_path, shop)
    finally:
        postgres.drop(name)


def test_the_shop_itself_is_not_an_upgrade(shop: Engine) -> None:
    """The comparison can fail: a shop missing a row is told apart from the shop."""
    other = create_engine("sqlite://")
    t.metadata.create_all(other)
    kept = _fill(shop, other)
    with other.begin() as conn:
        conn.exec_driver_sql("DELETE FROM notify_targets")
    with pytest.raises(AssertionError, match="notify_targets"):
        _assert_same(shop, other, kept)
