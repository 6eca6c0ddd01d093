"""Daily demand read from the ledger: per product, per local calendar date of the store.

The days are the store's local calendar dates (`domain.clock.start_of_day`, the rule that dates a
lot's expiry and a report's hours), handed to the database as a list of UTC ranges; each day's
movements are reached along `ix_movements_at` and added up in SQL, so a read costs what its window
holds (16 weeks and 28 days, say), never what years of history hold.

A menu item's recipe needs no exploding here: paying for a chef's salad already wrote one `sell`
movement per product its recipe draws (lettuce, ham, dressing), so the ledger *is* the exploded
demand, product by product. The kitchen's own use is a `use` movement. A refund gives stock back
with a `sell` movement carrying `refund_id`; it is taken off the demand of the day the refunded
sale was made (the customer did not want it after all), not the day of the refund. Splitting a lot
(`open`, `move`) nets to zero within a product and is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    and_,
    case,
    cast,
    column,
    func,
    literal_column,
    or_,
    select,
    values,
)

from midnight.db import tables as t
from midnight.db.types import UTCDateTime
from midnight.domain.clock import local_date, start_of_day
from midnight.domain.demand import LedgerDay, Trading
from midnight.domain.lot import MovementKind

_SPLITS = (MovementKind.OPEN.value, MovementKind.MOVE.value)
_DRAWS = (MovementKind.SELL.value, MovementKind.USE.value)


@dataclass(frozen=True)
class Ledger:
    """What the ledger says about some products over some days."""

    first: dt.date
    trading: list[Trading | None]  # per day: when the shop traded, None if it sold nothing
    days: dict[int, list[LedgerDay]]  # product id -> one entry per day
    on_hand_after: dict[int, int]  # product id -> milli-units held at the end of the last day


def unindexed(value: ColumnElement[int]) -> ColumnElement[int]:
    """The same number, but not a column an index can serve: `x + 0` keeps SQLite's planner on the
    time index (a window's range) rather than on an index of x (all of history for that x)."""
    return value + literal_column("0")


def _bounds(first: dt.date, count: int, tz: ZoneInfo) -> list[tuple[int, dt.datetime, dt.datetime]]:
    return [
        (
            n,
            start_of_day(first + dt.timedelta(days=n), tz),
            start_of_day(first + dt.timedelta(days=n + 1), tz),
        )
        for n in range(count)
    ]


def trading(conn: Connection, first: dt.date, count: int, tz: ZoneInfo) -> list[Trading | None]:
    """Each day's first and last sale of anything (None: a day it sold nothing), one window scan."""
    days = (
        values(column("n", Integer), column("starts", UTCDateTime), column("ends", UTCDateTime), name="days")
        .data(_bounds(first, count, tz))
        .cte("days")
    )
    m = t.movements.c
    # The kind is tested in the sums, not in WHERE: a WHERE on it would draw SQLite to the kind index
    # (every sale in history) instead of the day's range of ix_movements_at.
    sold_at = case((and_(m.kind == MovementKind.SELL.value, m.refund_id.is_(None), m.quantity < 0), m.at))
    rows = conn.execute(
        select(days.c.n, func.min(sold_at), func.max(sold_at))
        .select_from(days.join(t.movements, and_(m.at >= days.c.starts, m.at < days.c.ends)))
        .group_by(days.c.n)
    ).all()
    found: list[Trading | None] = [None] * count
    for n, opened, closed in rows:
        if opened is not None:
            found[int(n)] = Trading(opened, closed)
    return found


def _on_hand_at(conn: Connection, product_ids: Sequence[int], end: dt.datetime) -> dict[int, int]:
    """Each product's on-hand at `end`: what its lots hold now, less what moved in since."""
    lots, m = t.lots.c, t.movements.c
    held = {pid: 0 for pid in product_ids}
    for pid, quantity in conn.execute(
        select(lots.product_id, func.sum(lots.on_hand))
        .where(lots.product_id.in_(product_ids), t.HAS_STOCK)
        .group_by(lots.product_id)
    ):
        held[int(pid)] = int(quantity)
    # Every product's, filtered here: a product filter in SQL would draw SQLite to the product index.
    for pid, quantity in conn.execute(
        select(unindexed(m.product_id), func.sum(m.quantity))
        .where(m.at >= end, m.kind.not_in(_SPLITS))
        .group_by(unindexed(m.product_id))
    ):
        if int(pid) in held:
            held[int(pid)] -= int(quantity)
    return held


def _refunded(
    conn: Connection, product_ids: Sequence[int], start: dt.datetime
) -> list[tuple[int, int, dt.datetime | None]]:
    """Stock refunds gave back since `start`: product, milli-units, when the refunded sale was made."""
    r = t.movements.alias("r")
    s = t.movements.alias("s")
    sold_at = (
        select(func.min(s.c.at))
        .where(
            s.c.order_line_id == r.c.order_line_id,
            s.c.refund_id.is_(None),
            s.c.kind == MovementKind.SELL.value,
        )
        .scalar_subquery()
    )
    wanted = set(product_ids)
    rows = conn.execute(
        select(r.c.product_id, r.c.quantity, r.c.kind, sold_at).where(
            r.c.at >= start, unindexed(r.c.refund_id) > 0
        )
    ).all()
    return [
        (int(pid), int(q), when)
        for pid, q, kind, when in rows
        if kind == MovementKind.SELL.value and int(pid) in wanted
    ]


def ledger(conn: Connection, product_ids: Sequence[int], first: dt.date, count: int, tz: ZoneInfo) -> Ledger:
    """`count` local days from `first` for these products: demand, net movement and stock-outs.

    Four bounded reads: the shop's trading hours per day; the products' on-hand at the end of the
    window (lots now, less what moved in after it); the day-by-day sums in one statement; and the
    refunds given since the window began, dated by their sale.
    """
    hours = trading(conn, first, count, tz)
    bounds = _bounds(first, count, tz)
    start, end = bounds[0][1], bounds[-1][2]
    after = _on_hand_at(conn, product_ids, end)
    days = (
        values(
            column("n", Integer),
            column("starts", UTCDateTime),
            column("ends", UTCDateTime),
            column("opens", UTCDateTime),
            column("closes", UTCDateTime),
            name="days",
        )
        .data(
            [
                (n, s, e, h.opened if h else None, h.closed if h else None)
                for (n, s, e), h in zip(bounds, hours, strict=True)
            ]
        )
        .cte("days")
    )
    opens, closes = days.c.opens, days.c.closes
    if conn.dialect.name == "postgresql":
        # when no day in the window traded every value is NULL, and PostgreSQL would take the
        # columns for text (SQLite's CAST would turn the text it keeps times in into a number)
        opens, closes = cast(opens, UTCDateTime).label("opens"), cast(closes, UTCDateTime).label("closes")
    m = t.movements.c
    # Read from the end back: what a product held just after a movement is what it holds at the end
    # of the window less everything that moved after it (`since`, from SQL; the end, added here).
    # LAG in that order is the product's next movement, so [at, next_at) is how long it held that.
    newest_first = (m.at.desc(), m.id.desc())
    moves = (
        select(
            days.c.n,
            opens,
            closes,
            m.product_id,
            m.at,
            m.quantity,
            case((and_(m.kind.in_(_DRAWS), m.refund_id.is_(None)), -m.quantity), else_=0).label("drawn"),
            func.coalesce(
                func.sum(m.quantity).over(partition_by=m.product_id, order_by=newest_first, rows=(None, -1)),
                0,
            ).label("since"),
            func.lag(m.at, type_=UTCDateTime)
            .over(partition_by=m.product_id, order_by=newest_first)
            .label("next_at"),
        )
        .select_from(days.join(t.movements, and_(m.at >= days.c.starts, m.at < days.c.ends)))
        .where(unindexed(m.product_id).in_(product_ids), m.kind.not_in(_SPLITS))
        .cte("moves")
    )
    c = moves.c
    while_trading = and_(c.opens.is_not(None), c.at < c.closes, or_(c.next_at.is_(None), c.next_at > c.opens))
    rows = conn.execute(
        select(
            c.product_id,
            c.n,
            func.sum(c.drawn),
            func.sum(c.quantity),
            func.min(c.at),
            func.max(case((while_trading, c.since))),  # held = end - since: its lowest while trading
        ).group_by(c.product_id, c.n)
    ).all()
    found: dict[int, dict[int, LedgerDay]] = {pid: {} for pid in product_ids}
    for pid, n, drawn, net, first_at, most_since in rows:
        ran_out = most_since is not None and after[int(pid)] - int(most_since) <= 0
        found[int(pid)][int(n)] = LedgerDay(int(drawn), int(net), first_at, ran_out)
    for pid, quantity, sold_at in _refunded(conn, product_ids, start):
        if sold_at is None:
            continue
        n = (local_date(sold_at, tz) - first).days
        if 0 <= n < count and n in found[pid]:
            day = found[pid][n]
            found[pid][n] = LedgerDay(day.drawn - quantity, day.net, day.first_at, day.ran_out)
    return Ledger(
        first,
        hours,
        {pid: [by_day.get(n, LedgerDay()) for n in range(count)] for pid, by_day in found.items()},
        after,
    )


def product_count(conn: Connection) -> int:
    """How many products a forecast of every product covers (the catalogue is small)."""
    return int(conn.execute(select(func.count()).select_from(t.products)).scalar_one())
