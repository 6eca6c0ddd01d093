"""Products: what is stocked, how it expires, and its identifiers."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from stdnum import ean
from stdnum.exceptions import InvalidChecksum, ValidationError

from midnight.domain.errors import InvalidInput

_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_UNIT = re.compile(r"^\S{1,16}$")


class ExpiryKind(enum.StrEnum):
    USE_BY = "use_by"  # unsafe after the date: never sold
    BEST_BEFORE = "best_before"  # quality after the date: a sale warns

    @classmethod
    def parse(cls, text: str) -> ExpiryKind:
        value = str(text).strip().lower().replace("-", "_").replace(" ", "_")
        try:
            return cls(value)
        except ValueError:
            raise InvalidInput(
                f"expiry kind must be use_by or best_before, got {text!r}", field="expiry_kind"
            ) from None


@dataclass(frozen=True)
class Product:
    id: int
    sku: str
    name: str
    unit: str
    barcode: str | None
    expiry_kind: ExpiryKind
    shelf_life_days: int | None
    opened_shelf_life_days: int | None
    reorder_point: int | None  # milli-units


def check_sku(text: str) -> str:
    sku = str(text).strip()
    if not _SKU.match(sku):
        raise InvalidInput(
            f"SKU must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit; got {text!r}",
            field="sku",
        )
    return sku.upper()


def check_code(text: str) -> str:
    """What a person scans or types to name a product: its SKU, or its barcode (all digits, and
    then, if it is as long as a barcode, with a right check digit: a misread scan says so)."""
    code = str(text).strip()
    if code.isdigit() and code.isascii():
        if len(code) in (8, 12, 13):
            check_barcode(code)
        return code
    return check_sku(code)


def check_name(text: str) -> str:
    name = str(text).strip()
    if not name or len(name) > 200:
        raise InvalidInput("name must be 1-200 characters", field="name")
    return name


def check_unit(text: str) -> str:
    unit = str(text).strip()
    if not _UNIT.match(unit):
        raise InvalidInput(f"unit must be a short word like 'each' or 'kg', got {text!r}", field="unit")
    return unit


def check_barcode(text: str | None) -> str | None:
    """Validate an EAN-13, EAN-8 or UPC-A barcode; return its digits."""
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip()
    digits = ean.compact(raw)
    if not digits.isdigit() or len(digits) not in (8, 12, 13):
        raise InvalidInput(
            f"barcode {raw!r} is not an EAN-13, EAN-8 or UPC-A number (8, 12 or 13 digits)",
            field="barcode",
        )
    try:
        ean.validate(digits)
    except InvalidChecksum:
        raise InvalidInput(f"barcode {raw} has a bad check digit", field="barcode") from None
    except ValidationError as exc:
        raise InvalidInput(f"barcode {raw} is not valid: {exc}", field="barcode") from None
    return digits


def check_days(value: str | int | None, *, field: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        days = int(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{field} must be a whole number of days, got {value!r}", field=field) from None
    if days < 0 or days > 3650:
        raise InvalidInput(f"{field} must be between 0 and 3650 days, got {days}", field=field)
    return days


class LocationKind(enum.StrEnum):
    """What kind of place a location is: where stock sits in a store."""

    SHELF = "shelf"
    FRIDGE = "fridge"
    FREEZER = "freezer"
    STORE_ROOM = "store_room"
    OTHER = "other"

    @classmethod
    def parse(cls, text: object) -> LocationKind:
        value = str(text).strip().lower().replace(" ", "_")
        try:
            return cls(value)
        except ValueError:
            known = ", ".join(kind.value for kind in cls)
            raise InvalidInput(
                f"location kind must be one of {known}; got {str(text)[:30]!r}", field="kind"
            ) from None


def barcode_spellings(code: str) -> list[str]:
    """The ways one barcode may be stored or scanned: a UPC-A (12 digits) is the EAN-13 with a
    leading 0, and scanners send either."""
    if len(code) == 13 and code.startswith("0") and code.isdigit():
        return [code, code[1:]]
    if len(code) == 12 and code.isdigit():
        return [code, "0" + code]
    return [code]
