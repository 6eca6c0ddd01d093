"""The kitchen: stations, which station makes a menu item, the tickets waiting, bump and recall."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from midnight.api.deps import CtxDep
from midnight.api.errors import ERROR_RESPONSES
from midnight.api.models import Id
from midnight.commands.kitchen import AddStation, SetItemStation, SetStationPrinter, TicketQuery
from midnight.db.paging import Page
from midnight.services import kitchen
from midnight.services.kitchen import StationInfo, TicketInfo
from midnight.services.menu import MenuItemInfo

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["kitchen"])


@router.get("/kitchen/stations")
def list_stations(ctx: CtxDep) -> list[StationInfo]:
    """The shop's stations (a handful: kitchen, bar), each with how many tickets wait there."""
    return kitchen.list_stations(ctx)


@router.post("/kitchen/stations", status_code=status.HTTP_201_CREATED)
def add_station(ctx: CtxDep, body: AddStation) -> StationInfo:
    """A place dishes are made, with its own screen and, if given, its ticket printer (owner)."""
    return kitchen.add_station(ctx, body.name, body.printer)


@router.put("/kitchen/stations/{station}/printer")
def set_station_printer(ctx: CtxDep, station: str, body: SetStationPrinter) -> StationInfo:
    """The printer a station's tickets print on, by name; null for the screen only (owner)."""
    return kitchen.set_station_printer(ctx, station, body.printer)


@router.put("/menu/{code}/station")
def set_item_station(ctx: CtxDep, code: str, body: SetItemStation) -> MenuItemInfo:
    """Which station makes a menu item; null: not made in the kitchen (owner)."""
    return kitchen.set_item_station(ctx, code, body.station)


@router.get("/kitchen/{station}/tickets")
def waiting_tickets(ctx: CtxDep, station: str, query: Annotated[TicketQuery, Query()]) -> Page[TicketInfo]:
    """A station's tickets not yet bumped, oldest first, a page at a time. A negative quantity is a
    cancellation: a dish sent before that the order no longer wants."""
    return kitchen.board(ctx, station, cursor=query.cursor, limit=query.limit).waiting


@router.get("/kitchen/tickets/{ticket_id}")
def get_ticket(ctx: CtxDep, ticket_id: Id) -> TicketInfo:
    return kitchen.get_ticket(ctx, ticket_id)


@router.post("/kitchen/tickets/{ticket_id}/bump")
def bump(ctx: CtxDep, ticket_id: Id) -> TicketInfo:
    """The ticket is made: off the screen. Bumping it again is harmless."""
    return kitchen.bump(ctx, ticket_id)


@router.post("/kitchen/tickets/{ticket_id}/recall")
def recall(ctx: CtxDep, ticket_id: Id) -> TicketInfo:
    """A ticket bumped by mistake: back on the screen (refused if it was not bumped)."""
    return kitchen.recall(ctx, ticket_id)
