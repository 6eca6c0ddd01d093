"""Menu, orders, receipts and day reports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response, status
from fastapi.responses import PlainTextResponse

from midnight.api.deps import CtxDep
from midnight.api.errors import ERROR_RESPONSES, TEXT_ROUTE_ERRORS
from midnight.api.models import (
    MAX_ID,
    ActiveIn,
    CloseIn,
    Id,
    MenuItemIn,
    OrderIn,
    Page,
    PayIn,
    PriceIn,
    RefundIn,
    VoidIn,
)
from midnight.api.paging import page
from midnight.services import menu, orders, receipts, reports
from midnight.services.orderviews import OrderInfo, get_order, list_orders

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["till"])
Limit = Annotated[int, Query(ge=1, le=1000)]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        description="Chosen by the till; the same key with the same order returns the original and writes nothing.",
    ),
]


@router.get("/menu", response_model=Page[menu.MenuItemInfo])
def list_menu(
    ctx: CtxDep,
    all_items: Annotated[bool, Query(alias="all")] = False,
    limit: Limit = 200,
    cursor: str | None = None,
) -> dict[str, Any]:
    return page(menu.list_menu(ctx, include_inactive=all_items), lambda i: i.code, limit, cursor)


@router.post("/menu", status_code=status.HTTP_201_CREATED)
def add_menu_item(ctx: CtxDep, body: MenuItemIn) -> menu.MenuItemInfo:
    """Add a menu item (owner)."""
    return menu.add_menu_item(
        ctx,
        body.code,
        body.name,
        body.price,
        category=body.category,
        recipe=[(r.sku, str(r.quantity)) for r in body.recipe or []],
        product=body.product,
        restockable=body.restockable,
        markdown_days=body.markdown_days,
        markdown_percent=None if body.markdown_percent is None else str(body.markdown_percent),
    )


@router.get("/menu/{code}")
def get_menu_item(ctx: CtxDep, code: str) -> menu.MenuItemInfo:
    return menu.get_menu_item(ctx, code)


@router.put("/menu/{code}/price")
def set_price(ctx: CtxDep, code: str, body: PriceIn) -> menu.MenuItemInfo:
    """A new price from now on (owner); past orders keep theirs."""
    return menu.set_price(ctx, code, body.price)


@router.put("/menu/{code}/active")
def set_active(ctx: CtxDep, code: str, body: ActiveIn) -> menu.MenuItemInfo:
    """Put an item on or off sale (owner)."""
    return menu.set_active(ctx, code, body.active)


@router.post(
    "/orders",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "A retry: the original order"}},
)
def place_order(ctx: CtxDep, body: OrderIn, key: IdempotencyKey, response: Response) -> OrderInfo:
    """Ring up an order, and pay it at once if payments are given. Exactly once per Idempotency-Key."""
    order = orders.place_order(
        ctx,
        key,
        [
            orders.LineRequest(ln.code, ln.quantity, ln.note, ln.discount, ln.discount_reason)
            for ln in body.lines
        ],
        discount=body.discount,
        discount_reason=body.discount_reason,
        note=body.note,
        payments=[(p.method, p.amount) for p in body.payments] if body.payments else None,
    )
    if order.replayed:
        response.status_code = status.HTTP_200_OK
    return order


@router.get("/orders", response_model=Page[OrderInfo])
def get_orders(
    ctx: CtxDep,
    date: dt.date | None = None,
    state: str | None = None,
    limit: Limit = 50,
    cursor: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict[str, Any]:
    """Orders, newest first; filter by business date and state."""
    found = list_orders(ctx, business_date=date, state=state, limit=1000)
    if cursor is not None:
        found = [o for o in found if o.id < cursor]
    more = len(found) > limit
    return {"items": found[:limit], "next_cursor": str(found[limit - 1].id) if more else None}


@router.get("/orders/{order_id}")
def one_order(ctx: CtxDep, order_id: Id) -> OrderInfo:
    return get_order(ctx, order_id)


@router.post("/orders/{order_id}/pay")
def pay(ctx: CtxDep, order_id: Id, body: PayIn) -> OrderInfo:
    """Pay an open order; paying again with the same payments is a harmless retry."""
    return orders.pay_order(ctx, order_id, [(p.method, p.amount) for p in body.payments])


@router.post("/orders/{order_id}/refund")
def refund(ctx: CtxDep, order_id: Id, body: RefundIn) -> OrderInfo:
    """Refund all or part of a paid order (owner)."""
    lines = [(ln.line, ln.quantity) for ln in body.lines] if body.lines else None
    return orders.refund_order(ctx, order_id, lines=lines, method=body.method, reason=body.reason)


@router.post("/orders/{order_id}/void")
def void(ctx: CtxDep, order_id: Id, body: VoidIn) -> OrderInfo:
    return orders.void_order(ctx, order_id, body.reason)


@router.get(
    "/orders/{order_id}/receipt",
    response_class=PlainTextResponse,
    responses={**TEXT_ROUTE_ERRORS, 200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def receipt(ctx: CtxDep, order_id: Id, width: Annotated[int, Query(description="58 or 80 (mm)")] = 80) -> str:
    return receipts.receipt(ctx, order_id, width)


@router.get("/reports/x")
def x_report(ctx: CtxDep, date: dt.date | None = None) -> reports.DayReport:
    """The day so far (owner)."""
    return reports.x_report(ctx, date)


@router.post("/reports/z", status_code=status.HTTP_201_CREATED)
def close_day(ctx: CtxDep, body: CloseIn) -> reports.DayReport:
    """Close a day and record its Z report (owner); a day closes once."""
    return reports.close_day(ctx, body.date)


@router.get("/reports/z/{date}")
def z_report(ctx: CtxDep, date: dt.date) -> reports.DayReport:
    return reports.z_report(ctx, date)
