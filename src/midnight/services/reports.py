"""The X report (the day so far) and the Z report (the day closed, recorded once)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, insert, select
from sqlalchemy.exc import IntegrityError

from midnight.db import tables as t
from midnight.domain.clock import parse_date, start_of_day
from midnight.domain.errors import Conflict, InvalidInput, NotFound
from midnight.domain.money import cost_of
from midnight.domain.people import Permission
from midnight.services.context import Context
from midnight.services.orders import current_business_date


@dataclass(frozen=True)
class DayReport:
    kind: str  # "X" or "Z"
    business_date: dt.date
    currency: str
    orders: int
    gross_sales: int
    markdowns: int
    discounts: int
    refunds: int
    refund_count: int
    net_sales: int
    voids: int
    payments: dict[str, int]  # net of change and of refunds to that method
    cash_expected: int
    cost_of_goods_sold: int
    waste_at_cost: int
    closed_at: dt.datetime | None = None
    closed_by: str | None = None


def _date(ctx: Context, conn: Connection, day: dt.date | str | None) -> dt.date:
    if day is None:
        return current_business_date(conn, ctx.store.id, ctx.today())
    return day if isinstance(day, dt.date) else parse_date(day, field="date")


def _compute(ctx: Context, conn: Connection, day: dt.date, kind: str) -> DayReport:
    o, p, r = t.orders.c, t.payments.c, t.refunds.c
    sold = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(o.gross), 0),
            func.coalesce(func.sum(o.markdowns), 0),
            func.coalesce(func.sum(o.line_discounts + o.order_discount), 0),
            func.coalesce(func.sum(o.total), 0),
        ).where(o.business_date == day, o.paid_at.is_not(None))
    ).one()
    voids = conn.execute(select(func.count()).where(o.business_date == day, o.state == "void")).scalar_one()
    by_method: dict[str, int] = {}
    for method, amount in conn.execute(
        select(p.method, func.sum(p.applied)).where(p.business_date == day).group_by(p.method)
    ):
        by_method[method] = by_method.get(method, 0) + int(amount)
    refund_total, refund_count = 0, 0
    for method, amount, n in conn.execute(
        select(r.method, func.sum(r.amount), func.count()).where(r.business_date == day).group_by(r.method)
    ):
        by_method[method] = by_method.get(method, 0) - int(amount)
        refund_total += int(amount)
        refund_count += int(n)
    # Cost of goods: what the day's sales drew from stock, less what its refunds put back.
    m = t.movements.c
    sale_cost = conn.execute(
        select(m.unit_cost, m.quantity)
        .join(t.order_lines, t.order_lines.c.id == m.order_line_id)
        .join(t.orders, t.orders.c.id == t.order_lines.c.order_id)
        .where(m.kind == "sell", m.refund_id.is_(None), o.business_date == day)
    ).all()
    returned = conn.execute(
        select(m.unit_cost, m.quantity)
        .join(t.refunds, t.refunds.c.id == m.refund_id)
        .where(m.kind == "sell", r.business_date == day)
    ).all()
    cogs = -sum(cost_of(c, q) for c, q in sale_cost) - sum(cost_of(c, q) for c, q in returned)
    start = start_of_day(day, ctx.store.tz)
    wasted = conn.execute(
        select(m.unit_cost, m.quantity).where(
            and_(m.kind == "waste", m.at >= start, m.at < start + dt.timedelta(days=1))
        )
    ).all()
    return DayReport(
        kind=kind,
        business_date=day,
        currency=ctx.store.currency,
        orders=int(sold[0]),
        gross_sales=int(sold[1]),
        markdowns=int(sold[2]),
        discounts=int(sold[3]),
        refunds=refund_total,
        refund_count=refund_count,
        net_sales=int(sold[4]) - refund_total,
        voids=int(voids),
        payments=dict(sorted(by_method.items())),
        cash_expected=by_method.get("cash", 0),
        cost_of_goods_sold=cogs,
        waste_at_cost=-sum(cost_of(c, q) for c, q in wasted),
    )


def x_report(ctx: Context, day: dt.date | str | None = None) -> DayReport:
    """The day so far (default: the current business day), without closing it."""
    ctx.require(Permission.REPORTS)
    with ctx.db.read() as conn:
        return _compute(ctx, conn, _date(ctx, conn, day), "X")


def close_day(ctx: Context, day: dt.date | str | None = None) -> DayReport:
    """Close a business day (default today): record its Z report.

    A day closes once; sales after the close count on the next day.
    """
    ctx.require(Permission.REPORTS)
    with ctx.db.write() as conn:
        when = ctx.today() if day is None else _date(ctx, conn, day)
        if when > ctx.today():
            raise InvalidInput(f"{when} has not started yet; it cannot be closed", field="date")
        done = conn.execute(
            select(t.day_closes.c.closed_at).where(
                t.day_closes.c.store_id == ctx.store.id, t.day_closes.c.business_date == when
            )
        ).first()
        if done is not None:
            raise Conflict(
                f"{when} was already closed at {done.closed_at.astimezone(ctx.store.tz):%H:%M}", field="date"
            )
        report = dataclasses.replace(_compute(ctx, conn, when, "Z"), closed_at=ctx.now(), closed_by=ctx.actor)
        try:
            conn.execute(
                insert(t.day_closes).values(
                    store_id=ctx.store.id,
                    business_date=when,
                    closed_at=report.closed_at,
                    actor=ctx.actor,
                    report=json.dumps(_jsonable(report)),
                )
            )
        except IntegrityError:
            raise Conflict(f"{when} was already closed", field="date") from None
        return report


def z_report(ctx: Context, day: dt.date | str) -> DayReport:
    """A closed day's Z report, exactly as recorded."""
    ctx.require(Permission.REPORTS)
    when = day if isinstance(day, dt.date) else parse_date(day, field="date")
    with ctx.db.read() as conn:
        row = conn.execute(
            select(t.day_closes.c.report).where(
                t.day_closes.c.store_id == ctx.store.id, t.day_closes.c.business_date == when
            )
        ).first()
    if row is None:
        raise NotFound(f"{when} has not been closed", field="date")
    data = json.loads(row.report)
    data["business_date"] = dt.date.fromisoformat(data["business_date"])
    data["closed_at"] = dt.datetime.fromisoformat(data["closed_at"])
    return DayReport(**data)


def _jsonable(report: DayReport) -> dict[str, object]:
    data = dataclasses.asdict(report)
    data["business_date"] = report.business_date.isoformat()
    data["closed_at"] = report.closed_at.isoformat() if report.closed_at else None
    return data
