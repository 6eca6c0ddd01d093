"""What an export reads: one store's records of a period, streamed in key order from one snapshot.

Each query is bounded by the period along an index (movements by time, orders, payments and refunds
by business day), and rows are fetched a batch at a time, so an export of years holds one batch in
memory, never the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Select, func, select

from midnight.db import tables as t

BATCH = 1000

Query = Select[tuple[object, ...]]


# A business day's movements happen on its date or, after an early close of the day before, the
# evening before it (a sale after the Z report counts on the next day): never later than the day,
# and within this many days before it.
EARLIEST = dt.timedelta(days=7)


def _movements(store_id: int, *columns: Any) -> Select[tuple[object, ...]]:
    """A store's movements with the product and location each concerns (movements carry their store)."""
    m, lot = t.movements, t.lots
    return (
        select(*columns)
        .join(lot, lot.c.id == m.c.lot_id)
        .join(t.locations, t.locations.c.id == lot.c.location_id)
        .join(t.products, t.products.c.id == m.c.product_id)
        .where(m.c.store_id == store_id)
    )


def _ledger(store_id: int, start: dt.datetime, end: dt.datetime) -> Select[tuple[object, ...]]:
    """Movements in the instants that can hold the period's business days (the caller keeps those
    whose business day is in it): the day a movement counts on is its own (a write-off), its
    refund's or its order's; a delivery, a move or a count counts on its local date."""
    m, loc, p = t.movements, t.locations, t.products
    line, order, refund = t.order_lines, t.orders, t.refunds
    return (
        _movements(
            store_id,
            m.c.id,
            m.c.at,
            func.coalesce(m.c.business_date, refund.c.business_date, order.c.business_date).label(
                "business_date"
            ),
            m.c.kind,
            p.c.sku,
            p.c.name.label("product"),
            p.c.unit,
            m.c.lot_id,
            loc.c.name.label("location"),
            m.c.quantity,
            m.c.unit_cost,
            m.c.reason,
            m.c.reference,
            m.c.actor,
            m.c.reverses_id,
            m.c.order_line_id,
            m.c.refund_id,
        )
        .outerjoin(line, line.c.id == m.c.order_line_id)
        .outerjoin(order, order.c.id == line.c.order_id)
        .outerjoin(refund, refund.c.id == m.c.refund_id)
        .where(m.c.at >= start - EARLIEST, m.c.at < end)  # ix_movements_at
        .order_by(m.c.at, m.c.id)
    )


def _waste(store_id: int, first: dt.date, last: dt.date) -> Select[tuple[object, ...]]:
    m, lot, loc, p = t.movements, t.lots, t.locations, t.products
    return (
        _movements(
            store_id,
            m.c.id,
            m.c.at,
            m.c.business_date,
            p.c.sku,
            p.c.name.label("product"),
            p.c.unit,
            m.c.lot_id,
            loc.c.name.label("location"),
            lot.c.effective_expiry,
            (-m.c.quantity).label("quantity"),  # what was thrown away, as a positive amount
            m.c.unit_cost,
            m.c.reason,
            m.c.actor,
        )
        .where(m.c.kind == "waste", m.c.business_date.between(first, last))  # ix_movements_kind_business_date
        .order_by(m.c.business_date, m.c.id)
    )


def _orders(store_id: int, first: dt.date, last: dt.date) -> Select[tuple[object, ...]]:
    o = t.orders
    return (
        select(
            o.c.id,
            o.c.business_date,
            o.c.state,
            o.c.created_at,
            o.c.paid_at,
            o.c.voided_at,
            o.c.till,
            o.c.actor,
            o.c.gross,
            o.c.markdowns,
            o.c.line_discounts,
            o.c.order_discount,
            o.c.total,
            o.c.discount_reason,
            o.c.void_reason,
            o.c.offline_number,
            o.c.note,
        )
        .where(o.c.store_id == store_id, o.c.business_date.between(first, last))  # ix_orders_business_date
        .order_by(o.c.business_date, o.c.id)
    )


def _order_lines(store_id: int, first: dt.date, last: dt.date) -> Select[tuple[object, ...]]:
    o, ln, mi = t.orders, t.order_lines, t.menu_items
    return (
        select(
            ln.c.order_id,
            o.c.business_date,
            o.c.state,
            ln.c.line_no,
            mi.c.code,
            ln.c.name,
            ln.c.quantity,
            ln.c.unit_price,
            ln.c.gross,
            ln.c.markdown,
            ln.c.discount,
            ln.c.net,
            ln.c.discount_reason,
            ln.c.note,
        )
        .join(o, o.c.id == ln.c.order_id)
        .join(mi, mi.c.id == ln.c.menu_item_id)
        .where(o.c.store_id == store_id, o.c.business_date.between(first, last))
        .order_by(o.c.business_date, o.c.id, ln.c.line_no)
    )


def _payments(store_id: int, first: dt.date, last: dt.date) -> Select[tuple[object, ...]]:
    pay, o = t.payments, t.orders
    return (
        select(
            pay.c.id,
            pay.c.order_id,
            pay.c.business_date,
            pay.c.at,
            pay.c.method,
            pay.c.tender,
            pay.c.applied,
            pay.c.tendered,
            pay.c.change,
            pay.c.actor,
            pay.c.drawer_session_id,
        )
        .join(o, o.c.id == pay.c.order_id)
        .where(
            o.c.store_id == store_id, pay.c.business_date.between(first, last)
        )  # ix_payments_business_date
        .order_by(pay.c.business_date, pay.c.id)
    )


def _refunds(store_id: int, first: dt.date, last: dt.date) -> Select[tuple[object, ...]]:
    r, o = t.refunds, t.orders
    return (
        select(
            r.c.id,
            r.c.order_id,
            r.c.business_date,
            r.c.at,
            r.c.method,
            r.c.tender,
            r.c.amount,
            r.c.reason,
            r.c.actor,
            r.c.drawer_session_id,
        )
        .join(o, o.c.id == r.c.order_id)
        .where(o.c.store_id == store_id, r.c.business_date.between(first, last))  # ix_refunds_business_date
        .order_by(r.c.business_date, r.c.id)
    )


def _holds(start: dt.datetime, end: dt.datetime) -> Select[tuple[object, ...]]:
    h, c = t.holds, t.customers
    return (
        select(
            h.c.id,
            h.c.created_at,
            h.c.description,
            c.c.name.label("for_customer"),
            h.c.left_by,
            h.c.shelf_slot,
            h.c.hold_until,
            h.c.state,
            h.c.closed_at,
        )
        .join(c, c.c.id == h.c.for_customer_id)
        .where(h.c.created_at >= start, h.c.created_at < end)
        .order_by(h.c.created_at, h.c.id)
    )


def queries(
    store_id: int, first: dt.date, last: dt.date, start: dt.datetime, end: dt.datetime
) -> dict[str, Select[tuple[object, ...]]]:
    """Each file of an export and what it reads: business days first..last (the ledger: the instants
    that can hold them, start..end of the local days), or the items left on the shelf in start..end."""
    return {
        "ledger": _ledger(store_id, start, end),
        "waste": _waste(store_id, first, last),
        "orders": _orders(store_id, first, last),
        "order_lines": _order_lines(store_id, first, last),
        "payments": _payments(store_id, first, last),
        "refunds": _refunds(store_id, first, last),
        "holds": _holds(start, end),
    }


def count(conn: Connection, query: Select[tuple[object, ...]]) -> int:
    """How many rows a query will give (for the progress bar), along the same index."""
    return int(conn.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one())


def rows(conn: Connection, query: Select[tuple[object, ...]]) -> Iterator[dict[str, object]]:
    """The query's rows, fetched BATCH at a time (a server-side cursor on PostgreSQL)."""
    for row in conn.execution_options(yield_per=BATCH).execute(query):
        yield dict(row._mapping)
