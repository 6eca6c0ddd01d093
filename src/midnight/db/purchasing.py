"""Suppliers, what they sell the shop, purchase orders, their history and what arrived against them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Select, func, insert, select, update

from midnight.db import paging
from midnight.db import tables as t
from midnight.domain.errors import Conflict, NotFound
from midnight.domain.purchasing import OrderAction, OrderState, ReceiptKind, order_number, plain_number
from midnight.domain.text import fold


@dataclass(frozen=True)
class SupplierInfo:
    id: int
    name: str
    delivery_days: tuple[int, ...]
    lead_time_days: int
    minimum_order: int
    note: str
    language: str
    active: bool
    contacts: list[str]  # masked


@dataclass(frozen=True)
class SupplierProduct:
    id: int
    supplier_id: int
    product_id: int
    sku: str
    name: str
    unit: str
    pack_size: int
    unit_cost: int
    supplier_code: str


@dataclass(frozen=True)
class OrderLine:
    id: int
    product_id: int
    sku: str
    name: str
    unit: str
    quantity: int
    pack_size: int
    unit_cost: int
    supplier_code: str
    suggested: int | None
    received: int


@dataclass(frozen=True)
class OrderEvent:
    at: dt.datetime
    actor: str
    action: str
    detail: str


@dataclass(frozen=True)
class Receipt:
    id: int
    line_id: int | None
    product_id: int
    sku: str
    name: str
    lot_id: int | None
    kind: str
    quantity: int
    expiry_date: dt.date | None
    batch: str | None
    reason: str
    at: dt.datetime
    actor: str


@dataclass(frozen=True)
class OrderHead:
    id: int
    supplier_id: int
    supplier: str
    state: OrderState
    delivery_date: dt.date
    note: str
    created_at: dt.datetime
    created_by: str
    sent_at: dt.datetime | None
    closed_at: dt.datetime | None
    lines: int
    total: int  # ordered, at the order's unit costs


def _days(text: str) -> tuple[int, ...]:
    return tuple(int(d) for d in text.split(",") if d)


# --- suppliers ---------------------------------------------------------------------------------------


def insert_supplier(
    conn: Connection,
    *,
    name: str,
    delivery_days: Sequence[int],
    lead_time_days: int,
    minimum_order: int,
    note: str,
    language: str,
    now: dt.datetime,
) -> int:
    key = fold(name)
    if conn.execute(select(t.suppliers.c.id).where(t.suppliers.c.name_key == key)).first() is not None:
        raise Conflict(f"there is already a supplier called {name}", field="name")
    result = conn.execute(
        insert(t.suppliers).values(
            name=name,
            name_key=key,
            delivery_days=",".join(str(d) for d in delivery_days),
            lead_time_days=lead_time_days,
            minimum_order=minimum_order,
            note=note,
            language=language,
            active=True,
            created_at=now,
        )
    )
    return int(result.inserted_primary_key.id)  # type: ignore[union-attr]


def update_supplier(conn: Connection, supplier_id: int, values: dict[str, object]) -> None:
    if "delivery_days" in values:
        values = {**values, "delivery_days": ",".join(str(d) for d in values["delivery_days"])}  # type: ignore[attr-defined]
    if "name" in values:
        key = fold(str(values["name"]))
        s = t.suppliers.c
        taken = conn.execute(select(s.id).where(s.name_key == key, s.id != supplier_id)).first()
        if taken is not None:
            raise Conflict(f"there is already a supplier called {values['name']}", field="name")
        values = {**values, "name_key": key}
    conn.execute(update(t.suppliers).where(t.suppliers.c.id == supplier_id).values(**values))


def supplier_id_by_name(conn: Connection, name: str) -> int:
    """A supplier by its number or name (any case)."""
    s = t.suppliers.c
    text = str(name).strip()
    number = plain_number(text)  # a supplier's name is never all digits (check_supplier_name)
    if number is not None:
        row = conn.execute(select(s.id).where(s.id == number)).first()
        if row is None:
            raise NotFound(f"no supplier number {number}", field="supplier")
        return int(row.id)
    row = conn.execute(select(s.id).where(s.name_key == fold(text))).first()
    if row is None:
        raise NotFound(f"no supplier is called {text[:60]!r}", field="supplier")
    return int(row.id)


def supplier(conn: Connection, supplier_id: int, *, for_update: bool = False) -> SupplierInfo:
    query = select(t.suppliers).where(t.suppliers.c.id == supplier_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no supplier {supplier_id}", field="supplier")
    return _supplier(row, contacts_of(conn, [supplier_id]).get(supplier_id, []))


def _supplier(row: object, contacts: list[str]) -> SupplierInfo:
    return SupplierInfo(
        row.id,  # type: ignore[attr-defined]
        row.name,  # type: ignore[attr-defined]
        _days(row.delivery_days),  # type: ignore[attr-defined]
        row.lead_time_days,  # type: ignore[attr-defined]
        row.minimum_order,  # type: ignore[attr-defined]
        row.note,  # type: ignore[attr-defined]
        row.language,  # type: ignore[attr-defined]
        row.active,  # type: ignore[attr-defined]
        contacts,
    )


def contacts_of(conn: Connection, supplier_ids: list[int]) -> dict[int, list[str]]:
    c = t.supplier_contacts.c
    found: dict[int, list[str]] = {}
    if supplier_ids:
        for row in conn.execute(
            select(c.supplier_id, c.display).where(c.supplier_id.in_(supplier_ids)).order_by(c.id)
        ):
            found.setdefault(row.supplier_id, []).append(row.display)
    return found


def sealed_contacts(conn: Connection, supplier_id: int) -> list[tuple[str, str]]:
    c = t.supplier_contacts.c
    rows = conn.execute(select(c.url, c.display).where(c.supplier_id == supplier_id).order_by(c.id))
    return [(r.url, r.display) for r in rows]


def replace_contacts(conn: Connection, supplier_id: int, contacts: list[tuple[str, str]]) -> None:
    conn.execute(t.supplier_contacts.delete().where(t.supplier_contacts.c.supplier_id == supplier_id))
    for url, display in contacts:
        conn.execute(insert(t.supplier_contacts).values(supplier_id=supplier_id, url=url, display=display))


def suppliers(
    conn: Connection, *, active_only: bool, cursor: str | None, limit: int
) -> paging.Page[SupplierInfo]:
    s = t.suppliers.c
    query = select(t.suppliers).order_by(s.name_key, s.id).limit(limit + 1)
    if active_only:
        query = query.where(s.active.is_(True))
    if cursor is not None:
        key, after = paging.decode("suppliers", cursor, [str, int])
        query = query.where((s.name_key > key) | ((s.name_key == key) & (s.id > after)))
    rows = list(conn.execute(query))
    contacts = contacts_of(conn, [r.id for r in rows[:limit]])
    found = [_supplier(r, contacts.get(r.id, [])) for r in rows]
    return paging.page(found, limit, "suppliers", lambda x: [fold(x.name), x.id])


# --- what a supplier sells -------------------------------------------------------------------------


def _supplier_product_select() -> Select:  # type: ignore[type-arg]
    sp, p = t.supplier_products.c, t.products.c
    return select(
        sp.id,
        sp.supplier_id,
        sp.product_id,
        p.sku,
        p.name,
        p.unit,
        sp.pack_size,
        sp.unit_cost,
        sp.supplier_code,
    ).join(t.products, p.id == sp.product_id)


def _supplier_product(row: object) -> SupplierProduct:
    return SupplierProduct(*row)  # type: ignore[misc]


def set_supplier_product(
    conn: Connection, supplier_id: int, product_id: int, *, pack_size: int, unit_cost: int, supplier_code: str
) -> None:
    sp = t.supplier_products.c
    values = {"pack_size": pack_size, "unit_cost": unit_cost, "supplier_code": supplier_code}
    done = conn.execute(
        update(t.supplier_products)
        .where(sp.supplier_id == supplier_id, sp.product_id == product_id)
        .values(**values)
    )
    if done.rowcount == 0:
        conn.execute(
            insert(t.supplier_products).values(supplier_id=supplier_id, product_id=product_id, **values)
        )


def remove_supplier_product(conn: Connection, supplier_id: int, product_id: int) -> None:
    sp = t.supplier_products.c
    done = conn.execute(
        t.supplier_products.delete().where(sp.supplier_id == supplier_id, sp.product_id == product_id)
    )
    if done.rowcount == 0:
        raise NotFound("the supplier does not sell that product", field="sku")


def supplier_product(conn: Connection, supplier_id: int, product_id: int) -> SupplierProduct | None:
    sp = t.supplier_products.c
    row = conn.execute(
        _supplier_product_select().where(sp.supplier_id == supplier_id, sp.product_id == product_id)
    ).first()
    return None if row is None else _supplier_product(row)


def supplier_products(
    conn: Connection, supplier_id: int, *, cursor: str | None, limit: int
) -> paging.Page[SupplierProduct]:
    sp, p = t.supplier_products.c, t.products.c
    query = _supplier_product_select().where(sp.supplier_id == supplier_id).order_by(p.sku).limit(limit + 1)
    if cursor is not None:
        (after,) = paging.decode("supplier products", cursor, [str])
        query = query.where(p.sku > after)
    found = [_supplier_product(r) for r in conn.execute(query)]
    return paging.page(found, limit, "supplier products", lambda x: [x.sku])


def all_supplier_products(conn: Connection, supplier_id: int, limit: int) -> list[SupplierProduct]:
    """Everything a supplier sells the shop, up to `limit` (suggestions read one supplier at a time)."""
    sp, p = t.supplier_products.c, t.products.c
    query = _supplier_product_select().where(sp.supplier_id == supplier_id).order_by(p.sku).limit(limit)
    return [_supplier_product(r) for r in conn.execute(query)]


# --- purchase orders ---------------------------------------------------------------------------------


def insert_order(
    conn: Connection,
    *,
    supplier_id: int,
    delivery_date: dt.date,
    note: str,
    actor: str,
    now: dt.datetime,
    key: str | None,
    request_hash: str | None = None,
) -> int:
    result = conn.execute(
        insert(t.purchase_orders).values(
            supplier_id=supplier_id,
            state=OrderState.DRAFT.value,
            delivery_date=delivery_date,
            note=note,
            created_at=now,
            created_by=actor,
            idempotency_key=key,
            request_hash=request_hash,
        )
    )
    return int(result.inserted_primary_key.id)  # type: ignore[union-attr]


def order_by_key(conn: Connection, key: str, request_hash: str) -> int | None:
    """The order made under this key, if the request is the one it was made for; another request
    under the same key is refused (a caller must never take someone else's order for its own)."""
    po = t.purchase_orders.c
    row = conn.execute(select(po.id, po.request_hash).where(po.idempotency_key == key)).first()
    if row is None:
        return None
    if row.request_hash is not None and row.request_hash != request_hash:
        raise Conflict(
            f"the key {key[:40]!r} was used for another request ({order_number(int(row.id))}): "
            "use a new key for a new order",
            field="key",
        )
    return int(row.id)


def _head_select() -> Select:  # type: ignore[type-arg]
    po, s, ln = t.purchase_orders.c, t.suppliers.c, t.purchase_order_lines.c
    totals = (
        select(
            ln.purchase_order_id.label("order_id"),
            func.count().label("lines"),
            # each line's cost rounded half up, as domain.money.cost_of does (integer division on both)
            func.coalesce(func.sum((ln.quantity * ln.unit_cost + 500) // 1000), 0).label("total"),
        )
        .group_by(ln.purchase_order_id)
        .subquery()
    )
    return (
        select(
            po.id,
            po.supplier_id,
            s.name.label("supplier"),
            po.state,
            po.delivery_date,
            po.note,
            po.created_at,
            po.created_by,
            po.sent_at,
            po.closed_at,
            func.coalesce(totals.c.lines, 0).label("lines"),
            func.coalesce(totals.c.total, 0).label("total"),
        )
        .join(t.suppliers, s.id == po.supplier_id)
        .outerjoin(totals, totals.c.order_id == po.id)
    )


def _head(row: object) -> OrderHead:
    r = row
    return OrderHead(
        r.id,  # type: ignore[attr-defined]
        r.supplier_id,  # type: ignore[attr-defined]
        r.supplier,  # type: ignore[attr-defined]
        OrderState(r.state),  # type: ignore[attr-defined]
        r.delivery_date,  # type: ignore[attr-defined]
        r.note,  # type: ignore[attr-defined]
        r.created_at,  # type: ignore[attr-defined]
        r.created_by,  # type: ignore[attr-defined]
        r.sent_at,  # type: ignore[attr-defined]
        r.closed_at,  # type: ignore[attr-defined]
        int(r.lines),  # type: ignore[attr-defined]
        int(r.total),  # type: ignore[attr-defined]
    )


def order_state(conn: Connection, order_id: int, *, for_update: bool = False) -> tuple[OrderState, int]:
    """The order's state and supplier, locked on PostgreSQL when it is about to change."""
    po = t.purchase_orders.c
    query = select(po.state, po.supplier_id).where(po.id == order_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no purchase order {order_id}", field="order")
    return OrderState(row.state), int(row.supplier_id)


def order_head(conn: Connection, order_id: int) -> OrderHead:
    row = conn.execute(_head_select().where(t.purchase_orders.c.id == order_id)).first()
    if row is None:
        raise NotFound(f"no purchase order {order_id}", field="order")
    return _head(row)


def orders(
    conn: Connection,
    *,
    state: OrderState | None,
    supplier_id: int | None,
    cursor: str | None,
    limit: int,
) -> paging.Page[OrderHead]:
    """Newest first."""
    po = t.purchase_orders.c
    query = _head_select().order_by(po.id.desc()).limit(limit + 1)
    if state is not None:
        query = query.where(po.state == state.value)
    if supplier_id is not None:
        query = query.where(po.supplier_id == supplier_id)
    if cursor is not None:
        (before,) = paging.decode("purchase orders", cursor, [int])
        query = query.where(po.id < before)
    found = [_head(r) for r in conn.execute(query)]
    return paging.page(found, limit, "purchase orders", lambda x: [x.id])


def set_state(
    conn: Connection,
    order_id: int,
    state: OrderState,
    *,
    sent_at: dt.datetime | None = None,
    closed_at: dt.datetime | None = None,
) -> None:
    values: dict[str, object] = {"state": state.value}
    if sent_at is not None:
        values["sent_at"] = sent_at
    if closed_at is not None:
        values["closed_at"] = closed_at
    conn.execute(update(t.purchase_orders).where(t.purchase_orders.c.id == order_id).values(**values))


def set_delivery(conn: Connection, order_id: int, day: dt.date, note: str | None) -> None:
    values: dict[str, object] = {"delivery_date": day}
    if note is not None:
        values["note"] = note
    conn.execute(update(t.purchase_orders).where(t.purchase_orders.c.id == order_id).values(**values))


def _line_select() -> Select:  # type: ignore[type-arg]
    ln, p = t.purchase_order_lines.c, t.products.c
    return select(
        ln.id,
        ln.product_id,
        p.sku,
        p.name,
        p.unit,
        ln.quantity,
        ln.pack_size,
        ln.unit_cost,
        ln.supplier_code,
        ln.suggested,
        ln.received,
    ).join(t.products, p.id == ln.product_id)


def lines(conn: Connection, order_id: int) -> list[OrderLine]:
    """An order's lines (at most MAX_LINES: a draft refuses more), by SKU."""
    ln, p = t.purchase_order_lines.c, t.products.c
    query = _line_select().where(ln.purchase_order_id == order_id).order_by(p.sku)
    return [OrderLine(*r) for r in conn.execute(query)]


def line_for(conn: Connection, order_id: int, product_id: int) -> OrderLine | None:
    ln = t.purchase_order_lines.c
    row = conn.execute(
        _line_select().where(ln.purchase_order_id == order_id, ln.product_id == product_id)
    ).first()
    return None if row is None else OrderLine(*row)


def line_count(conn: Connection, order_id: int) -> int:
    ln = t.purchase_order_lines.c
    return int(conn.execute(select(func.count()).where(ln.purchase_order_id == order_id)).scalar_one())


def set_line(
    conn: Connection,
    order_id: int,
    item: SupplierProduct,
    quantity: int,
    suggested: int | None,
) -> None:
    ln = t.purchase_order_lines.c
    values = {
        "quantity": quantity,
        "pack_size": item.pack_size,
        "unit_cost": item.unit_cost,
        "supplier_code": item.supplier_code,
        "suggested": suggested,
    }
    done = conn.execute(
        update(t.purchase_order_lines)
        .where(ln.purchase_order_id == order_id, ln.product_id == item.product_id)
        .values(**values)
    )
    if done.rowcount == 0:
        conn.execute(
            insert(t.purchase_order_lines).values(
                purchase_order_id=order_id, product_id=item.product_id, received=0, **values
            )
        )


def remove_line(conn: Connection, order_id: int, product_id: int) -> None:
    ln = t.purchase_order_lines.c
    done = conn.execute(
        t.purchase_order_lines.delete().where(ln.purchase_order_id == order_id, ln.product_id == product_id)
    )
    if done.rowcount == 0:
        raise NotFound("the order has no line for that product", field="sku")


def add_received(conn: Connection, line_id: int, quantity: int) -> None:
    ln = t.purchase_order_lines.c
    conn.execute(
        update(t.purchase_order_lines).where(ln.id == line_id).values(received=ln.received + quantity)
    )


def record_event(
    conn: Connection, order_id: int, action: OrderAction, detail: str, *, actor: str, at: dt.datetime
) -> None:
    conn.execute(
        insert(t.purchase_order_events).values(
            purchase_order_id=order_id, at=at, actor=actor, action=action.value, detail=detail
        )
    )


def events(conn: Connection, order_id: int, limit: int) -> list[OrderEvent]:
    """The order's history, oldest first (its last `limit` steps)."""
    e = t.purchase_order_events.c
    rows = conn.execute(
        select(e.at, e.actor, e.action, e.detail)
        .where(e.purchase_order_id == order_id)
        .order_by(e.id.desc())
        .limit(limit)
    )
    return [OrderEvent(*r) for r in reversed(list(rows))]


def record_receipt(
    conn: Connection,
    *,
    store_id: int,
    order_id: int,
    line_id: int | None,
    product_id: int,
    lot_id: int | None,
    kind: ReceiptKind,
    quantity: int,
    expiry_date: dt.date | None,
    batch: str | None,
    reason: str,
    actor: str,
    at: dt.datetime,
) -> int:
    result = conn.execute(
        insert(t.purchase_receipts).values(
            store_id=store_id,
            purchase_order_id=order_id,
            line_id=line_id,
            product_id=product_id,
            lot_id=lot_id,
            kind=kind.value,
            quantity=quantity,
            expiry_date=expiry_date,
            batch=batch,
            reason=reason,
            at=at,
            actor=actor,
        )
    )
    return int(result.inserted_primary_key.id)  # type: ignore[union-attr]


def refused_by_product(conn: Connection, order_id: int) -> dict[int, int]:
    """Thousandths refused at the door against an order, by product (one row per product refused)."""
    r = t.purchase_receipts.c
    rows = conn.execute(
        select(r.product_id, func.sum(r.quantity))
        .where(r.purchase_order_id == order_id, r.kind == ReceiptKind.REFUSED.value)
        .group_by(r.product_id)
    )
    return {int(pid): int(total) for pid, total in rows}


def receipts(conn: Connection, order_id: int, *, cursor: str | None, limit: int) -> paging.Page[Receipt]:
    """What arrived against an order, scan by scan, in the order it was scanned."""
    r, p = t.purchase_receipts.c, t.products.c
    query = (
        select(
            r.id,
            r.line_id,
            r.product_id,
            p.sku,
            p.name,
            r.lot_id,
            r.kind,
            r.quantity,
            r.expiry_date,
            r.batch,
            r.reason,
            r.at,
            r.actor,
        )
        .join(t.products, p.id == r.product_id)
        .where(r.purchase_order_id == order_id)
        .order_by(r.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        (after,) = paging.decode("receipts", cursor, [int])
        query = query.where(r.id > after)
    found = [Receipt(*row) for row in conn.execute(query)]  # type: ignore[call-arg]
    return paging.page(found, limit, "receipts", lambda x: [x.id])
