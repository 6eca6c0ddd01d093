"""Request bodies. Quantities and money are strings ("1.5", "12.50") or integers, never floats."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Generic, TypeVar

from fastapi import Path
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _not_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError(
            f'must be an exact decimal as a string like "{value}" or an integer, not a JSON float'
        )
    return value


Exact = Annotated[
    str | int,
    BeforeValidator(_not_float),
    Field(description='An exact decimal as a string ("0.125") or an integer; never a float.'),
]
T = TypeVar("T")
MAX_ID = 2**53 - 1  # ids beyond this are certainly not ours (and beyond JSON's exact integers)
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="A positive id.")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    code: str = Field(examples=["insufficient_stock"])
    message: str = Field(examples=["not enough sellable stock of MILK-1L: wanted 3, available 2"])
    field: str | None = Field(default=None, examples=["quantity"])


class ErrorBody(BaseModel):
    error: ErrorDetail


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")


class LoginIn(Body):
    name: str = Field(examples=["ada"])
    password: str = Field(examples=["correct horse battery"])


class LoginOut(BaseModel):
    token: str
    user: str
    role: str
    expires_at: dt.datetime | None


class UserIn(Body):
    name: str = Field(examples=["kwan"])
    role: str = Field(default="staff", examples=["staff"])
    password: str = Field(examples=["a long pass phrase"])


class UserChange(Body):
    role: str | None = Field(default=None, examples=["owner"])
    active: bool | None = None


class PasswordIn(Body):
    password: str


class TokenIn(Body):
    label: str = Field(examples=["till 1"])


class ProductIn(Body):
    sku: str = Field(examples=["PINE-567"])
    name: str = Field(examples=["Tinned pineapple 567 g 罐頭菠蘿"])
    unit: str = "each"
    barcode: str | None = Field(default=None, examples=["4891028164456"])
    expiry_kind: str = Field(default="use_by", examples=["best_before"])
    shelf_life_days: int | None = Field(default=None, ge=0, le=3650, examples=[365])
    opened_shelf_life_days: int | None = Field(default=None, ge=0, le=3650, examples=[3])
    reorder_point: Exact | None = None


class LocationIn(Body):
    name: str = Field(examples=["back fridge"])
    kind: str = Field(default="shelf", examples=["fridge"])


class ReceiveIn(Body):
    sku: str = Field(examples=["MILK-1L"], description="SKU or barcode.")
    quantity: Exact = Field(examples=["12"])
    expires: dt.date | None = Field(default=None, examples=["2026-12-02"])
    cost: Exact = Field(default="0", examples=["18.00"])
    location: str = "shelf"
    supplier: str = Field(default="", examples=["Kowloon Dairy"])
    received: dt.date | None = Field(default=None, description="Back-date the delivery.")
    reference: str = ""


class DrawIn(Body):
    sku: str = Field(examples=["MILK-1L"])
    quantity: Exact = Field(examples=["2"])
    allow_past_best_before: bool = False
    reference: str = ""


class OpenIn(Body):
    quantity: Exact | None = Field(default=None, description="How much to open; default one unit.")


class MoveIn(Body):
    quantity: Exact
    location: str = Field(examples=["fridge"])


class WasteIn(Body):
    quantity: Exact
    reason: str = Field(examples=["dented tin"])


class WasteExpiredIn(Body):
    reason: str = "expired"


class CountIn(Body):
    quantity: Exact = Field(description="What is actually there (zero allowed).")


class RecipeLineIn(Body):
    sku: str
    quantity: Exact


class MenuItemIn(Body):
    code: str = Field(examples=["SALAD"])
    name: str = Field(examples=["廚師沙律 Chef's salad"])
    price: Exact = Field(examples=["38.00"])
    category: str = ""
    product: str | None = Field(default=None, description="Sell this product 1:1 instead of a recipe.")
    recipe: list[RecipeLineIn] | None = Field(
        default=None, examples=[[{"sku": "LETTUCE", "quantity": "0.1"}, {"sku": "HAM", "quantity": "2"}]]
    )
    restockable: bool | None = None
    markdown_days: int | None = Field(default=None, ge=0, le=365)
    markdown_percent: Exact | None = None


class PriceIn(Body):
    price: Exact = Field(examples=["42.00"])


class ActiveIn(Body):
    active: bool


class LineIn(Body):
    code: str = Field(examples=["SALAD"])
    quantity: Exact = 1
    note: str = Field(default="", examples=["no onion"])
    discount: str | None = Field(default=None, examples=["10%"])
    discount_reason: str | None = None


class PaymentIn(Body):
    method: str = Field(examples=["cash"])
    amount: Exact = Field(examples=["100"])


class OrderIn(Body):
    lines: list[LineIn] = Field(min_length=1, max_length=200)
    discount: str | None = None
    discount_reason: str | None = None
    note: str = ""
    payments: list[PaymentIn] | None = Field(
        default=None, description="Pay at once, in the same transaction."
    )


class PayIn(Body):
    payments: list[PaymentIn] = Field(min_length=1, max_length=20)


class RefundLineIn(Body):
    line: int = Field(ge=1)
    quantity: Exact = 1


class RefundIn(Body):
    reason: str = Field(examples=["dented tin"])
    lines: list[RefundLineIn] | None = Field(
        default=None, description="Default: everything not yet refunded."
    )
    method: str | None = None


class VoidIn(Body):
    reason: str = Field(examples=["customer left"])


class CloseIn(Body):
    date: dt.date | None = None
