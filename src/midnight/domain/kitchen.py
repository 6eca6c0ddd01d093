"""Kitchen tickets: what a station is asked to make for an order, and what changed since.

An order's kitchen lines are sent when it is paid, or earlier for a parked order (a table served
before it pays). A parked order can change after it was sent: the next ticket asks for what was
added and cancels what is no longer wanted (a negative quantity), so the kitchen never makes a dish
twice and is told of one taken off. What was asked for is compared dish by dish: the same item with
the same modifiers and note is the same dish.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Dish:
    """One kind of dish on an order, for one station: how many (in milli-units) and how it is made."""

    station_id: int
    menu_item_id: int
    name: str
    modifiers: str  # as the ticket prints them: "Large, add egg, no ham"
    note: str
    milli: int

    @property
    def signature(self) -> str:
        return signature(self.menu_item_id, self.modifiers, self.note)


def signature(menu_item_id: int, modifiers: str, note: str) -> str:
    return hashlib.sha256(f"{menu_item_id}\x1f{modifiers}\x1f{note}".encode()).hexdigest()[:32]


def dishes(lines: Iterable[Dish]) -> list[Dish]:
    """Lines of the same dish added together (two lines of "salad, no onion" are one dish of 2)."""
    merged: dict[tuple[int, str], Dish] = {}
    for line in lines:
        key = (line.station_id, line.signature)
        had = merged.get(key)
        merged[key] = line if had is None else replace(had, milli=had.milli + line.milli)
    return list(merged.values())


def to_send(wanted: Iterable[Dish], sent: Iterable[Dish]) -> list[Dish]:
    """What the stations still need to hear: each wanted dish less what was sent of it before, and a
    cancellation (negative) of whatever was sent and is no longer wanted."""
    before = {(d.station_id, d.signature): d for d in dishes(sent)}
    out: list[Dish] = []
    for dish in dishes(wanted):
        had = before.pop((dish.station_id, dish.signature), None)
        more = dish.milli - (had.milli if had else 0)
        if more:
            out.append(replace(dish, milli=more))
    out += [replace(dish, milli=-dish.milli) for dish in before.values() if dish.milli > 0]
    return out


LATE_MINUTES = 10  # a ticket waiting this long is shown as late


def waited(created_at: dt.datetime, now: dt.datetime) -> int:
    """Whole minutes a ticket has waited (never negative: a clock a little behind is "now")."""
    return max(0, int((now - created_at).total_seconds() // 60))


def describe_wait(minutes: int) -> str:
    """How a kitchen reads a ticket's age: "now", "4 min", "1 h 05"."""
    if minutes < 1:
        return "now"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d}"
