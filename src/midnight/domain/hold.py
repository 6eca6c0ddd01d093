"""An item left on the counter shelf for someone, and its life: waiting -> picked up / returned / disposed.

Every change is a transition here, returning the hold as it now is and the events to append to its
history; the services only load, ask, and save.
"""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace

from midnight.domain.errors import Conflict, InvalidInput, TooManyAttempts

MAX_WRONG_CODES = 5
DEFAULT_DAYS = 30
MAX_DAYS = 366  # an item is kept at most about a year from today: a date can be moved later, never back
OVERDUE_WARNING_DAYS = 2  # customers are reminded this many days before their item goes back
# Finding an item by its code alone: this many wrong codes in a row from one person within the
# window stops their look-ups until it has passed (an item is still handed over after an ID check).
LOOKUP_WINDOW = dt.timedelta(minutes=15)


class HoldState(enum.StrEnum):
    WAITING = "waiting"
    PICKED_UP = "picked_up"
    RETURNED = "returned"  # given back to whoever left it
    DISPOSED = "disposed"  # uncollected after its date, disposed of by an owner

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class HoldAction(enum.StrEnum):
    """What a hold's history records."""

    HOLD = "hold"
    WRONG_CODE = "wrong_code"
    LOCKED = "locked"
    PICKED_UP = "picked_up"
    UNLOCKED = "unlocked"
    EXTENDED = "extended"
    RETURNED = "returned"
    DISPOSED = "disposed"


class WrongCode(InvalidInput):
    """The pickup code given is not the item's; the wrong try is recorded."""

    code = "wrong_code"


@dataclass(frozen=True)
class Hold:
    id: int
    state: HoldState
    hold_until: dt.date
    locked: bool
    wrong_tries: int
    left_by: str


@dataclass(frozen=True)
class Change:
    """A transition's outcome: the hold now, what to append to its history, and a refusal to raise
    after saving (a wrong code is recorded, then refused)."""

    hold: Hold
    events: list[tuple[HoldAction, str]]
    refusal: WrongCode | None = None

    @property
    def closes(self) -> bool:
        return self.hold.state is not HoldState.WAITING


def is_overdue(state: HoldState, hold_until: dt.date, today: dt.date) -> bool:
    return state is HoldState.WAITING and hold_until < today


def check_until(until: dt.date, today: dt.date) -> None:
    if until < today:
        raise InvalidInput(f"hold until {until} is in the past", field="hold_until")
    if until > today + dt.timedelta(days=MAX_DAYS):
        latest = today + dt.timedelta(days=MAX_DAYS)
        raise InvalidInput(
            f"an item is kept at most a year: hold until {latest} at the latest", field="hold_until"
        )


def pickup_code(text: str) -> str:
    """A code as typed: "042917", "042 917", "042-917" or in full-width digits; six digits, or refused
    (a mistyped code is not a wrong guess)."""
    digits = unicodedata.normalize("NFKC", text).replace(" ", "").replace("-", "")
    if len(digits) != 6 or not digits.isdigit() or not digits.isascii():
        raise InvalidInput("a pickup code is six digits, like 042917", field="code")
    return digits


def _waiting(hold: Hold) -> None:
    if hold.state is not HoldState.WAITING:
        raise Conflict(f"held item {hold.id} was already {hold.state.label}", field="hold")


def check_pickup(hold: Hold, *, with_code: bool, today: dt.date) -> None:
    """May this item be handed over now? Checked before the code is verified, and again after."""
    _waiting(hold)
    if hold.locked:
        raise Conflict(
            f"held item {hold.id} is locked after {MAX_WRONG_CODES} wrong codes; an owner must unlock it",
            field="hold",
        )
    if with_code and hold.hold_until < today:
        raise InvalidInput(
            f"the pickup code expired on {hold.hold_until}; check the recipient's identity instead",
            field="code",
        )


def pick_up_with_code(hold: Hold, right: bool, today: dt.date, checked_by: str | None = None) -> Change:
    check_pickup(hold, with_code=True, today=today)
    if right:
        how = "with the pickup code" + (f", identity checked by {checked_by}" if checked_by else "")
        return Change(replace(hold, state=HoldState.PICKED_UP), [(HoldAction.PICKED_UP, how)])
    tries = hold.wrong_tries + 1
    locked = tries >= MAX_WRONG_CODES
    events = [(HoldAction.WRONG_CODE, f"try {tries}")]
    if locked:
        events.append((HoldAction.LOCKED, f"after {tries} wrong codes"))
    left = MAX_WRONG_CODES - tries
    message = (
        "wrong pickup code; the item is now locked"
        if not left
        else f"wrong pickup code; {left} {'try' if left == 1 else 'tries'} left"
    )
    return Change(replace(hold, wrong_tries=tries, locked=locked), events, WrongCode(message, field="code"))


def check_lookups(
    wrong: int, latest: dt.datetime | None, now: dt.datetime, local: Callable[[dt.datetime], str]
) -> None:
    """Refuse a look-up by code after MAX_WRONG_CODES wrong ones in a row within the window."""
    if wrong >= MAX_WRONG_CODES:
        until = (latest or now) + LOOKUP_WINDOW
        raise TooManyAttempts(
            f"{MAX_WRONG_CODES} wrong pickup codes in a row: try a code again after {local(until)}, or find "
            "the item in the list and check the person's identity",
            field="code",
        )


def wrong_lookup(code: str, wrong_before: int) -> WrongCode:
    """No waiting item has this code: say so, and how many tries are left."""
    left = MAX_WRONG_CODES - wrong_before - 1
    then = (
        f"{left} {'try' if left == 1 else 'tries'} left"
        if left
        else f"no more tries for {LOOKUP_WINDOW.seconds // 60} minutes"
    )
    return WrongCode(
        f"no item waiting has the pickup code {code}: check it with them, or find the item in the list "
        f"and check their identity ({then})",
        field="code",
    )


def pick_up_identity_checked(hold: Hold, checked_by: str, today: dt.date) -> Change:
    check_pickup(hold, with_code=False, today=today)
    return Change(
        replace(hold, state=HoldState.PICKED_UP),
        [(HoldAction.PICKED_UP, f"identity checked by {checked_by}")],
    )


def unlock(hold: Hold) -> Change:
    _waiting(hold)
    if not hold.locked:
        raise Conflict(f"held item {hold.id} is not locked", field="hold")
    return Change(replace(hold, locked=False, wrong_tries=0), [(HoldAction.UNLOCKED, "")])


def extend(hold: Hold, until: dt.date, today: dt.date) -> Change:
    _waiting(hold)
    if until <= hold.hold_until:
        raise InvalidInput(f"extend to a date after {hold.hold_until}", field="hold_until")
    check_until(until, today)
    return Change(replace(hold, hold_until=until), [(HoldAction.EXTENDED, f"{hold.hold_until} -> {until}")])


def return_to_sender(hold: Hold, note: str) -> Change:
    """Back to whoever left it — not an item locked after wrong codes: an owner looks at that first."""
    _waiting(hold)
    if hold.locked:
        raise Conflict(
            f"held item {hold.id} is locked after {MAX_WRONG_CODES} wrong codes; an owner must unlock it first",
            field="hold",
        )
    return Change(
        replace(hold, state=HoldState.RETURNED), [(HoldAction.RETURNED, note or f"to {hold.left_by}")]
    )


def dispose(hold: Hold, reason: str, today: dt.date) -> Change:
    """Only after its hold-until date: until then the customer may still come."""
    _waiting(hold)
    if hold.hold_until >= today:
        raise Conflict(
            f"held item {hold.id} is kept until {hold.hold_until}; dispose of it after that", field="hold"
        )
    return Change(replace(hold, state=HoldState.DISPOSED), [(HoldAction.DISPOSED, reason)])
