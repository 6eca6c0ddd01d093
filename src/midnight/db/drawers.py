"""Cash drawers: sessions, pay-ins and pay-outs, closing counts; the cash a session took, by index."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from midnight.db import paging
from midnight.db import tables as t
from midnight.db.types import AnyRow
from midnight.domain.cash import Figures, MoveKind, Session
from midnight.domain.errors import NotFound
from midnight.domain.pricing import Method


@dataclass(frozen=True)
class MoveInfo:
    id: int
    kind: MoveKind
    amount: int
    reason: str
    at: dt.datetime
    actor: str


@dataclass(frozen=True)
class CountInfo:
    """A session's closing count, as recorded."""

    at: dt.datetime
    actor: str
    expected: int
    counted: int
    over_short: int
    denominations: dict[int, int]  # minor value -> pieces; empty if counted as a total


@dataclass(frozen=True)
class SessionInfo:
    id: int
    till: str
    opened_by: str
    opened_at: dt.datetime
    business_date: dt.date
    closed_at: dt.datetime | None
    figures: Figures | None  # how it got there; for a page of sessions, only the closed ones'
    expected: int | None  # what it should hold (an open one's: now)
    count: CountInfo | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


def insert_session(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(insert(t.drawer_sessions).values(**values)).inserted_primary_key.id)  # type: ignore[union-attr]


def open_of_person(conn: Connection, store_id: int, person: str) -> AnyRow | None:
    """The person's open session (ix_drawer_sessions_open_person)."""
    s = t.drawer_sessions.c
    return conn.execute(
        select(t.drawer_sessions).where(s.store_id == store_id, s.opened_by == person, s.closed_at.is_(None))
    ).first()


def open_on_till(conn: Connection, store_id: int, till_key: str) -> AnyRow | None:
    s = t.drawer_sessions.c
    return conn.execute(
        select(t.drawer_sessions).where(s.store_id == store_id, s.till_key == till_key, s.closed_at.is_(None))
    ).first()


def session_row(conn: Connection, session_id: int, *, for_update: bool = False) -> AnyRow:
    query = select(t.drawer_sessions).where(t.drawer_sessions.c.id == session_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no drawer session {session_id}", field="session")
    return row


def session(row: AnyRow) -> Session:
    return Session(row.id, row.till, row.opened_by, row.closed_at is not None)


def figures(conn: Connection, row: AnyRow) -> Figures:
    """What an open session's drawer should hold now: its float, the cash payments that went into it
    and the cash refunds that came out of it (recorded against it: ix_payments_drawer_session_id,
    ix_refunds_drawer_session_id), its pay-ins and pay-outs."""
    p, r, m = t.payments.c, t.refunds.c, t.drawer_moves.c
    sales = conn.execute(
        select(func.coalesce(func.sum(p.applied), 0)).where(p.drawer_session_id == row.id)
    ).scalar_one()
    refunds = conn.execute(
        select(func.coalesce(func.sum(r.amount), 0)).where(r.drawer_session_id == row.id)
    ).scalar_one()
    moved = dict(
        conn.execute(select(m.kind, func.sum(m.amount)).where(m.session_id == row.id).group_by(m.kind)).all()
    )
    return Figures(
        float_amount=int(row.float_amount),
        cash_sales=int(sales),
        cash_refunds=int(refunds),
        pay_ins=int(moved.get(MoveKind.IN.value, 0)),
        pay_outs=int(moved.get(MoveKind.OUT.value, 0)),
    )


def close(conn: Connection, session_id: int, at: dt.datetime) -> None:
    conn.execute(update(t.drawer_sessions).where(t.drawer_sessions.c.id == session_id).values(closed_at=at))


def insert_count(
    conn: Connection,
    session_id: int,
    at: dt.datetime,
    actor: str,
    owed: Figures,
    counted: int,
    over_short: int,
    pieces: dict[int, int],
) -> None:
    conn.execute(
        insert(t.drawer_counts).values(
            session_id=session_id,
            at=at,
            actor=actor,
            float_amount=owed.float_amount,
            cash_sales=owed.cash_sales,
            cash_refunds=owed.cash_refunds,
            pay_ins=owed.pay_ins,
            pay_outs=owed.pay_outs,
            expected=owed.expected,
            counted=counted,
            over_short=over_short,
            denominations=json.dumps({str(k): v for k, v in pieces.items()}) if pieces else None,
        )
    )


def insert_move(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(insert(t.drawer_moves).values(**values)).inserted_primary_key.id)  # type: ignore[union-attr]


def move_by_key(conn: Connection, key: str) -> AnyRow | None:
    return conn.execute(select(t.drawer_moves).where(t.drawer_moves.c.idempotency_key == key)).first()


def move_info(conn: Connection, move_id: int) -> MoveInfo:
    return move(conn.execute(select(t.drawer_moves).where(t.drawer_moves.c.id == move_id)).one())


def move(row: AnyRow) -> MoveInfo:
    return MoveInfo(row.id, MoveKind(row.kind), int(row.amount), row.reason, row.at, row.actor)


def moves(conn: Connection, session_id: int, *, cursor: str | None, limit: int) -> paging.Page[MoveInfo]:
    """A session's pay-ins and pay-outs, newest first (ix_drawer_moves_session_id_id)."""
    m = t.drawer_moves.c
    query = select(t.drawer_moves).where(m.session_id == session_id).order_by(m.id.desc()).limit(limit + 1)
    if cursor is not None:
        (before,) = paging.decode("drawer_moves", cursor, [int])
        query = query.where(m.id < before)
    found = [move(row) for row in conn.execute(query)]
    return paging.page(found, limit, "drawer_moves", lambda item: [item.id])


def _counts(conn: Connection, ids: list[int]) -> dict[int, AnyRow]:
    if not ids:
        return {}
    c = t.drawer_counts.c
    return {row.session_id: row for row in conn.execute(select(t.drawer_counts).where(c.session_id.in_(ids)))}


def _count_info(row: AnyRow) -> CountInfo:
    pieces = {int(k): int(v) for k, v in json.loads(row.denominations).items()} if row.denominations else {}
    return CountInfo(row.at, row.actor, int(row.expected), int(row.counted), int(row.over_short), pieces)


def _recorded(row: AnyRow) -> Figures:
    return Figures(
        int(row.float_amount), int(row.cash_sales), int(row.cash_refunds), int(row.pay_ins), int(row.pay_outs)
    )


def info(conn: Connection, row: AnyRow) -> SessionInfo:
    """One session: a closed one as its count recorded it, an open one as it stands now."""
    count = _counts(conn, [row.id]).get(row.id)
    owed = _recorded(count) if count is not None else figures(conn, row)
    return SessionInfo(
        row.id,
        row.till,
        row.opened_by,
        row.opened_at,
        row.business_date,
        row.closed_at,
        owed,
        owed.expected,
        _count_info(count) if count is not None else None,
    )


def sessions(
    conn: Connection, *, person: str | None, cursor: str | None, limit: int
) -> paging.Page[SessionInfo]:
    """Sessions newest first — everyone's (the primary key) or one person's (ix_drawer_sessions_opened_by_id);
    two queries a page. An open one's figures are left to its own page."""
    s = t.drawer_sessions.c
    query = select(t.drawer_sessions).order_by(s.id.desc()).limit(limit + 1)
    if person is not None:
        query = query.where(s.opened_by == person)
    if cursor is not None:
        (before,) = paging.decode("drawers", cursor, [int])
        query = query.where(s.id < before)
    rows = conn.execute(query).all()
    counts = _counts(conn, [row.id for row in rows])
    found = [
        SessionInfo(
            row.id,
            row.till,
            row.opened_by,
            row.opened_at,
            row.business_date,
            row.closed_at,
            _recorded(counts[row.id]) if row.id in counts else None,
            int(counts[row.id].expected) if row.id in counts else None,
            _count_info(counts[row.id]) if row.id in counts else None,
        )
        for row in rows
    ]
    return paging.page(found, limit, "drawers", lambda item: [item.id])


# --- a business day's cash (the Z report) ----------------------------------------------------------


def day_cash(conn: Connection, day: dt.date) -> tuple[int, int, int]:
    """Floats of the drawers opened on a business day, and its pay-ins and pay-outs (by their
    business-date indexes)."""
    s, m = t.drawer_sessions.c, t.drawer_moves.c
    floats = conn.execute(
        select(func.coalesce(func.sum(s.float_amount), 0)).where(s.business_date == day)
    ).scalar_one()
    moved = dict(
        conn.execute(select(m.kind, func.sum(m.amount)).where(m.business_date == day).group_by(m.kind)).all()
    )
    return int(floats), int(moved.get(MoveKind.IN.value, 0)), int(moved.get(MoveKind.OUT.value, 0))


def day_drawers(conn: Connection, day: dt.date) -> tuple[int, int, int]:
    """For the Z: the day's cash that went into no drawer (taken, less given back, while none took
    it), and what the drawers opened on the day were counted at when they closed (total, how many)."""
    p, r, s, c = t.payments.c, t.refunds.c, t.drawer_sessions.c, t.drawer_counts.c
    cash = Method.CASH.value
    taken = conn.execute(
        select(func.coalesce(func.sum(p.applied), 0)).where(
            p.business_date == day, p.method == cash, p.drawer_session_id.is_(None)
        )
    ).scalar_one()
    given = conn.execute(
        select(func.coalesce(func.sum(r.amount), 0)).where(
            r.business_date == day, r.method == cash, r.drawer_session_id.is_(None)
        )
    ).scalar_one()
    counted, n = conn.execute(
        select(func.coalesce(func.sum(c.counted), 0), func.count())
        .select_from(t.drawer_counts.join(t.drawer_sessions, s.id == c.session_id))
        .where(s.business_date == day)
    ).one()
    return int(taken) - int(given), int(counted), int(n)


def day_watermark(conn: Connection, day: dt.date) -> list[int]:
    """The newest drawer opened and pay-in/out made on a day, and how many: changes if they do."""
    s, m = t.drawer_sessions.c, t.drawer_moves.c
    mark: list[int] = []
    for query in (
        select(func.coalesce(func.max(s.id), 0), func.count()).where(s.business_date == day),
        select(func.coalesce(func.max(m.id), 0), func.count()).where(m.business_date == day),
    ):
        high, n = conn.execute(query).one()
        mark += [int(high), int(n)]
    return mark


def _open_sessions(conn: Connection, store_id: int, *, lock: bool = True) -> list[AnyRow]:
    s = t.drawer_sessions.c
    query = select(s.id, s.opened_by, s.till).where(s.store_id == store_id, s.closed_at.is_(None)).limit(50)
    if lock and conn.dialect.name != "sqlite":
        query = query.with_for_update(read=True)  # a drawer closing waits for the cash going in
    return list(conn.execute(query).all())


def drawer_for_sale(conn: Connection, store_id: int, person: str) -> int | None:
    """The drawer a person's cash sale goes into: their own open drawer, else the one open drawer of
    the shop (one till, one drawer), else none."""
    found = _open_sessions(conn, store_id)
    own = [row.id for row in found if row.opened_by == person]
    if own:
        return int(own[0])
    return int(found[0].id) if len(found) == 1 else None


def drawer_for_refund(conn: Connection, store_id: int, person: str, order_id: int) -> int | None:
    """The drawer a cash refund comes out of: the refunder's own open drawer, else the open drawer the
    order's cash went into, else the one open drawer of the shop, else none."""
    found = _open_sessions(conn, store_id)
    open_ids = {int(row.id) for row in found}
    own = [int(row.id) for row in found if row.opened_by == person]
    if own:
        return own[0]
    p = t.payments.c
    went_into = conn.execute(
        select(p.drawer_session_id).where(p.order_id == order_id, p.drawer_session_id.is_not(None)).limit(1)
    ).scalar()
    if went_into is not None and int(went_into) in open_ids:
        return int(went_into)
    return next(iter(open_ids)) if len(open_ids) == 1 else None


def open_tills(conn: Connection, store_id: int) -> list[AnyRow]:
    """The drawers open now (id, opened_by, till), without locking them: for showing."""
    return _open_sessions(conn, store_id, lock=False)


def used_on(conn: Connection, day: dt.date) -> bool:
    """Whether any drawer was opened for a business day (the shop counts its cash in drawers)."""
    s = t.drawer_sessions.c
    return conn.execute(select(s.id).where(s.business_date == day).limit(1)).first() is not None
