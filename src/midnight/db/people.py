"""Users, their tokens, login attempts and the audit trail of people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, case, func, insert, literal, select, update
from sqlalchemy.sql.dml import Update

from midnight.db import paging
from midnight.db import tables as t
from midnight.db.types import AnyRow, UTCDateTime
from midnight.domain.errors import NotFound
from midnight.domain.people import MAX_PIN_FAILURES, Role, TokenKind


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: str
    active: bool
    created_at: dt.datetime
    has_pin: bool = False  # can switch to this user on a till with a PIN
    pin_locked: bool = False  # locked after too many wrong PINs in a row: an owner unlocks it


@dataclass(frozen=True)
class TokenInfo:
    id: int
    user: str
    label: str
    kind: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


def user_info(row: AnyRow) -> UserInfo:
    return UserInfo(
        row.name,
        row.role,
        row.active,
        row.created_at,
        row.pin_hash is not None,
        row.pin_locked_at is not None,
    )


def count_users(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(t.users)).scalar_one())


def user_row(conn: Connection, name: str) -> AnyRow | None:
    return conn.execute(select(t.users).where(t.users.c.name == name)).first()


def existing_user(conn: Connection, name: str) -> AnyRow:
    row = user_row(conn, name)
    if row is None:
        raise NotFound(f"no user {name}", field="name")
    return row


def first_owner(conn: Connection) -> str | None:
    return conn.execute(
        select(t.users.c.name)
        .where(t.users.c.role == Role.OWNER.value, t.users.c.active.is_(True))
        .order_by(t.users.c.id)
    ).scalar()


def active_owners(conn: Connection) -> int:
    return int(
        conn.execute(
            select(func.count()).where(t.users.c.role == Role.OWNER.value, t.users.c.active.is_(True))
        ).scalar_one()
    )


def insert_user(conn: Connection, name: str, role: Role, digest: str, now: dt.datetime) -> UserInfo:
    conn.execute(
        insert(t.users).values(name=name, role=role.value, password_hash=digest, active=True, created_at=now)
    )
    return user_info(existing_user(conn, name))


def update_user(conn: Connection, user_id: int, role: Role | None, active: bool | None) -> None:
    values: dict[str, object] = {}
    if role is not None:
        values["role"] = role.value
    if active is not None:
        values["active"] = active
    conn.execute(update(t.users).where(t.users.c.id == user_id).values(values))


def set_password_hash(conn: Connection, user_id: int, digest: str) -> None:
    conn.execute(update(t.users).where(t.users.c.id == user_id).values(password_hash=digest))


def users(conn: Connection, *, cursor: str | None, limit: int) -> paging.Page[UserInfo]:
    query = select(t.users).order_by(t.users.c.name).limit(limit + 1)
    if cursor is not None:
        (after,) = paging.decode("users", cursor, [str])
        query = query.where(t.users.c.name > after)
    found = [user_info(r) for r in conn.execute(query)]
    return paging.page(found, limit, "users", lambda u: [u.name])


def event(conn: Connection, at: dt.datetime, actor: str, user: str, action: str, detail: str = "") -> None:
    conn.execute(
        insert(t.user_events).values(at=at, actor=actor, user_name=user, action=action, detail=detail)
    )


# --- tokens --------------------------------------------------------------------------------------


def insert_token(
    conn: Connection,
    *,
    user_id: int,
    kind: TokenKind,
    label: str,
    digest: str,
    now: dt.datetime,
    expires: dt.datetime | None,
    by_pin: bool = False,
    device_id: int | None = None,
) -> int:
    return int(
        conn.execute(
            insert(t.api_tokens).values(
                user_id=user_id,
                kind=kind.value,
                label=label,
                token_hash=digest,
                created_at=now,
                expires_at=expires,
                by_pin=by_pin,
                device_id=device_id,
            )
        ).inserted_primary_key.id  # type: ignore[union-attr]
    )


def revoke_all(conn: Connection, user_id: int, at: dt.datetime) -> int:
    """Every live token and session of a user ends (after a password change, or the user leaving)."""
    return int(
        conn.execute(
            update(t.api_tokens)
            .where(t.api_tokens.c.user_id == user_id, t.api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        ).rowcount
    )


def token_row(conn: Connection, token_id: int) -> AnyRow:
    row = conn.execute(
        select(t.api_tokens, t.users.c.name)
        .join(t.users, t.users.c.id == t.api_tokens.c.user_id)
        .where(t.api_tokens.c.id == token_id)
    ).first()
    if row is None:
        raise NotFound(f"no token {token_id}", field="token")
    return row


def revoke(conn: Connection, token_id: int, at: dt.datetime) -> None:
    conn.execute(update(t.api_tokens).where(t.api_tokens.c.id == token_id).values(revoked_at=at))


def revoke_by_digest(conn: Connection, digest: str, at: dt.datetime) -> None:
    conn.execute(
        update(t.api_tokens)
        .where(t.api_tokens.c.token_hash == digest, t.api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )


def tokens(conn: Connection, user: str | None, *, cursor: str | None, limit: int) -> paging.Page[TokenInfo]:
    query = (
        select(t.api_tokens, t.users.c.name)
        .join(t.users, t.users.c.id == t.api_tokens.c.user_id)
        .where(t.api_tokens.c.kind == TokenKind.API.value)
        .order_by(t.api_tokens.c.id)
        .limit(limit + 1)
    )
    if user is not None:
        query = query.where(t.users.c.name == user)
    if cursor is not None:
        (after,) = paging.decode("tokens", cursor, [int])
        query = query.where(t.api_tokens.c.id > after)
    found = [
        TokenInfo(r.id, r.name, r.label, r.kind, r.created_at, r.expires_at, r.revoked_at)
        for r in conn.execute(query)
    ]
    return paging.page(found, limit, "tokens", lambda tk: [tk.id])


BY_TOKEN = (
    select(
        t.users.c.name,
        t.users.c.role,
        t.users.c.active,
        t.api_tokens.c.expires_at,
        t.api_tokens.c.revoked_at,
        t.api_tokens.c.by_pin,
        t.api_tokens.c.device_id,
    )
    .join(t.users, t.users.c.id == t.api_tokens.c.user_id)
    .where(t.api_tokens.c.token_hash == bindparam("digest"))
)


def by_token(conn: Connection, digest: str) -> AnyRow | None:
    return conn.execute(BY_TOKEN, {"digest": digest}).first()


# --- login attempts ------------------------------------------------------------------------------


def failures_since(
    conn: Connection, name: str, address: str, since: dt.datetime
) -> tuple[int, dt.datetime | None]:
    """Failed (or still unchecked) attempts for a name from an address since `since` or the last success."""
    a = t.login_attempts.c
    last_ok = conn.execute(
        select(func.max(a.at)).where(a.name == name, a.address == address, a.ok.is_(True))
    ).scalar()
    count, latest = conn.execute(
        select(func.count(), func.max(a.at)).where(
            a.name == name,
            a.address == address,
            a.ok.is_(False),
            a.at > (max(since, last_ok) if last_ok else since),
        )
    ).one()
    return int(count), latest


def address_failures_since(
    conn: Connection, address: str, since: dt.datetime
) -> tuple[int, dt.datetime | None]:
    """Failed (or unchecked) attempts from an address, for any name, since `since` (ix_login_attempts_address_at)."""
    a = t.login_attempts.c
    count, latest = conn.execute(
        select(func.count(), func.max(a.at)).where(a.address == address, a.ok.is_(False), a.at > since)
    ).one()
    return int(count), latest


def reserve_attempt(conn: Connection, name: str, address: str, at: dt.datetime) -> int:
    """An attempt counts as failed from the moment it starts; a right password clears it after."""
    return int(
        conn.execute(
            insert(t.login_attempts).values(name=name, address=address, at=at, ok=False)
        ).inserted_primary_key.id  # type: ignore[union-attr]
    )


def attempt_succeeded(conn: Connection, attempt_id: int) -> None:
    conn.execute(update(t.login_attempts).where(t.login_attempts.c.id == attempt_id).values(ok=True))


# --- PINs for switching users on a till ----------------------------------------------------------

u = t.users.c


@dataclass(frozen=True)
class PinUser:
    """A name on a till's switch-user screen."""

    name: str
    locked: bool


def set_pin_hash(conn: Connection, user_id: int, digest: str | None) -> None:
    """A new PIN (or none): its wrong tries start again from nothing, so it is unlocked too."""
    conn.execute(
        update(t.users).where(u.id == user_id).values(pin_hash=digest, pin_failures=0, pin_locked_at=None)
    )


def unlock_pin(conn: Connection, user_id: int) -> None:
    conn.execute(update(t.users).where(u.id == user_id).values(pin_failures=0, pin_locked_at=None))


def pin_users(conn: Connection, *, cursor: str | None, limit: int) -> paging.Page[PinUser]:
    """Active users who have a PIN, by name."""
    query = (
        select(u.name, u.pin_locked_at)
        .where(u.active.is_(True), u.pin_hash.is_not(None))
        .order_by(u.name)
        .limit(limit + 1)
    )
    if cursor is not None:
        (after,) = paging.decode("pin-users", cursor, [str])
        query = query.where(u.name > after)
    found = [PinUser(r.name, r.pin_locked_at is not None) for r in conn.execute(query)]
    return paging.page(found, limit, "pin-users", lambda p: [p.name])


def reserve_pin_try(conn: Connection, user_id: int, now: dt.datetime) -> int | None:
    """Count a PIN try as wrong before it is checked; the number it is, or None if the PIN is locked.

    One conditional UPDATE: on PostgreSQL the row lock makes tries racing each other take turns, and
    each sees the count the one before left (SQLite's writers take turns already). The try that
    reaches the limit locks the PIN then and there; a right PIN unlocks it again (pin_succeeded).
    """
    result = conn.execute(
        update(t.users)
        .where(
            u.id == user_id,
            u.active.is_(True),
            u.pin_hash.is_not(None),
            u.pin_locked_at.is_(None),
            u.pin_failures < MAX_PIN_FAILURES,
        )
        .values(
            pin_failures=u.pin_failures + 1,
            pin_locked_at=case(
                (u.pin_failures + 1 >= MAX_PIN_FAILURES, literal(now, UTCDateTime())), else_=u.pin_locked_at
            ),
        )
    )
    if result.rowcount != 1:
        return None
    return int(conn.execute(select(u.pin_failures).where(u.id == user_id)).scalar_one())


def pin_succeeded(conn: Connection, user_id: int, digest: str) -> bool:
    """A right PIN: its wrong tries are forgotten. False if the PIN was changed or the user switched
    off while it was being checked."""
    result = conn.execute(
        update(t.users)
        .where(u.id == user_id, u.pin_hash == digest, u.active.is_(True))
        .values(pin_failures=0, pin_locked_at=None)
    )
    return result.rowcount == 1


def _live_session(digest: str) -> Update:
    """An update of the web session (not an API token) with this digest, if it has not ended."""
    return update(t.api_tokens).where(
        t.api_tokens.c.token_hash == digest,
        t.api_tokens.c.kind == TokenKind.SESSION.value,
        t.api_tokens.c.revoked_at.is_(None),
    )


def mark_session_on_till(conn: Connection, digest: str, device_id: int) -> None:
    """The web session with this digest is now on a browser set up as a till (that device)."""
    conn.execute(_live_session(digest).values(device_id=device_id))


def revoke_device_sessions(
    conn: Connection, device_id: int, at: dt.datetime, *, keep: str | None = None
) -> int:
    """End every session begun on a till device (ix_api_tokens_device_id), as it was revoked; but
    the one whose digest is `keep` (the owner revoking it from that very browser)."""
    query = update(t.api_tokens).where(
        t.api_tokens.c.device_id == device_id, t.api_tokens.c.revoked_at.is_(None)
    )
    if keep is not None:
        query = query.where(t.api_tokens.c.token_hash != keep)
    return int(conn.execute(query.values(revoked_at=at)).rowcount)


def revoke_pin_sessions(conn: Connection, user_id: int, at: dt.datetime) -> int:
    """End a user's sessions begun with a PIN: their PIN was taken away."""
    return int(
        conn.execute(
            update(t.api_tokens)
            .where(
                t.api_tokens.c.user_id == user_id,
                t.api_tokens.c.by_pin.is_(True),
                t.api_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        ).rowcount
    )


def revoke_session_by_digest(conn: Connection, digest: str, at: dt.datetime) -> int:
    """End one web session (not an API token) by its digest."""
    return int(conn.execute(_live_session(digest).values(revoked_at=at)).rowcount)
