"""Exact quantities, stored as integer thousandths of a product's unit ("milli").

A tin is 1000, a tenth of a lettuce is 100, 0.125 kg is 125. Never float.
"""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal

from midnight.domain.errors import InvalidInput

SCALE = 1000
MAX_UNITS = 1_000_000  # a million of anything is more than a snack bar ever counts in one go
MAX_MILLI = MAX_UNITS * SCALE
# Plain ASCII decimals only: "1_000", "1e3", "١٢" and "１２" are all refused, not reinterpreted.
_DECIMAL = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def exact_decimal(value: object, field: str, example: str) -> Decimal:
    """A number a person typed or a program sent, as an exact Decimal; floats and booleans refused."""
    if isinstance(value, bool | float):
        shown = json.dumps(value)  # as it was sent: true, 1.5 (not Python's True)
        raise InvalidInput(f"{field} must be an exact number like {example}, not {shown}", field=field)
    if isinstance(value, int | Decimal):
        number = Decimal(value)
        if not number.is_finite():
            raise InvalidInput(f"{field} must be a number like {example}", field=field)
        return number
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a number like {example}", field=field)
    raw = value.strip()
    if len(raw) > 40 or not _DECIMAL.match(raw):
        shown = raw if len(raw) <= 40 else raw[:37] + "..."
        raise InvalidInput(f"{field} must be a number like {example}, got {shown!r}", field=field)
    return Decimal(raw)


def parse_quantity(value: object, *, field: str = "quantity", allow_zero: bool = False) -> int:
    """Parse a quantity such as "3" or "0.125" into milli-units; refuse zero, negatives, junk, excess."""
    number = exact_decimal(value, field, '"2" or "0.125"')
    if number < 0 or (number == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "greater than zero"
        raise InvalidInput(f"{field} must be {bound}, got {number}", field=field)
    if number > MAX_UNITS:
        raise InvalidInput(f"{field} {number} is too large (at most {MAX_UNITS:,})", field=field)
    milli = number * SCALE
    if milli != milli.to_integral_value():
        raise InvalidInput(f"{field} {number} has more than 3 decimal places", field=field)
    return int(milli)


def format_quantity(milli: int) -> str:
    """1000 -> "1", 125 -> "0.125", -2500 -> "-2.5"."""
    text = format(Decimal(milli) / SCALE, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def to_decimal(milli: int) -> Decimal:
    """Milli-units as an exact Decimal without trailing zeros or exponent (10000 -> 10)."""
    whole, part = divmod(abs(milli), SCALE)
    sign = "-" if milli < 0 else ""
    if not part:
        return Decimal(f"{sign}{whole}")
    return Decimal(f"{sign}{whole}.{part:03d}".rstrip("0"))


def format_about(value: Decimal) -> str:
    """A forecast quantity as a person reads it: one decimal at most (14.487 -> "14.5", 3.0 -> "3")."""
    text = format(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), "f")
    return text[:-2] if text.endswith(".0") else text
