"""Products and locations: what the shop stocks and where it sits."""

from __future__ import annotations

from midnight.commands.catalog import AddLocation, AddProduct, PageQuery, ProductSearch
from midnight.db import catalog as catalog_db
from midnight.db.catalog import Location
from midnight.db.paging import Page
from midnight.domain.people import Permission
from midnight.domain.product import Product
from midnight.services.context import Context

__all__ = [
    "Location",
    "add_location",
    "add_product",
    "get_product",
    "list_locations",
    "list_products",
    "search_products",
]


def new_product(cmd: AddProduct) -> Product:
    return Product(
        id=0,
        sku=cmd.sku,
        name=cmd.name,
        unit=cmd.unit,
        barcode=cmd.barcode,
        expiry_kind=cmd.expiry_kind,
        shelf_life_days=cmd.shelf_life_days,
        opened_shelf_life_days=cmd.opened_shelf_life_days,
        reorder_point=cmd.reorder_point,
    )


def add_product(ctx: Context, cmd: AddProduct) -> Product:
    """Register a product. SKU and barcode are unique; the barcode's check digit must be right."""
    ctx.require(Permission.CATALOG)
    with ctx.db.write() as conn:
        return catalog_db.insert_product(conn, catalog_db.new_product_values(new_product(cmd), ctx.now()))


def list_products(ctx: Context, query: PageQuery) -> Page[Product]:
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        return catalog_db.products(conn, cursor=query.cursor, limit=query.limit)


def search_products(ctx: Context, query: ProductSearch) -> Page[Product]:
    """Products whose name or SKU contains the text, whatever its case or width, by name."""
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        return catalog_db.search_products(conn, query.q, cursor=query.cursor, limit=query.limit)


def get_product(ctx: Context, code: str) -> Product:
    """A product by SKU or barcode."""
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        return catalog_db.product_by_code(conn, code)


def add_location(ctx: Context, cmd: AddLocation) -> Location:
    ctx.require(Permission.CATALOG)
    with ctx.db.write() as conn:
        return catalog_db.insert_location(conn, ctx.store.id, ctx.store.name, cmd.name, cmd.kind.value)


def list_locations(ctx: Context, query: PageQuery) -> Page[Location]:
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        return catalog_db.locations(
            conn, ctx.store.id, ctx.store.name, cursor=query.cursor, limit=query.limit
        )
