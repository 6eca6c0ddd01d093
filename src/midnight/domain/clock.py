"""Time: an injectable clock, read at each use; local calendar dates in the store's zone."""

from __future__ import annotations

import datetime as dt
import re
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from midnight.domain.errors import InvalidInput

UTC = dt.UTC
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    """The real clock. Never cached: a server running past midnight sees the new day."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC)


class FixedClock:
    """A clock for tests and for replaying history; it moves only when told."""

    def __init__(self, instant: dt.datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware instant")
        self.instant = instant

    def now(self) -> dt.datetime:
        return self.instant

    def advance(self, delta: dt.timedelta) -> None:
        self.instant += delta


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {name!r}", field="timezone") from None


def local_date(instant: dt.datetime, tz: ZoneInfo) -> dt.date:
    return instant.astimezone(tz).date()


def today(clock: Clock, tz: ZoneInfo) -> dt.date:
    return local_date(clock.now(), tz)


def start_of_day(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """The UTC instant at which a local calendar day begins."""
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz).astimezone(UTC)


def parse_date(text: str, *, field: str = "date") -> dt.date:
    """Parse YYYY-MM-DD; a malformed or impossible date (2026-02-30) is a clear error."""
    raw = str(text).strip()
    if not _DATE.match(raw):
        raise InvalidInput(f"{field} must be a date like 2026-12-31, got {raw!r}", field=field)
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{field} {raw} is not a real calendar date", field=field) from None
