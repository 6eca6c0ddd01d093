"""What an attacker found through the API, each now refused or put right (on both databases)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from midnight.commands import build
from midnight.commands.catalog import AddProduct
from midnight.commands.counter import AddCustomer, AddTarget, ContactPolicyIn, HoldItem, ShelfQuery
from midnight.commands.stock import DrawStock, OpenPack, ReceiveLot, WriteOff
from midnight.commands.till import AddMenuItem, CloseDay, PlaceOrder, RefundOrder
from midnight.domain.errors import Conflict, InvalidInput
from midnight.services import catalog, customers, holds, menu, notify, orders, reports, stock, views
from midnight.services.context import Context
from tests.conftest import TODAY


def test_a_number_that_is_one_customers_id_and_anothers_nickname_is_never_guessed(ctx: Context) -> None:
    alice = customers.add_customer(ctx, AddCustomer(name="Alice"))
    mallory = customers.add_customer(ctx, AddCustomer(name="Mallory", nickname=str(alice.id)))
    with pytest.raises(InvalidInput, match=f"is customer #{alice.id}'s number and also another"):
        holds.hold_item(ctx, HoldItem(description="envelope with keys", for_customer=str(alice.id)))
    with pytest.raises(InvalidInput, match="number and also another"):
        holds.shelf(ctx, ShelfQuery(customer=str(alice.id)))
    assert (
        holds.hold_item(ctx, HoldItem(description="keys", for_customer=f"#{alice.id}")).hold.for_customer
        == "Alice"
    )
    assert (
        holds.hold_item(ctx, HoldItem(description="keys", for_customer="Mallory")).hold.for_customer_id
        == mallory.id
    )


def test_waste_after_the_day_is_closed_counts_on_the_next_business_day(ctx: Context, clock) -> None:  # type: ignore[no-untyped-def]
    catalog.add_product(ctx, AddProduct(sku="MILK", name="Milk", shelf_life_days=7))
    lot = stock.receive(ctx, ReceiveLot(sku="MILK", quantity=20, cost="10")).lot
    stock.write_off(ctx, lot.id, WriteOff(quantity=1, reason="spilt"))
    closed = reports.close_day(ctx, CloseDay(date=TODAY))
    assert closed.waste_at_cost == 1000
    stock.write_off(ctx, lot.id, WriteOff(quantity=5, reason="dropped crate"))  # the same calendar day
    assert reports.z_report(ctx, TODAY).waste_at_cost == 1000  # the closed day's record stands
    tomorrow = reports.x_report(ctx)
    assert tomorrow.business_date == TODAY + dt.timedelta(days=1) and tomorrow.waste_at_cost == 5000
    clock.advance(dt.timedelta(days=1))
    next_day = CloseDay(date=TODAY + dt.timedelta(days=1))
    assert reports.close_day(ctx, next_day).waste_at_cost == 5000  # nothing written off is lost


def test_a_sku_may_not_be_another_products_barcode_nor_the_other_way_round(ctx: Context) -> None:
    catalog.add_product(
        ctx, AddProduct(sku="MILK-1L", name="Milk", barcode="4006381333931", shelf_life_days=7)
    )
    with pytest.raises(Conflict, match="is the barcode of MILK-1L"):
        catalog.add_product(ctx, AddProduct(sku="4006381333931", name="Oat milk", shelf_life_days=7))
    catalog.add_product(ctx, AddProduct(sku="5000000000012", name="Odd SKU", shelf_life_days=7))
    with pytest.raises(Conflict, match="already used by 5000000000012"):
        catalog.add_product(
            ctx, AddProduct(sku="OAT", name="Oat", barcode="5000000000012", shelf_life_days=7)
        )


@pytest.fixture
def tins(ctx: Context) -> Context:
    catalog.add_product(
        ctx, AddProduct(sku="PINE", name="Pineapple", expiry_kind="best_before", shelf_life_days=365)
    )
    menu.add_menu_item(ctx, AddMenuItem(code="TIN", name="Tin", price="18", product="PINE"))
    return ctx


def test_a_tin_is_sold_whole_at_the_till_and_from_sealed_stock(tins: Context) -> None:
    ctx = tins
    with pytest.raises(InvalidInput, match="line 1: Tin is sold in whole units"):
        orders.place_order(ctx, "half", build(PlaceOrder, {"lines": [{"code": "TIN", "quantity": "0.5"}]}))
    old = stock.receive(
        ctx, ReceiveLot(sku="PINE", quantity=2, cost="9", expires=TODAY + dt.timedelta(days=30))
    ).lot
    stock.receive(ctx, ReceiveLot(sku="PINE", quantity=2, cost="9", expires=TODAY + dt.timedelta(days=60)))
    stock.open_pack(ctx, old.id, OpenPack())  # the kitchen opened one of the soonest tins
    sold = stock.sell(ctx, DrawStock(sku="PINE", quantity=2))
    # the other sealed tin of the first lot, then one of the second: never the opened one
    assert [d.quantity for d in sold.draws] == [Decimal(1), Decimal(1)]
    opened = [lot for lot in views.product_stock(ctx, "PINE").lots if lot.opened_at is not None]
    assert [lot.quantity for lot in opened] == [Decimal(1)]
    with pytest.raises(Exception, match="available 1"):
        stock.sell(
            ctx, DrawStock(sku="PINE", quantity=2)
        )  # one sealed tin left; the opened one is not for sale


def test_whole_lines_are_refunded_whole_and_small_refunds_never_add_up_to_more(tins: Context) -> None:
    ctx = tins
    stock.receive(ctx, ReceiveLot(sku="PINE", quantity=50, cost="9"))
    order = orders.place_order(
        ctx,
        "k",
        build(
            PlaceOrder,
            {"lines": [{"code": "TIN", "quantity": 3}], "payments": [{"method": "cash", "amount": "54"}]},
        ),
    )
    with pytest.raises(InvalidInput, match="was sold in whole units"):
        orders.refund_order(
            ctx, order.id, build(RefundOrder, {"reason": "x", "lines": [{"line": 1, "quantity": "0.001"}]})
        )
    for _ in range(3):
        order = orders.refund_order(
            ctx, order.id, build(RefundOrder, {"reason": "dented", "lines": [{"line": 1}]})
        )
    assert order.refunded == order.total == 5400


def test_refunds_of_part_of_a_weighed_line_are_priced_on_everything_refunded_so_far(ctx: Context) -> None:
    catalog.add_product(ctx, AddProduct(sku="HAM", name="Ham", unit="kg", shelf_life_days=5))
    menu.add_menu_item(ctx, AddMenuItem(code="HAM", name="Ham by weight", price="9.99", product="HAM"))
    stock.receive(ctx, ReceiveLot(sku="HAM", quantity=10, cost="50"))
    order = orders.place_order(
        ctx,
        "w",
        build(
            PlaceOrder,
            {"lines": [{"code": "HAM", "quantity": "1"}], "payments": [{"method": "cash", "amount": "10"}]},
        ),
    )
    for _ in range(9):
        order = orders.refund_order(
            ctx, order.id, build(RefundOrder, {"reason": "x", "lines": [{"line": 1, "quantity": "0.001"}]})
        )
    # nine grams of a HK$9.99 kilo is 8.991 cents: 9 cents in all, not nine rounded-up cents each
    assert order.refunded == 9


def test_the_same_address_twice_is_one_contact_and_one_target(ctx: Context) -> None:
    notify.set_contact_policy(ctx, ContactPolicyIn(schemes=["json", "mailto"], allow_private_addresses=False))
    with pytest.raises(InvalidInput, match="contact 2 is the same address as contact 1"):
        customers.add_customer(
            ctx,
            AddCustomer(
                name="Chan", contacts=["json://example.com/dup", "JSON://example.com/dup?method=POST"]
            ),
        )
    notify.add_target(ctx, AddTarget(url="mailto://shop@example.com"))
    with pytest.raises(Conflict, match="already a target"):
        notify.add_target(ctx, AddTarget(url="MAILTO://shop@example.com"))


def test_a_retry_that_spells_the_same_order_differently_is_still_a_retry(tins: Context) -> None:
    ctx = tins
    stock.receive(ctx, ReceiveLot(sku="PINE", quantity=5, cost="9"))
    first = orders.place_order(
        ctx,
        "same",
        build(
            PlaceOrder,
            {"lines": [{"code": "TIN", "quantity": 1}], "payments": [{"method": "cash", "amount": "20"}]},
        ),
    )
    again = orders.place_order(
        ctx,
        "same",
        build(
            PlaceOrder,
            {
                "lines": [{"code": "tin", "quantity": "1.000"}],
                "payments": [{"method": "CASH", "amount": "20.00"}],
            },
        ),
    )
    assert again.replayed and again.id == first.id


def test_a_birthday_in_the_future_is_refused(ctx: Context) -> None:
    with pytest.raises(InvalidInput, match="is in the future"):
        customers.add_customer(ctx, AddCustomer(name="Chan", birthday=TODAY + dt.timedelta(days=1)))
