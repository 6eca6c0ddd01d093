"""Backups taken while tills pay, restored whole; restores only into empty databases; exports that
agree with the ledger and the till. On SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from midnight.commands.stock import DrawStock, ReceiveLot, WriteOff
from midnight.commands.till import Period, PlaceOrder
from midnight.db import tables as t
from midnight.db.engine import head_revision, make_engine, migrate
from midnight.domain.clock import FixedClock
from midnight.domain.errors import Forbidden, InvalidInput
from midnight.domain.people import Actor, Role
from midnight.services import backups, stock
from midnight.services.context import Context, open_context
from midnight.services.orders import place_order
from midnight.settings import Settings
from tests.conftest import NOW, TODAY, PostgresServer
from tests.integration.till_setup import day, open_snack_bar

TILLS = 4
TIN_ORDER = PlaceOrder(lines=[{"code": "TIN"}], payments=[{"method": "cash", "amount": "20"}])


def _url(ctx: Context) -> str:
    return ctx.db.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def empty_url(ctx: Context, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty database of the same kind as ctx's, to restore into."""
    if ctx.db.is_sqlite:
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    name = f"midnight_restored_{uuid.uuid4().hex[:10]}"
    server.sql(f"CREATE DATABASE {name}")
    yield server.url_for(name)
    server.drop(name)


def _opened(url: str, tmp_path: Path) -> Context:
    return open_context(
        Settings(secret_key_file=str(tmp_path / "restored.key")),
        url=url,
        clock=FixedClock(NOW),
        actor="owner",
    )


def _whole(ctx: Context) -> dict[str, int]:
    """Conservation lot by lot, and every order complete: a paid order's payments cover its total and
    every line drew stock. Returns how many orders there are, and of them paid."""
    with ctx.db.read() as conn:
        drawn = dict(
            conn.execute(
                select(t.movements.c.lot_id, func.sum(t.movements.c.quantity)).group_by(t.movements.c.lot_id)
            ).all()
        )
        lots = conn.execute(select(t.lots.c.id, t.lots.c.on_hand)).all()
        for lot, on_hand in lots:
            assert on_hand == drawn.get(lot, 0), f"lot {lot}: on hand {on_hand}, ledger {drawn.get(lot, 0)}"
            assert on_hand >= 0
        orders = conn.execute(select(t.orders.c.id, t.orders.c.state, t.orders.c.total)).all()
        paid = [(order, total) for order, state, total in orders if state == "paid"]
        applied = dict(
            conn.execute(
                select(t.payments.c.order_id, func.sum(t.payments.c.applied)).group_by(t.payments.c.order_id)
            ).all()
        )
        lines_drawn = conn.execute(
            select(t.order_lines.c.order_id, func.count(func.distinct(t.movements.c.order_line_id)))
            .join(t.movements, t.movements.c.order_line_id == t.order_lines.c.id)
            .group_by(t.order_lines.c.order_id)
        ).all()
        lines = dict(
            conn.execute(
                select(t.order_lines.c.order_id, func.count()).group_by(t.order_lines.c.order_id)
            ).all()
        )
    drawn_by_order = dict(lines_drawn)
    for order, total in paid:
        assert applied.get(order) == total, f"order {order}: paid {applied.get(order)} of {total}"
        assert drawn_by_order.get(order) == lines[order], f"order {order}: not every line drew stock"
    return {"orders": len(orders), "paid": len(paid)}


def test_a_backup_taken_while_four_tills_pay_restores_every_order_whole(
    ctx: Context, empty_url: str, tmp_path: Path
) -> None:
    open_snack_bar(ctx)
    stock.receive(ctx, ReceiveLot(sku="PINE", quantity=100000, cost="9.00", expires=day(200)))
    url = _url(ctx)
    stop = threading.Event()
    acknowledged: list[tuple[float, str]] = []
    errors: list[BaseException] = []

    def till(n: int) -> None:
        till_ctx = open_context(
            Settings(secret_key_file=str(tmp_path / "till.key")),
            url=url,
            clock=FixedClock(NOW),
            actor=f"till{n}",
        )
        try:
            k = 0
            while not stop.is_set():
                key = f"till{n}-{k}"
                place_order(till_ctx, key, TIN_ORDER)
                acknowledged.append((time.monotonic(), key))
                k += 1
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            till_ctx.db.dispose()

    tills = [threading.Thread(target=till, args=(n,)) for n in range(TILLS)]
    for thread in tills:
        thread.start()
    while len(acknowledged) < 40 and not errors:
        time.sleep(0.01)
    started = time.monotonic()
    made = backups.back_up(ctx, tmp_path / "shop.backup", None)
    finished = time.monotonic()
    while len(acknowledged) < len([a for a in acknowledged if a[0] <= finished]) + 20 and not errors:
        time.sleep(0.01)  # the tills went on paying after it
    stop.set()
    for thread in tills:
        thread.join(60)
    assert errors == []
    assert made.size > 0

    restored = backups.restore(Settings(secret_key_file=str(tmp_path / "r.key")), empty_url, made.path)
    assert restored.revision == restored.made_at_revision
    shop = _opened(empty_url, tmp_path)
    counts = _whole(shop)
    with shop.db.read() as conn:
        keys = set(conn.execute(select(t.orders.c.idempotency_key)).scalars())
    before = {key for at, key in acknowledged if at < started}
    after = {key for at, key in acknowledged if at > finished}
    assert before <= keys  # everything acknowledged before the backup began is in it
    assert not (after & keys)  # and nothing paid after it ended
    assert counts["paid"] == len(keys) >= len(before) >= 40
    # the restored shop sells on
    place_order(shop, "after-restore", TIN_ORDER)
    assert _whole(shop)["paid"] == counts["paid"] + 1
    shop.db.dispose()
    # and the shop itself is whole, with the orders paid after the backup
    assert _whole(ctx)["paid"] == len(acknowledged)


def test_a_restore_goes_only_into_an_empty_database(ctx: Context, empty_url: str, tmp_path: Path) -> None:
    open_snack_bar(ctx)
    made = backups.back_up(ctx, tmp_path / "one.backup", None)
    settings = Settings(secret_key_file=str(tmp_path / "r.key"))
    backups.restore(settings, empty_url, made.path)
    with pytest.raises(InvalidInput, match="not empty: restore into a new, empty one"):
        backups.restore(settings, empty_url, made.path)
    with pytest.raises(InvalidInput, match="not empty"):
        backups.restore(settings, _url(ctx), made.path)  # least of all over the shop itself


def test_a_backup_never_overwrites_and_staff_may_not_take_one(ctx: Context, tmp_path: Path) -> None:
    made = backups.back_up(ctx, tmp_path / "b", None)
    size = made.path.stat().st_size
    with pytest.raises(InvalidInput, match="already exists"):
        backups.back_up(ctx, made.path, None)
    assert made.path.stat().st_size == size
    staff = ctx.acting_as(Actor("sam", Role.STAFF))
    with pytest.raises(Forbidden, match="may not back up"):
        backups.back_up(staff, tmp_path / "c", None)
    with pytest.raises(Forbidden, match="may not back up"):
        backups.export(staff, tmp_path / "export", Period(start=TODAY, end=TODAY))
    assert not (tmp_path / "c").exists() and not (tmp_path / "export").exists()
    with pytest.raises(InvalidInput, match="is not a folder"):
        backups.back_up(ctx, tmp_path / "no" / "such" / "b", None)


def test_what_is_not_a_backup_of_this_kind_is_refused(ctx: Context, empty_url: str, tmp_path: Path) -> None:
    settings = Settings(secret_key_file=str(tmp_path / "r.key"))
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(InvalidInput, match="is not a Midnight Express backup"):
        backups.restore(settings, empty_url, text)
    with pytest.raises(InvalidInput, match="does not exist"):
        backups.restore(settings, empty_url, tmp_path / "missing")
    if ctx.db.is_sqlite:
        other = "postgresql://nobody@127.0.0.1:1/none"
        made = backups.back_up(ctx, tmp_path / "b", None)
        with pytest.raises(InvalidInput, match="is a sqlite backup: restore it into a sqlite database"):
            backups.restore(settings, other, made.path)
        damaged = tmp_path / "damaged"
        data = bytearray(made.path.read_bytes())
        data[4096 * 2 : 4096 * 3] = b"\xff" * 4096
        damaged.write_bytes(bytes(data))
        with pytest.raises(InvalidInput, match=r"is damaged|not a Midnight Express"):
            backups.restore(settings, empty_url, damaged)
    else:
        made = backups.back_up(ctx, tmp_path / "b", None)
        with pytest.raises(
            InvalidInput, match="is a postgresql backup: restore it into a postgresql database"
        ):
            backups.restore(settings, f"sqlite:///{tmp_path / 'x.db'}", made.path)


def test_a_backup_from_an_older_version_is_upgraded_as_it_is_restored(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{old}")
    migrate(engine, "0005")
    engine.dispose()
    target = f"sqlite:///{tmp_path / 'new.db'}"
    restored = backups.restore(Settings(secret_key_file=str(tmp_path / "k")), target, old)
    assert (restored.made_at_revision, restored.revision) == ("0005", head_revision())


def test_the_key_kept_with_a_backup_is_put_where_the_server_reads_it(tmp_path: Path) -> None:
    settings = Settings(secret_key_file=str(tmp_path / "shop.key"))
    shop = open_context(
        settings, url=f"sqlite:///{tmp_path / 'shop.db'}", clock=FixedClock(NOW), actor="owner"
    )
    made = backups.back_up(shop, tmp_path / "b", tmp_path / "shop.key")
    shop.db.dispose()
    into = Settings()  # the key beside the restored file
    target = tmp_path / "new.db"
    done = backups.restore(into, f"sqlite:///{target}", made.path, key=tmp_path / "shop.key")
    assert done.key_copied and done.key_file == Path(f"{target}.key")
    assert done.key_file.read_bytes() == (tmp_path / "shop.key").read_bytes()
    assert done.key_file.stat().st_mode & 0o777 == 0o600
    bad = tmp_path / "bad.key"
    bad.write_text("not a key")
    with pytest.raises(InvalidInput, match="damaged"):
        backups.restore(into, f"sqlite:///{tmp_path / 'other.db'}", made.path, key=bad)
    assert not (tmp_path / "other.db").exists()  # refused before anything was written
    with pytest.raises(InvalidInput, match="is not a key file"):
        backups.restore(into, f"sqlite:///{tmp_path / 'other.db'}", made.path, key=tmp_path / "none.key")


# --- export ----------------------------------------------------------------------------------------


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_an_export_agrees_with_the_ledger_and_the_till(ctx: Context, tmp_path: Path) -> None:
    open_snack_bar(ctx)
    stock.receive(ctx, ReceiveLot(sku="PINE", quantity=10, cost="9.00", expires=day(200)))
    ham = stock.receive(ctx, ReceiveLot(sku="HAM", quantity=5, cost="1.50", expires=day(2))).lot.id
    for n in range(3):
        place_order(ctx, f"o{n}", TIN_ORDER)
    stock.write_off(ctx, ham, WriteOff(quantity=2, reason="dropped"))
    stock.sell(ctx, DrawStock(sku="PINE", quantity=1))
    out = tmp_path / "books"
    done = backups.export(ctx, out, Period(start=TODAY, end=TODAY))
    assert set(done.files) == {f"{name}.csv" for name in backups.EXPORTS}
    assert done.files["orders.csv"] == 3 and done.files["payments.csv"] == 3

    ledger = _csv(out / "ledger.csv")
    with ctx.db.read() as conn:
        movements = conn.execute(select(func.count()).select_from(t.movements)).scalar_one()
    assert len(ledger) == movements == done.files["ledger.csv"]
    assert sum(Decimal(row["quantity"]) for row in ledger if row["sku"] == "PINE") == Decimal(10 - 3 - 1)
    waste = _csv(out / "waste.csv")
    assert [(w["sku"], w["quantity"], w["value"], w["reason"]) for w in waste] == [
        ("HAM", "2", "3.00", "dropped")
    ]
    orders = _csv(out / "orders.csv")
    assert sum(Decimal(o["total"]) for o in orders) == Decimal("54.00")
    assert sum(Decimal(p["applied"]) for p in _csv(out / "payments.csv")) == Decimal("54.00")
    assert {o["currency"] for o in orders} == {"HKD"}
    assert all(o["paid_at"].endswith("+08:00") for o in orders)  # the store's time, with its offset
    lines = _csv(out / "order_lines.csv")
    assert [(line["code"], line["quantity"], line["net"]) for line in lines] == [("TIN", "1", "18.00")] * 3
    assert not list(out.glob(".*partial"))  # every file whole, none left half-written

    # An empty period still gives every file, with its header.
    empty = backups.export(
        ctx, tmp_path / "empty", Period(start=TODAY - dt.timedelta(days=30), end=TODAY - dt.timedelta(days=1))
    )
    assert set(empty.files.values()) == {0}
    assert (
        (tmp_path / "empty" / "orders.csv")
        .read_text(encoding="utf-8-sig")
        .startswith("id,business_date,state")
    )

    # An export never overwrites one.
    with pytest.raises(InvalidInput, match=r"already holds ledger\.csv"):
        backups.export(ctx, out, Period(start=TODAY, end=TODAY))


def test_an_export_cell_never_runs_as_a_formula(ctx: Context, tmp_path: Path) -> None:
    open_snack_bar(ctx)
    tins = stock.receive(ctx, ReceiveLot(sku="PINE", quantity=5, cost="9.00", expires=day(200))).lot.id
    stock.write_off(ctx, tins, WriteOff(quantity=1, reason="=cmd|' /C calc'!A0"))
    backups.export(ctx, tmp_path / "x", Period(start=TODAY, end=TODAY))
    (row,) = _csv(tmp_path / "x" / "waste.csv")
    assert row["reason"] == "'=cmd|' /C calc'!A0"


# --- what an attacker and a careless owner tried -------------------------------------------------


def test_a_second_restore_into_the_same_database_is_refused_while_one_runs(
    ctx: Context, empty_url: str, tmp_path: Path
) -> None:
    from midnight.db import backup as backup_db

    made = backups.back_up(ctx, tmp_path / "b", None)
    engine = make_engine(empty_url)
    try:
        with (
            backup_db.restoring(engine),  # a restore under way
            pytest.raises(InvalidInput, match="another restore into this database is running"),
        ):
            backups.restore(Settings(secret_key_file=str(tmp_path / "k")), empty_url, made.path)
    finally:
        engine.dispose()
    # and once it is over, one restore goes in
    backups.restore(Settings(secret_key_file=str(tmp_path / "k")), empty_url, made.path)


def test_a_key_that_cannot_go_in_place_is_refused_before_the_restore(tmp_path: Path) -> None:
    shop = open_context(
        Settings(secret_key_file=str(tmp_path / "shop.key")),
        url=f"sqlite:///{tmp_path / 'shop.db'}",
        clock=FixedClock(NOW),
    )
    made = backups.back_up(shop, tmp_path / "b", None)
    shop.db.dispose()
    target = tmp_path / "new.db"
    other = open_context(Settings(), url=f"sqlite:///{tmp_path / 'other.db'}", clock=FixedClock(NOW))
    other.db.dispose()
    Path(f"{target}.key").write_bytes((tmp_path / "other.db.key").read_bytes())  # another shop's key there
    with pytest.raises(InvalidInput, match="already holds another key"):
        backups.restore(Settings(), f"sqlite:///{target}", made.path, key=tmp_path / "shop.key")
    assert not target.exists()  # nothing restored: moving the key away and trying again works
    Path(f"{target}.key").unlink()
    backups.restore(Settings(), f"sqlite:///{target}", made.path, key=tmp_path / "shop.key")


def test_a_shop_whose_key_is_missing_does_not_start_with_a_new_one(tmp_path: Path) -> None:
    """A new random key would read none of the sealed addresses and seal new ones apart from them."""
    from midnight.adapters.secrets import SecretUnreadable
    from midnight.commands.counter import AddCustomer
    from midnight.services import customers

    url = f"sqlite:///{tmp_path / 'shop.db'}"
    shop = open_context(Settings(), url=url, clock=FixedClock(NOW))
    customers.add_customer(shop, AddCustomer(name="Mr Chan", contacts=["mailto://chan@example.com"]))
    shop.db.dispose()
    (tmp_path / "shop.db.key").rename(tmp_path / "kept.key")
    with pytest.raises(SecretUnreadable, match=r"shop\.db\.key is missing.*put back the key file"):
        open_context(Settings(), url=url, clock=FixedClock(NOW))
    assert not (tmp_path / "shop.db.key").exists()
    (tmp_path / "kept.key").rename(tmp_path / "shop.db.key")
    open_context(Settings(), url=url, clock=FixedClock(NOW)).db.dispose()


def test_every_file_of_an_export_cuts_the_days_by_the_same_rule(ctx: Context, tmp_path: Path) -> None:
    """A sale after the day's Z report counts on the next day: in that day's orders, payments and
    ledger, never in one file's day and another's next."""
    from midnight.commands.till import CloseDay
    from midnight.services import reports

    open_snack_bar(ctx)
    stock.receive(ctx, ReceiveLot(sku="PINE", quantity=10, cost="9.00", expires=day(200)))
    place_order(ctx, "before", TIN_ORDER)
    reports.close_day(ctx, CloseDay(date=TODAY, counted="20"))
    place_order(ctx, "after", TIN_ORDER)  # the same evening, on the next business day
    today = backups.export(ctx, tmp_path / "d0", Period(start=TODAY, end=TODAY))
    tomorrow = backups.export(ctx, tmp_path / "d1", Period(start=day(1), end=day(1)))
    assert (today.files["orders.csv"], tomorrow.files["orders.csv"]) == (1, 1)
    assert (today.files["payments.csv"], tomorrow.files["payments.csv"]) == (1, 1)
    sales = [
        [row for row in _csv(tmp_path / folder / "ledger.csv") if row["kind"] == "sell"]
        for folder in ("d0", "d1")
    ]
    assert [len(s) for s in sales] == [1, 1]
    assert sales[1][0]["business_date"] == day(1).isoformat()
    receipt = [row for row in _csv(tmp_path / "d0" / "ledger.csv") if row["kind"] == "receive"]
    assert receipt[0]["business_date"] == TODAY.isoformat()  # a delivery counts on its own date
