"""The stock board: lots coloured by expiry, receiving, lot actions, a product's ledger."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from midnight.domain.errors import InvalidInput, MidnightError
from midnight.services import catalog, stock, views
from midnight.web.core import check_csrf, page_context, redirect, render

router = APIRouter(include_in_schema=False)


def _board(
    request: Request,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = page_context(request)
    location = request.query_params.get("location") or ""
    sku = request.query_params.get("sku") or ""
    lots = [lot for p in views.stock(ctx, sku or None) for lot in p.lots]
    lots.sort(key=lambda lot: (lot.effective_expiry, lot.received_at, lot.id))
    if location:
        lots = [lot for lot in lots if lot.location == location]
    return render(
        request,
        "stock.html",
        ctx,
        status_code=status_code,
        lots=lots,
        location=location,
        sku=sku,
        locations=catalog.list_locations(ctx),
        products=catalog.list_products(ctx),
        errors=errors or {},
        values=values or {"location": "shelf"},
        message=message,
    )


@router.get("/stock", response_class=HTMLResponse)
def board(request: Request) -> HTMLResponse:
    return _board(request)


@router.post("/stock/receive", response_model=None)
async def receive(request: Request) -> Response:
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    try:
        got = stock.receive(
            ctx,
            form.get("code", ""),
            form.get("quantity") or "1",
            expires=form.get("expires") or None,
            cost=form.get("cost") or "0",
            location=form.get("location") or "shelf",
            supplier=form.get("supplier"),
        )
    except MidnightError as exc:
        # The form has one box for SKU or barcode: errors about either belong next to it.
        field = {"sku": "code", "barcode": "code"}.get(exc.field or "_", exc.field or "_")
        return _board(request, errors={field: exc.message}, values=form, status_code=exc.http_status)
    return _board(
        request, message=f"Received lot {got.lot.id}: {got.lot.quantity} {got.lot.unit} of {got.lot.product}"
    )


@router.post("/stock/lots/{lot_id}", response_model=None)
async def lot_action(request: Request, lot_id: int) -> Response:
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    action, quantity, detail = form.get("action"), form.get("quantity") or None, form.get("detail") or ""
    try:
        if action == "use":
            lot = views.get_lot(ctx, lot_id)
            stock.use(ctx, lot.sku, quantity or "1")
        elif action == "open":
            stock.open_pack(ctx, lot_id, quantity)
        elif action == "move":
            stock.move(ctx, lot_id, quantity, detail)
        elif action == "waste":
            stock.write_off(ctx, lot_id, quantity, detail)
        elif action == "count":
            stock.count(ctx, lot_id, quantity or "")
        else:
            raise InvalidInput(f"unknown action {action!r}", field="action")
    except MidnightError as exc:
        return _board(
            request,
            errors={"_": exc.message},
            message=f"Lot {lot_id}: {exc.message}",
            status_code=exc.http_status,
        )
    return redirect("/stock")


@router.get("/stock/ledger", response_class=HTMLResponse)
def ledger(request: Request, sku: str) -> HTMLResponse:
    ctx = page_context(request)
    return render(request, "ledger.html", ctx, sku=sku, movements=views.ledger(ctx, sku, limit=200))
