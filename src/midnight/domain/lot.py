"""Lots: one delivery of one product to one location with one expiry date."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from midnight.domain.errors import InvalidInput
from midnight.domain.product import ExpiryKind


class ExpiryStatus(enum.StrEnum):
    EXPIRED = "expired"
    TODAY = "today"
    SOON = "soon"
    LATER = "later"


@dataclass(frozen=True)
class LotView:
    """What FEFO and the expiry rules need to know about a lot."""

    id: int
    on_hand: int  # milli-units
    effective_expiry: dt.date
    received_at: dt.datetime
    expiry_kind: ExpiryKind


def default_expiry(received_on: dt.date, shelf_life_days: int | None, given: dt.date | None) -> dt.date:
    """The given expiry date, or the received date plus the product's default shelf life."""
    if given is not None:
        return given
    if shelf_life_days is None:
        raise InvalidInput(
            "this product has no default shelf life: give the expiry date (--expires YYYY-MM-DD)",
            field="expires",
        )
    return received_on + dt.timedelta(days=shelf_life_days)


def effective_expiry(
    expiry_date: dt.date, opened_on: dt.date | None, opened_shelf_life_days: int | None
) -> dt.date:
    """The earlier of the printed date and (opened date + shelf life once opened)."""
    if opened_on is None or opened_shelf_life_days is None:
        return expiry_date
    return min(expiry_date, opened_on + dt.timedelta(days=opened_shelf_life_days))


def is_expired(effective: dt.date, today: dt.date) -> bool:
    """A date is the last good day: stock is past it from the day after."""
    return effective < today


def expiry_status(effective: dt.date, today: dt.date, soon_days: int = 3) -> ExpiryStatus:
    if effective < today:
        return ExpiryStatus.EXPIRED
    if effective == today:
        return ExpiryStatus.TODAY
    if effective <= today + dt.timedelta(days=soon_days):
        return ExpiryStatus.SOON
    return ExpiryStatus.LATER


def sellable(lot: LotView, today: dt.date, allow_past_best_before: bool) -> bool:
    """A use_by lot past its date never sells; a best_before one only when asked."""
    if lot.on_hand <= 0:
        return False
    if not is_expired(lot.effective_expiry, today):
        return True
    return lot.expiry_kind is ExpiryKind.BEST_BEFORE and allow_past_best_before
