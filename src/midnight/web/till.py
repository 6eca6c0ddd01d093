"""The till: ring up with the server pricing every change, pay, start the next order at once.

The order lives in the panel's form (codes, quantities, notes, discount); every change posts it back
and the server answers the whole panel, priced by the same code that pays (services.quotes.quote_order).
The page computes nothing: totals, markdowns, suggested tenders and errors all come from the server.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from midnight.commands.till import OrderKey, PayOrder, PlaceOrder
from midnight.domain.errors import InvalidInput, MidnightError
from midnight.domain.money import minor_digits, parse_amount, to_decimal, to_minor
from midnight.domain.pricing import cash_suggestions
from midnight.services import drawers, menu, orders, quotes, receipts, tenders
from midnight.services.context import Context
from midnight.services.orders import OrderInfo
from midnight.services.quotes import Quote
from midnight.web.core import check_csrf, form_command, page_context, render

router = APIRouter(include_in_schema=False)

# Form fields the panel posts; anything else in a post is ignored, never guessed at.
ORDER_FIELDS = ("discount", "reason", "cash", "card", "other", "tender", "sold_at")


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


def _lines(form: Any) -> list[dict[str, str]]:
    codes, qtys, notes = form.getlist("code"), form.getlist("qty"), form.getlist("note")
    if not len(codes) == len(qtys) == len(notes):
        # Every line carries a code, a quantity and a note; a line missing one is never dropped.
        raise InvalidInput(
            "the order form is incomplete; reload the till and ring it up again", field="lines"
        )
    return [
        {"code": str(c), "qty": str(q).strip() or "1", "note": str(n)}
        for c, q, n in zip(codes, qtys, notes, strict=True)
    ]


def _read(panel: Panel, form: Any) -> None:
    """The order as the panel's form holds it: its boxes and its lines."""
    panel.values = {name: str(form.get(name) or "") for name in ORDER_FIELDS}
    panel.lines = _lines(form)


def _shown_minor(ctx: Context, shown: str) -> int:
    """The total the panel showed (a plain amount the server wrote), in minor units."""
    return to_minor(parse_amount(shown), ctx.store.currency)


def _command(lines: list[dict[str, str]], values: Mapping[str, str], **extra: object) -> PlaceOrder:
    fields: dict[str, object] = {
        "lines": [{"code": li["code"], "quantity": li["qty"], "note": li["note"]} for li in lines],
        "discount": values.get("discount"),
        "discount_reason": values.get("reason"),
        "sold_at": values.get("sold_at"),
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
            if where in ("discount", "reason") and values.get("discount"):
                values = {**values, "discount": "", "reason": ""}
                panel.without_discount = True
                continue
            break
    panel.errors = errors
    if panel.quote is None:
        panel.names = menu.names(ctx, [line["code"] for line in panel.lines])
    return panel


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
    blocking = {k for k in (panel.errors or {}) if k not in ("scan", "pay")}
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
    )


def _grid(ctx: Context, text: str | None) -> list[tuple[str, list[dict[str, Any]]]]:
    items = menu.till_items(ctx, text)
    now = quotes.prices_now(ctx, [i.code for i in items if i.markdown_days is not None])
    shown = [
        {"code": i.code, "name": i.name, "category": i.category, "price": i.price, "now": now.get(i.code)}
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
        paid = orders.recorded_under(ctx, panel.key) if form.get("key") else None
        if paid is not None:
            # A change that set off before Pay and arrived after it: that order is paid; the panel
            # shows the next one, never the paid one again.
            return _render_panel(request, ctx, _fresh(ctx, paid))
        _read(panel, form)
        added = str(form.get("add") or "")
        scanned = str(form.get("scan") or "")
        if scanned:
            added = menu.code_for_scan(ctx, scanned)
        if added:
            _add(panel.lines, added)
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


def _add(lines: list[dict[str, str]], code: str) -> None:
    """One more of an item: onto its line if it has one without a note, else a new line."""
    for line in lines:
        if line["code"] == code and not line["note"] and _whole(line["qty"]):
            line["qty"] = str(int(Decimal(line["qty"])) + 1)
            return
    lines.append({"code": code, "qty": "1", "note": ""})


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
        paid = orders.recorded_under(ctx, panel.key)
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
        if payments:
            cmd = _command(panel.lines, panel.values, payments=payments, expected_total=shown)
            order = orders.place_order(ctx, panel.key, cmd)
        elif _shown_minor(ctx, shown) == 0:
            # An order that comes to nothing (a staff meal) is paid with no payments.
            opened = orders.place_order(ctx, panel.key, _command(panel.lines, panel.values))
            order = orders.pay_order(
                ctx, opened.id, form_command(PayOrder, {"payments": [], "expected_total": shown})
            )
        else:
            raise InvalidInput("enter the cash handed over, or pay by card", field="payments")
    except MidnightError as exc:
        message = _box_message(exc.message, _payments(panel.values))
        if exc.field == "key":
            message = "this till page is out of date: reload it and ring the order up again"
        panel.errors = {_error_field(exc): message}
        return _render_panel(request, ctx, _priced(ctx, panel))
    return _render_panel(request, ctx, _fresh(ctx, order))


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
