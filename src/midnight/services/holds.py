"""The counter shelf: items left for someone, picked up with a code or an identity check.

Nothing is deleted: every change to a hold appends to its history (who, when, what).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, insert, select, update

from midnight.db import tables as t
from midnight.domain.clock import parse_date
from midnight.domain.errors import Conflict, InvalidInput, MidnightError, NotFound, parse_id
from midnight.domain.people import Permission
from midnight.notify import outbox
from midnight.notify.templates import render
from midnight.services.context import Context
from midnight.services.customers import CustomerInfo, find_customer

MAX_WRONG_CODES = 5
DEFAULT_DAYS = 30
_hasher = PasswordHasher()


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
    state: str
    locked: bool
    wrong_tries: int
    overdue: bool
    created_at: dt.datetime
    closed_at: dt.datetime | None
    history: list[HoldEvent]


@dataclass(frozen=True)
class NewHold:
    """A new hold and its pickup code, shown this once to whoever left the item."""

    hold: HoldInfo
    code: str


class WrongCode(InvalidInput):
    code = "wrong_code"


def _event(conn: Connection, ctx: Context, hold_id: int, action: str, detail: str = "") -> None:
    conn.execute(
        insert(t.hold_events).values(
            hold_id=hold_id, at=ctx.now(), actor=ctx.actor, action=action, detail=detail
        )
    )


def _info(ctx: Context, conn: Connection, hold_id: int) -> HoldInfo:
    row = conn.execute(
        select(t.holds, t.customers.c.name.label("for_name"))
        .join(t.customers, t.customers.c.id == t.holds.c.for_customer_id)
        .where(t.holds.c.id == hold_id)
    ).first()
    if row is None:
        raise NotFound(f"no held item {hold_id}", field="hold")
    history = [
        HoldEvent(e.at, e.actor, e.action, e.detail)
        for e in conn.execute(
            select(t.hold_events).where(t.hold_events.c.hold_id == hold_id).order_by(t.hold_events.c.id)
        )
    ]
    return HoldInfo(
        row.id,
        row.description,
        row.for_name,
        row.for_customer_id,
        row.left_by,
        row.shelf_slot,
        row.photo_path,
        row.hold_until,
        row.state,
        row.locked,
        row.wrong_tries,
        row.state == "waiting" and row.hold_until < ctx.today(),
        row.created_at,
        row.closed_at,
        history,
    )


def _text(value: str | None, field: str, limit: int) -> str:
    clean = (value or "").strip()
    if len(clean) > limit:
        raise InvalidInput(f"{field} must be at most {limit} characters", field=field)
    return clean


def _date(value: dt.date | str | None, field: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return parse_date(value, field=field)


def notify_waiting(
    conn: Connection, ctx: Context, hold_id: int, customer: CustomerInfo, context: dict[str, object]
) -> None:
    subject, body = render(conn, "item_waiting", customer.language, context)
    outbox.enqueue(
        conn, f"item_waiting:{hold_id}", "item_waiting", customer.contacts, subject, body, ctx.now()
    )


def hold_item(
    ctx: Context,
    description: str,
    for_customer: str | int,
    *,
    left_by: str | None = None,
    shelf_slot: str = "",
    photo_path: str | None = None,
    hold_until: dt.date | str | None = None,
) -> NewHold:
    """Put an item on the shelf for a customer; they are told it is waiting, with the pickup code."""
    ctx.require(Permission.HOLD)
    what = _text(description, "description", 500)
    if not what:
        raise InvalidInput("say what the item is (a description)", field="description")
    slot = _text(shelf_slot, "shelf_slot", 32)
    photo = _text(photo_path, "photo_path", 500) or None
    until = _date(hold_until, "hold_until") or ctx.today() + dt.timedelta(days=DEFAULT_DAYS)
    if until < ctx.today():
        raise InvalidInput(f"hold until {until} is in the past", field="hold_until")
    code = f"{secrets.randbelow(10**6):06d}"
    with ctx.db.write() as conn:
        recipient = find_customer(conn, for_customer)
        depositor: CustomerInfo | None = None
        by_text = _text(left_by, "left_by", 200)
        if by_text:
            try:
                depositor = find_customer(conn, by_text)
            except NotFound:
                depositor = None  # a free-text name: someone who is not a customer
        hold_id = int(
            conn.execute(
                insert(t.holds).values(
                    description=what,
                    for_customer_id=recipient.id,
                    left_by_customer_id=depositor.id if depositor else None,
                    left_by=depositor.name if depositor else (by_text or "unknown"),
                    shelf_slot=slot,
                    photo_path=photo,
                    hold_until=until,
                    code_hash=_hasher.hash(code),
                    wrong_tries=0,
                    locked=False,
                    state="waiting",
                    created_at=ctx.now(),
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )
        _event(conn, ctx, hold_id, "hold", f"for {recipient.name}, until {until}")
        notify_waiting(
            conn,
            ctx,
            hold_id,
            recipient,
            {
                "customer": recipient.name,
                "description": what,
                "code": code,
                "shelf_slot": slot or "-",
                "hold_until": until.isoformat(),
                "store": ctx.store.name,
            },
        )
        return NewHold(_info(ctx, conn, hold_id), code)


def _waiting(conn: Connection, hold_id: int | str):  # type: ignore[no-untyped-def]
    key = parse_id(hold_id, "hold")
    row = conn.execute(select(t.holds).where(t.holds.c.id == key).with_for_update()).first()
    if row is None:
        raise NotFound(f"no held item {key}", field="hold")
    if row.state != "waiting":
        raise Conflict(f"held item {key} was already {row.state.replace('_', ' ')}", field="hold")
    return row


def pick_up(
    ctx: Context, hold_id: int | str, *, code: str | None = None, identity_checked: bool = False
) -> HoldInfo:
    """Hand an item over: with its code, or after the staff member checked the recipient's identity."""
    ctx.require(Permission.HOLD)
    if not code and not identity_checked:
        raise InvalidInput("give the pickup code, or check the recipient's identity", field="code")
    refusal: MidnightError | None = None
    with ctx.db.write() as conn:
        row = _waiting(conn, hold_id)
        if row.locked:
            raise Conflict(
                f"held item {row.id} is locked after {MAX_WRONG_CODES} wrong codes; an owner must unlock it",
                field="hold",
            )
        if code:
            given = str(code).strip()
            if row.hold_until < ctx.today():
                raise InvalidInput(
                    f"the pickup code expired on {row.hold_until}; check the recipient's identity instead",
                    field="code",
                )
            try:
                right: bool = _hasher.verify(row.code_hash, given)
            except (VerificationError, InvalidHashError):
                right = False
            if not right:
                tries = row.wrong_tries + 1
                locked = tries >= MAX_WRONG_CODES
                conn.execute(
                    update(t.holds).where(t.holds.c.id == row.id).values(wrong_tries=tries, locked=locked)
                )
                _event(conn, ctx, row.id, "wrong_code", f"try {tries}")
                if locked:
                    _event(conn, ctx, row.id, "locked", f"after {tries} wrong codes")
                left = MAX_WRONG_CODES - tries
                refusal = WrongCode(
                    f"wrong pickup code; {left} tries left"
                    if left
                    else "wrong pickup code; the item is now locked",
                    field="code",
                )
            else:
                how = "with the pickup code"
        else:
            how = f"identity checked by {ctx.actor}"
        if refusal is None:
            conn.execute(
                update(t.holds).where(t.holds.c.id == row.id).values(state="picked_up", closed_at=ctx.now())
            )
            _event(conn, ctx, row.id, "picked_up", how)
            return _info(ctx, conn, row.id)
    # The wrong try is committed above: refusing must not roll it back.
    raise refusal


def unlock(ctx: Context, hold_id: int | str) -> HoldInfo:
    ctx.require(Permission.SHELF_ADMIN)
    with ctx.db.write() as conn:
        row = _waiting(conn, hold_id)
        conn.execute(update(t.holds).where(t.holds.c.id == row.id).values(locked=False, wrong_tries=0))
        _event(conn, ctx, row.id, "unlocked")
        return _info(ctx, conn, row.id)


def extend(ctx: Context, hold_id: int | str, until: dt.date | str) -> HoldInfo:
    ctx.require(Permission.HOLD)
    new = _date(until, "hold_until")
    assert new is not None
    with ctx.db.write() as conn:
        row = _waiting(conn, hold_id)
        if new <= row.hold_until:
            raise InvalidInput(f"extend to a date after {row.hold_until}", field="hold_until")
        conn.execute(update(t.holds).where(t.holds.c.id == row.id).values(hold_until=new))
        _event(conn, ctx, row.id, "extended", f"{row.hold_until} -> {new}")
        return _info(ctx, conn, row.id)


def return_to_sender(ctx: Context, hold_id: int | str, note: str | None = None) -> HoldInfo:
    ctx.require(Permission.HOLD)
    with ctx.db.write() as conn:
        row = _waiting(conn, hold_id)
        conn.execute(
            update(t.holds).where(t.holds.c.id == row.id).values(state="returned", closed_at=ctx.now())
        )
        _event(conn, ctx, row.id, "returned", _text(note, "note", 500) or f"to {row.left_by}")
        return _info(ctx, conn, row.id)


def dispose(ctx: Context, hold_id: int | str, reason: str | None) -> HoldInfo:
    """Dispose of an uncollected item, after its hold-until date (owner)."""
    ctx.require(Permission.SHELF_ADMIN)
    why = _text(reason, "reason", 500)
    if not why:
        raise InvalidInput("disposing of an item needs a reason", field="reason")
    with ctx.db.write() as conn:
        row = _waiting(conn, hold_id)
        if row.hold_until >= ctx.today():
            raise Conflict(
                f"held item {row.id} is kept until {row.hold_until}; dispose of it after that", field="hold"
            )
        conn.execute(
            update(t.holds).where(t.holds.c.id == row.id).values(state="disposed", closed_at=ctx.now())
        )
        _event(conn, ctx, row.id, "disposed", why)
        return _info(ctx, conn, row.id)


def get_hold(ctx: Context, hold_id: int | str) -> HoldInfo:
    ctx.require(Permission.HOLD)
    with ctx.db.read() as conn:
        return _info(ctx, conn, parse_id(hold_id, "hold"))


def shelf(ctx: Context, *, include_closed: bool = False) -> list[HoldInfo]:
    """Items waiting, overdue first, then oldest first."""
    ctx.require(Permission.HOLD)
    query = select(t.holds.c.id, t.holds.c.hold_until, t.holds.c.created_at)
    if not include_closed:
        query = query.where(t.holds.c.state == "waiting")
    today = ctx.today()
    with ctx.db.read() as conn:
        rows = conn.execute(query).all()
        ordered = sorted(rows, key=lambda r: (r.hold_until >= today, r.created_at, r.id))
        return [_info(ctx, conn, r.id) for r in ordered]
