"""An order's life: open -> paid -> partly refunded -> refunded, or open -> void. And refunds' rules."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from midnight.domain.errors import Conflict, InvalidInput
from midnight.domain.pricing import Method, Tender, Way, round_half_up
from midnight.domain.quantity import SCALE, to_decimal


class OrderState(enum.StrEnum):
    OPEN = "open"  # rung up, not paid: nothing drawn from stock yet
    PAID = "paid"
    VOID = "void"  # abandoned before payment; kept on record with its reason
    PARTLY_REFUNDED = "partly_refunded"
    REFUNDED = "refunded"

    @property
    def was_paid(self) -> bool:
        return self in (OrderState.PAID, OrderState.PARTLY_REFUNDED, OrderState.REFUNDED)

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class Order:
    """What the rules need to know of an order."""

    id: int
    state: OrderState
    total: int
    business_date: dt.date | None


def check_payable(order: Order, recorded: list[Tender], offered: list[Tender]) -> bool:
    """May these payments be taken? False means it is a retry of a payment already recorded."""
    if order.state is OrderState.OPEN:
        return True
    if order.state is not OrderState.VOID and recorded == offered:
        return False
    raise Conflict(f"order #{order.id} is {order.state.label}, not open", field="order")


def void(order: Order) -> OrderState:
    if order.state is not OrderState.OPEN:
        raise Conflict(
            f"order #{order.id} is {order.state.label}: only an open order can be voided", field="order"
        )
    return OrderState.VOID


def check_refundable(order: Order) -> None:
    if order.state not in (OrderState.PAID, OrderState.PARTLY_REFUNDED):
        raise Conflict(
            f"order #{order.id} is {order.state.label}: only a paid order can be refunded", field="order"
        )


def after_refund(everything_refunded: bool) -> OrderState:
    return OrderState.REFUNDED if everything_refunded else OrderState.PARTLY_REFUNDED


@dataclass(frozen=True)
class SoldLine:
    """A paid line as a refund sees it."""

    line_no: int
    quantity: int  # milli-units of the menu item sold
    refunded: int  # milli-units already refunded
    net: int  # what the line came to, in minor units
    whole: bool = True  # sold in whole units (a tin, a salad); False for something weighed (ham by the kg)

    @property
    def left(self) -> int:
        return self.quantity - self.refunded


def refund_quantities(lines: list[SoldLine], asked: list[tuple[int, int]] | None) -> dict[int, int]:
    """Which line numbers to refund and how much of each; default: everything not yet refunded."""
    by_no = {line.line_no: line for line in lines}
    if not asked:
        rest = {line.line_no: line.left for line in lines if line.left > 0}
        if not rest:
            raise Conflict("everything on this order was already refunded", field="lines")
        return rest
    wanted: dict[int, int] = {}
    for no, milli in asked:
        if no not in by_no:
            raise InvalidInput(f"the order has no line {no}", field="lines")
        if by_no[no].whole and milli % SCALE:
            # what was sold in whole units (a tin, a salad) comes back in whole units
            raise InvalidInput(
                f"line {no} was sold in whole units: refund a whole number of them, not {to_decimal(milli)}",
                field="lines",
            )
        wanted[no] = wanted.get(no, 0) + milli
        if wanted[no] > by_no[no].left:
            raise Conflict(
                f"line {no}: only {to_decimal(by_no[no].left)} left to refund, asked for {to_decimal(wanted[no])}",
                field="lines",
            )
    return wanted


def refund_amount(
    total: int, already: int, lines: list[SoldLine], wanted: dict[int, int]
) -> tuple[int, bool]:
    """What a refund gives back, and whether it refunds everything that is left.

    What has been refunded of an order is worth its lines' shares of the order total (so order
    discounts are shared out), rounded half up once over everything refunded so far; a refund gives
    back the difference it makes. So many small refunds never add up to more than one big one, and
    the last refund gives back exactly what is left.
    """
    everything = all(wanted.get(line.line_no, 0) == line.left for line in lines)
    if everything:
        return total - already, True
    nets = sum(line.net for line in lines)

    def worth(extra: dict[int, int]) -> int:
        if not nets:
            return 0
        share = sum(
            Decimal(line.net) * (line.refunded + extra.get(line.line_no, 0)) / line.quantity for line in lines
        )
        return round_half_up(Decimal(total) * share / nets)

    amount = worth(wanted) - worth({})
    return max(0, min(amount, total - already)), False


def refund_methods(
    paid: dict[Way, int],
    refunded: dict[Way, int],
    asked: Way | None,
    amount: int,
    fmt: Callable[[int], str] = str,
) -> list[tuple[Way, int]]:
    """Money goes back the way it came: to the ways the order was paid (cash, card, a named tender),
    never more to one than it paid. Named, one way takes it all (if it can); unnamed, a split-paid
    order is refunded split the same way — card and tenders first, as they paid exactly, then cash.
    Asked for "other" without a name, the order's one named tender is meant."""
    used = sorted(way.label for way in paid)
    room = {way: paid[way] - refunded.get(way, 0) for way in paid}
    if asked is not None and asked.method is Method.OTHER and asked.tender is None:
        named = [way for way in paid if way.method is Method.OTHER]
        if len(named) == 1:
            asked = named[0]
        elif named:
            raise InvalidInput(
                f"the order was paid by {' and '.join(w.label for w in named)}: say which", field="tender"
            )
    if asked is not None:
        if asked not in paid:
            raise InvalidInput(
                f"the order was paid by {' and '.join(used)}, not {asked.label}: refund it the way it was paid",
                field="method",
            )
        if amount > room[asked]:
            raise Conflict(
                f"only {fmt(room[asked])} of this order's {asked.label} payment is left to refund; "
                "leave the method out to refund it the ways it was paid",
                field="method",
            )
        return [(asked, amount)]
    if not paid:
        raise Conflict("the order has no payments to refund", field="method")
    parts, left = [], amount
    for way in sorted(room, key=lambda w: (w.method is Method.CASH, w.label)):
        take = min(left, room[way])
        if take > 0:
            parts.append((way, take))
            left -= take
    if left > 0:
        raise Conflict(f"only {fmt(amount - left)} of this order is left to refund", field="lines")
    return parts or [(min(paid, key=lambda w: w.label), 0)]
