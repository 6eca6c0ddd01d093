"""Delivery days, whole packs and a purchase order's life, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from midnight.domain import purchasing as rules
from midnight.domain.errors import Conflict, InvalidInput
from midnight.domain.purchasing import OrderState

WEDNESDAY = dt.date(2026, 11, 25)


def test_weekdays_are_read_by_name_short_name_or_number() -> None:
    assert rules.parse_weekdays(["Monday", "thu", "6", " "]) == (0, 3, 6)
    assert rules.weekday_names((0, 3)) == ["mon", "thu"]
    for bad in (["mo"], ["funday"], ["7"], []):
        with pytest.raises(InvalidInput):
            rules.parse_weekdays(bad)


@pytest.mark.parametrize(
    ("days", "lead", "expected"),
    [
        ((0, 3), 1, dt.date(2026, 11, 26)),  # Wed + 1 day = Thursday, a delivery day
        ((0, 3), 2, dt.date(2026, 11, 30)),  # Friday is the earliest: next Monday
        ((2,), 0, WEDNESDAY),  # today, if today is a delivery day and there is no lead time
        ((2,), 1, dt.date(2026, 12, 2)),  # a week on
    ],
)
def test_the_next_delivery_is_the_first_delivery_day_the_lead_time_reaches(
    days: tuple[int, ...], lead: int, expected: dt.date
) -> None:
    assert rules.next_delivery(days, lead, WEDNESDAY) == expected


def test_the_delivery_after_next_is_the_following_delivery_day() -> None:
    assert rules.delivery_after((0, 3), dt.date(2026, 11, 26)) == dt.date(2026, 11, 30)
    assert rules.delivery_after((3,), dt.date(2026, 11, 26)) == dt.date(2026, 12, 3)


def test_an_order_is_whole_packs_and_the_error_says_what_would_do() -> None:
    assert rules.check_packs(24000, 12000, "MILK") == 2
    with pytest.raises(InvalidInput, match="packs of 12: order 12 or 24, not 13"):
        rules.check_packs(13000, 12000, "MILK")
    with pytest.raises(InvalidInput, match="order 6, not 5"):
        rules.check_packs(5000, 6000, "EGG")


def test_an_orders_life_goes_one_way() -> None:
    rules.check_editable(OrderState.DRAFT)
    rules.check_send(OrderState.DRAFT, 1)
    with pytest.raises(Conflict, match="no lines"):
        rules.check_send(OrderState.DRAFT, 0)
    with pytest.raises(Conflict, match="send it first"):
        rules.check_receive(OrderState.DRAFT)
    assert rules.after_receipt(OrderState.SENT) is OrderState.PARTLY_RECEIVED
    rules.check_cancel(OrderState.SENT)
    for closed in (OrderState.RECEIVED, OrderState.CANCELLED):
        with pytest.raises(Conflict):
            rules.check_receive(closed)
        with pytest.raises(Conflict):
            rules.check_cancel(closed)
        with pytest.raises(Conflict):
            rules.check_editable(closed)
    with pytest.raises(Conflict, match="finish receiving"):
        rules.check_cancel(OrderState.PARTLY_RECEIVED)


def test_order_numbers_read_back() -> None:
    assert rules.order_number(12) == "PO-00012"
    assert rules.parse_order_number("po-00012") == rules.parse_order_number("12") == 12
    with pytest.raises(InvalidInput):
        rules.parse_order_number("PO-x")
