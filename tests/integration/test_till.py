import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from midnight.commands import build
from midnight.commands.catalog import LedgerQuery
from midnight.commands.stock import ReceiveLot, WriteOff
from midnight.commands.till import (
    AddMenuItem,
    CloseDay,
    PayOrder,
    PlaceOrder,
    RefundOrder,
    SetActive,
    SetMarkdown,
    SetPrice,
    VoidOrder,
)
from midnight.db import tables as t
from midnight.domain.errors import Conflict, InsufficientStock, InvalidInput, NotFound
from midnight.domain.order import OrderState
from midnight.services import menu, orders, receipts, reports, stock, views
from midnight.services.context import Context
from tests.integration.helpers import ledger_matches_lots, movement_count
from tests.integration.till_setup import day, open_snack_bar, stock_up


@pytest.fixture
def bar(ctx: Context) -> Context:
    open_snack_bar(ctx)
    stock_up(ctx)
    return ctx


def on_hand(ctx: Context, sku: str) -> Decimal:
    return views.product_stock(ctx, sku).on_hand


def count(ctx: Context, table: t.Table) -> int:  # type: ignore[name-defined]
    with ctx.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def line(code: str, quantity: Any = 1, **extra: Any) -> dict[str, Any]:
    return {"code": code, "quantity": quantity, **extra}


def pay(method: str, amount: str) -> dict[str, str]:
    return {"method": method, "amount": amount}


def place(ctx: Context, key: str, *lines: dict[str, Any], **fields: Any) -> orders.OrderInfo:
    return orders.place_order(ctx, key, PlaceOrder(lines=list(lines), **fields))


def pay_order(ctx: Context, order_id: int, *payments: dict[str, str]) -> orders.OrderInfo:
    return orders.pay_order(ctx, order_id, PayOrder(payments=list(payments)))


def refund(
    ctx: Context, order_id: int, reason: str, *lines: tuple[int, Any], **fields: Any
) -> orders.OrderInfo:
    asked = [{"line": no, "quantity": quantity} for no, quantity in lines] or None
    return orders.refund_order(ctx, order_id, RefundOrder(reason=reason, lines=asked, **fields))


def test_paying_draws_every_ingredient_fefo_and_records_payment(bar: Context) -> None:
    order = place(
        bar,
        "till-1-0001",
        line("SALAD", 2, note="no onion"),
        line("TIN", 1),
        payments=[pay("cash", "100")],
    )
    assert order.state is OrderState.PAID and order.state == "paid" and order.total == 9400
    assert order.payments[0].applied == 9400 and order.change == 600
    assert on_hand(bar, "LETTUCE") == Decimal("1.8") and on_hand(bar, "HAM") == 16
    lettuce = views.product_stock(bar, "LETTUCE").lots
    assert [(lot.effective_expiry, lot.quantity) for lot in lettuce] == [
        (day(1), Decimal("0.8")),
        (day(3), 1),
    ]
    assert ledger_matches_lots(bar)


def test_price_changes_keep_history_and_past_orders_keep_their_price(bar: Context, clock) -> None:  # type: ignore[no-untyped-def]
    first = place(bar, "a", line("TIN"), payments=[pay("card", "18")])
    clock.advance(dt.timedelta(minutes=5))
    menu.set_price(bar, "TIN", SetPrice(price="20"))
    second = place(bar, "b", line("TIN"), payments=[pay("card", "20")])
    assert first.lines[0].unit_price == 1800 and second.lines[0].unit_price == 2000
    assert orders.get_order(bar, first.id).total == 1800
    assert [p.price for p in menu.get_menu_item(bar, "TIN").prices] == [2000, 1800]


def test_not_enough_of_one_ingredient_names_it_and_writes_nothing(bar: Context) -> None:
    before = movement_count(bar)
    with pytest.raises(
        InsufficientStock, match="Chef's salad: not enough sellable stock of HAM: wanted 22, available 20"
    ):
        place(bar, "k", line("SALAD", 11), payments=[pay("cash", "1000")])
    assert movement_count(bar) == before
    assert count(bar, t.orders) == 0


def test_short_payment_is_refused_and_nothing_is_written(bar: Context) -> None:
    order = place(bar, "k", line("SALAD"))
    before = movement_count(bar)
    with pytest.raises(InvalidInput, match=r"payments \(HK\$30.00\) are short of the total \(HK\$38.00\)"):
        pay_order(bar, order.id, pay("cash", "30"))
    assert movement_count(bar) == before
    assert orders.get_order(bar, order.id).state is OrderState.OPEN


def test_split_payment(bar: Context) -> None:
    order = place(bar, "k", line("SALAD"))
    paid = pay_order(bar, order.id, pay("card", "20"), pay("cash", "20"))
    assert [(p.method, p.applied, p.change) for p in paid.payments] == [
        ("card", 2000, 0),
        ("cash", 1800, 200),
    ]


def test_reduce_to_clear_prices_down_units_from_lots_near_expiry(bar: Context) -> None:
    stock.receive(
        bar, ReceiveLot(sku="PINE", quantity=1, cost="9", expires=day(1))
    )  # inside the 2-day window
    order = place(bar, "k", line("TIN", 3), payments=[pay("cash", "60")])
    assert order.lines[0].markdown == 540  # one tin of three, 30% off
    assert order.total == 5400 - 540 and order.markdowns == 540
    receipt = receipts.render(bar, order, 80)
    assert "reduced to clear" in receipt and "-HK$5.40" in receipt


def test_discounts_line_and_order_with_reasons(bar: Context) -> None:
    order = place(
        bar,
        "k",
        line("SALAD", 1, discount="10%", discount_reason="staff"),
        line("TIN"),
        discount="2",
        discount_reason="regular",
        payments=[pay("cash", "60")],
    )
    assert (
        order.line_discounts == 380 and order.order_discount == 200 and order.total == 3800 - 380 + 1800 - 200
    )


def test_same_key_same_order_returns_the_original_and_writes_nothing(bar: Context) -> None:
    lines = [line("SALAD"), line("TIN", 2)]
    first = place(bar, "till-1-42", *lines, payments=[pay("cash", "100")])
    before = movement_count(bar)
    again = place(bar, "till-1-42", *lines, payments=[pay("cash", "100")])
    assert again.id == first.id and again.replayed and not first.replayed
    assert movement_count(bar) == before and count(bar, t.orders) == 1 and count(bar, t.payments) == 1


def test_same_key_different_order_is_refused(bar: Context) -> None:
    place(bar, "till-1-42", line("TIN"), payments=[pay("cash", "20")])
    with pytest.raises(Conflict, match="already used for a different order"):
        place(bar, "till-1-42", line("TIN", 2), payments=[pay("cash", "40")])


def test_the_same_key_from_two_threads_at_once_records_one_sale(bar: Context) -> None:
    results: list[object] = []
    barrier = threading.Barrier(2)

    def till() -> None:
        barrier.wait()
        try:
            results.append(place(bar, "till-2-7", line("TIN", 2), payments=[pay("cash", "50")]))
        except Exception as exc:  # the test reports it below
            results.append(exc)

    threads = [threading.Thread(target=till) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(isinstance(r, orders.OrderInfo) for r in results), results
    assert len({r.id for r in results}) == 1  # type: ignore[attr-defined]
    assert sorted(r.replayed for r in results) == [False, True]  # type: ignore[attr-defined]
    assert count(bar, t.orders) == 1 and count(bar, t.payments) == 1
    assert on_hand(bar, "PINE") == 8


def test_paying_twice_with_the_same_payment_is_a_harmless_retry(bar: Context) -> None:
    order = place(bar, "k", line("TIN"))
    pay_order(bar, order.id, pay("cash", "20"))
    before = movement_count(bar)
    assert pay_order(bar, order.id, pay("cash", "20")).replayed
    with pytest.raises(Conflict, match="is paid, not open"):
        pay_order(bar, order.id, pay("card", "18"))
    assert movement_count(bar) == before


def test_refund_of_a_tin_goes_back_on_the_shelf(bar: Context) -> None:
    order = place(bar, "k", line("TIN", 2), payments=[pay("cash", "40")])
    refunded = refund(bar, order.id, "changed mind", (1, 1))
    assert refunded.state is OrderState.PARTLY_REFUNDED and refunded.refunds[0].amount == 1800
    assert refunded.refunds[0].method == "cash"
    assert on_hand(bar, "PINE") == 9
    assert ledger_matches_lots(bar)


def test_refund_of_a_made_salad_goes_to_waste_with_reason_refund(bar: Context) -> None:
    order = place(bar, "k", line("SALAD"), payments=[pay("card", "38")])
    ham_before = on_hand(bar, "HAM")
    refunded = refund(bar, order.id, "found a hair")
    assert refunded.state is OrderState.REFUNDED and refunded.refunded == 3800
    assert on_hand(bar, "HAM") == ham_before  # not restocked
    wastes = [m for m in views.ledger(bar, LedgerQuery(limit=20)).items if m.kind == "waste"]
    assert {m.sku for m in wastes} == {"LETTUCE", "HAM", "DRESSING"} and {m.reason for m in wastes} == {
        "refund"
    }


def test_refunds_add_up_to_the_total_and_no_more(bar: Context) -> None:
    order = place(
        bar,
        "k",
        line("TIN", 3),
        line("SALAD"),
        discount="10%",
        discount_reason="staff",
        payments=[pay("cash", "100")],
    )
    refund(bar, order.id, "a", (1, 1))
    refund(bar, order.id, "b", (1, 1))
    done = refund(bar, order.id, "rest")
    assert done.refunded == order.total and done.state is OrderState.REFUNDED
    with pytest.raises(Conflict, match="only a paid order"):
        refund(bar, order.id, "again")
    assert on_hand(bar, "PINE") == 10


def test_refund_more_than_sold_is_refused(bar: Context) -> None:
    order = place(bar, "k", line("TIN", 1), payments=[pay("cash", "20")])
    with pytest.raises(Conflict, match="only 1 left to refund"):
        refund(bar, order.id, "x", (1, 2))
    with pytest.raises(InvalidInput, match="no line 5"):
        refund(bar, order.id, "x", (5, 1))
    with pytest.raises(InvalidInput, match="reason must not be empty"):
        build(RefundOrder, {"reason": ""})
    assert count(bar, t.refunds) == 0


def test_a_split_paid_order_is_refunded_the_ways_it_was_paid_and_never_more_to_one_of_them(
    bar: Context,
) -> None:
    order = place(bar, "k", line("SALAD"), line("TIN"), payments=[pay("card", "38"), pay("cash", "20")])
    with pytest.raises(InvalidInput, match="paid by card and cash, not other"):
        refund(bar, order.id, "x", method="other")
    # Card paid HK$38.00: not enough for everything (HK$56.00).
    with pytest.raises(Conflict, match=r"only HK\$38.00 of this order's card payment is left to refund"):
        refund(bar, order.id, "x", method="card")
    assert refund(bar, order.id, "x", (1, 1), method="card").refunds[0].method == "card"
    with pytest.raises(Conflict, match=r"only HK\$0.00 of this order's card payment is left to refund"):
        refund(bar, order.id, "x", (2, 1), method="card")
    done = refund(bar, order.id, "x", (2, 1), method="cash")
    assert [(r.method, r.amount) for r in done.refunds] == [("card", 3800), ("cash", 1800)]
    assert done.state is OrderState.REFUNDED


def test_without_a_method_a_split_order_is_refunded_split_card_first(bar: Context) -> None:
    # A HK$38 salad paid HK$20 by card and HK$20 in cash (HK$2 change): one refund gives back both.
    order = place(bar, "k", line("SALAD"), payments=[pay("card", "20"), pay("cash", "20")])
    done = refund(bar, order.id, "wrong order")
    assert [(r.method, r.amount) for r in done.refunds] == [("card", 2000), ("cash", 1800)]
    assert done.state is OrderState.REFUNDED and done.lines[0].refunded == 1
    report = reports.x_report(bar)
    assert report.payments == {"card": 0, "cash": 0} and report.refunds == 3800


def test_a_refund_goes_back_the_way_the_order_was_paid(bar: Context) -> None:
    order = place(bar, "k", line("TIN"), payments=[pay("cash", "20")])
    with pytest.raises(InvalidInput, match="paid by cash, not card: refund it the way it was paid"):
        refund(bar, order.id, "x", method="card")
    assert count(bar, t.refunds) == 0
    assert refund(bar, order.id, "x", method="cash").refunds[0].method == "cash"


def test_void_an_unpaid_order_only(bar: Context) -> None:
    order = place(bar, "k", line("SALAD"))
    voided = orders.void_order(bar, order.id, VoidOrder(reason="customer left"))
    assert voided.state is OrderState.VOID and voided.void_reason == "customer left"
    with pytest.raises(Conflict, match="only an open order"):
        orders.void_order(bar, order.id, VoidOrder(reason="again"))
    with pytest.raises(Conflict, match="is void, not open"):
        pay_order(bar, order.id, pay("cash", "38"))
    paid = place(bar, "k2", line("TIN"), payments=[pay("cash", "18")])
    with pytest.raises(Conflict, match="only an open order"):
        orders.void_order(bar, paid.id, VoidOrder(reason="x"))


def test_undo_refuses_stock_movements_of_an_order(bar: Context) -> None:
    place(bar, "k", line("TIN"), payments=[pay("cash", "18")])
    sale = views.ledger(bar, LedgerQuery(sku="PINE", limit=1)).items[0]
    with pytest.raises(Conflict, match="refund the order instead"):
        stock.undo(bar, sale.id)


@pytest.mark.parametrize(
    ("request_body", "error", "message"),
    [
        ({"lines": [line("NOPE")]}, NotFound, "unknown menu item NOPE"),
        ({"lines": [line("TIN", 0)]}, InvalidInput, "line 1: quantity must be greater than zero"),
        ({"lines": [line("TIN", "1_000")]}, InvalidInput, "line 1: quantity must be a number like"),
        ({"lines": [line("TIN", True)]}, InvalidInput, "line 1: quantity must be an exact number"),
        ({"lines": [line("TIN", "1000001")]}, InvalidInput, "line 1: quantity 1000001 is too large"),
        ({"lines": []}, InvalidInput, "lines must have at least 1 item"),
        ({"lines": [line("TIN")], "discount": "10%"}, InvalidInput, "needs a reason"),
        (
            {"lines": [line("TIN", discount="999", discount_reason="x")]},
            InvalidInput,
            r"a discount of HK\$999.00 is more than the line \(HK\$18.00\)",
        ),
        (
            {"lines": [line("TIN")], "discount": "999", "discount_reason": "x"},
            InvalidInput,
            r"a discount of HK\$999.00 is more than the order total \(HK\$18.00\)",
        ),
        ({"lines": [line("TIN")], "payments": [pay("cheque", "20")]}, InvalidInput, "cash, card or other"),
        ({"lines": [line("TIN")], "payments": [pay("cash", "-5")]}, InvalidInput, "must not be negative"),
        ({"lines": [line("TIN")], "payments": [pay("cash", "２０")]}, InvalidInput, "must be a number like"),
    ],
)
def test_bad_orders_are_refused_and_write_nothing(
    bar: Context, request_body: dict[str, Any], error: type, message: str
) -> None:
    before = movement_count(bar)
    with pytest.raises(error, match=message):
        orders.place_order(bar, "k", build(PlaceOrder, request_body))
    assert movement_count(bar) == before and count(bar, t.orders) == 0


def test_inactive_items_cannot_be_sold(bar: Context) -> None:
    menu.set_active(bar, "TIN", SetActive(active=False))
    with pytest.raises(Conflict, match="not on sale"):
        place(bar, "k", line("TIN"))


def test_menu_items_are_validated(bar: Context) -> None:
    with pytest.raises(Conflict, match="already exists"):
        menu.add_menu_item(bar, AddMenuItem(code="tin", name="Again", price="1", product="PINE"))
    with pytest.raises(NotFound, match="unknown SKU"):
        menu.add_menu_item(bar, AddMenuItem(code="X", name="X", price="1", product="NOPE"))
    with pytest.raises(InvalidInput, match="needs a recipe"):
        build(AddMenuItem, {"code": "X", "name": "X", "price": "1"})
    with pytest.raises(InvalidInput, match="one product directly"):
        menu.add_menu_item(
            bar,
            AddMenuItem(
                code="X",
                name="X",
                price="1",
                recipe=[{"sku": "HAM", "quantity": "1"}, {"sku": "PINE", "quantity": "1"}],
                markdown_days=1,
                markdown_percent="5",
            ),
        )
    item = menu.add_menu_item(
        bar,
        AddMenuItem(code="HAM2", name="火腿 Ham x2", price="12.5", recipe=[{"sku": "HAM", "quantity": "2"}]),
    )
    assert item.price == 1250 and not item.restockable and item.name == "火腿 Ham x2"


def test_day_close_totals_and_is_recorded_once(bar: Context, clock) -> None:  # type: ignore[no-untyped-def]
    place(bar, "a", line("SALAD"), line("TIN"), payments=[pay("cash", "100")])
    b = place(
        bar,
        "b",
        line("TIN", 2),
        discount="10%",
        discount_reason="staff",
        payments=[pay("card", "32.40")],
    )
    refund(bar, b.id, "dented", (1, 1))
    orders.void_order(bar, place(bar, "c", line("TIN")).id, VoidOrder(reason="walked out"))
    ham = views.product_stock(bar, "HAM").lots[0].id
    stock.write_off(bar, ham, WriteOff(quantity=2, reason="dropped"))
    x = reports.x_report(bar, None)
    assert (x.orders, x.gross_sales, x.discounts, x.voids, x.refund_count) == (
        2,
        3800 + 1800 + 3600,
        360,
        1,
        1,
    )
    assert x.refunds == 1620
    assert x.net_sales == 5600 + 3240 - 1620
    assert x.payments == {"card": 3240 - 1620, "cash": 5600}
    assert x.cash_expected == 5600
    # salad: 0.1 kg lettuce at 20 + 2 ham at 1.50 + 1 dressing at 2; three tins at 9, one back
    assert x.cost_of_goods_sold == 200 + 300 + 200 + 3 * 900 - 900
    assert x.waste_at_cost == 300
    z = reports.close_day(bar, CloseDay(date=day(0)))
    assert z.kind == "Z" and z.net_sales == x.net_sales and z.closed_by == "tester"
    with pytest.raises(Conflict, match="already closed"):
        reports.close_day(bar, CloseDay(date=day(0)))
    assert reports.z_report(bar, z.business_date) == z
    # After the close, sales count on the next day.
    clock.advance(dt.timedelta(minutes=1))
    late = place(bar, "d", line("TIN"), payments=[pay("cash", "18")])
    assert late.business_date == day(1)
    assert reports.x_report(bar, None).orders == 1
    with pytest.raises(InvalidInput, match="has not started"):
        reports.close_day(bar, CloseDay(date=day(1)))


def test_receipt_fits_58mm_paper(bar: Context) -> None:
    order = place(bar, "k", line("SALAD", 2, note="no onion"), payments=[pay("cash", "100")])
    receipt = receipts.receipt(bar, order.id, 58)
    assert all(receipts.cells(row) <= 32 for row in receipt.splitlines())
    assert "Midnight Express" in receipt and f"Order #{order.id}" in receipt and "Change" in receipt
    assert "2026-11-25 10:00" in receipt  # in the store's zone, not UTC
    assert f"Served by {order.actor}" in receipt
    with pytest.raises(InvalidInput):
        receipts.receipt(bar, order.id, 70)


def test_the_database_refuses_to_edit_or_delete_payments_refunds_and_day_closes(bar: Context) -> None:
    order = place(bar, "k", line("TIN", 2), payments=[pay("cash", "40")])
    refund(bar, order.id, "dented", (1, 1))
    reports.close_day(bar, CloseDay(date=day(0)))
    tables = (t.payments, t.refunds, t.refund_lines, t.day_closes)
    for table in tables:
        for statement in (f"UPDATE {table.name} SET id = id", f"DELETE FROM {table.name}"):
            with pytest.raises(DBAPIError, match="append-only"), bar.db.write() as conn:
                conn.execute(text(statement))
    assert [count(bar, table) for table in tables] == [1, 1, 1, 1]


def test_a_refund_can_send_a_tin_to_waste_but_never_a_salad_back_to_the_shelf(bar: Context) -> None:
    order = place(bar, "k", line("TIN", 2), line("SALAD"), payments=[pay("cash", "100")])
    tins = on_hand(bar, "PINE")
    with pytest.raises(InvalidInput, match="line 2: 廚師沙律 Chef's salad can't go back on the shelf"):
        refund(bar, order.id, "wrong order", (2, 1), restock=True)
    refunded = refund(bar, order.id, "dented", (1, 1), restock=False)
    assert refunded.state is OrderState.PARTLY_REFUNDED
    assert on_hand(bar, "PINE") == tins  # written off, not back on the shelf
    refund(bar, order.id, "changed mind", (1, 1), restock=True)
    assert on_hand(bar, "PINE") == tins + 1
    assert ledger_matches_lots(bar)


def test_a_markdown_set_later_prices_the_next_order_and_not_the_last(bar: Context) -> None:
    stock.receive(bar, ReceiveLot(sku="PINE", quantity=1, cost="9", expires=day(3)))  # outside 2 days
    before = place(bar, "before", line("TIN", 3), payments=[pay("cash", "60")])
    assert before.markdowns == 0
    item = menu.set_markdown(bar, "TIN", SetMarkdown(days=365, percent=Decimal(50)))
    assert (item.markdown_days, item.markdown_percent) == (365, 50)
    after = place(bar, "after", line("TIN", 3), payments=[pay("cash", "60")])
    assert after.markdowns > 0 and orders.get_order(bar, before.id).markdowns == 0
    assert menu.set_markdown(bar, "TIN", SetMarkdown()).markdown_days is None
    with pytest.raises(InvalidInput, match="both days before expiry and a percentage"):
        menu.set_markdown(bar, "TIN", SetMarkdown(days=2))
