"""Forecasts of each product's daily demand, learned from the ledger, and how well each method does.

The ledger is read in a read transaction bounded by the window asked for (db/demand.py); censored
days — the shop closed, the product out of stock while it traded (domain/demand.py) — become
unknowns, filled from the same weekday (domain/forecasting.fill_censored); the statsforecast work
(adapters/forecaster.py) runs after the transaction, never inside one. Both read sales figures, so
both need the owner's reports permission.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection

from midnight.adapters import forecaster
from midnight.commands.forecasts import BACKTEST_DAYS, BacktestQuery, ForecastQuery
from midnight.db import catalog as catalog_db
from midnight.db import demand as demand_db
from midnight.db.paging import Page
from midnight.domain import demand
from midnight.domain.forecasting import WEEK, fill_censored, mase, seasonal_naive, wape
from midnight.domain.people import Permission
from midnight.domain.product import Product
from midnight.domain.quantity import SCALE, to_decimal
from midnight.services.context import Context

BASELINE = "SeasonalNaive"
CHOSEN = "Chosen"  # per product, the method the forecast would have used (chosen without the 28 days)
BACKTEST_PAGE = 100  # products read and fitted at a time (each page one bounded read)
Progress = Callable[[int, int], None]  # (products done, products in all)


@dataclass(frozen=True)
class DayForecast:
    date: dt.date
    mean: Decimal  # expected units that day (in the product's unit, to the thousandth)
    low: Decimal | None  # the 80% interval, when the method gives one
    high: Decimal | None


@dataclass(frozen=True)
class ProductForecast:
    sku: str
    name: str
    unit: str
    method: str  # the model chosen for this product (WeekdayAverage: too little history for one)
    history_days: int  # days of history learned from (from the first day the product was in stock)
    censored_days: int  # of those, days whose sales said nothing: closed_days + out_of_stock_days
    closed_days: int
    out_of_stock_days: int
    total: Decimal  # expected units over the days forecast
    days: list[DayForecast]


@dataclass(frozen=True)
class Score:
    method: str
    wape: float | None  # Σ|actual − forecast| / Σ actual (None: nothing sold on the days scored)
    mase: float | None  # mean error over seasonal-naive's in-sample error (below 1 beats it)
    products: int = 1  # overall: how many products the method was scored on


@dataclass(frozen=True)
class ProductBacktest:
    sku: str
    name: str
    chosen: str  # the method the forecast would have chosen, from the history before the 28 days
    history_days: int
    scored_days: int  # of the last 28, those not censored (a censored day has no actual to score)
    censored_days: int  # over the whole history
    scores: list[Score]  # seasonal-naive first; empty if there is too little history to test


@dataclass(frozen=True)
class Backtest:
    days: int  # the days forecast and scored: the last 28 of the history
    history_days: int  # the window read, ending yesterday
    baseline: str
    methods: list[str]
    products: list[ProductBacktest]
    overall: list[Score]  # WAPE pooled over every product's scored days; MASE the mean of theirs


def _read(
    ctx: Context, conn: Connection, products: Sequence[Product], today: dt.date, days: int
) -> dict[int, demand.History]:
    """Each product's demand over the `days` before today (one bounded read of the ledger)."""
    if not products:
        return {}
    first = today - dt.timedelta(days=days)
    read = demand_db.ledger(conn, [p.id for p in products], first, days, ctx.store.tz)
    return {p.id: demand.history(read.days[p.id], read.trading, read.on_hand_after[p.id]) for p in products}


def _units(history: demand.History) -> list[float]:
    """Milli-units to units, censored days filled from their weekday (estimates: floats from here)."""
    return fill_censored([None if v is None else v / SCALE for v in history.days])


def _milli(units: float) -> Decimal:
    return to_decimal(round(units * SCALE))


def forecast_products(ctx: Context, query: ForecastQuery) -> Page[ProductForecast]:
    """Each product's forecast from today on: a page of products by SKU, or the one asked for."""
    ctx.require(Permission.REPORTS)
    today = ctx.today()
    with ctx.db.read() as conn:
        if query.sku is not None:
            page: Page[Product] = Page([catalog_db.product_by_code(conn, query.sku)], None)
        else:
            page = catalog_db.products(conn, cursor=query.cursor, limit=query.limit)
        histories = _read(ctx, conn, page.items, today, query.days)
    # Outside the transaction: the models take far longer than the read. Always the adapter's 14
    # days (its conformal intervals are calibrated for exactly that many), cut to the horizon asked.
    result = forecaster.forecast({str(p.id): _units(histories[p.id]) for p in page.items}, forecaster.HORIZON)
    found = []
    for p in page.items:
        h, f = histories[p.id], result[str(p.id)]
        days = [
            DayForecast(
                today + dt.timedelta(days=i),
                _milli(m),
                _milli(f.low[i]) if f.low is not None else None,
                _milli(f.high[i]) if f.high is not None else None,
            )
            for i, m in enumerate(f.mean[: query.horizon])
        ]
        found.append(
            ProductForecast(
                sku=p.sku,
                name=p.name,
                unit=p.unit,
                method=f.method,
                history_days=len(h.days),
                censored_days=h.censored,
                closed_days=h.closed,
                out_of_stock_days=h.out_of_stock,
                total=sum((d.mean for d in days), Decimal(0)),
                days=days,
            )
        )
    return Page(found, page.next_cursor)


def _scored(test: Sequence[int | None], forecast: Sequence[float]) -> tuple[list[float], list[float]]:
    """The days of the test that have an actual (not censored), and the forecast for them."""
    pairs = [(a / SCALE, f) for a, f in zip(test, forecast, strict=True) if a is not None]
    return [a for a, _ in pairs], [f for _, f in pairs]


Errors = dict[str, tuple[float, float]]  # method -> (Σ|actual − forecast|, Σ actual) over scored days


def _product_backtest(
    p: Product, h: demand.History, fitted: forecaster.Candidates | None, train: list[float], errors: Errors
) -> ProductBacktest:
    """One product's scores on the last 28 days; its errors are added to `errors` for the overall."""
    if fitted is None:
        return ProductBacktest(p.sku, p.name, "", len(h.days), 0, h.censored, [])
    test = h.days[-BACKTEST_DAYS:]
    # The baseline is the domain's seasonal-naive (statsforecast's, among the candidates, is the same).
    methods = {BASELINE: seasonal_naive(train, BACKTEST_DAYS)}
    methods.update((name, mean) for name, mean in fitted.means.items() if name != BASELINE)
    methods[CHOSEN] = fitted.means[fitted.chosen]
    scores = []
    actual: list[float] = []
    for method, forecast in methods.items():
        actual, predicted = _scored(test, forecast)
        error, sold = errors.get(method, (0.0, 0.0))
        errors[method] = (
            error + sum(abs(a - f) for a, f in zip(actual, predicted, strict=True)),
            sold + sum(actual),
        )
        if actual:
            scores.append(Score(method, wape(actual, predicted), mase(actual, predicted, train)))
        else:
            scores.append(Score(method, None, None))
    return ProductBacktest(p.sku, p.name, fitted.chosen, len(h.days), len(actual), h.censored, scores)


def _overall(products: Sequence[ProductBacktest], errors: Errors, methods: list[str]) -> list[Score]:
    found = []
    for method in methods:
        scored = [s for pb in products for s in pb.scores if s.method == method]
        mases = [s.mase for s in scored if s.mase is not None]
        error, sold = errors.get(method, (0.0, 0.0))
        found.append(
            Score(
                method,
                error / sold if sold > 0 else None,
                sum(mases) / len(mases) if mases else None,
                len(scored),
            )
        )
    return found


def backtest(ctx: Context, query: BacktestQuery, progress: Progress | None = None) -> Backtest:
    """How each method would have forecast the last 28 days of each product, from the days before:
    WAPE and MASE per product and overall, seasonal-naive the baseline. A page of products is read
    (one bounded read) and fitted at a time, outside any transaction; `progress(done, total)` is
    called after each page."""
    ctx.require(Permission.REPORTS)
    today = ctx.today()
    products: list[ProductBacktest] = []
    errors: Errors = {}
    cursor: str | None = None
    while True:
        with ctx.db.read() as conn:
            if query.sku is not None:
                page: Page[Product] = Page([catalog_db.product_by_code(conn, query.sku)], None)
                total = 1
            else:
                page = catalog_db.products(conn, cursor=cursor, limit=BACKTEST_PAGE)
                total = demand_db.product_count(conn)
            histories = _read(ctx, conn, page.items, today, query.days)
        # Too short to hold out 28 days and keep a week to learn from: reported, not scored.
        trains = {
            p.id: _units(demand.History(histories[p.id].days[:-BACKTEST_DAYS], 0, 0))
            for p in page.items
            if len(histories[p.id].days) >= BACKTEST_DAYS + WEEK
        }
        fitted = forecaster.candidates({str(k): v for k, v in trains.items()}, BACKTEST_DAYS)
        for p in page.items:
            products.append(
                _product_backtest(p, histories[p.id], fitted.get(str(p.id)), trains.get(p.id, []), errors)
            )
        if progress is not None:
            progress(len(products), max(total, len(products)))
        cursor = page.next_cursor
        if cursor is None:
            break
    seen = dict.fromkeys(s.method for pb in products for s in pb.scores)  # in the order first met
    methods = [BASELINE, *(m for m in seen if m not in (BASELINE, CHOSEN)), CHOSEN]
    return Backtest(
        BACKTEST_DAYS, query.days, BASELINE, methods, products, _overall(products, errors, methods)
    )
