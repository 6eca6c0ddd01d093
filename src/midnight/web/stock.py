"""The stock board: lots coloured by expiry, receiving, lot actions, a product's ledger."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from midnight.api.models import Id
from midnight.commands.catalog import LedgerQuery, PageQuery, StockQuery
from midnight.commands.stock import CountLot, DrawStock, MoveLot, OpenPack, ReceiveLot, WriteOff
from midnight.domain.errors import InvalidInput, MidnightError
from midnight.services import catalog, stock, views
from midnight.web.core import check_csrf, form_command, page_context, redirect, render

router = APIRouter(include_in_schema=False)
PRODUCTS_PER_PAGE = 50


def _board(
    request: Request,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = page_context(request)
    params = dict(request.query_params)
    location, sku = params.get("location") or "", params.get("sku") or ""
    page = views.stock(
        ctx,
        form_command(
            StockQuery, {**params, "limit": str(PRODUCTS_PER_PAGE)}, ("location", "sku", "cursor", "limit")
        ),
    )
    lots = [lot for p in page.items for lot in p.lots]
    lots.sort(key=lambda lot: (lot.effective_expiry, lot.received_at, lot.id))
    return render(
        request,
        "stock.html",
        ctx,
        status_code=status_code,
        lots=lots,
        next_cursor=page.next_cursor,
        location=location,
        sku=sku,
        locations=catalog.list_locations(ctx, PageQuery()).items,
        products=catalog.list_products(ctx, PageQuery(limit=1000)).items,
        errors=errors or {},
        values=values or {"location": "shelf"},
        message=message,
    )


@router.get("/stock", response_class=HTMLResponse)
def board(request: Request) -> HTMLResponse:
    received = request.query_params.get("received", "")
    if received.isdigit() and received.isascii() and 0 < int(received) < 2**53:
        lot = views.get_lot(page_context(request), int(received))
        return _board(request, message=f"Received lot {lot.id}: {lot.quantity} {lot.unit} of {lot.product}")
    return _board(request)


@router.post("/stock/receive", response_model=None)
async def receive(request: Request) -> Response:
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    try:
        fields = {**form, "sku": form.get("code", "")}
        got = stock.receive(
            ctx,
            form_command(ReceiveLot, fields, ("sku", "quantity", "expires", "cost", "location", "supplier")),
        )
    except MidnightError as exc:
        # The form has one box for SKU or barcode: errors about either belong next to it.
        field = {"sku": "code", "barcode": "code"}.get(exc.field or "_", exc.field or "_")
        return _board(request, errors={field: exc.message}, values=form, status_code=exc.http_status)
    # Redirected, so a reload shows the board again instead of receiving the delivery twice.
    return redirect(f"/stock?received={got.lot.id}")


@router.post("/stock/lots/{lot_id}", response_model=None)
async def lot_action(request: Request, lot_id: Id) -> Response:
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    action, detail = form.get("action"), form.get("detail") or ""
    try:
        if action == "use":
            lot = views.get_lot(ctx, lot_id)
            stock.use(ctx, form_command(DrawStock, {"sku": lot.sku, "quantity": form.get("quantity") or "1"}))
        elif action == "open":
            stock.open_pack(ctx, lot_id, form_command(OpenPack, form, ("quantity",)))
        elif action == "move":
            stock.move(
                ctx, lot_id, form_command(MoveLot, {**form, "location": detail}, ("quantity", "location"))
            )
        elif action == "waste":
            stock.write_off(
                ctx, lot_id, form_command(WriteOff, {**form, "reason": detail}, ("quantity", "reason"))
            )
        elif action == "count":
            stock.count(ctx, lot_id, form_command(CountLot, form, ("quantity",)))
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
    page = views.ledger(
        ctx, form_command(LedgerQuery, {**request.query_params, "limit": "200"}, ("sku", "cursor", "limit"))
    )
    return render(request, "ledger.html", ctx, sku=sku, movements=page.items, next_cursor=page.next_cursor)
