"""Orders and held items: their states and transitions, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from midnight.domain import hold as holds
from midnight.domain import order as orders
from midnight.domain.errors import Conflict, InvalidInput
from midnight.domain.hold import Hold, HoldAction, HoldState
from midnight.domain.order import Order, OrderState, SoldLine
from midnight.domain.pricing import Method, Tender, Way

TODAY = dt.date(2026, 11, 25)


def order(state: OrderState, total: int = 5000) -> Order:
    return Order(7, state, total, TODAY)


def test_an_open_order_may_be_paid_and_a_retry_of_the_same_payment_is_recognised() -> None:
    cash = [Tender(Method.CASH, 10000)]
    assert orders.check_payable(order(OrderState.OPEN), [], cash)
    assert not orders.check_payable(order(OrderState.PAID), cash, cash)  # the till retried
    with pytest.raises(Conflict, match="order #7 is paid, not open"):
        orders.check_payable(order(OrderState.PAID), cash, [Tender(Method.CARD, 5000)])
    with pytest.raises(Conflict, match="void"):
        orders.check_payable(order(OrderState.VOID), cash, cash)


@pytest.mark.parametrize("state", [OrderState.PAID, OrderState.VOID, OrderState.REFUNDED])
def test_only_an_open_order_is_voided(state: OrderState) -> None:
    assert orders.void(order(OrderState.OPEN)) is OrderState.VOID
    with pytest.raises(Conflict, match="only an open order can be voided"):
        orders.void(order(state))


@pytest.mark.parametrize(
    ("state", "ok"),
    [
        (OrderState.OPEN, False),
        (OrderState.PAID, True),
        (OrderState.PARTLY_REFUNDED, True),
        (OrderState.REFUNDED, False),
        (OrderState.VOID, False),
    ],
)
def test_only_a_paid_order_is_refunded(state: OrderState, ok: bool) -> None:
    if ok:
        orders.check_refundable(order(state))
    else:
        with pytest.raises(Conflict, match="only a paid order can be refunded"):
            orders.check_refundable(order(state))


def test_refunding_everything_left_closes_the_order() -> None:
    assert orders.after_refund(True) is OrderState.REFUNDED
    assert orders.after_refund(False) is OrderState.PARTLY_REFUNDED


LINES = [SoldLine(1, 2000, 0, 7600), SoldLine(2, 1000, 0, 1800)]


def test_a_refund_takes_what_is_left_unless_told_and_never_more() -> None:
    assert orders.refund_quantities(LINES, None) == {1: 2000, 2: 1000}
    assert orders.refund_quantities(LINES, [(1, 1000)]) == {1: 1000}
    with pytest.raises(InvalidInput, match="no line 3"):
        orders.refund_quantities(LINES, [(3, 1000)])
    with pytest.raises(Conflict, match="only 2 left to refund, asked for 3"):
        orders.refund_quantities(LINES, [(1, 2000), (1, 1000)])
    done = [SoldLine(1, 2000, 2000, 7600)]
    with pytest.raises(Conflict, match="already refunded"):
        orders.refund_quantities(done, None)


def test_a_part_refund_is_the_lines_share_of_the_total_and_the_last_gives_back_the_rest() -> None:
    # The order had a 10% order discount: 9400 of lines came to a total of 8460.
    amount, everything = orders.refund_amount(8460, 0, LINES, {1: 1000})
    assert (amount, everything) == (3420, False)  # half of line 1's share: 8460 * 7600/9400 / 2
    amount, everything = orders.refund_amount(
        8460, 3420, [SoldLine(1, 2000, 1000, 7600), LINES[1]], {1: 1000, 2: 1000}
    )
    assert (amount, everything) == (5040, True)


CASH, CARD = Way(Method.CASH), Way(Method.CARD)


def test_money_goes_back_the_way_it_came() -> None:
    cash_only = {CASH: 5000}
    assert orders.refund_methods(cash_only, {}, None, 5000) == [(CASH, 5000)]
    with pytest.raises(InvalidInput, match="paid by cash, not card"):
        orders.refund_methods(cash_only, {}, CARD, 5000)
    split = {CASH: 2000, CARD: 3000}
    assert orders.refund_methods(split, {}, CARD, 3000) == [(CARD, 3000)]
    with pytest.raises(Conflict, match="only 1000 of this order's card payment is left"):
        orders.refund_methods(split, {CARD: 2000}, CARD, 1500)


def test_a_split_paid_order_is_refunded_split_card_first_then_cash() -> None:
    split = {CASH: 1800, CARD: 2000}  # a HK$38 salad: HK$20 card, HK$20 cash less 2 change
    assert orders.refund_methods(split, {}, None, 3800) == [(CARD, 2000), (CASH, 1800)]
    assert orders.refund_methods(split, {}, None, 1900) == [(CARD, 1900)]
    assert orders.refund_methods(split, {CARD: 1900}, None, 1900) == [
        (CARD, 100),
        (CASH, 1800),
    ]
    with pytest.raises(Conflict, match="only 3800 of this order is left"):
        orders.refund_methods(split, {}, None, 3900)


def test_a_named_tender_is_refunded_to_itself_and_card_and_tenders_go_before_cash() -> None:
    octopus, fps = Way(Method.OTHER, "Octopus"), Way(Method.OTHER, "FPS")
    paid = {CASH: 1000, octopus: 2000}
    assert orders.refund_methods(paid, {}, None, 2500) == [(octopus, 2000), (CASH, 500)]
    assert orders.refund_methods(paid, {}, Way(Method.OTHER), 500) == [(octopus, 500)]  # the one named
    with pytest.raises(InvalidInput, match="paid by FPS and Octopus: say which"):
        orders.refund_methods({fps: 100, octopus: 100}, {}, Way(Method.OTHER), 50)
    with pytest.raises(InvalidInput, match="paid by Octopus and cash, not card"):
        orders.refund_methods(paid, {}, CARD, 50)


def waiting(**changes: object) -> Hold:
    base = {
        "id": 3,
        "state": HoldState.WAITING,
        "hold_until": TODAY,
        "locked": False,
        "wrong_tries": 0,
        "left_by": "Ms Wong",
    }
    return Hold(**{**base, **changes})  # type: ignore[arg-type]


def test_the_right_code_hands_the_item_over() -> None:
    change = holds.pick_up_with_code(waiting(), True, TODAY)
    assert change.hold.state is HoldState.PICKED_UP and change.closes
    assert change.events == [(HoldAction.PICKED_UP, "with the pickup code")] and change.refusal is None


def test_wrong_codes_are_counted_and_the_fifth_locks_the_item() -> None:
    hold = waiting()
    for tries in range(1, 6):
        change = holds.pick_up_with_code(hold, False, TODAY)
        hold = change.hold
        assert hold.wrong_tries == tries and change.refusal is not None
        assert change.refusal.code == "wrong_code"
    assert hold.locked and change.events[-1][0] is HoldAction.LOCKED
    assert "now locked" in change.refusal.message  # type: ignore[union-attr]
    with pytest.raises(Conflict, match="locked after 5 wrong codes"):
        holds.pick_up_with_code(hold, True, TODAY)
    unlocked = holds.unlock(hold).hold
    assert not unlocked.locked and unlocked.wrong_tries == 0


def test_a_code_expires_with_its_date_but_an_identity_check_still_works() -> None:
    late = waiting(hold_until=TODAY - dt.timedelta(days=1))
    with pytest.raises(InvalidInput, match="expired"):
        holds.pick_up_with_code(late, True, TODAY)
    change = holds.pick_up_identity_checked(late, "kwan", TODAY)
    assert change.hold.state is HoldState.PICKED_UP and "kwan" in change.events[0][1]


def test_an_item_is_disposed_of_only_after_its_date_and_nothing_happens_to_a_closed_one() -> None:
    with pytest.raises(Conflict, match="kept until"):
        holds.dispose(waiting(), "uncollected", TODAY)
    gone = holds.dispose(waiting(hold_until=TODAY - dt.timedelta(days=1)), "uncollected", TODAY)
    assert gone.hold.state is HoldState.DISPOSED
    for transition in (
        lambda h: holds.extend(h, TODAY + dt.timedelta(days=9), TODAY),
        lambda h: holds.return_to_sender(h, ""),
        holds.unlock,
    ):
        with pytest.raises(Conflict, match="already disposed"):
            transition(gone.hold)


def test_extending_moves_the_date_forward_only_and_not_beyond_a_year() -> None:
    later = TODAY + dt.timedelta(days=3)
    assert holds.extend(waiting(), later, TODAY).hold.hold_until == later
    with pytest.raises(InvalidInput, match="after"):
        holds.extend(waiting(), TODAY, TODAY)
    with pytest.raises(InvalidInput, match="at most a year"):
        holds.extend(waiting(), dt.date(2100, 12, 31), TODAY)


def test_a_locked_item_is_not_returned_or_unlocked_twice_without_an_owner_looking() -> None:
    locked = waiting(locked=True, wrong_tries=5)
    with pytest.raises(Conflict, match="an owner must unlock it first"):
        holds.return_to_sender(locked, "")
    with pytest.raises(Conflict, match="is not locked"):
        holds.unlock(waiting())


@pytest.mark.parametrize(
    ("typed", "code"),
    [("042917", "042917"), (" 042 917 ", "042917"), ("042-917", "042917"), ("０４２９１７", "042917")],
)
def test_a_pickup_code_is_read_as_typed(typed: str, code: str) -> None:
    assert holds.pickup_code(typed) == code


@pytest.mark.parametrize("typed", ["42917", "0429170", "04291x", "", "٠٤٢٩١٧x"])
def test_a_malformed_code_is_refused_not_counted(typed: str) -> None:
    with pytest.raises(InvalidInput, match="six digits"):
        holds.pickup_code(typed)


def test_the_last_try_is_said_in_the_singular() -> None:
    change = holds.pick_up_with_code(waiting(wrong_tries=3), False, TODAY)
    assert change.refusal is not None and change.refusal.message == "wrong pickup code; 1 try left"


def test_returning_names_who_it_goes_back_to() -> None:
    change = holds.return_to_sender(waiting(), "")
    assert change.hold.state is HoldState.RETURNED and change.events == [(HoldAction.RETURNED, "to Ms Wong")]


def test_overdue_means_waiting_past_its_date() -> None:
    assert holds.is_overdue(HoldState.WAITING, TODAY - dt.timedelta(days=1), TODAY)
    assert not holds.is_overdue(HoldState.WAITING, TODAY, TODAY)
    assert not holds.is_overdue(HoldState.PICKED_UP, TODAY - dt.timedelta(days=9), TODAY)
