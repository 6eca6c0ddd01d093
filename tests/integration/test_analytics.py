import datetime as dt
from decimal import Decimal

import pytest

from midnight.commands import build
from midnight.commands.stock import WriteOff
from midnight.commands.till import Period, PlaceOrder
from midnight.domain.errors import Forbidden, InvalidInput
from midnight.domain.people import Actor, Role
from midnight.services import analytics, orders, stock, views
from midnight.services.context import Context
from midnight.web.charts import bars
from tests.conftest import TODAY
from tests.integration.till_setup import open_snack_bar, stock_up


def test_sales_by_item_and_hour_and_waste_by_product(ctx: Context, clock) -> None:  # type: ignore[no-untyped-def]
    open_snack_bar(ctx)
    stock_up(ctx)
    orders.place_order(
        ctx,
        "a",
        PlaceOrder(
            lines=[{"code": "SALAD", "quantity": 2}, {"code": "TIN"}],
            payments=[{"method": "cash", "amount": "100"}],
        ),
    )
    clock.advance(dt.timedelta(hours=3))
    orders.place_order(
        ctx,
        "b",
        PlaceOrder(lines=[{"code": "TIN", "quantity": 2}], payments=[{"method": "card", "amount": "36"}]),
    )
    ham = views.product_stock(ctx, "HAM").lots[0].id
    stock.write_off(ctx, ham, WriteOff(quantity=3, reason="dropped"))
    today = Period(start=TODAY, end=TODAY)
    items = analytics.sales_by_item(ctx, today)
    assert [(r.label, r.quantity, r.amount) for r in items] == [
        ("廚師沙律 Chef's salad", Decimal(2), 7600),
        ("Tinned pineapple 罐頭菠蘿", Decimal(3), 5400),
    ]
    hours = analytics.sales_by_hour(ctx, today)
    assert [(r.label, r.quantity, r.amount) for r in hours] == [("10:00", 1, 9400), ("13:00", 1, 3600)]
    waste = analytics.waste_by_product(ctx, today)
    assert [(r.label, r.quantity, r.amount) for r in waste] == [("Ham slice — dropped", Decimal(3), 450)]
    # A period may be as long as ten years.
    decade = Period(start=TODAY - dt.timedelta(days=3660), end=TODAY)
    assert [(r.label, r.amount) for r in analytics.sales_by_item(ctx, decade)] == [
        (r.label, r.amount) for r in items
    ]
    with pytest.raises(Forbidden):
        analytics.sales_by_item(ctx.acting_as(Actor("kwan", Role.STAFF)), today)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (TODAY, TODAY - dt.timedelta(days=1), "before it starts"),
        (TODAY - dt.timedelta(days=3661), TODAY, "at most ten years"),
        ("1999-12-31", TODAY, "start 1999-12-31 is not between 2000-01-01 and 2100-12-31"),
    ],
)
def test_refuses_periods_it_cannot_report(start: object, end: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        build(Period, {"start": start, "end": end})


def test_bar_charts_are_svg_with_escaped_labels() -> None:
    rows = [analytics.Row("<b>Tins</b>", Decimal(3), 5400), analytics.Row("Salad", Decimal(1), 3800)]
    svg = bars(rows, lambda r: r.amount, lambda r: str(r.amount), name="s", title="<i>Sales</i>").svg
    assert svg.startswith("<svg") and "&lt;b&gt;Tins&lt;/b&gt;" in svg and "<b>" not in svg
    assert "&lt;i&gt;Sales&lt;/i&gt;" in svg and "<i>" not in svg
    assert svg.count("<rect") == 2
    assert bars([], lambda r: r.amount, str, name="e", title="Empty").empty
