"""Forecasts from the ledger, on SQLite and PostgreSQL: a seeded shop with known demand recorded
through the real services (deliveries received, sales and kitchen use drawn FEFO, till orders with a
recipe, a refund) on a clock moved day by day; the censored days found from the ledger; the chosen
model against seasonal-naive; a backtest small enough to check by hand."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import event

from midnight.commands import build
from midnight.commands.catalog import AddProduct
from midnight.commands.forecasts import BacktestQuery, ForecastQuery
from midnight.commands.stock import DrawStock, ReceiveLot
from midnight.commands.till import PlaceOrder, RefundOrder
from midnight.db import demand as demand_db
from midnight.domain import demand
from midnight.domain.clock import FixedClock, start_of_day
from midnight.domain.errors import Forbidden, InvalidInput
from midnight.domain.people import Actor, Role
from midnight.services import catalog, forecasts, orders, stock
from midnight.services.context import Context
from tests.conftest import NOW, TODAY
from tests.integration.till_setup import open_snack_bar

WEEK = [1.0, 0.8, 0.9, 1.0, 1.2, 1.6, 1.4]
DAYS = 98  # 14 weeks of trading, ending yesterday
CLOSED = 60  # the shop shut for a day
SHORT_WEEK = 77  # the delivery that came short: cola ran out on day 82 and stayed out on day 83


def at(ctx: Context, clock: FixedClock, day: int, hour: int, days: int = DAYS) -> None:
    """Move the clock to a local hour of day n of the history (day 0 is `days` days ago)."""
    clock.instant = start_of_day(TODAY - dt.timedelta(days=days - day), ctx.store.tz) + dt.timedelta(
        hours=hour
    )


def sell(ctx: Context, sku: str, units: int) -> None:
    if units > 0:
        stock.sell(ctx, DrawStock(sku=sku, quantity=units))


def seeded_shop(ctx: Context, clock: FixedClock) -> dict[str, list[int]]:
    """Cola (sold at noon) and buns (morning and evening), each with a weekly pattern and noise,
    deliveries every 7 days at 08:00; returns the demand each day, as sold."""
    rng = random.Random(12)
    at(ctx, clock, 0, 7)
    for sku, name in (("COLA", "Cola can"), ("BUN", "Pineapple bun 菠蘿包")):
        catalog.add_product(
            ctx, AddProduct(sku=sku, name=name, expiry_kind="best_before", shelf_life_days=365)
        )
    wanted = {
        "COLA": [max(0, round(rng.gauss(12 * WEEK[d % 7], 1.5))) for d in range(DAYS)],
        "BUN": [max(1, round(rng.gauss(20 * WEEK[d % 7], 2.0))) for d in range(DAYS)],
    }
    held = {"COLA": 0, "BUN": 0}
    sold: dict[str, list[int]] = {"COLA": [0] * DAYS, "BUN": [0] * DAYS}
    for d in range(DAYS):
        if d % 7 == 0:
            at(ctx, clock, d, 8)
            for sku in held:
                week = sum(wanted[sku][d : d + 7])
                if sku == "COLA" and d == SHORT_WEEK:  # enough for five days and half the sixth
                    week = sum(wanted[sku][d : d + 5]) + wanted[sku][d + 5] // 2 - 4
                units = week + 4 - held[sku]
                stock.receive(ctx, ReceiveLot(sku=sku, quantity=units, cost="3"))
                held[sku] += units
        if d == CLOSED:
            continue
        for sku, hour, share in (("BUN", 9, 2), ("COLA", 12, 1), ("BUN", 19, 2)):
            at(ctx, clock, d, hour)
            part = wanted[sku][d] // share if hour == 9 else wanted[sku][d] - sold[sku][d]
            units = min(part, held[sku])
            sell(ctx, sku, units)
            held[sku] -= units
            sold[sku][d] += units
    clock.instant = NOW
    return sold


def ledger_history(ctx: Context, sku: str, days: int) -> demand.History:
    product = catalog.get_product(ctx, sku)
    with ctx.db.read() as conn:
        read = demand_db.ledger(conn, [product.id], TODAY - dt.timedelta(days=days), days, ctx.store.tz)
    return demand.history(read.days[product.id], read.trading, read.on_hand_after[product.id])


def test_a_seeded_shop_its_censored_days_forecast_and_backtest(ctx: Context, clock: FixedClock) -> None:
    sold = seeded_shop(ctx, clock)
    cola = ledger_history(ctx, "COLA", 140)
    # The history starts with the first delivery, not 140 days ago; the closed day and the two days
    # cola was out while the shop traded are unknown, every other day is what was sold.
    assert len(cola.days) == DAYS and (cola.closed, cola.out_of_stock) == (1, 2)
    unknown = [d for d, v in enumerate(cola.days) if v is None]
    assert unknown == [CLOSED, SHORT_WEEK + 5, SHORT_WEEK + 6]
    assert all(cola.days[d] == sold["COLA"][d] * 1000 for d in range(DAYS) if d not in unknown)
    bun = ledger_history(ctx, "BUN", 140)
    assert (bun.closed, bun.out_of_stock) == (1, 0)

    page = forecasts.forecast_products(ctx, ForecastQuery())
    by_sku = {f.sku: f for f in page.items}
    assert page.next_cursor is None and set(by_sku) == {"BUN", "COLA"}
    f = by_sku["COLA"]
    assert (f.history_days, f.censored_days, f.closed_days, f.out_of_stock_days) == (DAYS, 3, 1, 2)
    assert f.method != "WeekdayAverage" and len(f.days) == 14 and f.days[0].date == TODAY
    assert f.total == sum(d.mean for d in f.days)
    # The weekly pattern comes through: Saturdays (day 5 of the pattern) above Tuesdays.
    weekday = {d.date.weekday(): d.mean for d in f.days[:7]}
    first = (TODAY - dt.timedelta(days=DAYS)).weekday()
    assert weekday[(first + 5) % 7] > weekday[(first + 1) % 7]
    one = forecasts.forecast_products(ctx, ForecastQuery(sku="BUN", horizon=3))
    assert [p.sku for p in one.items] == ["BUN"] and len(one.items[0].days) == 3

    seen: list[tuple[int, int]] = []
    result = forecasts.backtest(ctx, BacktestQuery(), progress=lambda done, total: seen.append((done, total)))
    assert seen == [(2, 2)]
    assert result.methods[0] == "SeasonalNaive" and result.methods[-1] == "Chosen"
    overall = {s.method: s for s in result.overall}
    assert overall["Chosen"].wape is not None and overall["SeasonalNaive"].wape is not None
    assert overall["Chosen"].wape < overall["SeasonalNaive"].wape
    assert overall["Chosen"].mase is not None and overall["Chosen"].mase < 1
    # Cola's two days out of stock fall in the 28 scored: there is no actual to score them against.
    assert {p.sku: p.scored_days for p in result.products} == {"BUN": 28, "COLA": 26}
    for product in result.products:
        assert product.chosen != "WeekdayAverage" and product.scores[0].method == "SeasonalNaive"


def test_a_tiny_backtest_matches_the_hand_computation(ctx: Context, clock: FixedClock) -> None:
    # 6 weeks: 2 a day for a week, 4 a day for a week, then 3 a day for the 28 days scored — but one
    # of those the shop was shut (nothing sold at all), so 27 days are scored.
    days = 42
    at(ctx, clock, 0, 7, days)
    catalog.add_product(
        ctx, AddProduct(sku="TEA", name="Lemon tea", expiry_kind="best_before", shelf_life_days=365)
    )
    at(ctx, clock, 0, 8, days)
    stock.receive(ctx, ReceiveLot(sku="TEA", quantity=200, cost="2"))
    for d in range(days):
        if d == 20:
            continue
        at(ctx, clock, d, 12, days)
        sell(ctx, "TEA", 2 if d < 7 else 4 if d < 14 else 3)
    clock.instant = NOW
    result = forecasts.backtest(ctx, BacktestQuery(sku="TEA"))
    (tea,) = result.products
    assert (tea.history_days, tea.scored_days, tea.censored_days, tea.chosen) == (42, 27, 1, "WeekdayAverage")
    scores = {s.method: (s.wape, s.mase) for s in tea.scores}
    # Seasonal-naive says 4 (last week); the weekday average of the two weeks says 3. Off by 1 on
    # each of 27 days that sold 3: WAPE 27/81; seasonal-naive's own in-sample error is |4 - 2| = 2
    # a day, so MASE 1/2. The weekday average is exact.
    assert scores["SeasonalNaive"] == pytest.approx((1 / 3, 0.5))
    assert scores["WeekdayAverage"] == pytest.approx((0.0, 0.0))
    assert scores["Chosen"] == scores["WeekdayAverage"]
    assert set(scores) == {"SeasonalNaive", "WeekdayAverage", "Chosen"}
    overall = {s.method: (s.wape, s.mase, s.products) for s in result.overall}
    assert overall["SeasonalNaive"] == pytest.approx((1 / 3, 0.5, 1))


def test_demand_counts_recipes_kitchen_use_and_takes_refunds_off_the_day_sold(
    ctx: Context, clock: FixedClock
) -> None:
    days = 4
    at(ctx, clock, 0, 7, days)
    open_snack_bar(ctx)
    for sku, quantity in (("PINE", 10), ("LETTUCE", 2), ("HAM", 20), ("DRESSING", 10)):
        stock.receive(ctx, ReceiveLot(sku=sku, quantity=quantity, cost="1"))
    at(ctx, clock, 1, 12, days)
    salads = PlaceOrder(
        lines=[{"code": "SALAD", "quantity": 2}], payments=[{"method": "cash", "amount": "76"}]
    )
    orders.place_order(ctx, "salads", salads)
    at(ctx, clock, 2, 12, days)
    tins = orders.place_order(
        ctx,
        "tins",
        PlaceOrder(lines=[{"code": "TIN", "quantity": 3}], payments=[{"method": "card", "amount": "54"}]),
    )
    at(ctx, clock, 3, 11, days)
    orders.refund_order(ctx, tins.id, RefundOrder(reason="dented", lines=[{"line": 1, "quantity": 1}]))
    at(ctx, clock, 3, 15, days)
    stock.use(ctx, DrawStock(sku="HAM", quantity=3))
    sell(ctx, "PINE", 1)
    clock.instant = NOW
    # A chef's salad is lettuce 0.1 kg, two ham slices and a dressing: two of them are that demand
    # for each product; the tin refunded yesterday comes off the day it was sold; the kitchen's ham counts.
    assert ledger_history(ctx, "LETTUCE", days).days == [None, 200, 0, 0]  # day 0: stocked, nothing sold
    assert ledger_history(ctx, "DRESSING", days).days == [None, 2000, 0, 0]
    assert ledger_history(ctx, "HAM", days).days == [None, 4000, 0, 3000]
    pine = ledger_history(ctx, "PINE", days)
    assert pine.days == [None, 0, 2000, 1000] and pine.closed == 1


def test_a_product_that_ran_out_and_came_back_the_same_day_is_censored_but_not_one_restocked_early(
    ctx: Context, clock: FixedClock
) -> None:
    days = 3
    at(ctx, clock, 0, 7, days)
    for sku in ("A", "B"):
        catalog.add_product(
            ctx, AddProduct(sku=sku, name=sku, expiry_kind="best_before", shelf_life_days=365)
        )
        stock.receive(ctx, ReceiveLot(sku=sku, quantity=2, cost="1"))
    for hour, sku in ((9, "A"), (10, "A"), (11, "B"), (20, "B")):  # day 0: A out from 10:00 to 20:00
        at(ctx, clock, 0, hour, days)
        sell(ctx, sku, 1)
    at(ctx, clock, 0, 15, days)
    stock.receive(ctx, ReceiveLot(sku="A", quantity=5, cost="1"))  # back at 15:00: out for 5 hours
    at(ctx, clock, 1, 6, days)
    stock.receive(ctx, ReceiveLot(sku="B", quantity=1, cost="1"))  # in before opening: not censored
    for hour, sku in ((9, "A"), (18, "B")):  # B's last one goes with the day's last sale
        at(ctx, clock, 1, hour, days)
        sell(ctx, sku, 1)
    at(ctx, clock, 2, 9, days)
    sell(ctx, "A", 1)
    clock.instant = NOW
    a, b = ledger_history(ctx, "A", days), ledger_history(ctx, "B", days)
    assert a.days == [None, 1000, 1000] and a.out_of_stock == 1
    assert b.days == [2000, 1000, None] and b.out_of_stock == 1  # day 2: none while the shop traded


def test_forecasts_are_for_the_owner_and_refuse_bad_bounds(sqlite_ctx: Context) -> None:
    staff = sqlite_ctx.acting_as(Actor("kwan", Role.STAFF))
    with pytest.raises(Forbidden):
        forecasts.forecast_products(staff, ForecastQuery())
    with pytest.raises(Forbidden):
        forecasts.backtest(staff, BacktestQuery())
    with pytest.raises(InvalidInput, match="horizon must be between 1 and 14, got 15"):
        build(ForecastQuery, {"horizon": 15})
    with pytest.raises(InvalidInput, match="days must be between 35 and 730, got 28"):
        build(BacktestQuery, {"days": "28"})
    with pytest.raises(InvalidInput, match="days must be a whole number"):
        build(ForecastQuery, {"days": "1.5"})
    assert forecasts.forecast_products(sqlite_ctx, ForecastQuery()).items == []
    assert forecasts.backtest(sqlite_ctx, BacktestQuery()).products == []


def test_the_ledger_is_read_by_time_not_by_product_history(sqlite_ctx: Context, clock: FixedClock) -> None:
    """Every step of the read that reaches movements goes along ix_movements_at (the window's days),
    or looks up one sale's lines by ix_movements_order_line_id: never a product's whole history."""
    ctx = sqlite_ctx
    open_snack_bar(ctx)
    stock.receive(ctx, ReceiveLot(sku="PINE", quantity=5, cost="1"))
    sell(ctx, "PINE", 1)
    seen: list[tuple[str, object]] = []

    def capture(conn: object, cursor: object, statement: str, parameters: object, *_: object) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    event.listen(ctx.db.engine, "before_cursor_execute", capture)
    try:
        forecasts.forecast_products(ctx, ForecastQuery())
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", capture)
    steps = []
    with ctx.db.engine.connect() as conn:
        for statement, parameters in seen:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)  # type: ignore[arg-type]
            steps += [row[3] for row in plan if row[3].split()[1:2] in (["movements"], ["r"], ["s"])]
    assert steps and all(
        "USING INDEX ix_movements_at (at>?" in step or "ix_movements_order_line_id (order_line_id=?)" in step
        for step in steps
    ), steps


def test_a_day_is_the_stores_local_calendar_date_not_utc(ctx: Context, clock: FixedClock) -> None:
    # 23:30 and 00:30 in Hong Kong fall on one UTC date (15:30 and 16:30), on two local ones.
    days = 2
    at(ctx, clock, 0, 7, days)
    catalog.add_product(
        ctx, AddProduct(sku="NOODLE", name="Noodles", expiry_kind="best_before", shelf_life_days=365)
    )
    stock.receive(ctx, ReceiveLot(sku="NOODLE", quantity=10, cost="1"))
    for day, hour, units in ((0, 9, 1), (0, 23, 2), (1, 0, 3), (1, 9, 1)):
        at(ctx, clock, day, hour, days)
        clock.instant += dt.timedelta(minutes=30)
        sell(ctx, "NOODLE", units)
    clock.instant = NOW
    assert ledger_history(ctx, "NOODLE", days).days == [3000, 4000]
