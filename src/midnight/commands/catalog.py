"""Products, locations, and the lists that page through stock."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from midnight.commands import Command
from midnight.commands.fields import (
    Barcode,
    CountedQuantity,
    Cursor,
    Days,
    ExpiryKind,
    Limit,
    LocationKind,
    LocationName,
    Name,
    ProductCode,
    SearchText,
    Sku,
    Unit,
    whole,
)
from midnight.domain.lot import ExpiryStatus
from midnight.domain.product import ExpiryKind as Expiry
from midnight.domain.product import LocationKind as Kind


class AddProduct(Command):
    sku: Sku
    name: Name
    unit: Unit = "each"
    barcode: Barcode | None = None
    expiry_kind: ExpiryKind = Expiry.USE_BY
    shelf_life_days: Days | None = Field(default=None, examples=[365])
    opened_shelf_life_days: Days | None = Field(default=None, examples=[3])
    reorder_point: CountedQuantity | None = Field(default=None, description="Low-stock level.")


class AddLocation(Command):
    name: LocationName = Field(examples=["back fridge"])
    kind: LocationKind = Kind.SHELF


BoardDays = Annotated[int, whole(0, 365, "Look this many days ahead.")]


class PageQuery(Command):
    """The next page of a list: `limit` items after `cursor` (the previous page's next_cursor)."""

    cursor: Cursor | None = None
    limit: Limit = 100


class StockQuery(PageQuery):
    sku: ProductCode | None = Field(default=None, description="One product, by SKU or barcode.")
    location: LocationName | None = None


class BoardQuery(PageQuery):
    days: BoardDays = 3
    location: LocationName | None = None
    state: ExpiryStatus | None = None
    limit: Limit = 200


class ProductSearch(PageQuery):
    """Products whose name (any case or width: "milk", "ＭＩＬＫ", "菠蘿") or SKU contains `q`."""

    q: SearchText
    limit: Limit = 8


class LotsQuery(PageQuery):
    """Every lot holding stock, earliest effective expiry first, a page at a time either way."""

    sku: ProductCode | None = Field(default=None, description="One product, by SKU or barcode.")
    location: LocationName | None = None
    state: ExpiryStatus | None = None
    before: Cursor | None = Field(default=None, description="The page before this one (its previous_cursor).")
    limit: Limit = 12


class LedgerQuery(PageQuery):
    sku: ProductCode | None = None
