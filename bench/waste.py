"""Waste benchmark (issue 12): par levels against the project's order suggestions, on one seeded stand.

Replays N days of a synthetic food stand (35 products by default: shelf lives of 1, 2, 3, 5, 7, 14
and 30+ days; steady, strongly weekly, intermittent, trending, noisy demand, some with a closed
weekday; seven suppliers with their own delivery weekdays, lead times, packs and minimum orders)
twice, on the same seeded demand draws:

(a) a fixed par level per product: at each order, order up to par (whole packs), counting the stock
    on hand and on order. Par = μC + z·√(μC), μ the product's true average daily demand over the
    replay (an owner who knows their sales), C the days an order must last (the lead time's days
    before it arrives plus the longest gap to the delivery after, that gap cut to the days a new
    lot stays good). One service factor z for every product, searched on a grid, the smallest
    whose overall stock-out rate is at or below (b)'s: a par at the same service, or better.
(b) the project's suggestions: `adapters.forecaster.forecast` on the sales seen so far (closed days
    and stock-out days given as None and filled by `fill_censored`), then `planning.order_quantity`
    at `critical_ratio(cost, price)` on the forecast of the days the delivery covers, less the
    usable stock (lots on hand and on order, minus what `expire_unsold` projects will expire unsold
    before those days are over, minus the demand expected before the delivery arrives), whole packs,
    and `meet_minimum` per supplier — the domain functions the product uses.

Each day: deliveries arrive as lots (expiry = arrival + shelf life, good through that date); the day's
demand (Poisson or negative binomial around the true pattern) is served FEFO by `domain.fefo.allocate`
from sellable lots; unmet demand is a stock-out; at the close, lots at their last good day with
stock left are wasted; then each supplier whose next delivery is a lead time away is ordered from.

    python bench/waste.py [--seed 12] [--days 180] [--products 35] [--method statsforecast]

Target: (b) wastes at least 30% less than (a), in units and in money, at no more stock-outs.
Quantities are integer thousandths, money integer cents, as in the domain.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from midnight.adapters.forecaster import forecast
from midnight.domain.fefo import allocate
from midnight.domain.forecasting import fill_censored, weekday_average
from midnight.domain.lot import LotView
from midnight.domain.planning import (
    DayDemand,
    Suggestion,
    critical_ratio,
    daily_demand,
    meet_minimum,
    suggest_order,
)
from midnight.domain.product import ExpiryKind
from midnight.domain.quantity import SCALE

START = dt.date(2027, 1, 4)  # a Monday: day d's weekday is d % 7 (day 0 is the first one counted)
WARMUP = 28  # days of sales history before day 0 (the last BURN_IN of them simulated, not counted)
BURN_IN = 7
HORIZON = 14
TREND_DAYS = 180  # a trend's slope is per this many days, whatever --days is
TARGET = 0.30
METHODS = ("statsforecast", "simple", "oracle")

MILD = (0.9, 0.85, 0.9, 1.0, 1.1, 1.25, 1.0)
STRONG = (0.6, 0.6, 0.7, 0.8, 1.2, 1.9, 1.6)
FLAT = (1.0,) * 7
# shape: weekday pattern, negative binomial dispersion k (None: Poisson), trend over TREND_DAYS
SHAPES: dict[str, tuple[tuple[float, ...], float | None, float]] = {
    "steady": (FLAT, None, 0.0),
    "weekly": (STRONG, 30.0, 0.0),
    "intermittent": (FLAT, 0.5, 0.0),
    "trend-up": (MILD, 20.0, 0.8),
    "trend-down": (MILD, 20.0, -0.5),
    "noisy": (MILD, 2.5, 0.0),
}


@dataclass(frozen=True)
class Supplier:
    name: str
    weekdays: frozenset[int]  # 0 = Monday
    lead: int  # an order placed at the close of day o arrives at the opening of day o + lead
    minimum: int  # cents, for an order placed at all

    def delivers(self, day: int) -> bool:
        return day % 7 in self.weekdays

    def next_delivery(self, after: int) -> int:
        return next(d for d in range(after + 1, after + 8) if self.delivers(d))

    def longest_gap(self) -> int:
        days = sorted(self.weekdays)
        return max((b - a) % 7 or 7 for a, b in zip(days, days[1:] + days[:1], strict=True))


SUPPLIERS = {
    s.name: s
    for s in (
        Supplier("Bakery", frozenset(range(7)), 1, 8_000),
        Supplier("Sushi", frozenset(range(6)), 1, 10_000),  # Mon-Sat
        Supplier("Kitchen", frozenset({1, 4, 5}), 1, 15_000),  # Tue/Fri/Sat
        Supplier("Greengrocer", frozenset({0, 2, 4}), 1, 20_000),  # Mon/Wed/Fri
        Supplier("Deli", frozenset({1, 3, 5}), 2, 15_000),  # Tue/Thu/Sat
        Supplier("Dairy", frozenset({0, 3}), 2, 30_000),  # Mon/Thu
        Supplier("Dry goods", frozenset({2}), 2, 50_000),  # Wednesdays
    )
}


@dataclass(frozen=True)
class Product:
    sku: str
    supplier: str
    shelf_life: int  # days: a lot received on day d is good through day d + shelf_life
    pack: int  # units a pack
    cost: int  # cents a unit
    price: int
    shape: str
    base: float  # units a day, before the weekday pattern and trend
    closed: int | None = None  # a weekday this product is not sold (its counter is shut)
    seed_index: int = 0

    def mean(self, day: int) -> float:
        """The true expected demand on `day` (units)."""
        if self.closed is not None and day % 7 == self.closed:
            return 0.0
        week, _, slope = SHAPES[self.shape]
        return self.base * week[day % 7] * max(0.2, 1 + slope * day / TREND_DAYS)

    def sd(self, day: int) -> float:
        mean = self.mean(day)
        k = SHAPES[self.shape][1]
        return math.sqrt(mean + (mean * mean / k if k else 0.0))

    @property
    def band(self) -> str:
        return f"{self.shelf_life} d" if self.shelf_life < 30 else "30+ d"


# sku, supplier, shelf life, pack, cost, price, shape, units a day, closed weekday
CATALOGUE: list[tuple[str, str, int, int, int, int, str, float, int | None]] = [
    ("ROLL bread roll", "Bakery", 1, 6, 250, 800, "weekly", 18, None),
    ("CROI croissant", "Bakery", 1, 6, 400, 1500, "weekly", 12, None),
    ("BAGU baguette", "Bakery", 1, 4, 600, 1800, "steady", 6, None),
    ("SUSH sushi box", "Sushi", 1, 4, 1800, 4800, "weekly", 8, None),
    ("ONIG onigiri", "Sushi", 1, 6, 700, 1800, "noisy", 10, None),
    ("DUMP dumpling tray", "Sushi", 1, 2, 1500, 3800, "intermittent", 0.8, None),
    ("EGGS egg sandwich", "Kitchen", 2, 6, 600, 2200, "weekly", 14, 6),
    ("HAMS ham sandwich", "Kitchen", 2, 6, 700, 2400, "steady", 10, 6),
    ("SALB salad bowl", "Kitchen", 2, 4, 1200, 3800, "trend-up", 5, 6),
    ("MUFF muffin", "Bakery", 2, 6, 350, 1400, "noisy", 8, None),
    ("CHIK roast chicken", "Deli", 2, 2, 2500, 5200, "intermittent", 1.2, None),
    ("FRUC fruit cup", "Greengrocer", 2, 6, 800, 2500, "weekly", 7, None),
    ("SOUR sourdough loaf", "Bakery", 3, 2, 1500, 4200, "steady", 4, None),
    ("BERR berries", "Greengrocer", 3, 6, 1800, 3800, "weekly", 6, None),
    ("LEAF salad leaves", "Greengrocer", 3, 6, 900, 2200, "trend-down", 8, None),
    ("QUIC quiche", "Deli", 3, 2, 2000, 4500, "steady", 3, 0),
    ("JUIC fresh juice", "Kitchen", 3, 6, 900, 2800, "noisy", 9, 6),
    ("BANA banana", "Greengrocer", 5, 12, 200, 600, "steady", 20, None),
    ("HAMP ham slices", "Deli", 5, 4, 1600, 3500, "weekly", 4, None),
    ("PAST fresh pasta", "Deli", 5, 4, 1400, 3200, "intermittent", 1.5, None),
    ("NOOF fresh noodles", "Dairy", 5, 6, 600, 1500, "trend-up", 6, None),
    ("MILK milk 1 l", "Dairy", 7, 12, 1100, 2400, "steady", 15, None),
    ("TOMA tomatoes", "Greengrocer", 7, 10, 700, 1800, "weekly", 7, None),
    ("HUMM hummus", "Deli", 7, 6, 1200, 2800, "noisy", 4, 0),
    ("CREA cream", "Dairy", 7, 6, 1300, 2800, "intermittent", 0.7, None),
    ("YOGH yoghurt", "Dairy", 14, 12, 500, 1300, "weekly", 10, None),
    ("APPL apple", "Greengrocer", 14, 20, 300, 800, "steady", 12, None),
    ("EGGB eggs, box of 6", "Dairy", 14, 10, 1500, 3000, "trend-down", 5, None),
    ("CHES cheddar", "Dairy", 30, 6, 3000, 5800, "steady", 2, None),
    ("BUTT butter", "Dairy", 45, 12, 2000, 3600, "intermittent", 0.9, None),
    ("CRIS crisps", "Dry goods", 180, 24, 400, 1200, "weekly", 14, None),
    ("CHOC chocolate bar", "Dry goods", 270, 24, 500, 1200, "noisy", 9, None),
    ("NOOD instant noodles", "Dry goods", 365, 30, 350, 1000, "steady", 6, None),
    ("COLA soft drink", "Dry goods", 365, 24, 350, 1000, "trend-up", 18, None),
    ("NUTS nuts", "Dry goods", 120, 12, 900, 2200, "intermittent", 0.6, None),
]


def shop(products: int) -> list[Product]:
    """`products` products: the catalogue, spread evenly when fewer, repeated (other sizes) when more."""
    if products <= 0:
        raise ValueError("at least one product")
    n = len(CATALOGUE)
    picks = [i * n // products for i in range(products)] if products <= n else list(range(products))
    found = []
    for index in picks:
        name, supplier, life, pack, cost, price, shape, base, closed = CATALOGUE[index % n]
        copy = index // n
        sku = name.split()[0] + (f"{copy}" if copy else "")
        scale = 1.0 if not copy else 0.5 + (index * 37 % 100) / 100  # a copy sells 0.5x to 1.5x
        found.append(Product(sku, supplier, life, pack, cost, price, shape, base * scale, closed, index))
    return found


def demand_draws(products: Sequence[Product], days: int, seed: int) -> dict[str, list[int]]:
    """Units demanded per product per day, days -WARMUP .. days-1 (index d + WARMUP); 0 when closed.

    Each product draws from its own stream (seed, its catalogue index), so a product's demand does not
    depend on which others are in the run, and a longer run starts with the same days.
    """
    found = {}
    for p in products:
        rng = np.random.default_rng([seed, p.seed_index])
        k = SHAPES[p.shape][1]
        units = []
        for day in range(-WARMUP, days):
            mean = p.mean(day)
            if k is not None and mean > 0:
                mean = float(rng.gamma(k, mean / k))
            units.append(int(rng.poisson(mean)) if mean > 0 else 0)
        found[p.sku] = units
    return found


# ---- the stand, one product's stock --------------------------------------------------------------


@dataclass
class Lot:
    id: int
    on_hand: int  # milli
    expiry: dt.date
    received_at: dt.datetime

    def view(self) -> LotView:
        return LotView(self.id, self.on_hand, self.expiry, self.received_at, ExpiryKind.USE_BY)


def date_of(day: int) -> dt.date:
    return START + dt.timedelta(days=day)


def received_on(day: int) -> dt.datetime:
    return dt.datetime.combine(date_of(day), dt.time(6), tzinfo=dt.UTC)


@dataclass
class Tally:
    """One product's counts over the counted days (day 0 on). Milli-units and cents."""

    opening: int = 0  # on hand at the opening of day 0
    received: int = 0
    sold: int = 0
    wasted: int = 0
    closing: int = 0  # on hand after the last day
    demand: int = 0
    short: int = 0
    short_days: int = 0
    open_days: int = 0
    waste_cost: int = 0
    sales: int = 0
    orders: int = 0


@dataclass
class Stock:
    product: Product
    history: list[float | None]  # units sold a day, None when closed or out of stock; oldest first
    lots: list[Lot] = field(default_factory=list)
    pending: dict[int, int] = field(default_factory=dict)  # arrival day -> milli ordered
    next_id: int = 1
    tally: Tally = field(default_factory=Tally)

    def on_hand(self) -> int:
        return sum(lot.on_hand for lot in self.lots)


def cents(milli: int, per_unit: int) -> int:
    value, rest = divmod(milli * per_unit, SCALE)
    if rest:
        raise ValueError("a part-unit in a money total")  # never: the stand trades whole units
    return value


# A policy: given the day whose close it is and the stocks of one supplier's products due an order,
# the packs to order of each (before the supplier's minimum).
Policy = Callable[[int, Supplier, Sequence[Stock]], list[int]]


@dataclass
class Run:
    stocks: dict[str, Stock]
    seconds: float = 0.0
    methods: dict[str, int] = field(default_factory=dict)


def simulate(
    products: Sequence[Product],
    demand: dict[str, list[int]],
    days: int,
    policy: Policy,
    prepare: Callable[[int, Sequence[Stock]], None] | None = None,
) -> Run:
    """Replay the stand under `policy`; `prepare(day, stocks)` runs once before a day's orders."""
    started = time.perf_counter()
    stocks: dict[str, Stock] = {}
    for p in products:
        seen = demand[p.sku][: WARMUP - BURN_IN]  # the till's history from before: every sale seen
        history: list[float | None] = [
            None if p.mean(d - WARMUP) == 0 else float(u) for d, u in enumerate(seen)
        ]
        stocks[p.sku] = Stock(p, history)
    by_supplier = {name: [stocks[p.sku] for p in products if p.supplier == name] for name in SUPPLIERS}
    for day in range(-BURN_IN, days):
        counted = day >= 0
        today = date_of(day)
        for s in stocks.values():
            p, t = s.product, s.tally
            if day == 0:
                t.opening = s.on_hand()
            arriving = s.pending.pop(day, 0)
            if arriving:
                expiry = date_of(day + p.shelf_life)
                s.lots.append(Lot(s.next_id, arriving, expiry, received_on(day)))
                s.next_id += 1
                t.received += arriving if counted else 0
            wanted = demand[p.sku][day + WARMUP] * SCALE
            if p.mean(day) == 0:  # closed: nothing sold, and the day says nothing about demand
                s.history.append(None)
            else:
                available = sum(lot.on_hand for lot in s.lots if lot.expiry >= today)
                sold = min(wanted, available)
                if sold:
                    by_id = {lot.id: lot for lot in s.lots}
                    for draw in allocate(p.sku, [lot.view() for lot in s.lots], sold, today):
                        by_id[draw.lot_id].on_hand -= draw.quantity
                short = wanted - sold
                s.history.append(None if short else sold / SCALE)
                if counted:
                    t.open_days += 1
                    t.demand += wanted
                    t.sold += sold
                    t.sales += cents(sold, p.price)
                    t.short += short
                    t.short_days += 1 if short else 0
            for lot in s.lots:  # the close: a lot at its last good day with stock left is waste
                if lot.expiry <= today and lot.on_hand and counted:
                    t.wasted += lot.on_hand
                    t.waste_cost += cents(lot.on_hand, p.cost)
            s.lots = [lot for lot in s.lots if lot.expiry > today and lot.on_hand]
        due = [
            sup
            for sup in SUPPLIERS.values()
            if sup.delivers(day + sup.lead) and day + sup.lead < days and by_supplier[sup.name]
        ]
        if prepare is not None and due:
            prepare(day, [s for sup in due for s in by_supplier[sup.name]])
        for sup in due:
            lines = by_supplier[sup.name]
            packs = meet_minimum(
                policy(day, sup, lines), [s.product.pack * s.product.cost for s in lines], sup.minimum
            )
            for s, n in zip(lines, packs, strict=True):
                if n:
                    s.pending[day + sup.lead] = n * s.product.pack * SCALE
                    s.tally.orders += 1 if day >= 0 else 0
    for s in stocks.values():
        s.tally.closing = s.on_hand()
    return Run(stocks, time.perf_counter() - started)


# ---- (a) par levels -------------------------------------------------------------------------------


def par_cover_days(p: Product) -> int:
    """The days an order must last: the lead time's days before it arrives, then until the next
    delivery, that gap cut to the days a new lot is good (arrival day and shelf life after it)."""
    sup = SUPPLIERS[p.supplier]
    return sup.lead - 1 + min(sup.longest_gap(), p.shelf_life + 1)


def par_levels(products: Sequence[Product], days: int, z: float) -> dict[str, int]:
    """Par per product (milli, whole units): μC + z·√(μC), μ the true average daily demand."""
    found = {}
    for p in products:
        mu = sum(p.mean(d) for d in range(days)) / days * par_cover_days(p)
        found[p.sku] = max(0, math.ceil(mu + z * math.sqrt(mu))) * SCALE
    return found


def par_policy(par: dict[str, int]) -> Policy:
    def order(day: int, sup: Supplier, lines: Sequence[Stock]) -> list[int]:
        packs = []
        for s in lines:
            position = s.on_hand() + sum(s.pending.values())
            short = max(0, par[s.product.sku] - position)
            packs.append(-(-short // (s.product.pack * SCALE)))
        return packs

    return order


# ---- (b) the project's suggestions ---------------------------------------------------------------


class Suggestions:
    """Forecast then `order_quantity` per product; `prepare` forecasts a day's due products at once."""

    def __init__(self, method: str, jobs: int) -> None:
        self.method, self.jobs = method, jobs
        self.daily: dict[str, list[DayDemand]] = {}  # per sku, from the day after the close on
        self.methods: dict[str, int] = {}
        self.forecast_seconds = 0.0

    def prepare(self, day: int, stocks: Sequence[Stock]) -> None:
        started = time.perf_counter()
        self.daily = {}
        if self.method == "oracle":  # diagnosis only: the true mean and spread, no forecast error
            for s in stocks:
                p = s.product
                self.daily[p.sku] = [
                    DayDemand(p.mean(d) * SCALE, p.sd(d) * SCALE) for d in range(day + 1, day + 1 + HORIZON)
                ]
            return
        filled = {s.product.sku: fill_censored(s.history) for s in stocks}
        if self.method == "simple":
            means = {sku: weekday_average(ys, HORIZON) for sku, ys in filled.items()}
            highs: dict[str, list[float] | None] = dict.fromkeys(means)
            self.methods["WeekdayAverage"] = self.methods.get("WeekdayAverage", 0) + len(means)
        else:
            result = forecast(filled, HORIZON, jobs=self.jobs)
            means = {sku: f.mean for sku, f in result.items()}
            highs = {sku: f.high for sku, f in result.items()}
            for f in result.values():
                self.methods[f.method] = self.methods.get(f.method, 0) + 1
        for s in stocks:
            p = s.product
            # a day the product is not sold is known ahead: no demand, whatever the model says
            selling = [p.mean(day + 1 + i) != 0 for i in range(len(means[p.sku]))]
            self.daily[p.sku] = daily_demand(means[p.sku], highs[p.sku], selling)
        self.forecast_seconds += time.perf_counter() - started

    def order(self, day: int, sup: Supplier, lines: Sequence[Stock]) -> list[int]:
        return [suggest(s, self.daily[s.product.sku], day, sup).packs for s in lines]


def suggest(s: Stock, daily: Sequence[DayDemand], day: int, sup: Supplier) -> Suggestion:
    """The product's suggestion for the delivery arriving `sup.lead` days after the close of `day`.

    `daily[i]` is the forecast for day + 1 + i. The delivery covers its arrival day up to the next
    delivery (cut by order_quantity to the shelf life). Usable: the lots on hand and on order less
    what expire_unsold projects will be left at the end of their last good day up to the end of the
    covered days, less the demand expected before the delivery arrives.
    """
    p = s.product
    arrival = day + sup.lead
    lots = [lot.view() for lot in s.lots]
    lots += [
        LotView(-arrives, milli, date_of(arrives + p.shelf_life), received_on(arrives), ExpiryKind.USE_BY)
        for arrives, milli in s.pending.items()
        if arrives < arrival
    ]
    return suggest_order(
        lots,
        daily,
        date_of(day + 1),
        arrives=date_of(arrival),
        lasts_until=date_of(sup.next_delivery(arrival)),
        pack_size=p.pack * SCALE,
        shelf_life_days=p.shelf_life,
        ratio=critical_ratio(p.cost, p.price),
    )


# ---- the comparison -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    products: int
    wasted: int  # milli
    waste_cost: int  # cents
    demand: int
    short: int
    short_days: int
    open_days: int
    sales: int

    @property
    def short_rate(self) -> float:
        return self.short / self.demand if self.demand else 0.0


def totals(stocks: Sequence[Stock]) -> Totals:
    ts = [s.tally for s in stocks]
    return Totals(
        len(ts),
        sum(t.wasted for t in ts),
        sum(t.waste_cost for t in ts),
        sum(t.demand for t in ts),
        sum(t.short for t in ts),
        sum(t.short_days for t in ts),
        sum(t.open_days for t in ts),
        sum(t.sales for t in ts),
    )


def run_suggestions(
    products: Sequence[Product], demand: dict[str, list[int]], days: int, method: str, jobs: int
) -> tuple[Run, Suggestions]:
    planner = Suggestions(method, jobs)
    run = simulate(products, demand, days, planner.order, planner.prepare)
    run.methods = planner.methods
    return run, planner


def tune_par(
    products: Sequence[Product], demand: dict[str, list[int]], days: int, ceiling: float
) -> tuple[float, Run, list[tuple[float, Totals]]]:
    """The smallest z on a 0.05 grid (-1 to 6) whose overall stock-out rate is at most `ceiling`."""
    tried: list[tuple[float, Totals]] = []
    for step in range(-20, 121):
        z = step / 20
        run = simulate(products, demand, days, par_policy(par_levels(products, days, z)))
        t = totals(list(run.stocks.values()))
        tried.append((z, t))
        if t.short_rate <= ceiling:
            return z, run, tried
    return z, run, tried  # never reached: the last (highest) z is reported, and said so


def money(c: int) -> str:
    return f"{c // 100:,}.{c % 100:02d}"


def units(milli: int) -> str:
    return f"{milli // SCALE:,}" if milli % SCALE == 0 else f"{milli / SCALE:,.3f}"


def reduction(a: int, b: int) -> float | None:
    return 1 - b / a if a else None


def report(a: Totals, b: Totals, z: float) -> list[str]:
    def row(name: str, x: str, y: str, note: str = "") -> str:
        return f"  {name:<26}{x:>18}{y:>18}  {note}"

    less_units, less_money = reduction(a.wasted, b.wasted), reduction(a.waste_cost, b.waste_cost)
    return [
        row("", f"(a) par, z={z:.2f}", "(b) suggestions", "b vs a"),
        row("waste, units", units(a.wasted), units(b.wasted), f"{_less(less_units)}"),
        row("waste, HK$ at cost", money(a.waste_cost), money(b.waste_cost), f"{_less(less_money)}"),
        row("stock-out, units", units(a.short), units(b.short)),
        row("stock-out rate (units)", f"{a.short_rate:.2%}", f"{b.short_rate:.2%}"),
        row(
            "stock-out product-days",
            f"{a.short_days:,} / {a.open_days:,}",
            f"{b.short_days:,} / {b.open_days:,}",
        ),
        row("sold, HK$", money(a.sales), money(b.sales), _delta(a.sales, b.sales)),
        row("demand, units", units(a.demand), units(b.demand)),
    ]


def _less(x: float | None) -> str:
    return "n/a" if x is None else (f"{x:.0%} less" if x >= 0 else f"{-x:.0%} more")


def _delta(a: int, b: int) -> str:
    return "" if not a else f"{(b - a) / a:+.1%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--products", type=int, default=len(CATALOGUE))
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="statsforecast",
        help="(b)'s forecast: the adapter (default), the simple method alone, or the true demand (diagnosis)",
    )
    parser.add_argument("--per-product", action="store_true", help="and a line per product")
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="cores for statsforecast (default 1: a day's forecast is ~15 short series, and a pool of 2 "
        "cost more than it saved, 16.5 s against 9.4 s over 40 days)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    products = shop(args.products)
    demand = demand_draws(products, args.days, args.seed)

    b_run, planner = run_suggestions(products, demand, args.days, args.method, args.jobs)
    b = totals(list(b_run.stocks.values()))
    tuning = time.perf_counter()
    z, a_run, tried = tune_par(products, demand, args.days, b.short_rate)
    tuning = time.perf_counter() - tuning
    a = totals(list(a_run.stocks.values()))
    elapsed = time.perf_counter() - started

    print(
        f"Waste: par levels vs suggestions — {len(products)} products x {args.days} days, seed {args.seed}, "
        f"forecast {args.method}"
    )
    print(
        "(b) forecast on the sales seen so far (closed and stock-out days censored) -> order_quantity at "
        "critical_ratio(cost, price), usable stock after expire_unsold, whole packs, meet_minimum"
    )
    print(
        f"    {b_run.seconds:.1f} s, of which forecasting {planner.forecast_seconds:.1f} s"
        + (
            f"; models chosen (product-orders): {dict(sorted(b_run.methods.items()))}"
            if b_run.methods
            else ""
        )
    )
    reached = a.short_rate <= b.short_rate
    print(
        "(a) par per product = μC + z·√(μC): μ its true average daily demand, C the days an order must "
        "last (lead time + longest gap to the next delivery, the gap cut to the days a lot is good)"
    )
    print(
        f"    tuning: one z for all products, searched from -1.00 up in steps "
        f"of 0.05 ({len(tried)} replays, {tuning:.1f} s), "
        f"stopping at the first whose stock-out rate ≤ (b)'s {b.short_rate:.2%}: "
        + (f"z = {z:.2f}" if reached else f"NOT reached by z = {z:.2f}")
    )
    if len(tried) > 1:
        prev_z, prev = tried[-2]
        print(
            f"    (z = {prev_z:.2f} had {prev.short_rate:.2%} stock-outs and {units(prev.wasted)} units wasted)"
        )
    print()
    for line in report(a, b, z):
        print(line)
    print()
    bands = sorted({p.band for p in products}, key=lambda x: (len(x), x))
    print(
        f"  {'shelf life':<11}{'products':>9}{'waste a':>10}{'waste b':>10}{'units':>11}"
        f"{'HK$ a':>11}{'HK$ b':>11}{'money':>11}{'stock-outs a':>14}{'b':>8}"
    )
    for band in bands:
        ta = totals([s for s in a_run.stocks.values() if s.product.band == band])
        tb = totals([s for s in b_run.stocks.values() if s.product.band == band])
        print(
            f"  {band:<11}{ta.products:>9}{units(ta.wasted):>10}{units(tb.wasted):>10}"
            f"{_less(reduction(ta.wasted, tb.wasted)):>11}{money(ta.waste_cost):>11}{money(tb.waste_cost):>11}"
            f"{_less(reduction(ta.waste_cost, tb.waste_cost)):>11}{ta.short_rate:>14.2%}{tb.short_rate:>8.2%}"
        )
    print()
    less_units, less_money = reduction(a.wasted, b.wasted), reduction(a.waste_cost, b.waste_cost)
    met = (
        reached
        and less_units is not None
        and less_money is not None
        and min(less_units, less_money) >= TARGET
    )
    print(
        f"target: ≥ {TARGET:.0%} less waste (units and money) than a par at the same or fewer stock-outs: "
        f"{'met' if met else 'NOT met'} ({_less(less_units)} in units, {_less(less_money)} in money)"
    )
    print(f"whole bench: {elapsed:.1f} s")
    if args.per_product:
        print()
        print(
            f"  {'product':<8}{'band':>6}{'demand':>8}{'waste a':>9}{'b':>7}{'short a':>9}{'b':>7}{'orders a':>10}{'b':>5}"
        )
        for p in products:
            ta, tb = a_run.stocks[p.sku].tally, b_run.stocks[p.sku].tally
            print(
                f"  {p.sku:<8}{p.band:>6}{units(ta.demand):>8}{units(ta.wasted):>9}{units(tb.wasted):>7}"
                f"{units(ta.short):>9}{units(tb.short):>7}{ta.orders:>10}{tb.orders:>5}"
            )


if __name__ == "__main__":
    main()
