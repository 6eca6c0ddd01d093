"""Items held on the counter shelf and their history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, case, func, insert, select, tuple_, update

from midnight.db import paging
from midnight.db import tables as t
from midnight.db.types import AnyRow
from midnight.domain.errors import NotFound
from midnight.domain.hold import OVERDUE_WARNING_DAYS, Hold, HoldAction, HoldState, is_overdue


@dataclass(frozen=True)
class HoldEvent:
    at: dt.datetime
    actor: str
    action: str
    detail: str


@dataclass(frozen=True)
class HoldInfo:
    id: int
    description: str
    for_customer: str
    for_customer_id: int
    left_by: str
    shelf_slot: str
    photo_path: str | None
    hold_until: dt.date
    state: HoldState
    locked: bool
    wrong_tries: int
    overdue: bool
    created_at: dt.datetime
    closed_at: dt.datetime | None
    history: list[HoldEvent]


def insert_hold(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(insert(t.holds).values(**values)).inserted_primary_key.id)  # type: ignore[union-attr]


def event(
    conn: Connection, hold_id: int, at: dt.datetime, actor: str, action: HoldAction, detail: str
) -> None:
    conn.execute(
        insert(t.hold_events).values(
            store_id=select(t.holds.c.store_id).where(t.holds.c.id == hold_id).scalar_subquery(),
            hold_id=hold_id,
            at=at,
            actor=actor,
            action=action.value,
            detail=detail,
        )
    )


def waiting_by_lookup(conn: Connection, lookup: str) -> list[int]:
    """Waiting items with this sealed code (ix_holds_code_lookup): one, unless two raced to it."""
    h = t.holds.c
    return list(
        conn.execute(
            select(h.id).where(h.code_lookup == lookup, h.state == HoldState.WAITING.value).order_by(h.id)
        ).scalars()
    )


def by_key(conn: Connection, store_id: int, key: str) -> int | None:
    h = t.holds.c
    found = conn.execute(select(h.id).where(h.store_id == store_id, h.idempotency_key == key)).scalar()
    return None if found is None else int(found)


def wrong_lookups_since(conn: Connection, actor: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:
    """Wrong codes a person looked up since `since` and their last right one (ix_pickup_attempts_actor_at)."""
    a = t.pickup_attempts.c
    last_ok = conn.execute(
        select(func.max(a.at)).where(a.actor == actor, a.at > since, a.ok.is_(True))
    ).scalar()
    count, latest = conn.execute(
        select(func.count(), func.max(a.at)).where(
            a.actor == actor, a.ok.is_(False), a.at > (max(since, last_ok) if last_ok else since)
        )
    ).one()
    return int(count), latest


def lookup_attempt(conn: Connection, actor: str, at: dt.datetime, *, ok: bool) -> None:
    conn.execute(insert(t.pickup_attempts).values(actor=actor, at=at, ok=ok))


def hold_row(conn: Connection, hold_id: int, *, for_update: bool = False) -> AnyRow:
    query = select(t.holds).where(t.holds.c.id == hold_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no held item {hold_id}", field="hold")
    return row


def hold(row: AnyRow) -> Hold:
    return Hold(row.id, HoldState(row.state), row.hold_until, row.locked, row.wrong_tries, row.left_by)


def save(conn: Connection, before: Hold, after: Hold, at: dt.datetime) -> None:
    """Write a transition's outcome: only what changed, and the time it closed if it did."""
    values: dict[str, object] = {}
    if after.state is not before.state:
        values["state"] = after.state.value
        values["closed_at"] = at
    if after.locked != before.locked:
        values["locked"] = after.locked
    if after.wrong_tries != before.wrong_tries:
        values["wrong_tries"] = after.wrong_tries
    if after.hold_until != before.hold_until:
        values["hold_until"] = after.hold_until
    if values:
        conn.execute(update(t.holds).where(t.holds.c.id == before.id).values(values))


def infos(conn: Connection, ids: list[int], today: dt.date) -> list[HoldInfo]:
    """Holds with their recipient's name and their history, in the order given: two queries."""
    if not ids:
        return []
    rows = {
        r.id: r
        for r in conn.execute(
            select(t.holds, t.customers.c.name.label("for_name"))
            .join(t.customers, t.customers.c.id == t.holds.c.for_customer_id)
            .where(t.holds.c.id.in_(ids))
        )
    }
    history: dict[int, list[HoldEvent]] = {i: [] for i in ids}
    for e in conn.execute(
        select(t.hold_events).where(t.hold_events.c.hold_id.in_(ids)).order_by(t.hold_events.c.id)
    ):
        history[e.hold_id].append(HoldEvent(e.at, e.actor, e.action, e.detail))
    return [
        HoldInfo(
            row.id,
            row.description,
            row.for_name,
            row.for_customer_id,
            row.left_by,
            row.shelf_slot,
            row.photo_path,
            row.hold_until,
            HoldState(row.state),
            row.locked,
            row.wrong_tries,
            is_overdue(HoldState(row.state), row.hold_until, today),
            row.created_at,
            row.closed_at,
            history[row.id],
        )
        for row in (rows[i] for i in ids if i in rows)
    ]


def info(conn: Connection, hold_id: int, today: dt.date) -> HoldInfo:
    found = infos(conn, [hold_id], today)
    if not found:
        raise NotFound(f"no held item {hold_id}", field="hold")
    return found[0]


def shelf(
    conn: Connection, *, today: dt.date, customer_id: int | None, cursor: str | None, limit: int
) -> paging.Page[HoldInfo]:
    """Items waiting: overdue first, then oldest first (ix_holds_state_hold_until keeps this small)."""
    h = t.holds.c
    later = case((h.hold_until < today, 0), else_=1)
    query = (
        select(h.id, later.label("later"), h.created_at)
        .where(h.state == HoldState.WAITING.value)
        .order_by(later, h.created_at, h.id)
        .limit(limit + 1)
    )
    if customer_id is not None:
        query = query.where(h.for_customer_id == customer_id)
    if cursor is not None:
        after = paging.decode("shelf", cursor, [int, dt.datetime, int])
        query = query.where(tuple_(later, h.created_at, h.id) > tuple_(*after))
    rows = conn.execute(query).all()
    keys = {r.id: [int(r.later), r.created_at, r.id] for r in rows}
    found = infos(conn, [r.id for r in rows], today)
    return paging.page(found, limit, "shelf", lambda info: keys[info.id])


def every_hold(
    conn: Connection, *, today: dt.date, customer_id: int | None, cursor: str | None, limit: int
) -> paging.Page[HoldInfo]:
    """Every item ever held (or a customer's), newest first, along the primary key or
    ix_holds_for_customer_id_id."""
    h = t.holds.c
    query = select(h.id).order_by(h.id.desc()).limit(limit + 1)
    if customer_id is not None:
        query = query.where(h.for_customer_id == customer_id)
    if cursor is not None:
        (before,) = paging.decode("holds", cursor, [int])
        query = query.where(h.id < before)
    ids = list(conn.execute(query).scalars())
    return paging.page(infos(conn, ids, today), limit, "holds", lambda info: [info.id])


def due_reminders(conn: Connection, today: dt.date) -> list[AnyRow]:
    """Waiting items whose date is near or past: their customers are reminded (ix_holds_state_hold_until)."""
    h = t.holds.c
    return list(
        conn.execute(
            select(h.id, h.description, h.hold_until, h.created_at, h.for_customer_id).where(
                h.state == HoldState.WAITING.value,
                h.hold_until <= today + dt.timedelta(days=OVERDUE_WARNING_DAYS),
            )
        ).all()
    )
