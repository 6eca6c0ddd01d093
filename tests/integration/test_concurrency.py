"""Invariant 6: tills selling at the same moment never oversell, on either database."""

from __future__ import annotations

import multiprocessing
from decimal import Decimal

from sqlalchemy import func, select

from midnight.domain.errors import InsufficientStock
from midnight.services import catalog, stock, views
from midnight.services.shop import Shop, open_shop
from midnight.store import tables as t

TILLS = 8


def till(url: str, start: multiprocessing.synchronize.Event, sold: multiprocessing.Queue) -> None:  # type: ignore[name-defined,type-arg]
    shop = open_shop(url=url, actor="till")
    start.wait(30)
    count = 0
    while True:
        try:
            stock.sell(shop, "PINE", 1)
        except InsufficientStock:
            break
        count += 1
    sold.put(count)
    shop.db.dispose()


def test_eight_tills_selling_the_last_twenty_tins_sell_exactly_twenty(shop: Shop) -> None:
    catalog.add_product(shop, "PINE", "Tinned pineapple", expiry_kind="best_before", shelf_life_days=365)
    for _ in range(4):  # spread over lots, so sales split and race across them
        stock.receive(shop, "PINE", 5)
    url = shop.db.engine.url.render_as_string(hide_password=False)
    ctx = multiprocessing.get_context("spawn")
    start, sold = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=till, args=(url, start, sold)) for _ in range(TILLS)]
    for w in workers:
        w.start()
    start.set()
    counts = [sold.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert sum(counts) == 20
    assert views.stock(shop, "PINE")[0].on_hand == Decimal(0)
    with shop.db.read() as conn:
        sales = conn.execute(select(func.count()).where(t.movements.c.kind == "sell")).scalar_one()
        lowest = conn.execute(select(func.min(t.lots.c.on_hand))).scalar_one()
    assert sales == 20 and lowest == 0
