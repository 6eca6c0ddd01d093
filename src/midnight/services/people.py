"""Users, passwords, tokens and logins. Passwords are hashed with argon2; tokens stored as SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, bindparam, func, insert, select, update

from midnight.db import tables as t
from midnight.domain.errors import Conflict, Forbidden, InvalidInput, MidnightError, NotFound
from midnight.domain.people import Actor, Permission, Role, check_password, check_username
from midnight.services.context import Context

log = logging.getLogger("midnight.people")
_hasher = PasswordHasher()

MAX_FAILURES = 10
LOCK_WINDOW = dt.timedelta(minutes=15)
SESSION_LIFE = dt.timedelta(hours=12)


class TooManyAttempts(MidnightError):
    """Login locked after too many failures for this name from this address."""

    code = "too_many_attempts"
    http_status = 429


class NotAuthenticated(MidnightError):
    code = "not_authenticated"
    http_status = 401


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


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the secret is shown this once and never stored."""

    token: str
    info: TokenInfo


def _event(conn: Connection, ctx: Context, user: str, action: str, detail: str = "") -> None:
    conn.execute(
        insert(t.user_events).values(
            at=ctx.now(), actor=ctx.actor, user_name=user, action=action, detail=detail
        )
    )


def _user_info(row) -> UserInfo:  # type: ignore[no-untyped-def]
    return UserInfo(row.name, row.role, row.active, row.created_at)


def count_users(ctx: Context) -> int:
    with ctx.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(t.users)).scalar_one())


def add_user(ctx: Context, name: str, role: str, password: str) -> UserInfo:
    """Add a user. Only an owner may, except for the very first user, who must be an owner."""
    user = check_username(name)
    who = Role.parse(role)
    secret = check_password(password)
    digest = _hasher.hash(secret)
    with ctx.db.write() as conn:
        first = conn.execute(select(func.count()).select_from(t.users)).scalar_one() == 0
        if first and who is not Role.OWNER:
            raise InvalidInput("the first user must be an owner", field="role")
        if not first:
            ctx.require(Permission.USERS)
        if conn.execute(select(t.users.c.id).where(t.users.c.name == user)).first():
            raise Conflict(f"user {user} already exists", field="name")
        conn.execute(
            insert(t.users).values(
                name=user, role=who.value, password_hash=digest, active=True, created_at=ctx.now()
            )
        )
        _event(conn, ctx, user, "add", who.value)
        return _user_info(conn.execute(select(t.users).where(t.users.c.name == user)).one())


def list_users(ctx: Context) -> list[UserInfo]:
    ctx.require(Permission.USERS)
    with ctx.db.read() as conn:
        return [_user_info(r) for r in conn.execute(select(t.users).order_by(t.users.c.name))]


def _user_row(conn: Connection, name: str):  # type: ignore[no-untyped-def]
    row = conn.execute(select(t.users).where(t.users.c.name == check_username(name))).first()
    if row is None:
        raise NotFound(f"no user {name}", field="name")
    return row


def set_password(ctx: Context, name: str, password: str) -> UserInfo:
    """Change a password: your own, or anyone's if you are an owner. Their sessions end."""
    secret = check_password(password)
    with ctx.db.write() as conn:
        row = _user_row(conn, name)
        if row.name != ctx.actor:
            ctx.require(Permission.USERS)
        conn.execute(update(t.users).where(t.users.c.id == row.id).values(password_hash=_hasher.hash(secret)))
        conn.execute(
            update(t.api_tokens)
            .where(
                t.api_tokens.c.user_id == row.id,
                t.api_tokens.c.kind == "session",
                t.api_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=ctx.now())
        )
        _event(conn, ctx, row.name, "password")
        return _user_info(row)


def set_role(ctx: Context, name: str, role: str | None = None, active: bool | None = None) -> UserInfo:
    ctx.require(Permission.USERS)
    with ctx.db.write() as conn:
        row = _user_row(conn, name)
        values: dict[str, object] = {}
        if role is not None:
            values["role"] = Role.parse(role).value
        if active is not None:
            values["active"] = active
        if not values:
            raise InvalidInput("nothing to change: give a role or active", field="role")
        conn.execute(update(t.users).where(t.users.c.id == row.id).values(**values))
        owners = conn.execute(
            select(func.count()).where(t.users.c.role == "owner", t.users.c.active.is_(True))
        ).scalar_one()
        if owners == 0:
            raise Conflict("the shop must keep at least one active owner", field="role")
        _event(conn, ctx, row.name, "change", ", ".join(f"{k}={v}" for k, v in values.items()))
        return _user_info(conn.execute(select(t.users).where(t.users.c.id == row.id)).one())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(conn: Connection, ctx: Context, user_id: int, user: str, kind: str, label: str) -> IssuedToken:
    secret = ("mxs_" if kind == "session" else "mxt_") + secrets.token_urlsafe(32)
    now = ctx.now()
    expires = now + SESSION_LIFE if kind == "session" else None
    token_id = conn.execute(
        insert(t.api_tokens).values(
            user_id=user_id,
            kind=kind,
            label=label,
            token_hash=_digest(secret),
            created_at=now,
            expires_at=expires,
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    return IssuedToken(secret, TokenInfo(int(token_id), user, label, kind, now, expires, None))


def create_token(ctx: Context, name: str, label: str) -> IssuedToken:
    """An API token for a user (yours, or anyone's if you are an owner)."""
    text = (label or "").strip()
    if not text or len(text) > 100:
        raise InvalidInput("a token needs a label of 1-100 characters, e.g. 'till 1'", field="label")
    with ctx.db.write() as conn:
        row = _user_row(conn, name)
        if row.name != ctx.actor:
            ctx.require(Permission.USERS)
        issued = _issue(conn, ctx, row.id, row.name, "api", text)
        _event(conn, ctx, row.name, "token", f"created {issued.info.id} {text}")
        return issued


def list_tokens(ctx: Context, name: str | None = None) -> list[TokenInfo]:
    with ctx.db.read() as conn:
        query = (
            select(t.api_tokens, t.users.c.name)
            .join(t.users, t.users.c.id == t.api_tokens.c.user_id)
            .where(t.api_tokens.c.kind == "api")
            .order_by(t.api_tokens.c.id)
        )
        if name is None or check_username(name) != ctx.actor:
            ctx.require(Permission.USERS)
        if name is not None:
            query = query.where(t.users.c.name == check_username(name))
        return [
            TokenInfo(r.id, r.name, r.label, r.kind, r.created_at, r.expires_at, r.revoked_at)
            for r in conn.execute(query)
        ]


def revoke_token(ctx: Context, token_id: int) -> TokenInfo:
    with ctx.db.write() as conn:
        row = conn.execute(
            select(t.api_tokens, t.users.c.name)
            .join(t.users, t.users.c.id == t.api_tokens.c.user_id)
            .where(t.api_tokens.c.id == token_id)
        ).first()
        if row is None:
            raise NotFound(f"no token {token_id}", field="token")
        if row.name != ctx.actor:
            ctx.require(Permission.USERS)
        if row.revoked_at is None:
            conn.execute(
                update(t.api_tokens).where(t.api_tokens.c.id == token_id).values(revoked_at=ctx.now())
            )
            _event(conn, ctx, row.name, "token", f"revoked {token_id}")
        return TokenInfo(row.id, row.name, row.label, row.kind, row.created_at, row.expires_at, ctx.now())


def log_in(ctx: Context, name: str, password: str, address: str) -> IssuedToken:
    """Check a password and start a session. Ten failures for a name from an address lock it a while."""
    user = str(name).strip().lower()[:64]
    where = (address or "unknown")[:64]
    now = ctx.now()
    with ctx.db.write() as conn:
        since = now - LOCK_WINDOW
        last_ok = conn.execute(
            select(func.max(t.login_attempts.c.at)).where(
                t.login_attempts.c.name == user,
                t.login_attempts.c.address == where,
                t.login_attempts.c.ok.is_(True),
            )
        ).scalar()
        failures = conn.execute(
            select(func.count(), func.max(t.login_attempts.c.at)).where(
                t.login_attempts.c.name == user,
                t.login_attempts.c.address == where,
                t.login_attempts.c.ok.is_(False),
                t.login_attempts.c.at > (max(since, last_ok) if last_ok else since),
            )
        ).one()
        if failures[0] >= MAX_FAILURES:
            until = failures[1] + LOCK_WINDOW
            raise TooManyAttempts(
                f"too many failed logins for {user} from {where}; try again after "
                f"{until.astimezone(ctx.store.tz):%H:%M}"
            )
    row = None
    with ctx.db.read() as conn:
        row = conn.execute(select(t.users).where(t.users.c.name == user)).first()
    ok = False
    if row is not None and row.active:
        try:
            ok = _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    with ctx.db.write() as conn:
        conn.execute(insert(t.login_attempts).values(name=user, address=where, at=now, ok=ok))
        if ok:
            assert row is not None
            return _issue(conn, ctx, row.id, row.name, "session", f"login from {where}")
    # The failed attempt is committed above: refusing must not roll it back.
    if failures[0] + 1 >= MAX_FAILURES:
        log.warning("login for %s from %s locked after %d failures", user, where, MAX_FAILURES)
    raise NotAuthenticated("wrong user name or password")


_BY_TOKEN = (
    select(
        t.users.c.name, t.users.c.role, t.users.c.active, t.api_tokens.c.expires_at, t.api_tokens.c.revoked_at
    )
    .join(t.users, t.users.c.id == t.api_tokens.c.user_id)
    .where(t.api_tokens.c.token_hash == bindparam("digest"))
)


def authenticate(ctx: Context, token: str) -> Actor:
    """The person a bearer token or session belongs to; refused if unknown, revoked or expired."""
    if not token or len(token) > 200:
        raise NotAuthenticated("missing or malformed token")
    with ctx.db.read() as conn:
        row = conn.execute(_BY_TOKEN, {"digest": _digest(token)}).first()
    if row is None or row.revoked_at is not None or not row.active:
        raise NotAuthenticated("unknown or revoked token")
    if row.expires_at is not None and row.expires_at <= ctx.now():
        raise NotAuthenticated("session expired; log in again")
    return Actor(row.name, Role(row.role))


def log_out(ctx: Context, token: str) -> None:
    with ctx.db.write() as conn:
        conn.execute(
            update(t.api_tokens)
            .where(t.api_tokens.c.token_hash == _digest(token), t.api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=ctx.now())
        )


def local_actor(ctx: Context, name: str | None) -> Actor:
    """Who the CLI acts as: the named user, or the first owner; anyone before the first user exists."""
    with ctx.db.read() as conn:
        if name:
            row = conn.execute(select(t.users).where(t.users.c.name == check_username(name))).first()
            if row is None:
                if conn.execute(select(func.count()).select_from(t.users)).scalar_one() == 0:
                    return Actor(check_username(name), Role.OWNER)
                raise NotFound(f"no user {name}", field="user")
            if not row.active:
                raise Forbidden(f"user {row.name} is not active")
            return Actor(row.name, Role(row.role))
        owner = conn.execute(
            select(t.users.c.name)
            .where(t.users.c.role == "owner", t.users.c.active.is_(True))
            .order_by(t.users.c.id)
        ).first()
    return Actor(owner.name, Role.OWNER) if owner else Actor(ctx.actor, Role.OWNER)
