"""Products, locations, lots and the stock ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from midnight.api.deps import CtxDep
from midnight.api.errors import ERROR_RESPONSES
from midnight.api.models import Id
from midnight.commands.catalog import AddLocation, AddProduct, BoardQuery, LedgerQuery, PageQuery, StockQuery
from midnight.commands.stock import (
    CountLot,
    DrawStock,
    MoveLot,
    OpenPack,
    ReceiveLot,
    WriteOff,
    WriteOffExpired,
)
from midnight.db.paging import Page
from midnight.domain.product import Product
from midnight.services import catalog, stock, views

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["stock"])


@router.get("/products")
def list_products(ctx: CtxDep, query: Annotated[PageQuery, Query()]) -> Page[Product]:
    """Products by SKU."""
    return catalog.list_products(ctx, query)


@router.post("/products", status_code=status.HTTP_201_CREATED)
def add_product(ctx: CtxDep, body: AddProduct) -> Product:
    """Add a product (owner)."""
    return catalog.add_product(ctx, body)


@router.get("/products/{code}")
def get_product(ctx: CtxDep, code: str) -> views.ProductStock:
    """A product (by SKU or barcode) with its stock and lots."""
    return views.product_stock(ctx, code)


@router.get("/locations")
def list_locations(ctx: CtxDep, query: Annotated[PageQuery, Query()]) -> Page[catalog.Location]:
    return catalog.list_locations(ctx, query)


@router.post("/locations", status_code=status.HTTP_201_CREATED)
def add_location(ctx: CtxDep, body: AddLocation) -> catalog.Location:
    """Add a location (owner)."""
    return catalog.add_location(ctx, body)


@router.get("/stock")
def get_stock(ctx: CtxDep, query: Annotated[StockQuery, Query()]) -> Page[views.ProductStock]:
    """On hand per product and per lot, earliest expiry first."""
    return views.stock(ctx, query)


@router.get("/lots/{lot_id}")
def get_lot(ctx: CtxDep, lot_id: Id) -> views.LotInfo:
    return views.get_lot(ctx, lot_id)


@router.get("/expiring")
def expiring(ctx: CtxDep, query: Annotated[BoardQuery, Query()]) -> Page[views.LotInfo]:
    """The expiry board: lots expired, due today and within `days`, earliest first."""
    return views.expiring(ctx, query)


@router.get("/movements")
def ledger(ctx: CtxDep, query: Annotated[LedgerQuery, Query()]) -> Page[views.MovementInfo]:
    """The stock ledger, newest first."""
    return views.ledger(ctx, query)


@router.post("/stock/receive", status_code=status.HTTP_201_CREATED)
def receive(ctx: CtxDep, body: ReceiveLot) -> stock.Received:
    """A delivery arrives: a new lot."""
    return stock.receive(ctx, body)


@router.post("/stock/sell")
def sell(ctx: CtxDep, body: DrawStock) -> stock.Drawn:
    """Sell stock FEFO, all or nothing."""
    return stock.sell(ctx, body)


@router.post("/stock/use")
def use(ctx: CtxDep, body: DrawStock) -> stock.Drawn:
    """The kitchen uses stock FEFO, all or nothing."""
    return stock.use(ctx, body)


@router.post("/stock/write-off-expired")
def write_off_expired(ctx: CtxDep, body: WriteOffExpired) -> list[stock.WrittenOff]:
    """Write off every use-by lot past its date (owner)."""
    return stock.write_off_expired(ctx, body)


@router.post("/lots/{lot_id}/open", status_code=status.HTTP_201_CREATED)
def open_pack(ctx: CtxDep, lot_id: Id, body: OpenPack) -> views.LotInfo:
    return stock.open_pack(ctx, lot_id, body)


@router.post("/lots/{lot_id}/move", status_code=status.HTTP_201_CREATED)
def move(ctx: CtxDep, lot_id: Id, body: MoveLot) -> views.LotInfo:
    """Move some of a lot elsewhere (owner)."""
    return stock.move(ctx, lot_id, body)


@router.post("/lots/{lot_id}/waste")
def waste(ctx: CtxDep, lot_id: Id, body: WriteOff) -> stock.WrittenOff:
    """Write part of a lot off (owner)."""
    return stock.write_off(ctx, lot_id, body)


@router.post("/lots/{lot_id}/count")
def count(ctx: CtxDep, lot_id: Id, body: CountLot) -> stock.Counted:
    """Stock take of a lot (owner)."""
    return stock.count(ctx, lot_id, body)


@router.post("/movements/{movement_id}/undo")
def undo(ctx: CtxDep, movement_id: Id) -> list[views.MovementInfo]:
    """Reverse a movement with opposite movements (owner)."""
    return stock.undo(ctx, movement_id)
