"""The rules for a till PIN: 4 to 8 ASCII digits, and none of the first a guesser tries."""

from __future__ import annotations

import pytest

from midnight.commands import build
from midnight.commands.people import SetPin
from midnight.domain.errors import InvalidInput
from midnight.domain.people import check_pin

LENGTH = "a PIN is 4 to 8 digits, 0-9 only"


@pytest.mark.parametrize("pin", ["2580", "97531", "13572468", "0852", "1122", "1004", "2323232"])
def test_a_pin_of_four_to_eight_digits_that_is_not_guessed_first_is_taken(pin: str) -> None:
    assert check_pin(pin) == pin


@pytest.mark.parametrize(
    ("pin", "message"),
    [
        ("258", LENGTH),
        ("258013579", LENGTH),
        ("", LENGTH),
        ("25a0", LENGTH),
        (" 2580", LENGTH),
        ("2580\n", LENGTH),
        ("٢٥٨٠", LENGTH),  # Arabic-Indic digits are digits, but not 0-9
        ("２５８０", LENGTH),  # full-width digits
        (2580, LENGTH),
        (
            "0000",
            "one digit repeated (like 0000) is among the first PINs a guesser tries: choose another PIN",
        ),
        ("99999999", "one digit repeated"),
        ("1234", "a straight run of digits (like 1234 or 4321)"),
        ("87654321", "a straight run of digits"),
        ("7890", "a straight run of digits"),
        ("2109", "a straight run of digits"),
        ("1212", "a pair of digits repeated (like 1212)"),
        ("696969", "a pair of digits repeated"),
    ],
)
def test_a_pin_that_is_too_short_long_not_digits_or_guessed_first_is_refused_saying_why(
    pin: object, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_pin(pin)
    assert refused.value.message.startswith(message)
    assert refused.value.field == "pin"


def test_the_set_pin_command_applies_the_rules_to_its_pin_field() -> None:
    with pytest.raises(InvalidInput, match="a straight run of digits") as refused:
        build(SetPin, {"pin": "4321"})
    assert refused.value.field == "pin"
    assert build(SetPin, {"pin": "2580"}).pin == "2580"
