"""Order suggestions from the ledger and "will expire unsold", on shops whose demand is known.

Three weeks of history is under what the models need, so the forecast is the documented simple
method (each weekday's mean): a steady 10 a day forecasts exactly 10, and the numbers below can be
worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from decimal import Decimal
from statistics import NormalDist

import pytest

from midnight.commands import build
from midnight.commands.catalog import AddProduct
from midnight.commands.counter import AddTarget, ContactPolicyIn
from midnight.commands.planning import AcceptSuggestions, SuggestQuery, UnsoldQuery
from midnight.commands.purchasing import AddSupplier, NewPurchaseOrder, SupplyProduct
from midnight.commands.stock import DrawStock, ReceiveLot, WriteOff
from midnight.commands.till import AddMenuItem, Period
from midnight.domain.clock import FixedClock, start_of_day
from midnight.domain.errors import Conflict, Forbidden, InvalidInput
from midnight.domain.people import Actor, Role
from midnight.services import (
    buying_reports,
    catalog,
    menu,
    notify,
    planning,
    purchase_orders,
    schedule,
    stock,
    suppliers,
)
from midnight.services.context import Context
from tests.conftest import NOW, TODAY
from tests.receiver import Receiver

HISTORY = 21


def milli(units: Decimal) -> int:
    return int(units * 1000)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


Z90 = NormalDist().inv_cdf(0.90)


def product(ctx: Context, sku: str, shelf_life: int) -> None:
    catalog.add_product(
        ctx, AddProduct(sku=sku, name=sku.title(), expiry_kind="use_by", shelf_life_days=shelf_life)
    )


def history(ctx: Context, clock: FixedClock, per_day: dict[str, int]) -> None:
    """HISTORY days of steady sales ending yesterday, from a lot that is used up by the end."""
    for sku, n in per_day.items():
        clock.instant = start_of_day(TODAY - dt.timedelta(days=HISTORY), ctx.store.tz) + dt.timedelta(hours=8)
        stock.receive(
            ctx, ReceiveLot(sku=sku, quantity=n * HISTORY, cost="1", expires=TODAY + dt.timedelta(days=30))
        )
    for day in range(HISTORY, 0, -1):
        clock.instant = start_of_day(TODAY - dt.timedelta(days=day), ctx.store.tz) + dt.timedelta(hours=12)
        for sku, n in per_day.items():
            stock.sell(ctx, DrawStock(sku=sku, quantity=n))
    clock.instant = NOW


def supplier(ctx: Context, days: list[str], minimum: str = "0") -> None:
    suppliers.add_supplier(
        ctx,
        build(
            AddSupplier,
            {"name": "Dairy", "delivery_days": days, "lead_time_days": 1, "minimum_order": minimum},
        ),
    )


def supplies(ctx: Context, sku: str, pack: str, cost: str) -> None:
    suppliers.supply_product(
        ctx, "Dairy", build(SupplyProduct, {"sku": sku, "pack_size": pack, "cost": cost})
    )


def test_the_suggestion_is_the_newsvendor_order_less_what_will_still_be_good(
    ctx: Context, clock: FixedClock
) -> None:
    product(ctx, "MILK", 7)
    history(ctx, clock, {"MILK": 10})
    # today (Wednesday) 15 cartons good until Friday: 10 sell today, 5 tomorrow when the delivery comes
    stock.receive(ctx, ReceiveLot(sku="MILK", quantity=15, cost="14.5", expires=TODAY + dt.timedelta(days=2)))
    supplier(ctx, ["mon", "thu"])
    supplies(ctx, "MILK", "12", "14.50")
    found = planning.suggest(ctx, SuggestQuery(supplier="Dairy"))
    assert (found.delivery, found.lasts_until) == (dt.date(2026, 11, 26), dt.date(2026, 11, 30))
    (line,) = found.lines
    # Thursday to Sunday: 4 days of 10, no margin known (an ingredient): 90% service, Poisson spread
    target = math.ceil(40_000 + Z90 * math.sqrt(40_000 * 1000))
    assert (milli(line.demand), line.days_covered, line.service_from, milli(line.target)) == (
        40_000,
        4,
        "ingredient",
        target,
    )
    assert line.method == "WeekdayAverage" and milli(line.on_hand) == 15_000 and milli(line.usable) == 5_000
    assert (milli(line.quantity), line.packs) == (48_000, 4)  # 48,106 - 5,000 short: 4 packs of 12
    assert found.total == line.cost == 48 * 1450


def test_a_two_day_product_is_never_ordered_beyond_what_sells_while_it_is_good(
    ctx: Context, clock: FixedClock
) -> None:
    product(ctx, "SANDWICH", 2)
    history(ctx, clock, {"SANDWICH": 10})
    menu.add_menu_item(ctx, AddMenuItem(code="SAND", name="Egg sandwich", price="22", product="SANDWICH"))
    supplier(ctx, ["mon"])  # a week between deliveries
    supplies(ctx, "SANDWICH", "6", "6")
    (line,) = planning.suggest(ctx, SuggestQuery(supplier="Dairy")).lines
    ratio = (2200 - 600) / 2200
    # dated delivery + 2, a sandwich sells on the delivery day and the two after it: 3 days, not 7
    three_days = math.ceil(30_000 + NormalDist().inv_cdf(ratio) * math.sqrt(30_000 * 1000))
    assert line.service_from == "margin" and line.service_level == pytest.approx(ratio)
    assert line.days_covered == 3 and milli(line.target) == three_days
    assert milli(line.quantity) == math.ceil(three_days / 6000) * 6000


def test_suggestions_meet_the_minimum_and_are_never_negative(ctx: Context, clock: FixedClock) -> None:
    product(ctx, "MILK", 7)
    product(ctx, "CREAM", 14)
    history(ctx, clock, {"MILK": 10})
    stock.receive(ctx, ReceiveLot(sku="CREAM", quantity=500, cost="5", expires=TODAY + dt.timedelta(days=14)))
    supplier(ctx, ["mon", "thu"], minimum="1000")
    supplies(ctx, "MILK", "12", "14.50")
    supplies(ctx, "CREAM", "6", "5")
    found = planning.suggest(ctx, SuggestQuery(supplier="Dairy"))
    by_sku = {line.sku: line for line in found.lines}
    assert by_sku["CREAM"].quantity == 0  # plenty on hand, nothing sold: nothing, not less than nothing
    assert by_sku["MILK"].raised_for_minimum and found.total >= 100_000
    assert all(line.quantity >= 0 and line.quantity % line.pack_size == 0 for line in found.lines)


def test_stock_already_on_order_counts_and_accepting_makes_a_draft_that_remembers_the_suggestion(
    ctx: Context, clock: FixedClock
) -> None:
    product(ctx, "MILK", 7)
    history(ctx, clock, {"MILK": 10})
    supplier(ctx, ["mon", "thu"])
    supplies(ctx, "MILK", "12", "14.50")
    before = planning.suggest(ctx, SuggestQuery(supplier="Dairy")).lines[0]
    # an order sent earlier comes today, before the next delivery: it is stock the new order need not bring
    earlier = purchase_orders.new_order(
        ctx,
        build(
            NewPurchaseOrder,
            {
                "supplier": "Dairy",
                "lines": [{"sku": "MILK", "quantity": "24"}],
                "delivery_date": TODAY.isoformat(),
            },
        ),
    )
    purchase_orders.send_order(ctx, earlier.head.id)
    after = planning.suggest(ctx, SuggestQuery(supplier="Dairy")).lines[0]
    assert after.on_order == 24 and after.quantity < before.quantity
    draft = planning.accept(ctx, build(AcceptSuggestions, {"supplier": "Dairy", "key": "accept-1"}))
    (line,) = draft.lines
    assert line.quantity == line.suggested == milli(after.quantity) and draft.head.delivery_date == dt.date(
        2026, 11, 26
    )
    assert (
        planning.accept(ctx, build(AcceptSuggestions, {"supplier": "Dairy", "key": "accept-1"})).head.id
        == draft.head.id
    )
    changed = planning.accept(
        ctx, build(AcceptSuggestions, {"supplier": "Dairy", "changes": [{"sku": "MILK", "quantity": "12"}]})
    )
    assert (changed.lines[0].quantity, changed.lines[0].suggested) == (12_000, milli(after.quantity))
    with pytest.raises(Conflict, match="every suggestion is 0"):
        planning.accept(
            ctx,
            build(AcceptSuggestions, {"supplier": "Dairy", "changes": [{"sku": "MILK", "quantity": "0"}]}),
        )
    with pytest.raises(Forbidden):
        planning.suggest(ctx.acting_as(Actor("kwan", Role.STAFF)), SuggestQuery(supplier="Dairy"))
    twice = [{"sku": "MILK", "quantity": "12"}, {"sku": "MILK", "quantity": "24"}]
    with pytest.raises(InvalidInput, match="MILK is changed twice") as repeated:
        planning.accept(ctx, build(AcceptSuggestions, {"supplier": "Dairy", "changes": twice}))
    assert repeated.value.field == "changes.2.sku"
    # the draft sent: it comes with the very delivery suggested for, so what it brings counts too
    purchase_orders.send_order(ctx, draft.head.id)
    again = planning.suggest(ctx, SuggestQuery(supplier="Dairy")).lines[0]
    assert again.on_order == after.on_order + after.quantity and again.quantity < after.quantity


def test_will_expire_unsold_lists_exactly_the_lots_a_fefo_projection_by_hand_lists(
    ctx: Context, clock: FixedClock
) -> None:
    product(ctx, "MILK", 7)
    product(ctx, "TIN", 365)
    history(ctx, clock, {"MILK": 10, "TIN": 4})
    menu.add_menu_item(ctx, AddMenuItem(code="TIN", name="Tin of pineapple", price="18", product="TIN"))

    def lot(sku: str, units: int, days: int) -> int:
        return stock.receive(
            ctx, ReceiveLot(sku=sku, quantity=units, cost="2", expires=TODAY + dt.timedelta(days=days))
        ).lot.id

    # Milk, 10 a day: A (30, good until tomorrow) gives 10 today and 10 tomorrow and is left with 10;
    # B (10, three days) sells its 10 on day 2; C (50, a week on) is past the week asked about.
    a, _b, _c = lot("MILK", 30, 1), lot("MILK", 10, 3), lot("MILK", 50, 9)
    # Tins, 4 a day: D (6, today) sells 4 and keeps 2; E (8, in two days) sells 4 on day 1, 4 on day 2.
    d, _e = lot("TIN", 6, 0), lot("TIN", 8, 2)
    found = planning.will_expire_unsold(ctx, UnsoldQuery(days=7))
    assert [(u.lot_id, u.expires, milli(u.left)) for u in found.lots] == [
        (d, TODAY, 2000),
        (a, TODAY + dt.timedelta(days=1), 10_000),
    ]
    assert found.units_cost == 2 * 200 + 10 * 200
    tin, milk = found.lots
    assert tin.action.kind == "markdown" and tin.action.item == "TIN" and tin.action.percent == 30
    assert tin.action.price == 1260 and tin.action.starts == TODAY
    assert milk.action.kind == "kitchen"


def test_the_morning_digest_carries_what_will_expire_unsold_and_what_to_do(
    ctx: Context, clock: FixedClock, receiver: Receiver
) -> None:
    product(ctx, "MILK", 7)
    history(ctx, clock, {"MILK": 10})
    stock.receive(ctx, ReceiveLot(sku="MILK", quantity=30, cost="2", expires=TODAY + dt.timedelta(days=1)))
    notify.set_contact_policy(ctx, ContactPolicyIn(schemes=["json"], allow_private_addresses=True))
    notify.add_target(ctx, AddTarget(url=receiver.url("staff")))
    schedule.queue_due(ctx)
    notify.deliver(ctx)
    (digest,) = [m for m in receiver.messages if "digest" in str(m["title"])]
    text = str(digest["message"])
    assert "Will expire unsold at today's pace (HK$20.00 at cost)" in text
    assert (
        f"- 10 each Milk (lot 2, shelf) by {TODAY + dt.timedelta(days=1)}: use 10 each in the kitchen" in text
    )


def test_reports_waste_as_a_share_of_received_forecast_against_sold_and_suggested_against_ordered(
    ctx: Context, clock: FixedClock
) -> None:
    product(ctx, "MILK", 7)
    history(ctx, clock, {"MILK": 10})  # 210 received at HK$1 over the 3 weeks, all sold
    week = Period(start=TODAY - dt.timedelta(days=7), end=TODAY - dt.timedelta(days=1))
    # what the forecast made before the last week would have said: 10 a day, as sold
    (milk,) = buying_reports.forecast_vs_actual(ctx, week)
    assert (milk.sku, milk.days, milk.forecast, milk.actual, milk.wape) == ("MILK", 7, 70, 70, 0)
    with pytest.raises(InvalidInput, match="at most that many days, not 20"):
        buying_reports.forecast_vs_actual(
            ctx, Period(start=TODAY - dt.timedelta(days=20), end=TODAY - dt.timedelta(days=1))
        )

    lot = stock.receive(ctx, ReceiveLot(sku="MILK", quantity=20, cost="2")).lot.id
    stock.write_off(ctx, lot, WriteOff(quantity=4, reason="dropped"))
    stock.write_off(ctx, lot, WriteOff(quantity=1, reason="expired"))
    today = Period(start=TODAY, end=TODAY)
    total, dropped, expired = buying_reports.waste_share(ctx, today)
    assert (total.reason, total.wasted, total.wasted_cost, total.received_cost, total.percent) == (
        "",
        5,
        1000,
        4000,
        25,
    )
    assert (dropped.reason, dropped.percent, expired.reason, expired.percent) == ("dropped", 20, "expired", 5)
    csv_text = buying_reports.as_csv([total], buying_reports.WasteShare)
    assert csv_text.splitlines() == [
        "sku,product,reason,wasted,wasted_cost,received,received_cost,percent",
        "MILK,Milk,,5,1000,20,4000,25.0",
    ]

    supplier(ctx, ["mon", "thu"])
    supplies(ctx, "MILK", "12", "14.50")
    suggested = planning.suggest(ctx, SuggestQuery(supplier="Dairy")).lines[0].quantity
    accepted = planning.accept(
        ctx, build(AcceptSuggestions, {"supplier": "Dairy", "changes": [{"sku": "MILK", "quantity": "12"}]})
    )
    by_hand = purchase_orders.new_order(
        ctx, build(NewPurchaseOrder, {"supplier": "Dairy", "lines": [{"sku": "MILK", "quantity": "24"}]})
    )
    assert buying_reports.suggested_vs_ordered(ctx, today) == []  # drafts have ordered nothing yet
    for made in (accepted, by_hand):
        purchase_orders.send_order(ctx, made.head.id)
    (row,) = buying_reports.suggested_vs_ordered(ctx, today)
    assert (row.lines, row.suggested, row.ordered, row.by_hand) == (2, suggested, 12, 24)
