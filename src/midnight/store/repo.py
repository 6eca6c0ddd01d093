"""Queries and writes the services share. Plain rows in, domain values out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, Row, Select, insert, select, update

from midnight.domain.errors import InvalidInput, NotFound
from midnight.domain.lot import LotView
from midnight.domain.product import ExpiryKind, Product, check_sku
from midnight.store import tables as t


@dataclass(frozen=True)
class LotRecord:
    """A lot with what its movements need to know."""

    id: int
    product_id: int
    sku: str
    expiry_kind: ExpiryKind
    opened_shelf_life_days: int | None
    location_id: int
    supplier: str
    unit_cost: int
    received_at: dt.datetime
    expiry_date: dt.date
    opened_at: dt.datetime | None
    effective_expiry: dt.date
    on_hand: int

    def view(self) -> LotView:
        return LotView(self.id, self.on_hand, self.effective_expiry, self.received_at, self.expiry_kind)


def product_from_row(row: Row) -> Product:  # type: ignore[type-arg]
    return Product(
        id=row.id,
        sku=row.sku,
        name=row.name,
        unit=row.unit,
        barcode=row.barcode,
        expiry_kind=ExpiryKind(row.expiry_kind),
        shelf_life_days=row.shelf_life_days,
        opened_shelf_life_days=row.opened_shelf_life_days,
        reorder_point=row.reorder_point,
    )


def product_by_sku(conn: Connection, sku: str) -> Product:
    key = check_sku(sku)
    row = conn.execute(select(t.products).where(t.products.c.sku == key)).first()
    if row is None:
        raise NotFound(f"unknown SKU {key}", field="sku")
    return product_from_row(row)


def product_by_code(conn: Connection, code: str) -> Product:
    """Find a product by SKU or, if the code is all digits, by barcode."""
    text = str(code).strip()
    if text.isdigit():
        row = conn.execute(select(t.products).where(t.products.c.barcode == text)).first()
        if row is not None:
            return product_from_row(row)
    return product_by_sku(conn, text)


def location_id(conn: Connection, store_id: int, name: str) -> int:
    wanted = str(name).strip().lower()
    rows = conn.execute(
        select(t.locations.c.id, t.locations.c.name).where(t.locations.c.store_id == store_id)
    ).all()
    for row in rows:
        if row.name.lower() == wanted:
            return int(row.id)
    known = ", ".join(sorted(row.name for row in rows)) or "none"
    raise NotFound(f"unknown location {name!r} (known: {known})", field="location")


def _lot_select() -> Select:  # type: ignore[type-arg]
    return select(
        t.lots,
        t.products.c.sku,
        t.products.c.expiry_kind,
        t.products.c.opened_shelf_life_days,
    ).join(t.products, t.products.c.id == t.lots.c.product_id)


def _lot_from_row(row: Row) -> LotRecord:  # type: ignore[type-arg]
    return LotRecord(
        id=row.id,
        product_id=row.product_id,
        sku=row.sku,
        expiry_kind=ExpiryKind(row.expiry_kind),
        opened_shelf_life_days=row.opened_shelf_life_days,
        location_id=row.location_id,
        supplier=row.supplier,
        unit_cost=row.unit_cost,
        received_at=row.received_at,
        expiry_date=row.expiry_date,
        opened_at=row.opened_at,
        effective_expiry=row.effective_expiry,
        on_hand=row.on_hand,
    )


def lot_by_id(conn: Connection, lot_id: int | str, *, for_update: bool = False) -> LotRecord:
    try:
        key = int(str(lot_id).strip())
    except ValueError:
        raise InvalidInput(f"lot must be a lot number, got {lot_id!r}", field="lot") from None
    query = _lot_select().where(t.lots.c.id == key)
    if for_update:
        query = query.with_for_update(of=t.lots)
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no lot {key}", field="lot")
    return _lot_from_row(row)


def lots_with_stock(conn: Connection, product_id: int, *, for_update: bool = False) -> list[LotRecord]:
    """Every lot of a product that holds stock, FEFO order (uses ix_lots_sellable)."""
    query = (
        _lot_select()
        .where(t.lots.c.product_id == product_id, t.lots.c.on_hand > 0)
        .order_by(t.lots.c.effective_expiry, t.lots.c.received_at, t.lots.c.id)
    )
    if for_update:
        query = query.with_for_update(of=t.lots)
    return [_lot_from_row(row) for row in conn.execute(query)]


def insert_lot(
    conn: Connection,
    *,
    product_id: int,
    location_id: int,
    supplier: str,
    unit_cost: int,
    received_at: dt.datetime,
    expiry_date: dt.date,
    effective_expiry: dt.date,
    opened_at: dt.datetime | None = None,
    parent_lot_id: int | None = None,
) -> int:
    result = conn.execute(
        insert(t.lots).values(
            product_id=product_id,
            location_id=location_id,
            parent_lot_id=parent_lot_id,
            supplier=supplier,
            unit_cost=unit_cost,
            received_at=received_at,
            expiry_date=expiry_date,
            opened_at=opened_at,
            effective_expiry=effective_expiry,
            on_hand=0,
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


@dataclass(frozen=True)
class NewMovement:
    kind: str
    lot_id: int
    product_id: int
    quantity: int
    unit_cost: int
    at: dt.datetime
    reason: str = ""
    reference: str = ""
    pair_id: int | None = None
    reverses_id: int | None = None


def record(conn: Connection, movement: NewMovement, *, actor: str, recorded_at: dt.datetime) -> int:
    """Append one movement and apply it to the lot's cached on-hand, in the caller's transaction.

    The CHECK constraint on lots.on_hand refuses anything that would go negative.
    """
    result = conn.execute(
        insert(t.movements).values(
            at=movement.at,
            recorded_at=recorded_at,
            kind=movement.kind,
            lot_id=movement.lot_id,
            product_id=movement.product_id,
            quantity=movement.quantity,
            unit_cost=movement.unit_cost,
            reason=movement.reason,
            reference=movement.reference,
            actor=actor,
            pair_id=movement.pair_id,
            reverses_id=movement.reverses_id,
        )
    )
    if movement.quantity:
        conn.execute(
            update(t.lots)
            .where(t.lots.c.id == movement.lot_id)
            .values(on_hand=t.lots.c.on_hand + movement.quantity)
        )
    return int(result.inserted_primary_key[0])  # type: ignore[index]
