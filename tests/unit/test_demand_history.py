"""A product's demand series from its ledger days: censored days and where the history begins."""

from __future__ import annotations

import datetime as dt

from midnight.domain.demand import LedgerDay, Trading, history

DAY = dt.datetime(2026, 11, 2, 0, 0, tzinfo=dt.UTC)


def hours(day: int, opened: int = 9, closed: int = 20) -> Trading:
    return Trading(DAY + dt.timedelta(days=day, hours=opened), DAY + dt.timedelta(days=day, hours=closed))


def at(day: int, hour: int) -> dt.datetime:
    return DAY + dt.timedelta(days=day, hours=hour)


def test_days_before_it_was_stocked_are_not_history_and_a_closed_day_is_unknown() -> None:
    days = [
        LedgerDay(),  # not stocked yet
        LedgerDay(drawn=2000, net=8000, first_at=at(1, 8)),  # 10 in at 08:00, 2 sold
        LedgerDay(),  # the shop shut
        LedgerDay(drawn=3000, net=-3000, first_at=at(3, 12)),
    ]
    found = history(days, [hours(0), hours(1), None, hours(3)], on_hand_after=5000)
    assert found.days == [2000, None, 3000] and (found.closed, found.out_of_stock, found.censored) == (
        1,
        0,
        1,
    )


def test_starting_the_day_empty_is_a_stock_out_unless_it_came_in_before_the_first_sale() -> None:
    days = [
        LedgerDay(drawn=4000, net=0, first_at=at(0, 7)),  # 4 in before opening, 4 sold: ends at 0
        LedgerDay(drawn=1000, net=4000, first_at=at(1, 8)),  # empty overnight, 5 in at 08:00
        LedgerDay(),  # nothing moved, 4 on the shelf all day
        LedgerDay(drawn=4000, net=0, first_at=at(3, 10), ran_out=True),  # sold out, then 4 more
        LedgerDay(drawn=0, net=0),
    ]
    # Day 0 started at 0 but stock came at 07:00, before the 09:00 first sale: not censored.
    # Day 3 ran out while trading; day 4 has stock (4) and sold none: a real zero.
    found = history(days, [hours(d) for d in range(5)], on_hand_after=4000)
    assert found.days == [4000, 1000, 0, None, 0] and found.out_of_stock == 1
    late = history([LedgerDay(drawn=1000, net=4000, first_at=at(0, 15))], [hours(0)], on_hand_after=4000)
    assert late.days == [None] and late.out_of_stock == 1  # delivered at 15:00, the shop open since 09:00


def test_a_product_never_stocked_has_no_history() -> None:
    assert history([LedgerDay(), LedgerDay()], [hours(0), None], on_hand_after=0).days == []
