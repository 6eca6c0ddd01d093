"""Orders rung offline as they arrived, and the decisions made about those that waited for one."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from midnight.db import paging
from midnight.db import tables as t
from midnight.db.types import AnyRow
from midnight.domain.errors import NotFound
from midnight.domain.offline import OfflineState

o = t.offline_orders.c


@dataclass(frozen=True)
class OfflineInfo:
    id: int
    idempotency_key: str
    state: OfflineState
    local_number: str
    till: str
    rung_at: dt.datetime
    rung_by: str
    sent_by: str
    received_at: dt.datetime
    paid: int  # what the customer paid, net of change, in minor units
    problem: str | None  # why it waits for a decision
    order_id: int | None  # the order it is (recorded, accepted, or refunded)
    resolved_at: dt.datetime | None
    resolved_by: str | None
    resolution_note: str | None
    request: dict[str, Any]  # the order as the till sent it
    replayed: bool = False  # this answers a resend: nothing new was written
    call_number: int | None = None  # its order's number to call the customer by, once it is one


# Each offline order with its order's call number (the order's primary key: one row at most).
_ROWS = select(t.offline_orders, t.orders.c.call_number).select_from(
    t.offline_orders.outerjoin(t.orders, o.order_id == t.orders.c.id)
)
_BY_KEY = _ROWS.where(o.store_id == bindparam("store_id"), o.idempotency_key == bindparam("key"))


def _info(row: AnyRow, replayed: bool = False) -> OfflineInfo:
    return OfflineInfo(
        id=row.id,
        idempotency_key=row.idempotency_key,
        state=OfflineState(row.state),
        local_number=row.local_number,
        till=row.till,
        rung_at=row.rung_at,
        rung_by=row.rung_by,
        sent_by=row.sent_by,
        received_at=row.received_at,
        paid=row.amount_paid,
        problem=row.problem,
        order_id=row.order_id,
        resolved_at=row.resolved_at,
        resolved_by=row.resolved_by,
        resolution_note=row.resolution_note,
        request=json.loads(row.request),
        replayed=replayed,
        call_number=row.call_number,
    )


def by_key(conn: Connection, store_id: int, key: str) -> AnyRow | None:
    return conn.execute(_BY_KEY, {"store_id": store_id, "key": key}).first()


def info_by_key(conn: Connection, store_id: int, key: str, *, replayed: bool = False) -> OfflineInfo | None:
    row = by_key(conn, store_id, key)
    return None if row is None else _info(row, replayed)


def row(conn: Connection, store_id: int, offline_id: int, *, for_update: bool = False) -> AnyRow:
    query = _ROWS.where(o.id == offline_id, o.store_id == store_id)
    if for_update and conn.dialect.name != "sqlite":
        query = query.with_for_update(of=t.offline_orders)
    found = conn.execute(query).first()
    if found is None:
        raise NotFound(f"no offline order {offline_id}", field="id")
    return found


def info(conn: Connection, store_id: int, offline_id: int) -> OfflineInfo:
    return _info(row(conn, store_id, offline_id))


def insert_offline(conn: Connection, values: dict[str, object]) -> int:
    result = conn.execute(insert(t.offline_orders).values(**values))
    return int(result.inserted_primary_key.id)  # type: ignore[union-attr]


def resolve(conn: Connection, offline_id: int, values: dict[str, object]) -> None:
    conn.execute(update(t.offline_orders).where(o.id == offline_id).values(**values))


def listed(
    conn: Connection, store_id: int, state: OfflineState, *, cursor: str | None, limit: int
) -> paging.Page[OfflineInfo]:
    """Offline orders in one state, oldest first (ix_offline_orders_store_id_state_id)."""
    query = _ROWS.where(o.store_id == store_id, o.state == state.value).order_by(o.id).limit(limit + 1)
    if cursor is not None:
        (after,) = paging.decode("offline", cursor, [int])
        query = query.where(o.id > after)
    return paging.page([_info(r) for r in conn.execute(query)], limit, "offline", lambda i: [i.id])


def waiting_summary(conn: Connection, store_id: int) -> tuple[int, int]:
    """How many offline orders wait for a decision, and what their customers paid (one index range)."""
    count, paid = conn.execute(
        select(func.count(), func.coalesce(func.sum(o.amount_paid), 0)).where(
            o.store_id == store_id, o.state == OfflineState.WAITING.value
        )
    ).one()
    return int(count), int(paid)
