"""Sales written on paper while the till was down, entered afterwards by the owner: as of then, on
their own business day, marked as entered late; a closed day refuses them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from midnight.commands import build
from midnight.commands.stock import ReceiveLot
from midnight.commands.till import CloseDay, PlaceOrder
from midnight.db import tables as t
from midnight.domain.clock import FixedClock
from midnight.domain.errors import Conflict, Forbidden, InsufficientStock, InvalidInput
from midnight.domain.people import Actor, Role
from midnight.services import orders, quotes, reports, stock
from midnight.services.context import Context
from tests.conftest import NOW
from tests.integration.till_setup import day, open_snack_bar

YESTERDAY = day(-1)


@pytest.fixture
def bar(ctx: Context) -> Context:
    open_snack_bar(
        ctx.at(FixedClock(NOW - dt.timedelta(days=5)), ctx.who)
    )  # the menu is older than the sales
    # tins delivered three days ago, two of them close to their date
    stock.receive(ctx, ReceiveLot(sku="PINE", quantity=2, cost="9", expires=day(2), received=day(-3)))
    stock.receive(ctx, ReceiveLot(sku="PINE", quantity=10, cost="9", expires=day(200), received=day(-3)))
    return ctx


def late(ctx: Context, key: str, when: str, *codes: str, cash: str = "100") -> orders.OrderInfo:
    cmd = build(
        PlaceOrder,
        {
            "lines": [{"code": c} for c in codes],
            "payments": [{"method": "cash", "amount": cash}],
            "sold_at": when,
        },
    )
    return orders.place_order(ctx, key, cmd)


def test_a_paper_sale_counts_on_its_day_as_of_then_and_is_marked_as_entered_late(bar: Context) -> None:
    when = f"{YESTERDAY} 13:05"
    # yesterday the near-dated tins were 3 days from their date: not yet reduced (the rule is 2 days)
    quote = quotes.quote_order(bar, build(PlaceOrder, {"lines": [{"code": "TIN"}], "sold_at": when}))
    assert quote.total == 1800
    order = late(bar, "paper-1", when, "TIN")
    assert order.total == 1800 and order.lines[0].markdown == 0
    assert order.business_date == YESTERDAY
    assert order.created_at.astimezone(bar.store.tz).strftime("%Y-%m-%d %H:%M") == when
    assert order.entered_at == NOW  # when the owner typed it in
    assert order.payments[0].at == order.created_at
    with bar.db.read() as conn:
        moved = conn.execute(
            select(t.movements.c.at, t.movements.c.recorded_at).where(
                t.movements.c.reference == f"order #{order.id}"
            )
        ).one()
    assert moved.at == order.created_at and moved.recorded_at == NOW  # the ledger says both
    assert reports.x_report(bar, YESTERDAY).payments == {"cash": 1800}
    # the same sale rung up today is reduced to clear: the near-dated tin is now 2 days from its date
    today = orders.place_order(
        bar,
        "now-1",
        build(PlaceOrder, {"lines": [{"code": "TIN"}], "payments": [{"method": "cash", "amount": "20"}]}),
    )
    assert today.lines[0].markdown == 540 and today.entered_at is None


def test_a_paper_sale_draws_only_on_stock_that_had_arrived(bar: Context) -> None:
    stock.receive(bar, ReceiveLot(sku="HAM", quantity=10, cost="1.5"))  # arrived this morning
    stock.receive(bar, ReceiveLot(sku="LETTUCE", quantity=1, cost="20", received=day(-3)))
    stock.receive(bar, ReceiveLot(sku="DRESSING", quantity=5, cost="2", received=day(-3)))
    with pytest.raises(InsufficientStock, match="HAM"):
        late(bar, "paper-1", f"{YESTERDAY} 12:00", "SALAD")


def test_a_closed_day_refuses_a_paper_sale_with_a_clear_message(bar: Context) -> None:
    reports.close_day(bar, CloseDay(date=YESTERDAY, counted="0"))
    with pytest.raises(Conflict, match=r"is closed and its Z report is final") as refused:
        late(bar, "paper-1", f"{YESTERDAY} 18:00", "TIN")
    assert refused.value.field == "sold_at"


def test_only_an_owner_enters_a_paper_sale_and_only_a_past_recent_one(bar: Context) -> None:
    staff = bar.acting_as(Actor("kwan", Role.STAFF))
    with pytest.raises(Forbidden):
        late(staff, "paper-1", f"{YESTERDAY} 13:05", "TIN")
    tomorrow = (NOW + dt.timedelta(days=1)).astimezone(bar.store.tz)
    with pytest.raises(InvalidInput, match="still to come"):
        late(bar, "paper-2", tomorrow.strftime("%Y-%m-%d %H:%M"), "TIN")
    with pytest.raises(InvalidInput, match="up to 31 days later"):
        late(bar, "paper-3", f"{day(-40)} 13:05", "TIN")
    with pytest.raises(InvalidInput, match="like 2026-11-24 13:05"):
        late(bar, "paper-4", "yesterday lunch", "TIN")
    with pytest.raises(InvalidInput, match="give its payments"):
        orders.place_order(
            bar, "paper-5", build(PlaceOrder, {"lines": [{"code": "TIN"}], "sold_at": f"{YESTERDAY} 13:05"})
        )


def test_a_quote_for_a_closed_day_says_so_and_foreign_digits_are_refused(bar: Context) -> None:
    reports.close_day(bar, CloseDay(date=YESTERDAY, counted="0"))
    with pytest.raises(Conflict, match="is closed"):
        quotes.quote_order(
            bar, build(PlaceOrder, {"lines": [{"code": "TIN"}], "sold_at": f"{YESTERDAY} 13:05"})
        )
    with pytest.raises(InvalidInput, match="like 2026-11-24 13:05"):
        late(bar, "paper-9", "٢٠٢٦-11-24 13:05", "TIN")
