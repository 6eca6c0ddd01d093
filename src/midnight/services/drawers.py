"""Cash drawers and shifts: open a till's drawer with a float, pay in and out, close it with a count.

Each cash payment and refund records the drawer its cash meets (the person's own, else for a refund
the one the sale's cash went into, else the shop's only open one: db.drawers.drawer_for_sale and
drawer_for_refund); one open session per till and per person, so two tills never share a sale. A closed session is what
its count recorded: expected, counted, over/short — never recomputed afterwards.
"""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from midnight.commands.cash import CashCount, CloseDrawer, DrawerMove, DrawerQuery, OpenDrawer
from midnight.db import drawers as drawers_db
from midnight.db.drawers import CountInfo, MoveInfo, SessionInfo
from midnight.db.paging import Page
from midnight.db.types import AnyRow
from midnight.domain import cash
from midnight.domain.errors import Conflict, NotFound
from midnight.domain.money import to_minor
from midnight.domain.people import Permission
from midnight.services.context import Context
from midnight.services.days import current_business_date

__all__ = ["CountInfo", "MoveInfo", "SessionInfo", "Tally"]


class Tally:
    """Cash counted, in minor units: the total and the notes and coins it was made of."""

    def __init__(self, total: int | None, pieces: dict[int, int]) -> None:
        self.total = total
        self.pieces = pieces


def count(ctx: Context, cmd: CashCount, *, field: str = "counted") -> Tally:
    """Add up a count (a total, or notes and coins, or both if they agree) in the store's money."""
    currency = ctx.store.currency
    total = to_minor(cmd.counted, currency, field=field) if cmd.counted is not None else None
    pieces = [(to_minor(p.value, currency, field="counts"), p.count) for p in cmd.counts or []]
    summed, by_value = cash.counted_total(total, pieces, currency, ctx.money)
    return Tally(summed, by_value)


def denominations(ctx: Context) -> tuple[int, ...]:
    """The notes and coins a count may list, largest first (none: count a total)."""
    return cash.denominations(ctx.store.currency)


def open_drawer(ctx: Context, cmd: OpenDrawer) -> SessionInfo:
    """Open a till's drawer with its float: one open drawer per till, and one per person."""
    ctx.require(Permission.SELL)
    till, key = cash.till_name(cmd.till)
    amount = cash.check_float(to_minor(cmd.float_amount, ctx.store.currency, field="float"), ctx.money)
    now = ctx.now()
    with ctx.db.write() as conn:
        mine = drawers_db.open_of_person(conn, ctx.store.id, ctx.actor)
        taken = drawers_db.open_on_till(conn, ctx.store.id, key)
        cash.open_refusal(till, taken.opened_by if taken else None, mine.till if mine else None, ctx.actor)
        try:
            session_id = drawers_db.insert_session(
                conn,
                {
                    "store_id": ctx.store.id,
                    "till": till,
                    "till_key": key,
                    "opened_by": ctx.actor,
                    "opened_at": now,
                    "business_date": current_business_date(conn, ctx.store.id, ctx.today()),
                    "float_amount": amount,
                },
            )
        except IntegrityError:  # opened at the same moment by someone else (PostgreSQL)
            raise Conflict(
                f"the drawer of {till} was opened just now; reload and look", field="till"
            ) from None
        return drawers_db.info(conn, drawers_db.session_row(conn, session_id))


def current(ctx: Context) -> SessionInfo | None:
    """The drawer this person has open, as it stands now; None if none."""
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        row = drawers_db.open_of_person(conn, ctx.store.id, ctx.actor)
        return drawers_db.info(conn, row) if row is not None else None


def get_session(ctx: Context, session_id: int) -> SessionInfo:
    """One session: your own, or anyone's for an owner."""
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        row = drawers_db.session_row(conn, session_id)
        cash.check_may_handle(ctx.who, drawers_db.session(row))
        return drawers_db.info(conn, row)


def sessions(ctx: Context, query: DrawerQuery) -> Page[SessionInfo]:
    """Sessions newest first: everyone's for an owner, your own otherwise."""
    ctx.require(Permission.SELL)
    person = None if ctx.who.may(Permission.REPORTS) else ctx.actor
    with ctx.db.read() as conn:
        return drawers_db.sessions(conn, person=person, cursor=query.cursor, limit=query.limit)


def moves(ctx: Context, session_id: int, query: DrawerQuery) -> Page[MoveInfo]:
    """A session's pay-ins and pay-outs, newest first."""
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        cash.check_may_handle(ctx.who, drawers_db.session(drawers_db.session_row(conn, session_id)))
        return drawers_db.moves(conn, session_id, cursor=query.cursor, limit=query.limit)


def _target(ctx: Context, conn: Connection, session_id: int | None) -> AnyRow:
    if session_id is not None:
        return drawers_db.session_row(conn, session_id, for_update=True)
    row = drawers_db.open_of_person(conn, ctx.store.id, ctx.actor)
    if row is None:
        raise NotFound(f"{ctx.actor} has no drawer open: open one with its float first", field="session")
    # Locked, so a pay-out and the close (on PostgreSQL) queue instead of missing each other.
    return drawers_db.session_row(conn, row.id, for_update=True)


def record_move(ctx: Context, cmd: DrawerMove, session_id: int | None = None) -> MoveInfo:
    """A pay-in or pay-out of an open drawer (default: yours), with why. Once per key."""
    ctx.require(Permission.SELL)
    amount = cash.check_move(to_minor(cmd.amount, ctx.store.currency), cmd.kind, ctx.money)
    with ctx.db.write() as conn:
        if cmd.key is not None:
            earlier = drawers_db.move_by_key(conn, cmd.key)
            if earlier is not None:
                if (earlier.kind, int(earlier.amount), earlier.reason) != (
                    cmd.kind.value,
                    amount,
                    cmd.reason,
                ):
                    raise Conflict(
                        "this form was already used for a different pay-in or pay-out", field="key"
                    )
                if session_id is not None and earlier.session_id != session_id:
                    raise Conflict("this form was already used for another drawer", field="key")
                return drawers_db.move(earlier)  # a retry: recorded once
        row = _target(ctx, conn, session_id)
        drawer = drawers_db.session(row)
        cash.check_may_handle(ctx.who, drawer)
        cash.check_open(drawer)
        move_id = drawers_db.insert_move(
            conn,
            {
                "session_id": row.id,
                "kind": cmd.kind.value,
                "amount": amount,
                "reason": cmd.reason,
                "at": ctx.now(),
                "business_date": current_business_date(conn, ctx.store.id, ctx.today()),
                "actor": ctx.actor,
                "idempotency_key": cmd.key,
            },
        )
        return drawers_db.move_info(conn, move_id)


def close_drawer(ctx: Context, cmd: CloseDrawer, session_id: int | None = None) -> SessionInfo:
    """Close an open drawer (default: yours) with the cash counted: expected, counted, over/short are
    recorded once, in the transaction that closes it."""
    ctx.require(Permission.SELL)
    tally = count(ctx, cmd)
    counted = cash.check_counted(tally.total)
    now = ctx.now()
    with ctx.db.write() as conn:
        row = _target(ctx, conn, session_id)
        drawer = drawers_db.session(row)
        cash.check_may_handle(ctx.who, drawer)
        cash.check_open(drawer)
        owed = drawers_db.figures(conn, row)  # a few index range reads: this session's own rows
        difference = cash.over_short(counted, owed.expected)
        try:
            drawers_db.insert_count(conn, row.id, now, ctx.actor, owed, counted, difference, tally.pieces)
        except IntegrityError:
            raise Conflict(
                f"the drawer session of {drawer.till} is already closed", field="session"
            ) from None
        drawers_db.close(conn, row.id, now)
        return drawers_db.info(conn, drawers_db.session_row(conn, row.id))


def where_cash_goes(ctx: Context) -> tuple[str | None, bool]:
    """For the till: the drawer this person's cash sales go into (its till), and whether that is a
    problem — drawers are in use but none takes this person's cash (then cash is in no drawer)."""
    ctx.require(Permission.SELL)
    with ctx.db.read() as conn:
        found = drawers_db.open_tills(conn, ctx.store.id)
        in_use = bool(found) or drawers_db.used_on(
            conn, current_business_date(conn, ctx.store.id, ctx.today())
        )
    own = [row.till for row in found if row.opened_by == ctx.actor]
    if own:
        return own[0], False
    if len(found) == 1:
        return found[0].till, False
    return None, in_use
