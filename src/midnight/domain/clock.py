"""Time: an injectable clock, read at each use; local calendar dates in the store's zone."""

from __future__ import annotations

import datetime as dt
import re
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from midnight.domain.errors import InvalidInput

UTC = dt.UTC
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


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


# The days a shop can mean: a delivery, an expiry, a report. Year 1 or 9999 is a typo (and would
# overflow time-zone arithmetic), not a date.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)


def check_day(
    day: dt.date, *, field: str = "date", earliest: dt.date = FIRST_DAY, latest: dt.date = LAST_DAY
) -> dt.date:
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise InvalidInput(f"{field} must be a date like 2026-12-31", field=field)
    if not earliest <= day <= latest:
        raise InvalidInput(f"{field} {day} is not between {earliest} and {latest}", field=field)
    return day


def parse_date(
    value: object, *, field: str = "date", earliest: dt.date = FIRST_DAY, latest: dt.date = LAST_DAY
) -> dt.date:
    """Parse YYYY-MM-DD (or take a date) within the window; a malformed or impossible date is a clear error."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return check_day(value, field=field, earliest=earliest, latest=latest)
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a date like 2026-12-31", field=field)
    raw = value.strip()
    if not _DATE.match(raw):
        raise InvalidInput(f"{field} must be a date like 2026-12-31, got {raw[:40]!r}", field=field)
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"{field} {raw} is not a real calendar date", field=field) from None
    return check_day(day, field=field, earliest=earliest, latest=latest)


_MINUTE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}$")


def parse_local_minute(value: object, *, field: str = "time", label: str | None = None) -> dt.datetime:
    """A local date and time to the minute, "2026-11-24 13:05" (no zone: the store's is meant)."""
    name = label or field
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(second=0, microsecond=0)
    if not isinstance(value, str) or not _MINUTE.match(value.strip()):
        shown = repr(value.strip()[:40]) if isinstance(value, str) else "that"
        raise InvalidInput(f"{name} must be a date and time like 2026-11-24 13:05, got {shown}", field=field)
    raw = value.strip().replace("T", " ")
    try:
        moment = dt.datetime.strptime(raw, "%Y-%m-%d %H:%M")
    except ValueError:
        raise InvalidInput(f"{name} {raw} is not a real date and time", field=field) from None
    check_day(moment.date(), field=field)
    return moment


_INSTANT = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})$"
)


def parse_instant(value: object, *, field: str = "time") -> dt.datetime:
    """A moment with its offset, as a device's clock writes it: 2026-11-24T13:05:09.123+08:00 (or Z)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise InvalidInput(f"{field} must carry its time zone offset", field=field)
        moment = value
    else:
        if not isinstance(value, str) or not _INSTANT.match(value.strip()):
            shown = repr(value.strip()[:40]) if isinstance(value, str) else "that"
            raise InvalidInput(
                f"{field} must be an ISO time with its offset like 2026-11-24T13:05:00+08:00, got {shown}",
                field=field,
            )
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInput(
                f"{field} {value.strip()!r} is not a real date and time", field=field
            ) from None
    check_day(moment.astimezone(dt.UTC).date(), field=field)
    return moment.astimezone(dt.UTC)
