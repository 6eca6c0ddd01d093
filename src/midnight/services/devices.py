"""Till devices: browsers an owner set up as a till, the only places a PIN switches users.

A device is a long-lived secret in an HttpOnly cookie; only its SHA-256 is stored. So a PIN (a few
digits) can't be tried from anywhere on the internet: whoever tries one must be at a browser an
owner set up, and an owner can revoke that browser at any time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection

from midnight.commands.people import DeviceQuery, EnrollDevice
from midnight.db import devices as devices_db
from midnight.db import people as people_db
from midnight.db import tills as tills_db
from midnight.db.devices import DeviceInfo
from midnight.db.paging import Page
from midnight.db.types import AnyRow
from midnight.domain.errors import Conflict, Forbidden, NotFound
from midnight.domain.people import Permission
from midnight.services import passwords
from midnight.services.context import Context
from midnight.services.tills import till_key

__all__ = ["DeviceInfo", "EnrolledDevice", "Here", "device_till", "enroll_device", "here"]

PREFIX = "mxd_"
# As long as a browser keeps a cookie (Chromium caps it at 400 days); each switch renews it.
DEVICE_LIFE = dt.timedelta(days=400)
NOT_A_TILL = (
    "PINs work only on a browser an owner has set up as a till: an owner chooses "
    "'Use this browser as …' on the till page or in Admin"
)


@dataclass(frozen=True)
class EnrolledDevice:
    """A browser just set up as a till: the secret goes in its cookie, this once, and is never stored."""

    secret: str
    info: DeviceInfo


@dataclass(frozen=True)
class Here:
    """What the till page's header says about this browser."""

    till: str | None  # the till this browser is set up as, if it is one
    could_be: list[str]  # for an owner: the tills in use, which this browser could be set up as


def digest(secret: str) -> str | None:
    """The stored form of a device secret; None for anything that is not one (so no look-up)."""
    if not secret or len(secret) > 100 or not secret.isascii() or not secret.startswith(PREFIX):
        return None
    return hashlib.sha256(secret.encode()).hexdigest()


def valid_device(ctx: Context, conn: Connection, secret: str, *, for_update: bool = False) -> AnyRow:
    """This browser's device, set up in this store, not revoked, on a till still in use; else Forbidden."""
    found = digest(secret)
    row = devices_db.by_digest(conn, found, for_update=for_update) if found else None
    if row is None or row.store_id != ctx.store.id:
        raise Forbidden(NOT_A_TILL, field="device")
    if row.revoked_at is not None:
        raise Forbidden(
            f"this browser was set up as {row.till}, but an owner revoked that on "
            f"{row.revoked_at.astimezone(ctx.store.tz):%Y-%m-%d %H:%M}: an owner can set it up again",
            field="device",
        )
    if not row.till_active:
        raise Forbidden(f"{row.till} is no longer in use: an owner can set this browser up as another till")
    return row


def device_id(ctx: Context, conn: Connection, secret: str) -> int | None:
    """The id of the till device this secret is (set up in this store, not revoked), or None."""
    found = digest(secret)
    row = devices_db.by_digest(conn, found) if found else None
    if row is None or row.store_id != ctx.store.id or row.revoked_at is not None:
        return None
    return int(row.id)


def device_till(ctx: Context, device_token: str) -> str | None:
    """The name of the till this browser is set up as (from its device cookie), or None.

    For PlaceOrder.till: the till an order is rung on. One look-up by the secret's unique digest.
    """
    with ctx.db.read() as conn:
        try:
            return str(valid_device(ctx, conn, device_token).till)
        except Forbidden:
            return None


def here(ctx: Context, device_token: str) -> Here:
    """The till this browser is, if any, and for an owner the tills it could be set up as."""
    till = device_till(ctx, device_token)
    if not ctx.who.may(Permission.USERS):
        return Here(till, [])
    with ctx.db.read() as conn:
        return Here(till, [t.name for t in tills_db.tills(conn, ctx.store.id) if t.active])


def enroll_device(ctx: Context, cmd: EnrollDevice, current: str = "", session: str = "") -> EnrolledDevice:
    """Set up this browser as a till (owner). If it was set up as one before, that set-up ends.

    `current` is the browser's device cookie, `session` its session: from now on that session is on
    a till (it hands out no lasting access without the password again, and ends with the device).
    A session already begun on a till gives the password again to do this.
    """
    ctx.require(Permission.USERS)
    passwords.confirm(ctx, cmd.current_password, "setting up a till device")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = ctx.now()
    with ctx.db.write() as conn:
        till = tills_db.till_by_key(conn, ctx.store.id, till_key(cmd.till))
        if till is None:
            raise NotFound(f"no till {cmd.till}: add it first (midnight till add)", field="till")
        if not till.active:
            raise Conflict(f"{till.name} is no longer in use", field="till")
        before = digest(current)
        old = devices_db.by_digest(conn, before) if before else None
        if old is not None and old.revoked_at is None and old.store_id == ctx.store.id:
            devices_db.revoke(conn, old.id, now)
            people_db.revoke_device_sessions(conn, old.id, now, keep=_digest(session) if session else None)
            people_db.event(conn, now, ctx.actor, ctx.actor, "till device", f"revoked {old.id} ({old.till})")
        label = cmd.label or f"{till.name}, set up {now.astimezone(ctx.store.tz):%Y-%m-%d}"
        info = devices_db.insert_device(
            conn, till_id=till.id, digest=_digest(secret), label=label, now=now, by=ctx.actor
        )
        if session:
            people_db.mark_session_on_till(conn, _digest(session), info.id)
        people_db.event(
            conn, now, ctx.actor, ctx.actor, "till device", f"set up {info.id} as {till.name} ({label})"
        )
    return EnrolledDevice(secret, info)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def list_devices(ctx: Context, query: DeviceQuery) -> Page[DeviceInfo]:
    """The browsers set up as tills, newest first (owner)."""
    ctx.require(Permission.USERS)
    with ctx.db.read() as conn:
        return devices_db.devices(
            conn, ctx.store.id, include_revoked=query.include_revoked, cursor=query.cursor, limit=query.limit
        )


def revoke_device(
    ctx: Context, device_id: int, current_password: str | None = None, session: str = ""
) -> DeviceInfo:
    """Stop a browser switching users by PIN (owner): a lost tablet, a till moved. Done once. The
    sessions begun on it end too (by a PIN, or by a password typed on it), but the owner's own
    `session` revoking it from that browser. From a session begun on a till, the owner gives their
    password again."""
    ctx.require(Permission.USERS)
    passwords.confirm(ctx, current_password, "revoking a till device")
    now = ctx.now()
    with ctx.db.write() as conn:
        row = devices_db.device_row(conn, device_id)
        if row.store_id != ctx.store.id:
            raise NotFound(f"no till device {device_id}", field="device")
        if row.revoked_at is None:
            devices_db.revoke(conn, row.id, now)
            keep = _digest(session) if session else None
            ended = people_db.revoke_device_sessions(conn, row.id, now, keep=keep)
            detail = f"revoked {row.id} ({row.till})" + (
                f"; {ended} session(s) begun on it ended" if ended else ""
            )
            people_db.event(conn, now, ctx.actor, ctx.actor, "till device", detail)
        return devices_db.info(devices_db.device_row(conn, device_id))
