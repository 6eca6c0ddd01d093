"""Tenders besides cash and card: named by the owner, exact like a card, reported apart, refunded to."""

from __future__ import annotations

import pytest

from midnight.commands import build
from midnight.commands.till import PlaceOrder, RefundOrder, SetTenderActive, TenderIn
from midnight.domain.errors import Conflict, Forbidden, InvalidInput
from midnight.domain.people import Actor, Role
from midnight.services import orders, receipts, reports, tenders
from midnight.services.context import Context
from tests.integration.till_setup import open_snack_bar, stock_up


@pytest.fixture
def bar(ctx: Context) -> Context:
    open_snack_bar(ctx)
    stock_up(ctx)
    for name in ("Octopus", "FPS"):
        tenders.add_tender(ctx, TenderIn(name=name))
    return ctx


def sale(ctx: Context, key: str, *payments: dict[str, str], code: str = "TIN") -> orders.OrderInfo:
    return orders.place_order(
        ctx, key, build(PlaceOrder, {"lines": [{"code": code}], "payments": list(payments)})
    )


def test_a_named_tender_pays_exactly_and_the_reports_show_it_apart(bar: Context) -> None:
    paid = sale(bar, "k1", {"method": "other", "tender": "octopus", "amount": "18"})
    assert [(p.method, p.tender, p.change) for p in paid.payments] == [("other", "Octopus", 0)]
    assert "Octopus" in receipts.render(bar, paid, 80)
    sale(bar, "k2", {"method": "other", "tender": "FPS", "amount": "10"}, {"method": "cash", "amount": "10"})
    with pytest.raises(InvalidInput, match="only cash gets change"):
        sale(bar, "k3", {"method": "other", "tender": "FPS", "amount": "20"})
    day = reports.x_report(bar, bar.today())
    assert day.payments == {"Octopus": 1800, "FPS": 1000, "cash": 800}
    assert day.cash_expected >= 800


def test_unknown_retired_and_unnamed_tenders_are_refused_clearly(bar: Context) -> None:
    with pytest.raises(InvalidInput, match=r"no tender called Alipay \(it takes FPS, Octopus\)"):
        sale(bar, "k1", {"method": "other", "tender": "Alipay", "amount": "18"})
    with pytest.raises(InvalidInput, match="names its tender"):
        sale(bar, "k2", {"method": "other", "amount": "18"})
    with pytest.raises(InvalidInput, match="no tender name"):
        sale(bar, "k3", {"method": "card", "tender": "FPS", "amount": "18"})
    tenders.set_tender_active(bar, "fps", SetTenderActive(active=False))
    with pytest.raises(InvalidInput, match="no longer takes FPS"):
        sale(bar, "k4", {"method": "other", "tender": "FPS", "amount": "18"})
    assert [t.name for t in tenders.list_tenders(bar)] == ["Octopus"]
    with pytest.raises(InvalidInput, match="built in"):
        tenders.add_tender(bar, TenderIn(name="Cash"))
    with pytest.raises(Conflict, match="already a tender called Octopus"):
        tenders.add_tender(bar, TenderIn(name="OCTOPUS"))
    with pytest.raises(Forbidden):
        tenders.add_tender(bar.acting_as(Actor("kwan", Role.STAFF)), TenderIn(name="WeChat Pay"))


def test_a_refund_goes_back_by_the_tender_it_was_paid_with(bar: Context) -> None:
    paid = sale(
        bar,
        "k1",
        {"method": "other", "tender": "Octopus", "amount": "10"},
        {"method": "cash", "amount": "10"},
    )
    back = orders.refund_order(bar, paid.id, RefundOrder(reason="wrong item"))
    assert sorted((r.label, r.amount) for r in back.refunds) == [("Octopus", 1000), ("cash", 800)]
    day = reports.x_report(bar, bar.today())
    assert day.payments.get("Octopus", 0) == 0 and day.payments.get("cash", 0) == 0
    again = sale(bar, "k2", {"method": "other", "tender": "Octopus", "amount": "18"})
    one = orders.refund_order(bar, again.id, RefundOrder(reason="dented", method="other", tender="octopus"))
    assert [(r.method, r.tender) for r in one.refunds] == [("other", "Octopus")]


def test_a_retry_gets_its_order_back_even_after_the_tender_is_retired(bar: Context) -> None:
    first = sale(bar, "k1", {"method": "other", "tender": "FPS", "amount": "18"})
    tenders.set_tender_active(bar, "FPS", SetTenderActive(active=False))
    again = sale(bar, "k1", {"method": "other", "tender": "fps", "amount": "18"})
    assert again.id == first.id and again.replayed


def test_tender_names_that_look_alike_are_one_and_none_can_break_its_address(bar: Context) -> None:
    with pytest.raises(Conflict, match="already a tender called Octopus"):
        tenders.add_tender(bar, TenderIn(name="OCTOPUS  "))
    tenders.add_tender(bar, TenderIn(name="WeChat   Pay"))
    assert "WeChat Pay" in [t.name for t in tenders.list_tenders(bar)]
    with pytest.raises(Conflict):
        tenders.add_tender(bar, TenderIn(name="wechat pay"))
    with pytest.raises(InvalidInput, match="can't contain"):
        tenders.add_tender(bar, TenderIn(name="Pay/Me"))


def test_a_refund_naming_only_a_tender_goes_back_by_it_and_an_empty_list_refunds_nothing(
    bar: Context,
) -> None:
    paid = sale(bar, "k1", {"method": "other", "tender": "Octopus", "amount": "18"})
    with pytest.raises(InvalidInput, match="lines"):
        orders.refund_order(bar, paid.id, build(RefundOrder, {"reason": "x", "lines": []}))
    asked = {"reason": "x", "tender": "octopus", "lines": [{"line": 1, "quantity": 1}]}
    back = orders.refund_order(bar, paid.id, build(RefundOrder, asked))
    assert [(r.method, r.label, r.amount) for r in back.refunds] == [("other", "Octopus", 1800)]
    with pytest.raises(InvalidInput, match="has no tender name"):
        build(RefundOrder, {"reason": "x", "method": "card", "tender": "Octopus"})


def test_an_order_that_comes_to_nothing_is_paid_with_no_payments(bar: Context) -> None:
    from midnight.commands.till import PayOrder

    opened = orders.place_order(
        bar,
        "free",
        build(PlaceOrder, {"lines": [{"code": "TIN"}], "discount": "100%", "discount_reason": "staff meal"}),
    )
    with pytest.raises(InvalidInput, match="comes to nothing"):
        orders.pay_order(bar, opened.id, build(PayOrder, {"payments": [{"method": "cash", "amount": "1"}]}))
    paid = orders.pay_order(bar, opened.id, build(PayOrder, {"payments": []}))
    assert paid.state.value == "paid" and paid.total == 0 and paid.payments == []
