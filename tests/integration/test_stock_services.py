import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from midnight.domain.errors import Conflict, InsufficientStock, InvalidInput, NotFound
from midnight.domain.lot import ExpiryStatus
from midnight.services import catalog, stock, views
from midnight.services.context import Context
from tests.conftest import TODAY
from tests.integration.helpers import add_milk, add_pineapple, ledger_matches_lots, movement_count, on_hand


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def test_receive_creates_a_lot_with_cost_supplier_and_location(ctx: Context) -> None:
    add_milk(ctx)
    got = stock.receive(
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
    assert stock.receive(ctx, "4006381333931", 3).lot.sku == "PINE"


def test_default_expiry_counts_from_a_back_dated_receipt(ctx: Context) -> None:
    add_milk(ctx)
    got = stock.receive(ctx, "MILK", 2, received_on="2026-11-20")
    assert got.lot.expiry_date == dt.date(2026, 11, 27)
    assert got.lot.received_at.date() == dt.date(2026, 11, 20)


def test_refuses_a_receipt_in_the_future(ctx: Context) -> None:
    add_milk(ctx)
    with pytest.raises(InvalidInput, match="in the future"):
        stock.receive(ctx, "MILK", 2, received_on=days(1))


def test_refuses_expiry_before_receipt(ctx: Context) -> None:
    add_milk(ctx)
    with pytest.raises(InvalidInput, match="before the received date"):
        stock.receive(ctx, "MILK", 2, expires=days(-1))


def test_receiving_already_expired_stock_warns(ctx: Context) -> None:
    add_milk(ctx)
    got = stock.receive(ctx, "MILK", 2, received_on=days(-10), expires=days(-2))
    assert "already past" in got.warnings[0]


def test_lots_are_never_merged(ctx: Context) -> None:
    add_milk(ctx)
    a = stock.receive(ctx, "MILK", 2, expires=days(3))
    b = stock.receive(ctx, "MILK", 2, expires=days(3))
    assert a.lot.id != b.lot.id
    assert len(views.stock(ctx, "MILK")[0].lots) == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"code": "NOPE", "quantity": 1}, NotFound, "unknown SKU NOPE"),
        ({"code": "MILK", "quantity": "-1"}, InvalidInput, "greater than zero"),
        ({"code": "MILK", "quantity": 0}, InvalidInput, "greater than zero"),
        ({"code": "MILK", "quantity": 1, "expires": "2026-13-01"}, InvalidInput, "not a real calendar date"),
        ({"code": "MILK", "quantity": 1, "location": "roof"}, NotFound, "unknown location 'roof'"),
        ({"code": "MILK", "quantity": 1, "cost": "-2"}, InvalidInput, "negative"),
    ],
)
def test_bad_receipts_write_nothing(ctx: Context, kwargs: dict, error: type, message: str) -> None:  # type: ignore[type-arg]
    add_milk(ctx)
    with pytest.raises(error, match=message):
        stock.receive(ctx, **kwargs)
    assert movement_count(ctx) == 0


def test_sale_draws_fefo_across_lots(ctx: Context) -> None:
    add_milk(ctx)
    late = stock.receive(ctx, "MILK", 5, expires=days(6)).lot.id
    soon = stock.receive(ctx, "MILK", 2, expires=days(1)).lot.id
    sold = stock.sell(ctx, "MILK", 3)
    assert [(d.lot_id, d.quantity) for d in sold.draws] == [(soon, 2), (late, 1)]
    assert on_hand(ctx, soon) == 0 and on_hand(ctx, late) == 4000
    assert ledger_matches_lots(ctx)


def test_sale_is_all_or_nothing(ctx: Context) -> None:
    add_milk(ctx)
    stock.receive(ctx, "MILK", 2, expires=days(1))
    stock.receive(ctx, "MILK", 2, received_on=days(-9), expires=days(-1))
    before = movement_count(ctx)
    with pytest.raises(InsufficientStock, match="wanted 3, available 2"):
        stock.sell(ctx, "MILK", 3)
    assert movement_count(ctx) == before


def test_best_before_past_date_sells_only_when_asked(ctx: Context) -> None:
    add_pineapple(ctx)
    old = stock.receive(ctx, "PINE", 1, received_on=days(-400), expires=days(-1)).lot.id
    with pytest.raises(InsufficientStock):
        stock.sell(ctx, "PINE", 1)
    sold = stock.sell(ctx, "PINE", 1, allow_past_best_before=True)
    assert sold.draws[0].lot_id == old and sold.draws[0].past_best_before
    assert "past its best-before" in sold.warnings[0]


def test_use_draws_like_a_sale_but_records_use(ctx: Context) -> None:
    add_milk(ctx)
    stock.receive(ctx, "MILK", 2, expires=days(2))
    used = stock.use(ctx, "MILK", "0.5")
    assert used.kind == "use"
    assert views.ledger(ctx, "MILK", limit=1)[0].kind == "use"


def test_opening_a_pack_shortens_its_life_and_splits_it_off(ctx: Context) -> None:
    add_milk(ctx)
    lot = stock.receive(ctx, "MILK", 6, expires=days(7)).lot.id
    opened = stock.open_pack(ctx, lot)
    assert opened.quantity == 1 and opened.effective_expiry == days(3) and opened.opened_at is not None
    assert on_hand(ctx, lot) == 5000
    # The opened carton expires first, so it sells first.
    assert stock.sell(ctx, "MILK", 1).draws[0].lot_id == opened.id
    with pytest.raises(Conflict, match="already open"):
        stock.open_pack(ctx, opened.id)


def test_opening_never_extends_life(ctx: Context) -> None:
    add_milk(ctx)
    lot = stock.receive(ctx, "MILK", 1, expires=days(1)).lot.id
    assert stock.open_pack(ctx, lot).effective_expiry == days(1)


def test_cannot_open_a_use_by_lot_past_its_date(ctx: Context) -> None:
    add_milk(ctx)
    lot = stock.receive(ctx, "MILK", 1, received_on=days(-5), expires=days(-1)).lot.id
    with pytest.raises(Conflict, match="write it off"):
        stock.open_pack(ctx, lot)


def test_move_puts_part_of_a_lot_in_another_location(ctx: Context) -> None:
    add_milk(ctx)
    lot = stock.receive(ctx, "MILK", 6, expires=days(7), location="store room").lot.id
    moved = stock.move(ctx, lot, 4, "fridge")
    assert moved.location == "fridge" and moved.quantity == 4 and moved.effective_expiry == days(7)
    assert on_hand(ctx, lot) == 2000
    with pytest.raises(Conflict, match="it holds 2"):
        stock.move(ctx, lot, 3, "fridge")
    with pytest.raises(InvalidInput, match="already in"):
        stock.move(ctx, lot, 1, "store room")


def test_write_off_records_waste_with_its_cost(ctx: Context) -> None:
    add_pineapple(ctx)
    lot = stock.receive(ctx, "PINE", 10, cost="9.50").lot.id
    waste = stock.write_off(ctx, lot, 2, "dented")
    assert waste.cost == 1900 and waste.reason == "dented"
    with pytest.raises(InvalidInput, match="needs a reason"):
        stock.write_off(ctx, lot, 1, " ")


def test_write_off_expired_takes_every_use_by_lot_past_its_date(ctx: Context) -> None:
    add_milk(ctx)
    add_pineapple(ctx)
    gone = stock.receive(ctx, "MILK", 3, cost="18", received_on=days(-8), expires=days(-1)).lot.id
    keep = stock.receive(ctx, "MILK", 3, expires=days(0)).lot.id
    bb = stock.receive(ctx, "PINE", 3, received_on=days(-400), expires=days(-1)).lot.id
    written = stock.write_off_expired(ctx)
    assert [(w.lot_id, w.cost) for w in written] == [(gone, 5400)]
    assert on_hand(ctx, gone) == 0 and on_hand(ctx, keep) == 3000 and on_hand(ctx, bb) == 3000
    assert stock.write_off_expired(ctx) == []


def test_count_writes_the_adjustment(ctx: Context) -> None:
    add_milk(ctx)
    lot = stock.receive(ctx, "MILK", 6, expires=days(3)).lot.id
    counted = stock.count(ctx, lot, "4.5")
    assert counted.adjustment == Decimal("-1.5") and on_hand(ctx, lot) == 4500
    assert stock.count(ctx, lot, 7).adjustment == Decimal("2.5")
    with pytest.raises(InvalidInput, match="zero or more"):
        stock.count(ctx, lot, -1)


def test_undo_reverses_a_sale_and_cannot_be_repeated(ctx: Context) -> None:
    add_milk(ctx)
    lot = stock.receive(ctx, "MILK", 5, expires=days(3)).lot.id
    sale = stock.sell(ctx, "MILK", 2).draws[0].movement_id
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
    lot = stock.receive(ctx, "MILK", 5, expires=days(3)).lot.id
    moved = stock.move(ctx, lot, 2, "freezer")
    leg = views.ledger(ctx, "MILK", limit=1)[0]
    assert leg.lot_id == moved.id
    assert len(stock.undo(ctx, leg.id)) == 2
    assert on_hand(ctx, lot) == 5000 and on_hand(ctx, moved.id) == 0


def test_undo_refuses_to_take_back_stock_that_is_gone(ctx: Context) -> None:
    add_milk(ctx)
    received = stock.receive(ctx, "MILK", 5, expires=days(3))
    stock.sell(ctx, "MILK", 4)
    before = movement_count(ctx)
    with pytest.raises(Conflict, match="holds 1 but the undo would take 5"):
        stock.undo(ctx, received.movement_id)
    assert movement_count(ctx) == before


def test_undo_of_unknown_movement(ctx: Context) -> None:
    with pytest.raises(NotFound, match="no movement 99"):
        stock.undo(ctx, 99)
    with pytest.raises(InvalidInput, match="must be a number"):
        stock.undo(ctx, "abc")


def test_expiry_board_lists_earliest_first_with_status_and_value(ctx: Context) -> None:
    add_milk(ctx)
    stock.receive(ctx, "MILK", 1, cost="10", expires=days(2))
    stock.receive(ctx, "MILK", 1, cost="10", received_on=days(-5), expires=days(-1))
    stock.receive(ctx, "MILK", 1, cost="10", expires=days(0))
    stock.receive(ctx, "MILK", 1, cost="10", expires=days(9))
    board = views.expiring(ctx, 3)
    assert [lot.status for lot in board] == [ExpiryStatus.EXPIRED, ExpiryStatus.TODAY, ExpiryStatus.SOON]
    assert sum(lot.value for lot in board) == 3000
    with pytest.raises(InvalidInput):
        views.expiring(ctx, -1)


def test_the_board_moves_on_when_the_day_changes(ctx: Context, clock) -> None:  # type: ignore[no-untyped-def]
    add_milk(ctx)
    stock.receive(ctx, "MILK", 1, expires=days(1))
    assert views.expiring(ctx, 0) == []
    clock.advance(dt.timedelta(days=1))
    assert [lot.status for lot in views.expiring(ctx, 0)] == [ExpiryStatus.TODAY]
    clock.advance(dt.timedelta(days=1))
    assert [lot.status for lot in views.expiring(ctx, 0)] == [ExpiryStatus.EXPIRED]


def test_ledger_pages_newest_first_and_records_who(ctx: Context) -> None:
    add_milk(ctx)
    for _ in range(3):
        stock.receive(ctx, "MILK", 1, expires=days(3))
    first = views.ledger(ctx, limit=2)
    assert [m.id for m in first] == [3, 2]
    assert [m.id for m in views.ledger(ctx, limit=2, before=2)] == [1]
    assert first[0].actor == "tester"


def test_the_database_refuses_to_edit_or_delete_movements(ctx: Context) -> None:
    add_milk(ctx)
    stock.receive(ctx, "MILK", 1, expires=days(3))
    for statement in ("UPDATE movements SET quantity = 5", "DELETE FROM movements"):
        with pytest.raises(DBAPIError, match="append-only"), ctx.db.write() as conn:
            conn.execute(text(statement))
    assert movement_count(ctx) == 1


def test_products_are_unique_by_sku_and_barcode(ctx: Context) -> None:
    add_pineapple(ctx)
    with pytest.raises(Conflict, match="SKU PINE already exists"):
        catalog.add_product(ctx, "pine", "Again")
    with pytest.raises(Conflict, match="already used by PINE"):
        catalog.add_product(ctx, "PINE2", "Again", barcode="4006381333931")
    with pytest.raises(InvalidInput, match="bad check digit"):
        catalog.add_product(ctx, "PINE3", "Again", barcode="4006381333932")


def test_unicode_names_round_trip(ctx: Context) -> None:
    add_pineapple(ctx)
    assert catalog.get_product(ctx, "PINE").name == "Tinned pineapple 罐頭菠蘿"


def test_locations(ctx: Context) -> None:
    assert [loc["name"] for loc in catalog.list_locations(ctx)] == [
        "shelf",
        "fridge",
        "freezer",
        "store room",
    ]
    catalog.add_location(ctx, "Back fridge", "fridge")
    with pytest.raises(Conflict, match="already exists"):
        catalog.add_location(ctx, "back fridge", "fridge")
    with pytest.raises(InvalidInput, match="location kind"):
        catalog.add_location(ctx, "Roof", "sky")
