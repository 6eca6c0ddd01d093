"""The kitchen's screens: a station's tickets as cards, oldest first, kept live by polling a fragment;
a big Bump button per card, and Recall for the last few bumped. The owner adds stations here too."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from midnight.api.models import Id
from midnight.commands import build
from midnight.commands.kitchen import AddStation, SetItemStation
from midnight.domain.errors import Conflict, MidnightError
from midnight.domain.kitchen import LATE_MINUTES, describe_wait, waited
from midnight.services import kitchen
from midnight.services.context import Context
from midnight.services.kitchen import Board, TicketInfo
from midnight.web.core import check_csrf, form_command, page_context, redirect, render

router = APIRouter(include_in_schema=False)
POLL_SECONDS = 2
PAGE = 24  # cards a screen shows at once; more wait their turn


def station_url(name: str) -> str:
    return f"/kitchen/{quote(name, safe='')}"


def _board_context(board: Board) -> dict[str, object]:
    """The board and how each ticket reads: its age from the moment the board was read, late or not."""

    def age(ticket: TicketInfo) -> str:
        return describe_wait(waited(ticket.created_at, board.at))

    def late(ticket: TicketInfo) -> bool:
        return waited(ticket.created_at, board.at) >= LATE_MINUTES

    return {
        "board": board,
        "age": age,
        "late": late,
        "url": station_url(board.station.name),
        "poll": POLL_SECONDS,
    }


def _stations_page(
    request: Request,
    ctx: Context,
    *,
    status_code: int = 200,
    errors: Mapping[str, Mapping[str, str]] | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "kitchen.html",
        ctx,
        status_code=status_code,
        stations=kitchen.list_stations(ctx),
        station_url=station_url,
        errors=errors or {},
        values=values or {},
    )


@router.get("/kitchen", response_class=HTMLResponse)
def stations(request: Request) -> HTMLResponse:
    """The stations, each with how many tickets wait there; the owner adds them here."""
    return _stations_page(request, page_context(request))


@router.post("/kitchen/stations", response_model=None)
async def add_station(request: Request) -> Response:
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    try:
        cmd = form_command(AddStation, form, ("name",))
        kitchen.add_station(ctx, cmd.name, cmd.printer)
    except MidnightError as exc:
        return _stations_page(
            request,
            ctx,
            status_code=exc.http_status,
            errors={"station": {"name" if exc.field == "name" else "_": exc.message}},
            values={"station": form},
        )
    return redirect("/kitchen")


@router.post("/kitchen/items", response_model=None)
async def set_item_station(request: Request) -> Response:
    """Which station makes a menu item (owner): a station's name, or none."""
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    try:
        cmd = build(SetItemStation, {"station": form.get("station") or None})  # empty: none
        kitchen.set_item_station(ctx, form.get("code", ""), cmd.station)
    except MidnightError as exc:
        field = exc.field if exc.field in ("code", "station") else "_"
        return _stations_page(
            request,
            ctx,
            status_code=exc.http_status,
            errors={"item": {field: exc.message}},
            values={"item": form},
        )
    return redirect("/kitchen")


@router.get("/kitchen/{station}", response_class=HTMLResponse)
def station_page(request: Request, station: str) -> HTMLResponse:
    """A station's screen: the tickets waiting as cards, oldest first, kept up to date by polling
    (the oldest page of them: bumping brings on the next)."""
    ctx = page_context(request)
    board = kitchen.board(ctx, station, limit=PAGE)
    return render(request, "kitchen_station.html", ctx, **_board_context(board))


@router.get("/kitchen/{station}/board", response_class=HTMLResponse)
def board_fragment(request: Request, station: str) -> HTMLResponse:
    """What the screen polls: one page of waiting tickets, how many wait, the last few bumped."""
    ctx = page_context(request)
    board = kitchen.board(ctx, station, limit=PAGE)
    return render(request, "kitchen_board.html", ctx, **_board_context(board))


def _back_to(request: Request, ticket: TicketInfo) -> Response:
    """The station's board: the fragment for htmx (it follows the redirect and swaps it in), the
    page for a browser posting the form itself."""
    url = station_url(ticket.station)
    return redirect(f"{url}/board" if request.headers.get("HX-Request") else url)


@router.post("/kitchen/tickets/{ticket_id}/bump", response_model=None)
async def bump(request: Request, ticket_id: Id) -> Response:
    ctx = page_context(request)
    await check_csrf(request)
    return _back_to(request, kitchen.bump(ctx, ticket_id))


@router.post("/kitchen/tickets/{ticket_id}/recall", response_model=None)
async def recall(request: Request, ticket_id: Id) -> Response:
    ctx = page_context(request)
    await check_csrf(request)
    try:
        ticket = kitchen.recall(ctx, ticket_id)
    except Conflict:  # tapped twice, or recalled on another screen: it is on the screen, as asked
        ticket = kitchen.get_ticket(ctx, ticket_id)
    return _back_to(request, ticket)
