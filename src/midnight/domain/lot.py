"""Lots: one delivery of one product to one location with one expiry date."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from dataclasses import dataclass

from midnight.domain.errors import Conflict, InvalidInput
from midnight.domain.product import ExpiryKind
from midnight.domain.quantity import SCALE, format_quantity

SOON_DAYS = 3  # "soon" on the board: within this many days


class ExpiryStatus(enum.StrEnum):
    EXPIRED = "expired"  # past its effective expiry
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
    opened: bool = False


def default_expiry(received_on: dt.date, shelf_life_days: int | None, given: dt.date | None) -> dt.date:
    """The given expiry date, or the received date plus the product's default shelf life."""
    if given is not None:
        return given
    if shelf_life_days is None:
        raise InvalidInput(
            "this product has no default shelf life: give its expiry date",
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


def expiry_status(effective: dt.date, today: dt.date, soon_days: int = SOON_DAYS) -> ExpiryStatus:
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


class MovementKind(enum.StrEnum):
    RECEIVE = "receive"
    SELL = "sell"
    USE = "use"
    OPEN = "open"  # a pack opened: split off into its own lot with a shorter life
    MOVE = "move"  # part of a lot moved: split off into a lot at the new location
    WASTE = "waste"
    ADJUST = "adjust"  # a stock take's difference


@dataclass(frozen=True)
class Lot:
    """A lot with what its movements and rules need to know."""

    id: int
    product_id: int
    sku: str
    unit: str
    expiry_kind: ExpiryKind
    opened_shelf_life_days: int | None
    location_id: int
    supplier: str
    unit_cost: int
    received_at: dt.datetime
    expiry_date: dt.date
    opened_at: dt.datetime | None
    effective_expiry: dt.date
    on_hand: int
    corrected_expiry: dt.date | None = None  # the date as last corrected; None: as received
    batch: str | None = None  # the maker's lot number, as scanned at receiving

    @property
    def expiry(self) -> dt.date:
        """The lot's date as it now stands: the corrected one, else the one it was received with."""
        return self.corrected_expiry if self.corrected_expiry is not None else self.expiry_date

    def view(self) -> LotView:
        return LotView(
            self.id,
            self.on_hand,
            self.effective_expiry,
            self.received_at,
            self.expiry_kind,
            self.opened_at is not None,
        )


@dataclass(frozen=True)
class Movement:
    """One append-only ledger row to write. Quantities are signed milli-units."""

    kind: MovementKind
    lot_id: int
    product_id: int
    quantity: int
    unit_cost: int
    at: dt.datetime
    reason: str = ""
    reference: str = ""
    pair_id: int | None = None
    reverses_id: int | None = None
    order_line_id: int | None = None
    refund_id: int | None = None
    business_date: dt.date | None = None  # set on write-offs: the business day they count on


def take(lot: Lot, milli: int | None, what: str) -> int:
    """How much of a lot an action takes: all of it by default, never more than it holds."""
    if lot.on_hand == 0:
        raise Conflict(f"lot {lot.id} is empty", field="lot")
    wanted = lot.on_hand if milli is None else milli
    if wanted > lot.on_hand:
        raise Conflict(
            f"cannot {what} {format_quantity(wanted)} of lot {lot.id}: it holds {format_quantity(lot.on_hand)}",
            field="quantity",
        )
    return wanted


def to_open(lot: Lot, milli: int | None, today: dt.date) -> int:
    """How much of a lot opening takes: one unit by default (all of it if it holds one or less)."""
    if lot.opened_at is not None:
        raise Conflict(f"lot {lot.id} is already open", field="lot")
    if lot.expiry_kind is ExpiryKind.USE_BY and is_expired(lot.effective_expiry, today):
        raise Conflict(
            f"lot {lot.id} is past its use-by date {lot.effective_expiry}: write it off", field="lot"
        )
    if milli is None and lot.on_hand > SCALE:
        milli = SCALE
    return take(lot, milli, "open")


def check_received(received_on: dt.date | None, expires: dt.date, today: dt.date) -> None:
    if received_on is not None and received_on > today:
        raise InvalidInput(f"received date {received_on} is in the future", field="received")
    day = received_on or today
    if expires < day:
        raise InvalidInput(f"expiry date {expires} is before the received date {day}", field="expires")


def check_whole_units(unit: str, milli: int, sku: str, *, field: str = "quantity") -> None:
    """Things counted one by one (unit "each") arrive and sell whole; a kitchen may use part of one."""
    if unit == "each" and milli % SCALE:
        raise InvalidInput(
            f"{sku} is counted in whole units: {format_quantity(milli)} is not a whole number", field=field
        )


def reversal(original: Movement, legs: list[tuple[int, Movement]], undone_by: int | None) -> None:
    """Whether a movement (and the other leg of a move or open) may be undone; raises why not."""
    key = legs[0][0] if legs else 0
    if original.order_line_id is not None or original.refund_id is not None:
        raise Conflict(f"movement {key} belongs to a till order; refund the order instead", field="movement")
    if original.reverses_id is not None:
        raise Conflict(
            f"movement {key} is itself the undo of {original.reverses_id}; record the change again instead",
            field="movement",
        )
    if undone_by is not None:
        raise Conflict(f"movement {key} was already undone by movement {undone_by}", field="movement")
    if all(leg.quantity == 0 for _, leg in legs):
        raise Conflict(f"movement {key} changed nothing; there is nothing to undo", field="movement")


def check_move(lot: Lot, target_location_id: int, location: str) -> None:
    if target_location_id == lot.location_id:
        raise InvalidInput(f"lot {lot.id} is already in {location}", field="location")


def check_undo_fits(movement_id: int, lot: Lot, leg: Movement) -> None:
    """Undoing takes a leg's quantity back out of its lot: the lot must still hold it."""
    if lot.on_hand - leg.quantity < 0:
        raise Conflict(
            f"cannot undo movement {movement_id}: lot {lot.id} holds {format_quantity(lot.on_hand)} "
            f"but the undo would take {format_quantity(leg.quantity)}",
            field="movement",
        )


# --- correcting a lot's expiry date -------------------------------------------------------------


@dataclass(frozen=True)
class ExpiryCorrection:
    """A lot's date corrected: the event to append, and the lot's effective expiry from now on."""

    lot_id: int
    from_date: dt.date
    to_date: dt.date
    reason: str
    effective: dt.date


def correct_expiry(
    lot: Lot, to: dt.date, reason: str, *, received_on: dt.date, opened_on: dt.date | None
) -> ExpiryCorrection:
    """A mistyped or misprinted date put right. The date as received is kept; the correction is an
    event (who, when, from, to, why), and the effective expiry follows from the corrected date as it
    would have from a received one (still cut short by the opened shelf life if the lot is open)."""
    if to == lot.expiry:
        raise InvalidInput(f"lot {lot.id} already expires on {to}", field="expires")
    if to < received_on:
        raise InvalidInput(
            f"expiry date {to} is before lot {lot.id} was received on {received_on}", field="expires"
        )
    if not reason.strip():
        raise InvalidInput("say why the date is corrected", field="reason")
    effective = effective_expiry(to, opened_on, lot.opened_shelf_life_days)
    return ExpiryCorrection(lot.id, lot.expiry, to, reason, effective)


# --- writing off what has expired ---------------------------------------------------------------


@dataclass(frozen=True)
class ExpiredLot:
    """A lot holding stock past its effective expiry, as writing everything expired off sees it."""

    id: int
    on_hand: int  # milli-units
    unit_cost: int  # minor units per unit
    unit: str
    expiry_kind: ExpiryKind
    effective_expiry: dt.date


def to_write_off(lot: ExpiredLot, today: dt.date, *, include_best_before: bool) -> bool:
    """Past use-by stock may never be sold, so it always goes; past best-before stock may still be
    sold (when the seller says so), so it goes only when asked for."""
    if lot.on_hand <= 0 or not is_expired(lot.effective_expiry, today):
        return False
    return lot.expiry_kind is ExpiryKind.USE_BY or include_best_before


def expired_check(lots: list[ExpiredLot]) -> str:
    """A short value naming exactly which lots, holding how much, a confirmation showed: writing
    off refuses to go ahead if the expired stock is no longer what the person confirmed."""
    digest = hashlib.sha256(
        ";".join(f"{lot.id}:{lot.on_hand}" for lot in sorted(lots, key=lambda lot: lot.id)).encode()
    )
    return digest.hexdigest()[:32]
