"""Users, their tokens, login attempts and the audit trail of people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, func, insert, select, update

from midnight.db import paging
from midnight.db import tables as t
from midnight.db.types import AnyRow
from midnight.domain.errors import NotFound
from midnight.domain.people import Role, TokenKind


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: str
    active: bool
    created_at: dt.datetime


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
    return UserInfo(row.name, row.role, row.active, row.created_at)


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
            )
        ).inserted_primary_key[0]  # type: ignore[index]
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
        t.users.c.name, t.users.c.role, t.users.c.active, t.api_tokens.c.expires_at, t.api_tokens.c.revoked_at
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
        ).inserted_primary_key[0]  # type: ignore[index]
    )


def attempt_succeeded(conn: Connection, attempt_id: int) -> None:
    conn.execute(update(t.login_attempts).where(t.login_attempts.c.id == attempt_id).values(ok=True))
