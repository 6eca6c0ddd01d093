"""Forecast and order-suggestion benchmark (issue 12): 1,000 products x 2 years of daily history.

Builds seeded daily sales (weekly pattern, noise, a closed day, stock-outs) for N products, then
times, in this one process: the baseline (seasonal-naive for every product), the full forecast
(censored days filled, statsforecast with a model chosen per product by a 28-day backtest) and a
newsvendor suggestion per product. It prints seconds and the ratio of the full run to the baseline.
Target: forecast + suggestions for 1,000 products x 730 days under 30 s on 2 cores.

    python bench/forecast.py [--products 1000] [--days 730]

This times the maths from in-memory series; reading the series from the ledger is not in it yet.
"""

from __future__ import annotations

import argparse
import random
import time

from midnight.adapters.forecaster import forecast
from midnight.domain.forecasting import fill_censored, seasonal_naive
from midnight.domain.planning import DayDemand, critical_ratio, order_quantity

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--jobs", type=int, default=2, help="cores for statsforecast (default 2)")
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


if __name__ == "__main__":
    main()
