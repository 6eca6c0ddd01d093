"""Stock: what a delivery, a sale, the kitchen, a pack opened, a move, a write-off or a count says."""

from __future__ import annotations

from decimal import Decimal

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
    Supplier,
)


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
    reason: Reason = "expired"


class CountLot(Command):
    quantity: CountedQuantity = Field(description="What is actually there (zero allowed).")
