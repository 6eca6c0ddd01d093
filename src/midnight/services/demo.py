"""The Midnight Express demo shop: products, 90 days of history, lots expiring soon."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import func, select

from midnight.commands.catalog import AddProduct
from midnight.commands.counter import AddCustomer, HoldItem
from midnight.commands.modifiers import AddModifierGroup, AddModifierOption, OfferModifiers
from midnight.commands.purchasing import AddSupplier, NewPurchaseOrder, OrderLineIn, SupplyProduct
from midnight.commands.stock import DrawStock, OpenPack, ReceiveLot, WriteOff, WriteOffExpired
from midnight.commands.till import AddMenuItem, CloseDay, ParkOrder, PayOrder, PlaceOrder, VoidOrder
from midnight.db import tables as t
from midnight.domain.clock import FixedClock, start_of_day
from midnight.domain.errors import Conflict, InsufficientStock
from midnight.domain.money import to_decimal
from midnight.domain.people import Permission
from midnight.services import (
    catalog,
    customers,
    holds,
    kitchen,
    menu,
    modifiers,
    orders,
    purchase_orders,
    reports,
    stock,
    suppliers,
    tills,
)
from midnight.services.context import Context


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    unit: str
    barcode: str | None
    kind: str
    shelf_life: int
    opened_life: int | None
    reorder_point: str
    cost: str
    location: str
    supplier: str
    every_days: int  # delivery schedule
    delivery: int  # units per delivery
    daily_sales: tuple[int, int]  # min, max units sold a day


PRODUCTS = (
    DemoProduct(
        "PINE-567",
        "Tinned pineapple 567 g 罐頭菠蘿",
        "each",
        "4891028164456",
        "best_before",
        365,
        3,
        "6",
        "9.50",
        "shelf",
        "Wing Fat Trading",
        7,
        24,
        (1, 4),
    ),
    DemoProduct(
        "HAM-SLICE",
        "Sliced ham 火腿片",
        "kg",
        None,
        "use_by",
        6,
        3,
        "1",
        "120.00",
        "fridge",
        "Kowloon Meats",
        3,
        2,
        (0, 1),
    ),
    DemoProduct(
        "LETTUCE",
        "Iceberg lettuce 生菜",
        "each",
        None,
        "use_by",
        5,
        2,
        "4",
        "8.00",
        "fridge",
        "Yau Ma Tei Fruit Market",
        2,
        8,
        (2, 5),
    ),
    DemoProduct(
        "COFFEE",
        "Coffee beans 1 kg 咖啡豆",
        "each",
        "5012345678900",
        "best_before",
        180,
        30,
        "2",
        "160.00",
        "store room",
        "Lan Kwai Roasters",
        14,
        4,
        (0, 1),
    ),
    DemoProduct(
        "MILK-1L",
        "Fresh milk 1 L 鮮奶",
        "each",
        "4006381333931",
        "use_by",
        7,
        3,
        "6",
        "18.00",
        "fridge",
        "Kowloon Dairy",
        2,
        12,
        (3, 7),
    ),
    DemoProduct(
        "BREAD",
        "White bread loaf 白麵包",
        "each",
        None,
        "use_by",
        3,
        None,
        "4",
        "14.00",
        "shelf",
        "Garden Bakery",
        1,
        8,
        (3, 9),
    ),
    DemoProduct(
        "EGGS-10",
        "Eggs, box of 10 雞蛋",
        "each",
        "96385074",
        "best_before",
        21,
        None,
        "3",
        "22.00",
        "fridge",
        "Kowloon Dairy",
        7,
        10,
        (0, 3),
    ),
    DemoProduct(
        "DRESSING",
        "Thousand island dressing 千島醬",
        "each",
        None,
        "best_before",
        90,
        21,
        "2",
        "25.00",
        "shelf",
        "Wing Fat Trading",
        14,
        6,
        (0, 1),
    ),
    DemoProduct(
        "NOODLE",
        "Instant noodles 出前一丁",
        "each",
        "012345678905",
        "best_before",
        240,
        None,
        "20",
        "4.20",
        "shelf",
        "Wing Fat Trading",
        14,
        60,
        (2, 8),
    ),
    DemoProduct(
        "LEMON-TEA",
        "Lemon tea carton 檸檬茶",
        "each",
        None,
        "best_before",
        120,
        None,
        "12",
        "5.50",
        "fridge",
        "Wing Fat Trading",
        7,
        36,
        (2, 7),
    ),
)


MENU = (
    # code, name, price, category, product sold 1:1 (or None), recipe, markdown days/percent
    ("TIN", "Tinned pineapple 罐頭菠蘿", "18", "tins", "PINE-567", None, (2, "30")),
    ("MILK", "Fresh milk 鮮奶", "24", "drinks", "MILK-1L", None, (1, "20")),
    ("LEMON-TEA", "Lemon tea 檸檬茶", "9", "drinks", "LEMON-TEA", None, None),
    ("NOODLES", "Instant noodles 出前一丁", "8", "tins", "NOODLE", None, None),
    ("BREAD", "White bread loaf 白麵包", "22", "bakery", "BREAD", None, (0, "50")),
    (
        "SALAD",
        "廚師沙律 Chef's salad",
        "38",
        "kitchen",
        None,
        [("LETTUCE", "0.25"), ("HAM-SLICE", "0.05"), ("DRESSING", "1"), ("EGGS-10", "0.1")],
        None,
    ),
    (
        "HAM-SANDWICH",
        "火腿三文治 Ham sandwich",
        "26",
        "kitchen",
        None,
        [("BREAD", "0.2"), ("HAM-SLICE", "0.05")],
        None,
    ),
)
MENU_BY_SKU = {product: code for code, _, _, _, product, _, _ in MENU if product}


def _menu(ctx: Context) -> None:
    for code, name, price, category, product, recipe, markdown in MENU:
        item = AddMenuItem(
            code=code,
            name=name,
            price=price,
            category=category,
            product=product,
            recipe=[{"sku": sku, "quantity": q} for sku, q in recipe] if recipe else None,
            markdown_days=markdown[0] if markdown else None,
            markdown_percent=markdown[1] if markdown else None,
        )
        menu.add_menu_item(ctx, item)


# Choices on the menu: a salad's size, extras and what to leave out; a sandwich toasted; lemon tea's
# sugar and ice. (group, name, at most, options: code, name, price, effect, product, quantity, factor)
MODIFIERS = (
    ("SIZE", "Size 份量", 1, [("LARGE", "Large 大", "12", "scale", None, None, "1.5")]),
    (
        "EXTRAS",
        "Extras 加配",
        3,
        [
            ("ADD-EGG", "Add egg 加蛋", "5", "add", "EGGS-10", "0.1", None),
            ("EXTRA-HAM", "Extra ham 加火腿", "8", "add", "HAM-SLICE", "0.05", None),
        ],
    ),
    ("LEAVE-OUT", "Leave out 走", 2, [("NO-HAM", "No ham 走火腿", "-4", "remove", "HAM-SLICE", None, None)]),
    ("TOAST", "Bread 麵包", 1, [("TOASTED", "Toasted 烘底", "2", "none", None, None, None)]),
    (
        "SWEET",
        "Sugar 甜度",
        1,
        [
            ("LESS-SUGAR", "Less sugar 少甜", "0", "none", None, None, None),
            ("NO-SUGAR", "No sugar 走甜", "0", "none", None, None, None),
        ],
    ),
    ("ICE", "Ice 冰", 1, [("NO-ICE", "No ice 走冰", "0", "none", None, None, None)]),
)
OFFERS = {"SALAD": ["SIZE", "EXTRAS", "LEAVE-OUT"], "HAM-SANDWICH": ["TOAST"], "LEMON-TEA": ["SWEET", "ICE"]}
# What a customer is likely to ask for, item by item: a choice and how often it is made.
ASKED = {
    "SALAD": [("LARGE", 0.3), ("ADD-EGG", 0.25), ("NO-HAM", 0.1)],
    "HAM-SANDWICH": [("TOASTED", 0.6)],
    "LEMON-TEA": [("LESS-SUGAR", 0.3), ("NO-ICE", 0.2)],
}


def _modifiers(ctx: Context) -> None:
    for group, name, most, options in MODIFIERS:
        modifiers.add_group(ctx, AddModifierGroup(code=group, name=name, max_choices=most))
        for code, label, price, effect, product, quantity, factor in options:
            fields = {"code": code, "name": label, "price": price, "effect": effect}
            given = {"product": product, "quantity": quantity, "factor": factor}
            modifiers.add_option(
                ctx, group, AddModifierOption(**fields, **{k: v for k, v in given.items() if v is not None})
            )
    for item, groups in OFFERS.items():
        modifiers.offer(ctx, item, OfferModifiers(groups=groups))


def _asked(code: str, rng: random.Random) -> list[str]:
    chosen = [option for option, often in ASKED.get(code, []) if rng.random() < often]
    return [c for c in chosen if not (c == "LESS-SUGAR" and "NO-SUGAR" in chosen)]


def _ring_up(ctx: Context, code: str, quantity: int, key: str, rng: random.Random) -> None:
    """Sell through the till: price the order, then pay it exactly by card or in cash with change."""
    line = {"code": code, "quantity": quantity, "modifiers": _asked(code, rng)}
    order = orders.place_order(ctx, key, PlaceOrder(lines=[line]))
    marked_down = any(c == code and md for c, _, _, _, _, _, md in MENU)
    if rng.random() < 0.4 and not marked_down:  # a card pays exactly; reductions are known only at payment
        amount = to_decimal(order.total, ctx.store.currency)
        orders.pay_order(ctx, order.id, PayOrder(payments=[{"method": "card", "amount": str(amount)}]))
    else:
        tendered = to_decimal((order.total // 10000 + 1) * 10000, ctx.store.currency)
        try:
            orders.pay_order(ctx, order.id, PayOrder(payments=[{"method": "cash", "amount": str(tendered)}]))
        except InsufficientStock:
            orders.void_order(ctx, order.id, VoidOrder(reason="ran out"))
            raise


@dataclass(frozen=True)
class DemoLoaded:
    products: int
    days: int
    movements: int


def load_demo(ctx: Context, days: int = 90, seed: int = 663) -> DemoLoaded:
    """Replay `days` of deliveries, sales and write-offs up to now, then leave a realistic board."""
    ctx.require(Permission.CATALOG)
    with ctx.db.read() as conn:
        if conn.execute(select(t.products.c.id).limit(1)).first() is not None:
            raise Conflict("this database already has products; load the demo into an empty one", field="db")
    rng = random.Random(seed)
    tz = ctx.store.tz
    real_now = ctx.now()
    today = ctx.today()
    clock = FixedClock(start_of_day(today - dt.timedelta(days=days), tz))
    past = ctx.at(clock, "demo")
    for p in PRODUCTS:
        catalog.add_product(
            past,
            AddProduct(
                sku=p.sku,
                name=p.name,
                unit=p.unit,
                barcode=p.barcode,
                expiry_kind=p.kind,
                shelf_life_days=p.shelf_life,
                opened_shelf_life_days=p.opened_life,
                reorder_point=p.reorder_point,
            ),
        )
    _menu(past)
    _modifiers(past)
    for offset in range(days, -1, -1):
        day = today - dt.timedelta(days=offset)
        midnight = start_of_day(day, tz)
        clock.instant = min(real_now, midnight + dt.timedelta(hours=8))
        for p in PRODUCTS:
            if offset % p.every_days == 0:
                delivery = ReceiveLot(
                    sku=p.sku, quantity=p.delivery, cost=p.cost, location=p.location, supplier=p.supplier
                )
                stock.receive(past, delivery)
        clock.instant = min(real_now, midnight + dt.timedelta(hours=13))
        for p in PRODUCTS:
            wanted = rng.randint(*p.daily_sales)
            if offset == 0:
                wanted = min(wanted, 1)
            if wanted:
                # Items on the menu sell through the till (so the reports have orders); the rest directly.
                code = MENU_BY_SKU.get(p.sku)
                hour = 7 + rng.randrange(14)
                clock.instant = min(real_now, midnight + dt.timedelta(hours=hour, minutes=rng.randrange(60)))
                with contextlib.suppress(InsufficientStock):  # ran out that day, as shops do
                    if code is None:
                        stock.sell(past, DrawStock(sku=p.sku, quantity=wanted, reference=f"demo day {day}"))
                    else:
                        _ring_up(past, code, wanted, f"demo-{day}-{p.sku}", rng)
        for code in ("SALAD", "HAM-SANDWICH"):
            for n in range(rng.randint(0, 3)):
                lunch_to_evening = dt.timedelta(hours=11 + rng.randrange(9), minutes=rng.randrange(60))
                clock.instant = min(real_now, midnight + lunch_to_evening)
                with contextlib.suppress(InsufficientStock):
                    _ring_up(past, code, 1, f"demo-{day}-{code}-{n}", rng)
        if offset > 1:  # leave yesterday's expired stock on the board for today
            clock.instant = midnight + dt.timedelta(hours=23)
            stock.write_off_expired(past, WriteOffExpired())
        if offset >= 1:  # every past day was closed with its Z; today is open
            clock.instant = midnight + dt.timedelta(hours=23, minutes=30)
            _close(past, day, rng)
    clock.instant = min(real_now, start_of_day(today, tz) + dt.timedelta(hours=14))
    # A few things a morning shift would see: an opened carton, a dented tin, an expired lot.
    week_ago = today - dt.timedelta(days=7)
    ham = ReceiveLot(
        sku="HAM-SLICE",
        quantity="0.5",
        cost="120.00",
        location="fridge",
        supplier="Kowloon Meats",
        received=week_ago,
    )
    stock.receive(past, ham)
    milk = ReceiveLot(sku="MILK-1L", quantity=6, cost="18.00", location="fridge", supplier="Kowloon Dairy")
    stock.open_pack(past, stock.receive(past, milk).lot.id, OpenPack())
    soon = today + dt.timedelta(days=2)
    tins = ReceiveLot(
        sku="PINE-567",
        quantity=12,
        cost="9.50",
        location="store room",
        supplier="Wing Fat Trading",
        expires=soon,
    )
    stock.write_off(past, stock.receive(past, tins).lot.id, WriteOff(quantity=1, reason="dented tin"))
    _counter_shelf(past, today)
    _floor(past, rng)
    _buying(past)
    with ctx.db.read() as conn:
        movements = int(conn.execute(select(func.count()).select_from(t.movements)).scalar_one())
    return DemoLoaded(len(PRODUCTS), days, movements)


def _close(ctx: Context, day: dt.date, rng: random.Random) -> None:
    """Close a day as an owner would: the cash counted, now and then a few dollars out."""
    expected = reports.x_report(ctx, day).cash_expected
    counted = expected + rng.choice((0, 0, 0, 0, -1000, 500))
    amount = to_decimal(max(counted, 0), ctx.store.currency)
    reports.close_day(ctx, CloseDay(date=day, counted=amount))


CUSTOMERS = (
    ("Mr Chan 陳先生", "663", "+85291234567"),
    ("Ms Wong 黃小姐", "pineapple", None),
    ("Ah Keung 阿強", None, "+85298765432"),
)


def _floor(ctx: Context, rng: random.Random) -> None:
    """Today on the floor: a counter till, a kitchen making the salads and sandwiches, a table's order
    parked and sent to the kitchen, and a salad just paid for, its ticket on the kitchen screen."""
    tills.add_till(ctx, "Counter")
    kitchen.add_station(ctx, "Kitchen")
    for code in ("SALAD", "HAM-SANDWICH"):
        kitchen.set_item_station(ctx, code, "Kitchen")
    table = ParkOrder(
        lines=[
            {"code": "SALAD", "modifiers": ["LARGE", "ADD-EGG"]},
            {"code": "HAM-SANDWICH", "modifiers": ["TOASTED"], "note": "cut in four"},
            {"code": "LEMON-TEA", "quantity": 2, "modifiers": ["NO-ICE"]},
        ],
        label="Table 2",
        send_to_kitchen=True,
    )
    with contextlib.suppress(InsufficientStock):
        orders.park_order(ctx, "demo-table-2", table)
    with contextlib.suppress(InsufficientStock):
        _ring_up(ctx, "SALAD", 1, "demo-now-salad", rng)


def _counter_shelf(ctx: Context, today: dt.date) -> None:
    """Regulars, and what they left at the counter for each other."""
    for name, nickname, phone in CUSTOMERS:
        customers.add_customer(ctx, AddCustomer(name=name, nickname=nickname, phone=phone))
    for description, for_customer, left_by, slot, until in (
        ("Letter 信", "663", "Ms Wong", "A1", today + dt.timedelta(days=30)),
        ("Set of keys 鎖匙", "pineapple", "Mr Chan", "A2", today + dt.timedelta(days=7)),
        ("Parcel 包裹", "Ah Keung 阿強", "courier", "B1", today + dt.timedelta(days=14)),
    ):
        holds.hold_item(
            ctx,
            HoldItem(
                description=description,
                for_customer=for_customer,
                left_by=left_by,
                shelf_slot=slot,
                hold_until=until,
            ),
        )


def _pack_size(p: DemoProduct) -> int:
    """What the demo's suppliers pack a product in: the largest usual case its delivery fills."""
    if p.unit != "each":
        return 1
    return next(size for size in (24, 12, 6, 4, 1) if p.delivery % size == 0)


def _buying(ctx: Context) -> None:
    """The suppliers the deliveries came from, what each sells the shop, an order sent to the dairy
    (to receive at the door) and a draft for the grocer."""
    by_supplier: dict[str, list[DemoProduct]] = {}
    for p in PRODUCTS:
        by_supplier.setdefault(p.supplier, []).append(p)
    for name, sold in by_supplier.items():
        every = min(p.every_days for p in sold)
        days = ["mon", "wed", "fri"] if every <= 3 else ["mon", "thu"] if every < 7 else ["tue"]
        suppliers.add_supplier(ctx, AddSupplier(name=name, delivery_days=days, lead_time_days=1))
        for p in sold:
            terms = SupplyProduct(sku=p.sku, pack_size=_pack_size(p), cost=p.cost)
            suppliers.supply_product(ctx, name, terms)

    def lines(name: str) -> list[OrderLineIn]:
        return [OrderLineIn(sku=p.sku, quantity=p.delivery) for p in by_supplier[name]]

    dairy = purchase_orders.new_order(
        ctx, NewPurchaseOrder(supplier="Kowloon Dairy", lines=lines("Kowloon Dairy"))
    )
    purchase_orders.send_order(ctx, dairy.head.id)
    purchase_orders.new_order(
        ctx, NewPurchaseOrder(supplier="Wing Fat Trading", lines=lines("Wing Fat Trading"), note="demo draft")
    )
