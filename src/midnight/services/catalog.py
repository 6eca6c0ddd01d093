"""Products and locations: what the shop stocks and where it sits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from midnight.db import repo
from midnight.db import tables as t
from midnight.domain.errors import Conflict, InvalidInput
from midnight.domain.people import Permission
from midnight.domain.product import (
    ExpiryKind,
    Product,
    check_barcode,
    check_days,
    check_name,
    check_sku,
    check_unit,
)
from midnight.domain.quantity import parse_quantity
from midnight.services.context import Context

LOCATION_KINDS = ("shelf", "fridge", "freezer", "store_room", "other")


def product_values(
    ctx: Context,
    sku: str,
    name: str,
    *,
    unit: str = "each",
    barcode: str | None = None,
    expiry_kind: str = "use_by",
    shelf_life_days: str | int | None = None,
    opened_shelf_life_days: str | int | None = None,
    reorder_point: str | None = None,
) -> dict[str, Any]:
    """Validate a new product's fields; the row to insert."""
    return {
        "sku": check_sku(sku),
        "name": check_name(name),
        "unit": check_unit(unit),
        "barcode": check_barcode(barcode),
        "expiry_kind": ExpiryKind.parse(expiry_kind).value,
        "shelf_life_days": check_days(shelf_life_days, field="shelf_life_days"),
        "opened_shelf_life_days": check_days(opened_shelf_life_days, field="opened_shelf_life_days"),
        "reorder_point": (
            parse_quantity(reorder_point, field="reorder_point", allow_zero=True)
            if reorder_point not in (None, "")
            else None
        ),
        "created_at": ctx.now(),
    }


def add_product(
    ctx: Context,
    sku: str,
    name: str,
    *,
    unit: str = "each",
    barcode: str | None = None,
    expiry_kind: str = "use_by",
    shelf_life_days: str | int | None = None,
    opened_shelf_life_days: str | int | None = None,
    reorder_point: str | None = None,
) -> Product:
    """Register a product. SKU and barcode are unique; the barcode's check digit must be right."""
    ctx.require(Permission.CATALOG)
    values = product_values(
        ctx,
        sku,
        name,
        unit=unit,
        barcode=barcode,
        expiry_kind=expiry_kind,
        shelf_life_days=shelf_life_days,
        opened_shelf_life_days=opened_shelf_life_days,
        reorder_point=reorder_point,
    )
    with ctx.db.write() as conn:
        return insert_product(conn, values)


def insert_product(conn: Connection, values: dict[str, Any]) -> Product:
    """Insert a validated product, refusing a SKU or barcode that is already taken."""
    sku, barcode = values["sku"], values["barcode"]
    if conn.execute(select(t.products.c.id).where(t.products.c.sku == sku)).first():
        raise Conflict(f"SKU {sku} already exists", field="sku")
    if barcode:
        clash = conn.execute(select(t.products.c.sku).where(t.products.c.barcode == barcode)).first()
        if clash:
            raise Conflict(f"barcode {barcode} is already used by {clash.sku}", field="barcode")
    conn.execute(insert(t.products).values(**values))
    return repo.product_by_sku(conn, sku)


def list_products(ctx: Context) -> list[Product]:
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        rows = conn.execute(select(t.products).order_by(t.products.c.sku)).all()
    return [repo.product_from_row(row) for row in rows]


def get_product(ctx: Context, code: str) -> Product:
    """A product by SKU or barcode."""
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        return repo.product_by_code(conn, code)


def add_location(ctx: Context, name: str, kind: str = "shelf") -> dict[str, object]:
    ctx.require(Permission.CATALOG)
    clean = str(name).strip()
    if not clean or len(clean) > 64:
        raise InvalidInput("location name must be 1-64 characters", field="name")
    kind_clean = str(kind).strip().lower().replace(" ", "_")
    if kind_clean not in LOCATION_KINDS:
        raise InvalidInput(
            f"location kind must be one of {', '.join(LOCATION_KINDS)}; got {kind!r}", field="kind"
        )
    store_id = ctx.store.id
    with ctx.db.write() as conn:
        existing = conn.execute(
            select(t.locations.c.name).where(t.locations.c.store_id == store_id)
        ).scalars()
        if clean.lower() in {n.lower() for n in existing}:
            raise Conflict(f"location {clean!r} already exists", field="name")
        new_id = conn.execute(
            insert(t.locations).values(store_id=store_id, name=clean, kind=kind_clean)
        ).inserted_primary_key[0]  # type: ignore[index]
    return {"id": new_id, "name": clean, "kind": kind_clean, "store": ctx.store.name}


def list_locations(ctx: Context) -> list[dict[str, object]]:
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        rows = conn.execute(
            select(t.locations.c.id, t.locations.c.name, t.locations.c.kind)
            .where(t.locations.c.store_id == ctx.store.id)
            .order_by(t.locations.c.id)
        ).all()
    return [{"id": r.id, "name": r.name, "kind": r.kind, "store": ctx.store.name} for r in rows]
