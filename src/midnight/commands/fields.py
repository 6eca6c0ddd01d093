"""The kinds of value commands are made of, each parsed by one domain function whoever sent it.

A field type is `Annotated[T, Parsed(...)]`: Parsed calls the domain's parser (which raises
InvalidInput with a message a person can read) and documents the JSON schema the API shows for it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from midnight.domain import clock, menu, people, pricing, product, text
from midnight.domain.errors import MAX_ID, InvalidInput, parse_id
from midnight.domain.money import parse_amount, parse_signed_amount
from midnight.domain.quantity import exact_decimal, parse_quantity


@dataclass(frozen=True, eq=False)
class Parsed:
    """Pydantic metadata: validate with a domain parser `parse(value, field_name)`; document `schema`."""

    parse: Callable[[Any, str], Any]
    schema: dict[str, Any]

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        parse = self.parse

        def validate(value: Any, info: core_schema.ValidationInfo) -> Any:
            try:
                return parse(value, info.field_name or "value")
            except InvalidInput as exc:
                raise PydanticCustomError("invalid_input", "{message}", {"message": exc.message}) from None

        return core_schema.with_info_plain_validator_function(validate)

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return dict(self.schema)


_EXACT = {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"}

# --- numbers -------------------------------------------------------------------------------------

Quantity = Annotated[
    int,
    Parsed(
        lambda v, f: parse_quantity(v, field=f),
        {
            "anyOf": [{**_EXACT, "examples": ["2", "0.125"]}, {"type": "integer", "minimum": 1}],
            "description": 'An exact quantity > 0 as a string ("0.125") or an integer; never a float.',
        },
    ),
]
CountedQuantity = Annotated[
    int,
    Parsed(
        lambda v, f: parse_quantity(v, field=f, allow_zero=True),
        {
            "anyOf": [_EXACT, {"type": "integer", "minimum": 0}],
            "description": "An exact quantity, zero allowed.",
        },
    ),
]
Amount = Annotated[
    Decimal,
    Parsed(
        lambda v, f: parse_amount(v, field=f),
        {
            "anyOf": [{**_EXACT, "examples": ["12.50"]}, {"type": "integer", "minimum": 0}],
            "description": 'Money as an exact decimal string ("12.50") or an integer; never a float.',
        },
    ),
]
SignedAmount = Annotated[
    Decimal,
    Parsed(
        lambda v, f: parse_signed_amount(v, field=f),
        {
            "anyOf": [{"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "examples": ["5", "-2.00"]}],
            "description": 'Money that may be negative ("-2.00"), as an exact decimal string; never a float.',
        },
    ),
]
Percent = Annotated[
    Decimal,
    Parsed(
        lambda v, f: pricing.parse_percent(v, field=f),
        {"anyOf": [_EXACT, {"type": "integer"}], "description": "A percentage, more than 0 and at most 100."},
    ),
]
DiscountSpec = Annotated[
    pricing.DiscountSpec,
    Parsed(
        lambda v, f: pricing.parse_discount_spec(v, field=f),
        {"type": "string", "examples": ["10%", "5.00"], "description": '"10%" off, or an amount off.'},
    ),
]


def _whole(low: int, high: int) -> Callable[[Any, str], int]:
    def parse(value: Any, field: str) -> int:
        number = exact_decimal(value, field, str(low))
        if number != number.to_integral_value():
            raise InvalidInput(f"{field} must be a whole number, got {number}", field=field)
        if not low <= number <= high:
            raise InvalidInput(f"{field} must be between {low} and {high}, got {number}", field=field)
        return int(number)

    return parse


def whole(low: int, high: int, description: str) -> Parsed:
    return Parsed(
        _whole(low, high), {"type": "integer", "minimum": low, "maximum": high, "description": description}
    )


Days = Annotated[int, whole(0, 3650, "A number of days.")]
Limit = Annotated[int, whole(1, 1000, "How many items a page holds (1-1000).")]
Id = Annotated[int, Parsed(lambda v, f: parse_id(v, f), {"type": "integer", "minimum": 1, "maximum": MAX_ID})]


def _flag(value: Any, field: str) -> bool:
    """true or false (a query string's "true"/"false" too); not "yes", "on", 1 or "t"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InvalidInput(f"{field} must be true or false", field=field)


Flag = Annotated[bool, Parsed(_flag, {"type": "boolean"})]

# --- dates ---------------------------------------------------------------------------------------

Day = Annotated[
    dt.date,
    Parsed(
        lambda v, f: clock.parse_date(v, field=f),
        {"type": "string", "format": "date", "description": "A date between 2000-01-01 and 2100-12-31."},
    ),
]
LocalMinute = Annotated[
    dt.datetime,
    Parsed(
        lambda v, f: clock.parse_local_minute(v, field=f, label="the time of the sale"),
        {"type": "string", "description": "A local date and time, YYYY-MM-DD HH:MM (the store's zone)."},
    ),
]
Instant = Annotated[
    dt.datetime,
    Parsed(
        lambda v, f: clock.parse_instant(v, field=f),
        {"type": "string", "format": "date-time", "description": "An ISO time with its offset."},
    ),
]
Birthday = Annotated[
    dt.date,
    Parsed(
        lambda v, f: clock.parse_date(v, field=f, earliest=dt.date(1900, 1, 1)),
        {"type": "string", "format": "date"},
    ),
]

# --- text ----------------------------------------------------------------------------------------


def words(
    limit: int, *, required: bool = False, multiline: bool = False, example: str | None = None
) -> Parsed:
    """Text of at most `limit` characters, NFC, with no hidden characters (domain.text.clean_text)."""
    schema: dict[str, Any] = {"type": "string", "maxLength": limit}
    if required:
        schema["minLength"] = 1
    if example:
        schema["examples"] = [example]
    return Parsed(
        lambda v, f: text.clean_text(v, f, limit=limit, required=required, multiline=multiline), schema
    )


Name = Annotated[str, words(200, required=True, example="Tinned pineapple 567 g 罐頭菠蘿")]
Reason = Annotated[str, words(500, required=True, example="dented tin")]
Note = Annotated[str, words(500)]
Reference = Annotated[str, words(200)]
Supplier = Annotated[str, words(200, example="Kowloon Dairy")]
Label = Annotated[str, words(100, required=True, example="till 1")]
TenderName = Annotated[str, words(40, required=True, example="Octopus")]
TillName = Annotated[str, words(100, required=True, example="Till 1")]
LocationName = Annotated[str, words(64, required=True, example="fridge")]
Cursor = Annotated[str, words(400, required=True)]
# What a person types to find something: a code, or part of a name (any case, any width).
SearchText = Annotated[str, words(64, required=True, example="milk")]


def _code(check: Callable[[str], str], field_limit: int = 64) -> Callable[[Any, str], str]:
    def parse(value: Any, field: str) -> str:
        return check(text.clean_text(value, field, limit=field_limit, required=True))

    return parse


_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
Sku = Annotated[
    str,
    Parsed(_code(product.check_sku), {"type": "string", "pattern": _CODE_PATTERN, "examples": ["MILK-1L"]}),
]
ProductCode = Annotated[
    str,
    Parsed(
        _code(product.check_code), {"type": "string", "maxLength": 64, "description": "A SKU, or a barcode."}
    ),
]
MenuCode = Annotated[
    str, Parsed(_code(menu.check_code), {"type": "string", "pattern": _CODE_PATTERN, "examples": ["SALAD"]})
]
Barcode = Annotated[
    str,
    Parsed(
        lambda v, f: product.check_barcode(text.clean_text(v, f, limit=32, required=True)),
        {"type": "string", "examples": ["4891028164456"], "description": "EAN-13, EAN-8 or UPC-A."},
    ),
]
Unit = Annotated[
    str,
    Parsed(
        lambda v, f: product.check_unit(text.clean_text(v, f, limit=16, required=True)),
        {"type": "string", "examples": ["each", "kg"]},
    ),
]
UserName = Annotated[
    str,
    Parsed(
        lambda v, f: people.check_username(text.clean_text(v, f, limit=64, required=True)),
        {"type": "string", "maxLength": 64, "examples": ["kwan"]},
    ),
]
Password = Annotated[
    str,
    Parsed(
        lambda v, f: people.check_password(v, field=f),
        {"type": "string", "minLength": people.MIN_PASSWORD, "maxLength": people.MAX_PASSWORD},
    ),
]
Pin = Annotated[
    str,
    Parsed(
        lambda v, f: people.check_pin(v, field=f),
        {"type": "string", "pattern": "^[0-9]{4,8}$", "examples": ["2580"]},
    ),
]
_PHONE = re.compile(r"^\+?[0-9 ()-]{3,31}$")


def _phone(value: Any, field: str) -> str:
    number = text.clean_text(value, field, limit=32, required=True)
    if not _PHONE.match(number):
        raise InvalidInput(f"{field} {number!r} is not a phone number", field=field)
    return number


Phone = Annotated[str, Parsed(_phone, {"type": "string", "examples": ["+852 9123 4567"]})]
ContactUrl = Annotated[str, words(1000, required=True, example="mailto://chan@example.com")]

# --- choices -------------------------------------------------------------------------------------

ExpiryKind = Annotated[
    product.ExpiryKind,
    Parsed(
        lambda v, f: product.ExpiryKind.parse(v),
        {"type": "string", "enum": [k.value for k in product.ExpiryKind]},
    ),
]
LocationKind = Annotated[
    product.LocationKind,
    Parsed(
        lambda v, f: product.LocationKind.parse(v),
        {"type": "string", "enum": [k.value for k in product.LocationKind]},
    ),
]
Role = Annotated[
    people.Role,
    Parsed(lambda v, f: people.Role.parse(v), {"type": "string", "enum": [r.value for r in people.Role]}),
]
Method = Annotated[
    pricing.Method,
    Parsed(
        lambda v, f: pricing.Method.parse(v), {"type": "string", "enum": [m.value for m in pricing.Method]}
    ),
]
Language = Annotated[
    str, Parsed(lambda v, f: people.check_language(v), {"type": "string", "enum": list(people.LANGUAGES)})
]


def _key(value: Any, field: str) -> str:
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= 128:
        raise InvalidInput(f"{field} must be 1-128 characters", field=field)
    key = value.strip()
    if not (key.isascii() and key.isprintable()):
        raise InvalidInput(f"{field} must be printable ASCII characters", field=field)
    return key


IdempotencyKey = Annotated[str, Parsed(_key, {"type": "string", "minLength": 1, "maxLength": 128})]
