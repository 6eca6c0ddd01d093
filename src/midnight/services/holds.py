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
from sqlalchemy.exc import IntegrityError

from midnight.adapters.hashing import hash_code, verify_code
from midnight.commands.counter import Dispose, Extend, FindHold, HoldItem, PickUp, ReturnHold, ShelfQuery
from midnight.db import customers as customers_db
from midnight.db import holds as holds_db
from midnight.db.customers import Recipient
from midnight.db.holds import HoldEvent, HoldInfo
from midnight.db.paging import Page
from midnight.domain import customer as customer_rules
from midnight.domain import hold as rules
from midnight.domain.customer import UnknownCustomer
from midnight.domain.errors import Conflict, InvalidInput, MidnightError, NotFound
from midnight.domain.hold import DEFAULT_DAYS, HoldAction, HoldState
from midnight.domain.messages import Event
from midnight.domain.people import Permission
from midnight.services import customers, notify
from midnight.services.context import Context

__all__ = ["Found", "HoldEvent", "HoldInfo", "NewHold"]


@dataclass(frozen=True)
class NewHold:
    """A new hold and its pickup code, shown this once to whoever left the item.

    `replayed`: the same form (its key) was sent again; the item was held once, by the first, and its
    code is not shown again (it went to the customer, and the item can be handed over after an ID check).
    `new_customer`: the customer was added in the same step."""

    hold: HoldInfo
    code: str | None
    replayed: bool = False
    new_customer: bool = False


@dataclass(frozen=True)
class Found:
    """A waiting item found by its code; `refusal` says why it cannot be handed over with it (locked,
    or the code expired: then only after an identity check)."""

    hold: HoldInfo
    code: str
    refusal: str | None
    can_hand_over: bool  # not locked (an owner unlocks it first)
    needs_identity: bool  # the code expired: handed over after an identity check only


def _lookup(ctx: Context, code: str) -> str:
    """The code sealed with the server's key: the same code always seals alike, so it finds its item
    by index, and a copied database does not give it away."""
    return ctx.adapters.box.seal(f"pickup code {code}")


def hold_item(ctx: Context, cmd: HoldItem) -> NewHold:
    """Put an item on the shelf for a customer; they are told it is waiting, with the pickup code.

    With `new_customer`, someone no customer goes by is added with that name in the same transaction
    as the hold. With a `key`, sending the same form again holds the item once."""
    ctx.require(Permission.HOLD)
    today = ctx.today()
    until = cmd.hold_until or today + dt.timedelta(days=DEFAULT_DAYS)
    rules.check_until(until, today)
    new_name: str | None = None
    with ctx.db.read() as conn:
        if cmd.key is not None and (earlier := _replay(conn, ctx.store.id, cmd, today)) is not None:
            return earlier
        try:
            recipient_id = customers_db.find_id(conn, cmd.for_customer)
            recipient = customers_db.recipients(conn, [recipient_id])[recipient_id]
        except UnknownCustomer as exc:
            if not (cmd.new_customer and exc.addable):
                raise
            new_name = customer_rules.check_new_name(cmd.for_customer)
            recipient = Recipient(0, new_name, "en", [], [])
        depositor = _depositor(conn, cmd.left_by)
        for _ in range(20):  # a code no other waiting item has, so the code alone finds this one
            code = f"{secrets.randbelow(10**6):06d}"
            lookup = _lookup(ctx, code)
            if not holds_db.waiting_by_lookup(conn, lookup):
                break
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
        if cmd.key is not None and (earlier := _replay(conn, ctx.store.id, cmd, today)) is not None:
            return earlier  # the same form, sent twice at once
        added = False
        if new_name is not None:
            found = customers_db.find_by_name(conn, new_name)  # added meanwhile: that is them
            if found is None:
                found = customers_db.insert_customer(conn, customers.new_customer_values(ctx, new_name), [])
                added = True
            recipient = Recipient(found, new_name, "en", [], [])
        try:
            hold_id = holds_db.insert_hold(
                conn,
                {
                    "store_id": ctx.store.id,
                    "description": cmd.description,
                    "for_customer_id": recipient.id,
                    "left_by_customer_id": depositor[0] if depositor else None,
                    "left_by": depositor[1] if depositor else (cmd.left_by or "unknown"),
                    "shelf_slot": cmd.shelf_slot,
                    "photo_path": cmd.photo_path or None,
                    "hold_until": until,
                    "code_hash": code_hash,
                    "code_lookup": lookup,
                    "idempotency_key": cmd.key,
                    "wrong_tries": 0,
                    "locked": False,
                    "state": HoldState.WAITING.value,
                    "created_at": now,
                },
            )
        except IntegrityError:  # the same key, committed by a request racing this one (PostgreSQL)
            raise Conflict("this form was just sent; reload the shelf to see the item", field="key") from None
        detail = f"for {recipient.name}" + (f" (new customer #{recipient.id})" if added else "")
        holds_db.event(conn, hold_id, now, ctx.actor, HoldAction.HOLD, f"{detail}, until {until}")
        if message.fallback:
            holds_db.event(conn, hold_id, now, ctx.actor, HoldAction.HOLD, message.fallback)
        notify.enqueue(ctx, conn, f"item_waiting:{hold_id}", Event.ITEM_WAITING, outgoing)
        return NewHold(holds_db.info(conn, hold_id, today), code, new_customer=added)


def _replay(conn: Connection, store_id: int, cmd: HoldItem, today: dt.date) -> NewHold | None:
    """The hold this form's key already made, if any; the key used for another item is refused."""
    assert cmd.key is not None
    hold_id = holds_db.by_key(conn, store_id, cmd.key)
    if hold_id is None:
        return None
    earlier = holds_db.info(conn, hold_id, today)
    if earlier.description != cmd.description:
        raise Conflict("this form was already used to hold another item; reload the page", field="key")
    return NewHold(earlier, None, replayed=True)


def _depositor(conn: Connection, left_by: str | None) -> tuple[int, str] | None:
    """Whoever left the item, if they are a customer; None for a free-text name (or none)."""
    if not left_by:
        return None
    try:
        found = customers_db.find_id(conn, left_by)
    except (NotFound, InvalidInput):
        return None
    return found, customers_db.info(conn, found).name


def find_by_code(ctx: Context, cmd: FindHold) -> list[Found]:
    """The waiting item with this pickup code (the code alone, typed at the counter).

    Each look-up is recorded in the transaction that checks the limit: after five wrong codes in a
    row a person's look-ups stop for a while (items are still handed over from the list after an
    identity check). The code is compared sealed, by index: no hashing, no scan of the shelf."""
    ctx.require(Permission.HOLD)
    code = rules.pickup_code(cmd.code)
    lookup = _lookup(ctx, code)
    now, today = ctx.now(), ctx.today()
    with ctx.db.write() as conn:
        wrong, latest = holds_db.wrong_lookups_since(conn, ctx.actor, now - rules.LOOKUP_WINDOW)
        rules.check_lookups(wrong, latest, now, lambda at: f"{at.astimezone(ctx.store.tz):%H:%M}")
        ids = holds_db.waiting_by_lookup(conn, lookup)
        holds_db.lookup_attempt(conn, ctx.actor, now, ok=bool(ids))
        rows = [holds_db.hold_row(conn, hold_id) for hold_id in ids]
        found = holds_db.infos(conn, ids, today)
    if not found:
        raise rules.wrong_lookup(code, wrong)  # the wrong try is committed: refusing must not undo it
    answers = []
    for row, info in zip(rows, found, strict=True):
        try:
            rules.check_pickup(holds_db.hold(row), with_code=True, today=today)
            answers.append(Found(info, code, None, can_hand_over=True, needs_identity=False))
        except MidnightError as exc:
            expired = exc.field == "code"
            answers.append(Found(info, code, exc.message, can_hand_over=expired, needs_identity=expired))
    return answers


def pick_up(ctx: Context, hold_id: int, cmd: PickUp) -> HoldInfo:
    """Hand an item over: with its code, or after the staff member checked the recipient's identity
    (or both: then the history says so)."""
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
            checked_by = ctx.actor if cmd.identity_checked else None
            change = rules.pick_up_with_code(before, right, today, checked_by)
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
