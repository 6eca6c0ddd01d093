"""A small snack bar for till tests: a tin sold as is, and a chef's salad made from three products."""

from __future__ import annotations

import datetime as dt

from midnight.commands.catalog import AddProduct
from midnight.commands.stock import ReceiveLot
from midnight.commands.till import AddMenuItem
from midnight.services import catalog, menu, stock
from midnight.services.context import Context
from tests.conftest import TODAY


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def open_snack_bar(ctx: Context) -> None:
    for product in (
        AddProduct(sku="PINE", name="Tinned pineapple", expiry_kind="best_before", shelf_life_days=365),
        AddProduct(sku="LETTUCE", name="Lettuce", unit="kg", expiry_kind="use_by", shelf_life_days=5),
        AddProduct(sku="HAM", name="Ham slice", expiry_kind="use_by", shelf_life_days=5),
        AddProduct(sku="DRESSING", name="Dressing sachet", expiry_kind="best_before", shelf_life_days=60),
    ):
        catalog.add_product(ctx, product)
    menu.add_menu_item(
        ctx,
        AddMenuItem(
            code="TIN",
            name="Tinned pineapple 罐頭菠蘿",
            price="18",
            product="PINE",
            markdown_days=2,
            markdown_percent="30",
        ),
    )
    menu.add_menu_item(
        ctx,
        AddMenuItem(
            code="SALAD",
            name="廚師沙律 Chef's salad",
            price="38",
            category="salads",
            recipe=[
                {"sku": "LETTUCE", "quantity": "0.1"},
                {"sku": "HAM", "quantity": "2"},
                {"sku": "DRESSING", "quantity": "1"},
            ],
        ),
    )


def stock_up(ctx: Context) -> None:
    for delivery in (
        ReceiveLot(sku="PINE", quantity=10, cost="9.00", expires=day(200)),
        ReceiveLot(sku="LETTUCE", quantity=1, cost="20.00", expires=day(3)),
        ReceiveLot(sku="LETTUCE", quantity=1, cost="20.00", expires=day(1)),
        ReceiveLot(sku="HAM", quantity=20, cost="1.50", expires=day(2)),
        ReceiveLot(sku="DRESSING", quantity=10, cost="2.00", expires=day(30)),
    ):
        stock.receive(ctx, delivery)
