"""A small snack bar for till tests: a tin sold as is, and a chef's salad made from three products."""

from __future__ import annotations

import datetime as dt

from midnight.commands.catalog import AddProduct
from midnight.commands.modifiers import AddModifierGroup, AddModifierOption, OfferModifiers
from midnight.commands.stock import ReceiveLot
from midnight.commands.till import AddMenuItem
from midnight.services import catalog, menu, modifiers, stock
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


def add_modifiers(ctx: Context) -> None:
    """A size for the salad (large: 1.5x), extras (egg, more ham), leaving out the ham, and a tin
    served cold (the ticket only); eggs are stocked."""
    catalog.add_product(ctx, AddProduct(sku="EGG", name="Egg 雞蛋", expiry_kind="use_by", shelf_life_days=14))
    stock.receive(ctx, ReceiveLot(sku="EGG", quantity=30, cost="1.20", expires=day(10)))
    modifiers.add_group(ctx, AddModifierGroup(code="SIZE", name="Size 份量", max=1))
    modifiers.add_option(
        ctx,
        "SIZE",
        AddModifierOption(code="LARGE", name="Large 大", price="12", effect="scale", factor="1.5"),
    )
    modifiers.add_group(ctx, AddModifierGroup(code="EXTRAS", name="Extras 加配", max=3))
    modifiers.add_option(
        ctx,
        "EXTRAS",
        AddModifierOption(
            code="ADD-EGG", name="Add egg 加蛋", price="5", effect="add", product="EGG", quantity="1"
        ),
    )
    modifiers.add_option(
        ctx,
        "EXTRAS",
        AddModifierOption(
            code="MORE-HAM", name="More ham", price="6", effect="add", product="HAM", quantity="2"
        ),
    )
    modifiers.add_group(ctx, AddModifierGroup(code="LEAVE-OUT", name="Leave out 走", max=2))
    modifiers.add_option(
        ctx,
        "LEAVE-OUT",
        AddModifierOption(code="NO-HAM", name="No ham 走火腿", price="-4", effect="remove", product="HAM"),
    )
    modifiers.add_group(ctx, AddModifierGroup(code="SERVE", name="Serve", max=1))
    modifiers.add_option(ctx, "SERVE", AddModifierOption(code="COLD", name="Cold 凍", price="2"))
    modifiers.offer(ctx, "SALAD", OfferModifiers(groups=["SIZE", "EXTRAS", "LEAVE-OUT"]))
    modifiers.offer(ctx, "TIN", OfferModifiers(groups=["SERVE"]))
