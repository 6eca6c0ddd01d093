from decimal import Decimal

import pytest

from midnight.domain.errors import InvalidInput
from midnight.domain.money import cost_of, format_money, parse_money
from midnight.domain.quantity import format_quantity, parse_quantity, to_decimal


@pytest.mark.parametrize(
    ("text", "milli"), [("1", 1000), ("0.125", 125), (" 2.5 ", 2500), ("10", 10000), ("0.001", 1)]
)
def test_parses_exact_quantities_into_thousandths(text: str, milli: int) -> None:
    assert parse_quantity(text) == milli


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "greater than zero"),
        ("-3", "greater than zero"),
        ("abc", "must be a number"),
        ("0.0001", "more than 3 decimal places"),
        ("nan", "must be a number"),
        ("1e30", "must be a number"),
        ("1000001", "too large"),
        # Not plain ASCII decimals: refused, never reinterpreted.
        ("1_000", "must be a number"),
        ("1e3", "must be a number"),
        ("1e999999", "must be a number"),
        ("١٢", "must be a number"),
        ("１２", "must be a number"),
        ("0x10", "must be a number"),
        ("+5", "must be a number"),
    ],
)
def test_refuses_bad_quantities_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_quantity(text)


@pytest.mark.parametrize("value", [0.1, True, False, None, [1], {"q": 1}])
def test_refuses_floats_booleans_and_other_kinds_of_value(value: object) -> None:
    with pytest.raises(InvalidInput, match="number like"):
        parse_quantity(value)


def test_zero_is_allowed_for_a_count() -> None:
    assert parse_quantity("0", allow_zero=True) == 0


def test_formats_quantities_without_trailing_zeros() -> None:
    assert format_quantity(10000) == "10"
    assert format_quantity(125) == "0.125"
    assert format_quantity(-2500) == "-2.5"
    assert to_decimal(10000) == Decimal("10")
    assert str(to_decimal(10000)) == "10"


def test_parses_money_into_minor_units() -> None:
    assert parse_money("12.50", "HKD") == 1250
    assert parse_money("0", "HKD") == 0
    assert parse_money("300", "JPY") == 300


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-1", "negative"),
        ("1.005", "decimal places"),
        ("x", "must be a number"),
        ("1e999999", "must be a number"),
        ("1e3", "must be a number"),
        ("100000001", "too large"),
    ],
)
def test_refuses_bad_money(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_money(text, "HKD")


def test_cost_of_part_of_a_unit_rounds_half_up_once() -> None:
    assert cost_of(1250, 1000) == 1250
    assert cost_of(1250, 125) == 156  # 156.25 -> 156
    assert cost_of(1000, 1) == 1  # 1.0
    assert cost_of(500, 1) == 1  # 0.5 -> 1 (half up)
    assert cost_of(1250, -125) == -156  # symmetric for negative movements


def test_formats_money_for_the_store_locale() -> None:
    assert format_money(1250, "HKD", "en_HK") == "HK$12.50"
    assert format_money(123456, "HKD", "zh_Hant_HK") == "HK$1,234.56"
