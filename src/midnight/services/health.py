"""Is the service ready: the database answers and its schema is the one this code expects."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from midnight.db.engine import current_revision, head_revision, ping
from midnight.services.context import Context


@dataclass(frozen=True)
class Readiness:
    ready: bool
    status: str
    schema: str | None


def readiness(ctx: Context) -> Readiness:
    try:
        ping(ctx.db)
        current = current_revision(ctx.db.engine)
    except (SQLAlchemyError, OSError):
        return Readiness(False, "database unreachable", None)
    expected = head_revision()
    if current != expected:
        return Readiness(False, f"schema at {current}, expected {expected}", current)
    return Readiness(True, "ready", current)
