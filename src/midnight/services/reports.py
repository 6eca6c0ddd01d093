"""The X report (the day so far) and the Z report (the day closed, recorded once)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from midnight.commands.till import CloseDay
from midnight.db import reports as reports_db
from midnight.domain.errors import Conflict, InvalidInput, NotFound
from midnight.domain.people import Permission
from midnight.services.context import Context
from midnight.services.days import current_business_date


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


def _report(ctx: Context, day: dt.date, kind: str, totals: reports_db.DayTotals) -> DayReport:
    by_method = dict(totals.applied_by_method)
    for method, (amount, _) in totals.refunds_by_method.items():
        by_method[method] = by_method.get(method, 0) - amount
    refunded = sum(amount for amount, _ in totals.refunds_by_method.values())
    return DayReport(
        kind=kind,
        business_date=day,
        currency=ctx.store.currency,
        orders=totals.orders,
        gross_sales=totals.gross,
        markdowns=totals.markdowns,
        discounts=totals.discounts,
        refunds=refunded,
        refund_count=sum(n for _, n in totals.refunds_by_method.values()),
        net_sales=totals.total - refunded,
        voids=totals.voids,
        payments=dict(sorted(by_method.items())),
        cash_expected=by_method.get("cash", 0),
        cost_of_goods_sold=totals.sale_cost - totals.returned_cost,
        waste_at_cost=totals.waste_cost,
    )


def _compute(ctx: Context, conn: Connection, day: dt.date, kind: str) -> DayReport:
    return _report(ctx, day, kind, reports_db.day_totals(conn, ctx.store.id, day))


def x_report(ctx: Context, day: dt.date | None = None) -> DayReport:
    """The day so far (default: the current business day), without closing it."""
    ctx.require(Permission.REPORTS)
    with ctx.db.read() as conn:
        when = day or current_business_date(conn, ctx.store.id, ctx.today())
        return _compute(ctx, conn, when, "X")


def close_day(ctx: Context, cmd: CloseDay) -> DayReport:
    """Close a business day (default today): record its Z report. A day closes once.

    The report is read before the write lock is taken; inside it, a fingerprint of the day (a few
    index lookups) proves nothing changed since, or the day is read again — bounded by the day.
    """
    ctx.require(Permission.REPORTS)
    today = ctx.today()
    when = cmd.date or today
    if when > today:
        raise InvalidInput(
            f"{when} has not started yet; it cannot be closed (sales made after a day is closed count on "
            "the next day, which is closed on or after that day)",
            field="date",
        )
    with ctx.db.read() as conn:
        mark = reports_db.day_watermark(conn, ctx.store.id, when)
        report = _compute(ctx, conn, when, "Z")
    with ctx.db.write() as conn:
        done = reports_db.closed_at(conn, ctx.store.id, when)
        if done is not None:
            raise Conflict(
                f"{when} was already closed at {done.astimezone(ctx.store.tz):%H:%M}", field="date"
            )
        if reports_db.day_watermark(conn, ctx.store.id, when) != mark:
            report = _compute(ctx, conn, when, "Z")  # a sale came in meanwhile
        report = dataclasses.replace(report, closed_at=ctx.now(), closed_by=ctx.actor)
        try:
            reports_db.insert_close(conn, ctx.store.id, when, ctx.now(), ctx.actor, _jsonable(report))
        except IntegrityError:
            raise Conflict(f"{when} was already closed", field="date") from None
        return report


def z_report(ctx: Context, day: dt.date) -> DayReport:
    """A closed day's Z report, exactly as recorded."""
    ctx.require(Permission.REPORTS)
    with ctx.db.read() as conn:
        data = reports_db.closed_report(conn, ctx.store.id, day)
    if data is None:
        raise NotFound(f"{day} has not been closed", field="date")
    data["business_date"] = dt.date.fromisoformat(data["business_date"])
    data["closed_at"] = dt.datetime.fromisoformat(data["closed_at"])
    return DayReport(**data)


def _jsonable(report: DayReport) -> dict[str, Any]:
    data = dataclasses.asdict(report)
    data["business_date"] = report.business_date.isoformat()
    data["closed_at"] = report.closed_at.isoformat() if report.closed_at else None
    return data
