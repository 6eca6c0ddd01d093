"""The till: the menu and its prices, orders, payments, refunds, voids and closing the day."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from midnight.commands import Command, Refused
from midnight.commands.cash import CashCount
from midnight.commands.catalog import PageQuery
from midnight.commands.fields import (
    Amount,
    Day,
    DiscountSpec,
    Flag,
    IdempotencyKey,
    Label,
    Limit,
    LocalMinute,
    MenuCode,
    Method,
    Name,
    Note,
    Percent,
    ProductCode,
    Quantity,
    Reason,
    TenderName,
    TillName,
    whole,
    words,
)
from midnight.domain.order import OrderState
from midnight.domain.pricing import Method as PayMethod

MAX_LINES = 200
MAX_PAYMENTS = 20
MAX_MODIFIERS = 20
Category = Annotated[str, words(64, example="salads")]
MarkdownDays = Annotated[int, whole(0, 365, "Reduce to clear from this many days before expiry.")]
LineNumber = Annotated[int, whole(1, MAX_LINES, "A line number of the order, from 1.")]


class RecipeLineIn(Command):
    sku: ProductCode
    quantity: Quantity = Field(description="Of the product's unit, per one item sold.")


class AddMenuItem(Command):
    code: MenuCode
    name: Name = Field(examples=["廚師沙律 Chef's salad"])
    price: Amount = Field(examples=["38.00"])
    category: Category = ""
    product: ProductCode | None = Field(
        default=None, description="Sell this product 1:1 instead of a recipe."
    )
    recipe: list[RecipeLineIn] | None = Field(
        default=None,
        max_length=50,
        examples=[[{"sku": "LETTUCE", "quantity": "0.1"}, {"sku": "HAM", "quantity": "2"}]],
    )
    restockable: Flag | None = Field(
        default=None, description="Refunds go back to stock (default: with product)."
    )
    markdown_days: MarkdownDays | None = None
    markdown_percent: Percent | None = None

    @model_validator(mode="after")
    def _one_way_to_make_it(self) -> Self:
        if self.product is not None and self.recipe:
            raise Refused("give either a product (sold 1:1) or a recipe, not both", "recipe")
        if self.product is None and not self.recipe:
            raise Refused("a menu item needs a recipe or a product it sells 1:1", "recipe")
        return self


class SetMarkdown(Command):
    """An item's reduce-to-clear rule: from `days` before a lot's date, `percent` off; neither: none."""

    days: MarkdownDays | None = None
    percent: Percent | None = None


class SetPrice(Command):
    price: Amount = Field(examples=["42.00"])


class SetActive(Command):
    active: Flag


class MenuQuery(PageQuery):
    include_inactive: Flag = Field(default=False, alias="all", description="Include items not on sale.")
    limit: Limit = 200


class DiscountIn(Command):
    """A discount and why it was given; the amount is checked before the reason is asked for."""

    discount: DiscountSpec | None = Field(default=None, examples=["10%"])
    discount_reason: Reason | None = None

    @model_validator(mode="after")
    def _reason_given(self) -> Self:
        if self.discount is not None and self.discount_reason is None:
            raise Refused("a discount needs a reason", "discount_reason")
        return self


class LineIn(DiscountIn):
    code: MenuCode = Field(examples=["SALAD"])
    quantity: Quantity = 1000
    note: Note = Field(default="", examples=["no onion"])
    modifiers: list[MenuCode] = Field(
        default=[],
        max_length=MAX_MODIFIERS,
        examples=[["LARGE", "ADD-EGG"]],
        description='Codes of the modifier options chosen (size, add-ons, "no X").',
    )


class PaymentIn(Command):
    method: Method = Field(examples=["cash"])
    amount: Amount = Field(examples=["100"])
    tender: TenderName | None = Field(
        default=None, description='With method "other": which of the store\'s tenders (Octopus, FPS …).'
    )

    @model_validator(mode="after")
    def _tender_for_other(self) -> Self:
        if self.method is PayMethod.OTHER and self.tender is None:
            raise Refused('a payment by "other" names its tender (Octopus, FPS …)', "tender")
        if self.method is not PayMethod.OTHER and self.tender is not None:
            raise Refused(f"a {self.method.value} payment has no tender name; use method other", "tender")
        return self


class TenderIn(Command):
    """A way of paying besides cash and card, named by the owner: it pays exactly, gives no change."""

    name: TenderName


class SetTenderActive(Command):
    active: Flag


class TenderQuery(Command):
    include_inactive: Flag = Field(default=False, alias="all", description="Include tenders no longer taken.")


class PlaceOrder(DiscountIn):
    """Ring up an order; with payments, pay it at once in the same transaction."""

    lines: list[LineIn] = Field(min_length=1, max_length=MAX_LINES)
    note: Note = ""
    payments: list[PaymentIn] | None = Field(
        default=None,
        max_length=MAX_PAYMENTS,
        description="Pay at once with these; an empty list pays an order that comes to nothing.",
    )
    expected_total: Amount | None = Field(
        default=None,
        description="The total the customer was shown (a quote); paying is refused, and nothing "
        "recorded, if the order comes to a different amount when it is paid.",
    )

    revision: Annotated[int, whole(0, 10**9, "The revision of the parked order reopened.")] | None = Field(
        default=None,
        description="Needed when paying a parked order under its key: the revision it was reopened "
        "at; refused if missing or if another till changed it since.",
    )
    till: TillName | None = Field(default=None, description="The till it is rung on.")

    sold_at: LocalMinute | None = Field(
        default=None,
        examples=["2026-11-24 13:05"],
        description="A sale written on paper while the till was down, entered afterwards (owner): "
        "when it was made, in the store's time. Stock, prices and markdowns are as of then; it counts on "
        "that business day, which must not be closed.",
    )

    @model_validator(mode="after")
    def _expected_with_payments(self) -> Self:
        if self.expected_total is not None and self.payments is None:
            raise Refused("the total shown is checked when paying: give the payments with it", "payments")
        return self


class ParkOrder(DiscountIn):
    """Keep an order open under a name (a table, a customer, a phone order) to reopen on any till;
    parking it again under its key replaces its lines."""

    lines: list[LineIn] = Field(min_length=1, max_length=MAX_LINES)
    note: Note = ""
    label: Label = Field(examples=["Table 4"], description="Who or where it is for.")
    revision: Annotated[int, whole(0, 10**9, "The revision reopened.")] | None = Field(
        default=None,
        description="Needed to change an order parked before (its key): the revision it was reopened at; "
        "refused if missing or if another till changed it since. Leave out to park a new order.",
    )
    send_to_kitchen: Flag = Field(
        default=False, description="Send the kitchen what it has not had yet (a table served before paying)."
    )
    till: TillName | None = None


class ParkedQuery(PageQuery):
    limit: Limit = 50


class OrderKey(Command):
    """The idempotency key a till chose for an order (the web till's panel carries one)."""

    key: IdempotencyKey


class PayOrder(Command):
    payments: list[PaymentIn] = Field(
        max_length=MAX_PAYMENTS, description="None at all only for an order that comes to nothing."
    )
    expected_total: Amount | None = Field(
        default=None, description="The total the customer was shown; refused if it now differs."
    )


class RefundLineIn(Command):
    line: LineNumber
    quantity: Quantity = 1000


class RefundOrder(Command):
    reason: Reason = Field(examples=["dented tin"])
    lines: list[RefundLineIn] | None = Field(
        default=None, min_length=1, max_length=MAX_LINES, description="Default: everything not yet refunded."
    )
    method: Method | None = Field(default=None, description="Default: how it was paid, if by one method.")
    tender: TenderName | None = Field(default=None, description='With method "other": which tender.')

    @model_validator(mode="after")
    def _tender_is_other(self) -> Self:
        if self.tender is not None and self.method not in (None, PayMethod.OTHER):
            raise Refused(f"a {self.method.value} refund has no tender name; use method other", "tender")
        return self

    restock: Flag | None = Field(
        default=None,
        description="Put the goods back on the shelf (true) or write them off as waste (false). "
        "Default: each item's own setting; an item that can't be resold (a made salad) is never restocked.",
    )


class VoidOrder(Command):
    reason: Reason = Field(examples=["customer left"])


class OrderQuery(PageQuery):
    date: Day | None = Field(default=None, description="Business date.")
    state: OrderState | None = None
    limit: Limit = 50


class DayQuery(Command):
    date: Day | None = Field(default=None, description="Business date; default the current one.")


class CloseDay(CashCount):
    """Close the business day named (the one its confirmation showed), with the cash counted."""

    date: Day = Field(description="The business day to close, as shown to whoever confirms it.")


class Period(Command):
    start: Day
    end: Day

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        if self.end < self.start:
            raise Refused(f"the period ends ({self.end}) before it starts ({self.start})", "end")
        if (self.end - self.start).days > 3660:
            raise Refused("a report covers at most ten years", "end")
        return self
