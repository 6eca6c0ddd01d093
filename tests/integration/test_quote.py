"""The till's quote: what the screen shows is what paying charges, or paying is refused."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from midnight.commands.stock import ReceiveLot
from midnight.commands.till import AddMenuItem, PlaceOrder
from midnight.db import tables as t
from midnight.domain.clock import FixedClock
from midnight.domain.errors import Conflict, InsufficientStock, InvalidInput
from midnight.services import orders, quotes, stock
from midnight.services.context import Context
from tests.conftest import NOW, shop_from
from tests.integration.helpers import movement_count
from tests.integration.till_setup import day, open_snack_bar, stock_up


@pytest.fixture
def bar(ctx: Context) -> Context:
    open_snack_bar(ctx)
    stock_up(ctx)
    return ctx


def order_count(ctx: Context) -> int:
    with ctx.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(t.orders)).scalar_one())


def cmd(*lines: tuple[str, Any], **fields: Any) -> PlaceOrder:
    return PlaceOrder(lines=[{"code": code, "quantity": q} for code, q in lines], **fields)


def test_the_quote_shows_the_reduce_to_clear_price_that_paying_charges(bar: Context) -> None:
    stock.receive(bar, ReceiveLot(sku="PINE", quantity=1, cost="9", expires=day(1)))  # marked down
    before = movement_count(bar), order_count(bar)
    quote = quotes.quote_order(bar, cmd(("TIN", 3), ("SALAD", 1)))
    assert (movement_count(bar), order_count(bar)) == before  # a quote records nothing
    assert [line.markdown for line in quote.lines] == [540, 0]
    assert quote.total == 3 * 1800 - 540 + 3800 and quote.payable
    paid = orders.place_order(
        bar,
        "k1",
        cmd(
            ("TIN", 3),
            ("SALAD", 1),
            payments=[{"method": "card", "amount": "86.60"}],
            expected_total="86.60",
        ),
    )
    assert paid.total == quote.total
    assert [(li.markdown, li.net) for li in paid.lines] == [(q.markdown, q.net) for q in quote.lines]


def test_two_lines_of_one_item_share_the_marked_down_lot_as_paying_does(bar: Context) -> None:
    stock.receive(bar, ReceiveLot(sku="PINE", quantity=1, cost="9", expires=day(1)))
    quote = quotes.quote_order(bar, cmd(("TIN", 1), ("TIN", 1)))
    assert [line.markdown for line in quote.lines] == [540, 0]  # one reduced tin, not two


def test_a_total_that_changed_since_it_was_shown_is_refused_and_nothing_is_written(bar: Context) -> None:
    stock.receive(bar, ReceiveLot(sku="PINE", quantity=1, cost="9", expires=day(1)))
    shown = quotes.quote_order(bar, cmd(("TIN", 1))).total
    assert shown == 1260
    # another till sells the reduced tin first
    orders.place_order(bar, "other", cmd(("TIN", 1), payments=[{"method": "cash", "amount": "20"}]))
    before = movement_count(bar), order_count(bar)
    with pytest.raises(Conflict, match=r"now comes to HK\$18.00, not the HK\$12.60 shown") as refused:
        orders.place_order(
            bar,
            "mine",
            cmd(("TIN", 1), payments=[{"method": "cash", "amount": "20"}], expected_total="12.60"),
        )
    assert refused.value.field == "expected_total"
    assert (movement_count(bar), order_count(bar)) == before
    # the till asks again and pays the new total under the same key
    again = orders.place_order(
        bar, "mine", cmd(("TIN", 1), payments=[{"method": "cash", "amount": "20"}], expected_total="18")
    )
    assert again.total == 1800 and again.payments[0].change == 200


def test_a_line_the_stock_cannot_cover_is_named_and_the_order_is_not_payable(bar: Context) -> None:
    quote = quotes.quote_order(bar, cmd(("SALAD", 1), ("TIN", 11)))
    assert not quote.payable
    assert quote.lines[0].short is None
    assert quote.lines[1].short is not None and "PINE" in quote.lines[1].short
    with pytest.raises(InsufficientStock):
        orders.place_order(
            bar, "k", cmd(("SALAD", 1), ("TIN", 11), payments=[{"method": "cash", "amount": "500"}])
        )


def test_the_total_shown_needs_the_payments_with_it() -> None:
    with pytest.raises(InvalidInput, match="give the payments with it"):
        from midnight.commands import build

        build(PlaceOrder, {"lines": [{"code": "TIN"}], "expected_total": "18"})


@st.composite
def shops_and_orders(draw: st.DrawFn) -> tuple[list[tuple[int, int]], list[tuple[str, int]], str | None]:
    lots = draw(st.lists(st.tuples(st.integers(1, 4), st.integers(0, 5)), min_size=0, max_size=4))
    lines = draw(
        st.lists(st.tuples(st.sampled_from(["TIN", "SALAD"]), st.integers(1, 4)), min_size=1, max_size=4)
    )
    discount = draw(st.sampled_from([None, "10%", "5", "33%"]))
    return lots, lines, discount


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=shops_and_orders())
def test_whatever_the_stock_and_the_order_the_quote_is_the_charge(template_db: Path, case: Any) -> None:
    lots, lines, discount = case
    with tempfile.TemporaryDirectory() as home:
        ctx = shop_from(template_db, Path(home) / "shop.db", FixedClock(NOW))
        try:
            open_snack_bar(ctx)
            stock_up(ctx)
            for quantity, days in lots:  # some inside the 2-day markdown window, some not
                stock.receive(ctx, ReceiveLot(sku="PINE", quantity=quantity, cost="9", expires=day(days)))
            extra: dict[str, Any] = {"discount": discount, "discount_reason": "regular"} if discount else {}
            quote = quotes.quote_order(ctx, cmd(*lines, **extra))
            shown = str(Decimal(quote.total) / 100)
            if not quote.payable:
                with pytest.raises(InsufficientStock):
                    orders.place_order(
                        ctx, "k", cmd(*lines, payments=[{"method": "cash", "amount": "9999"}], **extra)
                    )
                return
            paid = orders.place_order(
                ctx,
                "k",
                cmd(*lines, payments=[{"method": "cash", "amount": "9999"}], expected_total=shown, **extra),
            )
            assert paid.total == quote.total
            assert [(li.gross, li.markdown, li.discount, li.net) for li in paid.lines] == [
                (q.gross, q.markdown, q.discount, q.net) for q in quote.lines
            ]
        finally:
            ctx.db.dispose()


def test_the_tills_search_finds_items_by_folded_name_or_code(bar: Context) -> None:
    from midnight.services import menu

    assert [i.code for i in menu.till_items(bar, "沙律")] == ["SALAD"]
    assert [i.code for i in menu.till_items(bar, "CHEF'S")] == ["SALAD"]
    assert [i.code for i in menu.till_items(bar, "ｔｉｎ")] == ["TIN"]  # full-width, as a phone may type
    assert [i.code for i in menu.till_items(bar, "sal")] == ["SALAD"]  # the start of a code
    assert menu.till_items(bar, "100%") == []  # LIKE's wildcards are plain characters here
    assert {i.code for i in menu.till_items(bar, None)} == {"SALAD", "TIN"}


def test_a_scanned_barcode_picks_the_item_that_sells_its_product_as_it_is(bar: Context) -> None:
    from midnight.commands.catalog import AddProduct
    from midnight.domain.errors import NotFound
    from midnight.services import catalog, menu

    catalog.add_product(bar, AddProduct(sku="COLA", name="Cola", barcode="4897036690116", shelf_life_days=90))
    with pytest.raises(NotFound, match="no item on the menu has barcode 4897036690116"):
        menu.code_for_scan(bar, "4897036690116")
    menu.add_menu_item(bar, AddMenuItem(code="COLA", name="Cola", price="8", product="COLA"))
    assert menu.code_for_scan(bar, "4897036690116") == "COLA"
    assert menu.code_for_scan(bar, "salad") == "SALAD"  # a typed menu code
    with pytest.raises(InvalidInput, match="check digit"):
        menu.code_for_scan(bar, "4897036690117")


def test_cash_suggestions_are_the_total_rounded_up_to_each_banknote() -> None:
    from midnight.domain.pricing import cash_suggestions

    assert cash_suggestions(3020, "HKD") == [4000, 5000, 10000, 50000]
    assert cash_suggestions(2000, "HKD") == [5000, 10000, 50000, 100000]  # exact is its own button
    assert cash_suggestions(0, "HKD") == []


def test_a_upc_a_barcode_is_found_however_the_scanner_spells_it(bar: Context) -> None:
    from midnight.commands.catalog import AddProduct
    from midnight.services import catalog, menu

    catalog.add_product(
        bar, AddProduct(sku="NOODLE", name="Noodles", barcode="012345678905", shelf_life_days=90)
    )
    menu.add_menu_item(bar, AddMenuItem(code="NOODLES", name="Noodles", price="8", product="NOODLE"))
    assert menu.code_for_scan(bar, "0012345678905") == "NOODLES"  # EAN-13 form
    assert menu.code_for_scan(bar, "012345678905") == "NOODLES"
