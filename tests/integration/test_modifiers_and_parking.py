"""Modifiers change a line's price and what it draws; parked orders wait under a name and a number."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from midnight.commands import build
from midnight.commands.modifiers import AddModifierGroup, AddModifierOption, OfferModifiers, SetOptionActive
from midnight.commands.stock import ReceiveLot
from midnight.commands.till import ParkedQuery, ParkOrder, Period, PlaceOrder, VoidOrder
from midnight.db import tables as t
from midnight.domain.errors import Conflict, InvalidInput
from midnight.domain.order import OrderState
from midnight.services import analytics, modifiers, orders, quotes, receipts, stock, views
from midnight.services.context import Context
from tests.integration.helpers import ledger_matches_lots
from tests.integration.till_setup import add_modifiers, day, open_snack_bar, stock_up


@pytest.fixture
def bar(ctx: Context) -> Context:
    open_snack_bar(ctx)
    stock_up(ctx)
    add_modifiers(ctx)
    return ctx


def on_hand(ctx: Context, sku: str) -> Decimal:
    return views.product_stock(ctx, sku).on_hand


def line(code: str, quantity: Any = 1, *mods: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "quantity": quantity, "modifiers": list(mods), **extra}


def cash(amount: str) -> list[dict[str, str]]:
    return [{"method": "cash", "amount": amount}]


def sell(ctx: Context, key: str, *lines: dict[str, Any], **fields: Any) -> orders.OrderInfo:
    return orders.place_order(ctx, key, build(PlaceOrder, {"lines": list(lines), **fields}))


def park(ctx: Context, key: str, label: str, *lines: dict[str, Any], **fields: Any) -> orders.OrderInfo:
    return orders.park_order(ctx, key, build(ParkOrder, {"lines": list(lines), "label": label, **fields}))


def test_a_large_salad_with_an_egg_costs_its_extras_and_draws_half_as_much_again_and_an_egg(
    bar: Context,
) -> None:
    before = {sku: on_hand(bar, sku) for sku in ("LETTUCE", "HAM", "DRESSING", "EGG")}
    order = sell(bar, "k1", line("SALAD", 1, "LARGE", "ADD-EGG"), payments=cash("100"))
    assert order.state is OrderState.PAID
    assert order.lines[0].unit_price == 38_00 + 12_00 + 5_00
    assert order.total == 55_00
    assert [m.code for m in order.lines[0].modifiers] == ["LARGE", "ADD-EGG"]
    drawn = {sku: before[sku] - on_hand(bar, sku) for sku in before}
    assert drawn == {
        "LETTUCE": Decimal("0.15"),
        "HAM": Decimal("3"),
        "DRESSING": Decimal("1.5"),
        "EGG": Decimal("1"),
    }
    ledger_matches_lots(bar)


def test_no_ham_draws_no_ham_and_takes_its_price_off(bar: Context) -> None:
    ham = on_hand(bar, "HAM")
    order = sell(bar, "k1", line("SALAD", 2, "NO-HAM"), payments=cash("100"))
    assert order.total == 2 * (38_00 - 4_00)
    assert on_hand(bar, "HAM") == ham


def test_the_quote_shows_what_paying_with_modifiers_charges(bar: Context) -> None:
    lines = [line("SALAD", 2, "LARGE", "MORE-HAM"), line("TIN", 3, "COLD"), line("SALAD", 1, "NO-HAM")]
    quote = quotes.quote_order(bar, build(PlaceOrder, {"lines": lines}))
    paid = sell(
        bar,
        "k1",
        *lines,
        payments=cash(str(Decimal(quote.total) / 100)),
        expected_total=str(Decimal(quote.total) / 100),
    )
    assert paid.total == quote.total
    assert [ln.net for ln in paid.lines] == [ln.net for ln in quote.lines]
    assert [m.code for m in quote.lines[0].modifiers] == ["LARGE", "MORE-HAM"]


def test_reduce_to_clear_takes_a_share_of_the_items_own_price_not_of_its_extras(bar: Context) -> None:
    stock.receive(bar, ReceiveLot(sku="PINE", quantity=1, cost="9.00", expires=day(1)))  # within 2 days
    order = sell(bar, "k1", line("TIN", 1, "COLD"), payments=cash("20"))
    assert order.lines[0].unit_price == 20_00
    assert order.lines[0].markdown == 5_40  # 30% of the tin's 18.00, not of 20.00 with "cold"
    assert order.total == 14_60


@pytest.mark.parametrize(
    ("mods", "message"),
    [
        (["EXTRA-CHEESE"], "has no modifier EXTRA-CHEESE"),
        (["COLD"], "has no modifier COLD"),  # the tin's, not the salad's
        (["LARGE", "LARGE"], "chosen twice"),
        (["ADD-EGG", "MORE-HAM", "NO-HAM", "LARGE"], None),  # within every group's limits
    ],
)
def test_modifiers_that_are_not_the_items_are_refused_with_the_line(
    bar: Context, mods: list[str], message: str | None
) -> None:
    if message is None:
        sell(bar, "ok", line("SALAD", 1, *mods))
        return
    with pytest.raises(InvalidInput, match=message) as refused:
        sell(bar, "k1", line("TIN"), line("SALAD", 1, *mods))
    assert refused.value.field == "lines.2.modifiers"
    assert refused.value.message.startswith("line 2:")


def test_a_required_choice_must_be_made_and_a_group_keeps_its_limit(bar: Context) -> None:
    modifiers.add_group(bar, AddModifierGroup(code="DRESS", name="Dressing", min=1, max=1))
    for code, name in (("FRENCH", "French"), ("SESAME", "Sesame")):
        modifiers.add_option(bar, "DRESS", AddModifierOption(code=code, name=name))
    modifiers.offer(bar, "SALAD", OfferModifiers(groups=["SIZE", "DRESS"]))
    with pytest.raises(InvalidInput, match="needs a choice of Dressing"):
        quotes.quote_order(bar, build(PlaceOrder, {"lines": [line("SALAD")]}))
    with pytest.raises(InvalidInput, match="at most 1 of Dressing"):
        sell(bar, "k1", line("SALAD", 1, "FRENCH", "SESAME"))
    assert sell(bar, "k2", line("SALAD", 1, "SESAME")).lines[0].modifiers[0].name == "Sesame"


def test_an_option_no_longer_offered_is_refused_and_orders_that_had_it_keep_it(bar: Context) -> None:
    kept = sell(bar, "k1", line("TIN", 1, "COLD"), payments=cash("20"))
    modifiers.set_option_active(bar, "COLD", SetOptionActive(active=False))
    with pytest.raises(InvalidInput, match="no longer offered"):
        sell(bar, "k2", line("TIN", 1, "COLD"))
    assert orders.get_order(bar, kept.id).lines[0].modifiers[0].name == "Cold 凍"
    assert "Cold 凍" in receipts.receipt(bar, kept.id)


def test_leaving_out_what_the_recipe_does_not_have_is_refused_when_it_is_offered(bar: Context) -> None:
    with pytest.raises(InvalidInput, match="has no HAM to leave out"):
        modifiers.offer(bar, "TIN", OfferModifiers(groups=["LEAVE-OUT"]))


def test_the_receipt_shows_each_modifier_and_its_price(bar: Context) -> None:
    order = sell(bar, "k1", line("SALAD", 1, "LARGE", "NO-HAM"), payments=cash("50"))
    text = receipts.receipt(bar, order.id, 58)
    assert "Large 大" in text and "+HK$12.00" in text
    assert "No ham 走火腿" in text and "-HK$4.00" in text
    assert f"Your number: {order.call_number}" in text


def test_the_same_key_with_other_modifiers_is_another_order_and_refused(bar: Context) -> None:
    first = sell(bar, "k1", line("SALAD", 1, "LARGE"), payments=cash("50"))
    assert sell(bar, "k1", line("SALAD", 1, "LARGE"), payments=cash("50")).replayed
    with pytest.raises(Conflict, match="already used for a different order"):
        sell(bar, "k1", line("SALAD", 1, "ADD-EGG"), payments=cash("50"))
    assert first.id == orders.recorded_under(bar, "k1").id  # type: ignore[union-attr]


# --- parked orders -------------------------------------------------------------------------------


def test_a_parked_order_waits_under_its_name_with_a_number_and_draws_nothing(bar: Context) -> None:
    ham = on_hand(bar, "HAM")
    parked = park(bar, "t4", "Table 4", line("SALAD", 2))
    assert parked.state is OrderState.OPEN
    assert parked.label == "Table 4" and parked.parked_at is not None and parked.revision == 1
    assert parked.call_number == 1
    assert on_hand(bar, "HAM") == ham
    listed = orders.parked_orders(bar, ParkedQuery())
    assert [o.id for o in listed.items] == [parked.id]


def test_parking_again_under_its_key_replaces_the_lines_and_counts_a_revision(bar: Context) -> None:
    first = park(bar, "t4", "Table 4", line("SALAD", 2))
    again = park(bar, "t4", "Table 4", line("SALAD", 1, "LARGE"), line("TIN", 2), revision=first.revision)
    assert again.id == first.id and again.revision == 2
    assert [(ln.code, ln.quantity) for ln in again.lines] == [("SALAD", 1), ("TIN", 2)]
    assert again.total == 50_00 + 36_00
    assert park(
        bar, "t4", "Table 4", line("SALAD", 1, "LARGE"), line("TIN", 2), revision=first.revision
    ).replayed


def test_a_change_from_a_till_that_opened_an_older_revision_is_refused(bar: Context) -> None:
    first = park(bar, "t4", "Table 4", line("SALAD", 2))
    park(bar, "t4", "Table 4", line("SALAD", 3), revision=first.revision)  # another till
    with pytest.raises(Conflict, match="changed on another till"):
        park(bar, "t4", "Table 4", line("SALAD", 1), revision=first.revision)
    with pytest.raises(Conflict, match="changed on another till"):
        sell(bar, "t4", line("SALAD", 1), payments=cash("50"), revision=first.revision)


def test_paying_under_a_parked_orders_key_settles_it_as_it_now_stands(bar: Context) -> None:
    ham = on_hand(bar, "HAM")
    parked = park(bar, "t4", "Table 4", line("SALAD", 2))
    paid = sell(bar, "t4", line("SALAD", 2), line("TIN"), payments=cash("100"), revision=parked.revision)
    assert paid.id == parked.id and paid.state is OrderState.PAID
    assert paid.total == 2 * 38_00 + 18_00 and paid.parked_at is None
    assert paid.call_number == parked.call_number
    assert on_hand(bar, "HAM") == ham - 4
    assert orders.parked_orders(bar, ParkedQuery()).items == []
    retry = sell(bar, "t4", line("SALAD", 2), line("TIN"), payments=cash("100"), revision=parked.revision)
    assert retry.replayed and retry.id == paid.id
    with pytest.raises(Conflict, match="paid: it can't be changed"):
        park(bar, "t4", "Table 4", line("SALAD", 1))
    ledger_matches_lots(bar)


def test_changing_or_paying_a_parked_order_without_the_revision_it_was_opened_at_is_refused(
    bar: Context,
) -> None:
    """An old request (a retry, a second tab) must not silently undo what another till changed."""
    first = park(bar, "t4", "Table 4", line("SALAD", 1))
    park(bar, "t4", "Table 4", line("SALAD", 3), revision=first.revision)  # another till: 3 salads
    with pytest.raises(Conflict, match="at revision 2: reopen it"):
        park(bar, "t4", "Table 4", line("SALAD", 1))  # the first park again, without a revision
    with pytest.raises(Conflict, match="at revision 2: reopen it"):
        sell(bar, "t4", line("SALAD", 1), payments=cash("50"))
    now = orders.get_order(bar, first.id)
    assert now.revision == 2 and [li.quantity for li in now.lines] == [Decimal(3)]
    assert now.state is OrderState.OPEN


def test_a_choice_that_costs_less_on_a_reduced_item_is_charged_never_below_nothing(bar: Context) -> None:
    """Reduce-to-clear takes a share of the item's own price; a cheaper size can bring the line below
    that share, and the line then comes to nothing rather than failing to price."""
    modifiers.add_group(bar, AddModifierGroup(code="TIN-SIZE", name="Tin size", max=1))
    modifiers.add_option(bar, "TIN-SIZE", AddModifierOption(code="SMALL-TIN", name="Small", price="-15"))
    modifiers.offer(bar, "TIN", OfferModifiers(groups=["SERVE", "TIN-SIZE"]))
    stock.receive(bar, ReceiveLot(sku="PINE", quantity=5, cost="9", expires=day(1)))  # reduced: 30% off
    quoted = quotes.quote_order(bar, build(PlaceOrder, {"lines": [line("TIN", 1, "SMALL-TIN")]}))
    assert quoted.total == 0  # 18.00 - 15.00 = 3.00, and 30% of the tin's 18.00 is 5.40: all of it off
    paid = sell(bar, "small", line("TIN", 1, "SMALL-TIN"), payments=[])
    assert paid.state is OrderState.PAID and paid.total == 0
    assert paid.lines[0].gross == 3_00 and paid.lines[0].markdown == 3_00


def test_a_parked_order_is_paid_or_parked_again_never_placed_again_unpaid(bar: Context) -> None:
    park(bar, "t4", "Table 4", line("SALAD", 2))
    with pytest.raises(Conflict, match="is parked"):
        sell(bar, "t4", line("SALAD", 3))


def test_a_voided_parked_order_leaves_the_parked_list(bar: Context) -> None:
    parked = park(bar, "t4", "Table 4", line("SALAD", 2))
    orders.void_order(bar, parked.id, VoidOrder(reason="left"))
    assert orders.parked_orders(bar, ParkedQuery()).items == []


def test_parked_orders_page_the_longest_waiting_first(bar: Context) -> None:
    made = []
    for n in range(5):
        bar.clock.advance(dt.timedelta(minutes=1))  # type: ignore[attr-defined]
        made.append(park(bar, f"t{n}", f"Table {n}", line("TIN")).id)
    first = orders.parked_orders(bar, ParkedQuery(limit=2))
    second = orders.parked_orders(bar, ParkedQuery(limit=2, cursor=first.next_cursor))
    third = orders.parked_orders(bar, ParkedQuery(limit=2, cursor=second.next_cursor))
    assert [o.id for o in first.items + second.items + third.items] == made
    assert third.next_cursor is None


def test_call_numbers_count_from_one_each_business_day(bar: Context) -> None:
    numbers = [sell(bar, f"k{n}", line("TIN"), payments=cash("20")).call_number for n in range(3)]
    assert numbers == [1, 2, 3]
    bar.clock.advance(dt.timedelta(days=1))  # type: ignore[attr-defined]
    assert sell(bar, "k-next", line("TIN"), payments=cash("20")).call_number == 1


def test_tills_taking_numbers_at_once_each_get_their_own(bar: Context) -> None:
    got: list[int] = []
    errors: list[BaseException] = []

    def take(n: int) -> None:
        try:
            got.append(park(bar, f"t{n}", f"Table {n}", line("TIN")).call_number or 0)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=take, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(got) == list(range(1, 9))
    with bar.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(t.orders)).scalar_one() == 8


def test_the_sales_report_counts_each_choice_and_what_it_added(bar: Context) -> None:
    sell(bar, "k1", line("SALAD", 2, "LARGE", "ADD-EGG"), payments=cash("200"))
    sell(bar, "k2", line("SALAD", 1, "NO-HAM"), line("TIN", 1), payments=cash("100"))
    sell(bar, "k3", line("SALAD", 5, "LARGE"))  # not paid: not sold
    rows = analytics.sales_by_modifier(bar, Period(start=day(0), end=day(0)))
    assert [(r.label, r.quantity, r.amount) for r in rows] == [
        ("Extras 加配: Add egg 加蛋", 2, 10_00),
        ("Size 份量: Large 大", 2, 24_00),
        ("Leave out 走: No ham 走火腿", 1, -4_00),
    ]


def test_a_group_needing_more_choices_than_it_has_on_sale_is_never_offered_nor_left_short(
    bar: Context,
) -> None:
    modifiers.add_group(bar, AddModifierGroup(code="PICK", name="Pick twenty", min=20, max=20))
    modifiers.add_option(bar, "PICK", AddModifierOption(code="P1", name="One"))
    with pytest.raises(
        InvalidInput,
        match=r"^Pick twenty \(PICK\) needs 20 choices on every line but has only 1 option on sale",
    ) as refused:
        modifiers.offer(bar, "SALAD", OfferModifiers(groups=["SIZE", "PICK"]))
    assert refused.value.field == "groups"
    assert [g.code for g in modifiers.item_modifiers(bar, "SALAD").groups] == ["SIZE", "EXTRAS", "LEAVE-OUT"]
    # A required group an item offers keeps enough on sale: its last option can't be taken off.
    modifiers.add_group(bar, AddModifierGroup(code="DRESS", name="Dressing", min=1, max=1))
    for code, name in (("FRENCH", "French"), ("SESAME", "Sesame")):
        modifiers.add_option(bar, "DRESS", AddModifierOption(code=code, name=name))
    modifiers.offer(bar, "SALAD", OfferModifiers(groups=["SIZE", "DRESS"]))
    modifiers.set_option_active(bar, "FRENCH", SetOptionActive(active=False))
    with pytest.raises(
        Conflict, match=r"^Sesame \(SESAME\) can't be taken off sale: Dressing needs a choice"
    ) as kept:
        modifiers.set_option_active(bar, "SESAME", SetOptionActive(active=False))
    assert "only 0 options on sale, and SALAD offers it, which could then not be sold" in kept.value.message
    assert sell(bar, "k1", line("SALAD", 1, "SESAME"), payments=cash("50")).state is OrderState.PAID
    # Offered by no item, a group may run short (and is refused when next offered).
    modifiers.offer(bar, "SALAD", OfferModifiers(groups=["SIZE"]))
    modifiers.set_option_active(bar, "SESAME", SetOptionActive(active=False))
    with pytest.raises(
        InvalidInput, match="Dressing \\(DRESS\\) needs a choice on every line but has only 0"
    ):
        modifiers.offer(bar, "SALAD", OfferModifiers(groups=["DRESS"]))
