"""Reading orders back: lines, payments, refunds, as the till and the receipt show them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, bindparam, select

from midnight.db import tables as t
from midnight.domain.errors import InvalidInput, NotFound, parse_id
from midnight.domain.people import Permission
from midnight.domain.quantity import to_decimal
from midnight.services.context import Context


@dataclass(frozen=True)
class OrderLineInfo:
    line_no: int
    code: str
    name: str
    quantity: Decimal
    unit_price: int
    note: str
    gross: int
    markdown: int
    discount: int
    discount_reason: str | None
    net: int
    refunded: Decimal


@dataclass(frozen=True)
class PaymentInfo:
    method: str
    tendered: int
    applied: int
    change: int
    at: dt.datetime


@dataclass(frozen=True)
class RefundInfo:
    id: int
    method: str
    amount: int
    reason: str
    at: dt.datetime
    actor: str


@dataclass(frozen=True)
class OrderInfo:
    id: int
    idempotency_key: str
    state: str
    created_at: dt.datetime
    paid_at: dt.datetime | None
    business_date: dt.date | None
    actor: str
    note: str
    currency: str
    lines: list[OrderLineInfo]
    gross: int
    markdowns: int
    line_discounts: int
    order_discount: int
    discount_reason: str | None
    total: int
    payments: list[PaymentInfo]
    refunds: list[RefundInfo]
    void_reason: str | None
    replayed: bool  # True when this answers a retry: nothing new was written

    @property
    def change(self) -> int:
        return sum(p.change for p in self.payments)

    @property
    def refunded(self) -> int:
        return sum(r.amount for r in self.refunds)


_ORDER = select(t.orders).where(t.orders.c.id == bindparam("order_id"))
_REFUNDED = (
    select(t.refund_lines.c.order_line_id, t.refund_lines.c.quantity)
    .join(t.refunds, t.refunds.c.id == t.refund_lines.c.refund_id)
    .where(t.refunds.c.order_id == bindparam("order_id"))
)
_LINES = (
    select(t.order_lines, t.menu_items.c.code)
    .join(t.menu_items, t.menu_items.c.id == t.order_lines.c.menu_item_id)
    .where(t.order_lines.c.order_id == bindparam("order_id"))
    .order_by(t.order_lines.c.line_no)
)
_PAYMENTS = select(t.payments).where(t.payments.c.order_id == bindparam("order_id")).order_by(t.payments.c.id)
_REFUNDS = select(t.refunds).where(t.refunds.c.order_id == bindparam("order_id")).order_by(t.refunds.c.id)


def order_info(ctx: Context, conn: Connection, order_id: int, *, replayed: bool = False) -> OrderInfo:
    key = {"order_id": order_id}
    order = conn.execute(_ORDER, key).one()
    refunded: dict[int, int] = {}
    for line_id, quantity in conn.execute(_REFUNDED, key):
        refunded[line_id] = refunded.get(line_id, 0) + quantity
    lines = [
        OrderLineInfo(
            r.line_no,
            r.code,
            r.name,
            to_decimal(r.quantity),
            r.unit_price,
            r.note,
            r.gross,
            r.markdown,
            r.discount,
            r.discount_reason,
            r.net,
            to_decimal(refunded.get(r.id, 0)),
        )
        for r in conn.execute(_LINES, key)
    ]
    payments = [
        PaymentInfo(p.method, p.tendered, p.applied, p.change, p.at) for p in conn.execute(_PAYMENTS, key)
    ]
    refunds = [
        RefundInfo(r.id, r.method, r.amount, r.reason, r.at, r.actor) for r in conn.execute(_REFUNDS, key)
    ]
    return OrderInfo(
        id=order.id,
        idempotency_key=order.idempotency_key,
        state=order.state,
        created_at=order.created_at,
        paid_at=order.paid_at,
        business_date=order.business_date,
        actor=order.actor,
        note=order.note,
        currency=ctx.store.currency,
        lines=lines,
        gross=order.gross,
        markdowns=order.markdowns,
        line_discounts=order.line_discounts,
        order_discount=order.order_discount,
        discount_reason=order.discount_reason,
        total=order.total,
        payments=payments,
        refunds=refunds,
        void_reason=order.void_reason,
        replayed=replayed,
    )


def order_id_of(value: int | str) -> int:
    return parse_id(value, "order")


def get_order(ctx: Context, order_id: int | str) -> OrderInfo:
    ctx.require(Permission.SELL)
    key = order_id_of(order_id)
    with ctx.db.read() as conn:
        if conn.execute(select(t.orders.c.id).where(t.orders.c.id == key)).first() is None:
            raise NotFound(f"no order #{key}", field="order")
        return order_info(ctx, conn, key)


def list_orders(
    ctx: Context, *, business_date: dt.date | None = None, state: str | None = None, limit: int = 100
) -> list[OrderInfo]:
    ctx.require(Permission.SELL)
    if limit < 1 or limit > 1000:
        raise InvalidInput("limit must be between 1 and 1000", field="limit")
    query = select(t.orders.c.id).order_by(t.orders.c.id.desc()).limit(limit)
    if business_date is not None:
        query = query.where(t.orders.c.business_date == business_date)
    if state is not None:
        query = query.where(t.orders.c.state == state)
    with ctx.db.read() as conn:
        return [order_info(ctx, conn, order_id) for order_id in conn.execute(query).scalars()]
