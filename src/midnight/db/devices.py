"""Till devices (browsers an owner set up as a till) and the PINs tried on them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select, update

from midnight.db import paging
from midnight.db import tables as t
from midnight.db.types import AnyRow
from midnight.domain.errors import NotFound

d = t.till_devices.c
a = t.pin_attempts.c


@dataclass(frozen=True)
class DeviceInfo:
    id: int
    till: str
    label: str
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None


_DEVICES = select(
    d.id,
    d.till_id,
    d.label,
    d.created_at,
    d.created_by,
    d.revoked_at,
    t.tills.c.name.label("till"),
    t.tills.c.active.label("till_active"),
    t.tills.c.store_id,
).join(t.tills, t.tills.c.id == d.till_id)


def info(row: AnyRow) -> DeviceInfo:
    return DeviceInfo(row.id, row.till, row.label, row.created_at, row.created_by, row.revoked_at)


def insert_device(
    conn: Connection, *, till_id: int, digest: str, label: str, now: dt.datetime, by: str
) -> DeviceInfo:
    result = conn.execute(
        insert(t.till_devices).values(
            till_id=till_id, token_hash=digest, label=label, created_at=now, created_by=by
        )
    )
    return info(device_row(conn, int(result.inserted_primary_key.id)))  # type: ignore[union-attr]


def by_digest(conn: Connection, digest: str, *, for_update: bool = False) -> AnyRow | None:
    """The device whose secret has this SHA-256 (one look-up in its unique index), with its till.

    With `for_update`, PostgreSQL locks the device's row, so PINs tried on it at once take turns
    past the device's own limit (SQLite's writers take turns already).
    """
    query = _DEVICES.where(d.token_hash == digest)
    if for_update:
        query = query.with_for_update(of=t.till_devices)
    return conn.execute(query).first()


def device_row(conn: Connection, device_id: int) -> AnyRow:
    row = conn.execute(_DEVICES.where(d.id == device_id)).first()
    if row is None:
        raise NotFound(f"no till device {device_id}", field="device")
    return row


def devices(
    conn: Connection, store_id: int, *, include_revoked: bool, cursor: str | None, limit: int
) -> paging.Page[DeviceInfo]:
    """A store's till devices, newest first."""
    query = _DEVICES.where(t.tills.c.store_id == store_id).order_by(d.id.desc()).limit(limit + 1)
    if not include_revoked:
        query = query.where(d.revoked_at.is_(None))
    if cursor is not None:
        (before,) = paging.decode("till-devices", cursor, [int])
        query = query.where(d.id < before)
    found = [info(r) for r in conn.execute(query)]
    return paging.page(found, limit, "till-devices", lambda dev: [dev.id])


def revoke(conn: Connection, device_id: int, at: dt.datetime) -> None:
    conn.execute(
        update(t.till_devices).where(d.id == device_id, d.revoked_at.is_(None)).values(revoked_at=at)
    )


# --- PINs tried on a device ----------------------------------------------------------------------


def reserve_attempt(conn: Connection, device_id: int, address: str, user: str, at: dt.datetime) -> int:
    """A PIN try counts as wrong from the moment it starts; a right PIN clears it after."""
    result = conn.execute(
        insert(t.pin_attempts).values(device_id=device_id, address=address, user_name=user, at=at, ok=False)
    )
    return int(result.inserted_primary_key.id)  # type: ignore[union-attr]


def attempt_succeeded(conn: Connection, attempt_id: int) -> None:
    conn.execute(update(t.pin_attempts).where(a.id == attempt_id).values(ok=True))


def device_failures_since(
    conn: Connection, device_id: int, since: dt.datetime
) -> tuple[int, dt.datetime | None]:
    """Wrong (or still unchecked) PINs on a device since `since` (ix_pin_attempts_device_id_at)."""
    count, latest = conn.execute(
        select(func.count(), func.max(a.at)).where(a.device_id == device_id, a.ok.is_(False), a.at > since)
    ).one()
    return int(count), latest


def address_failures_since(
    conn: Connection, address: str, since: dt.datetime
) -> tuple[int, dt.datetime | None]:
    """Wrong (or still unchecked) PINs from an address, on any device, since `since`."""
    count, latest = conn.execute(
        select(func.count(), func.max(a.at)).where(a.address == address, a.ok.is_(False), a.at > since)
    ).one()
    return int(count), latest
