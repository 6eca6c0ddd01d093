"""PINs: staff switch users on a shared till with a few digits instead of a password.

- A PIN works only on a browser an owner set up as a till (services.devices), never from elsewhere.
- Five wrong PINs in a row lock that user's PIN until an owner unlocks it or a new PIN is set.
  Each try is counted (as wrong, until it proves right) in its own write transaction before the PIN
  is checked, so tries racing each other can never get more than five checked.
- A device, and an address, may try only so many wrong PINs in a while, whoever they name.
- What is hashed is the PIN keyed with the server's secret key (adapters.secrets), with argon2,
  outside every write transaction: a copied database or backup alone does not give the PINs away.
- An unknown name or a user with no PIN costs the same work as a wrong PIN, and is told "wrong PIN".
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from midnight.adapters.hashing import hash_pin, verify_pin
from midnight.commands.catalog import PageQuery
from midnight.commands.people import SetPin
from midnight.db import devices as devices_db
from midnight.db import people as people_db
from midnight.db.paging import Page
from midnight.db.people import PinUser, UserInfo
from midnight.domain.errors import Conflict, InvalidInput, NotAuthenticated, TooManyAttempts
from midnight.domain.people import MAX_PIN_FAILURES, Permission, TokenKind, check_username
from midnight.services import passwords, people
from midnight.services.context import Context
from midnight.services.devices import valid_device

__all__ = ["PinUser", "SwitchNames", "UserInfo", "switch_user"]
log = logging.getLogger("midnight.pins")

PIN_WINDOW = dt.timedelta(minutes=15)
MAX_DEVICE_FAILURES = 15  # wrong PINs on one till device in the window, for any names
MAX_ADDRESS_FAILURES = 30  # wrong PINs from one address in the window, on any devices
LOCKED = (
    f"PIN locked after {MAX_PIN_FAILURES} wrong tries: log in with your password or ask an owner to unlock it"
)


@dataclass(frozen=True)
class SwitchNames:
    """The switch-user screen of a till: its name and who can switch to it."""

    till: str
    names: Page[PinUser]


def _keyed(ctx: Context, pin: str) -> str:
    return ctx.adapters.box.keyed(pin, "till pin")


def own_pin(ctx: Context) -> UserInfo:
    """Whether you have a PIN, and whether it is locked."""
    with ctx.db.read() as conn:
        return people_db.user_info(people_db.existing_user(conn, ctx.actor))


def set_pin(ctx: Context, name: str, cmd: SetPin) -> UserInfo:
    """Set a PIN: your own (saying your password, unless on the shop's own machine), or anyone's as an
    owner. A new PIN starts with no wrong tries, so it unlocks a locked one."""
    user = check_username(name)
    if user != ctx.actor:
        ctx.require(Permission.USERS)
    elif not ctx.local and (
        # A session left open on a till must not be enough to give its owner a PIN someone else knows.
        cmd.current_password is None or not passwords.password_right(ctx, user, cmd.current_password)
    ):
        raise InvalidInput("give your current password to set your PIN", field="current_password")
    digest = hash_pin(_keyed(ctx, cmd.pin))
    with ctx.db.write() as conn:
        row = people_db.existing_user(conn, user)
        if not row.active:
            raise Conflict(
                f"{row.name} is switched off: switch them on before giving them a PIN", field="name"
            )
        people_db.set_pin_hash(conn, row.id, digest)
        detail = "set, and unlocked" if row.pin_locked_at is not None else "set"
        people_db.event(conn, ctx.now(), ctx.actor, row.name, "pin", detail)
        return people_db.user_info(people_db.existing_user(conn, row.name))


def clear_pin(ctx: Context, name: str) -> UserInfo:
    """Take a PIN away (yours, or anyone's as an owner): they log in with their password only, and
    the sessions they began with it end."""
    user = check_username(name)
    if user != ctx.actor:
        ctx.require(Permission.USERS)
    with ctx.db.write() as conn:
        row = people_db.existing_user(conn, user)
        if row.pin_hash is not None:
            people_db.set_pin_hash(conn, row.id, None)
            ended = people_db.revoke_pin_sessions(conn, row.id, ctx.now())
            detail = f"cleared; {ended} session(s) begun with it ended" if ended else "cleared"
            people_db.event(conn, ctx.now(), ctx.actor, row.name, "pin", detail)
        return people_db.user_info(people_db.existing_user(conn, row.name))


def unlock_pin(ctx: Context, name: str) -> UserInfo:
    """Unlock a PIN locked after wrong tries (owner); its wrong tries start again from none."""
    ctx.require(Permission.USERS)
    with ctx.db.write() as conn:
        row = people_db.existing_user(conn, check_username(name))
        if row.pin_hash is None:
            raise Conflict(f"{row.name} has no PIN to unlock", field="name")
        if row.pin_locked_at is not None or row.pin_failures:
            people_db.unlock_pin(conn, row.id)
            people_db.event(conn, ctx.now(), ctx.actor, row.name, "pin", "unlocked")
        return people_db.user_info(people_db.existing_user(conn, row.name))


def switch_names(ctx: Context, device_token: str, query: PageQuery) -> SwitchNames:
    """Who can switch to this till: active users with a PIN, by name (only on a till device)."""
    with ctx.db.read() as conn:
        device = valid_device(ctx, conn, device_token)
        return SwitchNames(device.till, people_db.pin_users(conn, cursor=query.cursor, limit=query.limit))


def switch_user(
    ctx: Context, device_token: str, name: str, pin: str, address: str, previous_session: str | None
) -> people.IssuedToken:
    """Switch this till to `name` with their PIN: a new session for them; the session this browser
    had (the person before) ends. `ctx` is the server's own: no one is signed in to ask."""
    user = name.strip().lower()[:64]
    where = (address or "unknown")[:64]
    now = ctx.now()
    with ctx.db.write() as conn:
        device = valid_device(ctx, conn, device_token, for_update=True)
        failures, latest = devices_db.device_failures_since(conn, device.id, now - PIN_WINDOW)
        if failures >= MAX_DEVICE_FAILURES:
            raise TooManyAttempts(
                f"too many wrong PINs on {device.till}: try again after {_until(ctx, latest, now)}, "
                "or log in with your password"
            )
        failures, latest = devices_db.address_failures_since(conn, where, now - PIN_WINDOW)
        if failures >= MAX_ADDRESS_FAILURES:
            raise TooManyAttempts(
                f"too many wrong PINs from {where}: try again after {_until(ctx, latest, now)}, "
                "or log in with your password"
            )
        row = people_db.user_row(conn, user)
        known = row is not None and row.active and row.pin_hash is not None
        tries = None
        if row is not None and known:
            tries = people_db.reserve_pin_try(conn, row.id, now)
            if tries is None:
                raise TooManyAttempts(LOCKED)
        attempt = devices_db.reserve_attempt(conn, device.id, where, user, now)
    # Slow on purpose, so outside the transaction; an unknown name is checked against a stand-in.
    digest = row.pin_hash if row is not None and known else None
    if verify_pin(digest, _keyed(ctx, pin)) and row is not None and digest is not None:
        with ctx.db.write() as conn:
            valid_device(ctx, conn, device_token)  # not revoked while the PIN was checked
            if not people_db.pin_succeeded(conn, row.id, digest):
                raise NotAuthenticated("that PIN was changed just now: try the new one")
            devices_db.attempt_succeeded(conn, attempt)
            if previous_session:
                people_db.revoke_session_by_digest(conn, people._digest(previous_session), now)
            return people._issue(
                ctx,
                conn,
                row.id,
                row.name,
                TokenKind.SESSION,
                f"PIN on {device.till}",
                by_pin=True,
                device_id=device.id,
            )
    if tries is not None and tries >= MAX_PIN_FAILURES:
        with ctx.db.write() as conn:
            still = people_db.user_row(conn, user)
            if still is not None and still.pin_locked_at is not None:
                people_db.event(
                    conn, now, f"PIN on {device.till}", user, "pin", f"locked after {tries} wrong tries"
                )
        log.warning("PIN of %s locked after %d wrong tries on %s", user, tries, device.till)
        raise TooManyAttempts(f"wrong PIN. {LOCKED}")
    if tries is not None:
        left = MAX_PIN_FAILURES - tries
        raise NotAuthenticated(f"wrong PIN: {left} more {'try' if left == 1 else 'tries'} before it locks")
    raise NotAuthenticated("wrong PIN")


def _until(ctx: Context, latest: dt.datetime | None, now: dt.datetime) -> str:
    return f"{((latest or now) + PIN_WINDOW).astimezone(ctx.store.tz):%H:%M}"
