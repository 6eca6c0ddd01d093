"""A small snack bar for till tests: a tin sold as is, and a chef's salad made from three products."""

from __future__ import annotations

import datetime as dt

from midnight.services import catalog, menu, stock
from midnight.services.shop import Shop
from tests.conftest import TODAY


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def open_snack_bar(shop: Shop) -> None:
    catalog.add_product(shop, "PINE", "Tinned pineapple", expiry_kind="best_before", shelf_life_days=365)
    catalog.add_product(shop, "LETTUCE", "Lettuce", unit="kg", expiry_kind="use_by", shelf_life_days=5)
    catalog.add_product(shop, "HAM", "Ham slice", expiry_kind="use_by", shelf_life_days=5)
    catalog.add_product(shop, "DRESSING", "Dressing sachet", expiry_kind="best_before", shelf_life_days=60)
    menu.add_menu_item(
        shop, "TIN", "Tinned pineapple 罐頭菠蘿", "18", product="PINE", markdown_days=2, markdown_percent="30"
    )
    menu.add_menu_item(
        shop,
        "SALAD",
        "廚師沙律 Chef's salad",
        "38",
        category="salads",
        recipe=[("LETTUCE", "0.1"), ("HAM", "2"), ("DRESSING", "1")],
    )


def stock_up(shop: Shop) -> None:
    stock.receive(shop, "PINE", 10, cost="9.00", expires=day(200))
    stock.receive(shop, "LETTUCE", 1, cost="20.00", expires=day(3))
    stock.receive(shop, "LETTUCE", 1, cost="20.00", expires=day(1))
    stock.receive(shop, "HAM", 20, cost="1.50", expires=day(2))
    stock.receive(shop, "DRESSING", 10, cost="2.00", expires=day(30))
