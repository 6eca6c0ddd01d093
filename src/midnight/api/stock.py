"""Products, locations, lots and the stock ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from midnight.api.deps import CtxDep
from midnight.api.errors import ERROR_RESPONSES
from midnight.api.models import Id
from midnight.commands.catalog import (
    AddLocation,
    AddProduct,
    BoardQuery,
    LedgerQuery,
    LotsQuery,
    PageQuery,
    ProductSearch,
    StockQuery,
)
from midnight.commands.stock import (
    CorrectExpiry,
    CountLot,
    DrawStock,
    ExpiredQuery,
    FindProduct,
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


@router.get("/search/products")
def search_products(ctx: CtxDep, query: Annotated[ProductSearch, Query()]) -> Page[Product]:
    """Products whose name or SKU contains `q`, whatever its case or width ("milk", "菠蘿"), by name."""
    return catalog.search_products(ctx, query)


@router.get("/receiving")
def receiving(ctx: CtxDep, query: Annotated[FindProduct, Query()]) -> stock.Receiving:
    """What receiving `code` would book: the product a barcode, SKU or name picks, and the expiry
    its shelf life gives today (or the products that match, to choose from). Books nothing."""
    return stock.find_for_receiving(ctx, query)


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


@router.get("/lots")
def list_lots(ctx: CtxDep, query: Annotated[LotsQuery, Query()]) -> views.LotsPage:
    """The stock board: lots holding stock, earliest expiry first; `cursor` pages on, `before` back."""
    return views.lots(ctx, query)


@router.get("/lots/{lot_id}")
def get_lot(ctx: CtxDep, lot_id: Id) -> views.LotInfo:
    return views.get_lot(ctx, lot_id)


@router.get("/lots/{lot_id}/expiry-corrections")
def expiry_corrections(
    ctx: CtxDep, lot_id: Id, query: Annotated[PageQuery, Query()]
) -> Page[views.ExpiryCorrectionInfo]:
    """A lot's expiry corrections (who, when, from, to, why), newest first."""
    return views.expiry_corrections(ctx, lot_id, query)


@router.post("/lots/{lot_id}/expiry")
def correct_expiry(ctx: CtxDep, lot_id: Id, body: CorrectExpiry) -> stock.Corrected:
    """Correct a lot's expiry date, as an audited event; the date as received is kept (owner)."""
    return stock.correct_lot_expiry(ctx, lot_id, body)


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


@router.get("/stock/expired")
def expired_stock(ctx: CtxDep, query: Annotated[ExpiredQuery, Query()]) -> stock.ExpiredStock:
    """What writing off everything expired would take: lots, units, cost, and the `check` to confirm
    it with (owner)."""
    return stock.expired_stock(ctx, query)


@router.post("/stock/write-off-expired")
def write_off_expired(ctx: CtxDep, body: WriteOffExpired) -> list[stock.WrittenOff]:
    """Write off every use-by lot past its date (best-before too if asked), in one transaction. With
    `expected` (the summary's `check`), refused if the expired stock changed since; run again, it
    finds nothing left and writes nothing (owner)."""
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
