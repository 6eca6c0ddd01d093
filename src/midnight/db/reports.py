"""Reading a business day and a period: each query bounded by the day or period, along an index."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, insert, select

from midnight.db import tables as t
from midnight.domain.lot import MovementKind
from midnight.domain.money import cost_of
from midnight.domain.order import OrderState
from midnight.domain.pricing import round_half_up


@dataclass(frozen=True)
class DayTotals:
    orders: int
    gross: int
    markdowns: int
    discounts: int
    total: int
    voids: int
    applied_by_method: dict[str, int]
    refunds_by_method: dict[str, tuple[int, int]]  # method -> (amount, count)
    sale_cost: int  # at cost, what the day's sales drew (positive)
    returned_cost: int  # at cost, what the day's refunds put back (positive)
    waste_cost: int  # at cost, what was written off that calendar day (positive)


def day_totals(conn: Connection, store_id: int, day: dt.date) -> DayTotals:
    """Everything the X and Z reports say about one business day."""
    o, p, r, m = t.orders.c, t.payments.c, t.refunds.c, t.movements.c
    sold = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(o.gross), 0),
            func.coalesce(func.sum(o.markdowns), 0),
            func.coalesce(func.sum(o.line_discounts + o.order_discount), 0),
            func.coalesce(func.sum(o.total), 0),
        ).where(o.store_id == store_id, o.business_date == day, o.paid_at.is_not(None))
    ).one()
    voids = conn.execute(
        select(func.count()).where(
            o.store_id == store_id, o.business_date == day, o.state == OrderState.VOID.value
        )
    ).scalar_one()
    applied = {
        method: int(amount)
        for method, amount in conn.execute(
            select(func.coalesce(p.tender, p.method), func.sum(p.applied))
            .where(p.business_date == day)
            .group_by(func.coalesce(p.tender, p.method))
        )
    }
    refunds = {
        method: (int(amount), int(n))
        for method, amount, n in conn.execute(
            select(func.coalesce(r.tender, r.method), func.sum(r.amount), func.count())
            .where(r.business_date == day)
            .group_by(func.coalesce(r.tender, r.method))
        )
    }
    # Cost of goods: what the day's sales drew from stock, less what its refunds put back. Both are
    # reached from the day's orders and refunds (by index), never by scanning the ledger.
    day_lines = (
        select(t.order_lines.c.id)
        .join(
            t.orders,
            (t.orders.c.store_id == t.order_lines.c.store_id) & (t.orders.c.id == t.order_lines.c.order_id),
        )
        .where(o.store_id == store_id, o.business_date == day)
    )
    # Reached by order line and by refund (their indexes), never by kind: most of the ledger is sales.
    sale = [
        (row.unit_cost, row.quantity)
        for row in conn.execute(
            select(m.unit_cost, m.quantity, m.kind, m.refund_id).where(m.order_line_id.in_(day_lines))
        )
        if row.kind == MovementKind.SELL.value and row.refund_id is None
    ]
    day_refunds = select(t.refunds.c.id).where(r.business_date == day)
    returned = [
        (row.unit_cost, row.quantity)
        for row in conn.execute(select(m.unit_cost, m.quantity, m.kind).where(m.refund_id.in_(day_refunds)))
        if row.kind == MovementKind.SELL.value
    ]
    wasted = conn.execute(
        select(m.unit_cost, m.quantity).where(m.kind == MovementKind.WASTE.value, m.business_date == day)
    ).all()
    return DayTotals(
        orders=int(sold[0]),
        gross=int(sold[1]),
        markdowns=int(sold[2]),
        discounts=int(sold[3]),
        total=int(sold[4]),
        voids=int(voids),
        applied_by_method=applied,
        refunds_by_method=refunds,
        sale_cost=-sum(cost_of(c, q) for c, q in sale),
        returned_cost=sum(cost_of(c, q) for c, q in returned),
        waste_cost=-sum(cost_of(c, q) for c, q in wasted),
    )


def day_watermark(conn: Connection, store_id: int, day: dt.date) -> tuple[int, ...]:
    """A cheap fingerprint of a day: if it is unchanged, so are the day's totals.

    Each part is the newest row of the day along an index: payments, refunds, orders counted on
    the day (a void sets its business date), and the day's write-offs.
    """
    o, p, r, m = t.orders.c, t.payments.c, t.refunds.c, t.movements.c
    parts = [
        select(func.coalesce(func.max(p.id), 0), func.count()).where(p.business_date == day),
        select(func.coalesce(func.max(r.id), 0), func.count()).where(r.business_date == day),
        select(func.coalesce(func.max(o.id), 0), func.count()).where(
            o.store_id == store_id, o.business_date == day
        ),
        select(func.coalesce(func.max(m.id), 0), func.count()).where(
            m.kind == MovementKind.WASTE.value, m.business_date == day
        ),
    ]
    mark: list[int] = []
    for query in parts:
        high, n = conn.execute(query).one()
        mark += [int(high), int(n)]
    return tuple(mark)


def closed_at(conn: Connection, store_id: int, day: dt.date) -> dt.datetime | None:
    return conn.execute(
        select(t.day_closes.c.closed_at).where(
            t.day_closes.c.store_id == store_id, t.day_closes.c.business_date == day
        )
    ).scalar()


def insert_close(
    conn: Connection, store_id: int, day: dt.date, at: dt.datetime, actor: str, report: dict[str, Any]
) -> None:
    conn.execute(
        insert(t.day_closes).values(
            store_id=store_id, business_date=day, closed_at=at, actor=actor, report=json.dumps(report)
        )
    )


def closed_report(conn: Connection, store_id: int, day: dt.date) -> dict[str, Any] | None:
    text = conn.execute(
        select(t.day_closes.c.report).where(
            t.day_closes.c.store_id == store_id, t.day_closes.c.business_date == day
        )
    ).scalar()
    return None if text is None else dict(json.loads(text))


# --- periods --------------------------------------------------------------------------------------


def sales_by_item(
    conn: Connection, store_id: int, start: dt.date, end: dt.date
) -> list[tuple[str, int, int]]:
    line, order = t.order_lines.c, t.orders.c
    rows = conn.execute(
        select(line.name, func.sum(line.quantity), func.sum(line.net))
        .join(t.orders, t.orders.c.id == line.order_id)
        .where(
            order.store_id == store_id,
            order.business_date >= start,
            order.business_date <= end,
            order.paid_at.is_not(None),
        )
        .group_by(line.name)
        .order_by(func.sum(line.net).desc())
    ).all()
    return [(name, int(q), int(amount)) for name, q, amount in rows]


def modifier_sales(
    conn: Connection, store_id: int, start: dt.date, end: dt.date
) -> list[tuple[str, str, int, int]]:
    """The choices sold with the period's paid lines (ix_orders_business_date, then each line's
    modifiers by its unique key): group, option, units of the items chosen with it (milli), and what
    it added to their price (minor units, rounded half up per line)."""
    line, order, mod = t.order_lines.c, t.orders.c, t.order_line_modifiers.c
    rows = conn.execute(
        select(mod.group_name, mod.name, line.quantity, mod.price_delta)
        .join(t.order_lines, line.id == mod.order_line_id)
        .join(t.orders, order.id == line.order_id)
        .where(
            order.store_id == store_id,
            order.business_date >= start,
            order.business_date <= end,
            order.paid_at.is_not(None),
        )
    ).all()
    totals: dict[tuple[str, str], tuple[int, int]] = {}
    for group, name, milli, delta in rows:
        units, amount = totals.get((group, name), (0, 0))
        totals[(group, name)] = (
            units + int(milli),
            amount + round_half_up(Decimal(int(delta) * int(milli)) / 1000),
        )
    return sorted(((g, n, u, a) for (g, n), (u, a) in totals.items()), key=lambda r: (-r[2], r[0], r[1]))


def paid_orders(
    conn: Connection, store_id: int, start: dt.date, end: dt.date
) -> list[tuple[dt.datetime, int]]:
    """When each order of the period was paid, and its total (along ix_orders_business_date)."""
    o = t.orders.c
    rows = conn.execute(
        select(o.paid_at, o.total).where(
            o.store_id == store_id, o.business_date >= start, o.business_date <= end, o.paid_at.is_not(None)
        )
    ).all()
    return [(paid_at, int(total)) for paid_at, total in rows]


def waste(conn: Connection, start: dt.date, end: dt.date) -> list[tuple[str, str, int, int]]:
    """Write-offs of a period's business days along ix_movements_kind_business_date: product name,
    reason, quantity, unit cost."""
    m = t.movements.c
    rows = conn.execute(
        select(t.products.c.name, m.reason, m.quantity, m.unit_cost)
        .join(t.products, t.products.c.id == m.product_id)
        .where(m.kind == MovementKind.WASTE.value, m.business_date >= start, m.business_date <= end)
    ).all()
    return [(name, reason, int(q), int(cost)) for name, reason, q, cost in rows]
