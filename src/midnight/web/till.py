"""The till: ring up, pay, see the change and the receipt."""

from __future__ import annotations

import uuid
from itertools import groupby

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from midnight.commands.till import MenuQuery, PlaceOrder
from midnight.domain.errors import InvalidInput, MidnightError
from midnight.domain.money import minor_digits
from midnight.services import menu, orders, receipts
from midnight.web.core import check_csrf, form_command, page_context, render

router = APIRouter(include_in_schema=False)


@router.get("/till", response_class=HTMLResponse)
def till(request: Request) -> HTMLResponse:
    ctx = page_context(request)
    items = menu.list_menu(ctx, MenuQuery(limit=1000)).items
    grouped = [(category, list(group)) for category, group in groupby(items, key=lambda i: i.category)]
    return render(
        request,
        "till.html",
        ctx,
        menu=grouped,
        key=uuid.uuid4().hex,
        digits=minor_digits(ctx.store.currency),
    )


@router.post("/till/pay", response_class=HTMLResponse)
async def pay(request: Request) -> HTMLResponse:
    """Place and pay the order in one go; the page's idempotency key makes a double click harmless."""
    ctx = page_context(request)
    try:
        form = await request.form()
        await check_csrf(request)
        codes, qtys, notes = form.getlist("code"), form.getlist("qty"), form.getlist("note")
        if not len(codes) == len(qtys) == len(notes):
            # Every line carries a code, a quantity and a note; a line missing one is never dropped.
            raise InvalidInput(
                "the order form is incomplete; reload the till and ring it up again", field="lines"
            )
        lines = [
            {"code": c, "quantity": q or "1", "note": n} for c, q, n in zip(codes, qtys, notes, strict=True)
        ]
        payments = [
            {"method": m, "amount": str(form.get(m))}
            for m in ("card", "cash")
            if str(form.get(m) or "").strip()
        ]
        if not payments:
            raise InvalidInput("enter the cash handed over, or pay by card", field="payments")
        fields = {
            "lines": lines,
            "payments": payments,
            "discount": form.get("discount"),
            "discount_reason": form.get("reason"),
        }
        order = orders.place_order(ctx, str(form.get("key", "")), form_command(PlaceOrder, fields))
    except MidnightError as exc:
        return render(request, "paid.html", ctx, status_code=200, error=exc.message)
    return render(request, "paid.html", ctx, order=order, receipt=receipts.render(ctx, order, 80), error=None)
