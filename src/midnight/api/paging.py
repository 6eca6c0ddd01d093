"""Paging over lists: `limit` items after `cursor`, and the cursor for the next page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from midnight.domain.errors import InvalidInput

T = TypeVar("T")


def page(items: Sequence[T], key: Callable[[T], Any], limit: int, cursor: str | None) -> dict[str, Any]:
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit must be between 1 and 1000", field="limit")
    ordered = sorted(items, key=lambda item: str(key(item)))
    if cursor:
        ordered = [item for item in ordered if str(key(item)) > cursor]
    chunk = ordered[:limit]
    more = len(ordered) > limit
    return {"items": chunk, "next_cursor": str(key(chunk[-1])) if more and chunk else None}
