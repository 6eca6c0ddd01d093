"""Till benchmark: paid orders per second, against raw sqlite3 doing the same writes, same run.

An order has three lines, each a menu item whose recipe draws two products; every product has
20 lots, so each ingredient is allocated FEFO. Both sides: one transaction per paid order,
SQLite WAL with synchronous=FULL, the same schema and triggers. The service layer is also measured
with two modifiers on every line (large: the recipe times 1.5; an extra: one more product drawn),
so each order then draws nine ingredients and records six modifiers.

    python bench/till.py [--orders 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from midnight.commands.catalog import AddProduct
from midnight.commands.modifiers import AddModifierGroup, AddModifierOption, OfferModifiers
from midnight.commands.stock import ReceiveLot
from midnight.commands.till import AddMenuItem, PlaceOrder
from midnight.domain.clock import FixedClock
from midnight.services import catalog, menu, modifiers, stock
from midnight.services.context import Context, open_context
from midnight.services.orders import place_order

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 25)
ITEMS = {"A": ("P0", "P1"), "B": ("P2", "P3"), "C": ("P4", "P5")}


def prepared(path: Path) -> Context:
    ctx = open_context(url=f"sqlite:///{path}", clock=FixedClock(NOW), actor="bench")
    for p in range(7):
        catalog.add_product(
            ctx, AddProduct(sku=f"P{p}", name=f"Product {p}", expiry_kind="use_by", shelf_life_days=30)
        )
        for n in range(20):
            stock.receive(
                ctx,
                ReceiveLot(
                    sku=f"P{p}", quantity=100_000, expires=TODAY + dt.timedelta(days=n + 1), cost="1.00"
                ),
            )
    for code, skus in ITEMS.items():
        menu.add_menu_item(
            ctx,
            AddMenuItem(
                code=code,
                name=f"Item {code}",
                price="30",
                recipe=[{"sku": sku, "quantity": "0.5"} for sku in skus],
            ),
        )
    modifiers.add_group(ctx, AddModifierGroup(code="SIZE", name="Size", max=1))
    modifiers.add_option(
        ctx, "SIZE", AddModifierOption(code="LARGE", name="Large", price="6", effect="scale", factor="1.5")
    )
    modifiers.add_group(ctx, AddModifierGroup(code="EXTRAS", name="Extras", max=2))
    modifiers.add_option(
        ctx,
        "EXTRAS",
        AddModifierOption(code="EXTRA", name="Extra", price="4", effect="add", product="P6", quantity="0.25"),
    )
    for code in ITEMS:
        modifiers.offer(ctx, code, OfferModifiers(groups=["SIZE", "EXTRAS"]))
    return ctx


def service_orders(ctx: Context, keys: list[str], mods: list[str] | None = None) -> float:
    order = PlaceOrder(
        lines=[{"code": code, "modifiers": mods or []} for code in ITEMS],
        payments=[{"method": "cash", "amount": "200"}],
    )
    start = time.perf_counter()
    for key in keys:
        place_order(ctx, key, order)
    return time.perf_counter() - start


def raw_orders(path: Path, keys: list[str]) -> float:
    """By hand: check the key, read prices and recipes, insert the order, its lines, one movement
    per ingredient (FEFO lot found with one indexed query), the payment, and mark it paid."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    today = TODAY.isoformat()
    start = time.perf_counter()
    for key in keys:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" ")
        conn.execute("BEGIN IMMEDIATE")
        assert conn.execute("SELECT id FROM orders WHERE idempotency_key = ?", (key,)).fetchone() is None
        items = []
        for code in ITEMS:
            item_id, name = conn.execute("SELECT id, name FROM menu_items WHERE code = ?", (code,)).fetchone()
            (price,) = conn.execute(
                "SELECT price FROM menu_prices WHERE menu_item_id = ? ORDER BY effective_at DESC, id DESC LIMIT 1",
                (item_id,),
            ).fetchone()
            recipe = conn.execute(
                "SELECT product_id, quantity FROM recipe_lines WHERE menu_item_id = ?", (item_id,)
            ).fetchall()
            items.append((item_id, name, price, recipe))
        total = sum(price for _, _, price, _ in items)
        order_id = conn.execute(
            "INSERT INTO orders (store_id, idempotency_key, request_hash, state, created_at, actor, note, gross, "
            "markdowns, line_discounts, order_discount, total, paid_at, business_date) "
            "VALUES (1, ?, '', 'paid', ?, 'bench', '', ?, 0, 0, 0, ?, ?, ?)",
            (key, now, total, total, now, today),
        ).lastrowid
        for n, (item_id, name, price, recipe) in enumerate(items, start=1):
            line_id = conn.execute(
                "INSERT INTO order_lines (store_id, order_id, line_no, menu_item_id, name, quantity, unit_price, note, "
                "gross, markdown, discount, net) VALUES (1, ?, ?, ?, ?, 1000, ?, '', ?, 0, 0, ?)",
                (order_id, n, item_id, name, price, price, price),
            ).lastrowid
            for product_id, quantity in recipe:
                lot_id, unit_cost = conn.execute(
                    "SELECT id, unit_cost FROM lots WHERE product_id = ? AND on_hand >= ? AND on_hand > 0 "
                    "AND effective_expiry >= ? ORDER BY effective_expiry, received_at, id LIMIT 1",
                    (product_id, quantity, today),
                ).fetchone()
                conn.execute(
                    "INSERT INTO movements (store_id, at, recorded_at, kind, lot_id, product_id, quantity, unit_cost, "
                    "reason, reference, actor, order_line_id) VALUES (1, ?, ?, 'sell', ?, ?, ?, ?, '', ?, 'bench', ?)",
                    (now, now, lot_id, product_id, -quantity, unit_cost, f"order #{order_id}", line_id),
                )
        conn.execute(
            "INSERT INTO payments (store_id, order_id, method, tendered, applied, change, at, business_date, actor) "
            "VALUES (1, ?, 'cash', 10000, ?, ?, ?, ?, 'bench')",
            (order_id, total, 10000 - total, now, today),
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(dir=args.dir))
    try:
        service_db, raw_db = directory / "service.db", directory / "raw.db"
        ctx = prepared(service_db)
        ctx.db.dispose()
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{service_db}{suffix}").exists():
                shutil.copyfile(f"{service_db}{suffix}", f"{raw_db}{suffix}")
        ctx = open_context(url=f"sqlite:///{service_db}", clock=FixedClock(NOW), actor="bench")
        service_orders(ctx, [f"warm-{n}" for n in range(30)])
        raw_orders(raw_db, [f"warm-{n}" for n in range(30)])
        service_orders(ctx, [f"warm-m-{n}" for n in range(30)], ["LARGE", "EXTRA"])
        rounds, per = 5, args.orders // 5
        service_s = modified_s = raw_s = 0.0
        for r in range(rounds):  # interleaved, so disk noise hits every side alike
            keys = [f"r{r}-{n}" for n in range(per)]
            service_s += service_orders(ctx, keys)
            modified_s += service_orders(ctx, [f"m{key}" for key in keys], ["LARGE", "EXTRA"])
            raw_s += raw_orders(raw_db, keys)
        total = rounds * per
        service, modified, raw = total / service_s, total / modified_s, total / raw_s
        print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}")
        print(
            f"paid 3-line orders (6 ingredients, 20 lots each): service layer {service:,.0f}/s, "
            f"raw sqlite3 {raw:,.0f}/s, ratio {service / raw:.2f}"
        )
        print(
            f"the same with two modifiers per line (9 ingredients, 6 modifiers): service layer "
            f"{modified:,.0f}/s, {modified / service:.2f} of plain, ratio to raw {modified / raw:.2f}"
        )
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
