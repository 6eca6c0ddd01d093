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
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from midnight.domain.errors import InvalidInput
from midnight.domain.money import minor_digits, parse_amount, to_minor
from midnight.domain.quantity import SCALE


def round_half_up(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def line_gross(unit_price: int, milli: int) -> int:
    return round_half_up(Decimal(unit_price) * milli / SCALE)


def percent_of(amount: int, percent: Decimal) -> int:
    return round_half_up(Decimal(amount) * percent / 100)


_PERCENT = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def parse_percent(value: object, *, field: str = "percent") -> Decimal:
    """A percentage like 10 or 12.5 (a single trailing % allowed); more than 0, at most 100."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise InvalidInput(f"{field} must be a percentage like 10 or 12.5", field=field)
    raw = str(value).strip()
    number = raw[:-1].strip() if raw.endswith("%") else raw
    if len(number) > 12 or not _PERCENT.match(number):
        raise InvalidInput(f"{field} must be a percentage like 10 or 12.5, got {raw[:20]!r}", field=field)
    percent = Decimal(number)
    if percent <= 0 or percent > 100:
        raise InvalidInput(f"{field} must be more than 0 and at most 100, got {number}", field=field)
    if percent != percent.quantize(Decimal("0.01")):
        raise InvalidInput(f"{field} {number} has more than 2 decimal places", field=field)
    return percent


class DiscountKind(enum.StrEnum):
    AMOUNT = "amount"
    PERCENT = "percent"


@dataclass(frozen=True)
class DiscountSpec:
    """A discount as asked for, before the store's currency is known: a percentage or an amount."""

    kind: DiscountKind
    value: Decimal  # percent for PERCENT, an amount of money for AMOUNT


def parse_discount_spec(value: object, *, field: str = "discount") -> DiscountSpec:
    """ "10%" is a percentage; "5" or "5.50" an amount of money."""
    if isinstance(value, str) and value.strip().endswith("%"):
        return DiscountSpec(DiscountKind.PERCENT, parse_percent(value, field=field))
    amount = parse_amount(value, field=field)
    if amount == 0:
        raise InvalidInput(f"{field} must be more than zero", field=field)
    return DiscountSpec(DiscountKind.AMOUNT, amount)


@dataclass(frozen=True)
class Discount:
    kind: DiscountKind
    value: Decimal  # minor units for AMOUNT, percent for PERCENT
    reason: str

    def amount_off(self, base: int, what: str, fmt: Callable[[int], str] = str) -> int:
        if self.kind is DiscountKind.PERCENT:
            return percent_of(base, self.value)
        off = int(self.value)
        if off > base:
            raise InvalidInput(
                f"a discount of {fmt(off)} is more than the {what} ({fmt(base)})", field="discount"
            )
        return off


def discount_of(spec: DiscountSpec, reason: str, currency: str, *, field: str = "discount") -> Discount:
    """The discount in the store's currency; an amount must fit its minor units."""
    if spec.kind is DiscountKind.PERCENT:
        return Discount(spec.kind, spec.value, reason)
    return Discount(spec.kind, Decimal(to_minor(spec.value, currency, field=field)), reason)


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


def price_order(
    lines: list[LineInput], order_discount: Discount | None, fmt: Callable[[int], str] = str
) -> OrderPrice:
    priced = []
    for line in lines:
        gross = line_gross(line.unit_price, line.milli)
        if line.markdown > gross:
            raise ValueError("markdown larger than the line")
        after_markdown = gross - line.markdown
        off = line.discount.amount_off(after_markdown, "line", fmt) if line.discount else 0
        priced.append(LinePrice(gross, line.markdown, off, after_markdown - off))
    subtotal = sum(p.net for p in priced)
    order_off = order_discount.amount_off(subtotal, "order total", fmt) if order_discount else 0
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
class Way:
    """How money moved: cash, card, or a tender the owner named (Octopus, FPS …), which pays exactly."""

    method: Method
    tender: str | None = None

    @property
    def label(self) -> str:
        return self.tender or self.method.value


@dataclass(frozen=True)
class Tender:
    method: Method
    amount: int  # what was handed over
    name: str | None = None  # the owner's tender, for method "other"

    @property
    def way(self) -> Way:
        return Way(self.method, self.name)


@dataclass(frozen=True)
class Settled:
    method: Method
    tendered: int
    applied: int  # what goes to the order
    change: int
    name: str | None = None


def settle(total: int, tenders: list[Tender], fmt: Callable[[int], str] = str) -> list[Settled]:
    """Apply payments to a total: card and other pay exactly, cash covers the rest and gets change."""
    if total == 0 and tenders:
        raise InvalidInput(
            f"the order comes to nothing ({fmt(0)}): pay it with no payments", field="payments"
        )
    if any(t.amount <= 0 for t in tenders):
        raise InvalidInput("every payment must be more than zero", field="payments")
    exact = sum(t.amount for t in tenders if t.method is not Method.CASH)
    cash = sum(t.amount for t in tenders if t.method is Method.CASH)
    if exact > total:
        raise InvalidInput(
            f"card and other payments ({fmt(exact)}) are more than the total ({fmt(total)}); only cash gets change",
            field="payments",
        )
    if exact + cash < total:
        raise InvalidInput(
            f"payments ({fmt(exact + cash)}) are short of the total ({fmt(total)}): "
            f"{fmt(total - exact - cash)} more is due",
            field="payments",
        )
    due_in_cash = total - exact
    settled = []
    for t in tenders:
        if t.method is Method.CASH:
            applied = min(t.amount, due_in_cash)
            if applied == 0:
                # Handing over cash that pays nothing of the order (the card paid it all) is a slip.
                raise InvalidInput(
                    f"the other payments already cover the total ({fmt(total)}): no cash is due",
                    field="payments",
                )
            due_in_cash -= applied
            settled.append(Settled(t.method, t.amount, applied, t.amount - applied))
        else:
            settled.append(Settled(t.method, t.amount, t.amount, 0, t.name))
    return settled


NOTES = (10, 20, 50, 100, 500, 1000)  # banknotes, in whole units of the currency


def cash_suggestions(total: int, currency: str, *, most: int = 4) -> list[int]:
    """Cash a customer is likely to hand over for `total` (minor units): the total rounded up to each
    banknote, smallest first, each more than the total and none twice."""
    unit = 10 ** minor_digits(currency)
    out: list[int] = []
    for note in NOTES:
        step = note * unit
        amount = -(-total // step) * step
        if amount > total and amount not in out:
            out.append(amount)
    return sorted(out)[:most]
