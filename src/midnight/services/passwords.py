"""Asking for a password again: what a session begun on a till (by a PIN, or on a browser set up as
a till) needs before it hands out lasting access — API tokens, users and roles, passwords, till
devices. One place, so the API, the pages and the CLI refuse alike.

A password given again is counted like a login (ten wrong for a person in 15 minutes stop further
tries for a while), so a session left open on a till can't be used to guess its owner's password.
Checking it is slow on purpose, so it happens outside every write transaction.
"""

from __future__ import annotations

import datetime as dt

from midnight.adapters.hashing import verify_password
from midnight.db import people as people_db
from midnight.domain.errors import Forbidden, TooManyAttempts
from midnight.domain.people import Proof
from midnight.services.context import Context

RECHECK = "password given again"  # the "address" these checks are counted under (login_attempts)
MAX_FAILURES = 10
LOCK_WINDOW = dt.timedelta(minutes=15)


def password_right(ctx: Context, name: str, password: str) -> bool:
    """Whether `password` is `name`'s: counted as wrong before it is checked, cleared if right."""
    now = ctx.now()
    with ctx.db.write() as conn:
        failures, latest = people_db.failures_since(conn, name, RECHECK, now - LOCK_WINDOW)
        if failures >= MAX_FAILURES:
            until = (latest or now) + LOCK_WINDOW
            raise TooManyAttempts(
                f"too many wrong passwords given for {name}: try again after "
                f"{until.astimezone(ctx.store.tz):%H:%M}, or log in with your password"
            )
        attempt = people_db.reserve_attempt(conn, name, RECHECK, now)
        row = people_db.existing_user(conn, name)
    if not verify_password(row.password_hash, password):
        return False
    with ctx.db.write() as conn:
        people_db.attempt_succeeded(conn, attempt)
    return True


def confirm(ctx: Context, current_password: str | None, action: str) -> None:
    """Refuse `action` to a session begun on a till unless the password is given again (right).

    A session begun with the password off the till, an API token and the shop's own machine (the
    CLI) need nothing more. Call it before the action's write transaction.
    """
    if ctx.local or ctx.who.proof is Proof.PASSWORD:
        return
    if not current_password:
        raise ctx.who.password_needed(action)
    if not password_right(ctx, ctx.actor, current_password):
        raise Forbidden(
            f"{action} needs your password, and the password given is not {ctx.actor}'s: "
            "give it again, or log in with your password on a computer that is not a till",
            field="current_password",
        )
