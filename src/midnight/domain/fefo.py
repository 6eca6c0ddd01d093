"""First-expiring-first-out allocation of a wanted quantity across lots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from midnight.domain.errors import InsufficientStock
from midnight.domain.lot import LotView, is_expired, sellable
from midnight.domain.quantity import SCALE, format_quantity


@dataclass(frozen=True)
class Draw:
    lot_id: int
    quantity: int  # milli-units taken from the lot
    past_best_before: bool


def fefo_key(lot: LotView) -> tuple[dt.date, dt.datetime, int]:
    """Earliest effective expiry first; ties go to the oldest receipt, then the lower id."""
    return (lot.effective_expiry, lot.received_at, lot.id)


def allocate(
    sku: str,
    lots: Iterable[LotView],
    wanted: int,
    today: dt.date,
    *,
    allow_past_best_before: bool = False,
    whole_units: bool = False,
) -> list[Draw]:
    """Split `wanted` across sellable lots, earliest expiry first; all or nothing.

    With `whole_units` (a tin sold over the counter) only whole, unopened units are drawn: an opened
    pack, or what is left of one, is the kitchen's, not a customer's.
    """
    if wanted <= 0:
        raise ValueError("wanted must be positive")
    candidates = sorted(
        (
            lot
            for lot in lots
            if sellable(lot, today, allow_past_best_before) and not (whole_units and lot.opened)
        ),
        key=fefo_key,
    )

    def usable(lot: LotView) -> int:
        return lot.on_hand - lot.on_hand % SCALE if whole_units else lot.on_hand

    available = sum(usable(lot) for lot in candidates)
    if available < wanted:
        raise InsufficientStock(sku, format_quantity(wanted), format_quantity(available))
    draws: list[Draw] = []
    remaining = wanted
    for lot in candidates:
        take = min(usable(lot), remaining)
        if take <= 0:
            continue
        draws.append(Draw(lot.id, take, is_expired(lot.effective_expiry, today)))
        remaining -= take
        if remaining == 0:
            break
    return draws
