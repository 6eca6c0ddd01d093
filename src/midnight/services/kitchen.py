"""The kitchen: stations, the tickets an order sends them, and bumping a ticket when it is made.

An order's kitchen dishes go to their stations when it is paid, or earlier for a parked order
(`send_to_kitchen`); a change to it afterwards sends only the difference, and voiding it cancels
what was asked. Tickets are written in the order's own transaction; a station's printer prints them
afterwards, from the print queue, so a jammed kitchen printer never holds up a sale.

Anyone who sells may see the screens and bump or recall tickets; the owner (PRICES) sets up the
stations, their printers and which station makes each menu item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from midnight.db import kitchen as kitchen_db
from midnight.db import menu as menu_db
from midnight.db import orders as orders_db
from midnight.db import printing as printing_db
from midnight.db.kitchen import StationInfo, TicketInfo
from midnight.db.menu import MenuItemInfo
from midnight.db.paging import Page
from midnight.db.types import AnyRow
from midnight.domain import modifiers
from midnight.domain.errors import Conflict, InvalidInput, NotFound
from midnight.domain.kitchen import Dish, to_send
from midnight.domain.order import OrderState
from midnight.domain.people import Permission
from midnight.domain.printing import JobKind
from midnight.domain.text import clean_text, fold
from midnight.services.context import Context
from midnight.services.lines import Made, paid_lines

__all__ = ["Board", "StationInfo", "TicketInfo"]

RECALLABLE = 5  # bumped tickets a screen offers to bring back
NOT_IN_NAMES = set("/\\?#%")  # a station's name is part of its screen's address


def station_key(name: str) -> str:
    """One station however its name is typed: "kitchen" is "Kitchen"."""
    return fold(" ".join(name.split()))


def send(
    ctx: Context,
    conn: Connection,
    order_id: int,
    *,
    rows: Sequence[AnyRow] | None = None,
    made: Sequence[Made] | None = None,
    order: AnyRow | None = None,
) -> list[int]:
    """Inside the order's transaction: ticket each station for what it has not yet been asked of the
    order as it now stands (a voided order wants nothing: what was sent is cancelled)."""
    order = order if order is not None else orders_db.order_row(conn, order_id)
    state = OrderState(order.state)
    if rows is None:
        rows = orders_db.lines_for_pay(conn, order_id) if state is not OrderState.VOID else []
        made = paid_lines(conn, rows) if rows else []
    assert made is not None
    wanted = [
        Dish(
            row.kitchen_station_id,
            row.menu_item_id,
            row.name,
            modifiers.describe(m.options),
            row.note,
            row.quantity,
        )
        for row, m in zip(rows, made, strict=True)
        if row.kitchen_station_id is not None
    ]
    # Always asked (one look-up by index when nothing was sent): a parked order changed to have no
    # kitchen dishes left must still cancel those it asked for.
    sent = kitchen_db.sent_dishes(conn, order_id)
    if not wanted and not sent:
        return []
    by_station: dict[int, list[Dish]] = {}
    for dish in to_send(wanted, sent):
        by_station.setdefault(dish.station_id, []).append(dish)
    # Only this store's stations get its tickets (and only those with a printer in use print them).
    printers = kitchen_db.station_printers(conn, ctx.store.id, sorted(by_station))
    now, made_ids = ctx.now(), []
    for station_id, dishes in sorted(by_station.items()):
        if station_id not in printers:
            continue
        ticket_id = kitchen_db.insert_ticket(
            conn,
            {
                "store_id": ctx.store.id,
                "station_id": station_id,
                "order_id": order_id,
                "call_number": order.call_number,
                "label": order.label,
                "created_at": now,
                "actor": ctx.actor,
            },
            dishes,
        )
        made_ids.append(ticket_id)
        printer = printers.get(station_id)
        if printer is not None:
            printing_db.queue_job(
                conn,
                store_id=ctx.store.id,
                printer_id=printer,
                kind=JobKind.KITCHEN,
                at=now,
                actor=ctx.actor,
                order_id=order_id,
                ticket_id=ticket_id,
            )
    return made_ids


@dataclass(frozen=True)
class Board:
    """What a station's screen shows: its waiting tickets, oldest first (one page, and how many wait
    in all), the last few bumped, and the time it was read (ages are counted from it)."""

    station: StationInfo
    waiting: Page[TicketInfo]
    count: int
    bumped: list[TicketInfo]
    at: dt.datetime


def _station(ctx: Context, conn: Connection, name: str) -> StationInfo:
    found = kitchen_db.station_by_key(conn, ctx.store.id, station_key(name))
    if found is None:
        raise NotFound(f"no kitchen station called {name}", field="station")
    return found


def _printer(ctx: Context, conn: Connection, name: str) -> int:
    row = kitchen_db.printer_by_key(conn, ctx.store.id, station_key(name))
    if row is None:
        raise NotFound(f"no printer called {name}", field="printer")
    if not row.active:
        raise Conflict(f"the printer {row.name} is no longer in use", field="printer")
    return int(row.id)


def board(ctx: Context, station: str, *, cursor: str | None = None, limit: int = 24) -> Board:
    """A station's screen: a page of its waiting tickets and the count, read in a few index look-ups."""
    ctx.require(Permission.SELL)
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be between 1 and 1000", field="limit")
    with ctx.db.read() as conn:
        found = _station(ctx, conn, station)
        return Board(
            found,
            kitchen_db.waiting(conn, found.id, cursor=cursor, limit=limit),
            kitchen_db.count_waiting(conn, found.id),
            kitchen_db.recently_bumped(conn, found.id, RECALLABLE),
            ctx.now(),
        )


def _own_ticket(ctx: Context, conn: Connection, ticket_id: int) -> AnyRow:
    row = kitchen_db.ticket_row(conn, ticket_id)
    if row.store_id != ctx.store.id:
        raise NotFound(f"no kitchen ticket {ticket_id}", field="ticket")
    return row


def bump(ctx: Context, ticket_id: int) -> TicketInfo:
    """A ticket made: off the screen (bumping it again is harmless: a double tap, two screens)."""
    ctx.require(Permission.SELL)
    with ctx.db.write() as conn:
        row = _own_ticket(ctx, conn, ticket_id)
        if row.bumped_at is None:
            kitchen_db.set_bumped(conn, ticket_id, ctx.now(), ctx.actor)
        return kitchen_db.ticket(conn, ctx.store.id, ticket_id)


def recall(ctx: Context, ticket_id: int) -> TicketInfo:
    """A ticket bumped by mistake: back on the screen, in its place by age."""
    ctx.require(Permission.SELL)
    with ctx.db.write() as conn:
        row = _own_ticket(ctx, conn, ticket_id)
        if row.bumped_at is None:
            raise Conflict(f"ticket {ticket_id} is on the screen already: it was not bumped", field="ticket")
        kitchen_db.set_bumped(conn, ticket_id, None, None)
        return kitchen_db.ticket(conn, ctx.store.id, ticket_id)


def get_ticket(ctx: Context, ticket_id: int) -> TicketInfo:
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return kitchen_db.ticket(conn, ctx.store.id, ticket_id)


def list_stations(ctx: Context) -> list[StationInfo]:
    """The store's stations by name, each with how many tickets wait there."""
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return kitchen_db.stations(conn, ctx.store.id)


def get_station(ctx: Context, station: str) -> StationInfo:
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return _counted(conn, _station(ctx, conn, station))


def _counted(conn: Connection, found: StationInfo) -> StationInfo:
    """A station as it is answered: with how many of its tickets wait (one index count)."""
    return replace(found, waiting=kitchen_db.count_waiting(conn, found.id))


def _station_name(name: str) -> str:
    shown = " ".join(clean_text(name, "name", limit=100, required=True).split())
    if NOT_IN_NAMES & set(shown):
        raise InvalidInput("a station's name can't contain / \\ ? # or %", field="name")
    return shown


def add_station(ctx: Context, name: str, printer: str | None = None) -> StationInfo:
    """A new station (owner), printing on `printer` if given (a printer set up before, by name)."""
    ctx.require(Permission.PRICES)
    shown = _station_name(name)
    key = station_key(shown)
    refused = Conflict(f"there is already a station called {shown}", field="name")
    try:
        with ctx.db.write() as conn:
            if kitchen_db.station_by_key(conn, ctx.store.id, key) is not None:
                raise refused
            printer_id = _printer(ctx, conn, printer) if printer is not None else None
            kitchen_db.insert_station(conn, ctx.store.id, shown, key, printer_id)
            return _counted(conn, _station(ctx, conn, shown))
    except IntegrityError:  # added at the same moment elsewhere (PostgreSQL): the unique key held
        raise refused from None


def set_station_printer(ctx: Context, station: str, printer: str | None) -> StationInfo:
    """The printer a station's tickets print on (owner); None: the screen only."""
    ctx.require(Permission.PRICES)
    with ctx.db.write() as conn:
        found = _station(ctx, conn, station)
        kitchen_db.set_station_printer(conn, found.id, _printer(ctx, conn, printer) if printer else None)
        return _counted(conn, _station(ctx, conn, station))


def set_item_station(ctx: Context, code: str, station: str | None) -> MenuItemInfo:
    """Which station makes a menu item (owner); None: not made in the kitchen. Orders sent before keep
    the tickets they had."""
    ctx.require(Permission.PRICES)
    with ctx.db.write() as conn:
        item = menu_db.menu_item(conn, code, ctx.now(), active_only=False)
        station_id = _station(ctx, conn, station).id if station is not None else None
        kitchen_db.set_item_station(conn, item.id, station_id)
        return menu_db.item_infos(conn, [item.id], ctx.store.currency)[0]
