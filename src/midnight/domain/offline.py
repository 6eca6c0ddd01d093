"""Orders rung while the till could not reach the server, and what happens to them when they arrive.

The till keeps each order (with its idempotency key) and sends it when the server is back. The
server records it as of when it was rung, exactly as if it had arrived then; if it can't (the stock
is not there, an item was taken off, the price differs from what the customer paid, its day was
closed), the order is still recorded, as waiting for a manager's decision with what the customer
paid, and the manager accepts it (the sale stands, as rung) or refunds it. Nothing sent is dropped.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence

from midnight.domain.errors import Conflict, InvalidInput
from midnight.domain.pricing import Method, Tender, settle

MAX_AGE = dt.timedelta(days=31)  # an order older than this is not a till coming back online
CLOCK_SKEW = dt.timedelta(minutes=10)  # a tablet's clock may run a little ahead of the server's
# Older than this on arrival, an order is not recorded on the till's word alone: its time is the
# till's claim (and sets its prices), so a manager looks at it.
AUTO_AGE = dt.timedelta(hours=12)


class OfflineState(enum.StrEnum):
    RECORDED = "recorded"  # recorded on arrival, like any sale
    WAITING = "waiting"  # refused on arrival: a manager decides
    ACCEPTED = "accepted"  # the manager let the sale stand as rung
    REFUNDED = "refunded"  # the manager gave the customer's money back

    @property
    def decided(self) -> bool:
        return self in (OfflineState.ACCEPTED, OfflineState.REFUNDED)

    @property
    def waits(self) -> bool:
        """Waiting for a manager's decision."""
        return self is OfflineState.WAITING

    @property
    def label(self) -> str:
        return {
            OfflineState.RECORDED: "recorded when it arrived",
            OfflineState.WAITING: "waiting for a decision",
            OfflineState.ACCEPTED: "accepted",
            OfflineState.REFUNDED: "refunded",
        }[self]


class Decision(enum.StrEnum):
    ACCEPT = "accept"
    REFUND = "refund"


def check_rung_at(rung_at: dt.datetime, now: dt.datetime) -> dt.datetime:
    """When the till says the order was rung: not in the future (beyond a clock's drift), not long ago."""
    if rung_at.tzinfo is None:
        raise InvalidInput("rung_at must carry its time zone (an ISO time with an offset)", field="rung_at")
    if rung_at > now + CLOCK_SKEW:
        raise InvalidInput(
            f"the order says it was rung at {rung_at:%Y-%m-%d %H:%M %z}, which is still to come: "
            "check the till's clock",
            field="rung_at",
        )
    if rung_at < now - MAX_AGE:
        raise InvalidInput(
            f"an order rung offline is taken up to {MAX_AGE.days} days later; {rung_at:%Y-%m-%d} is longer ago",
            field="rung_at",
        )
    return min(rung_at, now)


def check_recordable_as_rung(rung_at: dt.datetime, now: dt.datetime, repriced: Sequence[str]) -> None:
    """An order is recorded as rung, at the prices when it was rung, without a manager only if it
    arrives within hours and no price it was rung at has changed since: the time it was rung is the
    till's word, and a sale said to be from before a price rise is a manager's to accept."""
    if now - rung_at > AUTO_AGE:
        hours = int((now - rung_at).total_seconds() // 3600)
        raise Conflict(
            f"it arrived {hours} hours after the till says it was rung ({rung_at:%Y-%m-%d %H:%M}): "
            "check it was sold then, at those prices",
            field="rung_at",
        )
    if repriced:
        raise Conflict(
            f"the price of {', '.join(repriced)} changed after the till says it was rung "
            f"({rung_at:%H:%M}): check the customer paid what was right then",
            field="lines",
        )


def check_as_rung(
    lines_total: int, total: int, tenders: Sequence[Tender], fmt: Callable[[int], str] = str
) -> None:
    """An order a till rang is whole: its lines (at the prices it showed) come to its total, and the
    customer paid it as any order is paid (card exactly, cash covering the rest with change, nothing
    short). Otherwise it is not an order the till could have taken, and nothing could settle it."""
    if lines_total != total:
        raise InvalidInput(
            f"the order's lines come to {fmt(lines_total)} but its total says {fmt(total)}", field="total"
        )
    paid = sum(t.amount for t in tenders)
    if paid < total:
        raise InvalidInput(
            f"the payments ({fmt(paid)}) don't cover the order's total of {fmt(total)}", field="payments"
        )
    settle(total, list(tenders), fmt)


def check_offline_tenders(
    total: int, tenders: Sequence[Tender], card_limit: int | None, fmt: Callable[[int], str] = str
) -> None:
    """Cash is always taken offline; card (or a named tender, which needs its terminal to reach the
    bank) only if the owner allows it, and only up to the limit per order."""
    exact = sum(t.amount for t in tenders if t.method is not Method.CASH)
    if not exact:
        return
    if card_limit is None:
        raise Conflict("card was taken while offline, which this shop does not allow", field="payments")
    if exact > card_limit:
        raise Conflict(
            f"{fmt(exact)} was taken by card while offline, over the shop's offline limit of {fmt(card_limit)}",
            field="payments",
        )
    if total < exact:
        raise InvalidInput("card payments are more than the order's total", field="payments")


def check_decidable(state: OfflineState, offline_id: int) -> None:
    if state is OfflineState.WAITING:
        return
    if state is OfflineState.RECORDED:
        raise Conflict(
            f"offline order {offline_id} was recorded when it arrived: nothing to decide", field="id"
        )
    raise Conflict(f"offline order {offline_id} was already {state.value}", field="id")


def after(decision: Decision) -> OfflineState:
    return OfflineState.ACCEPTED if decision is Decision.ACCEPT else OfflineState.REFUNDED
