"""Forecast and order-suggestion benchmark (issue 12): 1,000 products x 2 years of daily history.

Builds seeded daily sales (weekly pattern, noise, a closed day, stock-outs) for N products, then
times, in this one process: the baseline (seasonal-naive for every product), the full forecast
(censored days filled, statsforecast with a model chosen per product by a 28-day backtest) and a
newsvendor suggestion per product. It prints seconds and the ratio of the full run to the baseline.
Target: forecast + suggestions for 1,000 products x 730 days under 30 s on 2 cores.

Then the ledger read: the same series written as a SQLite ledger (one delivery per product through
the stock service, back-dated to the first day, then each day's sales as `sell` movements by bulk
SQL, the rows the till writes), and the daily demand of every product over the forecast's window
(16 weeks + 28 days, ending yesterday) read back as the forecast service reads it (db/demand.py,
censored days found) — timed against the same baseline. The read is bounded by the window, not the
year of history written (`--ledger-days 730`: two years, the same read; writing them takes a minute).

    python bench/forecast.py [--products 1000] [--days 730] [--ledger-days 365 | --no-ledger]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select

from midnight.adapters.forecaster import forecast
from midnight.commands.catalog import AddProduct
from midnight.commands.forecasts import DEFAULT_HISTORY
from midnight.commands.stock import ReceiveLot
from midnight.db import demand as demand_db
from midnight.db import tables as t
from midnight.domain import demand
from midnight.domain.clock import FixedClock, start_of_day
from midnight.domain.forecasting import fill_censored, seasonal_naive
from midnight.domain.planning import DayDemand, critical_ratio, order_quantity
from midnight.services import catalog, stock
from midnight.services.context import Context, open_context
from midnight.settings import Settings

WEEK = [1.0, 0.8, 0.9, 1.0, 1.2, 1.6, 1.4]


def series(products: int, days: int, seed: int = 12) -> dict[str, list[float | None]]:
    rng = random.Random(seed)
    found: dict[str, list[float | None]] = {}
    for n in range(products):
        base = rng.choice([0.3, 2, 8, 25, 60]) * rng.uniform(0.7, 1.3)
        history: list[float | None] = [
            max(0.0, round(rng.gauss(base * WEEK[d % 7], base * 0.3))) for d in range(days)
        ]
        for _ in range(days // 90):  # a stock-out now and then
            start, length = rng.randrange(days - 3), rng.randint(1, 3)
            history[start : start + length] = [None] * length
        found[f"P{n:04d}"] = history
    return found


TODAY = dt.date(2026, 11, 25)


def _movement(at: dt.datetime, kind: str, lot_id: int, product_id: int, milli: int) -> dict[str, object]:
    return {
        "at": at,
        "recorded_at": at,
        "kind": kind,
        "lot_id": lot_id,
        "product_id": product_id,
        "quantity": milli,
        "unit_cost": 100,
        "reason": "",
        "reference": "",
        "actor": "bench",
    }


def seed_ledger(path: Path, raw: dict[str, list[float | None]], days: int) -> Context:
    """The last `days` of each series as a ledger: a back-dated delivery, then a sale each day at noon;
    a censored stretch of the series is a stock-out (counted to zero, and back when it ends)."""
    settings = Settings(sqlite_synchronous="NORMAL")  # durability is not what is measured
    clock = FixedClock(dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC))  # 10:00 in Hong Kong, TODAY
    ctx = open_context(settings, url=f"sqlite:///{path}", clock=clock, actor="bench")
    tz = ctx.store.tz
    first = TODAY - dt.timedelta(days=days)
    expires = TODAY + dt.timedelta(days=30)
    rows = []
    for sku, ys in raw.items():
        history = ys[-days:]
        product = catalog.add_product(
            ctx, AddProduct(sku=sku, name=f"Product {sku}", expiry_kind="best_before")
        )
        units = sum(round(y) for y in history if y is not None) + 10
        lot = stock.receive(
            ctx, ReceiveLot(sku=sku, quantity=units, cost="1", received=first, expires=expires)
        ).lot
        held, away = units * 1000, 0
        for n, y in enumerate(history):
            noon = start_of_day(first + dt.timedelta(days=n), tz) + dt.timedelta(hours=12)
            if y is None and not away:  # a stock-out: counted to zero before opening, found again after
                away, held = held, 0
                rows.append(_movement(noon - dt.timedelta(hours=11), "adjust", lot.id, product.id, -away))
            elif y is not None and away:
                rows.append(_movement(noon - dt.timedelta(hours=11), "adjust", lot.id, product.id, away))
                held, away = held + away, 0
            if y:
                rows.append(_movement(noon, "sell", lot.id, product.id, -round(y) * 1000))
                held -= round(y) * 1000
    with ctx.db.write() as conn:
        conn.execute(insert(t.movements), rows)
    return ctx


def read_ledger(ctx: Context) -> tuple[int, int]:
    """Every product's demand over the forecast's window, as the service reads it: (products, censored days)."""
    today, tz = ctx.clock.now().astimezone(ctx.store.tz).date(), ctx.store.tz
    with ctx.db.read() as conn:
        ids = [int(i) for i in conn.execute(select(t.products.c.id).order_by(t.products.c.sku)).scalars()]
        read = demand_db.ledger(conn, ids, today - dt.timedelta(days=DEFAULT_HISTORY), DEFAULT_HISTORY, tz)
    histories = [demand.history(read.days[i], read.trading, read.on_hand_after[i]) for i in ids]
    return len(histories), sum(h.censored for h in histories)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--jobs", type=int, default=2, help="cores for statsforecast (default 2)")
    parser.add_argument(
        "--ledger-days", type=int, default=365, help="days of history in the ledger (default 365)"
    )
    parser.add_argument("--no-ledger", action="store_true", help="time the maths only")
    args = parser.parse_args()
    raw = series(args.products, args.days)

    started = time.perf_counter()
    baseline = {key: seasonal_naive(fill_censored(ys), 14) for key, ys in raw.items()}
    base_s = time.perf_counter() - started

    started = time.perf_counter()
    filled = {key: fill_censored(ys) for key, ys in raw.items()}
    result = forecast(filled, jobs=args.jobs)
    ratio = critical_ratio(600, 1800)
    suggested = 0
    for f in result.values():
        spread = (
            [(hi - lo) / 2.56 for lo, hi in zip(f.low, f.high, strict=True)] if f.low and f.high else None
        )
        days = [DayDemand(m * 1000, (spread[i] * 1000) if spread else 0.0) for i, m in enumerate(f.mean[:4])]
        suggested += order_quantity(
            days, usable_stock=0, pack_size=6000, shelf_life_days=3, ratio=ratio
        ).packs
    full_s = time.perf_counter() - started
    methods: dict[str, int] = {}
    for f in result.values():
        methods[f.method] = methods.get(f.method, 0) + 1
    print(f"{args.products} products x {args.days} days")
    print(f"baseline seasonal-naive: {base_s:.2f} s ({len(baseline)} forecasts)")
    print(
        f"forecast + suggestions:  {full_s:.2f} s ({suggested} packs suggested) -> ratio {full_s / base_s:.0f}x"
    )
    print(f"target < 30 s: {'met' if full_s < 30 else 'NOT met'}; models chosen: {methods}")
    if args.no_ledger:
        return
    with tempfile.TemporaryDirectory() as directory:
        ledger_days = min(args.ledger_days, args.days)
        started = time.perf_counter()
        ctx = seed_ledger(Path(directory) / "ledger.db", raw, ledger_days)
        seed_s = time.perf_counter() - started
        with ctx.db.read() as conn:
            movements = int(conn.execute(select(func.count()).select_from(t.movements)).scalar_one())
        read_ledger(ctx)  # warm: the first read also pays for opening the file and SQLAlchemy's caches
        started = time.perf_counter()
        products, censored = read_ledger(ctx)
        read_s = time.perf_counter() - started
        ctx.db.dispose()
    print(f"ledger: {movements} movements over {ledger_days} days, written in {seed_s:.1f} s")
    print(
        f"ledger read, {products} products x {DEFAULT_HISTORY} days ({censored} days censored): "
        f"{read_s:.2f} s -> ratio {read_s / base_s:.0f}x the baseline, {read_s / full_s:.0%} of the forecast"
    )


if __name__ == "__main__":
    main()
