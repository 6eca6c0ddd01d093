"""First-expiring-first-out allocation of a wanted quantity across lots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from midnight.domain.errors import InsufficientStock
from midnight.domain.lot import LotView, is_expired, sellable
from midnight.domain.quantity import format_quantity


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
) -> list[Draw]:
    """Split `wanted` across sellable lots, earliest expiry first; all or nothing."""
    if wanted <= 0:
        raise ValueError("wanted must be positive")
    candidates = sorted((lot for lot in lots if sellable(lot, today, allow_past_best_before)), key=fefo_key)
    available = sum(lot.on_hand for lot in candidates)
    if available < wanted:
        raise InsufficientStock(sku, format_quantity(wanted), format_quantity(available))
    draws: list[Draw] = []
    remaining = wanted
    for lot in candidates:
        take = min(lot.on_hand, remaining)
        draws.append(Draw(lot.id, take, is_expired(lot.effective_expiry, today)))
        remaining -= take
        if remaining == 0:
            break
    return draws
