"""What people look at: stock on hand, the expiry board, the ledger. Every list is a page."""

from __future__ import annotations

import datetime as dt

from midnight.commands import build
from midnight.commands.catalog import BoardQuery, LedgerQuery, LotsQuery, PageQuery, StockQuery
from midnight.db import catalog as catalog_db
from midnight.db import stock as stock_db
from midnight.db.paging import Page
from midnight.db.stock import ExpiryCorrectionInfo, LotInfo, LotsPage, MovementInfo, ProductStock
from midnight.domain.people import Permission
from midnight.services.context import Context

__all__ = [
    "ExpiryCorrectionInfo",
    "LotInfo",
    "LotsPage",
    "MovementInfo",
    "ProductStock",
    "expiring",
    "expiry_corrections",
    "get_lot",
    "ledger",
    "lots",
    "product_stock",
    "stock",
]


def get_lot(ctx: Context, lot_id: int) -> LotInfo:
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        return stock_db.lot_info(conn, lot_id, ctx.today(), ctx.store.currency)


def stock(ctx: Context, query: StockQuery) -> Page[ProductStock]:
    """On hand per product and per lot, earliest expiry first within each product."""
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        product = catalog_db.product_by_code(conn, query.sku) if query.sku else None
        where = catalog_db.location_id(conn, ctx.store.id, query.location) if query.location else None
        return stock_db.stock(
            conn,
            product_id=product.id if product else None,
            location_id=where,
            today=ctx.today(),
            currency=ctx.store.currency,
            cursor=query.cursor,
            limit=query.limit,
        )


def lots(ctx: Context, query: LotsQuery) -> LotsPage:
    """The stock board: every lot holding stock, earliest effective expiry first, a page at a time
    (on with `cursor`, back with `before`), filtered in the query by product, location and state."""
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        product = catalog_db.product_by_code(conn, query.sku) if query.sku else None
        where = catalog_db.location_id(conn, ctx.store.id, query.location) if query.location else None
        return stock_db.lots_page(
            conn,
            product_id=product.id if product else None,
            location_id=where,
            status=query.state,
            today=ctx.today(),
            currency=ctx.store.currency,
            cursor=query.cursor,
            before=query.before,
            limit=query.limit,
        )


def expiry_corrections(ctx: Context, lot_id: int, query: PageQuery) -> Page[ExpiryCorrectionInfo]:
    """A lot's expiry corrections (who, when, from, to, why), newest first."""
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        stock_db.lot_by_id(conn, lot_id)  # a lot that does not exist is not found, not empty
        return stock_db.expiry_corrections(conn, lot_id, cursor=query.cursor, limit=query.limit)


def product_stock(ctx: Context, code: str) -> ProductStock:
    """One product (by SKU or barcode) with its stock and lots."""
    # build, not StockQuery(...): a code from a URL path is raw input, refused as InvalidInput (422).
    return stock(ctx, build(StockQuery, {"sku": code})).items[0]


def expiring(ctx: Context, query: BoardQuery) -> Page[LotInfo]:
    """The expiry board: lots past their date, due today and within `days`, earliest first."""
    ctx.require(Permission.READ_STOCK)
    today = ctx.today()
    with ctx.db.read() as conn:
        where = catalog_db.location_id(conn, ctx.store.id, query.location) if query.location else None
        return stock_db.board(
            conn,
            horizon=today + dt.timedelta(days=query.days),
            location_id=where,
            status=query.state,
            today=today,
            currency=ctx.store.currency,
            cursor=query.cursor,
            limit=query.limit,
        )


def ledger(ctx: Context, query: LedgerQuery) -> Page[MovementInfo]:
    """Movements, newest first; `cursor` pages back through older ones."""
    ctx.require(Permission.READ_STOCK)
    with ctx.db.read() as conn:
        product = catalog_db.product_by_code(conn, query.sku) if query.sku else None
        return stock_db.ledger(
            conn, product_id=product.id if product else None, cursor=query.cursor, limit=query.limit
        )
