"""Orders, their lines, payments and refunds; reading them back a page at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, bindparam, delete, func, insert, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from midnight.db import paging
from midnight.db import tables as t
from midnight.db.menu import recipes
from midnight.db.modifiers import delete_line_modifiers, line_modifiers
from midnight.db.types import AnyRow
from midnight.domain.errors import NotFound
from midnight.domain.lot import MovementKind
from midnight.domain.menu import sold_by_weight
from midnight.domain.money import to_decimal as money_decimal
from midnight.domain.order import Order, OrderState, SoldLine
from midnight.domain.pricing import Discount, DiscountKind, Method, Tender, Way
from midnight.domain.quantity import to_decimal


@dataclass(frozen=True)
class LineModifierInfo:
    code: str
    group: str
    name: str
    price_delta: int  # per unit, as it was sold


@dataclass(frozen=True)
class OrderLineInfo:
    line_no: int
    code: str
    name: str
    quantity: Decimal
    unit_price: int  # with its modifiers
    note: str
    gross: int
    markdown: int
    discount: int
    discount_reason: str | None
    net: int
    refunded: Decimal
    modifiers: list[LineModifierInfo]
    discount_value: str | None = None  # as it was asked: "10%" or "5.00" (a parked order reopens with it)

    @property
    def described(self) -> str:
        """The line's modifiers as a receipt or a ticket reads them: "Large, add egg"."""
        return ", ".join(m.name for m in self.modifiers)


@dataclass(frozen=True)
class PaymentInfo:
    method: str
    tendered: int
    applied: int
    change: int
    at: dt.datetime
    tender: str | None = None  # the owner's named tender of an "other" payment

    @property
    def label(self) -> str:
        return self.tender or self.method


@dataclass(frozen=True)
class RefundInfo:
    id: int
    method: str
    amount: int
    reason: str
    at: dt.datetime
    actor: str
    tender: str | None = None

    @property
    def label(self) -> str:
        return self.tender or self.method


@dataclass(frozen=True)
class OrderInfo:
    id: int
    idempotency_key: str
    state: OrderState
    created_at: dt.datetime
    entered_at: dt.datetime | None  # a sale made earlier (created_at): when it was entered
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
    call_number: int | None = None  # the number the customer is called by
    label: str | None = None  # a parked order's table or name
    parked_at: dt.datetime | None = None  # set while it waits, parked, to be reopened
    revision: int = 0
    till: str | None = None
    offline_number: str | None = None  # rung while offline: the number the till gave it
    discount_value: str | None = None  # the order discount as asked ("10%", "5.00")

    @property
    def change(self) -> int:
        return sum(p.change for p in self.payments)

    @property
    def refunded(self) -> int:
        return sum(r.amount for r in self.refunds)


def discount_columns(discount: Discount | None) -> dict[str, object]:
    if discount is None:
        return {"discount_kind": None, "discount_value": None, "discount_reason": None}
    value = int(discount.value * 100) if discount.kind is DiscountKind.PERCENT else int(discount.value)
    return {"discount_kind": discount.kind.value, "discount_value": value, "discount_reason": discount.reason}


def discount_from(kind: str | None, value: int | None, reason: str | None) -> Discount | None:
    if kind is None or value is None:
        return None
    k = DiscountKind(kind)
    return Discount(k, Decimal(value) / 100 if k is DiscountKind.PERCENT else Decimal(value), reason or "")


# Statements run on every order are built once (building costs more than running them).
_BY_KEY = select(t.orders.c.id, t.orders.c.request_hash).where(
    t.orders.c.store_id == bindparam("store_id"), t.orders.c.idempotency_key == bindparam("key")
)
_ORDER = select(t.orders).where(t.orders.c.id == bindparam("order_id"))
_INSERT_ORDER = insert(t.orders)
_INSERT_LINES = insert(t.order_lines)
_INSERT_PAYMENT = insert(t.payments)
_REPRICE_LINE = (
    update(t.order_lines)
    .where(t.order_lines.c.id == bindparam("line_id"))
    .values(markdown=bindparam("markdown"), discount=bindparam("discount"), net=bindparam("net"))
)
_MARK_PAID = (
    update(t.orders)
    .where(t.orders.c.id == bindparam("order_id"))
    .values(
        state=OrderState.PAID.value,
        parked_at=None,
        paid_at=bindparam("paid_at"),
        business_date=bindparam("day"),
        gross=bindparam("gross"),
        markdowns=bindparam("markdowns"),
        line_discounts=bindparam("line_discounts"),
        order_discount=bindparam("order_discount_"),
        total=bindparam("total"),
    )
)
_CLOSED_FROM = select(t.day_closes.c.business_date).where(
    t.day_closes.c.store_id == bindparam("store"), t.day_closes.c.business_date >= bindparam("today")
)
LINES_FOR_PAY = (
    select(
        t.order_lines,
        t.menu_items.c.code,
        t.menu_items.c.restockable,
        t.menu_items.c.markdown_days,
        t.menu_items.c.markdown_bp,
        t.menu_items.c.kitchen_station_id,
    )
    .join(t.menu_items, t.menu_items.c.id == t.order_lines.c.menu_item_id)
    .where(t.order_lines.c.order_id == bindparam("order_id"))
    .order_by(t.order_lines.c.line_no)
)


def order_by_key(conn: Connection, store_id: int, key: str) -> tuple[int, str] | None:
    """The order already recorded under an idempotency key, and its request's fingerprint."""
    row = conn.execute(_BY_KEY, {"store_id": store_id, "key": key}).first()
    return None if row is None else (int(row.id), str(row.request_hash))


def order_row(conn: Connection, order_id: int, *, for_update: bool = False) -> AnyRow:
    query = _ORDER.with_for_update() if for_update and conn.dialect.name != "sqlite" else _ORDER
    row = conn.execute(query, {"order_id": order_id}).first()
    if row is None:
        raise NotFound(f"no order #{order_id}", field="order")
    return row


def order(row: AnyRow) -> Order:
    return Order(row.id, OrderState(row.state), row.total, row.business_date)


_LINE_IDS = (
    select(t.order_lines.c.id)
    .where(t.order_lines.c.order_id == bindparam("order_id"))
    .order_by(t.order_lines.c.line_no)
)
_IS_PARKED = select(t.orders.c.parked_at).where(t.orders.c.id == bindparam("order_id"))


def insert_order(
    conn: Connection, values: dict[str, object], lines: list[dict[str, object]], *, want_ids: bool = False
) -> tuple[int, list[int]]:
    """The order and its lines; the lines' ids (in line order) if asked for (their modifiers need them)."""
    order_id = int(conn.execute(_INSERT_ORDER, values).inserted_primary_key.id)  # type: ignore[union-attr]
    store = values["store_id"]
    conn.execute(_INSERT_LINES, [{"store_id": store, "order_id": order_id, **line} for line in lines])
    return order_id, list(conn.execute(_LINE_IDS, {"order_id": order_id}).scalars()) if want_ids else []


def replace_lines(
    conn: Connection, order_id: int, lines: list[dict[str, object]], values: dict[str, object]
) -> list[int]:
    """An open order's lines replaced (a parked order changed: nothing was drawn or paid for them)."""
    old = list(conn.execute(_LINE_IDS, {"order_id": order_id}).scalars())
    delete_line_modifiers(conn, old)
    conn.execute(delete(t.order_lines).where(t.order_lines.c.order_id == order_id))
    store = conn.execute(select(t.orders.c.store_id).where(t.orders.c.id == order_id)).scalar_one()
    conn.execute(_INSERT_LINES, [{"store_id": store, "order_id": order_id, **line} for line in lines])
    conn.execute(update(t.orders).where(t.orders.c.id == order_id).values(**values))
    return list(conn.execute(_LINE_IDS, {"order_id": order_id}).scalars())


def is_parked(conn: Connection, order_id: int) -> bool:
    return conn.execute(_IS_PARKED, {"order_id": order_id}).scalar() is not None


def next_call_number(conn: Connection, store_id: int, day: dt.date) -> int:
    """The next number customers are called by on a business day: 1, 2, 3 … up to 999, then 1 again.

    One upsert, so two tills taking numbers at once (PostgreSQL) each get their own."""
    c = t.call_numbers.c
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(t.call_numbers)
        .values(store_id=store_id, business_date=day, last=1)
        .on_conflict_do_update(index_elements=[c.store_id, c.business_date], set_={"last": c.last + 1})
        .returning(c.last)
    )
    last = int(conn.execute(statement).scalar_one())
    return (last - 1) % CALL_NUMBERS + 1


CALL_NUMBERS = 999


def lines_for_pay(conn: Connection, order_id: int) -> list[AnyRow]:
    return list(conn.execute(LINES_FOR_PAY, {"order_id": order_id}).all())


def reprice_line(conn: Connection, line_id: int, markdown: int, discount: int, net: int) -> None:
    conn.execute(_REPRICE_LINE, {"line_id": line_id, "markdown": markdown, "discount": discount, "net": net})


def insert_payments(conn: Connection, store_id: int, rows: list[dict[str, object]]) -> None:
    """An order's payments, in its store."""
    if rows:  # an order that comes to nothing is paid with no payments
        conn.execute(_INSERT_PAYMENT, [{"store_id": store_id, **row} for row in rows])


def mark_paid(conn: Connection, order_id: int, values: dict[str, object]) -> None:
    conn.execute(_MARK_PAID, {"order_id": order_id, **values})


def recorded_tenders(conn: Connection, order_id: int) -> list[Tender]:
    rows = conn.execute(
        select(t.payments.c.method, t.payments.c.tendered, t.payments.c.tender)
        .where(t.payments.c.order_id == order_id)
        .order_by(t.payments.c.id)
    )
    return [Tender(Method(m), amount, name) for m, amount, name in rows]


def closed_days_from(conn: Connection, store_id: int, today: dt.date) -> set[dt.date]:
    return set(conn.execute(_CLOSED_FROM, {"store": store_id, "today": today}).scalars())


def set_state(conn: Connection, order_id: int, state: OrderState) -> None:
    conn.execute(update(t.orders).where(t.orders.c.id == order_id).values(state=state.value))


def mark_void(conn: Connection, order_id: int, at: dt.datetime, reason: str, day: dt.date) -> None:
    conn.execute(
        update(t.orders)
        .where(t.orders.c.id == order_id)
        .values(
            state=OrderState.VOID.value, voided_at=at, void_reason=reason, business_date=day, parked_at=None
        )
    )


# --- refunds --------------------------------------------------------------------------------------


def refunded_quantities(conn: Connection, order_id: int) -> dict[int, int]:
    return {
        line_id: int(q)
        for line_id, q in conn.execute(
            select(t.refund_lines.c.order_line_id, func.sum(t.refund_lines.c.quantity))
            .join(t.refunds, t.refunds.c.id == t.refund_lines.c.refund_id)
            .where(t.refunds.c.order_id == order_id)
            .group_by(t.refund_lines.c.order_line_id)
        )
    }


def lines_for_refund(conn: Connection, order_id: int) -> list[tuple[AnyRow, SoldLine]]:
    rows = conn.execute(
        select(t.order_lines, t.menu_items.c.restockable)
        .join(t.menu_items, t.menu_items.c.id == t.order_lines.c.menu_item_id)
        .where(t.order_lines.c.order_id == order_id)
        .order_by(t.order_lines.c.line_no)
    ).all()
    refunded = refunded_quantities(conn, order_id)
    recipe = recipes(conn, sorted({r.menu_item_id for r in rows}))
    return [
        (
            r,
            SoldLine(
                r.line_no,
                r.quantity,
                refunded.get(r.id, 0),
                r.net,
                not sold_by_weight(recipe[r.menu_item_id]),
            ),
        )
        for r in rows
    ]


def money_by_way(conn: Connection, order_id: int) -> tuple[dict[Way, int], dict[Way, int]]:
    """What the order was paid by each way (net of change), and what was refunded to each."""
    p, r = t.payments.c, t.refunds.c
    paid = {
        Way(Method(m), name): int(a)
        for m, name, a in conn.execute(
            select(p.method, p.tender, func.sum(p.applied))
            .where(p.order_id == order_id)
            .group_by(p.method, p.tender)
        )
    }
    refunded = {
        Way(Method(m), name): int(a)
        for m, name, a in conn.execute(
            select(r.method, r.tender, func.sum(r.amount))
            .where(r.order_id == order_id)
            .group_by(r.method, r.tender)
        )
    }
    return paid, refunded


def tenders(conn: Connection, store_id: int, *, active_only: bool) -> list[AnyRow]:
    """A store's named tenders, by name (a handful: the owner names them)."""
    query = select(t.tenders).where(t.tenders.c.store_id == store_id).order_by(t.tenders.c.name_key)
    if active_only:
        query = query.where(t.tenders.c.active.is_(True))
    return list(conn.execute(query).all())


def tender_by_key(conn: Connection, store_id: int, key: str) -> AnyRow | None:
    c = t.tenders.c
    return conn.execute(select(t.tenders).where(c.store_id == store_id, c.name_key == key)).first()


def insert_tender(conn: Connection, values: dict[str, object]) -> int:
    return int(conn.execute(insert(t.tenders).values(**values)).inserted_primary_key.id)  # type: ignore[union-attr]


def set_tender_active(conn: Connection, tender_id: int, active: bool) -> None:
    conn.execute(update(t.tenders).where(t.tenders.c.id == tender_id).values(active=active))


def insert_refund(conn: Connection, values: dict[str, object]) -> int:
    store = select(t.orders.c.store_id).where(t.orders.c.id == values["order_id"]).scalar_subquery()
    return int(conn.execute(insert(t.refunds).values(store_id=store, **values)).inserted_primary_key.id)  # type: ignore[union-attr]


def insert_refund_line(conn: Connection, refund_id: int, line_id: int, milli: int) -> None:
    store = select(t.refunds.c.store_id).where(t.refunds.c.id == refund_id).scalar_subquery()
    conn.execute(
        insert(t.refund_lines).values(
            store_id=store, refund_id=refund_id, order_line_id=line_id, quantity=milli
        )
    )


def drawn_for_line(conn: Connection, line_id: int) -> list[AnyRow]:
    """Stock a line drew and still keeps, per lot, the latest drawn first (what a refund gives back)."""
    m = t.movements.c
    return list(
        conn.execute(
            select(m.lot_id, m.product_id, m.unit_cost, func.sum(m.quantity).label("net"))
            .where(m.order_line_id == line_id, m.kind == MovementKind.SELL.value)
            .group_by(m.lot_id, m.product_id, m.unit_cost)
            .order_by(func.max(m.id).desc())
        ).all()
    )


def first_drawn(conn: Connection, line_id: int, product_id: int) -> int:
    """How much of a product the line drew when it was paid (before any refund)."""
    m = t.movements.c
    return -int(
        conn.execute(
            select(func.coalesce(func.sum(m.quantity), 0)).where(
                m.order_line_id == line_id, m.product_id == product_id, m.refund_id.is_(None)
            )
        ).scalar_one()
    )


# --- reading orders back --------------------------------------------------------------------------

_LINE_COLUMNS = (t.order_lines, t.menu_items.c.code)


def order_infos(
    conn: Connection, ids: list[int], currency: str, *, replayed: bool = False
) -> list[OrderInfo]:
    """Orders with their lines, payments and refunds, in the order given: four queries for any number."""
    if not ids:
        return []
    orders = {r.id: r for r in conn.execute(select(t.orders).where(t.orders.c.id.in_(ids)))}
    lines: dict[int, list[AnyRow]] = {i: [] for i in ids}
    for row in conn.execute(
        select(*_LINE_COLUMNS)
        .join(t.menu_items, t.menu_items.c.id == t.order_lines.c.menu_item_id)
        .where(t.order_lines.c.order_id.in_(ids))
        .order_by(t.order_lines.c.order_id, t.order_lines.c.line_no)
    ):
        lines[row.order_id].append(row)
    mods = line_modifiers(conn, [row.id for rows in lines.values() for row in rows])
    payments: dict[int, list[PaymentInfo]] = {i: [] for i in ids}
    for p in conn.execute(select(t.payments).where(t.payments.c.order_id.in_(ids)).order_by(t.payments.c.id)):
        payments[p.order_id].append(PaymentInfo(p.method, p.tendered, p.applied, p.change, p.at, p.tender))
    refunds: dict[int, list[RefundInfo]] = {i: [] for i in ids}
    refund_ids: list[int] = []
    for r in conn.execute(select(t.refunds).where(t.refunds.c.order_id.in_(ids)).order_by(t.refunds.c.id)):
        refunds[r.order_id].append(RefundInfo(r.id, r.method, r.amount, r.reason, r.at, r.actor, r.tender))
        refund_ids.append(r.id)
    refunded: dict[int, int] = {}
    if refund_ids:
        for line_id, milli in conn.execute(
            select(t.refund_lines.c.order_line_id, t.refund_lines.c.quantity).where(
                t.refund_lines.c.refund_id.in_(refund_ids)
            )
        ):
            refunded[line_id] = refunded.get(line_id, 0) + milli
    return [
        _order_info(orders[i], lines[i], mods, payments[i], refunds[i], refunded, currency, replayed)
        for i in ids
        if i in orders  # an id with no order is simply not there (order_info says NotFound)
    ]


def _order_info(
    order: AnyRow,
    lines: list[AnyRow],
    mods: dict[int, list[AnyRow]],
    payments: list[PaymentInfo],
    refunds: list[RefundInfo],
    refunded: dict[int, int],
    currency: str,
    replayed: bool,
) -> OrderInfo:
    return OrderInfo(
        id=order.id,
        idempotency_key=order.idempotency_key,
        state=OrderState(order.state),
        created_at=order.created_at,
        entered_at=order.entered_at,
        paid_at=order.paid_at,
        business_date=order.business_date,
        actor=order.actor,
        note=order.note,
        currency=currency,
        lines=[
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
                [LineModifierInfo(m.code, m.group_name, m.name, m.price_delta) for m in mods.get(r.id, [])],
                discount_text(r.discount_kind, r.discount_value, currency),
            )
            for r in lines
        ],
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
        call_number=order.call_number,
        label=order.label,
        parked_at=order.parked_at,
        revision=order.revision,
        till=order.till,
        offline_number=order.offline_number,
        discount_value=discount_text(order.discount_kind, order.discount_value, currency),
    )


def discount_text(kind: str | None, value: int | None, currency: str) -> str | None:
    """A discount as a till would ask for it again: "10%", or an amount ("5.00")."""
    if kind is None or value is None:
        return None
    if DiscountKind(kind) is DiscountKind.PERCENT:
        return f"{(Decimal(value) / 100).normalize():f}%"
    return str(money_decimal(value, currency))


def order_info(conn: Connection, order_id: int, currency: str, *, replayed: bool = False) -> OrderInfo:
    found = order_infos(conn, [order_id], currency, replayed=replayed)
    if not found:
        raise NotFound(f"no order #{order_id}", field="order")
    return found[0]


def orders(
    conn: Connection,
    store_id: int,
    *,
    business_date: dt.date | None,
    state: OrderState | None,
    currency: str,
    cursor: str | None,
    limit: int,
) -> paging.Page[OrderInfo]:
    """Orders newest first, filtered in the query, `limit` at a time (ix_orders_business_date,
    ix_orders_state_id or the primary key, each read in id order)."""
    o = t.orders.c
    query = select(o.id).where(o.store_id == store_id).order_by(o.id.desc()).limit(limit + 1)
    if business_date is not None:
        query = query.where(o.business_date == business_date)
    if state is not None:
        query = query.where(o.state == state.value)
    if cursor is not None:
        (before,) = paging.decode("orders", cursor, [int])
        query = query.where(o.id < before)
    ids = list(conn.execute(query).scalars())
    return paging.page(order_infos(conn, ids, currency), limit, "orders", lambda info: [info.id])


def parked(
    conn: Connection, store_id: int, currency: str, *, cursor: str | None, limit: int
) -> paging.Page[OrderInfo]:
    """Orders parked and not yet paid, oldest first, along ix_orders_parked."""
    o = t.orders.c
    query = (
        select(o.id, o.parked_at)
        .where(o.store_id == store_id, o.parked_at.is_not(None))
        .order_by(o.parked_at, o.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        after = paging.decode("parked", cursor, [dt.datetime, int])
        query = query.where(tuple_(o.parked_at, o.id) > tuple_(*after))
    ids = [row.id for row in conn.execute(query)]
    infos = order_infos(conn, ids, currency)
    return paging.page(
        infos,
        limit,
        "parked",
        lambda info: [info.parked_at or dt.datetime.min.replace(tzinfo=dt.UTC), info.id],
    )
