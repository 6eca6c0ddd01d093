"""The counter shelf: what is waiting, holding a new item, handing over."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from midnight.api.models import Id
from midnight.commands.counter import HoldItem, PickUp, ShelfQuery
from midnight.domain.errors import MidnightError
from midnight.services import holds
from midnight.web.core import check_csrf, form_command, page_context, redirect, render

router = APIRouter(include_in_schema=False)


def _shelf(request: Request, status_code: int = 200, **context: object) -> HTMLResponse:
    ctx = page_context(request)
    defaults: dict[str, object] = {"errors": {}, "form_errors": {}, "values": {}, "code": None, "held": None}
    page = holds.shelf(ctx, form_command(ShelfQuery, request.query_params, ("cursor",)))
    return render(
        request,
        "shelf.html",
        ctx,
        status_code=status_code,
        holds=page.items,
        next_cursor=page.next_cursor,
        **{**defaults, **context},
    )


CODE_COOKIE = "midnight_new_code"


@router.get("/shelf", response_class=HTMLResponse)
def shelf(request: Request) -> HTMLResponse:
    """The shelf; just after holding an item, its pickup code, shown this once."""
    shown = request.cookies.get(CODE_COOKIE, "")
    hold_id, _, code = shown.partition(":")
    if not (hold_id.isdigit() and code.isdigit()):
        return _shelf(request)
    ctx = page_context(request)
    response = _shelf(
        request, code=code, held=holds.get_hold(ctx, int(hold_id)), message=f"Holding item {hold_id}"
    )
    response.delete_cookie(CODE_COOKIE, path="/shelf")
    return response


@router.post("/shelf", response_model=None)
async def hold(request: Request) -> Response:
    """Hold an item, then redirect (so a reload cannot hold it twice) to show the code once."""
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    try:
        names = ("description", "for_customer", "left_by", "shelf_slot", "hold_until")
        new = holds.hold_item(ctx, form_command(HoldItem, form, names))
    except MidnightError as exc:
        # The form's box for who it is for is "for_customer"; an error about the customer belongs there.
        field = "for_customer" if exc.field == "customer" else exc.field or "_"
        known = {"description", "for_customer", "left_by", "shelf_slot", "hold_until"}
        return _shelf(
            request,
            status_code=exc.http_status,
            form_errors={field if field in known else "_": exc.message},
            values=form,
        )
    response = redirect("/shelf")
    response.set_cookie(
        CODE_COOKIE,
        f"{new.hold.id}:{new.code}",
        max_age=120,
        httponly=True,
        samesite="strict",
        path="/shelf",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/shelf/{hold_id}/pickup", response_class=HTMLResponse)
async def pickup(request: Request, hold_id: Id) -> HTMLResponse:
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    try:
        fields = {"code": form.get("code"), "identity_checked": bool(form.get("identity_checked"))}
        done = holds.pick_up(ctx, hold_id, form_command(PickUp, fields))
    except MidnightError as exc:
        return _shelf(request, status_code=exc.http_status, errors={hold_id: exc.message})
    return _shelf(request, message=f"Item {done.id} handed over to {done.for_customer}")
