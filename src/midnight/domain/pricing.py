"""Pricing an order exactly, in minor units.

Rounding rule (documented in docs/till.md): every amount that is not a whole number of minor units
is rounded half up, once, where it arises:
- a line's gross = unit price x quantity;
- a markdown = unit price x marked-down quantity x markdown percent;
- a line discount in percent applies to the line after its markdown;
- an order discount in percent applies to the sum of the lines after their own discounts.
An amount discount may not exceed what it applies to. Totals are sums of the rounded parts, so
the receipt always adds up.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from midnight.domain.errors import InvalidInput
from midnight.domain.money import parse_money
from midnight.domain.quantity import SCALE


def round_half_up(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def line_gross(unit_price: int, milli: int) -> int:
    return round_half_up(Decimal(unit_price) * milli / SCALE)


def percent_of(amount: int, percent: Decimal) -> int:
    return round_half_up(Decimal(amount) * percent / 100)


def parse_percent(text: str | Decimal | int, *, field: str = "percent") -> Decimal:
    raw = str(text).strip().rstrip("%").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput(
            f"{field} must be a percentage like 10 or 12.5, got {text!r}", field=field
        ) from None
    if not value.is_finite() or value <= 0 or value > 100:
        raise InvalidInput(f"{field} must be more than 0 and at most 100, got {text}", field=field)
    if value != value.quantize(Decimal("0.01")):
        raise InvalidInput(f"{field} {text} has more than 2 decimal places", field=field)
    return value


class DiscountKind(enum.StrEnum):
    AMOUNT = "amount"
    PERCENT = "percent"


@dataclass(frozen=True)
class Discount:
    kind: DiscountKind
    value: Decimal  # minor units for AMOUNT, percent for PERCENT
    reason: str

    def amount_off(self, base: int, what: str) -> int:
        if self.kind is DiscountKind.PERCENT:
            return percent_of(base, self.value)
        off = int(self.value)
        if off > base:
            raise InvalidInput(
                f"discount of {off} minor units is more than the {what} ({base})", field="discount"
            )
        return off


def parse_discount(text: str, reason: str | None, currency: str, *, field: str = "discount") -> Discount:
    """ "10%" is a percentage; "5" or "5.50" an amount in the store's currency. A reason is required."""
    raw = str(text).strip()
    why = (reason or "").strip()
    if not why:
        raise InvalidInput(f"a {field} needs a reason", field=f"{field}_reason")
    if len(why) > 200:
        raise InvalidInput(f"{field} reason must be at most 200 characters", field=f"{field}_reason")
    if raw.endswith("%"):
        return Discount(DiscountKind.PERCENT, parse_percent(raw, field=field), why)
    amount = parse_money(raw, currency, field=field)
    if amount == 0:
        raise InvalidInput(f"{field} must be more than zero", field=field)
    return Discount(DiscountKind.AMOUNT, Decimal(amount), why)


@dataclass(frozen=True)
class LineInput:
    unit_price: int
    milli: int
    discount: Discount | None = None
    markdown: int = 0  # minor units, known once the line is allocated to lots


@dataclass(frozen=True)
class LinePrice:
    gross: int
    markdown: int
    discount: int
    net: int


@dataclass(frozen=True)
class OrderPrice:
    lines: list[LinePrice]
    gross: int
    markdowns: int
    line_discounts: int
    order_discount: int
    total: int

    @property
    def discounts(self) -> int:
        return self.line_discounts + self.order_discount


def price_order(lines: list[LineInput], order_discount: Discount | None) -> OrderPrice:
    priced = []
    for line in lines:
        gross = line_gross(line.unit_price, line.milli)
        if line.markdown > gross:
            raise ValueError("markdown larger than the line")
        after_markdown = gross - line.markdown
        off = line.discount.amount_off(after_markdown, "line") if line.discount else 0
        priced.append(LinePrice(gross, line.markdown, off, after_markdown - off))
    subtotal = sum(p.net for p in priced)
    order_off = order_discount.amount_off(subtotal, "order total") if order_discount else 0
    return OrderPrice(
        lines=priced,
        gross=sum(p.gross for p in priced),
        markdowns=sum(p.markdown for p in priced),
        line_discounts=sum(p.discount for p in priced),
        order_discount=order_off,
        total=subtotal - order_off,
    )


class Method(enum.StrEnum):
    CASH = "cash"
    CARD = "card"
    OTHER = "other"

    @classmethod
    def parse(cls, text: str) -> Method:
        try:
            return cls(str(text).strip().lower())
        except ValueError:
            raise InvalidInput(
                f"payment method must be cash, card or other, got {text!r}", field="method"
            ) from None


@dataclass(frozen=True)
class Tender:
    method: Method
    amount: int  # what was handed over


@dataclass(frozen=True)
class Settled:
    method: Method
    tendered: int
    applied: int  # what goes to the order
    change: int


def settle(total: int, tenders: list[Tender], fmt: Callable[[int], str] = str) -> list[Settled]:
    """Apply payments to a total: card and other pay exactly, cash covers the rest and gets change."""
    if any(t.amount <= 0 for t in tenders):
        raise InvalidInput("every payment must be more than zero", field="payments")
    exact = sum(t.amount for t in tenders if t.method is not Method.CASH)
    cash = sum(t.amount for t in tenders if t.method is Method.CASH)
    if exact > total:
        raise InvalidInput(
            f"card and other payments ({fmt(exact)}) exceed the total ({fmt(total)}); only cash gets change",
            field="payments",
        )
    if exact + cash < total:
        raise InvalidInput(
            f"payments ({fmt(exact + cash)}) are short of the total ({fmt(total)})", field="payments"
        )
    due_in_cash = total - exact
    settled = []
    for t in tenders:
        if t.method is Method.CASH:
            applied = min(t.amount, due_in_cash)
            due_in_cash -= applied
            settled.append(Settled(t.method, t.amount, applied, t.amount - applied))
        else:
            settled.append(Settled(t.method, t.amount, t.amount, 0))
    return settled
