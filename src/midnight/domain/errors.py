"""Named domain errors. Each maps once to an HTTP status and a CLI exit code."""

from __future__ import annotations


class MidnightError(Exception):
    """Base of every error a person can cause and be told about."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(MidnightError):
    """The input itself is wrong: malformed, out of range, impossible."""

    code = "invalid_input"
    http_status = 422


class NotFound(MidnightError):
    """The thing named does not exist."""

    code = "not_found"
    http_status = 404


class Conflict(MidnightError):
    """The input is well formed but the current state refuses it."""

    code = "conflict"
    http_status = 409


class InsufficientStock(Conflict):
    """Not enough sellable stock; nothing was written."""

    code = "insufficient_stock"

    def __init__(self, sku: str, wanted: str, available: str) -> None:
        super().__init__(
            f"not enough sellable stock of {sku}: wanted {wanted}, available {available}",
            field="quantity",
        )
        self.sku = sku
        self.wanted = wanted
        self.available = available


class Forbidden(MidnightError):
    """The person may not do this."""

    code = "forbidden"
    http_status = 403


MAX_ID = 2**53 - 1


def parse_id(value: object, what: str, *, field: str | None = None) -> int:
    """A record number as typed ("12", "#12") or sent; out-of-range numbers are bad input, not crashes."""
    text = str(value).strip().lstrip("#")
    try:
        number = int(text)
    except ValueError:
        raise InvalidInput(f"{what} must be a number, got {value!r}", field=field or what) from None
    if not 1 <= number <= MAX_ID:
        raise InvalidInput(f"{what} must be a number from 1 to {MAX_ID}, got {text}", field=field or what)
    return number


class NotAuthenticated(MidnightError):
    """No valid session or token, or a wrong name or password."""

    code = "not_authenticated"
    http_status = 401


class TooManyAttempts(MidnightError):
    """Logins locked after too many failures for this name from this address."""

    code = "too_many_attempts"
    http_status = 429
