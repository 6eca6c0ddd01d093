"""Kitchen stations, the tickets they are sent, and what each order has asked of them so far."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, bindparam, func, insert, select, update

from midnight.db import paging
from midnight.db import tables as t
from midnight.db.types import AnyRow
from midnight.domain.errors import NotFound
from midnight.domain.kitchen import Dish
from midnight.domain.quantity import to_decimal

k, ki, ks = t.kitchen_tickets.c, t.kitchen_ticket_items.c, t.kitchen_stations.c


@dataclass(frozen=True)
class TicketItemInfo:
    name: str
    quantity: Decimal  # negative: no longer wanted
    modifiers: str
    note: str


@dataclass(frozen=True)
class TicketInfo:
    id: int
    station: str
    order_id: int
    call_number: int | None
    label: str | None
    created_at: dt.datetime
    actor: str
    bumped_at: dt.datetime | None
    bumped_by: str | None
    items: list[TicketItemInfo]
    # A change to an order this station was sent before (more of it, or something taken off).
    follow_up: bool = False


@dataclass(frozen=True)
class StationInfo:
    id: int
    name: str
    printer: str | None
    active: bool
    waiting: int = 0  # tickets not yet bumped (filled in where a list shows it)


_SENT = (
    select(
        k.station_id, ki.menu_item_id, ki.name, ki.modifiers, ki.note, func.sum(ki.quantity).label("milli")
    )
    .join(t.kitchen_tickets, k.id == ki.ticket_id)
    .where(k.order_id == bindparam("order_id"))
    .group_by(k.station_id, ki.signature, ki.menu_item_id, ki.name, ki.modifiers, ki.note)
)
_HAS_TICKETS = select(k.id).where(k.order_id == bindparam("order_id")).limit(1)


def sent_dishes(conn: Connection, order_id: int) -> list[Dish]:
    """What the order has asked of the kitchen so far, net of cancellations (ix_kitchen_tickets_order_id)."""
    if conn.execute(_HAS_TICKETS, {"order_id": order_id}).first() is None:
        return []
    return [
        Dish(row.station_id, row.menu_item_id, row.name, row.modifiers, row.note, int(row.milli))
        for row in conn.execute(_SENT, {"order_id": order_id})
    ]


def insert_ticket(conn: Connection, values: dict[str, object], dishes: Sequence[Dish]) -> int:
    ticket_id = int(conn.execute(insert(t.kitchen_tickets).values(**values)).inserted_primary_key.id)  # type: ignore[union-attr]
    conn.execute(
        insert(t.kitchen_ticket_items),
        [
            {
                "store_id": values["store_id"],
                "ticket_id": ticket_id,
                "position": n,
                "menu_item_id": dish.menu_item_id,
                "name": dish.name,
                "quantity": dish.milli,
                "modifiers": dish.modifiers,
                "note": dish.note,
                "signature": dish.signature,
            }
            for n, dish in enumerate(dishes, start=1)
        ],
    )
    return ticket_id


def station_printers(conn: Connection, store_id: int, station_ids: Sequence[int]) -> dict[int, int | None]:
    """The store's stations among these, each with its printer if it has one in use; a station of
    another store is not among them."""
    if not station_ids:
        return {}
    p = t.printers.c
    rows = conn.execute(
        select(ks.id, p.id.label("printer_id"))
        .outerjoin(t.printers, (p.id == ks.printer_id) & p.active.is_(True))
        .where(ks.id.in_(list(station_ids)), ks.store_id == store_id)
    )
    return {row.id: row.printer_id for row in rows}


def tickets(conn: Connection, ids: Sequence[int]) -> list[TicketInfo]:
    """Tickets with their items, in the order given: three queries for any number."""
    if not ids:
        return []
    rows = {
        row.id: row
        for row in conn.execute(
            select(t.kitchen_tickets, ks.name.label("station"))
            .join(t.kitchen_stations, ks.id == k.station_id)
            .where(k.id.in_(list(ids)))
        )
    }
    items: dict[int, list[TicketItemInfo]] = {i: [] for i in ids}
    for row in conn.execute(
        select(t.kitchen_ticket_items).where(ki.ticket_id.in_(list(ids))).order_by(ki.ticket_id, ki.position)
    ):
        items[row.ticket_id].append(
            TicketItemInfo(row.name, to_decimal(row.quantity), row.modifiers, row.note)
        )
    # Each order's first ticket to each station (ix_kitchen_tickets_order_id: an order has a few).
    first = {
        (row.order_id, row.station_id): row.first
        for row in conn.execute(
            select(k.order_id, k.station_id, func.min(k.id).label("first"))
            .where(k.order_id.in_(sorted({r.order_id for r in rows.values()})))
            .group_by(k.order_id, k.station_id)
        )
    }
    return [
        TicketInfo(
            r.id,
            r.station,
            r.order_id,
            r.call_number,
            r.label,
            r.created_at,
            r.actor,
            r.bumped_at,
            r.bumped_by,
            items[r.id],
            follow_up=first.get((r.order_id, r.station_id), r.id) < r.id,
        )
        for r in (rows[i] for i in ids if i in rows)
    ]


def ticket(conn: Connection, store_id: int, ticket_id: int) -> TicketInfo:
    """One of the store's tickets; another store's is not found, like one that does not exist."""
    row = conn.execute(select(k.store_id).where(k.id == ticket_id)).first()
    if row is None or row.store_id != store_id:
        raise NotFound(f"no kitchen ticket {ticket_id}", field="ticket")
    return tickets(conn, [ticket_id])[0]


def waiting(conn: Connection, station_id: int, *, cursor: str | None, limit: int) -> paging.Page[TicketInfo]:
    """A station's tickets not yet bumped, oldest first (ix_kitchen_tickets_waiting): `limit` of them
    with their items, and whether there are more."""
    query = (
        select(k.id).where(k.station_id == station_id, k.bumped_at.is_(None)).order_by(k.id).limit(limit + 1)
    )
    if cursor is not None:
        (after,) = paging.decode("kitchen", cursor, [int])
        query = query.where(k.id > after)
    ids = list(conn.execute(query).scalars())
    shown = tickets(conn, ids[:limit])
    more = len(ids) > limit and bool(shown)
    return paging.Page(shown, paging.encode("kitchen", [shown[-1].id]) if more else None)


def count_waiting(conn: Connection, station_id: int) -> int:
    """How many of a station's tickets wait (the partial index holds only those)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(t.kitchen_tickets)
            .where(k.station_id == station_id, k.bumped_at.is_(None))
        ).scalar_one()
    )


def recently_bumped(conn: Connection, station_id: int, limit: int) -> list[TicketInfo]:
    """The last few tickets a station bumped, the latest first (ix_kitchen_tickets_station_id_bumped_at)."""
    query = (
        select(k.id)
        .where(k.station_id == station_id, k.bumped_at.is_not(None))
        .order_by(k.bumped_at.desc(), k.id.desc())
        .limit(limit)
    )
    return tickets(conn, list(conn.execute(query).scalars()))


def ticket_row(conn: Connection, ticket_id: int) -> AnyRow:
    """A ticket to bump or recall, locked on PostgreSQL (SQLite's writer already holds the lock)."""
    query = select(t.kitchen_tickets).where(k.id == ticket_id)
    if conn.dialect.name != "sqlite":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no kitchen ticket {ticket_id}", field="ticket")
    return row


def set_bumped(conn: Connection, ticket_id: int, at: dt.datetime | None, actor: str | None) -> None:
    conn.execute(update(t.kitchen_tickets).where(k.id == ticket_id).values(bumped_at=at, bumped_by=actor))


# --- stations -------------------------------------------------------------------------------------

_STATIONS = select(ks.id, ks.name, ks.active, t.printers.c.name.label("printer")).outerjoin(
    t.printers, t.printers.c.id == ks.printer_id
)


def _station_info(row: AnyRow, waiting: int = 0) -> StationInfo:
    return StationInfo(row.id, row.name, row.printer, bool(row.active), waiting)


def stations(conn: Connection, store_id: int, *, active_only: bool = False) -> list[StationInfo]:
    """A store's stations by name (a handful: kitchen, bar), each with how many tickets wait there."""
    query = _STATIONS.where(ks.store_id == store_id).order_by(ks.name_key)
    if active_only:
        query = query.where(ks.active.is_(True))
    rows = conn.execute(query).all()
    counts = {
        row.station_id: int(row.n)
        for row in conn.execute(
            select(k.station_id, func.count().label("n"))
            .where(k.station_id.in_([r.id for r in rows]), k.bumped_at.is_(None))
            .group_by(k.station_id)
        )
    }
    return [_station_info(r, counts.get(r.id, 0)) for r in rows]


def station_by_key(conn: Connection, store_id: int, key: str) -> StationInfo | None:
    row = conn.execute(_STATIONS.where(ks.store_id == store_id, ks.name_key == key)).first()
    return None if row is None else _station_info(row)


def insert_station(
    conn: Connection, store_id: int, name: str, key: str, printer_id: int | None = None
) -> int:
    result = conn.execute(
        insert(t.kitchen_stations).values(
            store_id=store_id, name=name, name_key=key, printer_id=printer_id, active=True
        )
    )
    return int(result.inserted_primary_key.id)  # type: ignore[union-attr]


def set_station_printer(conn: Connection, station_id: int, printer_id: int | None) -> None:
    conn.execute(update(t.kitchen_stations).where(ks.id == station_id).values(printer_id=printer_id))


def printer_by_key(conn: Connection, store_id: int, key: str) -> AnyRow | None:
    """One of the store's printers by its folded name (id, name, whether it is in use)."""
    p = t.printers.c
    return conn.execute(
        select(p.id, p.name, p.active).where(p.store_id == store_id, p.name_key == key)
    ).first()


def set_item_station(conn: Connection, item_id: int, station_id: int | None) -> None:
    conn.execute(
        update(t.menu_items).where(t.menu_items.c.id == item_id).values(kitchen_station_id=station_id)
    )
