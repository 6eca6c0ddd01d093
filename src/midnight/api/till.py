"""Menu, orders, receipts and day reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status
from fastapi.responses import PlainTextResponse

from midnight.api.deps import CtxDep
from midnight.api.errors import ERROR_RESPONSES, TEXT_ROUTE_ERRORS
from midnight.api.models import DayPath, Id
from midnight.commands.fields import IdempotencyKey
from midnight.commands.till import (
    AddMenuItem,
    CloseDay,
    DayQuery,
    MenuQuery,
    OrderQuery,
    ParkedQuery,
    ParkOrder,
    PayOrder,
    PlaceOrder,
    RefundOrder,
    SetActive,
    SetMarkdown,
    SetPrice,
    SetTenderActive,
    TenderIn,
    TenderQuery,
    VoidOrder,
)
from midnight.db.paging import Page
from midnight.services import menu, orders, quotes, receipts, reports, tenders
from midnight.services.orders import OrderInfo

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["till"])
KeyHeader = Annotated[
    IdempotencyKey,
    Header(
        alias="Idempotency-Key",
        description="Chosen by the till; the same key with the same order returns the original and writes nothing.",
    ),
]


@router.get("/menu")
def list_menu(ctx: CtxDep, query: Annotated[MenuQuery, Query()]) -> Page[menu.MenuItemInfo]:
    return menu.list_menu(ctx, query)


@router.post("/menu", status_code=status.HTTP_201_CREATED)
def add_menu_item(ctx: CtxDep, body: AddMenuItem) -> menu.MenuItemInfo:
    """Add a menu item (owner)."""
    return menu.add_menu_item(ctx, body)


@router.get("/menu/{code}")
def get_menu_item(ctx: CtxDep, code: str) -> menu.MenuItemInfo:
    return menu.get_menu_item(ctx, code)


@router.put("/menu/{code}/price")
def set_price(ctx: CtxDep, code: str, body: SetPrice) -> menu.MenuItemInfo:
    """A new price from now on (owner); past orders keep theirs."""
    return menu.set_price(ctx, code, body)


@router.put("/menu/{code}/markdown")
def set_markdown(ctx: CtxDep, code: str, body: SetMarkdown) -> menu.MenuItemInfo:
    """The item's reduce-to-clear rule from now on (owner): `days` before a lot's date, `percent`
    off; both empty removes it. Only for an item that sells one product as is."""
    return menu.set_markdown(ctx, code, body)


@router.put("/menu/{code}/active")
def set_active(ctx: CtxDep, code: str, body: SetActive) -> menu.MenuItemInfo:
    """Put an item on or off sale (owner)."""
    return menu.set_active(ctx, code, body)


@router.post(
    "/orders",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "A retry: the original order"}},
)
def place_order(ctx: CtxDep, body: PlaceOrder, key: KeyHeader, response: Response) -> OrderInfo:
    """Ring up an order, and pay it at once if payments are given. Exactly once per Idempotency-Key."""
    order = orders.place_order(ctx, key, body)
    if order.replayed:
        response.status_code = status.HTTP_200_OK
    return order


@router.post(
    "/orders/park",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "A retry: the order as parked"}},
)
def park_order(ctx: CtxDep, body: ParkOrder, key: KeyHeader, response: Response) -> OrderInfo:
    """Park an order under a name or table to reopen and pay on any till. Under the key of an order
    parked before, its lines are replaced (give the `revision` you reopened: refused with 409 if another
    till changed it since). Pay it with POST /api/orders under the same key, or /api/orders/{id}/pay."""
    order = orders.park_order(ctx, key, body)
    if order.replayed:
        response.status_code = status.HTTP_200_OK
    return order


@router.get("/orders/parked")
def parked(ctx: CtxDep, query: Annotated[ParkedQuery, Query()]) -> Page[OrderInfo]:
    """Orders parked and not yet paid, the longest waiting first."""
    return orders.parked_orders(ctx, query)


@router.get("/tenders")
def get_tenders(ctx: CtxDep, query: Annotated[TenderQuery, Query()]) -> list[tenders.TenderInfo]:
    """Ways of paying besides cash and card (a handful, named by the owner)."""
    return tenders.list_tenders(ctx, include_inactive=query.include_inactive)


@router.post("/tenders", status_code=status.HTTP_201_CREATED)
def add_tender(ctx: CtxDep, body: TenderIn) -> tenders.TenderInfo:
    """Take a new way of paying: it pays exactly, no change (owner). Pay with it as
    `{"method": "other", "tender": "Octopus", "amount": "30"}`."""
    return tenders.add_tender(ctx, body)


@router.put("/tenders/{name}/active")
def set_tender_active(ctx: CtxDep, name: str, body: SetTenderActive) -> tenders.TenderInfo:
    """Stop or start taking a tender (owner); its past payments stay on record."""
    return tenders.set_tender_active(ctx, name, body)


@router.post("/orders/quote")
def quote_order(ctx: CtxDep, body: PlaceOrder) -> quotes.Quote:
    """What an order comes to if paid now, markdowns and discounts included; records nothing.

    Pass the quoted `total` as `expected_total` when paying: the payment is refused, not charged
    differently, if the order no longer comes to that amount.
    """
    return quotes.quote_order(ctx, body)


@router.get("/orders")
def get_orders(ctx: CtxDep, query: Annotated[OrderQuery, Query()]) -> Page[OrderInfo]:
    """Orders, newest first; filter by business date and state."""
    return orders.list_orders(ctx, query)


@router.get("/orders/{order_id}")
def one_order(ctx: CtxDep, order_id: Id) -> OrderInfo:
    return orders.get_order(ctx, order_id)


@router.post("/orders/{order_id}/pay")
def pay(ctx: CtxDep, order_id: Id, body: PayOrder) -> OrderInfo:
    """Pay an open order; paying again with the same payments is a harmless retry."""
    return orders.pay_order(ctx, order_id, body)


@router.post("/orders/{order_id}/refund")
def refund(ctx: CtxDep, order_id: Id, body: RefundOrder) -> OrderInfo:
    """Refund all or part of a paid order, the way it was paid (owner)."""
    return orders.refund_order(ctx, order_id, body)


@router.post("/orders/{order_id}/void")
def void(ctx: CtxDep, order_id: Id, body: VoidOrder) -> OrderInfo:
    return orders.void_order(ctx, order_id, body)


@router.get(
    "/orders/{order_id}/receipt",
    response_class=PlainTextResponse,
    responses={**TEXT_ROUTE_ERRORS, 200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def receipt(ctx: CtxDep, order_id: Id, width: Annotated[int, Query(description="58 or 80 (mm)")] = 80) -> str:
    return receipts.receipt(ctx, order_id, width)


@router.get("/reports/x")
def x_report(ctx: CtxDep, query: Annotated[DayQuery, Query()]) -> reports.DayReport:
    """The day so far (owner)."""
    return reports.x_report(ctx, query.date)


@router.post("/reports/z", status_code=status.HTTP_201_CREATED)
def close_day(ctx: CtxDep, body: CloseDay) -> reports.DayReport:
    """Close a day and record its Z report (owner); a day closes once."""
    return reports.close_day(ctx, body)


@router.get("/reports/z/{date}")
def z_report(ctx: CtxDep, date: DayPath) -> reports.DayReport:
    return reports.z_report(ctx, date)
