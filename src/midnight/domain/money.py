"""Money in integer minor units of a currency (cents). Never float.

Rounding rule: when a cost must be split (the cost of 0.125 kg at a per-kg price),
the result is rounded half up to the nearest minor unit, once, at the end.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision

from midnight.domain.errors import InvalidInput
from midnight.domain.quantity import SCALE


def minor_digits(currency: str) -> int:
    return int(get_currency_precision(currency))


def parse_money(text: str | int | Decimal, currency: str, *, field: str = "cost") -> int:
    """Parse "12.50" into 1250 minor units; refuse negatives, junk and sub-cent amounts."""
    if isinstance(text, (bool, float)):
        raise InvalidInput(f"{field} must be an exact decimal, not {text!r}", field=field)
    raw = str(text).strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput(f"{field} must be an amount like 12.50, got {raw!r}", field=field) from None
    if not value.is_finite():
        raise InvalidInput(f"{field} must be an amount like 12.50, got {raw!r}", field=field)
    if value < 0:
        raise InvalidInput(f"{field} must not be negative, got {raw}", field=field)
    minor = value.scaleb(minor_digits(currency))
    if minor != minor.to_integral_value():
        raise InvalidInput(f"{field} {raw} has more decimal places than {currency} allows", field=field)
    if minor > 10**13:
        raise InvalidInput(f"{field} {raw} is too large", field=field)
    return int(minor)


def cost_of(unit_cost: int, milli: int) -> int:
    """Cost of `milli` thousandths of a unit at `unit_cost` minor units per unit, half up."""
    product = unit_cost * milli
    sign = -1 if product < 0 else 1
    return sign * ((abs(product) + SCALE // 2) // SCALE)


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-minor_digits(currency))


def format_money(minor: int, currency: str, locale: str = "en_HK") -> str:
    """1250 HKD -> "HK$12.50", formatted for the store's locale by Babel."""
    return str(format_currency(to_decimal(minor, currency), currency, locale=locale))
