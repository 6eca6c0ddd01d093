"""Products and locations: what the shop stocks and where it sits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Row, bindparam, func, insert, or_, select, tuple_, update

from midnight.db import paging
from midnight.db import tables as t
from midnight.domain.errors import Conflict, NotFound
from midnight.domain.product import ExpiryKind, Product, check_barcode, check_sku
from midnight.domain.text import fold


@dataclass(frozen=True)
class Location:
    id: int
    name: str
    kind: str
    store: str


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


def insert_product(conn: Connection, values: dict[str, object]) -> Product:
    """Insert a validated product, refusing a SKU or barcode that is already taken."""
    sku, barcode = values["sku"], values["barcode"]
    p = t.products.c
    if conn.execute(select(p.id).where(p.sku == sku)).first():
        raise Conflict(f"SKU {sku} already exists", field="sku")
    # A code names one product whether it is typed or scanned: a SKU may not be another's barcode.
    taken = conn.execute(select(p.sku).where(p.barcode == sku)).first()
    if taken:
        raise Conflict(f"SKU {sku} is the barcode of {taken.sku}; choose another SKU", field="sku")
    if barcode:
        clash = conn.execute(select(p.sku).where((p.barcode == barcode) | (p.sku == barcode))).first()
        if clash:
            raise Conflict(f"barcode {barcode} is already used by {clash.sku}", field="barcode")
    conn.execute(insert(t.products).values(**values, name_key=fold(str(values["name"]))))
    return product_by_sku(conn, str(sku))


def products(conn: Connection, *, cursor: str | None, limit: int) -> paging.Page[Product]:
    """Products by SKU, a page at a time."""
    query = select(t.products).order_by(t.products.c.sku).limit(limit + 1)
    if cursor is not None:
        (after,) = paging.decode("products", cursor, [str])
        query = query.where(t.products.c.sku > after)
    found = [product_from_row(row) for row in conn.execute(query)]
    return paging.page(found, limit, "products", lambda p: [p.sku])


def search_products(conn: Connection, text: str, *, cursor: str | None, limit: int) -> paging.Page[Product]:
    """Products whose folded name, SKU or barcode contains the folded `text`, by name, a page at a
    time: "milk", "MILK" and "ｍｉｌｋ" find Fresh milk, "菠蘿" finds 罐頭菠蘿, "pine" finds PINE-567."""
    p = t.products.c
    key = fold(text.strip())
    pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = (
        select(t.products)
        .where(
            or_(
                p.name_key.like(pattern, escape="\\"),
                func.lower(p.sku).like(pattern, escape="\\"),
                p.barcode.like(pattern, escape="\\"),
            )
        )
        .order_by(p.name_key, p.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        after = paging.decode("product-search", cursor, [str, int])
        query = query.where(tuple_(p.name_key, p.id) > tuple_(*after))
    rows = conn.execute(query).all()
    keys = {row.id: row.name_key for row in rows}
    found = [product_from_row(row) for row in rows]
    return paging.page(found, limit, "product-search", lambda product: [keys[product.id], product.id])


def location_id(conn: Connection, store_id: int, name: str) -> int:
    """A location by name, whatever its case (compared the Unicode way: "雪櫃", "Fridge")."""
    wanted = fold(str(name).strip())
    rows = conn.execute(
        select(t.locations.c.id, t.locations.c.name).where(t.locations.c.store_id == store_id)
    ).all()
    for row in rows:
        if fold(row.name) == wanted:
            return int(row.id)
    names = sorted(row.name for row in rows)
    known = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "") or "none"
    raise NotFound(f"unknown location {name!r} (known: {known})", field="location")


def insert_location(conn: Connection, store_id: int, store: str, name: str, kind: str) -> Location:
    existing = conn.execute(select(t.locations.c.name).where(t.locations.c.store_id == store_id)).scalars()
    if fold(name) in {fold(n) for n in existing}:
        raise Conflict(f"location {name!r} already exists", field="name")
    new_id = conn.execute(
        insert(t.locations).values(store_id=store_id, name=name, kind=kind)
    ).inserted_primary_key.id  # type: ignore[union-attr]
    return Location(int(new_id), name, kind, store)


def locations(
    conn: Connection, store_id: int, store: str, *, cursor: str | None, limit: int
) -> paging.Page[Location]:
    query = (
        select(t.locations.c.id, t.locations.c.name, t.locations.c.kind)
        .where(t.locations.c.store_id == store_id)
        .order_by(t.locations.c.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        (after,) = paging.decode("locations", cursor, [int])
        query = query.where(t.locations.c.id > after)
    found = [Location(r.id, r.name, r.kind, store) for r in conn.execute(query)]
    return paging.page(found, limit, "locations", lambda loc: [loc.id])


def new_product_values(product: Product, now: dt.datetime) -> dict[str, object]:
    return {
        "sku": product.sku,
        "name": product.name,
        "unit": product.unit,
        "barcode": product.barcode,
        "expiry_kind": product.expiry_kind.value,
        "shelf_life_days": product.shelf_life_days,
        "opened_shelf_life_days": product.opened_shelf_life_days,
        "reorder_point": product.reorder_point,
        "created_at": now,
    }


def set_service_level(conn: Connection, product_id: int, level: int | None) -> None:
    conn.execute(update(t.products).where(t.products.c.id == product_id).values(service_level=level))


def products_by_ids(conn: Connection, ids: Sequence[int]) -> dict[int, Product]:
    if not ids:
        return {}
    rows = conn.execute(select(t.products).where(t.products.c.id.in_(list(ids))))
    return {row.id: product_from_row(row) for row in rows}
