"""The X report (the day so far) and the Z report (the day closed, recorded once)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from midnight.commands.till import CloseDay
from midnight.db import drawers as drawers_db
from midnight.db import offline as offline_db
from midnight.db import reports as reports_db
from midnight.domain import cash
from midnight.domain.errors import Conflict, MidnightError, NotFound
from midnight.domain.people import Permission
from midnight.domain.pricing import Method
from midnight.services import drawers
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
    cash_expected: int  # floats + cash taken - cash refunded + pay-ins - pay-outs
    cost_of_goods_sold: int
    waste_at_cost: int
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    # Drawers (since migration 0007; a day closed before then has none of these).
    floats: int = 0  # of the drawers opened on the day
    pay_ins: int = 0
    pay_outs: int = 0
    cash_counted: int | None = None  # at the close; None: not counted
    over_short: int | None = None  # counted - expected: positive over, negative short
    cash_pieces: dict[int, int] = field(default_factory=dict)  # notes and coins counted, if so
    # Why the Z's cash and the drawers' counts may differ: cash taken while no drawer took it, and
    # what the day's drawers were counted at when they closed (since migration 0009).
    cash_outside_drawers: int = 0
    drawers_counted: int = 0
    drawers_counted_cash: int = 0
    # Orders rung offline that the server could not record as rung, waiting for a manager's decision
    # (at the close, for a Z), and what their customers paid: cash that may be in a drawer (0010).
    offline_waiting: int = 0
    offline_waiting_paid: int = 0


def _report(
    ctx: Context, day: dt.date, kind: str, totals: reports_db.DayTotals, drawn: tuple[int, int, int]
) -> DayReport:
    floats, pay_ins, pay_outs = drawn
    owed = cash.Figures(
        float_amount=floats,
        cash_sales=totals.applied_by_method.get(Method.CASH.value, 0),
        cash_refunds=totals.refunds_by_method.get(Method.CASH.value, (0, 0))[0],
        pay_ins=pay_ins,
        pay_outs=pay_outs,
    )
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
        cash_expected=owed.expected,
        cost_of_goods_sold=totals.sale_cost - totals.returned_cost,
        waste_at_cost=totals.waste_cost,
        floats=floats,
        pay_ins=pay_ins,
        pay_outs=pay_outs,
    )


def _compute(ctx: Context, conn: Connection, day: dt.date, kind: str) -> DayReport:
    totals = reports_db.day_totals(conn, ctx.store.id, day)
    report = _report(ctx, day, kind, totals, drawers_db.day_cash(conn, day))
    outside, counted, n = drawers_db.day_drawers(conn, day)
    waiting, paid = offline_db.waiting_summary(conn, ctx.store.id)
    return replace(
        report,
        cash_outside_drawers=outside,
        drawers_counted=n,
        drawers_counted_cash=counted,
        offline_waiting=waiting,
        offline_waiting_paid=paid,
    )


def _watermark(conn: Connection, store_id: int, day: dt.date) -> tuple[int, ...]:
    return (*reports_db.day_watermark(conn, store_id, day), *drawers_db.day_watermark(conn, day))


def x_report(ctx: Context, day: dt.date | None = None) -> DayReport:
    """The day so far (default: the current business day), without closing it."""
    ctx.require(Permission.REPORTS)
    with ctx.db.read() as conn:
        when = day or current_business_date(conn, ctx.store.id, ctx.today())
        return _compute(ctx, conn, when, "X")


def _already_closed(ctx: Context, day: dt.date, at: dt.datetime, by: str | None) -> Conflict:
    who = f" by {by}" if by else ""
    return Conflict(
        f"{day:%a %Y-%m-%d} was already closed, at {at.astimezone(ctx.store.tz):%Y-%m-%d %H:%M}{who}; "
        "its Z report is below",
        field="date",
    )


def to_close(ctx: Context, day: dt.date) -> DayReport:
    """The day as its close would record it now (its X report), or why it cannot be closed."""
    ctx.require(Permission.REPORTS)
    cash.check_day_to_close(day, ctx.today())
    with ctx.db.read() as conn:
        done = reports_db.closed_at(conn, ctx.store.id, day)
        if done is not None:
            data = reports_db.closed_report(conn, ctx.store.id, day) or {}
            raise _already_closed(ctx, day, done, data.get("closed_by"))
        return _compute(ctx, conn, day, "X")


def close_refusal(ctx: Context, day: dt.date) -> str | None:
    """Why this day cannot be closed now, in a sentence; None if it can."""
    try:
        to_close(ctx, day)
    except MidnightError as exc:
        return exc.message
    return None


def close_day(ctx: Context, cmd: CloseDay) -> DayReport:
    """Close exactly the business day named — the one its confirmation showed — and record its Z
    report with the cash counted: expected, counted, over/short. A day closes once.

    The report is read before the write lock is taken; inside it, a fingerprint of the day (a few
    index lookups) proves nothing changed since, or the day is read again — bounded by the day.
    """
    ctx.require(Permission.REPORTS)
    when = cmd.date
    cash.check_day_to_close(when, ctx.today())
    tally = drawers.count(ctx, cmd)
    with ctx.db.read() as conn:
        mark = _watermark(conn, ctx.store.id, when)
        report = _compute(ctx, conn, when, "Z")
    with ctx.db.write() as conn:
        done = reports_db.closed_at(conn, ctx.store.id, when)
        if done is not None:
            data = reports_db.closed_report(conn, ctx.store.id, when) or {}
            raise _already_closed(ctx, when, done, data.get("closed_by"))
        if _watermark(conn, ctx.store.id, when) != mark:
            report = _compute(ctx, conn, when, "Z")  # a sale came in meanwhile
        counted = tally.total
        report = dataclasses.replace(
            report,
            closed_at=ctx.now(),
            closed_by=ctx.actor,
            cash_counted=counted,
            over_short=cash.over_short(counted, report.cash_expected) if counted is not None else None,
            cash_pieces=tally.pieces,
        )
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
    data["cash_pieces"] = {int(k): int(v) for k, v in (data.get("cash_pieces") or {}).items()}
    return DayReport(**data)


def _jsonable(report: DayReport) -> dict[str, Any]:
    data = dataclasses.asdict(report)
    data["business_date"] = report.business_date.isoformat()
    data["closed_at"] = report.closed_at.isoformat() if report.closed_at else None
    return data
