import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from midnight.db import tables as t
from midnight.domain.errors import Conflict, InsufficientStock, InvalidInput, NotFound
from midnight.services import menu, orders, receipts, reports, stock, views
from midnight.services.context import Context
from midnight.services.orders import LineRequest
from midnight.services.orderviews import get_order
from tests.integration.helpers import ledger_matches_lots, movement_count
from tests.integration.till_setup import day, open_snack_bar, stock_up


@pytest.fixture
def bar(ctx: Context) -> Context:
    open_snack_bar(ctx)
    stock_up(ctx)
    return ctx


def on_hand(ctx: Context, sku: str) -> Decimal:
    return views.stock(ctx, sku)[0].on_hand


def count(ctx: Context, table: t.Table) -> int:  # type: ignore[name-defined]
    with ctx.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_paying_draws_every_ingredient_fefo_and_records_payment(bar: Context) -> None:
    order = orders.place_order(
        bar,
        "till-1-0001",
        [LineRequest("SALAD", 2, note="no onion"), LineRequest("TIN", 1)],
        payments=[("cash", "100")],
    )
    assert order.state == "paid" and order.total == 9400
    assert order.payments[0].applied == 9400 and order.change == 600
    assert on_hand(bar, "LETTUCE") == Decimal("1.8") and on_hand(bar, "HAM") == 16
    lettuce = views.stock(bar, "LETTUCE")[0].lots
    assert [(lot.effective_expiry, lot.quantity) for lot in lettuce] == [
        (day(1), Decimal("0.8")),
        (day(3), 1),
    ]
    assert ledger_matches_lots(bar)


def test_price_changes_keep_history_and_past_orders_keep_their_price(bar: Context, clock) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    first = orders.place_order(bar, "a", [LineRequest("TIN")], payments=[("card", "18")])
    clock.advance(dt.timedelta(minutes=5))
    menu.set_price(bar, "TIN", "20")
    second = orders.place_order(bar, "b", [LineRequest("TIN")], payments=[("card", "20")])
    assert first.lines[0].unit_price == 1800 and second.lines[0].unit_price == 2000
    assert get_order(bar, first.id).total == 1800
    assert [p.price for p in menu.get_menu_item(bar, "TIN").prices] == [2000, 1800]


def test_not_enough_of_one_ingredient_names_it_and_writes_nothing(bar: Context) -> None:
    before = movement_count(bar)
    with pytest.raises(
        InsufficientStock, match="Chef's salad: not enough sellable stock of HAM: wanted 22, available 20"
    ):
        orders.place_order(bar, "k", [LineRequest("SALAD", 11)], payments=[("cash", "1000")])
    assert movement_count(bar) == before
    assert count(bar, t.orders) == 0


def test_short_payment_is_refused_and_nothing_is_written(bar: Context) -> None:
    order = orders.place_order(bar, "k", [LineRequest("SALAD")])
    before = movement_count(bar)
    with pytest.raises(InvalidInput, match=r"payments \(HK\$30.00\) are short of the total \(HK\$38.00\)"):
        orders.pay_order(bar, order.id, [("cash", "30")])
    assert movement_count(bar) == before
    assert get_order(bar, order.id).state == "open"


def test_split_payment(bar: Context) -> None:
    order = orders.place_order(bar, "k", [LineRequest("SALAD")])
    paid = orders.pay_order(bar, order.id, [("card", "20"), ("cash", "20")])
    assert [(p.method, p.applied, p.change) for p in paid.payments] == [
        ("card", 2000, 0),
        ("cash", 1800, 200),
    ]


def test_reduce_to_clear_prices_down_units_from_lots_near_expiry(bar: Context) -> None:
    stock.receive(bar, "PINE", 1, cost="9", expires=day(1))  # inside the 2-day window
    order = orders.place_order(bar, "k", [LineRequest("TIN", 3)], payments=[("cash", "60")])
    assert order.lines[0].markdown == 540  # one tin of three, 30% off
    assert order.total == 5400 - 540 and order.markdowns == 540
    text = receipts.render(bar, order, 80)
    assert "reduced to clear" in text and "-HK$5.40" in text


def test_discounts_line_and_order_with_reasons(bar: Context) -> None:
    order = orders.place_order(
        bar,
        "k",
        [LineRequest("SALAD", 1, discount="10%", discount_reason="staff"), LineRequest("TIN")],
        discount="2",
        discount_reason="regular",
        payments=[("cash", "60")],
    )
    assert (
        order.line_discounts == 380 and order.order_discount == 200 and order.total == 3800 - 380 + 1800 - 200
    )


def test_same_key_same_order_returns_the_original_and_writes_nothing(bar: Context) -> None:
    lines = [LineRequest("SALAD"), LineRequest("TIN", 2)]
    first = orders.place_order(bar, "till-1-42", lines, payments=[("cash", "100")])
    before = movement_count(bar)
    again = orders.place_order(bar, "till-1-42", lines, payments=[("cash", "100")])
    assert again.id == first.id and again.replayed and not first.replayed
    assert movement_count(bar) == before and count(bar, t.orders) == 1 and count(bar, t.payments) == 1


def test_same_key_different_order_is_refused(bar: Context) -> None:
    orders.place_order(bar, "till-1-42", [LineRequest("TIN")], payments=[("cash", "20")])
    with pytest.raises(Conflict, match="already used for a different order"):
        orders.place_order(bar, "till-1-42", [LineRequest("TIN", 2)], payments=[("cash", "40")])


def test_the_same_key_from_two_threads_at_once_records_one_sale(bar: Context) -> None:
    results: list[object] = []
    barrier = threading.Barrier(2)

    def till() -> None:
        barrier.wait()
        try:
            results.append(
                orders.place_order(bar, "till-2-7", [LineRequest("TIN", 2)], payments=[("cash", "50")])
            )
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
    order = orders.place_order(bar, "k", [LineRequest("TIN")])
    orders.pay_order(bar, order.id, [("cash", "20")])
    before = movement_count(bar)
    assert orders.pay_order(bar, order.id, [("cash", "20")]).replayed
    with pytest.raises(Conflict, match="is paid, not open"):
        orders.pay_order(bar, order.id, [("card", "18")])
    assert movement_count(bar) == before


def test_refund_of_a_tin_goes_back_on_the_shelf(bar: Context) -> None:
    order = orders.place_order(bar, "k", [LineRequest("TIN", 2)], payments=[("cash", "40")])
    refunded = orders.refund_order(bar, order.id, lines=[(1, 1)], reason="changed mind")
    assert refunded.state == "partly_refunded" and refunded.refunds[0].amount == 1800
    assert refunded.refunds[0].method == "cash"
    assert on_hand(bar, "PINE") == 9
    assert ledger_matches_lots(bar)


def test_refund_of_a_made_salad_goes_to_waste_with_reason_refund(bar: Context) -> None:
    order = orders.place_order(bar, "k", [LineRequest("SALAD")], payments=[("card", "38")])
    ham_before = on_hand(bar, "HAM")
    refunded = orders.refund_order(bar, order.id, reason="found a hair")
    assert refunded.state == "refunded" and refunded.refunded == 3800
    assert on_hand(bar, "HAM") == ham_before  # not restocked
    wastes = [m for m in views.ledger(bar, limit=20) if m.kind == "waste"]
    assert {m.sku for m in wastes} == {"LETTUCE", "HAM", "DRESSING"} and {m.reason for m in wastes} == {
        "refund"
    }


def test_refunds_add_up_to_the_total_and_no_more(bar: Context) -> None:
    order = orders.place_order(
        bar,
        "k",
        [LineRequest("TIN", 3), LineRequest("SALAD")],
        discount="10%",
        discount_reason="staff",
        payments=[("cash", "100")],
    )
    orders.refund_order(bar, order.id, lines=[(1, 1)], reason="a")
    orders.refund_order(bar, order.id, lines=[(1, 1)], reason="b")
    done = orders.refund_order(bar, order.id, reason="rest")
    assert done.refunded == order.total and done.state == "refunded"
    with pytest.raises(Conflict, match="only a paid order"):
        orders.refund_order(bar, order.id, reason="again")
    assert on_hand(bar, "PINE") == 10


def test_refund_more_than_sold_is_refused(bar: Context) -> None:
    order = orders.place_order(bar, "k", [LineRequest("TIN", 1)], payments=[("cash", "20")])
    with pytest.raises(Conflict, match="only 1 left to refund"):
        orders.refund_order(bar, order.id, lines=[(1, 2)], reason="x")
    with pytest.raises(InvalidInput, match="no line 5"):
        orders.refund_order(bar, order.id, lines=[(5, 1)], reason="x")
    with pytest.raises(InvalidInput, match="needs a reason"):
        orders.refund_order(bar, order.id, reason="")


def test_split_paid_order_needs_a_refund_method(bar: Context) -> None:
    order = orders.place_order(bar, "k", [LineRequest("SALAD")], payments=[("card", "20"), ("cash", "20")])
    with pytest.raises(InvalidInput, match="paid by card and cash"):
        orders.refund_order(bar, order.id, reason="x")
    assert orders.refund_order(bar, order.id, reason="x", method="card").refunds[0].method == "card"


def test_void_an_unpaid_order_only(bar: Context) -> None:
    order = orders.place_order(bar, "k", [LineRequest("SALAD")])
    voided = orders.void_order(bar, order.id, "customer left")
    assert voided.state == "void" and voided.void_reason == "customer left"
    with pytest.raises(Conflict, match="only an open order"):
        orders.void_order(bar, order.id, "again")
    with pytest.raises(Conflict, match="is void, not open"):
        orders.pay_order(bar, order.id, [("cash", "38")])
    paid = orders.place_order(bar, "k2", [LineRequest("TIN")], payments=[("cash", "18")])
    with pytest.raises(Conflict, match="only an open order"):
        orders.void_order(bar, paid.id, "x")


def test_undo_refuses_stock_movements_of_an_order(bar: Context) -> None:
    orders.place_order(bar, "k", [LineRequest("TIN")], payments=[("cash", "18")])
    sale = views.ledger(bar, "PINE", limit=1)[0]
    with pytest.raises(Conflict, match="refund the order instead"):
        stock.undo(bar, sale.id)


@pytest.mark.parametrize(
    ("lines", "kwargs", "error", "message"),
    [
        ([LineRequest("NOPE")], {}, NotFound, "unknown menu item NOPE"),
        ([LineRequest("TIN", 0)], {}, InvalidInput, "quantity of line 1 must be greater than zero"),
        ([], {}, InvalidInput, "at least one line"),
        ([LineRequest("TIN")], {"discount": "10%"}, InvalidInput, "needs a reason"),
        ([LineRequest("TIN")], {"payments": [("cheque", "20")]}, InvalidInput, "cash, card or other"),
        ([LineRequest("TIN")], {"payments": [("cash", "-5")]}, InvalidInput, "must not be negative"),
    ],
)
def test_bad_orders_are_refused_and_write_nothing(bar: Context, lines, kwargs, error, message) -> None:  # type: ignore[no-untyped-def]
    before = movement_count(bar)
    with pytest.raises(error, match=message):
        orders.place_order(bar, "k", lines, **kwargs)
    assert movement_count(bar) == before and count(bar, t.orders) == 0


def test_inactive_items_cannot_be_sold(bar: Context) -> None:
    menu.set_active(bar, "TIN", False)
    with pytest.raises(Conflict, match="not on sale"):
        orders.place_order(bar, "k", [LineRequest("TIN")])


def test_menu_items_are_validated(bar: Context) -> None:
    with pytest.raises(Conflict, match="already exists"):
        menu.add_menu_item(bar, "tin", "Again", "1", product="PINE")
    with pytest.raises(NotFound, match="unknown SKU"):
        menu.add_menu_item(bar, "X", "X", "1", product="NOPE")
    with pytest.raises(InvalidInput, match="needs a recipe"):
        menu.add_menu_item(bar, "X", "X", "1")
    with pytest.raises(InvalidInput, match="one product directly"):
        menu.add_menu_item(
            bar, "X", "X", "1", recipe=[("HAM", "1"), ("PINE", "1")], markdown_days=1, markdown_percent="5"
        )
    item = menu.add_menu_item(bar, "HAM2", "火腿 Ham x2", "12.5", recipe=[("HAM", "2")])
    assert item.price == 1250 and not item.restockable and item.name == "火腿 Ham x2"


def test_day_close_totals_and_is_recorded_once(bar: Context, clock) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    orders.place_order(bar, "a", [LineRequest("SALAD"), LineRequest("TIN")], payments=[("cash", "100")])
    b = orders.place_order(
        bar,
        "b",
        [LineRequest("TIN", 2)],
        discount="10%",
        discount_reason="staff",
        payments=[("card", "32.40")],
    )
    orders.refund_order(bar, b.id, lines=[(1, 1)], reason="dented")
    orders.void_order(bar, orders.place_order(bar, "c", [LineRequest("TIN")]).id, "walked out")
    stock.write_off(bar, views.stock(bar, "HAM")[0].lots[0].id, 2, "dropped")
    x = reports.x_report(bar)
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
    z = reports.close_day(bar)
    assert z.kind == "Z" and z.net_sales == x.net_sales and z.closed_by == "tester"
    with pytest.raises(Conflict, match="already closed"):
        reports.close_day(bar)
    assert reports.z_report(bar, z.business_date) == z
    # After the close, sales count on the next day.
    clock.advance(dt.timedelta(minutes=1))
    late = orders.place_order(bar, "d", [LineRequest("TIN")], payments=[("cash", "18")])
    assert late.business_date == day(1)
    assert reports.x_report(bar).orders == 1
    with pytest.raises(InvalidInput, match="has not started"):
        reports.close_day(bar, day(1))


def test_receipt_fits_58mm_paper(bar: Context) -> None:
    order = orders.place_order(
        bar, "k", [LineRequest("SALAD", 2, note="no onion")], payments=[("cash", "100")]
    )
    text = receipts.receipt(bar, order.id, 58)
    assert all(receipts.cells(line) <= 32 for line in text.splitlines())
    assert "Midnight Express" in text and f"Order #{order.id}" in text and "Change" in text
    assert "2026-11-25 10:00" in text  # in the store's zone, not UTC
    with pytest.raises(InvalidInput):
        receipts.receipt(bar, order.id, 70)
