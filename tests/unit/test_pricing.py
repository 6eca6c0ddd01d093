from decimal import Decimal

import pytest

from midnight.domain.errors import InvalidInput
from midnight.domain.menu import Markdown, RecipeLine, check_markdown, markdown_amount, scale_recipe
from midnight.domain.pricing import (
    Discount,
    DiscountKind,
    LineInput,
    Method,
    Tender,
    discount_of,
    line_gross,
    parse_discount_spec,
    parse_percent,
    price_order,
    settle,
)


def pct(value: str, reason: str = "staff") -> Discount:
    return Discount(DiscountKind.PERCENT, Decimal(value), reason)


def amount(minor: int, reason: str = "regular") -> Discount:
    return Discount(DiscountKind.AMOUNT, Decimal(minor), reason)


def test_line_gross_is_exact_and_rounds_half_up_once() -> None:
    assert line_gross(3800, 2000) == 7600
    assert line_gross(999, 500) == 500  # 4.995 -> 5.00
    assert line_gross(1000, 125) == 125


def test_totals_add_up_with_line_and_order_discounts() -> None:
    priced = price_order(
        [LineInput(1800, 2000), LineInput(3800, 1000, pct("10"))],
        amount(500),
    )
    assert [p.net for p in priced.lines] == [3600, 3420]
    assert priced.gross == 7400 and priced.line_discounts == 380 and priced.order_discount == 500
    assert priced.total == 6520
    assert priced.total == priced.gross - priced.markdowns - priced.discounts


def test_percent_order_discount_applies_after_line_discounts_and_markdowns() -> None:
    priced = price_order([LineInput(1800, 2000, markdown=1080), LineInput(3800, 1000)], pct("10"))
    # (3600 - 1080 + 3800) * 10% = 632
    assert priced.order_discount == 632 and priced.total == 5688


def test_percent_discount_rounds_half_up() -> None:
    assert price_order([LineInput(125, 1000)], pct("10")).order_discount == 13  # 12.5 -> 13


def test_an_amount_discount_cannot_exceed_what_it_applies_to() -> None:
    with pytest.raises(InvalidInput, match="more than the line"):
        price_order([LineInput(1000, 1000, amount(1001))], None)
    with pytest.raises(InvalidInput, match="more than the order total"):
        price_order([LineInput(1000, 1000)], amount(2000))


def test_a_discount_is_a_percentage_or_an_amount_in_the_stores_currency() -> None:
    assert discount_of(parse_discount_spec("10%"), "staff", "HKD") == pct("10")
    assert discount_of(parse_discount_spec("5.50"), "regular", "HKD") == amount(550, "regular")
    with pytest.raises(InvalidInput, match="at most 100"):
        parse_discount_spec("150%")
    with pytest.raises(InvalidInput, match="more than zero"):
        parse_discount_spec("0")
    with pytest.raises(InvalidInput, match="2 decimal places"):
        parse_percent("10.125")
    with pytest.raises(InvalidInput, match="more decimal places than JPY allows"):
        discount_of(parse_discount_spec("5.50"), "regular", "JPY")


@pytest.mark.parametrize("text", ["10%%", "%10", "10 %%", "1e1%", "１０%", "-5%", "10%5"])
def test_a_discount_that_is_not_one_plain_percentage_or_amount_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_discount_spec(text)


def test_a_discount_larger_than_the_order_says_so_in_money_not_minor_units() -> None:
    with pytest.raises(
        InvalidInput, match=r"a discount of HK\$999.00 is more than the order total \(HK\$9.00\)"
    ):
        price_order([LineInput(900, 1000)], amount(99900), lambda m: f"HK${m / 100:.2f}")


def test_cash_gets_change_card_pays_exactly() -> None:
    settled = settle(5688, [Tender(Method.CASH, 10000)])
    assert settled[0].applied == 5688 and settled[0].change == 4312
    split = settle(5688, [Tender(Method.CARD, 2000), Tender(Method.CASH, 5000)])
    assert [(s.applied, s.change) for s in split] == [(2000, 0), (3688, 1312)]


def test_payments_short_or_card_overpaying_are_refused() -> None:
    with pytest.raises(InvalidInput, match="short of the total"):
        settle(5688, [Tender(Method.CASH, 5000)])
    with pytest.raises(InvalidInput, match="only cash gets change"):
        settle(5688, [Tender(Method.CARD, 6000)])
    with pytest.raises(InvalidInput, match="more than zero"):
        settle(100, [Tender(Method.CASH, 0)])


def test_a_free_order_needs_no_payment() -> None:
    assert settle(0, []) == []


def test_cash_that_pays_nothing_of_the_order_is_refused() -> None:
    # the card covers all 18: cash 20 on top would be "applied 0, change 20" — a slip, not a payment
    with pytest.raises(InvalidInput, match="no cash is due"):
        settle(1800, [Tender(Method.CASH, 2000), Tender(Method.CARD, 1800)])


def test_markdown_prices_down_only_the_units_from_marked_lots() -> None:
    # 1 of 3 tins came from a lot inside the window: 30% of one HK$18 tin.
    assert markdown_amount(1800, 1000, 1000, Decimal("30")) == 540
    # a menu unit drawing 0.5 kg: 0.25 kg marked down is half a unit
    assert markdown_amount(2000, 500, 250, Decimal("10")) == 100


def test_markdown_window_counts_days_to_effective_expiry() -> None:
    import datetime as dt

    rule = Markdown(2, Decimal("30"))
    today = dt.date(2026, 11, 25)
    assert rule.applies(dt.date(2026, 11, 27), today)
    assert not rule.applies(dt.date(2026, 11, 28), today)


def test_markdown_needs_both_parts_and_a_direct_product() -> None:
    one = [RecipeLine("PINE", 1000)]
    assert check_markdown(2, Decimal("30"), len(one)) == Markdown(2, Decimal("30"))
    assert check_markdown(None, None, len(one)) is None
    with pytest.raises(InvalidInput, match="both"):
        check_markdown(2, None, len(one))
    with pytest.raises(InvalidInput, match="one product directly"):
        check_markdown(2, Decimal("30"), 2)


def test_recipes_scale_with_the_quantity_sold() -> None:
    salad = [RecipeLine("LETTUCE", 100), RecipeLine("HAM", 2000)]
    assert scale_recipe(salad, 3000) == [("LETTUCE", 300), ("HAM", 6000)]
    assert scale_recipe(salad, 500) == [("LETTUCE", 50), ("HAM", 1000)]
    with pytest.raises(InvalidInput, match="would draw no"):
        scale_recipe([RecipeLine("SALT", 1)], 1)


def test_payment_methods() -> None:
    assert Method.parse("CARD") is Method.CARD
    with pytest.raises(InvalidInput, match="cash, card or other"):
        Method.parse("cheque")
