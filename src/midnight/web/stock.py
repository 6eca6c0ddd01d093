"""The stock board: receiving (scan, check, then book), lots a page at a time coloured by expiry,
each lot's actions on its own row, writing off everything expired, a product's ledger.

Routes only translate: a form becomes a command, the service decides, the page shows its answer.
htmx requests (the `HX-Request` header) get the part of the page that changed; without
JavaScript every form still works and gets the whole page back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from midnight.api.models import Id
from midnight.commands.catalog import LedgerQuery, LotsQuery, PageQuery, ProductSearch
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
from midnight.domain.errors import InvalidInput, MidnightError
from midnight.services import catalog, stock, views
from midnight.services.context import Context
from midnight.web.core import check_csrf, form_command, page_context, redirect, render

router = APIRouter(include_in_schema=False)
LOTS_PER_PAGE = 12
BOARD_PARAMS = ("location", "sku", "state", "cursor", "before")
RECEIVE_FIELDS = ("code", "quantity", "expires", "cost", "location", "supplier", "product")
CORRECTIONS_SHOWN = 5


def _htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _here(source: Mapping[str, Any]) -> dict[str, str]:
    """Which page of the board is being looked at (filters and cursor), from a URL or a form."""
    return {name: str(source[name]) for name in BOARD_PARAMS if source.get(name)}


def _board(
    ctx: Context,
    here: dict[str, str],
    *,
    open_lot: int | None = None,
    lot_errors: dict[int, str] | None = None,
    lot_values: dict[int, dict[str, str]] | None = None,
    board_message: str | None = None,
) -> dict[str, Any]:
    """What the board part of the page shows: one page of lots and the filters that chose it."""
    page = views.lots(ctx, form_command(LotsQuery, {**here, "limit": str(LOTS_PER_PAGE)}))
    corrections = {}
    if open_lot is not None:
        corrections[open_lot] = views.expiry_corrections(
            ctx, open_lot, PageQuery(limit=CORRECTIONS_SHOWN)
        ).items
    return {
        "lots": page.items,
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
        "here": here,
        "locations": catalog.list_locations(ctx, PageQuery()).items,
        "products": catalog.list_products(ctx, PageQuery(limit=1000)).items,
        "open_lot": open_lot,
        "lot_errors": lot_errors or {},
        "lot_values": lot_values or {},
        "corrections": corrections,
        "board_message": board_message,
    }


def _receiving(
    ctx: Context,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    found: stock.Receiving | None = None,
    focus: str = "code",
) -> dict[str, Any]:
    """What the receive form shows: what was typed, the product picked, where the cursor goes."""
    picked = found.product if found else None
    if picked is None and values.get("product"):
        try:
            picked = catalog.get_product(ctx, values["product"])
        except MidnightError:
            picked = None
    return {
        "values": values,
        "errors": errors or {},
        "picked": picked,
        "matches": found.matches if found else [],
        "note": found.note if found else None,
        "focus": focus,
    }


def _page(
    request: Request,
    ctx: Context,
    *,
    here: dict[str, str],
    receiving: dict[str, Any] | None = None,
    message: str | None = None,
    status_code: int = 200,
    **board: Any,
) -> HTMLResponse:
    return render(
        request,
        "stock.html",
        ctx,
        status_code=status_code,
        message=message,
        **(receiving or _receiving(ctx, {"location": "shelf"})),
        **_board(ctx, here, **board),
    )


@router.get("/stock", response_class=HTMLResponse)
def board(request: Request) -> HTMLResponse:
    ctx = page_context(request)
    params = dict(request.query_params)
    message = None
    received = params.get("received", "")
    if received.isdigit() and received.isascii() and 0 < int(received) < 2**53:
        lot = views.get_lot(ctx, int(received))
        message = f"Received lot {lot.id}: {lot.quantity} {lot.unit} of {lot.product}"
    wanted = params.get("lot", "")
    open_lot = int(wanted) if wanted.isdigit() and wanted.isascii() and 0 < int(wanted) < 2**53 else None
    return _page(request, ctx, here=_here(params), message=message, open_lot=open_lot)


# --- receiving -------------------------------------------------------------------------------------


@router.get("/stock/products", response_class=HTMLResponse)
def suggestions(request: Request) -> HTMLResponse:
    """Products matching what is being typed in the receive box (htmx, as the person types)."""
    ctx = page_context(request)
    text = (request.query_params.get("code") or "").strip()
    matches = []
    # A scanner types a whole barcode then Enter: that is a lookup, not something to suggest for.
    if text and not (text.isascii() and text.isdigit() and len(text) in stock.BARCODE_LENGTHS):
        try:
            matches = catalog.search_products(ctx, form_command(ProductSearch, {"q": text})).items
        except InvalidInput:
            matches = []
    return render(request, "stock_suggestions.html", ctx, matches=matches, text=text, live=True)


@router.post("/stock/receive/find", response_model=None)
async def find(request: Request) -> Response:
    """Enter in the receive form (a scanner's Enter too), or a suggestion chosen: pick the product and
    fill in what the server knows (its expiry from its shelf life). Never books anything."""
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    values = {name: form.get(name, "") for name in RECEIVE_FIELDS}
    if form.get("pick"):
        values["code"] = form["pick"]
    try:
        found = stock.find_for_receiving(ctx, form_command(FindProduct, values, ("code",)))
    except MidnightError as exc:
        field = "code" if exc.field in ("code", "sku", "barcode", None) else exc.field
        receiving = _receiving(ctx, values, errors={field: exc.message}, focus="code")
        return _receiving_response(request, ctx, receiving, exc.http_status)
    if found.product is None:
        receiving = _receiving(ctx, values, found=found, focus="matches")
        return _receiving_response(request, ctx, receiving, 200)
    product = found.product
    changed = values.get("product") != product.sku
    values["product"] = product.sku
    values["code"] = product.barcode or product.sku if form.get("pick") else values["code"]
    if changed or not values.get("expires"):
        values["expires"] = found.expires.isoformat() if found.expires else ""
    # The cursor goes where the next thing to type is: quantity after a scan, then what is empty.
    focus = (
        "quantity"
        if changed
        else next(
            (name for name in ("quantity", "expires", "cost", "supplier") if not values.get(name)), "receive"
        )
    )
    receiving = _receiving(ctx, values, found=found, focus=focus)
    return _receiving_response(request, ctx, receiving, 200)


def _receiving_response(
    request: Request, ctx: Context, receiving: dict[str, Any], status_code: int
) -> HTMLResponse:
    if _htmx(request):
        # htmx swaps only successful answers: the form with its error is the answer here.
        return render(request, "stock_receive.html", ctx, live=True, **receiving)
    return _page(request, ctx, here={}, receiving=receiving, status_code=status_code)


@router.post("/stock/receive", response_model=None)
async def receive(request: Request) -> Response:
    """The Receive button: the one thing on this form that books a delivery."""
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    values = {name: form.get(name, "") for name in RECEIVE_FIELDS}
    try:
        fields = {**values, "sku": values.get("code", "")}
        got = stock.receive(
            ctx,
            form_command(ReceiveLot, fields, ("sku", "quantity", "expires", "cost", "location", "supplier")),
        )
    except MidnightError as exc:
        # The form has one box for SKU or barcode: errors about either belong next to it.
        field = {"sku": "code", "barcode": "code"}.get(exc.field or "_", exc.field or "_")
        receiving = _receiving(ctx, values, errors={field: exc.message}, focus=field)
        return _page(request, ctx, here={}, receiving=receiving, status_code=exc.http_status)
    # Redirected, so a reload shows the board again instead of receiving the delivery twice.
    return redirect(f"/stock?received={got.lot.id}")


# --- a lot's row ------------------------------------------------------------------------------------


def _lot_row(
    request: Request,
    ctx: Context,
    lot_id: int,
    here: dict[str, str],
    *,
    open_panel: bool,
    error: str | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    lot = views.get_lot(ctx, lot_id)
    corrections = (
        {lot_id: views.expiry_corrections(ctx, lot_id, PageQuery(limit=CORRECTIONS_SHOWN)).items}
        if open_panel
        else {}
    )
    return render(
        request,
        "stock_lot.html",
        ctx,
        lot=lot,
        here=here,
        open_lot=lot_id if open_panel else None,
        lot_errors={lot_id: error} if error else {},
        lot_values={lot_id: values or {}},
        corrections=corrections,
    )


@router.get("/stock/lots/{lot_id}/row", response_model=None)
def lot_row(request: Request, lot_id: Id) -> Response:
    """One lot's rows, its actions shown (`open=true`) or not: the Actions button asks for them."""
    ctx = page_context(request)
    here = _here(request.query_params)
    if not _htmx(request):
        return redirect(f"/stock?{urlencode({**here, 'lot': lot_id})}#lot-{lot_id}")
    return _lot_row(request, ctx, lot_id, here, open_panel=request.query_params.get("open") == "true")


def _after_lot_action(
    request: Request, ctx: Context, lot_id: int, here: dict[str, str], done: str
) -> Response:
    if _htmx(request):
        # Other rows change too (a move makes a new lot, a write-off empties one): the board again.
        response = render(request, "stock_board.html", ctx, **_board(ctx, here, board_message=done))
        response.headers["HX-Retarget"] = "#board"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    return redirect(f"/stock?{urlencode(here)}")


def _lot_refused(
    request: Request,
    ctx: Context,
    lot_id: int,
    here: dict[str, str],
    exc: MidnightError,
    values: dict[str, str],
) -> Response:
    """A lot action refused: the message on that lot's row, with what was typed kept."""
    if _htmx(request):
        return _lot_row(request, ctx, lot_id, here, open_panel=True, error=exc.message, values=values)
    return _page(
        request,
        ctx,
        here=here,
        status_code=exc.http_status,
        open_lot=lot_id,
        lot_errors={lot_id: exc.message},
        lot_values={lot_id: values},
    )


@router.post("/stock/lots/{lot_id}", response_model=None)
async def lot_action(request: Request, lot_id: Id) -> Response:
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    here = _here(form)
    action, detail = form.get("action"), form.get("detail") or ""
    values = {name: form.get(name, "") for name in ("action", "quantity", "detail")}
    try:
        lot = views.get_lot(ctx, lot_id)
        if action == "use":
            used = stock.use(
                ctx, form_command(DrawStock, {"sku": lot.sku, "quantity": form.get("quantity") or "1"})
            )
            done = f"Used {used.quantity} {lot.unit} of {lot.product}"
        elif action == "open":
            opened = stock.open_pack(ctx, lot_id, form_command(OpenPack, form, ("quantity",)))
            done = f"Opened {opened.quantity} {opened.unit} of lot {lot_id} as lot {opened.id}: expires {opened.effective_expiry}"
        elif action == "move":
            moved = stock.move(
                ctx, lot_id, form_command(MoveLot, {**form, "location": detail}, ("quantity", "location"))
            )
            done = (
                f"Moved {moved.quantity} {moved.unit} of lot {lot_id} to {moved.location} as lot {moved.id}"
            )
        elif action == "waste":
            wasted = stock.write_off(
                ctx, lot_id, form_command(WriteOff, {**form, "reason": detail}, ("quantity", "reason"))
            )
            done = f"Wrote off {wasted.quantity} {lot.unit} of lot {lot_id} ({wasted.reason}): {ctx.money(wasted.cost)}"
        elif action == "count":
            counted = stock.count(ctx, lot_id, form_command(CountLot, form, ("quantity",)))
            done = f"Lot {lot_id} counted {counted.counted} {lot.unit} (was {counted.previous})"
        else:
            raise InvalidInput("choose what to do with the lot", field="action")
    except MidnightError as exc:
        return _lot_refused(request, ctx, lot_id, here, exc, values)
    return _after_lot_action(request, ctx, lot_id, here, done)


@router.post("/stock/lots/{lot_id}/expiry", response_model=None)
async def correct_expiry(request: Request, lot_id: Id) -> Response:
    """Correct a lot's expiry date (an audited event; the date as received is kept)."""
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    here = _here(form)
    values = {name: form.get(name, "") for name in ("expires", "reason")}
    try:
        done = stock.correct_lot_expiry(ctx, lot_id, form_command(CorrectExpiry, values))
    except MidnightError as exc:
        return _lot_refused(request, ctx, lot_id, here, exc, values)
    c = done.correction
    message = f"Lot {lot_id}: expiry corrected from {c.from_date} to {c.to_date} ({c.reason})"
    return _after_lot_action(request, ctx, lot_id, here, message)


# --- writing off everything expired ----------------------------------------------------------------


def _expired_page(
    request: Request,
    ctx: Context,
    include_best_before: bool,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    summary = stock.expired_stock(
        ctx, form_command(ExpiredQuery, {"include_best_before": "true" if include_best_before else "false"})
    )
    return render(request, "stock_expired.html", ctx, summary=summary, error=error, status_code=status_code)


@router.get("/stock/expired", response_class=HTMLResponse)
def expired(request: Request) -> HTMLResponse:
    """The confirmation step: how many lots, which units and what cost, before anything is written off."""
    ctx = page_context(request)
    return _expired_page(request, ctx, request.query_params.get("include_best_before") == "true")


@router.post("/stock/expired", response_model=None)
async def write_off_expired(request: Request) -> Response:
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    include = form.get("include_best_before") == "true"
    try:
        written = stock.write_off_expired(
            ctx, form_command(WriteOffExpired, form, ("include_best_before", "expected"))
        )
    except MidnightError as exc:
        return _expired_page(request, ctx, include, error=exc.message, status_code=exc.http_status)
    if written:
        lots = "1 lot" if len(written) == 1 else f"{len(written)} lots"
        message = f"Wrote off {lots} as waste, at a cost of {ctx.money(sum(w.cost for w in written))}."
    else:  # pressed again (or retried): the first press already took it all
        message = "Nothing expired is left to write off: it has all been written off already."
    return _page(request, ctx, here={}, message=message)


# --- the ledger ------------------------------------------------------------------------------------


def _ledger(
    request: Request,
    ctx: Context,
    params: Mapping[str, str],
    errors: dict[int, str] | None = None,
    **extra: Any,
) -> HTMLResponse:
    sku = params.get("sku") or ""
    page = views.ledger(
        ctx, form_command(LedgerQuery, {**params, "limit": "200"}, ("sku", "cursor", "limit"))
    )
    return render(
        request,
        "ledger.html",
        ctx,
        sku=sku,
        movements=page.items,
        next_cursor=page.next_cursor,
        errors=errors or {},
        **extra,
    )


@router.get("/stock/ledger", response_class=HTMLResponse)
def ledger(request: Request) -> HTMLResponse:
    return _ledger(request, page_context(request), dict(request.query_params))


@router.post("/stock/movements/{movement_id}/undo", response_model=None)
async def undo(request: Request, movement_id: Id) -> Response:
    """Undo a movement from the ledger; a refusal is shown on that movement's row."""
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    params = {name: form[name] for name in ("sku", "cursor") if form.get(name)}
    try:
        written = stock.undo(ctx, movement_id)
    except MidnightError as exc:
        return _ledger(request, ctx, params, errors={movement_id: exc.message}, status_code=exc.http_status)
    message = f"Movement {movement_id} undone by movement {', '.join(str(m.id) for m in written)}"
    return _ledger(request, ctx, params, message=message)
