"""A small snack bar for till tests: a tin sold as is, and a chef's salad made from three products."""

from __future__ import annotations

import datetime as dt

from midnight.services import catalog, menu, stock
from midnight.services.context import Context
from tests.conftest import TODAY


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def open_snack_bar(ctx: Context) -> None:
    catalog.add_product(ctx, "PINE", "Tinned pineapple", expiry_kind="best_before", shelf_life_days=365)
    catalog.add_product(ctx, "LETTUCE", "Lettuce", unit="kg", expiry_kind="use_by", shelf_life_days=5)
    catalog.add_product(ctx, "HAM", "Ham slice", expiry_kind="use_by", shelf_life_days=5)
    catalog.add_product(ctx, "DRESSING", "Dressing sachet", expiry_kind="best_before", shelf_life_days=60)
    menu.add_menu_item(
        ctx, "TIN", "Tinned pineapple 罐頭菠蘿", "18", product="PINE", markdown_days=2, markdown_percent="30"
    )
    menu.add_menu_item(
        ctx,
        "SALAD",
        "廚師沙律 Chef's salad",
        "38",
        category="salads",
        recipe=[("LETTUCE", "0.1"), ("HAM", "2"), ("DRESSING", "1")],
    )


def stock_up(ctx: Context) -> None:
    stock.receive(ctx, "PINE", 10, cost="9.00", expires=day(200))
    stock.receive(ctx, "LETTUCE", 1, cost="20.00", expires=day(3))
    stock.receive(ctx, "LETTUCE", 1, cost="20.00", expires=day(1))
    stock.receive(ctx, "HAM", 20, cost="1.50", expires=day(2))
    stock.receive(ctx, "DRESSING", 10, cost="2.00", expires=day(30))
