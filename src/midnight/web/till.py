"""The till: ring up with the server pricing every change, pay, start the next order at once.

The order lives in the panel's form (codes, quantities, notes, discount); every change posts it back
and the server answers the whole panel, priced by the same code that pays (services.quotes.quote_order).
The page computes nothing: totals, markdowns, suggested tenders and errors all come from the server.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from midnight.api.models import Id
from midnight.api.security import DEVICE_COOKIE
from midnight.commands.till import OrderKey, ParkedQuery, ParkOrder, PayOrder, PlaceOrder
from midnight.domain.errors import InvalidInput, MidnightError
from midnight.domain.money import minor_digits, parse_amount, to_decimal, to_minor
from midnight.domain.order import OrderState
from midnight.domain.pricing import cash_suggestions
from midnight.services import (
    devices,
    drawers,
    menu,
    modifiers,
    offline,
    orders,
    printing,
    quotes,
    receipts,
    tenders,
)
from midnight.services.context import Context
from midnight.services.orders import OrderInfo
from midnight.services.quotes import Quote
from midnight.web.core import check_csrf, form_command, page_context, render

router = APIRouter(include_in_schema=False)

# Form fields the panel posts; anything else in a post is ignored, never guessed at.
ORDER_FIELDS = ("discount", "reason", "cash", "card", "other", "tender", "sold_at", "label", "revision")
MAX_SHEET_CHOICES = 40  # options ticked on the quick sheet at once; more is not a person tapping


@dataclass
class Panel:
    """What the order panel shows: the lines as typed, the server's price of them, any error."""

    key: str
    lines: list[dict[str, str]]
    values: dict[str, str]
    quote: Quote | None = None
    errors: dict[str, str] | None = None
    last: OrderInfo | None = None
    receipt: str | None = None
    without_discount: bool = False  # priced without a discount still waiting for its reason
    names: dict[str, str] | None = None  # what each line is, when it can't be priced yet
    notice: str | None = None
    reopened: OrderInfo | None = None  # a parked order being changed or paid
    stale: int | None = None  # a parked order another till changed since this one opened it
    print_job: int | None = None  # the last sale's receipt, queued on this till's printer
    choose_lines: set[int] | None = None  # lines whose choices are not whole (a required one missing)


def _lines(form: Any) -> list[dict[str, str]]:
    codes, qtys, notes = form.getlist("code"), form.getlist("qty"), form.getlist("note")
    # A form from a till page older than modifiers has no "mods" at all: its lines have none.
    mods = form.getlist("mods") or [""] * len(codes)
    if not len(codes) == len(qtys) == len(notes) == len(mods):
        # Every line carries a code, a quantity, a note and its modifiers; a line missing one is never
        # dropped.
        raise InvalidInput(
            "the order form is incomplete; reload the till and ring it up again", field="lines"
        )
    return [
        {"code": str(c), "qty": str(q).strip() or "1", "note": str(n), "mods": _mods_text(m)}
        for c, q, n, m in zip(codes, qtys, notes, mods, strict=True)
    ]


def _mods_text(value: object) -> str:
    """A line's modifiers as the form carries them: option codes joined by commas."""
    return ",".join(code.strip() for code in str(value).split(",") if code.strip())


def _read(panel: Panel, form: Any) -> None:
    """The order as the panel's form holds it: its boxes and its lines."""
    panel.values = {name: str(form.get(name) or "") for name in ORDER_FIELDS}
    panel.lines = _lines(form)


def _shown_minor(ctx: Context, shown: str) -> int:
    """The total the panel showed (a plain amount the server wrote), in minor units."""
    return to_minor(parse_amount(shown), ctx.store.currency)


def _line_fields(lines: list[dict[str, str]]) -> list[dict[str, object]]:
    return [
        {
            "code": li["code"],
            "quantity": li["qty"],
            "note": li["note"],
            "modifiers": [m for m in li.get("mods", "").split(",") if m],
        }
        for li in lines
    ]


def _command(lines: list[dict[str, str]], values: Mapping[str, str], **extra: object) -> PlaceOrder:
    fields: dict[str, object] = {
        "lines": _line_fields(lines),
        "discount": values.get("discount"),
        "discount_reason": values.get("reason"),
        "sold_at": values.get("sold_at"),
        "revision": values.get("revision"),
        **extra,
    }
    return form_command(PlaceOrder, fields)


def _error_field(exc: MidnightError) -> str:
    """Where on the panel an error belongs: a line ("line-2"), the discount, the payment, or the top."""
    field = exc.field or ""
    if field.startswith("lines."):
        return "line-" + field.split(".")[1]
    if field == "sold_at":
        return "sold_at"
    if field == "label":
        return "label"
    if field in ("discount", "discount_reason"):
        return "discount" if field == "discount" else "reason"
    if field in ("payments", "expected_total", "tender") or field.startswith("payments."):
        return "pay"
    return "_"


def _priced(ctx: Context, panel: Panel) -> Panel:
    """Ask the server's pricing for the panel's lines; an error goes where it belongs.

    A discount still waiting for its reason is left out of the price meanwhile (the lines keep their
    prices); a line the server can't take (a quantity of "abc") leaves the order unpriced, and Pay off.
    """
    if not panel.lines:
        return panel
    errors = dict(panel.errors or {})
    values = dict(panel.values)
    for _ in range(2):
        try:
            panel.quote = quotes.quote_order(ctx, _command(panel.lines, values))
            break
        except MidnightError as exc:
            where = _error_field(exc)
            errors.setdefault(where, exc.message)
            _choices_wanted(panel, exc)
            if where in ("discount", "reason") and values.get("discount"):
                values = {**values, "discount": "", "reason": ""}
                panel.without_discount = True
                continue
            break
    panel.errors = errors
    if panel.quote is None:
        panel.names = menu.names(ctx, [line["code"] for line in panel.lines])
    return panel


def _choices_wanted(panel: Panel, exc: MidnightError) -> None:
    """A line refused for its choices (field "lines.2.modifiers") says so with its Change button."""
    found = re.fullmatch(r"lines\.(\d+)\.modifiers", exc.field or "")
    if found:
        panel.choose_lines = {*(panel.choose_lines or ()), int(found.group(1))}


def _payments(values: Mapping[str, str]) -> list[dict[str, str]]:
    """The payment boxes as the order's payments: a named tender, then card, then cash."""
    payments = [{"method": m, "amount": values[m]} for m in ("card", "cash") if values.get(m, "").strip()]
    if values.get("other", "").strip():
        payments.insert(0, {"method": "other", "tender": values.get("tender", ""), "amount": values["other"]})
    return payments


def _preview(ctx: Context, panel: Panel) -> quotes.TenderPreview | None:
    if panel.quote is None or not panel.quote.total:
        return None
    try:
        cmd = form_command(PayOrder, {"payments": _payments(panel.values)})
    except MidnightError:
        return None
    return quotes.preview_tenders(ctx, panel.quote.total, cmd.payments)


def _render_panel(request: Request, ctx: Context, panel: Panel) -> HTMLResponse:
    quote = panel.quote
    plain = (lambda minor: str(to_decimal(minor, ctx.store.currency))) if quote else None
    blocking = {k for k in (panel.errors or {}) if k not in ("scan", "pay", "label")}
    codes = sorted({line["code"].upper() for line in panel.lines})
    return render(
        request,
        "till_panel.html",
        ctx,
        panel=panel,
        quote=quote,
        errors=panel.errors or {},
        values=panel.values,
        plain=plain,
        suggestions=cash_suggestions(quote.total, ctx.store.currency) if quote and quote.total else [],
        tenders=[t.name for t in tenders.list_tenders(ctx)],
        shown=plain(quote.total) if quote and plain else "",
        payable=bool(quote and quote.payable and not blocking),
        preview=_preview(ctx, panel),
        choosable=modifiers.with_modifiers(ctx, codes) if codes else set(),
    )


def _grid(ctx: Context, text: str | None) -> list[tuple[str, list[dict[str, Any]]]]:
    items = menu.till_items(ctx, text)
    now = quotes.prices_now(ctx, [i.code for i in items if i.markdown_days is not None])
    choosable = modifiers.with_modifiers(ctx, [i.code for i in items]) if items else set()
    shown = [
        {
            "code": i.code,
            "name": i.name,
            "category": i.category,
            "price": i.price,
            "now": now.get(i.code),
            "choices": i.code in choosable,
        }
        for i in items
    ]
    return [(category, list(group)) for category, group in groupby(shown, key=lambda i: i["category"])]


@router.get("/till", response_class=HTMLResponse)
def till(request: Request) -> HTMLResponse:
    ctx = page_context(request)
    drawer, adrift = drawers.where_cash_goes(ctx)
    return render(
        request,
        "till.html",
        ctx,
        drawer=drawer,
        adrift=adrift,
        menu=_grid(ctx, None),
        panel=Panel(key=uuid.uuid4().hex, lines=[], values={}),
        errors={},
        values={},
        quote=None,
        suggestions=[],
        tenders=[t.name for t in tenders.list_tenders(ctx)],
        shown="",
        digits=minor_digits(ctx.store.currency),
        offline_waiting=offline.waiting(ctx)[0],
        till_name=_till_name(request, ctx),
    )


@router.get("/till/items", response_class=HTMLResponse)
def items(request: Request, q: str = "") -> HTMLResponse:
    """The item grid, or what a search finds (by name in any language or case, or by code)."""
    ctx = page_context(request)
    try:
        grid, error = _grid(ctx, q), None
    except MidnightError as exc:
        grid, error = [], exc.message
    return render(request, "till_items.html", ctx, menu=grid, error=error, searched=q)


@router.post("/till/order", response_class=HTMLResponse)
async def change(request: Request) -> HTMLResponse:
    """Add (a tap or a scan), remove, or re-price after a quantity or discount changed."""
    ctx = page_context(request)
    form = await request.form()
    panel = Panel(key=str(form.get("key") or uuid.uuid4().hex), lines=[], values={})
    try:
        await check_csrf(request)
        found = orders.recorded_under(ctx, panel.key) if form.get("key") else None
        if found is not None and found.state is not OrderState.OPEN:
            # A change that set off before Pay and arrived after it: that order is paid; the panel
            # shows the next one, never the paid one again.
            return _render_panel(request, ctx, _fresh(ctx, found))
        _same_order(panel, found)
        _read(panel, form)
        added = str(form.get("add") or "")
        scanned = str(form.get("scan") or "")
        chosen = _chosen(form)
        if scanned:
            added = menu.code_for_scan(ctx, scanned)
        edited = str(form.get("edit") or "")
        if edited.isdigit() and 1 <= int(edited) <= len(panel.lines):
            # the quick sheet for a line already rung: its choices checked before the line changes
            line = int(edited)
            refused = _refused_choices(request, ctx, panel.lines[line - 1]["code"], chosen, line)
            if refused is not None:
                return refused
            panel.lines[line - 1]["mods"] = chosen
        elif added:
            # A tap, a scan or the quick sheet: nothing is added until its choices are whole (a
            # required one made); otherwise the sheet asks for what is missing.
            refused = _refused_choices(request, ctx, added, chosen, 0)
            if refused is not None:
                return refused
            _add(panel.lines, added, chosen)
        removed = str(form.get("remove") or "")
        if removed.isdigit() and 1 <= int(removed) <= len(panel.lines):
            del panel.lines[int(removed) - 1]
    except MidnightError as exc:
        panel.errors = {"scan" if exc.field in ("scan", "code", "barcode") else "_": exc.message}
    panel = _priced(ctx, panel)
    _clear_stale_payment(ctx, panel, str(form.get("shown") or ""))
    return _render_panel(request, ctx, panel)


def _box_message(message: str, payments: list[dict[str, str]]) -> str:
    """ "payment 2: amount must be …" as the cashier knows the box: "the cash amount must be …"."""
    found = re.match(r"payment (\d+): amount ", message)
    if not found or not 1 <= int(found.group(1)) <= len(payments):
        return message
    paid = payments[int(found.group(1)) - 1]
    return f"the {paid.get('tender') or paid['method']} amount " + message[found.end() :]


def _clear_stale_payment(ctx: Context, panel: Panel, shown: str) -> None:
    """When the order's total changed, amounts typed for the old one (an "Exact", an "All by card")
    no longer fit it: they are cleared and the cashier is told, never paid as they stand."""
    if not shown or not any(panel.values.get(m, "").strip() for m in ("cash", "card", "other")):
        return
    try:
        before = _shown_minor(ctx, shown)
    except MidnightError:
        before = None
    now = panel.quote.total if panel.quote else None
    if now == before:
        return
    panel.values = {**panel.values, "cash": "", "card": "", "other": ""}
    panel.notice = (
        f"The total changed to {ctx.money(now)}: enter the payment again."
        if now is not None
        else "The order changed: enter the payment again once it is priced."
    )


def _chosen(form: Any) -> str:
    """The options ticked on the quick sheet: each group's radio buttons or check boxes are named
    "choose.GROUP" (one name for all would make every single choice one radio group)."""
    ticked = [
        str(value) for name, value in form.multi_items() if name == "choose" or name.startswith("choose.")
    ][:MAX_SHEET_CHOICES]
    return _mods_text(",".join(ticked))


def _refused_choices(
    request: Request, ctx: Context, code: str, chosen: str, line: int
) -> HTMLResponse | None:
    """The quick sheet again, saying by its group what is missing, when these choices can't make a
    line of `code` (the server's rules: services.modifiers.check_chosen); None when they can."""
    try:
        modifiers.check_chosen(ctx, code, [m for m in chosen.split(",") if m])
    except MidnightError as exc:
        if not (exc.field or "").startswith("modifiers"):
            raise
        group = (exc.field or "").partition(".")[2]
        response = _sheet(request, ctx, code, line, chosen, {group or "_": exc.message})
        # the sheet stays open, in its own place; the panel is left as it was
        response.headers["HX-Retarget"] = "#sheet-body"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    return None


def _add(lines: list[dict[str, str]], code: str, mods: str = "") -> None:
    """One more of an item: onto its line if it has one made the same way without a note, else a new line."""
    for line in lines:
        if line["code"] == code and line.get("mods", "") == mods and not line["note"] and _whole(line["qty"]):
            line["qty"] = str(int(Decimal(line["qty"])) + 1)
            return
    lines.append({"code": code, "qty": "1", "note": "", "mods": mods})


def _whole(text: str) -> bool:
    return text.isascii() and text.isdigit() and 0 < len(text) <= 6


@router.post("/till/pay", response_class=HTMLResponse)
async def pay(request: Request) -> HTMLResponse:
    """Pay the order at the total shown; then the panel starts the next order with the receipt kept."""
    ctx = page_context(request)
    form = await request.form()
    panel = Panel(key=str(form.get("key", "")), lines=[], values={})
    try:
        await check_csrf(request)
        panel.key = form_command(OrderKey, {"key": panel.key}).key
        paid = _settled_under(ctx, panel.key)
        if paid is not None:
            # Pay pressed again after its answer was lost: the order was paid once, and stays so.
            fresh = _fresh(ctx, paid)
            fresh.notice = f"Order #{paid.id} was already paid; nothing was charged again."
            return _render_panel(request, ctx, fresh)
        _read(panel, form)
        if not panel.lines:
            raise InvalidInput("the order is empty: tap an item or scan one first", field="lines")
        payments = _payments(panel.values)
        shown = str(form.get("shown") or "")
        if not shown:
            raise InvalidInput("the order has no price yet: check the lines above", field="payments")
        if payments or _shown_minor(ctx, shown) == 0:
            # (An order that comes to nothing, a staff meal, is paid with no payments.)
            till = _till_name(request, ctx)
            cmd = _command(panel.lines, panel.values, payments=payments, expected_total=shown, till=till)
            order = orders.place_order(ctx, panel.key, cmd)
            # After the sale is recorded, never inside it: the receipt (and the drawer, for cash) on
            # this till's printer; a printer that fails says so and leaves the sale as it is.
            printed = printing.after_sale(ctx, order.id, till)
        else:
            raise InvalidInput("enter the cash handed over, or pay by card", field="payments")
    except MidnightError as exc:
        message = _box_message(exc.message, _payments(panel.values))
        if exc.field == "key":
            message = "this till page is out of date: reload it and ring the order up again"
        panel.errors = {_error_field(exc): message}
        _choices_wanted(panel, exc)
        _mark_stale(ctx, panel, exc)
        _still_parked(ctx, panel)
        return _render_panel(request, ctx, _priced(ctx, panel))
    done = _fresh(ctx, order)
    done.print_job = printed
    return _render_panel(request, ctx, done)


def _mark_stale(ctx: Context, panel: Panel, exc: MidnightError) -> None:
    """Another till changed this parked order since it was opened here: offer it as it is now."""
    if exc.field == "revision":
        found = orders.recorded_under(ctx, panel.key)
        panel.stale = found.id if found is not None else None


def _same_order(panel: Panel, found: OrderInfo | None) -> None:
    """A parked order still being changed here keeps its number and label on the panel."""
    if found is not None and found.state is OrderState.OPEN and found.parked_at is not None:
        panel.reopened = found


def _still_parked(ctx: Context, panel: Panel) -> None:
    """After a refused pay or park: the parked order it is, if it is one, still shown as itself."""
    with contextlib.suppress(MidnightError):  # a key that is no key: no order to show
        _same_order(panel, orders.recorded_under(ctx, panel.key) if panel.key else None)


def _settled_under(ctx: Context, key: str) -> OrderInfo | None:
    """The order under the panel's key if it is paid or voided (a parked order reopened is still open)."""
    found = orders.recorded_under(ctx, key)
    return found if found is not None and found.state is not OrderState.OPEN else None


def _till_name(request: Request, ctx: Context) -> str | None:
    """The till this browser is set up as, if it is one (an owner set it up: services.devices)."""
    return devices.device_till(ctx, request.cookies.get(DEVICE_COOKIE, ""))


def _fresh(ctx: Context, last: OrderInfo) -> Panel:
    """The next customer's empty order (a new key), with the last sale's change and receipt (the
    32-column one, so it fits beside the menu; the order's page prints 80 mm too)."""
    return Panel(key=uuid.uuid4().hex, lines=[], values={}, last=last, receipt=receipts.render(ctx, last, 58))


@router.post("/till/tender", response_class=HTMLResponse)
async def tender(request: Request) -> HTMLResponse:
    """While the payment boxes are typed in: the change to give, or what is still due (for "rest by
    card"), by the same settling rules as paying. Only this small part of the panel is redrawn."""
    ctx = page_context(request)
    form = await request.form()
    panel = Panel(key=str(form.get("key", "")), lines=[], values={})
    try:
        await check_csrf(request)
        _read(panel, form)
        if panel.lines:
            panel.quote = quotes.quote_order(ctx, _command(panel.lines, panel.values))
    except MidnightError:
        panel.quote = None
    quote = panel.quote
    return render(
        request,
        "till_tender.html",
        ctx,
        quote=quote,
        preview=_preview(ctx, panel),
        plain=lambda minor: str(to_decimal(minor, ctx.store.currency)),
    )


@router.get("/till/choose/{code}", response_class=HTMLResponse)
def choose(request: Request, code: str, line: int = 0, chosen: str = "") -> HTMLResponse:
    """The quick sheet of an item's modifiers: for a new line, or (`line`) for one already rung."""
    ctx = page_context(request)
    return _sheet(request, ctx, code, line, chosen, {})


def _sheet(
    request: Request, ctx: Context, code: str, line: int, chosen: str, errors: dict[str, str]
) -> HTMLResponse:
    try:
        item, error = modifiers.item_modifiers(ctx, code), None
    except MidnightError as exc:
        item, error = None, exc.message
    picked = set(_mods_text(chosen).split(","))
    return render(
        request, "till_sheet.html", ctx, item=item, error=error, line=line, picked=picked, errors=errors
    )


@router.post("/till/park", response_class=HTMLResponse)
async def park(request: Request) -> HTMLResponse:
    """Park the order under a name or table (and send the kitchen what it hasn't had); the panel
    starts the next order."""
    ctx = page_context(request)
    form = await request.form()
    panel = Panel(key=str(form.get("key", "")), lines=[], values={})
    try:
        await check_csrf(request)
        panel.key = form_command(OrderKey, {"key": panel.key}).key
        _read(panel, form)
        if not panel.lines:
            raise InvalidInput("the order is empty: there is nothing to park", field="lines")
        send = str(form.get("send") or "") == "kitchen"
        cmd = form_command(
            ParkOrder,
            {
                "lines": _line_fields(panel.lines),
                "discount": panel.values.get("discount"),
                "discount_reason": panel.values.get("reason"),
                "label": panel.values.get("label"),
                "revision": panel.values.get("revision"),
                "send_to_kitchen": "true" if send else "false",
                "till": _till_name(request, ctx),
            },
        )
        parked = orders.park_order(ctx, panel.key, cmd)
        if send:
            printing.wake()  # a station with a printer prints its ticket at once
    except MidnightError as exc:
        where = _error_field(exc)
        panel.errors = {where: exc.message}
        if where != "label":
            # said by the Park buttons too: a line's problem alone may look as it did before pressing
            panel.errors["park"] = f"Not parked: {exc.message}"
        _choices_wanted(panel, exc)
        _mark_stale(ctx, panel, exc)
        _still_parked(ctx, panel)
        return _render_panel(request, ctx, _priced(ctx, panel))
    fresh = Panel(key=uuid.uuid4().hex, lines=[], values={})
    fresh.notice = (
        f"Order #{parked.id} for {parked.label} (number {parked.call_number}) parked"
        + (" and sent to the kitchen." if send else ".")
        + " Reopen it from Parked orders."
    )
    return _render_panel(request, ctx, fresh)


@router.get("/till/parked", response_class=HTMLResponse)
def parked(request: Request, cursor: str | None = None) -> HTMLResponse:
    """Orders parked on any till, the longest waiting first, to reopen."""
    ctx = page_context(request)
    try:
        query = form_command(ParkedQuery, {"cursor": cursor, "limit": "20"})
        page, error = orders.parked_orders(ctx, query), None
    except MidnightError as exc:
        page, error = None, exc.message
    return render(request, "till_parked.html", ctx, page=page, error=error, now=ctx.now())


@router.post("/till/reopen/{order_id}", response_class=HTMLResponse)
async def reopen(request: Request, order_id: Id) -> HTMLResponse:
    """A parked order back in the panel, as it was parked, to change, send or pay."""
    ctx = page_context(request)
    panel = Panel(key=uuid.uuid4().hex, lines=[], values={})
    try:
        await check_csrf(request)
        order = orders.get_order(ctx, order_id)
        if order.state is not OrderState.OPEN or order.parked_at is None:
            raise InvalidInput(f"order #{order.id} is no longer parked ({order.state.label})", field="order")
        panel = _reopened(order)
    except MidnightError as exc:
        panel.errors = {"_": exc.message}
    return _render_panel(request, ctx, _priced(ctx, panel))


def _reopened(order: OrderInfo) -> Panel:
    lines = [
        {
            "code": line.code,
            "qty": format(line.quantity.normalize(), "f"),
            "note": line.note,
            "mods": ",".join(m.code for m in line.modifiers),
        }
        for line in order.lines
    ]
    values = {
        "discount": order.discount_value or "",
        "reason": order.discount_reason or "",
        "label": order.label or "",
        "revision": str(order.revision),
    }
    panel = Panel(key=order.idempotency_key, lines=lines, values=values)
    panel.notice = f"Order #{order.id} for {order.label} (number {order.call_number}) reopened."
    panel.reopened = order
    return panel
