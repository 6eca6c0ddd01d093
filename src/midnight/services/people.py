"""Users, passwords, tokens and logins. Passwords are hashed with argon2; tokens stored as SHA-256.

Hashing and checking passwords is slow on purpose, so it is done outside every write transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection

from midnight.adapters.hashing import hash_password, verify_password
from midnight.commands.catalog import PageQuery
from midnight.commands.people import AddUser, ChangeUser, CreateToken, LogIn, SetPassword, TokenQuery
from midnight.db import people as people_db
from midnight.db.paging import Page
from midnight.db.people import TokenInfo, UserInfo
from midnight.domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TooManyAttempts,
)
from midnight.domain.people import Actor, Permission, Proof, Role, TokenKind, check_username
from midnight.services import devices, passwords
from midnight.services.context import Context

__all__ = ["IssuedToken", "TokenInfo", "UserInfo"]
log = logging.getLogger("midnight.people")

MAX_FAILURES = 10  # for one name from one address
MAX_ADDRESS_FAILURES = 30  # for any names from one address: guessing names does not get round the lock
LOCK_WINDOW = dt.timedelta(minutes=15)
SESSION_LIFE = dt.timedelta(hours=12)


@dataclass(frozen=True)
class IssuedToken:
    """A new token: the secret is shown this once and never stored."""

    token: str
    info: TokenInfo


def count_users(ctx: Context) -> int:
    with ctx.db.read() as conn:
        return people_db.count_users(conn)


def add_user(ctx: Context, cmd: AddUser) -> UserInfo:
    """Add a user. Only an owner may, except for the very first user, who must be an owner; a
    session begun on a till gives the owner's password again (current_password)."""
    if count_users(ctx) > 0:
        ctx.require(Permission.USERS)
        passwords.confirm(ctx, cmd.current_password, "adding a user")
    digest = hash_password(cmd.password)
    with ctx.db.write() as conn:
        first = people_db.count_users(conn) == 0
        if first and cmd.role is not Role.OWNER:
            raise InvalidInput("the first user must be an owner", field="role")
        if not first:
            ctx.require(Permission.USERS)
        if people_db.user_row(conn, cmd.name) is not None:
            raise Conflict(f"user {cmd.name} already exists", field="name")
        user = people_db.insert_user(conn, cmd.name, cmd.role, digest, ctx.now())
        people_db.event(conn, ctx.now(), ctx.actor, cmd.name, "add", cmd.role.value)
        return user


def list_users(ctx: Context, query: PageQuery) -> Page[UserInfo]:
    ctx.require(Permission.USERS)
    with ctx.db.read() as conn:
        return people_db.users(conn, cursor=query.cursor, limit=query.limit)


def set_password(ctx: Context, name: str, cmd: SetPassword) -> UserInfo:
    """Change a password: your own (saying the one you have), or anyone's if you are an owner (from a
    session begun on a till, saying yours). Every token and session of theirs ends."""
    user = check_username(name)
    if user != ctx.actor:
        ctx.require(Permission.USERS)
        passwords.confirm(ctx, cmd.current_password, "changing another person's password")
    elif not ctx.local and (
        # A copied session must not be enough to take the account over: say the password you have.
        cmd.current_password is None or not passwords.password_right(ctx, user, cmd.current_password)
    ):
        raise InvalidInput("give your current password to change it", field="current_password")
    digest = hash_password(cmd.password)
    with ctx.db.write() as conn:
        row = people_db.existing_user(conn, user)
        people_db.set_password_hash(conn, row.id, digest)
        ended = people_db.revoke_all(conn, row.id, ctx.now())
        people_db.event(conn, ctx.now(), ctx.actor, row.name, "password", f"{ended} token(s) revoked")
        return people_db.user_info(row)


def change_user(ctx: Context, name: str, cmd: ChangeUser) -> UserInfo:
    """A person's role, or whether they may sign in (owner; from a session begun on a till, saying
    your password)."""
    ctx.require(Permission.USERS)
    passwords.confirm(ctx, cmd.current_password, "changing a person's role or access")
    with ctx.db.write() as conn:
        row = people_db.existing_user(conn, check_username(name))
        people_db.update_user(conn, row.id, cmd.role, cmd.active)
        if people_db.active_owners(conn) == 0:
            raise Conflict("the shop must keep at least one active owner", field="role")
        if cmd.active is False:
            people_db.revoke_all(conn, row.id, ctx.now())
        changes = cmd.model_dump(mode="json", exclude_none=True, exclude={"current_password"})
        people_db.event(
            conn, ctx.now(), ctx.actor, row.name, "change", ", ".join(f"{k}={v}" for k, v in changes.items())
        )
        return people_db.user_info(people_db.existing_user(conn, row.name))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(
    ctx: Context,
    conn: Connection,
    user_id: int,
    user: str,
    kind: TokenKind,
    label: str,
    *,
    by_pin: bool = False,
    device_id: int | None = None,
) -> IssuedToken:
    """A new token or session; `by_pin` and `device_id` mark a session begun on a till."""
    secret = ("mxs_" if kind is TokenKind.SESSION else "mxt_") + secrets.token_urlsafe(32)
    now = ctx.now()
    expires = now + SESSION_LIFE if kind is TokenKind.SESSION else None
    token_id = people_db.insert_token(
        conn,
        user_id=user_id,
        kind=kind,
        label=label,
        digest=_digest(secret),
        now=now,
        expires=expires,
        by_pin=by_pin,
        device_id=device_id,
    )
    return IssuedToken(secret, TokenInfo(token_id, user, label, kind.value, now, expires, None))


def create_token(ctx: Context, name: str, cmd: CreateToken) -> IssuedToken:
    """An API token for a user (yours, or anyone's if you are an owner). It lasts until revoked, so a
    session begun on a till gives the password again (current_password)."""
    user = check_username(name)
    if user != ctx.actor:
        ctx.require(Permission.USERS)
    passwords.confirm(ctx, cmd.current_password, "making an API token")
    with ctx.db.write() as conn:
        row = people_db.existing_user(conn, user)
        issued = _issue(ctx, conn, row.id, row.name, TokenKind.API, cmd.label)
        people_db.event(
            conn, ctx.now(), ctx.actor, row.name, "token", f"created {issued.info.id} {cmd.label}"
        )
        return issued


def list_tokens(ctx: Context, query: TokenQuery) -> Page[TokenInfo]:
    """API tokens: your own, or (owner) anyone's."""
    user = query.user
    if user is None and not ctx.who.may(Permission.USERS):
        user = ctx.actor  # staff see their own
    if user != ctx.actor:
        ctx.require(Permission.USERS)
    with ctx.db.read() as conn:
        return people_db.tokens(conn, user, cursor=query.cursor, limit=query.limit)


def revoke_token(ctx: Context, token_id: int, current_password: str | None = None) -> TokenInfo:
    """End an API token: yours, or anyone's as an owner (from a session begun on a till, saying your
    password)."""
    passwords.confirm(ctx, current_password, "revoking an API token")
    with ctx.db.write() as conn:
        row = people_db.token_row(conn, token_id)
        if row.name != ctx.actor:
            ctx.require(Permission.USERS)
        if row.revoked_at is None:
            people_db.revoke(conn, token_id, ctx.now())
            people_db.event(conn, ctx.now(), ctx.actor, row.name, "token", f"revoked {token_id}")
        return TokenInfo(row.id, row.name, row.label, row.kind, row.created_at, row.expires_at, ctx.now())


def log_in(ctx: Context, cmd: LogIn, address: str, device_token: str = "") -> IssuedToken:
    """Check a password and start a session. Ten failures for a name from an address lock it a while.

    On a browser set up as a till (`device_token`, its device cookie) the session is marked as begun
    on that till: others use the browser after, so it hands out no lasting access without the
    password again, and revoking the device ends it.

    The attempt is counted (as a failure, until the password proves right) in the same transaction
    that checks the lock, so logins racing in parallel cannot all slip under it; the password itself
    is checked outside any transaction, and costs the same whether or not the name exists.
    """
    user = cmd.name.lower()
    where = (address or "unknown")[:64]
    now = ctx.now()
    with ctx.db.write() as conn:
        failures, latest = people_db.failures_since(conn, user, where, now - LOCK_WINDOW)
        if failures >= MAX_FAILURES:
            until = (latest or now) + LOCK_WINDOW
            raise TooManyAttempts(
                f"too many failed logins for {user} from {where}; try again after "
                f"{until.astimezone(ctx.store.tz):%H:%M}"
            )
        from_address, latest = people_db.address_failures_since(conn, where, now - LOCK_WINDOW)
        if from_address >= MAX_ADDRESS_FAILURES:
            until = (latest or now) + LOCK_WINDOW
            raise TooManyAttempts(
                f"too many failed logins from {where}; try again after {until.astimezone(ctx.store.tz):%H:%M}"
            )
        attempt = people_db.reserve_attempt(conn, user, where, now)
    with ctx.db.read() as conn:
        row = people_db.user_row(conn, user)
    known = row is not None and row.active
    ok = verify_password(row.password_hash if known and row is not None else None, cmd.password)
    if ok and row is not None:
        with ctx.db.write() as conn:
            people_db.attempt_succeeded(conn, attempt)
            device_id = devices.device_id(ctx, conn, device_token)
            label = f"login from {where}" + (" on a till" if device_id is not None else "")
            return _issue(ctx, conn, row.id, row.name, TokenKind.SESSION, label, device_id=device_id)
    if failures + 1 >= MAX_FAILURES:
        log.warning("login for %s from %s locked after %d failures", user, where, MAX_FAILURES)
    raise NotAuthenticated("wrong user name or password")


def authenticate(ctx: Context, token: str) -> Actor:
    """The person a bearer token or session belongs to; refused if unknown, revoked or expired."""
    if not token or len(token) > 200 or not token.isascii():
        raise NotAuthenticated("missing or malformed token")
    with ctx.db.read() as conn:
        row = people_db.by_token(conn, _digest(token))
    if row is None or row.revoked_at is not None or not row.active:
        raise NotAuthenticated("unknown or revoked token")
    if row.expires_at is not None and row.expires_at <= ctx.now():
        raise NotAuthenticated("session expired; log in again")
    proof = Proof.PIN if row.by_pin else Proof.TILL if row.device_id is not None else Proof.PASSWORD
    return Actor(row.name, Role(row.role), proof)


def log_out(ctx: Context, token: str) -> None:
    if not token or not token.isascii():
        return
    with ctx.db.write() as conn:
        people_db.revoke_by_digest(conn, _digest(token), ctx.now())


def local_actor(ctx: Context, name: str | None) -> Actor:
    """Who the CLI acts as: the named user, or the first owner; anyone before the first user exists."""
    with ctx.db.read() as conn:
        if name:
            user = check_username(name)
            row = people_db.user_row(conn, user)
            if row is None:
                if people_db.count_users(conn) == 0:
                    return Actor(user, Role.OWNER)
                raise NotFound(f"no user {name}", field="user")
            if not row.active:
                raise Forbidden(f"user {row.name} is not active")
            return Actor(row.name, Role(row.role))
        owner = people_db.first_owner(conn)
    return Actor(owner, Role.OWNER) if owner else Actor(ctx.actor, Role.OWNER)
