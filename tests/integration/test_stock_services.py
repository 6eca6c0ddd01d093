import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from midnight.commands import build
from midnight.commands.catalog import AddLocation, AddProduct, BoardQuery, LedgerQuery, PageQuery
from midnight.commands.stock import (
    CountLot,
    DrawStock,
    MoveLot,
    OpenPack,
    ReceiveLot,
    WriteOff,
    WriteOffExpired,
)
from midnight.domain.errors import Conflict, InsufficientStock, InvalidInput, NotFound, parse_id
from midnight.domain.lot import ExpiryStatus
from midnight.services import catalog, stock, views
from midnight.services.context import Context
from tests.conftest import TODAY
from tests.integration.helpers import add_milk, add_pineapple, ledger_matches_lots, movement_count, on_hand


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def receive(ctx: Context, sku: str, quantity: Any, **fields: Any) -> stock.Received:
    return stock.receive(ctx, ReceiveLot(sku=sku, quantity=quantity, **fields))


def sell(ctx: Context, sku: str, quantity: Any, **fields: Any) -> stock.Drawn:
    return stock.sell(ctx, DrawStock(sku=sku, quantity=quantity, **fields))


def test_receive_creates_a_lot_with_cost_supplier_and_location(ctx: Context) -> None:
    add_milk(ctx)
    got = receive(
        ctx, "milk", "12", cost="18.50", location="Fridge", supplier="Kowloon Dairy", expires=days(5)
    )
    assert got.lot.quantity == Decimal("12")
    assert got.lot.unit_cost == 1850
    assert got.lot.value == 22200
    assert got.lot.location == "fridge"
    assert got.lot.supplier == "Kowloon Dairy"
    assert got.lot.effective_expiry == days(5)
    assert ledger_matches_lots(ctx)


def test_receive_by_barcode(ctx: Context) -> None:
    add_pineapple(ctx)
    assert receive(ctx, "4006381333931", 3).lot.sku == "PINE"


def test_default_expiry_counts_from_a_back_dated_receipt(ctx: Context) -> None:
    add_milk(ctx)
    got = receive(ctx, "MILK", 2, received="2026-11-20")
    assert got.lot.expiry_date == dt.date(2026, 11, 27)
    assert got.lot.received_at.date() == dt.date(2026, 11, 20)


def test_refuses_a_receipt_in_the_future(ctx: Context) -> None:
    add_milk(ctx)
    with pytest.raises(InvalidInput, match="in the future"):
        receive(ctx, "MILK", 2, received=days(1))


def test_refuses_expiry_before_receipt(ctx: Context) -> None:
    add_milk(ctx)
    with pytest.raises(InvalidInput, match="before the received date"):
        receive(ctx, "MILK", 2, expires=days(-1))


def test_a_product_without_a_shelf_life_needs_an_expiry_date(ctx: Context) -> None:
    catalog.add_product(ctx, AddProduct(sku="CAKE", name="Cake", expiry_kind="use_by"))
    with pytest.raises(InvalidInput, match="no default shelf life: give its expiry date") as refused:
        receive(ctx, "CAKE", 1)
    assert "--" not in refused.value.message  # said the same way to the CLI, the API and the web
    assert movement_count(ctx) == 0
    assert receive(ctx, "CAKE", 1, expires=days(2)).lot.expiry_date == days(2)


def test_receiving_already_expired_stock_warns(ctx: Context) -> None:
    add_milk(ctx)
    got = receive(ctx, "MILK", 2, received=days(-10), expires=days(-2))
    assert "already past" in got.warnings[0]


def test_lots_are_never_merged(ctx: Context) -> None:
    add_milk(ctx)
    a = receive(ctx, "MILK", 2, expires=days(3))
    b = receive(ctx, "MILK", 2, expires=days(3))
    assert a.lot.id != b.lot.id
    assert len(views.product_stock(ctx, "MILK").lots) == 2


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        ({"sku": "NOPE", "quantity": 1}, NotFound, "unknown SKU NOPE"),
        ({"sku": "MILK", "quantity": "-1"}, InvalidInput, "greater than zero"),
        ({"sku": "MILK", "quantity": 0}, InvalidInput, "greater than zero"),
        ({"sku": "MILK", "quantity": 1, "expires": "2026-13-01"}, InvalidInput, "not a real calendar date"),
        ({"sku": "MILK", "quantity": 1, "location": "roof"}, NotFound, "unknown location 'roof'"),
        ({"sku": "MILK", "quantity": 1, "cost": "-2"}, InvalidInput, "negative"),
        # Only plain ASCII decimals: nothing is reinterpreted.
        ({"sku": "MILK", "quantity": "1_000"}, InvalidInput, "must be a number like"),
        ({"sku": "MILK", "quantity": "1e3"}, InvalidInput, "must be a number like"),
        ({"sku": "MILK", "quantity": "１２"}, InvalidInput, "must be a number like"),
        ({"sku": "MILK", "quantity": "١٢"}, InvalidInput, "must be a number like"),
        ({"sku": "MILK", "quantity": True}, InvalidInput, "must be an exact number"),
        ({"sku": "MILK", "quantity": 1, "cost": "1_000"}, InvalidInput, "cost must be a number like"),
        ({"sku": "MILK", "quantity": 1, "cost": "１８"}, InvalidInput, "cost must be a number like"),
        ({"sku": "MILK", "quantity": 1, "cost": False}, InvalidInput, "cost must be an exact number"),
        # At most a million of anything.
        ({"sku": "MILK", "quantity": "1000001"}, InvalidInput, r"too large \(at most 1,000,000\)"),
        # Dates a shop can mean: 2000-01-01 to 2100-12-31.
        (
            {"sku": "MILK", "quantity": 1, "expires": "2101-01-01"},
            InvalidInput,
            "expires 2101-01-01 is not between 2000-01-01 and 2100-12-31",
        ),
        (
            {"sku": "MILK", "quantity": 1, "received": "1999-12-31"},
            InvalidInput,
            "received 1999-12-31 is not between 2000-01-01 and 2100-12-31",
        ),
        # Milk is counted in whole cartons: it arrives whole.
        ({"sku": "MILK", "quantity": "1.5"}, InvalidInput, "MILK is counted in whole units"),
    ],
)
def test_bad_receipts_write_nothing(ctx: Context, fields: dict[str, Any], error: type, message: str) -> None:
    add_milk(ctx)
    with pytest.raises(error, match=message):
        stock.receive(ctx, build(ReceiveLot, fields))
    assert movement_count(ctx) == 0


def test_a_million_is_the_most_one_delivery_holds(ctx: Context) -> None:
    add_milk(ctx)
    assert receive(ctx, "MILK", "1000000", expires=days(3)).lot.quantity == Decimal(1_000_000)


def test_stock_counted_in_whole_units_sells_whole_but_the_kitchen_may_use_part(ctx: Context) -> None:
    add_milk(ctx)
    catalog.add_product(
        ctx, AddProduct(sku="FLOUR", name="Flour", unit="kg", expiry_kind="best_before", shelf_life_days=90)
    )
    lot = receive(ctx, "MILK", 3, expires=days(3)).lot.id
    before = movement_count(ctx)
    with pytest.raises(InvalidInput, match=r"MILK is counted in whole units: 0\.5 is not a whole number"):
        sell(ctx, "MILK", "0.5")
    assert movement_count(ctx) == before
    assert stock.use(ctx, DrawStock(sku="MILK", quantity="0.5")).quantity == Decimal("0.5")
    assert on_hand(ctx, lot) == 2500
    # A product sold by weight is received and sold in parts.
    receive(ctx, "FLOUR", "2.5")
    assert sell(ctx, "FLOUR", "0.25").quantity == Decimal("0.25")
    assert ledger_matches_lots(ctx)


def test_sale_draws_fefo_across_lots(ctx: Context) -> None:
    add_milk(ctx)
    late = receive(ctx, "MILK", 5, expires=days(6)).lot.id
    soon = receive(ctx, "MILK", 2, expires=days(1)).lot.id
    sold = sell(ctx, "MILK", 3)
    assert [(d.lot_id, d.quantity) for d in sold.draws] == [(soon, 2), (late, 1)]
    assert on_hand(ctx, soon) == 0 and on_hand(ctx, late) == 4000
    assert ledger_matches_lots(ctx)


def test_sale_is_all_or_nothing(ctx: Context) -> None:
    add_milk(ctx)
    receive(ctx, "MILK", 2, expires=days(1))
    receive(ctx, "MILK", 2, received=days(-9), expires=days(-1))
    before = movement_count(ctx)
    with pytest.raises(InsufficientStock, match="wanted 3, available 2"):
        sell(ctx, "MILK", 3)
    assert movement_count(ctx) == before


def test_best_before_past_date_sells_only_when_asked(ctx: Context) -> None:
    add_pineapple(ctx)
    old = receive(ctx, "PINE", 1, received=days(-400), expires=days(-1)).lot.id
    with pytest.raises(InsufficientStock):
        sell(ctx, "PINE", 1)
    sold = sell(ctx, "PINE", 1, allow_past_best_before=True)
    assert sold.draws[0].lot_id == old and sold.draws[0].past_best_before
    assert "past its best-before" in sold.warnings[0]


def test_use_draws_like_a_sale_but_records_use(ctx: Context) -> None:
    add_milk(ctx)
    receive(ctx, "MILK", 2, expires=days(2))
    used = stock.use(ctx, DrawStock(sku="MILK", quantity="0.5"))
    assert used.kind == "use"
    assert views.ledger(ctx, LedgerQuery(sku="MILK", limit=1)).items[0].kind == "use"


def test_opening_a_pack_shortens_its_life_and_splits_it_off(ctx: Context) -> None:
    add_milk(ctx)
    lot = receive(ctx, "MILK", 6, expires=days(7)).lot.id
    opened = stock.open_pack(ctx, lot, OpenPack())
    assert opened.quantity == 1 and opened.effective_expiry == days(3) and opened.opened_at is not None
    assert on_hand(ctx, lot) == 5000
    # The opened carton expires first, so the kitchen uses it first; a customer gets a sealed one.
    assert sell(ctx, "MILK", 1).draws[0].lot_id == lot
    used = stock.use(ctx, DrawStock(sku="MILK", quantity="0.25"))
    assert used.draws[0].lot_id == opened.id
    with pytest.raises(Conflict, match="already open"):
        stock.open_pack(ctx, opened.id, OpenPack())


def test_opening_never_extends_life(ctx: Context) -> None:
    add_milk(ctx)
    lot = receive(ctx, "MILK", 1, expires=days(1)).lot.id
    assert stock.open_pack(ctx, lot, OpenPack()).effective_expiry == days(1)


def test_cannot_open_a_use_by_lot_past_its_date(ctx: Context) -> None:
    add_milk(ctx)
    lot = receive(ctx, "MILK", 1, received=days(-5), expires=days(-1)).lot.id
    with pytest.raises(Conflict, match="write it off"):
        stock.open_pack(ctx, lot, OpenPack())


def test_move_puts_part_of_a_lot_in_another_location(ctx: Context) -> None:
    add_milk(ctx)
    lot = receive(ctx, "MILK", 6, expires=days(7), location="store room").lot.id
    moved = stock.move(ctx, lot, MoveLot(quantity=4, location="fridge"))
    assert moved.location == "fridge" and moved.quantity == 4 and moved.effective_expiry == days(7)
    assert on_hand(ctx, lot) == 2000
    with pytest.raises(Conflict, match="it holds 2"):
        stock.move(ctx, lot, MoveLot(quantity=3, location="fridge"))
    with pytest.raises(InvalidInput, match="already in"):
        stock.move(ctx, lot, MoveLot(quantity=1, location="store room"))


def test_write_off_records_waste_with_its_cost(ctx: Context) -> None:
    add_pineapple(ctx)
    lot = receive(ctx, "PINE", 10, cost="9.50").lot.id
    waste = stock.write_off(ctx, lot, WriteOff(quantity=2, reason="dented"))
    assert waste.cost == 1900 and waste.reason == "dented"
    with pytest.raises(InvalidInput, match="reason must not be empty") as refused:
        stock.write_off(ctx, lot, build(WriteOff, {"quantity": 1, "reason": " "}))
    assert "--" not in refused.value.message
    assert on_hand(ctx, lot) == 8000


def test_write_off_expired_takes_every_use_by_lot_past_its_date(ctx: Context) -> None:
    add_milk(ctx)
    add_pineapple(ctx)
    gone = receive(ctx, "MILK", 3, cost="18", received=days(-8), expires=days(-1)).lot.id
    keep = receive(ctx, "MILK", 3, expires=days(0)).lot.id
    bb = receive(ctx, "PINE", 3, received=days(-400), expires=days(-1)).lot.id
    written = stock.write_off_expired(ctx, WriteOffExpired())
    assert [(w.lot_id, w.cost) for w in written] == [(gone, 5400)]
    assert on_hand(ctx, gone) == 0 and on_hand(ctx, keep) == 3000 and on_hand(ctx, bb) == 3000
    assert stock.write_off_expired(ctx, WriteOffExpired()) == []


def test_count_writes_the_adjustment(ctx: Context) -> None:
    add_milk(ctx)
    lot = receive(ctx, "MILK", 6, expires=days(3)).lot.id
    counted = stock.count(ctx, lot, CountLot(quantity="4.5"))
    assert counted.adjustment == Decimal("-1.5") and on_hand(ctx, lot) == 4500
    assert stock.count(ctx, lot, CountLot(quantity=7)).adjustment == Decimal("2.5")
    with pytest.raises(InvalidInput, match="zero or more"):
        stock.count(ctx, lot, build(CountLot, {"quantity": -1}))
    assert on_hand(ctx, lot) == 7000


def test_undo_reverses_a_sale_and_cannot_be_repeated(ctx: Context) -> None:
    add_milk(ctx)
    lot = receive(ctx, "MILK", 5, expires=days(3)).lot.id
    sale = sell(ctx, "MILK", 2).draws[0].movement_id
    reversal = stock.undo(ctx, sale)
    assert reversal[0].reverses_id == sale and reversal[0].quantity == 2 and reversal[0].kind == "sell"
    assert on_hand(ctx, lot) == 5000
    with pytest.raises(Conflict, match="already undone"):
        stock.undo(ctx, sale)
    with pytest.raises(Conflict, match="itself the undo"):
        stock.undo(ctx, reversal[0].id)
    assert ledger_matches_lots(ctx)


def test_undo_of_a_move_reverses_both_legs(ctx: Context) -> None:
    add_milk(ctx)
    lot = receive(ctx, "MILK", 5, expires=days(3)).lot.id
    moved = stock.move(ctx, lot, MoveLot(quantity=2, location="freezer"))
    leg = views.ledger(ctx, LedgerQuery(sku="MILK", limit=1)).items[0]
    assert leg.lot_id == moved.id
    assert len(stock.undo(ctx, leg.id)) == 2
    assert on_hand(ctx, lot) == 5000 and on_hand(ctx, moved.id) == 0


def test_undo_refuses_to_take_back_stock_that_is_gone(ctx: Context) -> None:
    add_milk(ctx)
    received = receive(ctx, "MILK", 5, expires=days(3))
    sell(ctx, "MILK", 4)
    before = movement_count(ctx)
    with pytest.raises(Conflict, match="holds 1 but the undo would take 5"):
        stock.undo(ctx, received.movement_id)
    assert movement_count(ctx) == before


def test_undo_of_unknown_movement(ctx: Context) -> None:
    with pytest.raises(NotFound, match="no movement 99"):
        stock.undo(ctx, 99)
    # Ids are numbers by the time they reach a service; the CLI and the API parse them with parse_id.
    with pytest.raises(InvalidInput, match="must be a number"):
        parse_id("abc", "movement")


def test_expiry_board_lists_earliest_first_with_status_and_value(ctx: Context) -> None:
    add_milk(ctx)
    receive(ctx, "MILK", 1, cost="10", expires=days(2))
    receive(ctx, "MILK", 1, cost="10", received=days(-5), expires=days(-1))
    receive(ctx, "MILK", 1, cost="10", expires=days(0))
    receive(ctx, "MILK", 1, cost="10", expires=days(9))
    board = views.expiring(ctx, BoardQuery(days=3))
    assert [lot.status for lot in board.items] == [
        ExpiryStatus.EXPIRED,
        ExpiryStatus.TODAY,
        ExpiryStatus.SOON,
    ]
    assert sum(lot.value for lot in board.items) == 3000
    assert board.next_cursor is None
    with pytest.raises(InvalidInput, match="days must be between 0 and 365"):
        build(BoardQuery, {"days": -1})


def test_the_board_moves_on_when_the_day_changes(ctx: Context, clock) -> None:  # type: ignore[no-untyped-def]
    add_milk(ctx)
    receive(ctx, "MILK", 1, expires=days(1))
    assert views.expiring(ctx, BoardQuery(days=0)).items == []
    clock.advance(dt.timedelta(days=1))
    assert [lot.status for lot in views.expiring(ctx, BoardQuery(days=0)).items] == [ExpiryStatus.TODAY]
    clock.advance(dt.timedelta(days=1))
    assert [lot.status for lot in views.expiring(ctx, BoardQuery(days=0)).items] == [ExpiryStatus.EXPIRED]


def test_ledger_pages_newest_first_and_records_who(ctx: Context) -> None:
    add_milk(ctx)
    for _ in range(3):
        receive(ctx, "MILK", 1, expires=days(3))
    first = views.ledger(ctx, LedgerQuery(limit=2))
    assert [m.id for m in first.items] == [3, 2]
    assert first.next_cursor is not None
    rest = views.ledger(ctx, LedgerQuery(limit=2, cursor=first.next_cursor))
    assert [m.id for m in rest.items] == [1]
    assert rest.next_cursor is None
    assert first.items[0].actor == "tester"


def test_the_database_refuses_to_edit_or_delete_movements(ctx: Context) -> None:
    add_milk(ctx)
    receive(ctx, "MILK", 1, expires=days(3))
    for statement in ("UPDATE movements SET quantity = 5", "DELETE FROM movements"):
        with pytest.raises(DBAPIError, match="append-only"), ctx.db.write() as conn:
            conn.execute(text(statement))
    assert movement_count(ctx) == 1


def test_products_are_unique_by_sku_and_barcode(ctx: Context) -> None:
    add_pineapple(ctx)
    with pytest.raises(Conflict, match="SKU PINE already exists"):
        catalog.add_product(ctx, AddProduct(sku="pine", name="Again"))
    with pytest.raises(Conflict, match="already used by PINE"):
        catalog.add_product(ctx, AddProduct(sku="PINE2", name="Again", barcode="4006381333931"))
    with pytest.raises(InvalidInput, match="bad check digit"):
        build(AddProduct, {"sku": "PINE3", "name": "Again", "barcode": "4006381333932"})
    assert [p.sku for p in catalog.list_products(ctx, PageQuery()).items] == ["PINE"]


def test_unicode_names_round_trip(ctx: Context) -> None:
    add_pineapple(ctx)
    assert catalog.get_product(ctx, "PINE").name == "Tinned pineapple 罐頭菠蘿"


def test_locations(ctx: Context) -> None:
    assert [loc.name for loc in catalog.list_locations(ctx, PageQuery()).items] == [
        "shelf",
        "fridge",
        "freezer",
        "store room",
    ]
    catalog.add_location(ctx, AddLocation(name="Back fridge", kind="fridge"))
    with pytest.raises(Conflict, match="already exists"):
        catalog.add_location(ctx, AddLocation(name="back fridge", kind="fridge"))
    with pytest.raises(InvalidInput, match="location kind"):
        build(AddLocation, {"name": "Roof", "kind": "sky"})
