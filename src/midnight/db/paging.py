"""Paging in the query: keyset cursors and the page every list answers with.

A cursor is opaque to clients: the sort key of the last item shown, tagged with the list it came
from. A list reads `limit + 1` rows after the cursor, in its index's order, so a page costs the
same on the first day and after years of history, and a cursor from one list (or a made-up one)
is refused instead of silently meaning something else.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from midnight.domain.errors import InvalidInput

T = TypeVar("T")
Key = int | str | dt.date | dt.datetime | bool
MAX_CURSOR = 400


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None  # pass back as `cursor` for the next page; None on the last page


def encode(kind: str, key: Sequence[Key]) -> str:
    parts: list[object] = [kind]
    for value in key:
        if isinstance(value, dt.datetime):
            parts.append({"t": value.isoformat()})
        elif isinstance(value, dt.date):
            parts.append({"d": value.isoformat()})
        else:
            parts.append(value)
    raw = json.dumps(parts, separators=(",", ":"), ensure_ascii=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(kind: str, cursor: str, types: Sequence[type]) -> tuple[Key, ...]:
    """The key a cursor carries, checked against the types this list sorts by."""
    refused = InvalidInput(
        "cursor is not one this list gave out; start again without a cursor", field="cursor"
    )
    if not isinstance(cursor, str) or not cursor or len(cursor) > MAX_CURSOR:
        raise refused
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
    except (binascii.Error, ValueError):
        raise refused from None
    if not isinstance(parts, list) or len(parts) != len(types) + 1 or parts[0] != kind:
        raise refused
    key: list[Key] = []
    for value, wanted in zip(parts[1:], types, strict=True):
        try:
            key.append(_value(value, wanted))
        except (TypeError, ValueError, OverflowError):
            raise refused from None
    return tuple(key)


def _value(value: object, wanted: type) -> Key:
    if wanted is dt.datetime and isinstance(value, dict) and isinstance(value.get("t"), str):
        instant = dt.datetime.fromisoformat(value["t"])
        if instant.tzinfo is None:
            raise ValueError("naive")
        return instant
    if wanted is dt.date and isinstance(value, dict) and isinstance(value.get("d"), str):
        return dt.date.fromisoformat(value["d"])
    if wanted is bool and isinstance(value, bool):
        return value
    if wanted is int and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
    if wanted is str and isinstance(value, str) and len(value) <= 200:
        return value
    raise TypeError("cursor value")


def page(items: list[T], limit: int, kind: str, key: Callable[[T], Sequence[Key]]) -> Page[T]:
    """A page from `limit + 1` rows read after the cursor: the extra row only says there is more."""
    if len(items) <= limit:
        return Page(items, None)
    shown = items[:limit]
    return Page(shown, encode(kind, key(shown[-1])))
