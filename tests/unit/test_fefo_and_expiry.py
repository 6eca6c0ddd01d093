import datetime as dt

import pytest

from midnight.domain.errors import InsufficientStock, InvalidInput
from midnight.domain.fefo import Draw, allocate
from midnight.domain.lot import (
    ExpiryStatus,
    LotView,
    default_expiry,
    effective_expiry,
    expiry_status,
)
from midnight.domain.product import ExpiryKind

TODAY = dt.date(2026, 11, 25)
T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def lot(
    lot_id: int,
    qty: int,
    expires_in: int,
    kind: ExpiryKind = ExpiryKind.USE_BY,
    received_days_ago: int = 10,
) -> LotView:
    return LotView(
        lot_id,
        qty * 1000,
        TODAY + dt.timedelta(days=expires_in),
        T0 - dt.timedelta(days=received_days_ago),
        kind,
    )


def test_sells_soonest_expiring_lot_first() -> None:
    lots = [lot(1, 5, expires_in=6), lot(2, 5, expires_in=2), lot(3, 5, expires_in=4)]
    assert allocate("MILK", lots, 3000, TODAY) == [Draw(2, 3000, False)]


def test_splits_sale_across_lots() -> None:
    lots = [lot(1, 2, expires_in=1), lot(2, 5, expires_in=3)]
    assert allocate("MILK", lots, 4000, TODAY) == [Draw(1, 2000, False), Draw(2, 2000, False)]


def test_ties_go_to_the_oldest_receipt() -> None:
    lots = [lot(1, 5, 3, received_days_ago=1), lot(2, 5, 3, received_days_ago=5)]
    assert allocate("MILK", lots, 1000, TODAY)[0].lot_id == 2


def test_never_sells_use_by_lot_past_expiry() -> None:
    lots = [lot(1, 5, expires_in=-1), lot(2, 5, expires_in=0)]
    assert allocate("MILK", lots, 5000, TODAY) == [Draw(2, 5000, False)]
    with pytest.raises(InsufficientStock):
        allocate("MILK", lots, 6000, TODAY, allow_past_best_before=True)


def test_sells_on_the_use_by_date_itself() -> None:
    assert allocate("MILK", [lot(1, 1, expires_in=0)], 1000, TODAY) == [Draw(1, 1000, False)]


def test_best_before_past_date_is_drawn_only_when_asked_and_flagged() -> None:
    lots = [lot(1, 2, -3, ExpiryKind.BEST_BEFORE), lot(2, 5, 30, ExpiryKind.BEST_BEFORE)]
    assert allocate("PINE", lots, 1000, TODAY) == [Draw(2, 1000, False)]
    assert allocate("PINE", lots, 3000, TODAY, allow_past_best_before=True) == [
        Draw(1, 2000, True),
        Draw(2, 1000, False),
    ]


def test_not_enough_stock_names_product_wanted_and_available() -> None:
    with pytest.raises(InsufficientStock) as err:
        allocate("MILK-1L", [lot(1, 2, 3), lot(2, 1, -1)], 2500, TODAY)
    assert err.value.message == "not enough sellable stock of MILK-1L: wanted 2.5, available 2"


def test_empty_lots_are_skipped() -> None:
    assert allocate("X", [lot(1, 0, 1), lot(2, 1, 2)], 1000, TODAY) == [Draw(2, 1000, False)]


def test_effective_expiry_is_the_earlier_of_date_and_opened_life() -> None:
    printed = dt.date(2026, 12, 10)
    assert effective_expiry(printed, None, 3) == printed
    assert effective_expiry(printed, dt.date(2026, 11, 25), 3) == dt.date(2026, 11, 28)
    assert effective_expiry(printed, dt.date(2026, 12, 9), 3) == printed
    assert effective_expiry(printed, dt.date(2026, 11, 25), None) == printed


def test_default_expiry_counts_from_the_received_date() -> None:
    assert default_expiry(dt.date(2026, 11, 20), 5, None) == dt.date(2026, 11, 25)
    assert default_expiry(dt.date(2026, 11, 20), 5, dt.date(2026, 11, 22)) == dt.date(2026, 11, 22)
    with pytest.raises(InvalidInput, match="no default shelf life"):
        default_expiry(dt.date(2026, 11, 20), None, None)


@pytest.mark.parametrize(
    ("days", "status"),
    [(-1, ExpiryStatus.EXPIRED), (0, ExpiryStatus.TODAY), (3, ExpiryStatus.SOON), (4, ExpiryStatus.LATER)],
)
def test_expiry_status_buckets(days: int, status: ExpiryStatus) -> None:
    assert expiry_status(TODAY + dt.timedelta(days=days), TODAY) is status
