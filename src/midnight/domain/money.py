"""Money in integer minor units of a currency (cents). Never float.

Rounding rule: when a cost must be split (the cost of 0.125 kg at a per-kg price),
the result is rounded half up to the nearest minor unit, once, at the end.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision

from midnight.domain.errors import InvalidInput
from midnight.domain.quantity import SCALE, exact_decimal

# HK$100,000,000.00 in a two-digit currency: far above any price, cost or payment at a counter.
MAX_MINOR = 10**10


def minor_digits(currency: str) -> int:
    return int(get_currency_precision(currency))


def parse_amount(value: object, *, field: str = "amount") -> Decimal:
    """An amount of money as typed ("12.50"), exact, not negative, not absurd; any currency."""
    amount = exact_decimal(value, field, '"12.50"')
    if amount < 0:
        raise InvalidInput(f"{field} must not be negative, got {amount}", field=field)
    if amount > Decimal(MAX_MINOR) / 100:
        raise InvalidInput(f"{field} {amount} is too large", field=field)
    return amount


def to_minor(amount: Decimal, currency: str, *, field: str = "amount") -> int:
    """An exact amount in minor units of `currency`; refuses fractions of a cent (or of a yen)."""
    minor = amount.scaleb(minor_digits(currency))
    if minor != minor.to_integral_value():
        raise InvalidInput(f"{field} {amount} has more decimal places than {currency} allows", field=field)
    if minor > MAX_MINOR:
        raise InvalidInput(f"{field} {amount} is too large", field=field)
    return int(minor)


def parse_money(value: object, currency: str, *, field: str = "cost") -> int:
    """Parse "12.50" into 1250 minor units; refuse negatives, junk and sub-cent amounts."""
    return to_minor(parse_amount(value, field=field), currency, field=field)


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


def parse_signed_amount(value: object, *, field: str = "amount") -> Decimal:
    """An amount that may take off as well as add ("-2.00" for "no ham"), exact and not absurd."""
    raw = value.strip() if isinstance(value, str) else value
    if isinstance(raw, str) and raw.startswith(("-", "−")):
        return -parse_amount(raw[1:], field=field)
    if isinstance(raw, int) and not isinstance(raw, bool) and raw < 0:
        return -parse_amount(-raw, field=field)
    return parse_amount(raw, field=field)
