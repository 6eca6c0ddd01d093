"""The counter shelf: what is waiting, finding an item by its code, holding a new item, handing over."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from midnight.api.models import Id
from midnight.commands.counter import FindHold, HoldItem, PickUp, ShelfQuery
from midnight.domain.customer import UnknownCustomer
from midnight.domain.errors import MidnightError
from midnight.services import holds
from midnight.web.core import check_csrf, form_command, page_context, redirect, render

router = APIRouter(include_in_schema=False)
HOLD_FIELDS = ("description", "for_customer", "left_by", "shelf_slot", "hold_until")


def _shelf(
    request: Request, status_code: int = 200, values: Mapping[str, str] | None = None, **context: object
) -> HTMLResponse:
    ctx = page_context(request)
    defaults: dict[str, object] = {
        "errors": {},
        "form_errors": {},
        "code": None,
        "held": None,
        "found": None,
        "find_error": None,
        "find_value": "",
        "add_customer": None,
    }
    page = holds.shelf(ctx, form_command(ShelfQuery, request.query_params, ("cursor",)))
    shown = {**defaults, **context}
    kept = dict(values or {})
    kept.setdefault("key", secrets.token_urlsafe(16))  # the hold form's key: sent twice, held once
    return render(
        request,
        "shelf.html",
        ctx,
        status_code=status_code,
        holds=page.items,
        next_cursor=page.next_cursor,
        values=kept,
        **shown,
    )


CODE_COOKIE = "midnight_new_code"


@router.get("/shelf", response_class=HTMLResponse)
def shelf(request: Request) -> HTMLResponse:
    """The shelf; just after holding an item, its pickup code, shown this once."""
    shown = request.cookies.get(CODE_COOKIE, "")
    hold_id, _, code = shown.partition(":")
    if not hold_id.isdigit():
        return _shelf(request)
    ctx = page_context(request)
    held = holds.get_hold(ctx, int(hold_id))
    if code.isdigit():
        message = f"Holding item {hold_id} for {held.for_customer}"
    else:  # the same form arrived twice: the item was held once, by the first
        message = f"Item {hold_id} is already on the shelf for {held.for_customer} (the form was sent twice)"
        code = ""
    response = _shelf(request, code=code or None, held=held, message=message)
    response.delete_cookie(CODE_COOKIE, path="/shelf")
    return response


@router.post("/shelf", response_model=None)
async def hold(request: Request) -> Response:
    """Hold an item, then redirect (so a reload cannot hold it twice) to show the code once.

    For someone no customer goes by, the form comes back with the error on the "for" box and an
    offer to add them, which sends the same form (the same key) with new_customer set."""
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    try:
        new = holds.hold_item(ctx, form_command(HoldItem, form, (*HOLD_FIELDS, "new_customer", "key")))
    except MidnightError as exc:
        # The form's box for who it is for is "for_customer"; an error about the customer belongs there.
        field = "for_customer" if exc.field in ("customer", "for_customer") else exc.field or "_"
        offer = exc.name if isinstance(exc, UnknownCustomer) and exc.addable else None
        return _shelf(
            request,
            status_code=exc.http_status,
            form_errors={field if field in HOLD_FIELDS else "_": exc.message},
            values=form,
            add_customer=offer,
        )
    response = redirect("/shelf")
    response.set_cookie(
        CODE_COOKIE,
        f"{new.hold.id}:{new.code or ''}",
        max_age=120,
        httponly=True,
        samesite="strict",
        path="/shelf",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/shelf/find", response_class=HTMLResponse)
async def find(request: Request) -> HTMLResponse:
    """The waiting item with the code typed in the Pickup code box, ready to hand over."""
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    typed = form.get("code", "")
    try:
        found = holds.find_by_code(ctx, form_command(FindHold, {"code": typed}))
    except MidnightError as exc:
        return _shelf(request, status_code=exc.http_status, find_error=exc.message, find_value=typed)
    return _shelf(request, found=found, find_value="")


@router.post("/shelf/{hold_id}/pickup", response_class=HTMLResponse)
async def pickup(request: Request, hold_id: Id) -> HTMLResponse:
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    try:
        fields = {"code": form.get("code"), "identity_checked": bool(form.get("identity_checked"))}
        done = holds.pick_up(ctx, hold_id, form_command(PickUp, fields))
    except MidnightError as exc:
        if form.get("from") == "find":  # handed over from the found item's panel: the error goes there
            return _shelf(request, status_code=exc.http_status, find_error=exc.message)
        return _shelf(request, status_code=exc.http_status, errors={hold_id: exc.message})
    return _shelf(request, message=f"Item {done.id} handed over to {done.for_customer}")
