"""Orders rung while the till could not reach the server, as they arrive: recorded once as rung (prices,
stock and day as of then), or kept waiting for a manager with what the customer paid; never lost,
never doubled. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from midnight.commands import build
from midnight.commands.modifiers import AddModifierGroup, AddModifierOption, OfferModifiers
from midnight.commands.offline import DecideOffline, OfflineOrderIn, OfflineQuery
from midnight.commands.stock import ReceiveLot
from midnight.commands.till import (
    AddMenuItem,
    CloseDay,
    ParkOrder,
    PaymentIn,
    PlaceOrder,
    SetActive,
    SetPrice,
    SetTenderActive,
    TenderIn,
    VoidOrder,
)
from midnight.db import tables as t
from midnight.domain.clock import FixedClock
from midnight.domain.errors import Conflict, Forbidden, InvalidInput
from midnight.domain.offline import OfflineState
from midnight.domain.order import OrderState
from midnight.domain.people import Actor, Role
from midnight.services import menu, modifiers, offline, orders, reports, stock, tenders, views
from midnight.services.context import Context
from tests.conftest import NOW
from tests.integration.helpers import ledger_matches_lots
from tests.integration.till_setup import day, open_snack_bar

RUNG = NOW - dt.timedelta(minutes=20)  # 09:40 in Hong Kong: the till was offline then


@pytest.fixture
def bar(ctx: Context) -> Context:
    open_snack_bar(ctx.at(FixedClock(NOW - dt.timedelta(days=5)), ctx.who))  # the menu is older
    stock.receive(ctx, ReceiveLot(sku="PINE", quantity=4, cost="9", expires=day(200), received=day(-2)))
    return ctx


def staff(ctx: Context) -> Context:
    return ctx.acting_as(Actor("kwan", Role.STAFF))


def order_in(
    *lines: tuple[str, int, str],
    cash: str | None = None,
    card: str | None = None,
    at: dt.datetime = RUNG,
    number: str = "T1-0001",
    **extra: Any,
) -> OfflineOrderIn:
    """An order as the till sends it: (code, quantity, unit price as shown) lines, what was paid."""
    total = sum(Decimal(price) * qty for _, qty, price in lines)
    payments = []
    if card:
        payments.append({"method": "card", "amount": card})
    if cash:
        payments.append({"method": "cash", "amount": cash})
    return build(
        OfflineOrderIn,
        {
            "lines": [{"code": c, "quantity": str(q), "unit_price": p} for c, q, p in lines],
            "payments": payments,
            "total": str(total),
            "rung_at": at.isoformat(),
            "local_number": number,
            "till": "Till 1",
            "rung_by": "kwan",
            **extra,
        },
    )


def count(ctx: Context, table: Any, *where: Any) -> int:
    with ctx.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def tins(ctx: Context) -> Decimal:
    return views.product_stock(ctx, "PINE").on_hand


def test_an_order_rung_offline_is_recorded_as_it_was_rung_with_its_number_and_stock_drawn(
    bar: Context,
) -> None:
    sent = offline.take(staff(bar), "key-1", order_in(("TIN", 2, "18"), cash="40"))
    assert sent.state is OfflineState.RECORDED and not sent.replayed and sent.paid == 3600
    assert sent.order_id is not None and sent.problem is None and sent.call_number == 1
    order = orders.get_order(bar, sent.order_id)
    assert order.state is OrderState.PAID and order.total == 3600 and order.change == 400
    assert order.offline_number == "T1-0001" and order.till == "Till 1" and order.call_number == 1
    assert order.created_at == RUNG and order.entered_at == NOW  # when it was rung; when it arrived
    assert order.business_date == day(0) and order.actor == "kwan"
    assert tins(bar) == 2 and ledger_matches_lots(bar)
    with bar.db.read() as conn:
        moved = conn.execute(select(t.movements.c.at).where(t.movements.c.reference == f"order #{order.id}"))
        assert {row.at for row in moved} == {RUNG}
    assert offline.waiting(bar) == (0, 0)


def test_a_resend_with_the_same_key_answers_the_same_and_writes_nothing(bar: Context) -> None:
    first = offline.take(staff(bar), "key-1", order_in(("TIN", 1, "18"), cash="20"))
    # the answer was lost; the till sends exactly the same order again (amounts spelt otherwise too)
    again = offline.take(staff(bar), "key-1", order_in(("TIN", 1, "18.00"), cash="20.0"))
    assert again.replayed and again.id == first.id and again.order_id == first.order_id
    assert count(bar, t.orders) == 1 and count(bar, t.payments) == 1 and count(bar, t.offline_orders) == 1
    assert tins(bar) == 3


def test_a_different_order_under_the_same_key_is_refused(bar: Context) -> None:
    offline.take(staff(bar), "key-1", order_in(("TIN", 1, "18"), cash="20"))
    with pytest.raises(Conflict, match="already used for a different offline order"):
        offline.take(staff(bar), "key-1", order_in(("TIN", 2, "18"), cash="40"))
    assert count(bar, t.orders) == 1


def test_an_order_for_stock_that_is_not_there_waits_for_a_decision_with_what_was_paid(bar: Context) -> None:
    sent = offline.take(staff(bar), "key-1", order_in(("TIN", 5, "18"), cash="100"))
    assert sent.state is OfflineState.WAITING and sent.order_id is None
    assert "not enough sellable stock of PINE" in (sent.problem or "")
    assert sent.paid == 9000  # net of the change given
    assert count(bar, t.orders) == 0 and count(bar, t.payments) == 0 and tins(bar) == 4
    assert offline.waiting(bar) == (1, 9000)
    assert [w.id for w in offline.list_offline(bar, OfflineQuery()).items] == [sent.id]
    # the X report says so
    assert reports.x_report(bar).offline_waiting == 1 and reports.x_report(bar).offline_waiting_paid == 9000
    # a resend is answered the same, still waiting
    assert offline.take(staff(bar), "key-1", order_in(("TIN", 5, "18"), cash="100")).replayed


def test_an_order_for_stock_that_arrived_after_it_was_rung_waits(bar: Context) -> None:
    stock.receive(bar, ReceiveLot(sku="PINE", quantity=10, cost="9", expires=day(200)))  # at 10:00
    sent = offline.take(staff(bar), "key-1", order_in(("TIN", 5, "18"), cash="90"))
    assert sent.state is OfflineState.WAITING


def test_an_order_for_an_item_taken_off_the_menu_waits(bar: Context) -> None:
    menu.set_active(bar, "TIN", SetActive(active=False))
    sent = offline.take(staff(bar), "key-1", order_in(("TIN", 1, "18"), cash="20"))
    assert sent.state is OfflineState.WAITING and "not on sale" in (sent.problem or "")


def test_an_order_at_a_price_that_changed_since_the_till_last_saw_it_waits(bar: Context) -> None:
    menu.set_price(bar.at(FixedClock(RUNG - dt.timedelta(minutes=5)), bar.who), "TIN", SetPrice(price="20"))
    sent = offline.take(staff(bar), "key-1", order_in(("TIN", 1, "18"), cash="20"))
    assert sent.state is OfflineState.WAITING
    assert "HK$20.00, not the HK$18.00" in (sent.problem or "")


def test_an_order_rung_on_a_day_since_closed_waits(bar: Context) -> None:
    reports.close_day(bar, CloseDay(date=day(-1)))
    yesterday = RUNG - dt.timedelta(days=1)
    sent = offline.take(staff(bar), "key-1", order_in(("TIN", 1, "18"), cash="20", at=yesterday))
    assert sent.state is OfflineState.WAITING and "is closed" in (sent.problem or "")
    assert sent.rung_at == yesterday


def test_an_order_the_tills_clock_puts_in_the_future_waits_rather_than_being_lost(bar: Context) -> None:
    ahead = NOW + dt.timedelta(hours=2)
    sent = offline.take(staff(bar), "key-1", order_in(("TIN", 1, "18"), cash="20", at=ahead))
    assert sent.state is OfflineState.WAITING and "check the till's clock" in (sent.problem or "")
    assert sent.rung_at == NOW


def test_card_offline_is_refused_without_a_limit_and_above_it_and_taken_within_it(bar: Context) -> None:
    no_limit = offline.take(staff(bar), "key-1", order_in(("TIN", 1, "18"), card="18"))
    assert no_limit.state is OfflineState.WAITING and "does not allow" in (no_limit.problem or "")
    assert offline.set_offline_card_limit(bar, Decimal("20")) == 2000
    above = offline.take(staff(bar), "key-2", order_in(("TIN", 2, "18"), card="36", number="T1-0002"))
    assert above.state is OfflineState.WAITING and "over the shop's offline limit" in (above.problem or "")
    within = offline.take(staff(bar), "key-3", order_in(("TIN", 1, "18"), card="18", number="T1-0003"))
    assert within.state is OfflineState.RECORDED
    split = offline.take(
        staff(bar), "key-4", order_in(("TIN", 2, "18"), card="18", cash="20", number="T1-0004")
    )
    assert split.state is OfflineState.RECORDED  # HK$18 by card is within the limit, the rest cash
    assert offline.snapshot(bar).offline_card_limit == 2000
    assert offline.set_offline_card_limit(bar, None) is None
    assert offline.snapshot(bar).offline_card_limit is None
    with pytest.raises(Forbidden):
        offline.set_offline_card_limit(staff(bar), Decimal("500"))


def test_a_malformed_order_is_refused_outright_and_nothing_is_kept(bar: Context) -> None:
    wrong_sum = order_in(("TIN", 2, "18"), cash="40").model_copy(update={"total": Decimal("30")})
    with pytest.raises(InvalidInput, match=r"lines come to HK\$36\.00 but its total says HK\$30\.00"):
        offline.take(staff(bar), "key-1", wrong_sum)
    with pytest.raises(InvalidInput, match="don't cover"):
        offline.take(staff(bar), "key-2", order_in(("TIN", 2, "18"), cash="20"))
    with pytest.raises(InvalidInput, match="unknown menu item NOPE"):
        offline.take(staff(bar), "key-3", order_in(("NOPE", 1, "18"), cash="20"))
    assert count(bar, t.offline_orders) == 0 and count(bar, t.orders) == 0


def test_accepting_draws_what_stock_there_is_and_records_the_payments(bar: Context) -> None:
    waiting = offline.take(staff(bar), "key-1", order_in(("TIN", 5, "18"), cash="100"))
    decided = offline.decide(bar, waiting.id, DecideOffline(decision="accept", note="the tins were there"))
    assert decided.state is OfflineState.ACCEPTED and decided.resolved_by == "tester"
    assert "not drawn, no stock on record: 1 PINE" in (decided.resolution_note or "")
    assert decided.order_id is not None
    order = orders.get_order(bar, decided.order_id)
    assert order.state is OrderState.PAID and order.total == 9000 and order.offline_number == "T1-0001"
    assert [line.quantity for line in order.lines] == [5]  # five tins, as rung (not five thousand)
    assert [(p.method, p.applied, p.change) for p in order.payments] == [("cash", 9000, 1000)]
    assert order.created_at == RUNG and order.call_number == 1
    assert tins(bar) == 0 and ledger_matches_lots(bar)
    assert offline.waiting(bar) == (0, 0)
    with pytest.raises(Conflict, match="already accepted"):
        offline.decide(bar, waiting.id, DecideOffline(decision="refund", note="changed my mind"))
    # a resend after the decision is answered with the decision, and writes nothing
    again = offline.take(staff(bar), "key-1", order_in(("TIN", 5, "18"), cash="100"))
    assert again.replayed and again.state is OfflineState.ACCEPTED and count(bar, t.orders) == 1


def test_refunding_records_the_payment_and_its_refund_and_draws_nothing(bar: Context) -> None:
    menu.set_active(bar, "TIN", SetActive(active=False))
    waiting = offline.take(staff(bar), "key-1", order_in(("TIN", 2, "18"), cash="50"))
    decided = offline.decide(bar, waiting.id, DecideOffline(decision="refund", note="gave the money back"))
    assert decided.state is OfflineState.REFUNDED and decided.order_id is not None
    order = orders.get_order(bar, decided.order_id)
    assert order.state is OrderState.REFUNDED
    assert [(p.method, p.applied) for p in order.payments] == [("cash", 3600)]
    assert [(r.method, r.amount) for r in order.refunds] == [("cash", 3600)]
    assert "gave the money back" in order.refunds[0].reason
    assert tins(bar) == 4
    x = reports.x_report(bar)
    assert x.refunds == 3600 and x.payments == {"cash": 0} and x.offline_waiting == 0


def test_a_tender_retired_since_does_not_stop_a_decision(bar: Context) -> None:
    tenders.add_tender(bar, TenderIn(name="Octopus"))
    offline.set_offline_card_limit(bar, Decimal("100"))
    cmd = order_in(("TIN", 1, "18"), card="18").model_copy(
        update={"payments": [PaymentIn(method="other", tender="octopus", amount="18")]}
    )
    tenders.set_tender_active(bar, "Octopus", SetTenderActive(active=False))
    waiting = offline.take(staff(bar), "key-1", cmd)
    assert waiting.state is OfflineState.WAITING and "no longer takes Octopus" in (waiting.problem or "")
    decided = offline.decide(bar, waiting.id, DecideOffline(decision="refund", note="no Octopus now"))
    assert decided.order_id is not None
    order = orders.get_order(bar, decided.order_id)
    assert [(r.tender, r.amount) for r in order.refunds] == [("Octopus", 1800)]


def test_a_refund_of_an_order_that_came_to_nothing_gives_nothing_back(bar: Context) -> None:
    menu.add_menu_item(
        bar.at(FixedClock(RUNG - dt.timedelta(days=1)), bar.who),
        AddMenuItem(code="WATER", name="Tap water", price="0", product="PINE"),
    )
    menu.set_active(bar, "WATER", SetActive(active=False))
    waiting = offline.take(staff(bar), "key-1", order_in(("WATER", 1, "0")))
    assert waiting.state is OfflineState.WAITING and waiting.paid == 0
    decided = offline.decide(bar, waiting.id, DecideOffline(decision="refund", note="nothing to give"))
    assert decided.state is OfflineState.REFUNDED


def test_modifiers_chosen_offline_are_recorded_with_the_line(bar: Context) -> None:
    modifiers.add_group(bar, AddModifierGroup(code="SIZE", name="Size", min=1, max=1))
    modifiers.add_option(bar, "SIZE", AddModifierOption(code="REG", name="Regular"))
    modifiers.add_option(
        bar, "SIZE", AddModifierOption(code="TWO", name="Two tins", price="16", effect="scale", factor="2")
    )
    modifiers.offer(bar, "TIN", OfferModifiers(groups=["SIZE"]))
    snap = offline.snapshot(bar)
    tin = next(i for i in snap.items if i.code == "TIN")
    assert [(g.code, g.min_choices, [(o.code, o.price_delta) for o in g.options]) for g in tin.groups] == [
        ("SIZE", 1, [("REG", 0), ("TWO", 1600)])
    ]
    cmd = order_in(("TIN", 1, "34"), cash="40")
    cmd = cmd.model_copy(update={"lines": [cmd.lines[0].model_copy(update={"modifiers": ["TWO"]})]})
    sent = offline.take(staff(bar), "key-1", cmd)
    assert sent.state is OfflineState.RECORDED and sent.order_id is not None
    order = orders.get_order(bar, sent.order_id)
    assert order.total == 3400 and [m.code for m in order.lines[0].modifiers] == ["TWO"]
    assert tins(bar) == 2
    # a required choice left out is not an order the server can record as rung: it waits
    bare = offline.take(staff(bar), "key-2", order_in(("TIN", 1, "18"), cash="20", number="T1-0002"))
    assert bare.state is OfflineState.WAITING and "needs a choice of Size" in (bare.problem or "")


def test_staff_can_see_a_waiting_order_but_not_decide_it(bar: Context) -> None:
    waiting = offline.take(staff(bar), "key-1", order_in(("TIN", 5, "18"), cash="90"))
    assert offline.get_offline(staff(bar), waiting.id).state is OfflineState.WAITING
    with pytest.raises(Forbidden):
        offline.decide(staff(bar), waiting.id, DecideOffline(decision="accept", note="fine"))
    assert offline.get_offline(bar, waiting.id).state is OfflineState.WAITING


def test_the_same_order_sent_from_four_threads_at_once_is_recorded_once(bar: Context) -> None:
    results: list[object] = []
    barrier = threading.Barrier(4)
    cmd = order_in(("TIN", 2, "18"), cash="40")

    def send() -> None:
        barrier.wait()
        try:
            results.append(offline.take(staff(bar), "key-1", cmd))
        except Exception as exc:  # reported by the assertion below
            results.append(exc)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(isinstance(r, offline.OfflineInfo) for r in results), results
    assert sorted(r.replayed for r in results) == [False, True, True, True]  # type: ignore[attr-defined]
    assert len({r.order_id for r in results}) == 1  # type: ignore[attr-defined]
    assert count(bar, t.orders) == 1 and count(bar, t.payments) == 1 and count(bar, t.offline_orders) == 1
    assert tins(bar) == 2


def test_the_same_waiting_order_sent_from_four_threads_at_once_waits_once(bar: Context) -> None:
    results: list[object] = []
    barrier = threading.Barrier(4)
    cmd = order_in(("TIN", 9, "18"), cash="200")

    def send() -> None:
        barrier.wait()
        try:
            results.append(offline.take(staff(bar), "key-1", cmd))
        except Exception as exc:  # reported by the assertion below
            results.append(exc)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert all(isinstance(r, offline.OfflineInfo) for r in results), results
    assert {r.state for r in results} == {OfflineState.WAITING}  # type: ignore[attr-defined]
    assert count(bar, t.offline_orders) == 1 and count(bar, t.orders) == 0


def test_the_snapshot_has_the_menu_with_prices_and_modifiers_the_tenders_and_who_is_signed_in(
    bar: Context,
) -> None:
    menu.add_menu_item(bar, AddMenuItem(code="OLD", name="Old stock", price="5", product="PINE"))
    menu.set_active(bar, "OLD", SetActive(active=False))
    snap = offline.snapshot(staff(bar))
    assert snap.user == "kwan" and snap.currency == "HKD" and snap.digits == 2
    assert snap.issued_at == NOW and snap.offline_card_limit is None
    assert {(i.code, i.price) for i in snap.items} == {("TIN", 1800), ("SALAD", 3800)}


def test_a_parked_table_paid_while_offline_settles_the_parked_order_once(bar: Context) -> None:
    """The till carries a reopened table's key offline; when it arrives, that order is the one paid."""
    parked = orders.park_order(
        bar.at(FixedClock(RUNG - dt.timedelta(minutes=30)), bar.who),
        "table-3",
        build(ParkOrder, {"lines": [{"code": "TIN", "quantity": "1"}], "label": "Table 3"}),
    )
    sent = offline.take(staff(bar), "table-3", order_in(("TIN", 2, "18"), cash="40"))
    assert sent.state is OfflineState.RECORDED and sent.order_id == parked.id
    paid = orders.get_order(bar, parked.id)
    assert paid.state is OrderState.PAID and paid.total == 3600 and paid.label == "Table 3"
    assert count(bar, t.orders) == 1 and tins(bar) == 2 and ledger_matches_lots(bar)
    assert offline.take(staff(bar), "table-3", order_in(("TIN", 2, "18"), cash="40")).replayed


def test_a_key_an_offline_order_waits_under_is_not_taken_by_an_order_online(bar: Context) -> None:
    waiting = offline.take(staff(bar), "key-1", order_in(("TIN", 5, "18"), cash="90"))
    assert waiting.state is OfflineState.WAITING
    online = build(
        PlaceOrder,
        {"lines": [{"code": "TIN", "quantity": "1"}], "payments": [{"method": "cash", "amount": "20"}]},
    )
    with pytest.raises(Conflict, match="already used for offline order T1-0001"):
        orders.place_order(bar, "key-1", online)
    with pytest.raises(Conflict, match="already used for offline order T1-0001"):
        orders.park_order(
            bar, "key-1", build(ParkOrder, {"lines": [{"code": "TIN", "quantity": "1"}], "label": "T"})
        )
    decided = offline.decide(bar, waiting.id, DecideOffline(decision="refund", note="sold out"))
    assert decided.state is OfflineState.REFUNDED and count(bar, t.orders) == 1


def test_a_parked_order_voided_before_its_offline_payment_arrived_can_still_be_decided(bar: Context) -> None:
    parked = orders.park_order(
        bar.at(FixedClock(RUNG - dt.timedelta(minutes=30)), bar.who),
        "table-3",
        build(ParkOrder, {"lines": [{"code": "TIN", "quantity": "1"}], "label": "Table 3"}),
    )
    orders.void_order(bar, parked.id, VoidOrder(reason="left, we thought"))
    sent = offline.take(staff(bar), "table-3", order_in(("TIN", 1, "18"), cash="20"))
    assert sent.state is OfflineState.WAITING and "void" in (sent.problem or "")
    decided = offline.decide(bar, sent.id, DecideOffline(decision="accept", note="they paid"))
    assert decided.order_id not in (None, parked.id)
    assert orders.get_order(bar, decided.order_id or 0).state is OrderState.PAID


def test_payments_no_till_could_take_are_refused_outright(bar: Context) -> None:
    offline.set_offline_card_limit(bar, Decimal("200"))
    with pytest.raises(InvalidInput, match="only cash gets change"):
        offline.take(staff(bar), "key-1", order_in(("TIN", 1, "18"), card="100"))
    with pytest.raises(InvalidInput, match="no cash is due"):
        offline.take(staff(bar), "key-2", order_in(("TIN", 1, "18"), card="18", cash="100"))
    assert count(bar, t.offline_orders) == 0 and offline.waiting(bar) == (0, 0)


def test_an_order_said_to_be_rung_before_a_price_rise_waits_for_a_manager(bar: Context) -> None:
    """The time an order was rung is the till's word: it must not buy the old price unchecked."""
    menu.set_price(bar.at(FixedClock(RUNG + dt.timedelta(minutes=5)), bar.who), "TIN", SetPrice(price="20"))
    sent = offline.take(staff(bar), "key-1", order_in(("TIN", 1, "18"), cash="20"))
    assert sent.state is OfflineState.WAITING and "price of TIN changed after" in (sent.problem or "")


def test_an_order_arriving_many_hours_after_it_was_rung_waits_and_is_booked_today_if_very_old(
    bar: Context,
) -> None:
    late = offline.take(
        staff(bar), "key-1", order_in(("TIN", 1, "18"), cash="20", at=NOW - dt.timedelta(hours=13))
    )
    assert late.state is OfflineState.WAITING and "arrived 13 hours after" in (late.problem or "")
    ancient = offline.take(
        staff(bar),
        "key-2",
        order_in(("TIN", 1, "18"), cash="20", at=NOW - dt.timedelta(days=400), number="T1-0002"),
    )
    assert ancient.state is OfflineState.WAITING
    accepted = offline.decide(bar, ancient.id, DecideOffline(decision="accept", note="found it"))
    assert orders.get_order(bar, accepted.order_id or 0).business_date == day(0)


def test_a_tender_the_shop_never_had_is_refused_outright(bar: Context) -> None:
    bitcoin = order_in(("TIN", 1, "18"), cash="20").model_copy(
        update={"payments": [PaymentIn(method="other", amount=Decimal("18"), tender="Bitcoin")]}
    )
    offline.set_offline_card_limit(bar, Decimal("100"))
    with pytest.raises(InvalidInput, match="no tender called Bitcoin"):
        offline.take(staff(bar), "key-1", bitcoin)
    assert count(bar, t.offline_orders) == 0
