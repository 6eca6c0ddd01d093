"""The services under the stock page: receiving in two steps, the product picker, the paged board,
writing off everything expired behind a check, and expiry corrections as audited events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from midnight.commands import build
from midnight.commands.catalog import AddProduct, LotsQuery, PageQuery, ProductSearch
from midnight.commands.stock import (
    CorrectExpiry,
    DrawStock,
    ExpiredQuery,
    FindProduct,
    MoveLot,
    OpenPack,
    ReceiveLot,
    WriteOffExpired,
)
from midnight.db import tables as t
from midnight.domain.clock import FixedClock
from midnight.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from midnight.domain.people import Actor, Role
from midnight.services import catalog, stock, views
from midnight.services.context import Context
from tests.conftest import TODAY
from tests.integration.helpers import add_milk, add_pineapple, ledger_matches_lots, movement_count, on_hand


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def receive(ctx: Context, sku: str, quantity: Any, **fields: Any) -> int:
    return stock.receive(ctx, ReceiveLot(sku=sku, quantity=quantity, **fields)).lot.id


def staff(ctx: Context) -> Context:
    return ctx.acting_as(Actor("kwan", Role.STAFF))


# --- receiving: find first, book on Receive -----------------------------------------------------


def test_finding_a_product_to_receive_books_nothing_and_fills_in_its_expiry(ctx: Context) -> None:
    add_milk(ctx)
    add_pineapple(ctx)
    before = movement_count(ctx)
    by_barcode = stock.find_for_receiving(staff(ctx), FindProduct(code="4006381333931"))
    assert by_barcode.product is not None and by_barcode.product.sku == "PINE"
    assert by_barcode.expires == days(365)
    by_sku = stock.find_for_receiving(ctx, FindProduct(code="milk"))  # a SKU in any case
    assert by_sku.product is not None and by_sku.product.sku == "MILK" and by_sku.expires == days(7)
    by_name = stock.find_for_receiving(ctx, FindProduct(code="菠蘿"))
    assert by_name.product is not None and by_name.product.sku == "PINE"
    assert movement_count(ctx) == before  # looking up is not receiving


def test_the_default_expiry_is_counted_on_the_stores_calendar(ctx: Context, clock: FixedClock) -> None:
    add_milk(ctx)
    # 20:00 UTC on the 25th is 04:00 on the 26th in Hong Kong: shelf life counts from the 26th.
    clock.instant = dt.datetime(2026, 11, 25, 20, 0, tzinfo=dt.UTC)
    found = stock.find_for_receiving(ctx, FindProduct(code="MILK"))
    assert ctx.store.tz.key == "Asia/Hong_Kong"
    assert found.expires == dt.date(2026, 12, 3)


def test_an_unknown_code_or_a_misread_scan_is_refused_on_the_code_box(ctx: Context) -> None:
    add_milk(ctx)
    with pytest.raises(NotFound, match="no product has the code or a name like 'nosuch'") as unknown:
        stock.find_for_receiving(ctx, FindProduct(code="nosuch"))
    assert unknown.value.field == "code"
    with pytest.raises(InvalidInput, match="check digit") as misread:
        stock.find_for_receiving(ctx, FindProduct(code="4006381333932"))
    assert misread.value.field == "code"


def test_a_product_without_shelf_life_asks_for_its_date(ctx: Context) -> None:
    catalog.add_product(ctx, AddProduct(sku="SOUP", name="Soup of the day"))
    found = stock.find_for_receiving(ctx, FindProduct(code="SOUP"))
    assert found.product is not None and found.expires is None
    assert "type its expiry date" in found.note


def test_several_matches_are_offered_to_choose_from(ctx: Context) -> None:
    add_milk(ctx)
    catalog.add_product(ctx, AddProduct(sku="MILK-UHT", name="UHT milk 1 L", shelf_life_days=90))
    found = stock.find_for_receiving(ctx, FindProduct(code="Milk 1"))
    assert found.product is None
    assert [p.sku for p in found.matches] == ["MILK", "MILK-UHT"]
    assert "choose one" in found.note


def test_product_search_is_case_and_width_insensitive_and_paged_in_the_query(ctx: Context) -> None:
    add_milk(ctx)
    add_pineapple(ctx)
    for n in range(5):
        catalog.add_product(ctx, AddProduct(sku=f"MILKTEA-{n}", name=f"Milk tea {n} 奶茶"))

    def skus(q: str, **more: Any) -> list[str]:
        return [p.sku for p in catalog.search_products(ctx, build(ProductSearch, {"q": q, **more})).items]

    assert skus("ＭＩＬＫ", limit=1) == ["MILK"]  # full-width letters, upper case
    assert skus("罐頭") == ["PINE"]
    assert skus("tea-3") == ["MILKTEA-3"]  # part of a SKU
    assert skus("100%") == []  # wildcards are only text
    first = catalog.search_products(ctx, build(ProductSearch, {"q": "milk", "limit": 4}))
    assert len(first.items) == 4 and first.next_cursor
    rest = catalog.search_products(ctx, build(ProductSearch, {"q": "milk", "cursor": first.next_cursor}))
    assert len(first.items) + len(rest.items) == 6 and rest.next_cursor is None


# --- the board, a page at a time --------------------------------------------------------------------


def test_the_board_pages_on_and_back_in_expiry_order_with_its_filters(ctx: Context) -> None:
    add_milk(ctx)
    lots = [receive(ctx, "MILK", 1, expires=days(n)) for n in range(7)]

    def page(**query: Any) -> views.LotsPage:
        return views.lots(ctx, build(LotsQuery, {"limit": 3, **query}))

    first = page()
    assert [lot.id for lot in first.items] == lots[:3] and first.previous_cursor is None
    second = page(cursor=first.next_cursor)
    assert [lot.id for lot in second.items] == lots[3:6]
    third = page(cursor=second.next_cursor)
    assert [lot.id for lot in third.items] == lots[6:] and third.next_cursor is None
    back = page(before=third.previous_cursor)
    assert [lot.id for lot in back.items] == lots[3:6] and back.next_cursor and back.previous_cursor
    again = page(before=back.previous_cursor)
    assert [lot.id for lot in again.items] == lots[:3] and again.previous_cursor is None
    soon = page(state="soon", limit=10)
    assert [lot.id for lot in soon.items] == lots[1:4]
    with pytest.raises(InvalidInput, match="not both"):
        page(cursor=first.next_cursor, before=third.previous_cursor)


# --- writing off everything expired ------------------------------------------------------------------


def test_write_off_all_expired_shows_lots_units_and_cost_then_writes_exactly_that_once(ctx: Context) -> None:
    add_milk(ctx)
    add_pineapple(ctx)
    catalog.add_product(ctx, AddProduct(sku="HAM", name="Ham", unit="kg", shelf_life_days=5))
    milk = receive(ctx, "MILK", 3, cost="18", received=days(-8), expires=days(-1))
    ham = receive(ctx, "HAM", "1.5", cost="120.50", received=days(-8), expires=days(-2))
    keep = receive(ctx, "MILK", 2, expires=days(0))
    tin = receive(ctx, "PINE", 4, cost="9", received=days(-400), expires=days(-1))
    summary = stock.expired_stock(ctx, ExpiredQuery())
    assert (summary.lots, summary.cost, summary.cost_text) == (2, 5400 + 18075, "HK$234.75")
    assert [(str(u.quantity), u.unit) for u in summary.units] == [("3", "each"), ("1.5", "kg")]
    assert summary.best_before_kept == 1
    assert summary.describe() == "2 lots (3 each, 1.5 kg) at a cost of HK$234.75"

    written = stock.write_off_expired(ctx, WriteOffExpired(expected=summary.check))
    assert sorted((w.lot_id, w.cost) for w in written) == sorted([(milk, 5400), (ham, 18075)])
    assert on_hand(ctx, milk) == on_hand(ctx, ham) == 0 and on_hand(ctx, keep) == 2000
    assert on_hand(ctx, tin) == 4000  # best-before: may still be sold, so kept unless asked
    moved = movement_count(ctx)
    # pressed again, or a retried request: nothing left, nothing written twice
    assert stock.write_off_expired(ctx, WriteOffExpired(expected=summary.check)) == []
    assert movement_count(ctx) == moved
    with_bb = stock.expired_stock(ctx, ExpiredQuery(include_best_before=True))
    assert (with_bb.lots, with_bb.cost_text, with_bb.best_before_kept) == (1, "HK$36.00", 0)
    assert [w.lot_id for w in stock.write_off_expired(ctx, WriteOffExpired(include_best_before=True))] == [
        tin
    ]
    assert ledger_matches_lots(ctx)


def test_write_off_all_expired_refuses_if_the_stock_changed_since_it_was_shown(ctx: Context) -> None:
    add_milk(ctx)
    first = receive(ctx, "MILK", 3, cost="10", received=days(-8), expires=days(-1))
    shown = stock.expired_stock(ctx, ExpiredQuery())
    second = receive(ctx, "MILK", 2, cost="10", received=days(-8), expires=days(-1))
    before = movement_count(ctx)
    with pytest.raises(
        Conflict, match=r"changed since it was shown: it is now 2 lots \(5 each\) at a cost of HK\$50\.00"
    ):
        stock.write_off_expired(ctx, WriteOffExpired(expected=shown.check))
    assert movement_count(ctx) == before and on_hand(ctx, first) == 3000 and on_hand(ctx, second) == 2000


def test_staff_may_not_write_off_everything_expired(ctx: Context) -> None:
    with pytest.raises(Forbidden, match="may not write off stock"):
        stock.expired_stock(staff(ctx), ExpiredQuery())
    with pytest.raises(Forbidden, match="may not write off stock"):
        stock.write_off_expired(staff(ctx), WriteOffExpired())


def test_writing_off_everything_expired_counts_each_lot_as_waste_on_the_business_day(ctx: Context) -> None:
    add_milk(ctx)
    receive(ctx, "MILK", 1, cost="10", received=days(-8), expires=days(-1))
    stock.write_off_expired(ctx, WriteOffExpired())
    with ctx.db.read() as conn:
        row = conn.execute(
            select(t.movements.c.reason, t.movements.c.business_date, t.movements.c.unit_cost).where(
                t.movements.c.kind == "waste"
            )
        ).one()
    assert tuple(row) == ("expired", TODAY, 1000)


# --- correcting a lot's expiry --------------------------------------------------------------------


def test_correcting_an_expiry_is_an_event_and_fefo_follows_the_corrected_date(ctx: Context) -> None:
    add_milk(ctx)
    late = receive(ctx, "MILK", 2, expires=days(5))
    early = receive(ctx, "MILK", 2, expires=days(2))
    done = stock.correct_lot_expiry(ctx, late, CorrectExpiry(expires=days(1), reason="date misread"))
    assert (done.correction.from_date, done.correction.to_date) == (days(5), days(1))
    assert done.correction.actor == "tester" and done.correction.reason == "date misread"
    lot = views.get_lot(ctx, late)
    assert (lot.expiry_date, lot.corrected_expiry, lot.effective_expiry) == (days(5), days(1), days(1))
    # FEFO now takes the corrected lot first
    drawn = stock.sell(ctx, DrawStock(sku="MILK", quantity=1))
    assert [d.lot_id for d in drawn.draws] == [late]
    # and the board orders by it
    assert [x.id for x in views.lots(ctx, LotsQuery()).items] == [late, early]
    history = views.expiry_corrections(ctx, late, PageQuery())
    assert [(c.from_date, c.to_date) for c in history.items] == [(days(5), days(1))]


def test_a_corrected_date_past_today_stops_a_use_by_lot_selling(ctx: Context) -> None:
    add_milk(ctx)
    lot = receive(ctx, "MILK", 2, received=days(-3), expires=days(3))
    stock.correct_lot_expiry(ctx, lot, CorrectExpiry(expires=days(-1), reason="label says the 24th"))
    with pytest.raises(Exception, match="MILK"):
        stock.sell(ctx, DrawStock(sku="MILK", quantity=1))
    summary = stock.expired_stock(ctx, ExpiredQuery())
    assert summary.lots == 1


def test_an_open_lot_keeps_its_opened_life_and_children_carry_the_correction(ctx: Context) -> None:
    add_milk(ctx)
    lot = receive(ctx, "MILK", 3, expires=days(10))
    opened = stock.open_pack(ctx, lot, OpenPack())
    assert opened.effective_expiry == days(3)  # three days once opened
    stock.correct_lot_expiry(ctx, opened.id, CorrectExpiry(expires=days(8), reason="typo"))
    assert views.get_lot(ctx, opened.id).effective_expiry == days(3)  # still the opened life
    stock.correct_lot_expiry(ctx, opened.id, CorrectExpiry(expires=days(1), reason="typo again"))
    assert views.get_lot(ctx, opened.id).effective_expiry == days(1)
    stock.correct_lot_expiry(ctx, lot, CorrectExpiry(expires=days(6), reason="misprint"))
    moved = stock.move(ctx, lot, MoveLot(quantity=1, location="fridge"))
    assert (moved.expiry_date, moved.corrected_expiry, moved.effective_expiry) == (days(10), days(6), days(6))
    later = stock.open_pack(ctx, moved.id, OpenPack())
    assert later.effective_expiry == days(3)
    history = views.expiry_corrections(ctx, opened.id, PageQuery())
    assert [c.reason for c in history.items] == ["typo again", "typo"]  # newest first


def test_an_expiry_correction_needs_a_reason_a_real_change_and_the_owner(ctx: Context) -> None:
    add_milk(ctx)
    lot = receive(ctx, "MILK", 1, received=days(-2), expires=days(4))
    with pytest.raises(InvalidInput, match="reason") as no_reason:
        stock.correct_lot_expiry(ctx, lot, build(CorrectExpiry, {"expires": str(days(3))}))
    assert "--" not in no_reason.value.message
    with pytest.raises(InvalidInput, match="must be a date like") as bad:
        build(CorrectExpiry, {"expires": "12/31/2026", "reason": "x"})
    assert bad.value.field == "expires"
    with pytest.raises(InvalidInput, match="already expires on 2026-11-29"):
        stock.correct_lot_expiry(ctx, lot, CorrectExpiry(expires=days(4), reason="same"))
    with pytest.raises(InvalidInput, match=r"before lot \d+ was received on 2026-11-23"):
        stock.correct_lot_expiry(ctx, lot, CorrectExpiry(expires=days(-3), reason="too early"))
    with pytest.raises(Forbidden, match="may not adjust stock"):
        stock.correct_lot_expiry(staff(ctx), lot, CorrectExpiry(expires=days(3), reason="x"))
    with pytest.raises(NotFound):
        stock.correct_lot_expiry(ctx, 9999, CorrectExpiry(expires=days(3), reason="x"))
    assert views.get_lot(ctx, lot).corrected_expiry is None


def test_expiry_corrections_are_append_only(ctx: Context) -> None:
    add_milk(ctx)
    lot = receive(ctx, "MILK", 1, expires=days(4))
    stock.correct_lot_expiry(ctx, lot, CorrectExpiry(expires=days(3), reason="x"))
    for statement in ("UPDATE expiry_corrections SET reason = 'y'", "DELETE FROM expiry_corrections"):
        with pytest.raises(DBAPIError, match="append-only"), ctx.db.write() as conn:
            conn.execute(text(statement))
