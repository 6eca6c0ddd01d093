"""Reports over a period: sales by item and by hour, waste by product and reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from midnight.db import tables as t
from midnight.domain.clock import start_of_day
from midnight.domain.errors import InvalidInput
from midnight.domain.money import cost_of
from midnight.domain.people import Permission
from midnight.domain.quantity import to_decimal
from midnight.services.context import Context


@dataclass(frozen=True)
class Row:
    label: str
    quantity: Decimal
    amount: int  # minor units


def _period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InvalidInput(f"the period ends ({end}) before it starts ({start})", field="end")
    if (end - start).days > 366:
        raise InvalidInput("a report covers at most a year", field="end")


def sales_by_item(ctx: Context, start: dt.date, end: dt.date) -> list[Row]:
    ctx.require(Permission.REPORTS)
    _period(start, end)
    line, order = t.order_lines.c, t.orders.c
    with ctx.db.read() as conn:
        rows = conn.execute(
            select(line.name, func.sum(line.quantity), func.sum(line.net))
            .join(t.orders, t.orders.c.id == line.order_id)
            .where(order.paid_at.is_not(None), order.business_date >= start, order.business_date <= end)
            .group_by(line.name)
            .order_by(func.sum(line.net).desc())
        ).all()
    return [Row(name, to_decimal(int(q)), int(amount)) for name, q, amount in rows]


def sales_by_hour(ctx: Context, start: dt.date, end: dt.date) -> list[Row]:
    """Takings by hour of the day, in the store's time zone."""
    ctx.require(Permission.REPORTS)
    _period(start, end)
    tz = ctx.store.tz
    with ctx.db.read() as conn:
        rows = conn.execute(
            select(t.orders.c.paid_at, t.orders.c.total).where(
                t.orders.c.paid_at >= start_of_day(start, tz),
                t.orders.c.paid_at < start_of_day(end + dt.timedelta(days=1), tz),
            )
        ).all()
    hours: dict[int, tuple[int, int]] = {}
    for paid_at, total in rows:
        hour = paid_at.astimezone(tz).hour
        count, amount = hours.get(hour, (0, 0))
        hours[hour] = (count + 1, amount + total)
    return [Row(f"{h:02d}:00", Decimal(hours[h][0]), hours[h][1]) for h in sorted(hours)]


def waste_by_product(ctx: Context, start: dt.date, end: dt.date) -> list[Row]:
    """Write-offs at cost, by product and reason."""
    ctx.require(Permission.REPORTS)
    _period(start, end)
    tz = ctx.store.tz
    m = t.movements.c
    with ctx.db.read() as conn:
        rows = conn.execute(
            select(t.products.c.name, m.reason, m.quantity, m.unit_cost)
            .join(t.products, t.products.c.id == m.product_id)
            .where(
                m.kind == "waste",
                m.at >= start_of_day(start, tz),
                m.at < start_of_day(end + dt.timedelta(days=1), tz),
            )
        ).all()
    totals: dict[str, tuple[int, int]] = {}
    for name, reason, quantity, unit_cost in rows:
        key = f"{name} — {reason}"
        q, amount = totals.get(key, (0, 0))
        totals[key] = (q - quantity, amount - cost_of(unit_cost, quantity))
    ordered = sorted(totals.items(), key=lambda kv: -kv[1][1])
    return [Row(label, to_decimal(q), amount) for label, (q, amount) in ordered]
