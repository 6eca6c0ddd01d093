"""Exact quantities, stored as integer thousandths of a product's unit ("milli").

A tin is 1000, a tenth of a lettuce is 100, 0.125 kg is 125. Never float.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from midnight.domain.errors import InvalidInput

SCALE = 1000


def parse_quantity(text: str | int | Decimal, *, field: str = "quantity", allow_zero: bool = False) -> int:
    """Parse a quantity such as "3", "0.125" into milli-units; reject zero, negatives, junk."""
    if isinstance(text, (bool, float)):
        raise InvalidInput(f"{field} must be an exact decimal, not {text!r}", field=field)
    raw = str(text).strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput(f"{field} must be a number, got {raw!r}", field=field) from None
    if not value.is_finite():
        raise InvalidInput(f"{field} must be a finite number, got {raw!r}", field=field)
    milli = value * SCALE
    if milli != milli.to_integral_value():
        raise InvalidInput(f"{field} {raw} has more than 3 decimal places", field=field)
    result = int(milli)
    if result < 0 or (result == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "greater than zero"
        raise InvalidInput(f"{field} must be {bound}, got {raw}", field=field)
    if result > 10**15:
        raise InvalidInput(f"{field} {raw} is too large", field=field)
    return result


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
