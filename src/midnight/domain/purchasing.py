"""Suppliers' delivery days and a purchase order's life: draft -> sent -> partly received -> received,
or cancelled.

Each step is a transition here that says whether it may happen and which event the order's history
records; the services only load, ask and save. Quantities are thousandths of the product's unit, money
minor units, as everywhere.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from midnight.domain.errors import Conflict, InvalidInput
from midnight.domain.quantity import format_quantity

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_LEAD_DAYS = 60
MAX_LINES = 500  # one order's lines; a supplier list is rarely a tenth of that


class OrderState(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PARTLY_RECEIVED = "partly_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @classmethod
    def parse(cls, text: object) -> OrderState:
        try:
            return cls(str(text).strip().lower().replace(" ", "_"))
        except ValueError:
            known = ", ".join(s.value for s in cls)
            raise InvalidInput(
                f"state must be one of {known}, got {str(text)[:40]!r}", field="state"
            ) from None


class OrderAction(enum.StrEnum):
    """What a purchase order's history records."""

    CREATED = "created"
    EDITED = "edited"
    SENT = "sent"
    RECEIVED = "received"  # something arrived against it (or was refused at the door)
    FINISHED = "finished"  # receiving is over: what did not come is short
    CANCELLED = "cancelled"


class ReceiptKind(enum.StrEnum):
    """How something that arrived against an order was taken."""

    RECEIVED = "received"  # an ordered product, taken into stock
    SUBSTITUTE = "substitute"  # another product sent in place of one ordered, taken into stock
    REFUSED = "refused"  # not taken: its date too close, damaged, not wanted


OPEN_FOR_RECEIVING = (OrderState.SENT, OrderState.PARTLY_RECEIVED)


def check_editable(state: OrderState) -> None:
    if state is not OrderState.DRAFT:
        raise Conflict(f"the order is {state.label}: only a draft can be changed")


def check_send(state: OrderState, lines: int) -> None:
    if state is not OrderState.DRAFT:
        raise Conflict(f"the order is {state.label}: only a draft is sent")
    if lines == 0:
        raise Conflict("the order has no lines: add what to order before sending it")


def check_receive(state: OrderState) -> None:
    if state not in OPEN_FOR_RECEIVING:
        hint = " (send it first)" if state is OrderState.DRAFT else ""
        raise Conflict(f"the order is {state.label}: nothing can be received against it{hint}")


def after_receipt(state: OrderState) -> OrderState:
    check_receive(state)
    return OrderState.PARTLY_RECEIVED


def check_finish(state: OrderState) -> None:
    if state not in OPEN_FOR_RECEIVING:
        raise Conflict(f"the order is {state.label}: only an order being received can be finished")


CANCELLABLE = frozenset({OrderState.DRAFT, OrderState.SENT})  # once some came, it is finished instead


def check_cancel(state: OrderState) -> None:
    if state is OrderState.PARTLY_RECEIVED:
        raise Conflict(
            "part of the order has arrived: finish receiving it instead (what did not come is short)"
        )
    if state not in CANCELLABLE:
        raise Conflict(f"the order is {state.label}: it cannot be cancelled")


# --- delivery days -----------------------------------------------------------------------------------


def parse_weekdays(values: Iterable[object], *, field: str = "delivery_days") -> tuple[int, ...]:
    """Weekday names or numbers (mon..sun, 0 = Monday) to sorted weekday numbers; at least one."""
    days: set[int] = set()
    for value in values:
        text = str(value).strip().lower()
        if not text:
            continue
        if text.isdigit() and int(text) < 7:
            days.add(int(text))
        elif len(text) >= 3 and any(full.startswith(text) for full in _FULL_NAMES):
            days.add(next(i for i, full in enumerate(_FULL_NAMES) if full.startswith(text)))
        else:
            raise InvalidInput(
                f"a delivery day is a weekday (mon, tue, ... sun), got {str(value)[:20]!r}", field=field
            )
    if not days:
        raise InvalidInput("give at least one delivery day (mon, tue, ... sun)", field=field)
    return tuple(sorted(days))


def weekday_names(days: Sequence[int]) -> list[str]:
    return [WEEKDAYS[d] for d in days]


def check_lead_time(days: int) -> int:
    if not 0 <= days <= MAX_LEAD_DAYS:
        raise InvalidInput(f"lead time is 0 to {MAX_LEAD_DAYS} days, got {days}", field="lead_time_days")
    return days


def next_delivery(weekdays: Sequence[int], lead_time_days: int, today: dt.date) -> dt.date:
    """The first delivery day an order placed today can arrive on: a delivery weekday at least the
    lead time away (lead time 0: today, if today is a delivery day)."""
    if not weekdays:
        raise InvalidInput("the supplier has no delivery days", field="delivery_days")
    first = today + dt.timedelta(days=lead_time_days)
    for ahead in range(7):
        day = first + dt.timedelta(days=ahead)
        if day.weekday() in weekdays:
            return day
    raise AssertionError("a week holds every weekday")  # pragma: no cover


def delivery_warning(
    weekdays: Sequence[int], lead_time_days: int, day: dt.date, today: dt.date
) -> str | None:
    """Why a delivery asked for on `day` may not come then (sooner than the lead time allows, or not
    a delivery day), to check with the supplier; None when it can."""
    earliest = next_delivery(weekdays, lead_time_days, today)
    days = ", ".join(WEEKDAYS[d].capitalize() for d in sorted(weekdays))
    if day < earliest:
        return (
            f"ordered today, the earliest they deliver is {earliest:%a} {earliest} "
            f"({lead_time_days} day{'s' if lead_time_days != 1 else ''} after ordering, on {days})"
        )
    if day.weekday() not in weekdays:
        return f"they deliver on {days}, not on {day:%A}s: the next delivery day is {next_delivery(weekdays, 0, day)}"
    return None


def delivery_after(weekdays: Sequence[int], day: dt.date) -> dt.date:
    """The supplier's next delivery day strictly after `day` (what an order must last until)."""
    return next_delivery(weekdays, 0, day + dt.timedelta(days=1))


@dataclass(frozen=True)
class LineDifference:
    """What an order line got, once receiving is over."""

    product_id: int
    ordered: int
    received: int
    refused: int = 0  # of what came, sent back at the door (not received, so part of any short)

    @property
    def short(self) -> int:
        return max(self.ordered - self.received, 0)

    @property
    def over(self) -> int:
        return max(self.received - self.ordered, 0)


def order_number(order_id: int) -> str:
    """How a purchase order is named to a supplier and on the delivery's lots."""
    return f"PO-{order_id:05d}"


def plain_number(text: str) -> int | None:
    """The number `text` is, if it is one a person types as an id: ASCII digits, below 2**53."""
    if not (text.isascii() and text.isdigit()) or len(text) > 15:
        return None
    number = int(text)
    return number if 0 < number < 2**53 else None


def check_supplier_name(name: str) -> str:
    """A supplier is named by its number or its name, so a name can't be a number."""
    if name.strip().isnumeric():
        raise InvalidInput(
            f"a supplier's name can't be only digits ({name[:20]!r}): it would be read as a supplier's number",
            field="name",
        )
    return name


def parse_order_number(text: object) -> int:
    """`PO-00012`, `po12`, `PO 12` or `12` -> 12."""
    found = re.fullmatch(r"(?:PO[-# ]?)?([0-9]+)", str(text).strip().upper())
    number = plain_number(found.group(1)) if found else None
    if number is None:
        raise InvalidInput(
            f"a purchase order is named like PO-00012 or 12, got {str(text)[:30]!r}", field="order"
        )
    return number


def check_packs(quantity: int, pack_size: int, sku: str, *, field: str = "quantity") -> int:
    """An order is whole packs: the number of packs `quantity` makes, or why it doesn't."""
    if quantity <= 0:
        raise InvalidInput(f"order a quantity above 0 of {sku}", field=field)
    if quantity % pack_size:
        low = quantity // pack_size * pack_size
        options = [q for q in (low, low + pack_size) if q > 0]
        shown = " or ".join(format_quantity(q) for q in options)
        raise InvalidInput(
            f"{sku} comes in packs of {format_quantity(pack_size)}: order {shown}, "
            f"not {format_quantity(quantity)}",
            field=field,
        )
    return quantity // pack_size


def check_minimum(total: int, minimum: int, shown_total: str, shown_minimum: str) -> None:
    if total < minimum:
        raise Conflict(
            f"the order comes to {shown_total}, below the supplier's minimum order of {shown_minimum}: "
            "add to it before sending"
        )
