"""Stock: what a delivery, a sale, the kitchen, a pack opened, a move, a write-off or a count says."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from midnight.commands import Command
from midnight.commands.fields import (
    Amount,
    CountedQuantity,
    Day,
    Flag,
    LocationName,
    ProductCode,
    Quantity,
    Reason,
    Reference,
    SearchText,
    Supplier,
    words,
)

Check = Annotated[str, words(64, required=True)]
Batch = Annotated[str, words(64, example="L2412A")]


class ReceiveLot(Command):
    """A delivery arrives: a new lot."""

    sku: ProductCode = Field(description="SKU or barcode.", examples=["MILK-1L"])
    quantity: Quantity
    expires: Day | None = Field(default=None, description="Default: received + the product's shelf life.")
    cost: Amount = Field(default=Decimal(0), description="Unit cost.")
    location: LocationName = "shelf"
    supplier: Supplier = ""
    received: Day | None = Field(default=None, description="Back-date the delivery.")
    reference: Reference = Field(default="", description="Delivery note or invoice number.")
    batch: Batch = Field(default="", description="The maker's lot number (AI 10 of a GS1 scan).")


class DrawStock(Command):
    """Stock sold over the counter, or used by the kitchen: FEFO, all or nothing."""

    sku: ProductCode = Field(examples=["MILK-1L"])
    quantity: Quantity
    allow_past_best_before: Flag = False
    reference: Reference = ""


class OpenPack(Command):
    quantity: Quantity | None = Field(default=None, description="How much to open; default one unit.")


class MoveLot(Command):
    quantity: Quantity | None = Field(default=None, description="Default: the whole lot.")
    location: LocationName


class WriteOff(Command):
    quantity: Quantity | None = Field(default=None, description="Default: everything left in the lot.")
    reason: Reason


class WriteOffExpired(Command):
    """Every lot past its date, written off as waste in one go (after a look at ExpiredStock)."""

    reason: Reason = "expired"
    include_best_before: Flag = Field(
        default=False, description="Also best-before lots past their date (they may still be sold)."
    )
    expected: Check | None = Field(
        default=None,
        description="The `check` of the summary that was confirmed: refused if the expired stock changed since.",
    )


class ExpiredQuery(Command):
    """What writing everything expired off would take: lots, units and cost."""

    include_best_before: Flag = False


class CorrectExpiry(Command):
    """A lot's expiry date put right: recorded as an event, the date as received is kept."""

    expires: Day = Field(description="The correct date, YYYY-MM-DD.", examples=["2026-12-31"])
    reason: Reason = Field(examples=["date misread on delivery"])


class FindProduct(Command):
    """What a person scanned or typed in the receiving box: a barcode, a SKU, or part of a name."""

    code: SearchText


class CountLot(Command):
    quantity: CountedQuantity = Field(description="What is actually there (zero allowed).")
