"""Reports over a period: sales by item and by hour, waste by product and reason."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from midnight.commands.till import Period
from midnight.db import reports as reports_db
from midnight.domain.money import cost_of
from midnight.domain.people import Permission
from midnight.domain.quantity import to_decimal
from midnight.services.context import Context


@dataclass(frozen=True)
class Row:
    label: str
    quantity: Decimal
    amount: int  # minor units


def sales_by_item(ctx: Context, period: Period) -> list[Row]:
    ctx.require(Permission.REPORTS)
    with ctx.db.read() as conn:
        rows = reports_db.sales_by_item(conn, ctx.store.id, period.start, period.end)
    return [Row(name, to_decimal(q), amount) for name, q, amount in rows]


def sales_by_modifier(ctx: Context, period: Period) -> list[Row]:
    """How often each choice was made on the items sold (units), and what it added to the takings."""
    ctx.require(Permission.REPORTS)
    with ctx.db.read() as conn:
        rows = reports_db.modifier_sales(conn, ctx.store.id, period.start, period.end)
    return [Row(f"{group}: {name}", to_decimal(units), amount) for group, name, units, amount in rows]


def sales_by_hour(ctx: Context, period: Period) -> list[Row]:
    """Takings by hour of the day, in the store's time zone, over the period's business days."""
    ctx.require(Permission.REPORTS)
    tz = ctx.store.tz
    with ctx.db.read() as conn:
        rows = reports_db.paid_orders(conn, ctx.store.id, period.start, period.end)
    hours: dict[int, tuple[int, int]] = {}
    for paid_at, total in rows:
        hour = paid_at.astimezone(tz).hour
        count, amount = hours.get(hour, (0, 0))
        hours[hour] = (count + 1, amount + total)
    return [Row(f"{h:02d}:00", Decimal(hours[h][0]), hours[h][1]) for h in sorted(hours)]


def waste_by_product(ctx: Context, period: Period) -> list[Row]:
    """Write-offs at cost, by product and reason."""
    ctx.require(Permission.REPORTS)
    with ctx.db.read() as conn:
        rows = reports_db.waste(conn, period.start, period.end)
    totals: dict[str, tuple[int, int]] = {}
    for name, reason, quantity, unit_cost in rows:
        key = f"{name} — {reason}"
        q, amount = totals.get(key, (0, 0))
        totals[key] = (q - quantity, amount - cost_of(unit_cost, quantity))
    ordered = sorted(totals.items(), key=lambda kv: -kv[1][1])
    return [Row(label, to_decimal(q), amount) for label, (q, amount) in ordered]
