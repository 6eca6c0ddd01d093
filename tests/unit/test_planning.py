"""The buying maths of issue 12: will-expire-unsold by FEFO projection, newsvendor order sizes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from midnight.domain.errors import InvalidInput
from midnight.domain.lot import ExpiryKind, LotView, default_expiry, is_expired
from midnight.domain.planning import (
    DayDemand,
    Unsold,
    covered_demand,
    critical_ratio,
    expire_unsold,
    meet_minimum,
    order_quantity,
)

TODAY = dt.date(2026, 12, 3)
AT = dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC)


def lot(lot_id: int, units: int, days_left: int) -> LotView:
    return LotView(lot_id, units * 1000, TODAY + dt.timedelta(days=days_left), AT, ExpiryKind.USE_BY)


def test_the_lots_a_hand_computed_fefo_projection_lists_expire_unsold() -> None:
    # 3 a day. Day 0: lot 1 (5) -> 2. Day 1: lot 1 -> 0 and lot 2 gives 1 -> 3 left on its last day.
    # Day 2: lot 3 (4) -> 1. Day 3: lot 3 -> 0, lot 4 gives 2 -> 8. Day 4: lot 4 -> 5 left on its last day.
    expected = [Unsold(2, TODAY + dt.timedelta(days=1), 3000), Unsold(4, TODAY + dt.timedelta(days=4), 5000)]
    assert (
        expire_unsold([lot(1, 5, 1), lot(2, 4, 1), lot(3, 4, 3), lot(4, 10, 4)], [3000.0] * 5, TODAY)
        == expected
    )
    # the order the lots come in doesn't matter: FEFO orders them
    assert (
        expire_unsold([lot(4, 10, 4), lot(2, 4, 1), lot(1, 5, 1), lot(3, 4, 3)], [3000.0] * 5, TODAY)
        == expected
    )


def test_a_lot_beyond_the_forecast_is_not_judged_and_no_demand_leaves_every_lot() -> None:
    assert expire_unsold([lot(1, 5, 30)], [1000.0] * 14, TODAY) == []
    assert expire_unsold([lot(1, 5, 0)], [0.0], TODAY) == [Unsold(1, TODAY, 5000)]


def test_the_critical_ratio_weighs_lost_margin_against_wasted_cost() -> None:
    assert critical_ratio(900, 1800) == pytest.approx(0.5)  # margin 9 vs cost 9
    assert critical_ratio(300, 1800) == pytest.approx(15 / 18)
    assert critical_ratio(300, 1800, service_level=0.9) == 0.9
    assert critical_ratio(2000, 1800) == 0.5  # sold below cost: never chase stock-outs
    with pytest.raises(InvalidInput, match="service level"):
        critical_ratio(1, 2, service_level=1.5)


def test_a_two_day_shelf_life_is_never_asked_to_cover_more_than_its_three_good_days() -> None:
    demand = [DayDemand(10_000, 3000)] * 7
    two = order_quantity(demand, usable_stock=0, pack_size=1000, shelf_life_days=2, ratio=0.9)
    assert two.days_covered == 3  # the delivery day and the two after it
    assert two.quantity == -(-covered_demand(demand[:3], 0.9) // 1000) * 1000
    seven = order_quantity(demand, usable_stock=0, pack_size=1000, shelf_life_days=None, ratio=0.9)
    assert seven.quantity > 2 * two.quantity


def test_a_suggestion_covers_every_day_the_delivered_lot_is_good() -> None:
    # The bug: the cut was to shelf_life_days days, but a lot received with the product's shelf life
    # is dated delivery + shelf life and sells through that date — one day more. Egg sandwiches
    # (2 days) delivered Monday and Thursday sell Mon, Tue and Wed; the suggestion covered only Mon
    # and Tue, so every Wednesday ran out (bench/waste.py: 19% of the 2-day products' demand went
    # unserved; 6% with the fix).
    expires = default_expiry(TODAY, 2, None)
    good = [d for d in range(7) if not is_expired(expires, TODAY + dt.timedelta(days=d))]
    assert good == [0, 1, 2]
    three_days = [DayDemand(10_000)] * 3  # Monday to Wednesday, the next delivery on Thursday
    s = order_quantity(three_days, usable_stock=0, pack_size=1000, shelf_life_days=2, ratio=0.5)
    assert s.days_covered == len(good) and s.quantity == 30_000
    one = order_quantity(
        [DayDemand(10_000)] * 2, usable_stock=0, pack_size=1000, shelf_life_days=1, ratio=0.5
    )
    assert one.days_covered == 2 and one.quantity == 20_000  # a 1-day lot sells on its day and the next


@given(
    means=st.lists(st.floats(0, 50_000), min_size=1, max_size=21),
    usable=st.integers(0, 500_000),
    pack=st.integers(1, 24).map(lambda n: n * 1000),
    life=st.none() | st.integers(1, 30),
    ratio=st.floats(0.5, 0.995),
)
def test_a_suggestion_is_never_negative_and_always_whole_packs(
    means: list[float], usable: int, pack: int, life: int | None, ratio: float
) -> None:
    demand = [DayDemand(m, m / 3) for m in means]
    s = order_quantity(demand, usable_stock=usable, pack_size=pack, shelf_life_days=life, ratio=ratio)
    assert s.quantity >= 0 and s.quantity % pack == 0 and s.quantity == s.packs * pack
    assert s.quantity < max(0, s.target - usable) + pack  # never a whole pack more than needed
    assert s.days_covered <= (life + 1 if life is not None else len(means))


def test_an_order_placed_reaches_the_supplier_minimum_and_nothing_stays_nothing() -> None:
    assert meet_minimum([2, 0, 1], [500, 100, 300], 2000) == [2, 0, 4]  # 1300 -> + 3 packs of 300
    assert meet_minimum([0, 0], [500, 100], 2000) == [0, 0]
    assert meet_minimum([5], [500], 2000) == [5]
