"""Ledger benchmark: prints ratios against baselines measured in the same run.

(a) Sales per second through the service layer (FEFO over 20 lots per product), against the
    same sales written by hand with minimal sqlite3 SQL, one transaction each, same pragmas.
(b) The expiry board on 1,000,000 lots (1% still holding stock, as in a shop's long history),
    against a full scan of the lots table.

    python bench/ledger.py [--sales 2000] [--lots 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from midnight.commands.catalog import AddProduct, BoardQuery
from midnight.commands.stock import DrawStock, ReceiveLot
from midnight.domain.clock import FixedClock
from midnight.services import catalog, stock, views
from midnight.services.context import Context, open_context

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 25)
PRODUCTS = 20
LOTS_PER_PRODUCT = 20


def prepared_shop(path: Path) -> Context:
    ctx = open_context(url=f"sqlite:///{path}", clock=FixedClock(NOW), actor="bench")
    for p in range(PRODUCTS):
        catalog.add_product(
            ctx, AddProduct(sku=f"P{p:03d}", name=f"Product {p}", expiry_kind="use_by", shelf_life_days=30)
        )
        for n in range(LOTS_PER_PRODUCT):
            # a few lots already past use-by, which FEFO must skip
            expires = TODAY + dt.timedelta(days=n - 2)
            received = min(TODAY, expires)
            stock.receive(
                ctx,
                ReceiveLot(
                    sku=f"P{p:03d}", quantity=100_000, expires=expires, received=received, cost="1.00"
                ),
            )
    return ctx


def service_sales(ctx: Context, skus: list[str]) -> float:
    start = time.perf_counter()
    for sku in skus:
        stock.sell(ctx, DrawStock(sku=sku, quantity=1))
    return len(skus) / (time.perf_counter() - start)


def raw_sales(path: Path, skus: list[str]) -> float:
    """The least a correct FEFO sale can do: find the lot, append the movement.

    The schema's trigger updates the lot's on-hand for both sides alike.
    """
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    today = TODAY.isoformat()
    start = time.perf_counter()
    for sku in skus:
        conn.execute("BEGIN IMMEDIATE")
        (product_id,) = conn.execute("SELECT id FROM products WHERE sku = ?", (sku,)).fetchone()
        lot_id, unit_cost = conn.execute(
            "SELECT id, unit_cost FROM lots WHERE product_id = ? AND on_hand >= 1000 AND effective_expiry >= ? "
            "ORDER BY effective_expiry, received_at, id LIMIT 1",
            (product_id, today),
        ).fetchone()
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" ")
        conn.execute(
            "INSERT INTO movements (store_id, at, recorded_at, kind, lot_id, product_id, quantity, unit_cost, "
            "reason, reference, actor) VALUES (1, ?, ?, 'sell', ?, ?, -1000, ?, '', '', 'bench')",
            (now, now, lot_id, product_id, unit_cost),
        )
        conn.execute("COMMIT")
    rate = len(skus) / (time.perf_counter() - start)
    conn.close()
    return rate


def bench_sales(directory: Path, sales: int) -> None:
    service_db, raw_db = directory / "service.db", directory / "raw.db"
    ctx = prepared_shop(service_db)
    ctx.db.dispose()
    shutil.copyfile(service_db, raw_db)
    for suffix in ("-wal", "-shm"):
        if Path(f"{service_db}{suffix}").exists():
            shutil.copyfile(f"{service_db}{suffix}", f"{raw_db}{suffix}")
    ctx = open_context(url=f"sqlite:///{service_db}", clock=FixedClock(NOW), actor="bench")
    rng = random.Random(7)
    skus = [f"P{rng.randrange(PRODUCTS):03d}" for _ in range(sales)]
    service_sales(ctx, skus[:50])  # warm caches on both sides
    raw_sales(raw_db, skus[:50])
    # Interleaved rounds, so a slow patch of the disk's fsync hits both sides alike.
    rounds = 5
    chunk = len(skus) // rounds
    service_s = raw_s = 0.0
    for r in range(rounds):
        part = skus[r * chunk : (r + 1) * chunk]
        service_s += len(part) / service_sales(ctx, part)
        raw_s += len(part) / raw_sales(raw_db, part)
    service, raw = chunk * rounds / service_s, chunk * rounds / raw_s
    print(
        f"(a) sales: service layer {service:,.0f}/s, raw sqlite3 {raw:,.0f}/s, ratio {service / raw:.2f} (target >= 0.5)"
    )


def build_lots(path: Path, total: int) -> None:
    """`total` lots over three years; 1% still hold stock, as after years of trading."""
    ctx = open_context(url=f"sqlite:///{path}", clock=FixedClock(NOW), actor="bench")
    for p in range(PRODUCTS):
        catalog.add_product(
            ctx, AddProduct(sku=f"P{p:03d}", name=f"Product {p}", expiry_kind="use_by", shelf_life_days=30)
        )
    ctx.db.dispose()
    rng = random.Random(11)
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX ix_lots_board")  # built after the load, as a migration would
    conn.execute("DROP INDEX ix_lots_sellable")
    rows = []
    for n in range(total):
        live = n % 100 == 0
        expires = TODAY + dt.timedelta(days=rng.randint(-2, 180) if live else rng.randint(-1100, -1))
        received = dt.datetime.combine(expires - dt.timedelta(days=10), dt.time(4))
        rows.append(
            (
                n % PRODUCTS + 1,
                1,
                "",
                100,
                received.isoformat(" "),
                expires.isoformat(),
                expires.isoformat(),
                5000 if live else 0,
            )
        )
    conn.executemany(
        "INSERT INTO lots (store_id, product_id, location_id, supplier, unit_cost, received_at, expiry_date, "
        "effective_expiry, on_hand) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute("CREATE INDEX ix_lots_board ON lots (effective_expiry, received_at, id) WHERE on_hand > 0")
    conn.execute(
        "CREATE INDEX ix_lots_sellable ON lots (product_id, effective_expiry, received_at, id) WHERE on_hand > 0"
    )
    conn.commit()
    conn.close()


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def bench_board(directory: Path, total: int) -> None:
    path = directory / "board.db"
    build_lots(path, total)
    ctx = open_context(url=f"sqlite:///{path}", clock=FixedClock(NOW), actor="bench")
    board = views.expiring(ctx, BoardQuery(days=3, limit=1000)).items
    horizon = (TODAY + dt.timedelta(days=3)).isoformat()
    conn = sqlite3.connect(path)
    full_scan_sql = (
        "SELECT * FROM lots NOT INDEXED WHERE on_hand > 0 AND effective_expiry <= ? ORDER BY effective_expiry"
    )
    assert len(conn.execute(full_scan_sql, (horizon,)).fetchall()) == len(board)
    service_ms = timed(lambda: views.expiring(ctx, BoardQuery(days=3, limit=1000)), 30)
    scan_ms = timed(lambda: conn.execute(full_scan_sql, (horizon,)).fetchall(), 5)
    print(
        f"(b) expiry board on {total:,} lots ({len(board)} on the board): service layer {service_ms:.2f} ms, "
        f"full scan {scan_ms:.1f} ms, {scan_ms / service_ms:.0f}x faster (target < 5 ms)"
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sales", type=int, default=2000)
    parser.add_argument("--lots", type=int, default=1_000_000)
    parser.add_argument(
        "--dir", type=Path, default=None, help="where to put the databases (default: a temp dir)"
    )
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(dir=args.dir))
    try:
        print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, databases in {directory}")
        bench_sales(directory, args.sales)
        bench_board(directory, args.lots)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
