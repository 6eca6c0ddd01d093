"""A product's daily demand as the ledger tells it, with the days it does not tell marked unknown.

Demand on a day is what was sold and what the kitchen used (milli-units), less what refunds of that
day's sales put back. Two kinds of day say nothing reliable about it, and are *censored* (None, so
`domain.forecasting.fill_censored` fills them from the same weekday instead of a model learning a 0):

- **closed**: the shop sold nothing at all that day (no sale of any product), so it was not trading;
- **out of stock**: while the shop was trading that day — from its first sale of anything to its
  last — the product's on-hand was at zero for a while: it was sold out, or had not come in yet, so
  what sold is only a lower bound of what was wanted. A product that sells its last unit with the
  day's last sale, or that is back in stock before the first sale, is not censored.

Days before the product first had stock in the window are not history at all (a new product is
short of history, not a long series of unknowns).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Trading:
    """When the shop traded on a day: its first and last sale of anything."""

    opened: dt.datetime
    closed: dt.datetime


@dataclass(frozen=True)
class LedgerDay:
    """One product on one day, as its movements add up (splits of a lot, which net to zero, left out)."""

    drawn: int = 0  # milli-units sold and used, less what refunds of this day's sales put back
    net: int = 0  # every movement of the day: stock in less stock out
    first_at: dt.datetime | None = None  # its first movement that day
    ran_out: bool = False  # a movement that day left it at zero during the day's trading


@dataclass(frozen=True)
class History:
    """A product's daily demand, oldest first, in milli-units; None where censored."""

    days: list[int | None]
    closed: int  # censored because the shop did not trade
    out_of_stock: int  # censored because the product ran out while it traded

    @property
    def censored(self) -> int:
        return self.closed + self.out_of_stock


def history(days: Sequence[LedgerDay], trading: Sequence[Trading | None], on_hand_after: int) -> History:
    """The demand series of one product from its ledger days and the shop's trading days.

    `on_hand_after` is the product's on-hand at the end of the last day; walking back through each
    day's net movement gives what it held at the start of every day.
    """
    if len(days) != len(trading):
        raise ValueError("one trading entry per ledger day")
    starts: list[int] = [0] * len(days)
    level = on_hand_after
    for i in range(len(days) - 1, -1, -1):
        level -= days[i].net
        starts[i] = level
    first = next(
        (i for i, d in enumerate(days) if starts[i] > 0 or d.first_at is not None),
        len(days),
    )
    found: list[int | None] = []
    closed = out = 0
    for day, open_hours, start in zip(days[first:], trading[first:], starts[first:], strict=True):
        if open_hours is None:
            found.append(None)
            closed += 1
        elif day.ran_out or (start <= 0 and (day.first_at is None or day.first_at > open_hours.opened)):
            found.append(None)
            out += 1
        else:
            found.append(max(0, day.drawn))
    return History(found, closed, out)


def shut_weekdays(trading: Sequence[Trading | None], first: dt.date, weeks: int = 4) -> set[int]:
    """Weekdays (Monday 0) the shop did not trade on in each of its last `weeks` occurrences: a
    forecast gives them no demand, whatever the model says (a closed Sunday sells nothing)."""
    seen: dict[int, list[bool]] = {}
    for offset in range(len(trading) - 1, -1, -1):
        weekday = (first + dt.timedelta(days=offset)).weekday()
        shut = seen.setdefault(weekday, [])
        if len(shut) < weeks:
            shut.append(trading[offset] is None)
    return {day for day, shut in seen.items() if len(shut) == weeks and all(shut)}
