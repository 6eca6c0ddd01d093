"""Buying: suppliers and what they sell the shop, purchase orders (draft, send, cancel, CSV), and
receiving a delivery against one, scan by scan.

Managing suppliers and orders is the owner's (Permission.PURCHASE); reading orders and receiving
against them is anyone who receives stock. The services check both. A purchase order is named in the
path by its number (`12`) or as the supplier sees it (`PO-00012`); a supplier by its number or name.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Query, Response, status

from midnight.api.deps import CtxDep
from midnight.api.errors import ERROR_RESPONSES, TEXT_ROUTE_ERRORS
from midnight.commands import build
from midnight.commands.catalog import PageQuery
from midnight.commands.fields import IdempotencyKey
from midnight.commands.purchasing import (
    AddSupplier,
    CancelOrder,
    EditPurchaseOrder,
    EditSupplier,
    FinishReceiving,
    NewPurchaseOrder,
    OrderQuery,
    ReceiveAgainstOrder,
    RefuseDelivery,
    ServiceLevelIn,
    SetServiceLevel,
    SupplierQuery,
    SupplyProduct,
    SupplyTerms,
)
from midnight.db.paging import Page
from midnight.domain.errors import InvalidInput
from midnight.domain.purchasing import parse_order_number
from midnight.domain.quantity import to_decimal
from midnight.services import notify, purchase_orders, receiving, suppliers
from midnight.services import purchasing_views as shown

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["buying"])
KeyHeader = Annotated[
    IdempotencyKey | None,
    Header(
        alias="Idempotency-Key",
        description="Instead of the body's `key`: the same key makes one order, a retry answers it.",
    ),
]
CSV_FILE: dict[int | str, dict[str, object]] = {
    **TEXT_ROUTE_ERRORS,
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The order as CSV"},
}


def order_id(text: str) -> int:
    """`12`, `PO-00012` or `po12` -> 12 (422 on `order` otherwise)."""
    return parse_order_number(text)


# --- suppliers -------------------------------------------------------------------------------------


@router.get("/suppliers")
def list_suppliers(ctx: CtxDep, query: Annotated[SupplierQuery, Query()]) -> Page[shown.SupplierShown]:
    """Suppliers by name; `all=true` includes those no longer ordered from (owner)."""
    return shown.suppliers(suppliers.list_suppliers(ctx, query), ctx.store.currency)


@router.post("/suppliers", status_code=status.HTTP_201_CREATED)
def add_supplier(ctx: CtxDep, body: AddSupplier) -> shown.SupplierShown:
    """A supplier: delivery days, lead time, minimum order, where orders are sent (owner)."""
    return shown.supplier(suppliers.add_supplier(ctx, body), ctx.store.currency)


@router.get("/suppliers/{supplier}")
def get_supplier(
    ctx: CtxDep, supplier: str, query: Annotated[PageQuery, Query()]
) -> shown.SupplierDetailShown:
    """A supplier (by number or name) and a page of the products it sells the shop, by SKU (owner)."""
    return shown.supplier_detail(suppliers.supplier_detail(ctx, supplier, query), ctx.store.currency)


@router.patch("/suppliers/{supplier}")
def edit_supplier(ctx: CtxDep, supplier: str, body: EditSupplier) -> shown.SupplierShown:
    """Change what is given; `contacts` replaces the list, `"active": false` stops ordering (owner)."""
    return shown.supplier(suppliers.edit_supplier(ctx, supplier, body), ctx.store.currency)


@router.put("/suppliers/{supplier}/products/{sku}")
def supply_product(ctx: CtxDep, supplier: str, sku: str, body: SupplyTerms) -> shown.SuppliedShown:
    """The supplier sells the shop this product (SKU or barcode) in packs of `pack_size` units at
    `cost` a unit; again, its terms change (owner). Orders take its terms as they are then."""
    cmd = build(
        SupplyProduct,
        {
            "sku": sku,
            "pack_size": to_decimal(body.pack_size),  # parsed already: back to units to parse with the SKU
            "cost": body.cost,
            "supplier_code": body.supplier_code,
        },
    )
    return shown.supplied(suppliers.supply_product(ctx, supplier, cmd), ctx.store.currency)


@router.delete("/suppliers/{supplier}/products/{sku}", status_code=status.HTTP_204_NO_CONTENT)
def stop_supplying(ctx: CtxDep, supplier: str, sku: str) -> None:
    """The supplier no longer sells the shop this product (owner); orders made keep their lines."""
    suppliers.stop_supplying(ctx, supplier, sku)


@router.put("/products/{code}/service-level")
def set_service_level(ctx: CtxDep, code: str, body: SetServiceLevel) -> shown.ServiceLevelShown:
    """The share of demand a suggested order covers for this product, 50 to 99.5 percent; `null`:
    from its margin (owner)."""
    cmd = build(ServiceLevelIn, {"sku": code, "percent": body.percent})
    return shown.service_level(cmd.sku, suppliers.set_service_level(ctx, cmd))


# --- purchase orders -------------------------------------------------------------------------------


@router.get("/purchase-orders")
def list_orders(ctx: CtxDep, query: Annotated[OrderQuery, Query()]) -> Page[shown.OrderSummary]:
    """Purchase orders, newest first; `state` (draft, sent, partly_received, received, cancelled) and
    `supplier` filter in the query."""
    return shown.orders(purchase_orders.list_orders(ctx, query), ctx.store.currency)


@router.post("/purchase-orders", status_code=status.HTTP_201_CREATED)
def new_order(ctx: CtxDep, body: NewPurchaseOrder, key: KeyHeader = None) -> shown.OrderShown:
    """A draft for a supplier, for its next delivery day unless `delivery_date` is given (owner).
    With a `key` (in the body, or the `Idempotency-Key` header) a retry makes no second order: it
    answers the order the key made."""
    if key is not None:
        if body.key is not None and body.key != key:
            raise InvalidInput("the Idempotency-Key header and the body's key differ: give one", field="key")
        body = body.model_copy(update={"key": key})
    return shown.order(purchase_orders.new_order(ctx, body), ctx.store.currency)


@router.get("/purchase-orders/{order}")
def get_order(ctx: CtxDep, order: str) -> shown.OrderShown:
    """An order with its lines, history and what has arrived against it."""
    return shown.order(purchase_orders.order_detail(ctx, order_id(order)), ctx.store.currency)


@router.patch("/purchase-orders/{order}")
def edit_order(ctx: CtxDep, order: str, body: EditPurchaseOrder) -> shown.OrderShown:
    """Change a draft: each line given is set (quantity 0 removes it), and the date or note (owner).
    A sent order is refused with 409."""
    return shown.order(purchase_orders.edit_order(ctx, order_id(order), body), ctx.store.currency)


@router.get("/purchase-orders/{order}/csv", responses=CSV_FILE)
def order_csv(ctx: CtxDep, order: str) -> Response:
    """The order as the CSV file sent to the supplier: one row a line, quantities and money exact."""
    filename, text = purchase_orders.order_csv(ctx, order_id(order))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/purchase-orders/{order}/receipts")
def order_receipts(ctx: CtxDep, order: str, query: Annotated[PageQuery, Query()]) -> Page[shown.ReceiptShown]:
    """Everything scanned against an order, in the order it was scanned (past the detail's first 100)."""
    found = purchase_orders.order_receipts(ctx, order_id(order), query)
    return Page([shown.receipt(r) for r in found.items], found.next_cursor)


@router.get("/purchase-orders/{order}/deliveries")
def order_deliveries(ctx: CtxDep, order: str) -> list[notify.Delivery]:
    """Whether the supplier was reached: each message the order was sent with (one per address) and
    its state: pending (with its tries and last error), sent, failed, uncertain."""
    return purchase_orders.deliveries(ctx, order_id(order))


@router.post("/purchase-orders/{order}/send")
def send_order(ctx: CtxDep, order: str) -> shown.SentShown:
    """Send a draft (owner): queued to each of the supplier's contacts with the order attached as
    CSV; a supplier with no address is sent to by phone or on paper, and the order is marked sent."""
    return shown.sent(purchase_orders.send_order(ctx, order_id(order)), ctx.store.currency)


@router.post("/purchase-orders/{order}/cancel")
def cancel_order(ctx: CtxDep, order: str, body: CancelOrder) -> shown.OrderShown:
    """Cancel a draft or a sent order, with why (owner). Once part of it came, finish it instead."""
    return shown.order(purchase_orders.cancel_order(ctx, order_id(order), body), ctx.store.currency)


@router.post("/purchase-orders/{order}/receive", status_code=status.HTTP_201_CREATED)
def receive(ctx: CtxDep, order: str, body: ReceiveAgainstOrder) -> shown.TakenShown:
    """One scan at the door: a GS1 code fills the product, batch and date; a barcode or SKU names the
    product and `expires` is typed (or comes from its shelf life). Taken in as a lot, counted on the
    order's line; `warnings` says what is more than ordered or dated too close."""
    return shown.taken(receiving.receive(ctx, order_id(order), body), ctx.store.currency)


@router.post("/purchase-orders/{order}/refuse")
def refuse(ctx: CtxDep, order: str, body: RefuseDelivery) -> shown.OrderShown:
    """Something that came and is not taken in, with why: recorded against the order, no stock."""
    return shown.order(receiving.refuse(ctx, order_id(order), body), ctx.store.currency)


@router.post("/purchase-orders/{order}/finish")
def finish(
    ctx: CtxDep, order: str, body: Annotated[FinishReceiving | None, Body()] = None
) -> shown.FinishedShown:
    """Receiving is over: the order is received, and what did not come is short (`differences`)."""
    found = receiving.finish(ctx, order_id(order), body or FinishReceiving())
    return shown.finished(found, ctx.store.currency)
