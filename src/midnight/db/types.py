"""Column types shared by tables and migrations."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeAlias

from sqlalchemy import DateTime, Row
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

UTC = dt.UTC


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores instants in UTC and always hands back timezone-aware values.

    SQLite has no time zone type, so the value is kept as naive UTC text there.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: times are stored in UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        instant: dt.datetime = value
        if instant.tzinfo is None:
            return instant.replace(tzinfo=UTC)
        return instant.astimezone(UTC)


# A result row of any width (SQLAlchemy types rows by the columns selected).
AnyRow: TypeAlias = Row[*tuple[Any, ...]]
