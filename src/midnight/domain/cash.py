"""Cash: a till's drawer session (float, pay-ins, pay-outs, closing count) and counting a day's cash.

A drawer session belongs to one till and one person; the cash payments and refunds recorded against
it count in it (the person's own, or the shop's only open drawer: see db.drawers). One open session
per till and one per person, so a cash sale lands in one drawer at most.

    expected = float + cash sales (applied) - cash refunds + pay-ins - pay-outs
    over/short = counted - expected   (positive: over; negative: short)
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from midnight.domain.errors import Conflict, Forbidden, InvalidInput
from midnight.domain.money import MAX_MINOR
from midnight.domain.people import Actor, Permission
from midnight.domain.text import fold

# Notes and coins in minor units, largest first. A currency not listed is counted as one total.
DENOMINATIONS: dict[str, tuple[int, ...]] = {
    "HKD": (100000, 50000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10),
    "USD": (10000, 5000, 2000, 1000, 500, 200, 100, 25, 10, 5, 1),
    "EUR": (50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1),
    "GBP": (5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1),
    "SGD": (10000, 5000, 1000, 500, 200, 100, 50, 20, 10, 5),
    "AUD": (10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5),
    "CNY": (10000, 5000, 2000, 1000, 500, 100, 50, 10),
    "MOP": (100000, 50000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10),
    "TWD": (2000, 1000, 500, 200, 100, 50, 10, 5, 1),
    "JPY": (10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1),
}
MAX_PIECES = 100_000  # of one denomination in one count


class MoveKind(enum.StrEnum):
    """Cash put into or taken out of a drawer for something other than a sale."""

    IN = "in"
    OUT = "out"

    @property
    def label(self) -> str:
        return "pay-in" if self is MoveKind.IN else "pay-out"

    @classmethod
    def parse(cls, text: str) -> MoveKind:
        word = str(text).strip().lower().replace("-", "_").replace(" ", "_")
        if word in ("in", "pay_in"):
            return cls.IN
        if word in ("out", "pay_out"):
            return cls.OUT
        raise InvalidInput(f"say pay-in or pay-out, got {str(text)[:20]!r}", field="kind")


@dataclass(frozen=True)
class Session:
    id: int
    till: str
    opened_by: str
    closed: bool


@dataclass(frozen=True)
class Figures:
    """What a drawer should hold, and how it got there."""

    float_amount: int
    cash_sales: int
    cash_refunds: int
    pay_ins: int
    pay_outs: int

    @property
    def expected(self) -> int:
        return self.float_amount + self.cash_sales - self.cash_refunds + self.pay_ins - self.pay_outs


def till_name(text: str) -> tuple[str, str]:
    """A till's name as shown ("Till 1") and the key that makes "till 1" the same till."""
    shown = " ".join(text.split())
    if not shown:
        raise InvalidInput("name the till, like Till 1", field="till")
    return shown, fold(shown)


def check_float(amount: int, money: Callable[[int], str]) -> int:
    if amount > MAX_MINOR:
        raise InvalidInput(f"a float of {money(amount)} is more than a drawer holds", field="float")
    return amount


def check_move(amount: int, kind: MoveKind, money: Callable[[int], str]) -> int:
    if amount <= 0:
        raise InvalidInput(f"a {kind.label} must be more than {money(0)}", field="amount")
    if amount > MAX_MINOR:
        raise InvalidInput(f"a {kind.label} of {money(amount)} is too large", field="amount")
    return amount


def check_may_handle(who: Actor, session: Session) -> None:
    """The person who opened a drawer works it; whoever may read the day's reports may handle any."""
    if who.name != session.opened_by and not who.may(Permission.REPORTS):
        raise Forbidden(
            f"the drawer of {session.till} is {session.opened_by}'s; only they or an owner may handle it",
        )


def check_open(session: Session) -> None:
    if session.closed:
        raise Conflict(f"the drawer session of {session.till} is already closed", field="session")


def open_refusal(till: str, till_open_by: str | None, person_open_till: str | None, who: str) -> None:
    """One open drawer per till, and one per person: every cash sale lands in exactly one drawer."""
    if person_open_till is not None:
        raise Conflict(
            f"{who} already has the drawer of {person_open_till} open; close it before opening another",
            field="till",
        )
    if till_open_by is not None:
        raise Conflict(
            f"the drawer of {till} is already open (by {till_open_by}); it must be closed first",
            field="till",
        )


def denominations(currency: str) -> tuple[int, ...]:
    return DENOMINATIONS.get(currency.upper(), ())


def counted_total(
    total: int | None,
    pieces: Sequence[tuple[int, int]],
    currency: str,
    money: Callable[[int], str],
) -> tuple[int | None, dict[int, int]]:
    """The cash counted: a total, or notes and coins (value, how many), or both if they agree.

    Returns the total (None if nothing was counted) and the pieces by value (only those given)."""
    allowed = denominations(currency)
    by_value: dict[int, int] = {}
    for value, count in pieces:
        if value not in allowed:
            raise InvalidInput(f"{money(value)} is not a note or coin counted here", field="counts")
        if value in by_value:
            raise InvalidInput(f"{money(value)} is counted twice", field="counts")
        if not 0 <= count <= MAX_PIECES:
            raise InvalidInput(
                f"the number of {money(value)} pieces must be between 0 and {MAX_PIECES}", field="counts"
            )
        if count:
            by_value[value] = count
    if not pieces:
        return total, {}
    summed = sum(value * count for value, count in by_value.items())
    if summed > MAX_MINOR:
        raise InvalidInput(f"{money(summed)} is more than a drawer holds", field="counts")
    if total is not None and total != summed:
        raise InvalidInput(
            f"the notes and coins come to {money(summed)}, not {money(total)}: check the count",
            field="counted",
        )
    return summed, dict(sorted(by_value.items(), reverse=True))


def check_counted(total: int | None) -> int:
    if total is None:
        raise InvalidInput(
            "count the cash in the drawer: give the total, or the notes and coins", field="counted"
        )
    return total


def over_short(counted: int, expected: int) -> int:
    """Positive: more cash than expected (over); negative: less (short)."""
    return counted - expected


def describe(difference: int, money: Callable[[int], str]) -> str:
    """ "exact", "HK$2.00 over" or "HK$1.50 short"."""
    if difference == 0:
        return "exact"
    return f"{money(abs(difference))} {'over' if difference > 0 else 'short'}"


def check_day_to_close(day: dt.date, today: dt.date) -> None:
    """A day can be closed from when it starts; the one confirmed is the one closed."""
    if day > today:
        raise InvalidInput(
            f"{day} has not started yet; it cannot be closed (sales made after a day is closed count on "
            "the next day, which is closed on or after that day)",
            field="date",
        )
