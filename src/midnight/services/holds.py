"""The counter shelf: items left for someone, picked up with a code or an identity check.

Nothing is deleted: every change appends to the item's history. The slow parts — hashing the pickup
code, checking it, rendering the owner's message template — happen before or after the write
transaction, which holds only reads and writes of rows.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection

from midnight.adapters.hashing import hash_code, verify_code
from midnight.commands.counter import Dispose, Extend, HoldItem, PickUp, ReturnHold, ShelfQuery
from midnight.db import customers as customers_db
from midnight.db import holds as holds_db
from midnight.db.holds import HoldEvent, HoldInfo
from midnight.db.paging import Page
from midnight.domain import hold as rules
from midnight.domain.errors import InvalidInput, NotFound
from midnight.domain.hold import DEFAULT_DAYS, HoldAction, HoldState
from midnight.domain.messages import Event
from midnight.domain.people import Permission
from midnight.services import notify
from midnight.services.context import Context

__all__ = ["HoldEvent", "HoldInfo", "NewHold"]


@dataclass(frozen=True)
class NewHold:
    """A new hold and its pickup code, shown this once to whoever left the item."""

    hold: HoldInfo
    code: str


def hold_item(ctx: Context, cmd: HoldItem) -> NewHold:
    """Put an item on the shelf for a customer; they are told it is waiting, with the pickup code."""
    ctx.require(Permission.HOLD)
    today = ctx.today()
    until = cmd.hold_until or today + dt.timedelta(days=DEFAULT_DAYS)
    rules.check_until(until, today)
    with ctx.db.read() as conn:
        recipient_id = customers_db.find_id(conn, cmd.for_customer)
        recipient = customers_db.recipients(conn, [recipient_id])[recipient_id]
        depositor = _depositor(conn, cmd.left_by)
    code = f"{secrets.randbelow(10**6):06d}"
    code_hash = hash_code(code)
    message = notify.prepare(
        ctx,
        Event.ITEM_WAITING,
        recipient.language,
        {
            "customer": recipient.name,
            "description": cmd.description,
            "code": code,
            "shelf_slot": cmd.shelf_slot or "-",
            "hold_until": until.isoformat(),
            "store": ctx.store.name,
        },
    )
    outgoing = notify.sealed(ctx, list(zip(recipient.sealed_urls, recipient.displays, strict=True)), message)
    now = ctx.now()
    with ctx.db.write() as conn:
        hold_id = holds_db.insert_hold(
            conn,
            {
                "description": cmd.description,
                "for_customer_id": recipient.id,
                "left_by_customer_id": depositor[0] if depositor else None,
                "left_by": depositor[1] if depositor else (cmd.left_by or "unknown"),
                "shelf_slot": cmd.shelf_slot,
                "photo_path": cmd.photo_path or None,
                "hold_until": until,
                "code_hash": code_hash,
                "wrong_tries": 0,
                "locked": False,
                "state": HoldState.WAITING.value,
                "created_at": now,
            },
        )
        holds_db.event(conn, hold_id, now, ctx.actor, HoldAction.HOLD, f"for {recipient.name}, until {until}")
        if message.fallback:
            holds_db.event(conn, hold_id, now, ctx.actor, HoldAction.HOLD, message.fallback)
        notify.enqueue(ctx, conn, f"item_waiting:{hold_id}", Event.ITEM_WAITING, outgoing)
        return NewHold(holds_db.info(conn, hold_id, today), code)


def _depositor(conn: Connection, left_by: str | None) -> tuple[int, str] | None:
    """Whoever left the item, if they are a customer; None for a free-text name (or none)."""
    if not left_by:
        return None
    try:
        found = customers_db.find_id(conn, left_by)
    except (NotFound, InvalidInput):
        return None
    return found, customers_db.info(conn, found).name


def pick_up(ctx: Context, hold_id: int, cmd: PickUp) -> HoldInfo:
    """Hand an item over: with its code, or after the staff member checked the recipient's identity."""
    ctx.require(Permission.HOLD)
    today = ctx.today()
    right: bool | None = None
    if cmd.code:
        code = rules.pickup_code(cmd.code)
        with ctx.db.read() as conn:
            row = holds_db.hold_row(conn, hold_id)
        rules.check_pickup(holds_db.hold(row), with_code=True, today=today)
        right = verify_code(row.code_hash, code)  # slow by design: outside the write lock
    with ctx.db.write() as conn:
        before = holds_db.hold(holds_db.hold_row(conn, hold_id, for_update=True))
        if right is None:
            change = rules.pick_up_identity_checked(before, ctx.actor, today)
        else:
            change = rules.pick_up_with_code(before, right, today)
        _save(ctx, conn, before, change)
        info = holds_db.info(conn, hold_id, today)
    if change.refusal is not None:
        raise change.refusal  # the wrong try is committed: refusing must not roll it back
    return info


def _save(ctx: Context, conn: Connection, before: rules.Hold, change: rules.Change) -> None:
    now = ctx.now()
    holds_db.save(conn, before, change.hold, now)
    for action, detail in change.events:
        holds_db.event(conn, before.id, now, ctx.actor, action, detail)


def unlock(ctx: Context, hold_id: int) -> HoldInfo:
    """Unlock an item locked after wrong codes (owner)."""
    ctx.require(Permission.SHELF_ADMIN)
    return _change(ctx, hold_id, rules.unlock)


def extend(ctx: Context, hold_id: int, cmd: Extend) -> HoldInfo:
    ctx.require(Permission.HOLD)
    today = ctx.today()
    return _change(ctx, hold_id, lambda hold: rules.extend(hold, cmd.hold_until, today))


def return_to_sender(ctx: Context, hold_id: int, cmd: ReturnHold) -> HoldInfo:
    ctx.require(Permission.HOLD)
    return _change(ctx, hold_id, lambda hold: rules.return_to_sender(hold, cmd.note or ""))


def dispose(ctx: Context, hold_id: int, cmd: Dispose) -> HoldInfo:
    """Dispose of an uncollected item, after its hold-until date (owner)."""
    ctx.require(Permission.SHELF_ADMIN)
    today = ctx.today()
    return _change(ctx, hold_id, lambda hold: rules.dispose(hold, cmd.reason, today))


def _change(ctx: Context, hold_id: int, transition: Callable[[rules.Hold], rules.Change]) -> HoldInfo:
    with ctx.db.write() as conn:
        before = holds_db.hold(holds_db.hold_row(conn, hold_id, for_update=True))
        _save(ctx, conn, before, transition(before))
        return holds_db.info(conn, hold_id, ctx.today())


def get_hold(ctx: Context, hold_id: int) -> HoldInfo:
    ctx.require(Permission.HOLD)
    with ctx.db.read() as conn:
        return holds_db.info(conn, hold_id, ctx.today())


def shelf(ctx: Context, query: ShelfQuery) -> Page[HoldInfo]:
    """Items waiting, overdue first, then oldest first; with `all`, every item ever held, newest first."""
    ctx.require(Permission.HOLD)
    today = ctx.today()
    with ctx.db.read() as conn:
        customer = customers_db.find_id(conn, query.customer) if query.customer else None
        listing = holds_db.every_hold if query.all_items else holds_db.shelf
        return listing(conn, today=today, customer_id=customer, cursor=query.cursor, limit=query.limit)
