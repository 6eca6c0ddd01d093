"""Buying: suppliers and what they sell the shop, purchase orders, receiving against them."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from midnight.commands import Command
from midnight.commands.catalog import PageQuery
from midnight.commands.fields import (
    Amount,
    ContactUrl,
    CountedQuantity,
    Day,
    IdempotencyKey,
    Language,
    LocationName,
    Name,
    Note,
    Parsed,
    ProductCode,
    Quantity,
    Reason,
    whole,
    words,
)
from midnight.domain import text
from midnight.domain.errors import InvalidInput
from midnight.domain.purchasing import MAX_LEAD_DAYS, MAX_LINES
from midnight.domain.quantity import exact_decimal

SupplierRef = Annotated[str, words(200, required=True, example="Kowloon Dairy")]
SupplierCode = Annotated[str, words(64, example="KD-1L-FULL")]
DayName = Annotated[str, words(12, required=True, example="mon")]
# what a scanner sends: text, with the group separator (FNC1) a GS1 code has between variable fields
ScanText = Annotated[
    str,
    Parsed(
        lambda v, f: text.clean_text(v, f, limit=200, required=True, allowed="\x1d"),
        {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "examples": ["(01)04890008100309(17)261231(10)L2412A"],
            "description": "A barcode, a GS1 code (printed form, or raw with ]C1 and U+001D separators) or a SKU.",
        },
    ),
]
Batch = Annotated[str, words(64, example="L2412A")]
LeadDays = Annotated[int, whole(0, MAX_LEAD_DAYS, "Days from ordering to the earliest delivery.")]


def _service_level(value: object, field: str) -> Decimal:
    # parsed like every other number (a JSON float is refused), and said in the shop's words
    percent = exact_decimal(value, field, '"97.5"')
    if not Decimal("50") <= percent <= Decimal("99.5"):
        raise InvalidInput(f"a service level is 50 to 99.5 percent, got {percent}", field=field)
    if percent != percent.quantize(Decimal("0.1")):
        raise InvalidInput(f"a service level has at most one decimal place, got {percent}", field=field)
    return percent


ServiceLevel = Annotated[
    Decimal,
    Parsed(
        _service_level,
        {
            "anyOf": [{"type": "string", "pattern": r"^[0-9]+(\.[0-9])?$"}, {"type": "integer"}],
            "description": "Percent, 50 to 99.5, as a string or an integer; never a float.",
            "examples": ["97.5"],
        },
    ),
]
MAX_CONTACTS = 5


class AddSupplier(Command):
    name: Name = Field(examples=["Kowloon Dairy"])
    delivery_days: list[DayName] = Field(min_length=1, max_length=7, examples=[["mon", "thu"]])
    lead_time_days: LeadDays = 1
    minimum_order: Amount = Field(default=Decimal(0), description="The least an order may cost; 0: none.")
    contacts: list[ContactUrl] = Field(
        default_factory=list,
        max_length=MAX_CONTACTS,
        description="Apprise addresses a purchase order is sent to (e-mail gets the order as a CSV file).",
        examples=[["mailto://orders@kowloondairy.example"]],
    )
    note: Note = ""
    language: Language = Field(default="en", description="Of the message the order is sent with.")


class EditSupplier(Command):
    """Only what is given changes; `contacts` replaces the list."""

    name: Name | None = None
    delivery_days: list[DayName] | None = Field(default=None, min_length=1, max_length=7)
    lead_time_days: LeadDays | None = None
    minimum_order: Amount | None = None
    contacts: list[ContactUrl] | None = Field(default=None, max_length=MAX_CONTACTS)
    note: Note | None = None
    language: Language | None = None
    active: bool | None = Field(default=None, description="false: no longer ordered from (kept for history).")


class SupplyTerms(Command):
    """The terms a supplier sells a product on (the API's body; the product is in the path)."""

    pack_size: Quantity = Field(default=1000, description="Units in one pack (an order is whole packs).")
    cost: Amount = Field(description="Cost of one unit (not one pack).")
    supplier_code: SupplierCode = ""


class SupplyProduct(SupplyTerms):
    """What a supplier sells the shop: a product, in packs, at a unit cost, under their code."""

    sku: ProductCode = Field(examples=["MILK-1L"])


class SetServiceLevel(Command):
    """The share of demand an order should cover, in percent (50-99.5); none: from the margin."""

    percent: ServiceLevel | None = None


class ServiceLevelIn(SetServiceLevel):
    sku: ProductCode


class SupplierQuery(PageQuery):
    all: bool = Field(default=False, description="Include suppliers no longer ordered from.")


class OrderLineIn(Command):
    sku: ProductCode = Field(examples=["MILK-1L"])
    quantity: Quantity = Field(description="Units (whole packs: a multiple of the supplier's pack size).")


class NewPurchaseOrder(Command):
    supplier: SupplierRef
    lines: list[OrderLineIn] = Field(default_factory=list, max_length=MAX_LINES)
    delivery_date: Day | None = Field(default=None, description="Default: the supplier's next delivery day.")
    note: Note = ""
    key: IdempotencyKey | None = Field(
        default=None, description="Chosen by the form or program: the same key makes one order."
    )


class EditPurchaseOrder(Command):
    """A draft's lines and date: each line given is set (quantity 0 removes it)."""

    lines: list[OrderLineEdit] = Field(default_factory=list, max_length=MAX_LINES)
    delivery_date: Day | None = None
    note: Note | None = None


class OrderLineEdit(Command):
    sku: ProductCode
    quantity: CountedQuantity = Field(description="Units; 0 removes the line.")


class OrderQuery(PageQuery):
    state: Annotated[str, words(20)] | None = Field(default=None, examples=["sent"])
    supplier: SupplierRef | None = None


class ReceiveAgainstOrder(Command):
    """One scan (or a typed SKU/barcode) at the door, against a sent order.

    A GS1-128 / DataMatrix scan carries the product, its batch and its date; a plain barcode or SKU
    names the product and the date is typed (or comes from the product's shelf life, unless
    `ask_date`)."""

    code: ScanText
    quantity: Quantity
    expires: Day | None = None
    ask_date: bool = Field(
        default=False,
        description="With no date in the scan and none typed, refuse (error on `expires`, naming the "
        "date the shelf life would give) instead of dating the lot by the product's shelf life: the "
        "door asks for the date printed on it.",
    )
    batch: Batch = ""
    location: LocationName | None = Field(
        default=None,
        description="Where it goes; default: where the product's newest lot in stock is, else shelf.",
    )
    substitute_for: ProductCode | None = Field(
        default=None, description="The ordered product this one was sent in place of."
    )
    cost: Amount | None = Field(
        default=None, description="Unit cost; default the order line's (or the list's)."
    )


class RefuseDelivery(Command):
    """Something that came but is not taken in: its date too close, damaged, not ordered."""

    code: ScanText
    quantity: Quantity
    reason: Reason = Field(examples=["expires in 1 day: too close"])
    expires: Day | None = None
    batch: Batch = ""


class FinishReceiving(Command):
    note: Note = ""


class CancelOrder(Command):
    reason: Reason = Field(examples=["ordered from another supplier"])


EditPurchaseOrder.model_rebuild()
