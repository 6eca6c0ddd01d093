"""Reports on buying: waste as a share of what was received, forecast against what sold, and what
the suggestions said against what was ordered. Each is a list of rows the web page charts and the
CLI and API give as CSV; each read is bounded by the period asked, never by the length of history.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from decimal import Decimal

from midnight.adapters import forecaster
from midnight.commands.till import Period
from midnight.db import catalog as catalog_db
from midnight.db import demand as demand_db
from midnight.db import planning as planning_db
from midnight.domain import demand
from midnight.domain.clock import start_of_day
from midnight.domain.errors import InvalidInput
from midnight.domain.forecasting import fill_censored, wape
from midnight.domain.people import Permission
from midnight.domain.quantity import SCALE, to_decimal
from midnight.domain.text import spreadsheet_cell
from midnight.services.context import Context

TRAINING_DAYS = 140  # what the forecast of the period learns from (as the live forecast does)
MAX_FORECAST_DAYS = forecaster.HORIZON  # a forecast is made 14 days ahead: a longer period isn't one forecast
MAX_PRODUCTS = 500  # products judged by the forecast report (by SKU)
MAX_ORDER_LINES = 5000


@dataclass(frozen=True)
class WasteShare:
    sku: str
    product: str
    reason: str  # "" on a product's total row
    wasted: Decimal  # units
    wasted_cost: int
    received: Decimal  # units received in the period
    received_cost: int
    percent: Decimal | None  # wasted cost as a percent of received cost; None if nothing was received


@dataclass(frozen=True)
class ForecastActual:
    sku: str
    product: str
    method: str
    days: int  # days scored (censored days, closed or out of stock, are not)
    forecast: Decimal  # units over those days
    actual: Decimal
    wape: Decimal | None  # percent


@dataclass(frozen=True)
class SuggestedOrdered:
    sku: str
    product: str
    lines: int
    suggested: Decimal  # units the suggestions said, on lines made from them
    ordered: Decimal  # units ordered on those lines
    by_hand: Decimal  # units ordered on lines typed without a suggestion
    received: Decimal
    change: Decimal | None  # ordered vs suggested, percent


def _bounds(ctx: Context, period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = ctx.store.tz
    return start_of_day(period.start, tz), start_of_day(period.end + dt.timedelta(days=1), tz)


def _percent(part: int, whole: int) -> Decimal | None:
    return None if whole == 0 else (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def waste_share(ctx: Context, period: Period) -> list[WasteShare]:
    """Write-offs by product and reason, as a share of what the period received (at cost)."""
    ctx.require(Permission.REPORTS)
    start, end = _bounds(ctx, period)
    with ctx.db.read() as conn:
        came = planning_db.received(conn, start, end)
        gone = planning_db.wasted(conn, period.start, period.end)
        products = catalog_db.products_by_ids(conn, sorted({pid for pid, *_ in gone}))
    by_product: dict[int, list[tuple[str, int, int]]] = {}
    for pid, reason, milli, cost in gone:
        by_product.setdefault(pid, []).append((reason, milli, cost))
    rows = []
    for pid, reasons in sorted(by_product.items(), key=lambda kv: -sum(c for _, _, c in kv[1])):
        p = products[pid]
        got, got_cost = came.get(pid, (0, 0))
        total, total_cost = sum(m for _, m, _ in reasons), sum(c for _, _, c in reasons)
        rows.append(
            WasteShare(
                p.sku,
                p.name,
                "",
                to_decimal(total),
                total_cost,
                to_decimal(got),
                got_cost,
                _percent(total_cost, got_cost),
            )
        )
        for reason, milli, cost in sorted(reasons, key=lambda r: -r[2]):
            rows.append(
                WasteShare(
                    p.sku,
                    p.name,
                    reason,
                    to_decimal(milli),
                    cost,
                    to_decimal(got),
                    got_cost,
                    _percent(cost, got_cost),
                )
            )
    return rows


def forecast_vs_actual(ctx: Context, period: Period) -> list[ForecastActual]:
    """What the forecast made the day before the period would have said, against what sold."""
    ctx.require(Permission.REPORTS)
    days = (period.end - period.start).days + 1
    if days > MAX_FORECAST_DAYS:
        raise InvalidInput(
            f"a forecast looks {MAX_FORECAST_DAYS} days ahead: choose a period of at most that many days, "
            f"not {days}",
            field="end",
        )
    if period.end >= ctx.today():
        raise InvalidInput(
            "the period must have ended by yesterday: today's sales are not all in", field="end"
        )
    first = period.start - dt.timedelta(days=TRAINING_DAYS)
    with ctx.db.read() as conn:
        page = catalog_db.products(conn, cursor=None, limit=MAX_PRODUCTS)
        read = demand_db.ledger(conn, [p.id for p in page.items], first, TRAINING_DAYS + days, ctx.store.tz)
    histories = {
        p.id: demand.history(read.days[p.id], read.trading, read.on_hand_after[p.id]) for p in page.items
    }
    train, test = {}, {}
    for p in page.items:
        h = histories[p.id].days
        if len(h) <= days:
            continue  # no history before the period: nothing was forecast for it
        train[str(p.id)] = fill_censored([None if v is None else v / SCALE for v in h[:-days]])
        test[p.id] = h[-days:]
    result = forecaster.forecast(train, forecaster.HORIZON)
    rows = []
    for p in page.items:
        if p.id not in test:
            continue
        f = result[str(p.id)]
        scored = [(v / SCALE, f.mean[i]) for i, v in enumerate(test[p.id]) if v is not None]
        actual = [a for a, _ in scored]
        forecast = [m for _, m in scored]
        if not any(actual) and not any(forecast):
            continue  # neither sold nor expected to: nothing to report
        error = wape(actual, forecast)
        rows.append(
            ForecastActual(
                p.sku,
                p.name,
                f.method,
                len(scored),
                Decimal(round(sum(forecast) * SCALE)) / SCALE,
                Decimal(round(sum(actual) * SCALE)) / SCALE,
                None if error is None else Decimal(str(round(error * 100, 1))),
            )
        )
    rows.sort(key=lambda r: -r.actual)
    return rows


def suggested_vs_ordered(ctx: Context, period: Period) -> list[SuggestedOrdered]:
    """Per product, over the orders made in the period: what the suggestions said and what was ordered."""
    ctx.require(Permission.REPORTS)
    start, end = _bounds(ctx, period)
    with ctx.db.read() as conn:
        lines = planning_db.ordered_lines(conn, start, end, MAX_ORDER_LINES)
        products = catalog_db.products_by_ids(conn, sorted({ln.product_id for ln in lines}))
    totals: dict[int, list[int]] = {}
    for ln in lines:
        t = totals.setdefault(ln.product_id, [0, 0, 0, 0, 0])  # lines, suggested, ordered, by hand, received
        t[0] += 1
        if ln.suggested is None:
            t[3] += ln.quantity
        else:
            t[1] += ln.suggested
            t[2] += ln.quantity
        t[4] += ln.received
    rows = []
    for pid, (count, suggested, ordered, by_hand, got) in totals.items():
        p = products[pid]
        change = (
            None
            if suggested == 0
            else (Decimal(ordered - suggested) * 100 / suggested).quantize(Decimal("0.1"))
        )
        rows.append(
            SuggestedOrdered(
                p.sku,
                p.name,
                count,
                to_decimal(suggested),
                to_decimal(ordered),
                to_decimal(by_hand),
                to_decimal(got),
                change,
            )
        )
    rows.sort(key=lambda r: r.sku)
    return rows


def as_csv(rows: Sequence[object], kind: type) -> str:
    """Rows as CSV with a header, numbers exact (money in minor units, as the API gives it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    names = [f.name for f in fields(kind)]
    writer.writerow(names)
    for row in rows:
        values = asdict(row)  # type: ignore[call-overload]
        writer.writerow(["" if values[n] is None else spreadsheet_cell(values[n]) for n in names])
    return out.getvalue()
