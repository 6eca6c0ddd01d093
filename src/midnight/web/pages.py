"""Log in and out, and the till."""

from __future__ import annotations

import uuid
from itertools import groupby

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from midnight.domain.errors import InvalidInput, MidnightError
from midnight.domain.money import minor_digits
from midnight.services import menu, orders, people, receipts
from midnight.web.core import SESSION_COOKIE, check_csrf, page_context, redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home() -> Response:
    return redirect("/till")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", None, errors={}, values={})


@router.post("/login", response_model=None)
async def login(request: Request) -> Response:
    base = request.app.state.ctx
    values: dict[str, str] = {}
    try:
        form = await check_csrf(request)
        values = {"name": str(form.get("name", ""))}
        address = request.client.host if request.client else "unknown"
        issued = people.log_in(base, values["name"], str(form.get("password", "")), address)
    except MidnightError as exc:
        return render(
            request, "login.html", None, status_code=exc.http_status, errors={"_": exc.message}, values=values
        )
    response = redirect("/till")
    response.set_cookie(SESSION_COOKIE, issued.token, httponly=True, samesite="strict", max_age=12 * 3600)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    await check_csrf(request)
    ctx = page_context(request)
    people.log_out(ctx, request.cookies.get(SESSION_COOKIE, ""))
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/till", response_class=HTMLResponse)
def till(request: Request) -> HTMLResponse:
    ctx = page_context(request)
    items = menu.list_menu(ctx)
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
        lines = [
            orders.LineRequest(str(c), str(q or "1"), str(n))
            for c, q, n in zip(codes, qtys, notes, strict=False)
        ]
        payments = [(m, str(form.get(m))) for m in ("card", "cash") if str(form.get(m) or "").strip()]
        if not payments:
            raise InvalidInput("enter the cash handed over, or pay by card", field="payments")
        order = orders.place_order(
            ctx,
            str(form.get("key", "")),
            lines,
            discount=str(form.get("discount") or "") or None,
            discount_reason=str(form.get("reason") or "") or None,
            payments=payments,
        )
    except MidnightError as exc:
        return render(request, "paid.html", ctx, status_code=200, error=exc.message)
    return render(request, "paid.html", ctx, order=order, receipt=receipts.render(ctx, order, 80), error=None)
