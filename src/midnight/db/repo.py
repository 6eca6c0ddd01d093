"""Queries and writes the services share. Plain rows in, domain values out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    Row,
    Select,
    and_,
    bindparam,
    insert,
    literal_column,
    or_,
    select,
)

from midnight.db import tables as t
from midnight.domain.errors import NotFound, parse_id
from midnight.domain.lot import LotView
from midnight.domain.product import ExpiryKind, Product, check_barcode, check_sku


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


# Statements used on every sale are built once: building them costs more than running them.
_PRODUCT_BY_SKU = select(t.products).where(t.products.c.sku == bindparam("sku"))
_PRODUCT_BY_BARCODE = select(t.products).where(t.products.c.barcode == bindparam("barcode"))


def product_by_sku(conn: Connection, sku: str) -> Product:
    key = check_sku(sku)
    row = conn.execute(_PRODUCT_BY_SKU, {"sku": key}).first()
    if row is None:
        raise NotFound(f"unknown SKU {key}", field="sku")
    return product_from_row(row)


def product_by_code(conn: Connection, code: str) -> Product:
    """Find a product by SKU or, if the code is all digits, by barcode."""
    text = str(code).strip()
    if text.isdigit():
        row = conn.execute(_PRODUCT_BY_BARCODE, {"barcode": text}).first()
        if row is not None:
            return product_from_row(row)
        sku = conn.execute(_PRODUCT_BY_SKU, {"sku": text}).first()
        if sku is not None:
            return product_from_row(sku)
        if len(text) in (8, 12, 13):  # it looks like a scanned barcode: say what is wrong with it
            check_barcode(text)
            raise NotFound(f"no product has barcode {text}", field="sku")
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
    key = parse_id(lot_id, "lot")
    query = _lot_select().where(t.lots.c.id == key)
    if for_update:
        query = query.with_for_update(of=t.lots)
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no lot {key}", field="lot")
    return _lot_from_row(row)


_FEFO_ORDER = (t.lots.c.effective_expiry, t.lots.c.received_at, t.lots.c.id)
_SELLABLE_FILTER = or_(
    t.lots.c.effective_expiry >= bindparam("today", type_=Date),
    and_(
        t.products.c.expiry_kind == literal_column(f"'{ExpiryKind.BEST_BEFORE.value}'"),
        bindparam("past_ok", type_=Boolean),
    ),
)
_SELLABLE_BY_PRODUCT = (
    _lot_select()
    .where(t.lots.c.product_id == bindparam("product_id"), t.HAS_STOCK, _SELLABLE_FILTER)
    .order_by(*_FEFO_ORDER)
)
# One statement instead of two on the hot path: find the product and its lots together.
_SELLABLE_BY_SKU = (
    _lot_select()
    .where(t.products.c.sku == bindparam("sku"), t.HAS_STOCK, _SELLABLE_FILTER)
    .order_by(*_FEFO_ORDER)
)


def sellable_lots(
    conn: Connection,
    code: str,
    *,
    today: dt.date,
    allow_past_best_before: bool,
    enough: int,
    for_update: bool = False,
) -> tuple[Product | None, list[LotRecord]]:
    """Lots of a product that may be drawn today, in FEFO order, read along ix_lots_sellable.

    Reading stops once the lots read hold `enough`. The SQL filter only saves work: the domain
    still decides what is sellable. The product is returned only if it had to be looked up.
    """
    params: dict[str, object] = {"today": today, "past_ok": allow_past_best_before}
    product = None
    text = str(code).strip()
    if text.isdigit():  # a barcode (or an all-digit SKU): resolve it first
        product = product_by_code(conn, text)
        query, params["product_id"] = _SELLABLE_BY_PRODUCT, product.id
    else:
        query, params["sku"] = _SELLABLE_BY_SKU, check_sku(text)
    if for_update and conn.dialect.name != "sqlite":
        query = query.with_for_update(of=t.lots)
    lots, held = [], 0
    result = conn.execute(query, params)
    try:
        for row in result:
            lots.append(_lot_from_row(row))
            held += row.on_hand
            if held >= enough:
                break
    finally:
        result.close()
    if not lots and product is None:
        product = product_by_code(conn, text)  # unknown SKU, or simply nothing to sell
    return product, lots


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
    order_line_id: int | None = None
    refund_id: int | None = None


_INSERT_MOVEMENT = insert(t.movements)


def record(conn: Connection, movement: NewMovement, *, actor: str, recorded_at: dt.datetime) -> int:
    """Append one movement, in the caller's transaction.

    A trigger (migration 0001) adds it to the lot's cached on-hand in the same statement, and
    the CHECK constraint on lots.on_hand refuses anything that would go negative.
    """
    result = conn.execute(
        _INSERT_MOVEMENT,
        {
            "at": movement.at,
            "recorded_at": recorded_at,
            "kind": movement.kind,
            "lot_id": movement.lot_id,
            "product_id": movement.product_id,
            "quantity": movement.quantity,
            "unit_cost": movement.unit_cost,
            "reason": movement.reason,
            "reference": movement.reference,
            "actor": actor,
            "pair_id": movement.pair_id,
            "reverses_id": movement.reverses_id,
            "order_line_id": movement.order_line_id,
            "refund_id": movement.refund_id,
        },
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]
