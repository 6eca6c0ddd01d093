"""Products, locations, lots and the stock ledger."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from midnight.api.deps import CtxDep
from midnight.api.errors import ERROR_RESPONSES
from midnight.api.models import (
    MAX_ID,
    CountIn,
    DrawIn,
    Id,
    LocationIn,
    MoveIn,
    OpenIn,
    Page,
    ProductIn,
    ReceiveIn,
    WasteExpiredIn,
    WasteIn,
)
from midnight.api.paging import page
from midnight.domain.lot import ExpiryStatus
from midnight.domain.product import Product
from midnight.services import catalog, stock, views

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["stock"])
Limit = Annotated[int, Query(ge=1, le=1000)]


@router.get("/products", response_model=Page[Product])
def list_products(ctx: CtxDep, limit: Limit = 100, cursor: str | None = None) -> dict[str, Any]:
    """Products by SKU."""
    return page(catalog.list_products(ctx), lambda p: p.sku, limit, cursor)


@router.post("/products", status_code=status.HTTP_201_CREATED)
def add_product(ctx: CtxDep, body: ProductIn) -> Product:
    """Add a product (owner)."""
    return catalog.add_product(
        ctx,
        body.sku,
        body.name,
        unit=body.unit,
        barcode=body.barcode,
        expiry_kind=body.expiry_kind,
        shelf_life_days=body.shelf_life_days,
        opened_shelf_life_days=body.opened_shelf_life_days,
        reorder_point=None if body.reorder_point is None else str(body.reorder_point),
    )


@router.get("/products/{code}")
def get_product(ctx: CtxDep, code: str) -> views.ProductStock:
    """A product (by SKU or barcode) with its stock and lots."""
    return views.stock(ctx, catalog.get_product(ctx, code).sku)[0]


@router.get("/locations")
def list_locations(ctx: CtxDep) -> list[dict[str, Any]]:
    return catalog.list_locations(ctx)


@router.post("/locations", status_code=status.HTTP_201_CREATED)
def add_location(ctx: CtxDep, body: LocationIn) -> dict[str, Any]:
    """Add a location (owner)."""
    return catalog.add_location(ctx, body.name, body.kind)


@router.get("/stock", response_model=Page[views.ProductStock])
def get_stock(
    ctx: CtxDep, sku: str | None = None, limit: Limit = 100, cursor: str | None = None
) -> dict[str, Any]:
    """On hand per product and per lot, earliest expiry first."""
    return page(views.stock(ctx, sku), lambda p: p.sku, limit, cursor)


@router.get("/lots/{lot_id}")
def get_lot(ctx: CtxDep, lot_id: Id) -> views.LotInfo:
    return views.get_lot(ctx, lot_id)


@router.get("/expiring", response_model=Page[views.LotInfo])
def expiring(
    ctx: CtxDep,
    days: Annotated[int, Query(ge=0, le=365)] = 3,
    location: str | None = None,
    state: ExpiryStatus | None = None,
    limit: Limit = 1000,
) -> dict[str, Any]:
    """The expiry board: lots expired, due today and within `days`, earliest first."""
    lots = views.expiring(ctx, days, limit=limit)
    if location is not None:
        lots = [lot for lot in lots if lot.location.lower() == location.strip().lower()]
    if state is not None:
        lots = [lot for lot in lots if lot.status is state]
    return {"items": lots, "next_cursor": None}


@router.get("/movements", response_model=Page[views.MovementInfo])
def ledger(
    ctx: CtxDep,
    sku: str | None = None,
    limit: Limit = 100,
    cursor: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict[str, Any]:
    """The stock ledger, newest first; `cursor` is the id to continue below."""
    rows = views.ledger(ctx, sku, limit=limit + 1, before=cursor)
    more = len(rows) > limit
    return {"items": rows[:limit], "next_cursor": str(rows[limit - 1].id) if more else None}


@router.post("/stock/receive", status_code=status.HTTP_201_CREATED)
def receive(ctx: CtxDep, body: ReceiveIn) -> stock.Received:
    """A delivery arrives: a new lot."""
    return stock.receive(
        ctx,
        body.sku,
        body.quantity,
        expires=body.expires,
        cost=body.cost,
        location=body.location,
        supplier=body.supplier,
        received_on=body.received,
        reference=body.reference,
    )


@router.post("/stock/sell")
def sell(ctx: CtxDep, body: DrawIn) -> stock.Drawn:
    """Sell stock FEFO, all or nothing."""
    return stock.sell(
        ctx,
        body.sku,
        body.quantity,
        allow_past_best_before=body.allow_past_best_before,
        reference=body.reference,
    )


@router.post("/stock/use")
def use(ctx: CtxDep, body: DrawIn) -> stock.Drawn:
    """The kitchen uses stock FEFO, all or nothing."""
    return stock.use(
        ctx,
        body.sku,
        body.quantity,
        allow_past_best_before=body.allow_past_best_before,
        reference=body.reference,
    )


@router.post("/stock/write-off-expired")
def write_off_expired(ctx: CtxDep, body: WasteExpiredIn) -> list[stock.WrittenOff]:
    """Write off every use-by lot past its date (owner)."""
    return stock.write_off_expired(ctx, body.reason)


@router.post("/lots/{lot_id}/open", status_code=status.HTTP_201_CREATED)
def open_pack(ctx: CtxDep, lot_id: Id, body: OpenIn) -> views.LotInfo:
    return stock.open_pack(ctx, lot_id, body.quantity)


@router.post("/lots/{lot_id}/move", status_code=status.HTTP_201_CREATED)
def move(ctx: CtxDep, lot_id: Id, body: MoveIn) -> views.LotInfo:
    """Move some of a lot elsewhere (owner)."""
    return stock.move(ctx, lot_id, body.quantity, body.location)


@router.post("/lots/{lot_id}/waste")
def waste(ctx: CtxDep, lot_id: Id, body: WasteIn) -> stock.WrittenOff:
    """Write part of a lot off (owner)."""
    return stock.write_off(ctx, lot_id, body.quantity, body.reason)


@router.post("/lots/{lot_id}/count")
def count(ctx: CtxDep, lot_id: Id, body: CountIn) -> stock.Counted:
    """Stock take of a lot (owner)."""
    return stock.count(ctx, lot_id, body.quantity)


@router.post("/movements/{movement_id}/undo")
def undo(ctx: CtxDep, movement_id: Id) -> list[views.MovementInfo]:
    """Reverse a movement with opposite movements (owner)."""
    return stock.undo(ctx, movement_id)
