"""The kitchen: stations, the tickets an order sends them, and bumping a ticket when it is made.

An order's kitchen dishes go to their stations when it is paid, or earlier for a parked order
(`send_to_kitchen`); a change to it afterwards sends only the difference, and voiding it cancels
what was asked. Tickets are written in the order's own transaction; a station's printer prints them
afterwards, from the print queue, so a jammed kitchen printer never holds up a sale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from midnight.db import kitchen as kitchen_db
from midnight.db import menu as menu_db
from midnight.db import orders as orders_db
from midnight.db import printing as printing_db
from midnight.db.kitchen import StationInfo, TicketInfo
from midnight.db.paging import Page
from midnight.db.types import AnyRow
from midnight.domain import modifiers
from midnight.domain.errors import Conflict, InvalidInput, NotFound
from midnight.domain.kitchen import Dish, to_send
from midnight.domain.order import OrderState
from midnight.domain.people import Permission
from midnight.domain.printing import JobKind
from midnight.domain.text import fold
from midnight.services.context import Context
from midnight.services.lines import Made, paid_lines

__all__ = ["StationInfo", "TicketInfo"]


def send(
    ctx: Context,
    conn: Connection,
    order_id: int,
    *,
    rows: Sequence[AnyRow] | None = None,
    made: Sequence[Made] | None = None,
) -> list[int]:
    """Inside the order's transaction: ticket each station for what it has not yet been asked of the
    order as it now stands (a voided order wants nothing: what was sent is cancelled)."""
    order = orders_db.order_row(conn, order_id)
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
    sent = kitchen_db.sent_dishes(conn, order_id) if wanted or state is OrderState.VOID else []
    if not wanted and not sent:
        return []
    changes = to_send(wanted, sent)
    by_station: dict[int, list[Dish]] = {}
    for dish in changes:
        by_station.setdefault(dish.station_id, []).append(dish)
    printers = kitchen_db.station_printers(conn, sorted(by_station))
    now, made_ids = ctx.now(), []
    for station_id, dishes in sorted(by_station.items()):
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
    """What a station's screen shows: its waiting tickets, oldest first, and the last few made."""

    station: StationInfo
    waiting: Page[TicketInfo]
    count: int
    bumped: list[TicketInfo]


def _station(ctx: Context, conn: Connection, name: str) -> StationInfo:
    row = kitchen_db.station_by_key(conn, ctx.store.id, fold(" ".join(name.split())))
    if row is None:
        raise NotFound(f"no kitchen station {name}", field="station")
    return next(s for s in kitchen_db.stations(conn, ctx.store.id) if s.id == row.id)


def board(ctx: Context, station: str, *, cursor: str | None = None, limit: int = 24) -> Board:
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        found = _station(ctx, conn, station)
        return Board(
            found,
            kitchen_db.waiting(conn, found.id, cursor=cursor, limit=limit),
            kitchen_db.count_waiting(conn, found.id),
            kitchen_db.recently_bumped(conn, found.id, 5),
        )


def bump(ctx: Context, ticket_id: int) -> TicketInfo:
    """A ticket made: off the screen (bumping it again is harmless)."""
    ctx.require(Permission.SELL)
    with ctx.db.write() as conn:
        row = kitchen_db.ticket_row(conn, ticket_id)
        if row.store_id != ctx.store.id:
            raise NotFound(f"no kitchen ticket {ticket_id}", field="ticket")
        if row.bumped_at is None:
            kitchen_db.set_bumped(conn, ticket_id, ctx.now(), ctx.actor)
        return kitchen_db.ticket(conn, ticket_id)


def recall(ctx: Context, ticket_id: int) -> TicketInfo:
    """A ticket bumped by mistake: back on the screen."""
    ctx.require(Permission.SELL)
    with ctx.db.write() as conn:
        row = kitchen_db.ticket_row(conn, ticket_id)
        if row.store_id != ctx.store.id:
            raise NotFound(f"no kitchen ticket {ticket_id}", field="ticket")
        if row.bumped_at is None:
            raise Conflict(f"ticket {ticket_id} is still waiting", field="ticket")
        kitchen_db.set_bumped(conn, ticket_id, None, None)
        return kitchen_db.ticket(conn, ticket_id)


def get_ticket(ctx: Context, ticket_id: int) -> TicketInfo:
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return kitchen_db.ticket(conn, ticket_id)


def list_stations(ctx: Context) -> list[StationInfo]:
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        return kitchen_db.stations(conn, ctx.store.id)


def add_station(ctx: Context, name: str) -> StationInfo:
    ctx.require(Permission.PRICES)
    shown = " ".join(name.split())
    if not shown:
        raise InvalidInput("a station needs a name", field="name")
    with ctx.db.write() as conn:
        key = fold(shown)
        if kitchen_db.station_by_key(conn, ctx.store.id, key) is not None:
            raise Conflict(f"there is already a station called {shown}", field="name")
        kitchen_db.insert_station(conn, ctx.store.id, shown, key)
        return _station(ctx, conn, shown)


def set_item_station(ctx: Context, code: str, station: str | None) -> None:
    """Which station makes a menu item (None: not made in the kitchen)."""
    ctx.require(Permission.PRICES)
    with ctx.db.write() as conn:
        item = menu_db.menu_item(conn, code, ctx.now(), active_only=False)
        station_id = _station(ctx, conn, station).id if station else None
        kitchen_db.set_item_station(conn, item.id, station_id)
