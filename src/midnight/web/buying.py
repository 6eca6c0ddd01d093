"""Buying: purchase orders (list, draft, send, print, CSV), receiving a delivery by scan, suppliers and
what they sell the shop, suggested orders and accepting them, and stock that will expire unsold.

Routes only translate: a form becomes a command, the services decide (and refuse whoever may not),
the page shows their answer. A form that changes something redirects, so a reload cannot do it twice;
what it did is said once on the page it lands on.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from midnight.api.models import Id
from midnight.commands.catalog import PageQuery
from midnight.commands.planning import AcceptSuggestions, SuggestQuery, UnsoldQuery
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
    SupplierQuery,
    SupplyProduct,
)
from midnight.commands.till import SetMarkdown
from midnight.db.paging import Page
from midnight.domain.errors import InvalidInput, MidnightError, NotFound
from midnight.domain.menu import markdown_start_words
from midnight.domain.money import to_decimal as money_units
from midnight.domain.people import Permission
from midnight.domain.purchasing import OrderState, order_number
from midnight.services import menu, planning, purchase_orders, receiving, suppliers
from midnight.services import purchasing_views as shown
from midnight.services.context import Context
from midnight.web.core import (
    check_csrf,
    form_command,
    page_context,
    pending_message,
    redirect_with_message,
    render,
    take_message,
)

router = APIRouter(include_in_schema=False)
ORDERS_PER_PAGE = 20
SUPPLIERS_PER_PAGE = 25
PRODUCTS_PER_PAGE = 25
SUPPLIERS_IN_A_LIST = 100  # the supplier boxes offer this many (by name); more are typed by name
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
STATES = [s.value for s in OrderState]
SUPPLIER_FIELDS = ("name", "lead_time_days", "minimum_order", "note", "language")
RECEIVE_FIELDS = ("code", "quantity", "expires", "batch", "location", "substitute_for", "cost")
REFUSE_FIELDS = ("code", "quantity", "reason", "expires", "batch")


def _page(request: Request, name: str, ctx: Context, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A Buying page, with the message a form's redirect left for it (shown once)."""
    context.setdefault("message", pending_message(request))
    response = render(request, name, ctx, status_code=status_code, **context)
    take_message(request, response)
    return response


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await check_csrf(request)).items()}


def _supplier_choices(ctx: Context) -> list[shown.SupplierShown]:
    if not ctx.who.may(Permission.PURCHASE):
        return []
    found = suppliers.list_suppliers(ctx, SupplierQuery(limit=SUPPLIERS_IN_A_LIST))
    return shown.suppliers(found, ctx.store.currency).items


# the boxes' labels, for messages the command parser words with a field's name ("lead_time_days must
# be between 0 and 60") so the page says them in the words on the screen
LABELS = {
    "lead_time_days": "Days from order to delivery",
    "minimum_order": "Minimum order",
    "delivery_days": "Delivery days",
    "delivery_date": "Delivery date",
    "pack_size": "Units in a pack",
    "supplier_code": "Its code for it",
    "substitute_for": "In place of",
    "expires": "The date",
    "quantity": "Quantity",
    "cost": "Cost a unit",
    "days": "Days",
    "percent": "Percent",
    "name": "Name",
    "note": "Note",
    "reason": "Why",
}


def _said(error: MidnightError) -> str:
    """An error's message, with a field's name at its start said as its box's label."""
    message = error.message.replace("must have at least 1 item(s)", "needs at least one ticked")
    for name, label in LABELS.items():
        if message.startswith(name + " "):
            return label + message[len(name) :]
    line = re.match(r"line (\d+): (\w+) ", message)
    if line and line.group(2) in LABELS:
        return f"line {line.group(1)}: {LABELS[line.group(2)].lower()} " + message[line.end() :]
    return message


def _looks_like_scan(text: str) -> bool:
    """What a scanner typed into a box meant for a date or a quantity: a GS1 code's start, or a
    barcode's digits (a date box holds 10 characters: "(01)040063", "4006381333")."""
    text = text.strip()
    return text.startswith(("(", "]")) or (text.isdigit() and len(text) >= 8)


def _next_url(path: str, here: Mapping[str, str], cursor: str | None) -> str | None:
    """The link to a list's next page: the same filters, past the last row shown."""
    return f"{path}?{urlencode({**here, 'cursor': cursor})}" if cursor else None


def _field(error: MidnightError, known: tuple[str, ...]) -> str:
    """Which box an error belongs next to ("lines.2.quantity" -> "lines.2.quantity"; else the form)."""
    field = error.field or "_"
    return field if field in known or field.startswith("lines.") else "_"


# --- purchase orders ---------------------------------------------------------------------------------


def _orders_page(
    request: Request,
    ctx: Context,
    *,
    values: Mapping[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    params = request.query_params
    here = {name: params[name] for name in ("state", "supplier", "cursor") if params.get(name)}
    filter_error = None
    try:
        found = purchase_orders.list_orders(
            ctx, form_command(OrderQuery, {**here, "limit": str(ORDERS_PER_PAGE)})
        )
        orders = shown.orders(found, ctx.store.currency)
    except InvalidInput as exc:
        filter_error, orders = _said(exc), Page([], None)
    except NotFound as exc:  # a supplier's name, typed in part or misspelt: said here, not a 404 page
        filter_error, orders = f"{_said(exc)}: give its whole name (any case)", Page([], None)
    kept = {"key": secrets.token_urlsafe(16), **(values or {})}
    return _page(
        request,
        "buying.html",
        ctx,
        status_code=status_code,
        orders=orders.items,
        next_url=_next_url("/buying", here, orders.next_cursor),
        here=here,
        states=STATES,
        filter_error=filter_error,
        supplier_choices=_supplier_choices(ctx),
        values=kept,
        errors=errors or {},
    )


@router.get("/buying", response_class=HTMLResponse)
def orders_list(request: Request) -> HTMLResponse:
    """Purchase orders, newest first, filtered by state and supplier; a new draft for the owner."""
    return _orders_page(request, page_context(request))


@router.post("/buying/orders", response_model=None)
async def new_order(request: Request) -> Response:
    ctx = page_context(request)
    form = await _form(request)
    try:
        made = purchase_orders.new_order(
            ctx, form_command(NewPurchaseOrder, form, ("supplier", "delivery_date", "note", "key"))
        )
    except MidnightError as exc:
        errors = {_field(exc, ("supplier", "delivery_date", "note")): _said(exc)}
        return _orders_page(request, ctx, values=form, errors=errors, status_code=exc.http_status)
    return redirect_with_message(
        request,
        f"/buying/orders/{made.head.id}",
        f"{made.number} for {made.head.supplier}: a draft" + _check(made.warnings),
    )


def _order_page(
    request: Request,
    ctx: Context,
    order_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    order = shown.order(purchase_orders.order_detail(ctx, order_id), ctx.store.currency)
    receipts = order.receipts
    after = request.query_params.get("receipts")
    if after:  # past the first page of what was scanned
        found = purchase_orders.order_receipts(ctx, order_id, form_command(PageQuery, {"cursor": after}))
        receipts = Page([shown.receipt(r) for r in found.items], found.next_cursor)
    sent_to = []
    if order.order.sent_at is not None and ctx.who.may(Permission.PURCHASE):
        sent_to = [shown.delivery(d) for d in purchase_orders.deliveries(ctx, order_id)]
    products = []
    if order.order.state is OrderState.DRAFT and ctx.who.may(Permission.PURCHASE):
        detail = suppliers.supplier_detail(ctx, str(order.order.supplier_id), PageQuery(limit=200))
        products = [shown.supplied(item, ctx.store.currency) for item in detail.products.items]
    return _page(
        request,
        "buying_order.html",
        ctx,
        status_code=status_code,
        order=order,
        receipts=receipts,
        products=products,
        sent_to=sent_to,
        errors=errors or {},
        values=values or {},
        **context,
    )


@router.get("/buying/orders/{order_id}", response_class=HTMLResponse)
def order_page(request: Request, order_id: Id) -> HTMLResponse:
    return _order_page(request, page_context(request), order_id)


def _draft_edit(form: Mapping[str, str]) -> dict[str, Any]:
    """The draft form's boxes as an edit: `sku.N`/`qty.N` for each line, one empty pair to add one."""
    lines = []
    for name, sku in form.items():
        if name.startswith("sku.") and sku.strip():
            # an emptied box is a mistake to point out, not a line to drop (0 takes a line off)
            quantity = form.get("qty." + name[4:], "").strip()
            lines.append({"sku": sku.strip(), "quantity": quantity})
    edit: dict[str, Any] = {"lines": lines, "note": form.get("note", "")}
    if form.get("delivery_date"):
        edit["delivery_date"] = form["delivery_date"]
    return edit


@router.post("/buying/orders/{order_id}/edit", response_model=None)
async def edit_order(request: Request, order_id: Id) -> Response:
    ctx = page_context(request)
    form = await _form(request)
    saved = _save_draft(request, ctx, order_id, form)
    if isinstance(saved, Response):
        return saved
    return redirect_with_message(request, f"/buying/orders/{order_id}", "Saved" + _check(saved))


def _check(warnings: Sequence[str]) -> str:
    return "".join(f". Check: {w}" for w in warnings)


def _save_draft(
    request: Request, ctx: Context, order_id: int, form: Mapping[str, str]
) -> Response | tuple[str, ...]:
    """What the draft form's boxes say, saved (only what differs is recorded), and what to check;
    the page with the error beside its box if it can't be."""
    try:
        saved = purchase_orders.edit_order(ctx, order_id, form_command(EditPurchaseOrder, _draft_edit(form)))
    except MidnightError as exc:
        errors = {_field(exc, ("delivery_date", "note")): _said(exc)}
        return _order_page(request, ctx, order_id, errors=errors, values=form, status_code=exc.http_status)
    return saved.warnings


@router.post("/buying/orders/{order_id}/send", response_model=None)
async def send_order(request: Request, order_id: Id) -> Response:
    """Send, from the draft form: what is in its boxes is saved first, so what is sent is what was seen."""
    ctx = page_context(request)
    form = await _form(request)
    checks: tuple[str, ...] = ()
    if any(name.startswith("sku.") for name in form):
        saved = _save_draft(request, ctx, order_id, form)
        if isinstance(saved, Response):
            return saved
        checks = saved
    try:
        sent = purchase_orders.send_order(ctx, order_id)
    except MidnightError as exc:
        return _order_page(request, ctx, order_id, errors={"send": _said(exc)}, status_code=exc.http_status)
    to = ", ".join(sent.to)
    said = (
        f"{sent.order.number} sent to {to}"
        if sent.messages
        else f"{sent.order.number} marked sent: the supplier has no address, so phone it in or hand over the printed order"
    )
    return redirect_with_message(request, f"/buying/orders/{order_id}", said + _check(checks))


@router.post("/buying/orders/{order_id}/cancel", response_model=None)
async def cancel_order(request: Request, order_id: Id) -> Response:
    ctx = page_context(request)
    form = await _form(request)
    try:
        purchase_orders.cancel_order(ctx, order_id, form_command(CancelOrder, form, ("reason",)))
    except MidnightError as exc:
        return _order_page(
            request, ctx, order_id, errors={"cancel": _said(exc)}, values=form, status_code=exc.http_status
        )
    return redirect_with_message(request, f"/buying/orders/{order_id}", f"{order_number(order_id)} cancelled")


@router.get("/buying/orders/{order_id}/print", response_class=HTMLResponse)
def print_order(request: Request, order_id: Id) -> HTMLResponse:
    """The order on an A4 page, to hand over or fax: what the supplier is sent, in the same words."""
    ctx = page_context(request)
    order = shown.order(purchase_orders.order_detail(ctx, order_id), ctx.store.currency)
    return render(request, "buying_print.html", ctx, order=order)


@router.get("/buying/orders/{order_id}/csv")
def order_csv(request: Request, order_id: Id) -> Response:
    ctx = page_context(request)
    filename, text = purchase_orders.order_csv(ctx, order_id)
    return Response(
        "\ufeff" + text,  # a byte-order mark, as the e-mailed file has: Excel then reads 生菜 as 生菜
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- receiving ---------------------------------------------------------------------------------------


def _receive_page(
    request: Request,
    ctx: Context,
    order_id: int,
    *,
    values: Mapping[str, str] | None = None,
    errors: dict[str, str] | None = None,
    asked: str | None = None,
    confirm: list[shown.DifferenceShown] | None = None,
    refuse_values: Mapping[str, str] | None = None,
    refuse_errors: dict[str, str] | None = None,
    differences: list[shown.DifferenceShown] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    order = shown.order(purchase_orders.order_detail(ctx, order_id), ctx.store.currency)
    errors = errors or {}
    kept = {"quantity": "1", **(values or {})}
    # the cursor goes to a box in error only if something is to be typed there (what was typed, or a
    # date asked for); otherwise it stays in the scan box, emptied, so the next scan is not appended
    # to the last one (a scan's own date in the past is the scan's error, not the date box's)
    focus = next(
        (n for n in RECEIVE_FIELDS[1:] if n in errors and (kept.get(n) or n == asked)),
        "code",
    )
    if focus == "code":
        kept.pop("keep_code", None)
    return _page(
        request,
        "buying_receive.html",
        ctx,
        status_code=status_code,
        order=order,
        values=kept,
        errors=errors,
        refuse_values=refuse_values or {},
        refuse_errors=refuse_errors or {},
        differences=differences,
        confirm=confirm,
        focus=focus,
        **({"message": message} if message else {}),
        open=order.order.state in (OrderState.SENT, OrderState.PARTLY_RECEIVED),
    )


@router.get("/buying/orders/{order_id}/receive", response_class=HTMLResponse)
def receive_page(request: Request, order_id: Id) -> HTMLResponse:
    """The door: scan each thing that came (the cursor is always back in the scan box)."""
    return _receive_page(request, page_context(request), order_id)


@router.post("/buying/orders/{order_id}/receive", response_model=None)
async def receive(request: Request, order_id: Id) -> Response:
    ctx = page_context(request)
    form = await _form(request)
    values = {name: form.get(name, "") for name in RECEIVE_FIELDS}
    for box in ("expires", "quantity"):
        if _looks_like_scan(values[box]):
            # the next pack scanned while the cursor was in another box: nothing is taken, and it says so
            values["keep_code"], values[box] = "1", ""
            wanted = (
                "a date: type the date printed on the pack (YYYY-MM-DD)"
                if box == "expires"
                else "a quantity: type how many came"
            )
            errors = {box: f"that was a scan, not {wanted}, then scan the next"}
            return _receive_page(
                request, ctx, order_id, values=values, errors=errors, asked=box, status_code=422
            )
    try:
        command = form_command(ReceiveAgainstOrder, {**values, "ask_date": "true"})
        taken = shown.taken(receiving.receive(ctx, order_id, command), ctx.store.currency)
    except MidnightError as exc:
        # what was typed stays, the error beside its box; a scan that was not understood is cleared
        errors = {_field(exc, RECEIVE_FIELDS): _said(exc)}
        if exc.field not in ("code", "substitute_for"):
            values["keep_code"] = "1"
        asked = isinstance(exc, receiving.DateNeeded)
        if isinstance(exc, receiving.DateNeeded) and exc.by_shelf_life:
            values["expires"] = exc.by_shelf_life.isoformat()  # Enter takes it; a printed date replaces it
        return _receive_page(
            request,
            ctx,
            order_id,
            values=values,
            errors=errors,
            asked="expires" if asked else None,
            status_code=exc.http_status,
        )
    lot = taken.lot
    said = f"Took in {lot.quantity} {lot.unit} of {lot.product} as lot {lot.id} in {lot.location}, {lot.expiry_kind.replace('_', ' ')} {lot.expiry_date}"
    if taken.kind == "substitute" and taken.line is not None:
        said += f", in place of {taken.line.name}"
    if taken.warnings:
        said += ". Check: " + "; ".join(taken.warnings)
    if taken.complete:
        said += ". Everything ordered has come: finish receiving once the whole delivery is in"
    return redirect_with_message(request, f"/buying/orders/{order_id}/receive", said)


@router.post("/buying/orders/{order_id}/refuse", response_model=None)
async def refuse(request: Request, order_id: Id) -> Response:
    ctx = page_context(request)
    form = await _form(request)
    values = {name: form.get(name, "") for name in REFUSE_FIELDS}
    try:
        receiving.refuse(ctx, order_id, form_command(RefuseDelivery, values))
    except MidnightError as exc:
        errors = {_field(exc, REFUSE_FIELDS): _said(exc)}
        return _receive_page(
            request,
            ctx,
            order_id,
            refuse_values=values,
            refuse_errors=errors,
            status_code=exc.http_status,
        )
    said = f"Refused {values['quantity']} of {values['code']} ({values['reason']}): recorded, not taken in"
    return redirect_with_message(request, f"/buying/orders/{order_id}/receive", said)


@router.post("/buying/orders/{order_id}/finish", response_model=None)
async def finish(request: Request, order_id: Id) -> Response:
    ctx = page_context(request)
    form = await _form(request)
    try:
        if form.get("confirmed") != "1":  # short: asked first, since nothing more comes in once finished
            preview = shown.finished(receiving.finish_preview(ctx, order_id), ctx.store.currency)
            if any(d.short for d in preview.differences):
                return _receive_page(
                    request, ctx, order_id, values=form, confirm=preview.differences, status_code=200
                )
        done = receiving.finish(ctx, order_id, form_command(FinishReceiving, form, ("note",)))
    except MidnightError as exc:
        return _receive_page(
            request, ctx, order_id, errors={"finish": _said(exc)}, status_code=exc.http_status
        )
    differences = shown.finished(done, ctx.store.currency).differences
    message = f"{order_number(order_id)} received" + ("" if differences else ": everything ordered came")
    return _receive_page(request, ctx, order_id, differences=differences, message=message)


# --- suppliers ---------------------------------------------------------------------------------------


def _supplier_form(form: Mapping[str, str], *, editing: bool) -> dict[str, Any]:
    """The supplier form as a command's fields: a box per weekday, one address a line."""
    fields: dict[str, Any] = {name: form[name] for name in SUPPLIER_FIELDS if form.get(name, "") != ""}
    if editing and "note" in form:
        fields["note"] = form["note"]
    fields["delivery_days"] = [day for day in WEEKDAYS if form.get("day_" + day)]
    contacts = [line.strip() for line in form.get("contacts", "").splitlines() if line.strip()]
    if contacts or not editing or form.get("no_contacts"):
        fields["contacts"] = [] if form.get("no_contacts") else contacts
    if editing:
        fields["active"] = form.get("active") == "true"
    return fields


def _suppliers_page(
    request: Request,
    ctx: Context,
    *,
    values: Mapping[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    params = request.query_params
    here = {name: params[name] for name in ("all", "cursor") if params.get(name)}
    found = suppliers.list_suppliers(
        ctx, form_command(SupplierQuery, {**here, "limit": str(SUPPLIERS_PER_PAGE)})
    )
    page = shown.suppliers(found, ctx.store.currency)
    return _page(
        request,
        "buying_suppliers.html",
        ctx,
        status_code=status_code,
        suppliers=page.items,
        next_url=_next_url("/buying/suppliers", here, page.next_cursor),
        here=here,
        weekdays=WEEKDAYS,
        values={"lead_time_days": "1", "language": "en", **(values or {})},
        errors=errors or {},
    )


@router.get("/buying/suppliers", response_class=HTMLResponse)
def suppliers_page(request: Request) -> HTMLResponse:
    return _suppliers_page(request, page_context(request))


@router.post("/buying/suppliers", response_model=None)
async def add_supplier(request: Request) -> Response:
    ctx = page_context(request)
    form = await _form(request)
    try:
        made = suppliers.add_supplier(ctx, form_command(AddSupplier, _supplier_form(form, editing=False)))
    except MidnightError as exc:
        errors = {_field(exc, (*SUPPLIER_FIELDS, "delivery_days", "contacts")): _said(exc)}
        if (exc.field or "").startswith("contacts"):
            errors = {"contacts": _said(exc)}
        return _suppliers_page(request, ctx, values=form, errors=errors, status_code=exc.http_status)
    return redirect_with_message(request, f"/buying/suppliers/{made.id}", f"Added {made.name}")


def _supplier_page(
    request: Request,
    ctx: Context,
    supplier_id: int,
    *,
    values: Mapping[str, str] | None = None,
    errors: dict[str, str] | None = None,
    terms_values: Mapping[str, str] | None = None,
    terms_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    cursor = request.query_params.get("cursor")
    query = form_command(PageQuery, {"cursor": cursor or "", "limit": str(PRODUCTS_PER_PAGE)})
    found = shown.supplier_detail(suppliers.supplier_detail(ctx, str(supplier_id), query), ctx.store.currency)
    s = found.supplier
    current = {
        "name": s.name,
        "lead_time_days": str(s.lead_time_days),
        "minimum_order": str(money_units(s.minimum_order, ctx.store.currency)) if s.minimum_order else "",
        "note": s.note,
        "language": s.language,
        "active": "true" if s.active else "",
        **{"day_" + day: "1" for day in s.delivery_days},
    }
    next_cursor = found.products.next_cursor
    return _page(
        request,
        "buying_supplier.html",
        ctx,
        status_code=status_code,
        supplier=s,
        products=found.products.items,
        next_url=_next_url(f"/buying/suppliers/{supplier_id}", {}, next_cursor),
        weekdays=WEEKDAYS,
        values=values if values is not None else current,
        errors=errors or {},
        terms_values=terms_values or {"pack_size": "1"},
        terms_errors=terms_errors or {},
    )


@router.get("/buying/suppliers/{supplier_id}", response_class=HTMLResponse)
def supplier_page(request: Request, supplier_id: Id) -> HTMLResponse:
    return _supplier_page(request, page_context(request), supplier_id)


@router.post("/buying/suppliers/{supplier_id}", response_model=None)
async def edit_supplier(request: Request, supplier_id: Id) -> Response:
    ctx = page_context(request)
    form = await _form(request)
    try:
        done = suppliers.edit_supplier(
            ctx, str(supplier_id), form_command(EditSupplier, _supplier_form(form, editing=True))
        )
    except MidnightError as exc:
        field = "contacts" if (exc.field or "").startswith("contacts") else exc.field
        errors = {field if field in (*SUPPLIER_FIELDS, "delivery_days", "contacts") else "_": _said(exc)}
        return _supplier_page(
            request, ctx, supplier_id, values=form, errors=errors, status_code=exc.http_status
        )
    said = f"Saved {done.name}" + ("" if done.active else ": no longer ordered from")
    return redirect_with_message(request, f"/buying/suppliers/{supplier_id}", said)


@router.post("/buying/suppliers/{supplier_id}/products", response_model=None)
async def supply_product(request: Request, supplier_id: Id) -> Response:
    ctx = page_context(request)
    form = await _form(request)
    fields = ("sku", "pack_size", "cost", "supplier_code")
    values = {name: form.get(name, "").strip() for name in fields}
    try:
        item = suppliers.supply_product(ctx, str(supplier_id), form_command(SupplyProduct, values))
    except MidnightError as exc:
        errors = {exc.field if exc.field in fields else "_": _said(exc)}
        return _supplier_page(
            request,
            ctx,
            supplier_id,
            terms_values=values,
            terms_errors=errors,
            status_code=exc.http_status,
        )
    said = f"{item.name} ({item.sku}): packs of {shown.supplied(item, ctx.store.currency).pack_size} at {ctx.money(item.unit_cost)} {'each' if item.unit == 'each' else 'a ' + item.unit}"
    return redirect_with_message(request, f"/buying/suppliers/{supplier_id}", said)


@router.post("/buying/suppliers/{supplier_id}/products/stop", response_model=None)
async def stop_supplying(request: Request, supplier_id: Id) -> Response:
    ctx = page_context(request)
    form = await _form(request)
    sku = form.get("sku", "")
    try:
        suppliers.stop_supplying(ctx, str(supplier_id), sku)
    except MidnightError as exc:
        return _supplier_page(
            request, ctx, supplier_id, terms_errors={"_": _said(exc)}, status_code=exc.http_status
        )
    return redirect_with_message(
        request, f"/buying/suppliers/{supplier_id}", f"{sku} is no longer bought from this supplier"
    )


# --- suggestions -------------------------------------------------------------------------------------


def _suggest_page(
    request: Request,
    ctx: Context,
    supplier: str,
    *,
    values: Mapping[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    # the suppliers to pick from (the owner's to see: staff get "not allowed", not a form refused later)
    choices = suppliers.list_suppliers(ctx, SupplierQuery(limit=SUPPLIERS_IN_A_LIST))
    found, drafts = None, []
    if supplier:
        try:
            found = planning.suggest(ctx, form_command(SuggestQuery, {"supplier": supplier}))
            # a draft already made for this supplier: said, so the same delivery is not ordered twice
            waiting = purchase_orders.list_orders(
                ctx, OrderQuery(state="draft", supplier=str(found.supplier.id), limit=10)
            )
            drafts = shown.orders(waiting, ctx.store.currency).items
        except MidnightError as exc:
            error, status_code = error or _said(exc), exc.http_status
    return _page(
        request,
        "buying_suggest.html",
        ctx,
        status_code=status_code,
        supplier=found.supplier.name if found else supplier,  # its name, not the form's number
        drafts=drafts,
        supplier_choices=shown.suppliers(choices, ctx.store.currency).items,
        found=found,
        values={"key": secrets.token_urlsafe(16), **(values or {})},
        error=error,
    )


@router.get("/buying/suggestions", response_class=HTMLResponse)
def suggestions(request: Request) -> HTMLResponse:
    """What to order from a supplier for its next delivery, line by line with why."""
    ctx = page_context(request)
    return _suggest_page(request, ctx, request.query_params.get("supplier", "").strip())


@router.post("/buying/suggestions/accept", response_model=None)
async def accept(request: Request) -> Response:
    """The suggestions (with any quantity changed on the page) as a draft order; its key makes a
    second press (or a retry) answer the same draft."""
    ctx = page_context(request)
    form = await _form(request)
    supplier = form.get("supplier", "")
    changes = [
        {"sku": name[4:], "quantity": value.strip() or "0"}
        for name, value in form.items()
        if name.startswith("qty.") and value.strip() != form.get("was." + name[4:], "").strip()
    ]
    fields = {"supplier": supplier, "changes": changes, "note": form.get("note", ""), "key": form.get("key")}
    try:
        made = planning.accept(ctx, form_command(AcceptSuggestions, fields))
    except MidnightError as exc:
        return _suggest_page(
            request, ctx, supplier, values=form, error=_said(exc), status_code=exc.http_status
        )
    return redirect_with_message(
        request,
        f"/buying/orders/{made.head.id}",
        f"{made.number}: a draft from the suggestions — check it, then send it",
    )


# --- will expire unsold ------------------------------------------------------------------------------


def _unsold_page(
    request: Request, ctx: Context, *, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    days = request.query_params.get("days", "7")
    try:
        found = planning.will_expire_unsold(ctx, form_command(UnsoldQuery, {"days": days}))
    except InvalidInput as exc:
        error, status_code = _said(exc), exc.http_status
        found = planning.will_expire_unsold(ctx, UnsoldQuery())
    return _page(
        request,
        "buying_unsold.html",
        ctx,
        status_code=status_code,
        found=found,
        error=error,
        days=(found.until - found.today).days + 1,
    )


@router.get("/buying/unsold", response_class=HTMLResponse)
def unsold(request: Request) -> HTMLResponse:
    """Lots the forecast says will reach their date with stock left, and what to do about each."""
    return _unsold_page(request, page_context(request))


@router.post("/buying/unsold/markdown", response_model=None)
async def apply_markdown(request: Request) -> Response:
    """A suggested reduce-to-clear, set on the menu item: the till charges it from now on."""
    ctx = page_context(request)
    form = await _form(request)
    code = form.get("item", "")
    try:
        item = menu.set_markdown(ctx, code, form_command(SetMarkdown, form, ("days", "percent")))
    except MidnightError as exc:
        return _unsold_page(request, ctx, error=f"{code}: {_said(exc)}", status_code=exc.http_status)
    said = f"{item.name} is reduced {item.markdown_percent}% {markdown_start_words(item.markdown_days or 0)}, from now on"
    return redirect_with_message(request, "/buying/unsold", said)
