"""Today's orders at the till: find one, reprint its receipt, refund it, void an unpaid one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from midnight.api.models import Id
from midnight.commands.till import OrderQuery, RefundOrder, VoidOrder
from midnight.domain.errors import InvalidInput, MidnightError
from midnight.domain.order import OrderState
from midnight.services import orders, receipts
from midnight.web import printing as printing_page
from midnight.web.core import check_csrf, form_command, page_context, redirect, render

router = APIRouter(include_in_schema=False)
ORDERS_PER_PAGE = 25
REFUND_FIELDS = {"lines", "reason", "restock", "method"}


@router.get("/till/orders", response_class=HTMLResponse)
def order_list(request: Request) -> HTMLResponse:
    """The business day's orders, newest first, a page at a time (any day by ?date=)."""
    ctx = page_context(request)
    params = dict(request.query_params)
    error = None
    try:
        day = form_command(OrderQuery, params, ("date",)).date or orders.business_day(ctx)
        query = form_command(
            OrderQuery, {**params, "date": day, "limit": str(ORDERS_PER_PAGE)}, ("date", "cursor", "limit")
        )
        page = orders.list_orders(ctx, query)
    except MidnightError as exc:
        error, day = exc.message, orders.business_day(ctx)
        page = orders.list_orders(ctx, OrderQuery(date=day, limit=ORDERS_PER_PAGE))
    unpaid = orders.list_orders(ctx, OrderQuery(state=OrderState.OPEN, limit=ORDERS_PER_PAGE)).items
    return render(
        request,
        "orders.html",
        ctx,
        day=day,
        unpaid=unpaid,
        orders=page.items,
        next_cursor=page.next_cursor,
        error=error,
        status_code=422 if error else 200,
    )


def _order_page(
    request: Request,
    order_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, object] | None = None,
    message: str | None = None,
    status_code: int = 200,
    printed: str = "",
) -> HTMLResponse:
    ctx = page_context(request)
    order = orders.get_order(ctx, order_id)
    print_targets, print_chosen = printing_page.targets(ctx, order)
    return render(
        request,
        "order.html",
        ctx,
        order=order,
        print_targets=print_targets,
        print_chosen=print_chosen,
        print_status=printing_page.status_of(ctx, printed),
        receipt=receipts.render(ctx, order, 80),
        refundable=order.state in (OrderState.PAID, OrderState.PARTLY_REFUNDED),
        voidable=order.state is OrderState.OPEN,
        errors=errors or {},
        values=values or {},
        message=message,
        status_code=status_code,
    )


@router.get("/till/orders/{order_id}", response_class=HTMLResponse)
def order_page(request: Request, order_id: Id) -> HTMLResponse:
    done = {"refund": "Refunded.", "cancel": "Voided."}.get(request.query_params.get("done", ""))
    return _order_page(request, order_id, message=done, printed=request.query_params.get("printed", ""))


@router.get("/till/orders/{order_id}/receipt", response_class=HTMLResponse)
def receipt_page(request: Request, order_id: Id, width: int = 80) -> HTMLResponse:
    """Just the receipt, sized for 58 or 80 mm paper, to print."""
    ctx = page_context(request)
    order = orders.get_order(ctx, order_id)
    try:
        text = receipts.render(ctx, order, width)
    except InvalidInput as exc:
        return render(request, "error.html", ctx, status_code=422, title="Not understood", text=exc.message)
    return render(request, "receipt.html", ctx, order=order, receipt=text, width=width)


@router.post("/till/orders/{order_id}/refund", response_model=None)
async def refund(request: Request, order_id: Id) -> Response:
    ctx = page_context(request)
    form = await request.form()
    values: dict[str, object] = {k: str(v) for k, v in form.items()}
    try:
        await check_csrf(request)
        lines = []
        for key, value in form.items():
            if key.startswith("line-") and str(value).strip() not in ("", "0"):
                lines.append({"line": key.removeprefix("line-"), "quantity": str(value).strip()})
        if not lines:
            raise InvalidInput("enter how many of which line to refund", field="lines")
        goods = str(form.get("goods") or "")
        if goods not in ("", "restock", "waste"):
            raise InvalidInput("choose what happens to the goods", field="restock")
        restock = {"restock": True, "waste": False}.get(goods)
        method, _, tender = str(form.get("method") or "").partition(":")
        cmd = form_command(
            RefundOrder,
            {
                "lines": lines,
                "reason": form.get("reason"),
                "method": method or None,
                "tender": tender or None,
                "restock": restock,
            },
        )
        orders.refund_order(ctx, order_id, cmd)
    except MidnightError as exc:
        field = exc.field or "_"
        if field.startswith("lines."):
            field = "lines"
        if field in ("tender", "payments"):
            field = "method"
        if field not in REFUND_FIELDS:
            field = "_"  # the form expired, the order changed, or it isn't theirs to refund: said on top
        return _order_page(
            request, order_id, errors={field: exc.message}, values=values, status_code=exc.http_status
        )
    return redirect(f"/till/orders/{order_id}?done=refund")


@router.post("/till/orders/{order_id}/void", response_model=None)
async def void(request: Request, order_id: Id) -> Response:
    ctx = page_context(request)
    form = await request.form()
    try:
        await check_csrf(request)
        orders.void_order(ctx, order_id, form_command(VoidOrder, {"reason": form.get("void_reason")}))
    except MidnightError as exc:
        return _order_page(
            request,
            order_id,
            errors={"void_reason" if exc.field == "reason" else "_": exc.message},
            values={"void_reason": str(form.get("void_reason") or "")},
            status_code=exc.http_status,
        )
    return redirect(f"/till/orders/{order_id}?done=cancel")
