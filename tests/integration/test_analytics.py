import datetime as dt
from decimal import Decimal

import pytest

from midnight.domain.errors import Forbidden, InvalidInput
from midnight.domain.people import Actor, Role
from midnight.services import analytics, orders, stock, views
from midnight.services.context import Context
from midnight.services.orders import LineRequest
from midnight.web.charts import bars
from tests.conftest import TODAY
from tests.integration.till_setup import open_snack_bar, stock_up


def test_sales_by_item_and_hour_and_waste_by_product(ctx: Context, clock) -> None:  # type: ignore[no-untyped-def]
    open_snack_bar(ctx)
    stock_up(ctx)
    orders.place_order(ctx, "a", [LineRequest("SALAD", 2), LineRequest("TIN")], payments=[("cash", "100")])
    clock.advance(dt.timedelta(hours=3))
    orders.place_order(ctx, "b", [LineRequest("TIN", 2)], payments=[("card", "36")])
    stock.write_off(ctx, views.stock(ctx, "HAM")[0].lots[0].id, 3, "dropped")
    items = analytics.sales_by_item(ctx, TODAY, TODAY)
    assert [(r.label, r.quantity, r.amount) for r in items] == [
        ("廚師沙律 Chef's salad", Decimal(2), 7600),
        ("Tinned pineapple 罐頭菠蘿", Decimal(3), 5400),
    ]
    hours = analytics.sales_by_hour(ctx, TODAY, TODAY)
    assert [(r.label, r.quantity, r.amount) for r in hours] == [("10:00", 1, 9400), ("13:00", 1, 3600)]
    waste = analytics.waste_by_product(ctx, TODAY, TODAY)
    assert [(r.label, r.quantity, r.amount) for r in waste] == [("Ham slice — dropped", Decimal(3), 450)]
    with pytest.raises(InvalidInput, match="before it starts"):
        analytics.sales_by_item(ctx, TODAY, TODAY - dt.timedelta(days=1))
    with pytest.raises(Forbidden):
        analytics.sales_by_item(ctx.acting_as(Actor("kwan", Role.STAFF)), TODAY, TODAY)


def test_bar_charts_are_svg_with_escaped_labels() -> None:
    rows = [analytics.Row("<b>Tins</b>", Decimal(3), 5400), analytics.Row("Salad", Decimal(1), 3800)]
    svg = bars(rows, lambda r: r.amount, lambda r: str(r.amount))
    assert svg.startswith("<svg") and "&lt;b&gt;Tins&lt;/b&gt;" in svg and "<b>" not in svg
    assert svg.count("<rect") == 2
    assert "Nothing in this period" in bars([], lambda r: r.amount, str)
