"""The cash drawer: open a till's drawer with a float, pay in and out, close it with the cash counted."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from midnight.api.models import Id
from midnight.commands.cash import CashCount, CloseDrawer, DrawerMove, DrawerQuery, OpenDrawer
from midnight.domain import cash
from midnight.domain.errors import MidnightError
from midnight.services import drawers
from midnight.services.context import Context
from midnight.web.core import check_csrf, form_command, page_context, redirect, render
from midnight.web.reports import count_fields

router = APIRouter(include_in_schema=False)
FORMS = {"open": ("till", "float"), "move": ("kind", "amount", "reason"), "close": ("counted", "counts")}


def _page(
    request: Request,
    ctx: Context,
    session: drawers.SessionInfo | None,
    *,
    status_code: int = 200,
    form: str | None = None,
    error: MidnightError | None = None,
    values: Mapping[str, object] | None = None,
) -> HTMLResponse:
    """The drawer page: a session (yours, open, by default) with its forms, and the list of sessions."""
    errors: dict[str, dict[str, str]] = {name: {} for name in FORMS}
    if form is not None and error is not None:
        where = (error.field or "").split(".")[0]
        errors[form][where if where in FORMS[form] else "_"] = error.message
    kept = dict(values or {})
    query = form_command(DrawerQuery, request.query_params, ("cursor",))
    moves_query = form_command(DrawerQuery, {"cursor": request.query_params.get("moves")}, ("cursor",))
    moves = drawers.moves(ctx, session.id, moves_query) if session is not None else None
    listing = drawers.sessions(ctx, query)

    def describe(difference: int) -> str:
        return cash.describe(difference, ctx.money)

    return render(
        request,
        "drawer.html",
        ctx,
        status_code=status_code,
        session=session,
        mine=session is not None and session.opened_by == ctx.actor,
        moves=moves,
        sessions=listing,
        errors=errors,
        values=kept,
        key=str(kept.get("key") or secrets.token_urlsafe(16)),
        denominations=drawers.denominations(ctx),
        describe=describe,
    )


@router.get("/drawer", response_class=HTMLResponse)
def drawer_page(request: Request) -> HTMLResponse:
    """Your open drawer (or the form to open one), then the sessions you may see."""
    ctx = page_context(request)
    return _page(request, ctx, drawers.current(ctx))


@router.get("/drawer/{session_id}", response_class=HTMLResponse)
def session_page(request: Request, session_id: Id) -> HTMLResponse:
    ctx = page_context(request)
    return _page(request, ctx, drawers.get_session(ctx, session_id))


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await check_csrf(request)).items()}


@router.post("/drawer/open", response_model=None)
async def open_drawer(request: Request) -> Response:
    ctx = page_context(request)
    form = await _form(request)
    try:
        drawers.open_drawer(ctx, form_command(OpenDrawer, form, FORMS["open"]))
    except MidnightError as exc:
        return _page(
            request,
            ctx,
            drawers.current(ctx),
            status_code=exc.http_status,
            form="open",
            error=exc,
            values=form,
        )
    return redirect("/drawer")  # a reload cannot open it twice


@router.post("/drawer/{session_id}/move", response_model=None)
async def move(request: Request, session_id: Id) -> Response:
    """A pay-in or pay-out; the form's key makes a double tap (or a retry) record it once."""
    ctx = page_context(request)
    form = await _form(request)
    try:
        drawers.record_move(ctx, form_command(DrawerMove, form, (*FORMS["move"], "key")), session_id)
    except MidnightError as exc:
        return _page(
            request,
            ctx,
            drawers.get_session(ctx, session_id),
            status_code=exc.http_status,
            form="move",
            error=exc,
            values=form,
        )
    return redirect(f"/drawer/{session_id}")


@router.post("/drawer/{session_id}/close", response_model=None)
async def close(request: Request, session_id: Id) -> Response:
    ctx = page_context(request)
    form = await _form(request)
    try:
        drawers.close_drawer(ctx, form_command(CloseDrawer, count_fields(ctx, form)), session_id)
    except MidnightError as exc:
        return _page(
            request,
            ctx,
            drawers.get_session(ctx, session_id),
            status_code=exc.http_status,
            form="close",
            error=exc,
            values={**form, "pieces_open": any(k.startswith("piece_") and v for k, v in form.items())},
        )
    return redirect(f"/drawer/{session_id}")


@router.post("/drawer/count", response_class=HTMLResponse)
async def count(request: Request) -> HTMLResponse:
    """What the notes and coins typed so far come to — the server adds them up (htmx, as one types)."""
    ctx = page_context(request)
    form = await _form(request)
    try:
        tally = drawers.count(ctx, form_command(CashCount, count_fields(ctx, form)))
    except MidnightError as exc:
        return HTMLResponse(f'<span class="error">{escape(exc.message)}</span>')
    if tally.total is None or not tally.pieces:
        return HTMLResponse("")
    return HTMLResponse(f"The notes and coins come to <strong>{escape(ctx.money(tally.total))}</strong>.")
