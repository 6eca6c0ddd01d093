"""Invariant 6: tills selling at the same moment never oversell, on either database."""

from __future__ import annotations

import multiprocessing
import os
from decimal import Decimal

from sqlalchemy import func, select

from midnight.commands.catalog import AddProduct
from midnight.commands.stock import DrawStock, ReceiveLot
from midnight.commands.till import AddMenuItem, PlaceOrder
from midnight.db import tables as t
from midnight.domain.errors import InsufficientStock
from midnight.services import catalog, stock, views
from midnight.services.context import Context, open_context

TILLS = 8
PINE = AddProduct(sku="PINE", name="Tinned pineapple", expiry_kind="best_before", shelf_life_days=365)


def till(url: str, start: multiprocessing.synchronize.Event, sold: multiprocessing.Queue) -> None:  # type: ignore[name-defined,type-arg]
    ctx = open_context(url=url, actor="till")
    start.wait(30)
    count = 0
    while True:
        try:
            stock.sell(ctx, DrawStock(sku="PINE", quantity=1))
        except InsufficientStock:
            break
        count += 1
    sold.put(count)
    ctx.db.dispose()


def test_eight_tills_selling_the_last_twenty_tins_sell_exactly_twenty(ctx: Context) -> None:
    catalog.add_product(ctx, PINE)
    for _ in range(4):  # spread over lots, so sales split and race across them
        stock.receive(ctx, ReceiveLot(sku="PINE", quantity=5))
    url = ctx.db.engine.url.render_as_string(hide_password=False)
    mp = multiprocessing.get_context("spawn")
    start, sold = mp.Event(), mp.Queue()
    workers = [mp.Process(target=till, args=(url, start, sold)) for _ in range(TILLS)]
    for w in workers:
        w.start()
    start.set()
    counts = [sold.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert sum(counts) == 20
    assert views.product_stock(ctx, "PINE").on_hand == Decimal(0)
    with ctx.db.read() as conn:
        sales = conn.execute(select(func.count()).where(t.movements.c.kind == "sell")).scalar_one()
        lowest = conn.execute(select(func.min(t.lots.c.on_hand))).scalar_one()
    assert sales == 20 and lowest == 0


def till_paying_orders(
    url: str, start: multiprocessing.synchronize.Event, sold: multiprocessing.Queue
) -> None:  # type: ignore[name-defined,type-arg]
    from midnight.services.orders import place_order

    order = PlaceOrder(lines=[{"code": "TIN"}], payments=[{"method": "cash", "amount": "20"}])
    ctx = open_context(url=url, actor="till")
    start.wait(30)
    paid = refused = 0
    for n in range(6):
        try:
            place_order(ctx, f"{os.getpid()}-{n}", order)
            paid += 1
        except InsufficientStock:
            refused += 1
    sold.put((paid, refused))
    ctx.db.dispose()


def test_eight_tills_paying_orders_for_the_last_twenty_units(ctx: Context) -> None:
    from midnight.services import menu

    catalog.add_product(ctx, PINE)
    menu.add_menu_item(ctx, AddMenuItem(code="TIN", name="Tin", price="18", product="PINE"))
    for _ in range(4):
        stock.receive(ctx, ReceiveLot(sku="PINE", quantity=5))
    url = ctx.db.engine.url.render_as_string(hide_password=False)
    mp = multiprocessing.get_context("spawn")
    start, sold = mp.Event(), mp.Queue()
    workers = [mp.Process(target=till_paying_orders, args=(url, start, sold)) for _ in range(TILLS)]
    for w in workers:
        w.start()
    start.set()
    results = [sold.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert sum(paid for paid, _ in results) == 20
    assert sum(refused for _, refused in results) == TILLS * 6 - 20
    with ctx.db.read() as conn:
        paid_orders = conn.execute(select(func.count()).where(t.orders.c.state == "paid")).scalar_one()
        all_orders = conn.execute(select(func.count()).select_from(t.orders)).scalar_one()
        lowest = conn.execute(select(func.min(t.lots.c.on_hand))).scalar_one()
    assert paid_orders == all_orders == 20 and lowest == 0
